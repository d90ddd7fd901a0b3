"""course_lib.training: the loop bookkeeping every twin's loop shares (framework-free, so tested without one)."""

import math

import numpy as np
import pytest

from course_lib.health import TrainingDiverged, TrainingMonitor
from course_lib.training import EpochOrder, NaNLossError, StepLog, ThroughputClock, all_finite, is_due, shuffled_epochs


def test_is_due_at_every_period_and_at_the_last_step():
    assert [d for d in range(1, 11) if is_due(d, 3, 10)] == [3, 6, 9, 10]
    assert [d for d in range(1, 11) if is_due(d, 3)] == [3, 6, 9]
    assert [d for d in range(1, 11) if is_due(d, 0)] == []  # snapshot_every=0: never
    assert [d for d in range(1, 11) if is_due(d, 0, 10)] == [10]


def test_all_finite():
    assert all_finite([0.0, -3.5, 1e30]) and all_finite([])
    assert not all_finite([1.0, math.nan]) and not all_finite([math.inf])


def test_step_log_keeps_the_history_and_feeds_the_monitor_in_step_order():
    seen = []
    log = StepLog(("d_loss", "g_loss"), monitor=lambda step, d, g: seen.append((step, d, g)))
    log.record(2, 1.3, 0.7)
    log.append(4, 1.2, 0.8)  # appended without the monitor
    log.record(6, 1.1, 0.9)
    assert log.history == {"step": [2, 4, 6], "d_loss": [1.3, 1.2, 1.1], "g_loss": [0.7, 0.8, 0.9]}
    assert seen == [(2, 1.3, 0.7), (6, 1.1, 0.9)]
    with pytest.raises(ValueError, match="expects 2 values"):
        log.append(8, 1.0)


def test_guard_raises_the_loops_own_error_only_for_non_finite_values():
    log = StepLog(("loss",))
    log.guard((1.0, 2.0), lambda step: NaNLossError(f"step {step}"), 3)  # finite: nothing happens
    with pytest.raises(NaNLossError, match="step 3"):
        log.guard((1.0, math.nan), lambda step: NaNLossError(f"step {step}"), 3)
    with pytest.raises(FloatingPointError):  # NaNLossError is a FloatingPointError: old handlers still catch it
        log.guard((math.inf,), NaNLossError, "inf")


def test_step_log_tells_a_health_monitor_the_loss_so_its_advice_fits():
    monitor = TrainingMonitor(window=1, verbose=False)
    StepLog(("d_loss", "g_loss"), monitor, loss="hinge")
    assert monitor.loss == "hinge"
    with pytest.raises(TrainingDiverged, match="What to try"):
        monitor(1, math.nan, 0.0)


def test_epoch_order_depends_only_on_seed_and_epoch():
    order = EpochOrder(10, 3, seed=7)
    assert order.per_epoch == 3
    first = np.concatenate([order.rows(s) for s in range(3)])
    assert sorted(first) == sorted(np.random.default_rng(7).permutation(10)[:9])
    np.testing.assert_array_equal(first, np.random.default_rng(7).permutation(10)[:9])
    np.testing.assert_array_equal(order.rows(3), np.random.default_rng(8).permutation(10)[:3])  # epoch 1: seed + 1
    resumed = EpochOrder(10, 3, seed=7)  # a run resumed mid-epoch reads the same rows
    np.testing.assert_array_equal(resumed.rows(4), order.rows(4))
    converted = EpochOrder(10, 3, seed=7, convert=lambda perm: perm * 10)
    np.testing.assert_array_equal(converted.rows(0), first[:3] * 10)
    with pytest.raises(ValueError, match="make no batch of 16"):
        EpochOrder(10, 16, seed=0)


def test_shuffled_epochs_draw_in_turn_from_one_generator():
    epochs = shuffled_epochs(5, seed=3)
    rng = np.random.default_rng(3)
    for _ in range(3):
        np.testing.assert_array_equal(next(epochs), rng.permutation(5))


def test_throughput_clock_counts_images_from_the_timed_step():
    syncs = []
    clock = ThroughputClock(start=0, steps=20, batch_size=4, sync=lambda: syncs.append(1), warmup=10)
    for step in range(20):
        clock.tick(step)
    assert clock.images == 10 * 4 and len(syncs) == 1
    assert clock.images_per_second() > 0 and len(syncs) == 2
    short = ThroughputClock(start=5, steps=6, batch_size=4, sync=lambda: None)  # timed from the last step
    assert short.timed_from == 5
    assert math.isnan(ThroughputClock(0, 20, 4, lambda: None).images_per_second())  # nothing timed yet
