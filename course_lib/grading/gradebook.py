"""The gradebook CSV: one row per submission, rewritten atomically after each one.

Columns: student, sha256, one column of points per exercise id, total, max, status, grader_version,
timestamp, seconds, message. Control characters (escape sequences, line breaks, bidi overrides) become spaces;
text that a spreadsheet would read as a formula (starting with = + - @ or a tab) is prefixed with a single quote.
A rerun regrades every row whose status the student did not cause (STUDENT_STATUSES), and changed files.

Two graders may write one gradebook at once (two batches of submissions, say): each save holds an exclusive lock
on `<gradebook>.lock` (fcntl, on Linux and macOS), re-reads the file and writes its own new rows over it, so
neither loses the other's grades. Without fcntl (Windows) saves are still atomic but not locked.
"""

from __future__ import annotations

import contextlib
import csv
import io
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None

from course_lib.atomic import write_text_atomic
from course_lib.grading.ids import clean_text

__all__ = ["STUDENT_STATUSES", "Gradebook", "neutralise"]

# How a run can end because of what the submission did; any other status (grader-error, failed, an unknown
# one) is the grader's or the machine's problem, and the next run grades that submission again.
STUDENT_STATUSES = {"ok", "errors", "cell-timeout", "timeout", "stopped", "kernel-died", "unreadable"}

FIXED_HEAD = ["student", "sha256"]
FIXED_TAIL = ["total", "max", "status", "grader_version", "timestamp", "seconds", "message"]


def neutralise(value) -> str:
    """A CSV cell that spreadsheets show as text, never evaluate."""
    text = "" if value is None else clean_text(value, limit=2000)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


class Gradebook:
    """Rows keyed by student id; `save` writes the whole file to a temporary file and renames it."""

    def __init__(self, path, exercise_ids: list[str]):
        self.path = Path(path)
        self.exercise_ids = list(exercise_ids)
        self.rows: dict[str, dict[str, str]] = self._read()
        self._added: set[str] = set()  # students whose rows this object wrote, to merge over the file's

    def _read(self) -> dict[str, dict[str, str]]:
        rows = {}
        if self.path.exists():
            with open(self.path, newline="", encoding="utf-8") as handle:
                for row in csv.DictReader(handle):
                    if row.get("student"):
                        rows[row["student"]] = row
        return rows

    @property
    def columns(self) -> list[str]:
        return FIXED_HEAD + self.exercise_ids + FIXED_TAIL

    def already_graded(self, student: str, sha256: str) -> bool:
        row = self.rows.get(neutralise(student))
        return bool(row) and row.get("sha256") == sha256 and row.get("status") in STUDENT_STATUSES

    def add(self, result, grader_version: str) -> None:
        row = {"student": result.student, "sha256": result.sha256, "total": f"{result.total:g}",
               "max": f"{result.max_total:g}", "status": result.status, "grader_version": grader_version,
               "timestamp": result.timestamp, "seconds": f"{result.seconds:.1f}", "message": result.message[:300]}
        row.update({exercise_id: f"{points:g}" for exercise_id, points in result.points.items()})
        row = {key: neutralise(value) for key, value in row.items()}
        self.rows[row["student"]] = row
        self._added.add(row["student"])

    def save(self) -> None:
        """Merge this object's new rows into the file as it is now, under the lock, and write it atomically."""
        with _exclusive_lock(self.path):
            rows = self._read()  # another grader may have saved since we read
            rows.update({student: self.rows[student] for student in self._added})
            self.rows = rows
            buffer = io.StringIO()
            writer = csv.DictWriter(buffer, fieldnames=self.columns, extrasaction="ignore", restval="")
            writer.writeheader()
            for student in sorted(self.rows):
                writer.writerow(self.rows[student])
            write_text_atomic(self.path, buffer.getvalue())


@contextlib.contextmanager
def _exclusive_lock(path: Path):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "a", encoding="utf-8") as handle:
        if fcntl is not None:
            fcntl.flock(handle, fcntl.LOCK_EX)  # released when the handle closes, even on a crash
        yield
