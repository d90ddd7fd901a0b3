"""The training-health monitor on synthetic loss curves and constructed toy samples."""

import math

import numpy as np
import pytest

from course_lib.data import toy2d
from course_lib.health import TrainingDiverged, TrainingMonitor


def _feed(monitor, d, g, start=0):
    flags = []
    for i, (dv, gv) in enumerate(zip(d, g)):
        flags += monitor(start + i, dv, gv)
    return flags


def test_balanced_training_is_healthy(capsys):
    rng = np.random.default_rng(0)
    monitor = TrainingMonitor(window=20)
    _feed(monitor, 1.386 + 0.1 * rng.standard_normal(500), 0.693 + 0.1 * rng.standard_normal(500))
    assert monitor.flags == []
    assert "No problems" in monitor.report()
    assert capsys.readouterr().out == ""


def test_nan_stops_with_step_and_advice():
    monitor = TrainingMonitor(window=5, verbose=False)
    _feed(monitor, [1.3] * 10, [0.7] * 10)
    with pytest.raises(TrainingDiverged, match=r"step 10.*learning rate"):
        monitor(10, float("nan"), 0.7)
    with pytest.raises(FloatingPointError):  # TrainingDiverged is a FloatingPointError
        TrainingMonitor(verbose=False)(3, 1.0, math.inf)
    quiet = TrainingMonitor(raise_on_nan=False, verbose=False)
    assert [f.kind for f in quiet(0, float("nan"), 1.0)] == ["nan"]


def test_discriminator_overpowering_is_flagged_once(capsys):
    monitor = TrainingMonitor(window=10)
    d = np.concatenate([np.full(50, 1.3), np.linspace(1.3, 0.001, 50), np.full(100, 0.001)])
    g = np.concatenate([np.full(50, 0.7), np.linspace(0.7, 8.0, 50), np.full(100, 8.0)])
    _feed(monitor, d, g)
    assert set(monitor.kinds()) == {"d_overpowers", "g_blowup"}
    assert sum(f.kind == "d_overpowers" for f in monitor.flags) == 1
    first = [f for f in monitor.flags if f.kind == "d_overpowers"][0]
    assert 90 <= first.step <= 110
    out = capsys.readouterr().out
    assert "D separates real from fake" in out and "try:" in out


def test_flag_rearms_after_it_clears():
    monitor = TrainingMonitor(window=5, verbose=False)
    _feed(monitor, [0.01] * 20 + [1.3] * 20 + [0.01] * 20, [0.7] * 60)
    assert [f.kind for f in monitor.flags] == ["d_overpowers", "d_overpowers"]


def test_generator_loss_growth_relative_to_start():
    monitor = TrainingMonitor(window=10, g_loss_ceiling=100.0, g_growth=4.0, verbose=False)
    _feed(monitor, [1.0] * 100, list(np.full(50, 0.5)) + list(np.full(50, 3.0)))
    assert monitor.kinds() == ["g_blowup"]


def test_collapse_on_toy_samples():
    data = toy2d.ring(2000, seed=0)
    monitor = TrainingMonitor(verbose=False)
    coverage, flags = monitor.check_samples(100, data.samples, data.means, data.std)
    assert coverage.modes == 8 and flags == []
    one_mode = data.samples[data.labels == 0]
    coverage, flags = monitor.check_samples(200, one_mode, data.means, data.std)
    assert coverage.modes == 1 and [f.kind for f in flags] == ["collapse"]
    assert "PacGAN" in flags[0].hint


def test_plugs_into_the_toy_gan(fw):
    from course_lib.config import ToyGANConfig

    monitor = TrainingMonitor(window=2, verbose=False)
    fw.toy_gan.train_toy_gan(ToyGANConfig(steps=20, log_every=5), monitor=monitor)
    assert monitor.steps == [5, 10, 15, 20]
    with pytest.raises(TrainingDiverged, match="step"):
        fw.toy_gan.train_toy_gan(ToyGANConfig(steps=5, log_every=1, lr=float("inf")),
                                 monitor=TrainingMonitor(verbose=False))


def test_saturated_real_fake_gap_flags_the_discriminator():
    monitor = TrainingMonitor(window=5, verbose=False)
    for step in range(20):  # D loss still looks fine, but the logits are far apart
        monitor(step, 0.5, 1.0, d_gap=2.0 if step < 10 else 12.0)
    assert monitor.kinds() == ["d_overpowers"]
    assert "logit gap" in monitor.flags[0].message


def test_advice_fits_the_loss_in_use():
    from course_lib.health import hint_for

    assert "use the non-saturating generator loss" in hint_for("d_overpowers")  # no loss named: BCE-calibrated
    assert "switch G to the non-saturating loss" in hint_for("d_overpowers", "minimax")
    hinge = hint_for("d_overpowers", "hinge")
    assert "does not saturate" in hinge and "use the non-saturating" not in hinge
    assert hint_for("collapse", "hinge") == hint_for("collapse")  # only the loss-specific advice changes
    monitor = TrainingMonitor(window=2, verbose=False, loss="hinge")
    for step in range(1, 5):
        monitor(step, 0.01, 3.0)
    assert monitor.flags[0].kind == "d_overpowers" and "diffaugment" in monitor.flags[0].hint
