"""standard_error: the textbook formula, scipy's sem, and clear errors on samples it cannot judge."""

import numpy as np
import pytest

from course_lib.errors import InputError
from course_lib.metrics import standard_error


def test_matches_the_formula_and_scipy():
    from scipy import stats

    values = np.random.default_rng(0).normal(3.0, 2.0, 1000)
    assert standard_error(values) == pytest.approx(values.std(ddof=1) / np.sqrt(1000), rel=1e-12)
    assert standard_error(values) == pytest.approx(float(stats.sem(values)), rel=1e-12)
    assert standard_error([1.0, 3.0]) == pytest.approx(1.0)  # std (ddof 1) sqrt(2), over sqrt(2)


@pytest.mark.parametrize("bad", [[1.0], np.ones((3, 2)), [1.0, np.nan], ["a", "b"]])
def test_refuses_what_it_cannot_judge(bad):
    with pytest.raises(InputError, match="values"):
        standard_error(bad)
