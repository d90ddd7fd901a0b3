"""course_lib.metrics"""

from course_lib.metrics.mode_coverage import ModeCoverage, assign_modes, mode_coverage  # noqa: F401
