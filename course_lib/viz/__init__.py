"""Framework-free plots and widgets: numpy in, matplotlib figures out."""

from course_lib.viz.twins import show_twins

__all__ = ["show_twins"]
