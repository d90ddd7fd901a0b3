"""Framework-free plots and widgets: numpy in, matplotlib figures out."""

from course_lib.viz.diagram_gan import gan_diagram
from course_lib.viz.twins import show_twins

__all__ = ["gan_diagram", "show_twins"]
