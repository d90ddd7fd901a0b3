"""Atomic writes: a failed write leaves the old file and no temporary file; new files get normal permissions."""

import os

import pytest

from course_lib import atomic


def test_writes_bytes_and_text_with_the_usual_permissions(tmp_path):
    previous = os.umask(0o022)
    try:
        path = atomic.write_text_atomic(tmp_path / "deep" / "notes.md", "grüße\n")
    finally:
        os.umask(previous)
    assert path.read_text(encoding="utf-8") == "grüße\n"
    assert path.stat().st_mode & 0o777 == 0o644
    assert atomic.write_bytes_atomic(path, b"\x00\x01").read_bytes() == b"\x00\x01"
    assert sorted(p.name for p in path.parent.iterdir()) == ["notes.md"]


def test_a_failed_write_keeps_the_old_file_and_cleans_up(tmp_path, monkeypatch):
    path = atomic.write_text_atomic(tmp_path / "grades.csv", "old")

    def full_disk(*args):
        raise OSError("disk full")

    monkeypatch.setattr(atomic.os, "replace", full_disk)
    with pytest.raises(OSError, match="disk full"):
        atomic.write_text_atomic(path, "new")
    assert path.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["grades.csv"]
