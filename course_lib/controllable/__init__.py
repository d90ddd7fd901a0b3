"""Controllable generation (notebook 06), framework-free parts: the run config, SeFa directions and measured
edits, evaluation rows, and the shipped trained generators. The models and loops are in the twins:
course_lib/{torch,tf}/controllable.py, controllable_train.py and acgan.py."""

__all__ = ["config", "evaluate", "sefa", "weights"]
