"""The product-image project of notebook 04, framework-free parts: run folders and checkpoint rotation
(`runs`) and the command line (`cli`: python -m course_lib product train|sample|evaluate). The models and training
loops live in the twins (product_gan.py, product_train.py); metrics in course_lib.metrics, plots and the catalogue
sheet in course_lib.viz.product, latent sampling in course_lib.latents.

Used in: notebooks/04_product_image_project.ipynb
"""

from course_lib.product.runs import (
                                     atomic_write_bytes,
                                     atomic_write_json,
                                     checkpoint_paths,
                                     drive_runs_dir,
                                     latest_checkpoint,
                                     load_config,
                                     prune_checkpoints,
                                     resolve_run_dir,
                                     save_config,
)

__all__ = ["atomic_write_bytes", "atomic_write_json", "checkpoint_paths", "drive_runs_dir",
           "latest_checkpoint", "load_config", "prune_checkpoints", "resolve_run_dir", "save_config"]
