"""The toy-GAN experiment of notebooks 01 and 02, framework-free: what a toy run returns (`result`) and PacGAN's
Table 1 under our budget (`pacgan_table`). The toy GAN itself is a twin module (course_lib/<framework>/toy_gan.py).
"""

from course_lib.toy.result import ToyGANResult, toy_mixture

__all__ = ["ToyGANResult", "toy_mixture"]
