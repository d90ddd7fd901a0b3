"""What notebooks/01_gan_losses.ipynb must have recorded (quick mode, either framework)."""

from __future__ import annotations

import math

import numpy as np

from course_lib.reference import losses as ref

LOSSES = ("minimax", "non_saturating", "least_squares", "hinge", "wasserstein")


def check(records, framework):
    assert records["framework"] == framework
    # 1. the game: -log 4 at p_g = p_data, -log 4 + 2 JSD otherwise, and the twin's D loss at D = 1/2
    assert abs(records["game_value_equal"] + math.log(4)) < 1e-9
    assert abs(records["game_value_shifted"] - records["game_value_shifted_closed_form"]) < 1e-6
    assert records["game_value_shifted"] > -math.log(4) + 0.5
    assert abs(records["twin_d_loss_at_half"] - math.log(4)) < 1e-6
    assert records["d_star_logit_gap"] < 1e-6  # the student's logit, or the fallback, is log p_data - log p_g
    # the blog mistakes, run: A3 prefers a fooled D, B3's summed loss gives G no gradient, B7 helps G through D
    assert records["seed_a3_prefers_fooled"] is True and abs(records["seed_b3_combined_slope"]) < 1e-6
    assert records["seed_b7_d_loss_rises"] is True
    assert records["d_step_accuracy"] > 0.85  # 200 steps of the discriminator step separate the two clouds
    assert records["seed_a6_probability_bce_inf"] is True

    # 2. the non-saturating loss on extreme logits: finite, equal to the oracle
    want = ref.non_saturating_generator_loss(np.array([-100.0, -30.0, 0.0, 30.0, 100.0]))
    for key in ("answer", "twin"):
        assert abs(records["ns_loss_extreme"][key] - want) < 1e-5 * want

    # 3. saturation at f = -10 (D(G(z)) = 4.5e-5): measured by autograd
    grads = records["saturation_grads_at_minus_10"]
    assert abs(grads["minimax"] - (-1 / (1 + math.exp(10)))) < 1e-8
    assert all(abs(grads[name]) >= 0.99 for name in LOSSES if name != "minimax")

    # 4. point masses: JS stuck at log 2, W1 = |theta|
    for theta, values in records["point_masses"].items():
        assert abs(values["js"] - math.log(2)) < 1e-12 and abs(values["w1"] - abs(float(theta))) < 1e-12
    rng = np.random.default_rng(0)  # the notebook's SEED
    real, fake = rng.normal(size=(4, 1, 2, 2)), rng.normal(size=(4, 1, 2, 2))
    gp = ref.gradient_penalty(ref.quadratic_critic_grad(np.ones((1, 2, 2))), real, fake, 10.0, np.full(4, 0.5))
    assert abs(records["gp_example"] - gp) < 1e-6 * max(1.0, gp)

    # 5. the explorer: a confident D starves only the minimax generator
    far, near = records["explorer_far_grads"], records["explorer_near_grads"]
    assert abs(far["minimax"]) < 1e-5 and all(abs(far[name]) > 1.0 for name in LOSSES if name != "minimax")
    assert abs(near["minimax"]) > 0.1

    # 6. the toy GAN with each loss: samples move onto the ring, several losses capture half the modes or more
    toy, untrained = records["toy_losses"], records["toy_untrained_median_distance"]
    assert set(toy) == set(LOSSES) and records["toy_setup"]["steps"] == 500
    assert untrained > 0.5
    distances = [toy[name]["median_distance"] for name in LOSSES]
    assert all(d < 0.8 * untrained for d in distances), distances
    assert sum(d < 0.5 * untrained for d in distances) >= 4, distances
    modes = [toy[name]["modes"] for name in LOSSES]
    assert max(modes) >= 5 and sum(m >= 4 for m in modes) >= 3, modes
    for name in LOSSES:
        assert toy[name]["steps"] == 500 and math.isfinite(toy[name]["final_d_loss"])
        assert 0.0 <= toy[name]["reverse_kl"] <= math.log(8) + 1e-9

    # 7. spot the bug: the symptoms show, and the fixed discriminator runs
    assert records["bug_sign_prefers_caught"] is True
    assert records["bug_bce_swapped_is_finite"] is False
    assert records["bug_labels_prefers_caught"] is True
    assert records["bug_pixel_penalty_ignores_weights"] is True
    assert abs(records["seed_a5_buggy_optimum"] - 0.6) < 0.051
    assert records["g_image_shape_measured"] == [3, 28, 28]
    assert records["seed_a8_rule_accuracy"] == 1.0

    assert records["seconds"] < 240, records["seconds"]  # about 60 s on a quiet 2-core CPU
