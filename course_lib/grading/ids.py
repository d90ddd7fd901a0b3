"""Student ids and the names derived from them: safe, bounded and collision-free, whatever the file name.

A submission's id comes from its path relative to the submissions folder, as raw bytes (any encoding, any
length, any script). A path made only of ASCII letters, digits, `_`, `.`, `-` and `/` (each part starting with a
letter, digit or `_`, at most 80 characters) is its own id: `alice`, `group1/bob`. Any other path gets a readable
part (the same characters kept, the rest replaced by `_`, cut to 60 characters) plus `~` and 12 hex digits of the
SHA-256 of its bytes: `Zoë Müller.ipynb` is `Zo_M_ller~3f2a...`. `~` never appears in a plain id, so a hashed id
never equals a plain one, and two paths share an id only if their SHA-256 prefixes collide.
Feedback files are named after the id; an id with `/` gets `/` replaced and a hash of the id appended.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

__all__ = ["clean_text", "feedback_name", "student_id"]

_PLAIN = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*(/[A-Za-z0-9_][A-Za-z0-9_.-]*)*$")
_UNSAFE = re.compile(r"[^A-Za-z0-9_./-]")
MAX_PLAIN, READABLE, HASH_HEX = 80, 60, 12


def _hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:HASH_HEX]


def student_id(relative: bytes | str) -> str:
    """The id of the submission at `relative` (bytes as on disk, or str), without the .ipynb suffix."""
    raw = relative.encode("utf-8", "surrogateescape") if isinstance(relative, str) else bytes(relative)
    if raw.lower().endswith(b".ipynb"):
        raw = raw[:-6]
    text = raw.decode("ascii", "replace")
    if len(text) <= MAX_PLAIN and _PLAIN.match(text) and ".." not in text.split("/"):
        return text
    readable = _UNSAFE.sub("_", unicodedata.normalize("NFKD", raw.decode("utf-8", "replace")))
    readable = re.sub(r"_+", "_", readable).lstrip("-./").rstrip("/.")[:READABLE] or "student"
    return f"{readable}~{_hash(raw)}"


def feedback_name(student: str) -> str:
    """The feedback file's name (without folder) for an id: one file per id, at most 80 characters."""
    if "/" not in student and len(student) <= MAX_PLAIN and _PLAIN.match(student.replace("~", "_")):
        return f"{student}.md"  # plain ids and hashed ids (with `~`) are distinct, so are their file names
    readable = _UNSAFE.sub("_", student.replace("/", "_")).strip(".")[:READABLE] or "student"
    return f"{readable}~{_hash(student.encode('utf-8', 'surrogateescape'))}.md"


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def clean_text(text, limit: int = 600) -> str:
    """One line of printable text: control characters (escape sequences, bidi overrides) become spaces."""
    text = str(text).encode("utf-8", "replace").decode("utf-8")  # lone surrogates from odd file names
    return _CONTROL.sub(" ", text)[:limit]
