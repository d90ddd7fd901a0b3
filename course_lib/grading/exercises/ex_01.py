"""Exercises of notebooks/01_gan_losses.ipynb (numpy answers, graded on hidden inputs).

ex-01-1 the non-saturating generator loss, stable; ex-01-2 predict which generator losses saturate;
ex-01-3 the WGAN-GP penalty of a quadratic critic; ex-01-4 .. ex-01-8 "spot the bug": fixed versions of
broken snippets (wrong sign, swapped BCE arguments, fake labels for G, a pixel penalty sold as weight decay,
a discriminator whose input size does not match the generator's output).
"""

import numpy as np

from course_lib.grading.exercise import Exercise, register
from course_lib.reference import losses as ref

NOTEBOOK = "01_gan_losses"


# ---------------------------------------------------------------- ex-01-1: the non-saturating generator loss


def _non_saturating_generator_loss(fake_logits):
    return ref.non_saturating_generator_loss(fake_logits, reduction="mean")


def _logits_with_extremes(rng):
    logits = rng.normal(0.0, 4.0, size=32)
    logits[:4] = [-100.0, -30.0, 30.0, 100.0]
    return (rng.permutation(logits).astype(np.float32),)  # float32, as a framework's logits are


register(Exercise(
    id="ex-01-1",
    notebook=NOTEBOOK,
    title="the non-saturating generator loss, stable for any logit",
    points=2,
    kind="function",
    answer_name="non_saturating_generator_loss",
    reference=_non_saturating_generator_loss,
    make_inputs=_logits_with_extremes,
    hints="-log sigmoid(f) equals softplus(-f) = np.logaddexp(0, -f); np.log(1 / (1 + np.exp(-f))) overflows "
          "at f = -100 in float32. Return the mean over the batch.",
    cases=3,
))


# ---------------------------------------------------------------- ex-01-2: which generator losses saturate?

_LOSS_NAMES = ("minimax", "non_saturating", "least_squares", "hinge", "wasserstein")


def _saturating_losses():
    return ["minimax"]


def _grade_loss_set(expected, actual):
    if isinstance(actual, str):
        actual = [actual]
    if not isinstance(actual, (list, tuple, set)) or not all(isinstance(a, str) for a in actual):
        return 0.0, "expected a list of loss names, e.g. ['hinge']"
    unknown = sorted(set(actual) - set(_LOSS_NAMES))
    if unknown:
        return 0.0, f"unknown loss names {unknown}; use names from {list(_LOSS_NAMES)}"
    if set(actual) == set(expected):
        return 1.0, "correct"
    return 0.0, "not the right set of losses"


register(Exercise(
    id="ex-01-2",
    notebook=NOTEBOOK,
    title="predict which generator losses saturate when D rejects the fakes",
    points=1,
    kind="value",
    answer_name="SATURATING_LOSSES",
    reference=_saturating_losses,
    grade=_grade_loss_set,
    hints="write each loss as a function of f, the discriminator's output on a fake, and differentiate: which "
          "derivative goes to 0 as f -> -infinity (D(G(z)) -> 0)?",
))


# ---------------------------------------------------------------- ex-01-3: the gradient penalty


def _gradient_penalty_quadratic(a, real, fake, epsilon, weight):
    return ref.gradient_penalty(ref.quadratic_critic_grad(a), real, fake, weight, epsilon)


def _gp_inputs(rng):
    shape = (int(rng.integers(3, 7)), 1, 4, 4)  # a batch of tiny one-channel images (N, C, H, W)
    return (rng.uniform(0.1, 1.5, size=shape[1:]), rng.normal(size=shape), rng.normal(size=shape),
            rng.uniform(size=shape[0]), float(rng.choice([1.0, 10.0])))


register(Exercise(
    id="ex-01-3",
    notebook=NOTEBOOK,
    title="the WGAN-GP gradient penalty of a quadratic critic",
    points=2,
    kind="function",
    answer_name="gradient_penalty_quadratic",
    reference=_gradient_penalty_quadratic,
    make_inputs=_gp_inputs,
    hints="x_hat = eps * real + (1 - eps) * fake with eps reshaped to [N, 1, 1, 1]; the critic's gradient at "
          "x_hat is a * x_hat; take one norm per sample over all other axes, then weight * mean((norm - 1)^2).",
    cases=3,
))


# ---------------------------------------------------------------- spot the bug (inputs are probabilities here,
# as in the blog posts the snippets imitate; the library's losses take logits)


