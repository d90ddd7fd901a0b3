"""Standard error of a Monte Carlo estimate: how far the mean of N draws is likely to be from its expectation.

Used in: notebooks/03_vae_elbo.ipynb
"""

from __future__ import annotations

import numpy as np

from course_lib import validation as check

__all__ = ["standard_error"]


def standard_error(values) -> float:
    """std(values, ddof=1) / sqrt(N) for a 1-D sample of N >= 2 finite numbers (the mean's 1-sigma uncertainty)."""
    values = check.as_float_array(values, "values")
    if values.ndim != 1 or len(values) < 2:
        check.fail("values", "a 1-D sample of at least 2 numbers", f"shape {values.shape}")
    if not np.all(np.isfinite(values)):
        check.fail("values", "finite numbers", "NaN or infinity")
    return float(values.std(ddof=1) / np.sqrt(len(values)))
