"""course_lib.reference"""

from course_lib.reference import dirac  # noqa: F401