def _probabilities(rng, n=16):
    return np.clip(rng.uniform(0.02, 0.98, size=n), 1e-6, 1 - 1e-6)


def bce(prediction, target):
    """Binary cross-entropy on probabilities, as the snippets' blog posts define it (like torch's BCELoss):
    -mean(target * log(prediction) + (1 - target) * log(1 - prediction)). `prediction` is D's probability."""
    prediction, target = np.asarray(prediction, np.float64), np.asarray(target, np.float64)
    return float(-np.mean(target * np.log(prediction) + (1 - target) * np.log(1 - prediction)))


BCE_HELPER = (f"{__name__}.bce",)  # the notebook hands `bce` out: answers of the bce exercises may call it


def _fixed_sign(d_fake):
    return float(-np.mean(np.log(d_fake)))


register(Exercise(
    id="ex-01-4",
    notebook=NOTEBOOK,
    title="spot the bug: the generator minimises log D(G(z))",
    points=1,
    kind="function",
    answer_name="generator_loss_fixed_sign",
    reference=_fixed_sign,
    make_inputs=lambda rng: (_probabilities(rng),),
    hints="the generator wants D(G(z)) -> 1, so it minimises -log D(G(z)): mind the sign.",
    cases=3,
))


def _fixed_bce_order(d_real, d_fake):
    return bce(d_real, np.ones_like(d_real)) + bce(d_fake, np.zeros_like(d_fake))


register(Exercise(
    id="ex-01-5",
    notebook=NOTEBOOK,
    title="spot the bug: binary cross-entropy with prediction and target swapped",
    points=1,
    kind="function",
    answer_name="discriminator_loss_fixed_bce",
    allowed_library=BCE_HELPER,
    reference=_fixed_bce_order,
    make_inputs=lambda rng: (_probabilities(rng), _probabilities(rng)),
    hints="bce(prediction, target): the prediction is D's probability, the target is the label (1 real, 0 fake).",
    cases=3,
))


def _fixed_labels(d_fake):
    return bce(d_fake, np.ones_like(d_fake))


register(Exercise(
    id="ex-01-6",
    notebook=NOTEBOOK,
    title="spot the bug: fake labels (0) used to train the generator",
    points=1,
    kind="function",
    answer_name="generator_loss_fixed_labels",
    allowed_library=BCE_HELPER,
    reference=_fixed_labels,
    make_inputs=lambda rng: (_probabilities(rng),),
    hints="the generator is trained to make D say 'real' on its samples: its target is 1.",
    cases=3,
))


def _fixed_weight_decay(fake_logits, fake_images, weights, weight_decay):
    adversarial = ref.non_saturating_generator_loss(fake_logits)
    return float(adversarial + weight_decay * sum(np.sum(np.square(w)) for w in weights))


def _weight_decay_inputs(rng):
    weights = [rng.normal(size=(4, 8)), rng.normal(size=8), rng.normal(size=(8, 2))]
    return (rng.normal(size=16), np.tanh(rng.normal(size=(16, 1, 4, 4))), weights, float(rng.choice([1e-3, 1e-2])))


register(Exercise(
    id="ex-01-7",
    notebook=NOTEBOOK,
    title="spot the bug: a penalty on generated pixels sold as weight regularisation",
    points=1,
    kind="function",
    answer_name="generator_objective_fixed",
    reference=_fixed_weight_decay,
    make_inputs=_weight_decay_inputs,
    hints="L2 regularisation of G's weights sums the squares of the parameters in `weights`, not of the pixels "
          "of G(z); the adversarial part stays the non-saturating loss on the logits.",
    cases=3,
))


def _discriminator_in_features():
    return 28 * 28


def _grade_int(expected, actual):
    if isinstance(actual, bool) or not isinstance(actual, (int, np.integer)):
        return 0.0, f"expected an integer number of input features, got {type(actual).__name__}"
    if int(actual) == expected:
        return 1.0, "correct"
    return 0.0, f"{actual} input features do not match what the generator produces"


register(Exercise(
    id="ex-01-8",
    notebook=NOTEBOOK,
    title="spot the bug: the discriminator's input size does not match the generator's output",
    points=1,
    kind="value",
    answer_name="D_IN_FEATURES",
    reference=_discriminator_in_features,
    grade=_grade_int,
    hints="the generator makes grey 28x28 images; flattened, how many numbers is that per image?",
))
