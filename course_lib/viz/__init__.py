"""Framework-free plots and widgets: numpy in, matplotlib figures out."""

from course_lib.viz.diagram_cgan import conditional_gan_diagram
from course_lib.viz.diagram_gan import gan_diagram
from course_lib.viz.diagram_vae import vae_diagram
from course_lib.viz.twins import show_twins

__all__ = ["conditional_gan_diagram", "gan_diagram", "show_twins", "vae_diagram"]
