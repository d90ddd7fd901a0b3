"""course_lib.reference"""

from course_lib.reference import losses  # noqa: F401  (numpy oracle of the GAN losses, issue 3)
