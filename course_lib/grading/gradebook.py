"""The gradebook CSV: one row per submission, rewritten atomically after each one.

Columns: student, sha256, one column of points per exercise id, total, max, status, grader_version,
timestamp, seconds, message. Text that a spreadsheet would read as a formula (starting with = + - @ or a tab)
is prefixed with a single quote.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from course_lib.atomic import write_text_atomic

__all__ = ["Gradebook", "neutralise"]

FIXED_HEAD = ["student", "sha256"]
FIXED_TAIL = ["total", "max", "status", "grader_version", "timestamp", "seconds", "message"]


def neutralise(value) -> str:
    """A CSV cell that spreadsheets show as text, never evaluate."""
    text = "" if value is None else str(value)
    text = text.replace("\r", " ").replace("\n", " ")
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t") else text


class Gradebook:
    """Rows keyed by student id; `save` writes the whole file to a temporary file and renames it."""

    def __init__(self, path, exercise_ids: list[str]):
        self.path = Path(path)
        self.exercise_ids = list(exercise_ids)
        self.rows: dict[str, dict[str, str]] = {}
        if self.path.exists():
            with open(self.path, newline="", encoding="utf-8") as handle:
                for row in csv.DictReader(handle):
                    if row.get("student"):
                        self.rows[row["student"]] = row

    @property
    def columns(self) -> list[str]:
        return FIXED_HEAD + self.exercise_ids + FIXED_TAIL

    def already_graded(self, student: str, sha256: str) -> bool:
        row = self.rows.get(neutralise(student))
        return bool(row) and row.get("sha256") == sha256 and row.get("status") != "grader-error"

    def add(self, result, grader_version: str) -> None:
        row = {"student": result.student, "sha256": result.sha256, "total": f"{result.total:g}",
               "max": f"{result.max_total:g}", "status": result.status, "grader_version": grader_version,
               "timestamp": result.timestamp, "seconds": f"{result.seconds:.1f}", "message": result.message[:300]}
        row.update({exercise_id: f"{points:g}" for exercise_id, points in result.points.items()})
        row = {key: neutralise(value) for key, value in row.items()}
        self.rows[row["student"]] = row

    def save(self) -> None:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=self.columns, extrasaction="ignore", restval="")
        writer.writeheader()
        for student in sorted(self.rows):
            writer.writerow(self.rows[student])
        write_text_atomic(self.path, buffer.getvalue())
