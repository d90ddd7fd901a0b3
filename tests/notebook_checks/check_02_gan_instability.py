"""What notebooks/02_gan_instability.ipynb must have recorded (quick mode, either framework)."""

from __future__ import annotations

import math


def check(records, framework):
    assert records["framework"] == framework
    # Part 1: the twin's autograd field is the closed form; simultaneous steps spiral out, alternating orbit
    assert records["dirac_field_max_abs_diff"] < 1e-6
    ratio = records["dirac_radius_ratio"]
    assert ratio["simultaneous"] > 1.2, ratio
    assert 0.8 < ratio["alternating"] < 1.25, ratio
    assert records["dirac_eigen_max_abs_error"] < 1e-4
    modulus = records["dirac_simultaneous_modulus"]
    assert abs(modulus["measured"] - modulus["analytic"]) < 1e-5 and modulus["analytic"] > 1
    final = records["dirac_final_radius"]
    assert final["R1, gamma=0.3"] < 0.05 and final["instance noise, sigma=0.7"] < 0.05, final
    assert final["WGAN, clip 1"] > 0.3 and final["WGAN-GP, lambda=1"] > 0.3, final
    # ex-02-6 (the fallback when left undone): the stable gamma interval at h = 0.5, with the radius crossing 1
    low, high = records["gamma_interval_h05"]
    assert abs(low - 0.125) < 1e-9 and abs(high - 4.0625) < 1e-9
    radii = records["gamma_interval_probe_radii"]
    assert radii["low - 0.01"] > 1 > radii["low + 0.01"] and radii["high - 0.01"] < 1 < radii["high + 0.01"]

    # Part 2: mode coverage of the data itself, snapshots scored, packing agrees with the twin layer
    data = records["coverage_of_data"]
    assert data["modes"] == 8 and data["high_quality"] > 0.97 and data["reverse_kl"] < 0.02
    for name in ("vanilla", "R1 (gamma=1)"):
        c = records["snapshot_coverage"][name]
        assert 0 <= c["modes"] <= 25 and 0.0 <= c["high_quality"] <= 1.0
        assert 0.0 <= c["reverse_kl"] <= math.log(25) + 1e-9
    assert records["pack_matches_twin"] is True
    assert records["minibatch_std_matches_twin"] is True and records["minibatch_std_collapsed"] < 1e-3
    for name, chosen in records["snapshot_selection"].items():  # the measured stopping rule picked a snapshot
        assert chosen["best_step"] in chosen["steps"], name

    # Part 3: the quick table has every cell; the committed full-mode table meets the goal
    table = {(row["dataset"], row["method"]): row for row in records["table"]}
    assert set(table) == {("grid", m) for m in ("vanilla", "PacGAN2", "R1")}  # quick mode: the grid only
    for (dataset, _), row in table.items():
        assert 0 <= row["modes_mean"] <= (8 if dataset == "ring" else 25)
        assert 0 <= row["high_quality_mean"] <= 100
    measured = {(row["dataset"], row["method"]): row for row in records["measured_table"]}
    assert measured, "benchmarks/results/pacgan_table_torch.csv should be committed"
    best_ring = max(measured[("ring", m)]["modes_mean"] for m in ("PacGAN2", "R1"))
    best_grid = max(measured[("grid", m)]["modes_mean"] for m in ("PacGAN2", "R1"))
    assert best_ring >= 7.8 and best_grid >= 23.8
    assert measured[("grid", "vanilla")]["modes_mean"] < best_grid - 5
    assert measured[("ring", "vanilla")]["reverse_kl_mean"] > measured[("ring", "PacGAN2")]["reverse_kl_mean"]

    # Part 4: the health monitor stopped the diverging run with a message naming the step
    assert "diverged at step" in records["health_divergence_message"]
    assert "learning rate" in records["health_divergence_message"]
    assert {"d_overpowers", "g_blowup"} & set(records["health_too_fast"]), records["health_too_fast"]
    first = records["too_fast_first_losses"]  # lr = 10: both losses explode within the first logged steps
    assert max(abs(v) for v in first["d_loss"]) > 1e4 and max(abs(v) for v in first["g_loss"]) > 1e4, first
    assert isinstance(records["health_vanilla"], list)
