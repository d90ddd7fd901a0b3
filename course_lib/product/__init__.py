"""The product-image project (notebook 04), framework-free parts: run folders, checkpoint bookkeeping, the
evaluation table, the catalogue. The models and training loops live in the twins (product_gan.py,
product_train.py); the command line in course_lib.product.cli.

Used in: notebooks/04_product_image_project.ipynb
"""

from course_lib.product.runs import (atomic_write_bytes, atomic_write_json, checkpoint_paths, drive_runs_dir,
                                     latest_checkpoint, prune_checkpoints, resolve_run_dir, save_config,
                                     load_config, NaNLossError)

__all__ = ["NaNLossError", "atomic_write_bytes", "atomic_write_json", "checkpoint_paths", "drive_runs_dir",
           "latest_checkpoint", "load_config", "prune_checkpoints", "resolve_run_dir", "save_config"]
