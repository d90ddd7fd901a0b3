"""Exercises of notebook 02: the ids, the loopholes closed, the table copy, each misconception cell recognised."""

from __future__ import annotations

import csv

import numpy as np
import pytest

from course_lib.grading.exercise import (
    HIDDEN_SEED,
    get_exercise,
    registered_exercises,
    retired_exercises,
)
from course_lib.reference import dirac
from tests.conftest import REPO_ROOT
from tests.exercise_helpers import score
from tests.fixtures.misconceptions.ex_02 import MISCONCEPTION_CELLS

IDS = ["ex-02-3", "ex-02-4", "ex-02-6", "ex-02-7", "ex-02-8"]


def test_notebook_02_exercises_and_retired_ids():
    assert sorted(e.id for e in registered_exercises("02_gan_instability")) == sorted(IDS)
    assert set(retired_exercises("02")) == {"ex-02-1", "ex-02-2", "ex-02-5"}


@pytest.mark.parametrize("exercise_id", IDS)
def test_each_misconception_cell_is_recognised(exercise_id):
    namespace = {}
    exec(MISCONCEPTION_CELLS[exercise_id], namespace)  # noqa: S102  (our own fixture)
    with np.errstate(all="ignore"):
        result = score(exercise_id, namespace[get_exercise(exercise_id).answer_name], HIDDEN_SEED)
    assert not result.passed and result.misconception is not None, result.feedback


@pytest.mark.parametrize("h", [0.1, 0.5, 1.0, 1.5])
def test_stable_interval_matches_the_eigenvalues(h):
    low, high = get_exercise("ex-02-6").reference(h)
    radius = lambda g: np.max(np.abs(dirac.update_eigenvalues(h, "simultaneous", r1_gamma=g)))
    assert radius(low * 1.01) < 1 and radius(low * 0.99) > 1
    assert radius(high * 0.99) < 1 and radius(high * 1.01) > 1


def test_a_guessed_gamma_interval_fails():
    assert not score("ex-02-6", lambda h: np.array([0.125, 4.0625])).passed  # the h = 0.5 answer, for any h


def test_forward_kl_is_told_what_it_is():
    with np.errstate(all="ignore"):
        result = score("ex-02-4", lambda c: float(np.sum(np.log((1 / len(c)) / (np.asarray(c) / np.sum(c)))
                                                          / len(c))))
    assert result.misconception == "forward-kl" and "softplus" not in result.feedback


def test_the_table_copy_equals_the_committed_csv():
    from course_lib.grading.exercises.ex_02 import MEASURED_TABLE

    with open(REPO_ROOT / "benchmarks" / "results" / "pacgan_table_torch.csv") as handle:
        rows = {(r["dataset"], r["method"]): tuple(float(r[k]) for k in ("modes_mean", "high_quality_mean",
                                                                         "reverse_kl_mean"))
                for r in csv.DictReader(handle)}
    assert rows == MEASURED_TABLE


def test_minibatch_std_matches_the_twin_layer():
    torch = pytest.importorskip("torch")
    from course_lib.torch.layers import minibatch_std as twin

    features = np.random.default_rng(0).normal(size=(6, 3))
    mine = get_exercise("ex-02-7").reference(features)
    assert np.allclose(mine, twin(torch.from_numpy(features)).numpy(), rtol=1e-6, atol=1e-9)


def test_hints_are_tiers():
    for exercise in registered_exercises("02_gan_instability"):
        assert len(exercise.hints) >= 2 and len(exercise.misconceptions) >= 2
