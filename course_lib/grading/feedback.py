"""One markdown feedback file per student: points and the reason behind each exercise's score."""

from __future__ import annotations

import re
from pathlib import Path

from course_lib.atomic import write_text_atomic
from course_lib.grading.ids import clean_text, feedback_name

__all__ = ["feedback_markdown", "feedback_path", "write_feedback"]


def feedback_path(folder, student: str) -> Path:
    """One file per student id, never outside `folder` (course_lib.grading.ids)."""
    return Path(folder) / feedback_name(student)


def _plain(text: str) -> str:
    """Student-made text (error messages) as inert markdown: no HTML, no links, one line."""
    text = re.sub(r"\s+", " ", clean_text(text, limit=2000))[:600]
    return text.replace("<", "&lt;").replace(">", "&gt;").replace("[", "\\[").replace("`", "'")


def feedback_markdown(result, grader_version: str) -> str:
    lines = [f"# Feedback for {_plain(result.student)}", "",
             f"**Total: {result.total:g} / {result.max_total:g}** (status: {result.status})", ""]
    if result.message:
        lines += [f"How the run went: {_plain(result.message)}", ""]
    lines += ["| exercise | points | feedback |", "|---|---|---|"]
    for exercise_id, points in result.points.items():
        text = _plain(result.feedback.get(exercise_id, "")).replace("|", "\\|")
        lines.append(f"| {exercise_id} | {points:g} / {result.max_points[exercise_id]:g} | {text} |")
    lines += ["", f"Submission sha256 `{result.sha256}`, graded {result.timestamp} by {grader_version}.", ""]
    return "\n".join(lines)


def write_feedback(folder, result, grader_version: str) -> Path:
    return write_text_atomic(feedback_path(folder, result.student), feedback_markdown(result, grader_version))
