"""The library's own error and warning types, so that a reader can catch course_lib's complaints in one place.

Every check in course_lib raises one of these (never a bare framework error) with a message that names the
argument, says what was expected and what came, and where it helps, the fix:

    InputError       a bad argument to a public function (shape, batch size, dtype, range, labels, empty, NaN)
    ConfigError      a config dataclass field that is out of range or not one of the allowed values
    ScaleWarning     an image batch whose values look like the wrong scale ([0, 1] where [-1, 1] is expected, ...)

`InputError` and `ConfigError` subclass `ValueError`, so code that already catches `ValueError` keeps working.
"""

from __future__ import annotations

__all__ = ["ConfigError", "CourseLibError", "InputError", "ScaleWarning"]


class CourseLibError(Exception):
    """Base class of every error course_lib raises on purpose."""


class InputError(CourseLibError, ValueError):
    """A public function got an argument it cannot use; the message names the argument and the fix."""


class ConfigError(CourseLibError, ValueError):
    """A config field is invalid; the message names the field and the allowed values or range."""


class ScaleWarning(UserWarning):
    """Images whose value range suggests the wrong scale (for example [0, 1] floats where [-1, 1] is expected)."""
