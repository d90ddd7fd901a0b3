"""Exercises of notebooks/01_gan_losses.ipynb (numpy answers, graded on hidden inputs).

ex-01-2 predict which generator losses saturate; ex-01-3 the WGAN-GP penalty of a quadratic critic;
ex-01-4 .. ex-01-7 "spot the bug": fixed versions of broken snippets (the sign of the generator loss, swapped BCE
arguments, fake labels for G, a pixel penalty sold as weight decay). ex-01-9 .. ex-01-13 are in ex_01_build_derive.py.
Retired: ex-01-1 (replaced by ex-01-9), ex-01-8 (by ex-01-11).
"""

import numpy as np

from course_lib.grading.exercise import (
    Exercise,
    Misconception,
    compare_arrays,
    register,
    retire,
)
from course_lib.reference import losses as ref

NOTEBOOK = "01_gan_losses"

retire("ex-01-1", "replaced by ex-01-9: the naive formula passed once cast to float64; ex-01-9 adds logits of "
                  "+-1000, where even float64 overflows, so only a stable form passes")
retire("ex-01-8", "replaced by ex-01-11: the answer (784) was nearly printed by the error message; ex-01-11 asks "
                  "for the shape a transposed-convolution generator makes, worked out from its layers")


def grade_numbers(expected, actual):
    """compare_arrays, except that two answers that are both infinite or NaN at the same places compare equal.

    The reference is always finite, so a non-finite answer still scores 0; the exception only lets a
    misconception that overflows (the naive formula, a forward KL with an empty mode) be recognised."""
    expected = np.asarray(expected, dtype=np.float64)
    try:
        actual_array = np.asarray(actual, dtype=np.float64)
    except (TypeError, ValueError):
        return compare_arrays(expected, actual)
    if np.all(np.isfinite(expected)):
        if actual_array.shape == expected.shape and not np.all(np.isfinite(actual_array)):
            return 0.0, "the result has inf or NaN for some inputs: a step of your formula overflows"
        return compare_arrays(expected, actual_array)
    if actual_array.shape != expected.shape:
        return 0.0, "different shape"
    same_pattern = np.array_equal(np.isnan(expected), np.isnan(actual_array)) and np.array_equal(
        expected[np.isinf(expected)], actual_array[np.isinf(expected)])
    finite = np.isfinite(expected)
    if same_pattern and np.allclose(expected[finite], actual_array[finite], rtol=1e-5, atol=1e-6):
        return 1.0, "same"
    return 0.0, "different"


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
    task="predict",
    hints=(
        ("write each generator loss as a function of f, D's output on a fake, and look at its slope as "
         "f -> -infinity (D rejects the fake with confidence)."),
        ("a slope that vanishes there needs a curve that flattens out on the left: which losses are bounded "
         "as f -> -infinity?"),
    ),
    misconceptions=(
        Misconception("both-sigmoid-losses", ["minimax", "non_saturating"],
                      "the non-saturating loss was designed for exactly this regime: as f -> -infinity its "
                      "slope does not vanish. Only one of the two sigmoid losses flattens out there."),
        Misconception("names-swapped", ["non_saturating"],
                      "the names are the wrong way round: the 'non-saturating' loss is named for the regime "
                      "where it keeps its gradient."),
        Misconception("squares-saturate", ["minimax", "least_squares"],
                      "a squared error grows as f moves away from its target, and so does its slope: least "
                      "squares pushes hardest exactly when D rejects the fake."),
    ),
))


# ---------------------------------------------------------------- ex-01-3: the gradient penalty


def _gradient_penalty_quadratic(a, real, fake, epsilon, weight):
    return ref.gradient_penalty(ref.quadratic_critic_grad(a), real, fake, weight, epsilon)


def _gp_inputs(rng):
    shape = (int(rng.integers(3, 7)), 1, 4, 4)  # a batch of tiny one-channel images (N, C, H, W)
    return (rng.uniform(0.1, 1.5, size=shape[1:]), rng.normal(size=shape), rng.normal(size=shape),
            rng.uniform(size=shape[0]), float(rng.choice([1.0, 10.0])))


def _gp_parts(a, real, fake, epsilon):
    eps = np.asarray(epsilon).reshape(-1, 1, 1, 1)
    return a * (eps * real + (1 - eps) * fake)


def _gp_norm_over_batch(a, real, fake, epsilon, weight):
    return float(weight * (np.linalg.norm(_gp_parts(a, real, fake, epsilon)) - 1) ** 2)


def _gp_no_minus_one(a, real, fake, epsilon, weight):
    grads = _gp_parts(a, real, fake, epsilon)
    return float(weight * np.mean(np.sum(grads.reshape(len(grads), -1) ** 2, axis=1)))


def _gp_sum_not_mean(a, real, fake, epsilon, weight):
    grads = _gp_parts(a, real, fake, epsilon)
    return float(weight * np.sum((np.sqrt(np.sum(grads.reshape(len(grads), -1) ** 2, axis=1)) - 1) ** 2))


register(Exercise(
    id="ex-01-3",
    notebook=NOTEBOOK,
    title="the WGAN-GP gradient penalty of a quadratic critic",
    points=2,
    kind="function",
    answer_name="gradient_penalty_quadratic",
    reference=_gradient_penalty_quadratic,
    make_inputs=_gp_inputs,
    task="implement",
    hints=(
        ("three steps: the interpolated points, the critic's gradient at them, then the penalty on one "
         "gradient norm per sample."),
        ("epsilon has shape [N]: give it singleton axes so that it broadcasts against [N, C, H, W]; the norm "
         "of sample i runs over its C*H*W entries, and the batch is averaged, not summed."),
    ),
    misconceptions=(
        Misconception("one-norm-for-the-batch", _gp_norm_over_batch,
                      "you took one norm over the whole batch: the Lipschitz constraint is on each sample's "
                      "gradient, so each sample needs its own norm."),
        Misconception("no-minus-one", _gp_no_minus_one,
                      "you penalised the squared gradient norm itself (that pulls it to 0, like R1); WGAN-GP "
                      "pulls the norm towards 1."),
        Misconception("sum-not-mean", _gp_sum_not_mean,
                      "you summed the per-sample penalties: the penalty is an expectation, so its size must not "
                      "grow with the batch."),
    ),
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
    grade=grade_numbers,
    task="debug",
    hints=(
        "which way does the generator want D(G(z)) to move, and which way does an optimiser move a loss?",
        ("keep the log of D(G(z)) (that is what makes it non-saturating) and make the loss fall as D(G(z)) "
         "rises."),
    ),
    misconceptions=(
        Misconception("snippet-unchanged", lambda d: float(np.mean(np.log(d))),
                      "this is the snippet as it was: minimising it drives D(G(z)) towards 0, so the generator "
                      "learns to be caught."),
        Misconception("minimax-loss", lambda d: float(np.mean(np.log(1 - d))),
                      "this is the original minimax generator loss, log(1 - D(G(z))): its sign is right (it falls "
                      "as D(G(z)) rises), but it is the saturating one. The task is the non-saturating loss, "
                      "written with the log of D(G(z)) itself."),
        Misconception("minimax-negated", lambda d: float(-np.mean(np.log(1 - d))),
                      "you negated the minimax form: -log(1 - D(G(z))) grows as D(G(z)) rises, so minimising it "
                      "again rewards being caught."),
    ),
))


def _fixed_bce_order(d_real, d_fake):
    return bce(d_real, np.ones_like(d_real)) + bce(d_fake, np.zeros_like(d_fake))


def _grade_d_loss(expected, actual):
    """Either convention for D's binary cross-entropy: the mean over the real batch plus the mean over the fake
    batch, or the mean over the 2N concatenated samples (half of that sum when both batches have N samples)."""
    fraction, note = grade_numbers(expected, actual)
    if fraction >= 1.0 or not np.all(np.isfinite(np.asarray(expected, dtype=np.float64))):
        return fraction, note
    half, _ = grade_numbers(np.asarray(expected, dtype=np.float64) / 2, actual)
    return (1.0, "correct (the mean over the 2N concatenated samples)") if half >= 1.0 else (fraction, note)


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
    grade=_grade_d_loss,
    task="debug",
    hints=(
        "read bce's docstring: which of its two arguments goes inside the logarithm?",
        "only a probability strictly between 0 and 1 may go inside the log; a label of exactly 0 or 1 may not.",
    ),
    misconceptions=(
        Misconception("snippet-unchanged",
                      lambda r, f: bce(np.ones_like(r), r) + bce(np.zeros_like(f), f),
                      "the arguments are still swapped: the labels 1 and 0 end up inside the logarithm, and "
                      "log 0 is -infinity."),
        Misconception("labels-swapped",
                      lambda r, f: bce(r, np.zeros_like(r)) + bce(f, np.ones_like(f)),
                      "the argument order is fixed, but the labels are swapped: this D is rewarded for calling "
                      "real photos fake."),
        Misconception("real-term-only", lambda r, f: bce(r, np.ones_like(r)),
                      "D's loss has two terms, one for each kind of sample; yours ignores the fakes."),
    ),
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
    grade=grade_numbers,
    task="debug",
    hints=(
        "the samples are fake, but what does the generator want D to say about them?",
        "the label in the generator's loss is the verdict G is trying to obtain, not the truth.",
    ),
    misconceptions=(
        Misconception("snippet-unchanged", lambda f: bce(f, np.zeros_like(f)),
                      "this is the snippet as it was: with label 0, the generator is trained to be caught."),
        Misconception("minimax-form", lambda f: float(np.mean(np.log(1 - f))),
                      "this is the minimax generator loss, log(1 - D(G(z))): the right direction, but the "
                      "saturating form; the fix keeps binary cross-entropy and changes the label."),
        Misconception("arguments-swapped", lambda f: bce(np.ones_like(f), f),
                      "the prediction and the label are swapped in bce: a label of 1 inside the log of "
                      "(1 - prediction) gives log 0."),
    ),
))


def _fixed_weight_decay(fake_logits, fake_images, weights, weight_decay):
    adversarial = ref.non_saturating_generator_loss(fake_logits)
    return float(adversarial + weight_decay * sum(np.sum(np.square(w)) for w in weights))


def _weight_decay_inputs(rng):
    weights = [rng.normal(size=(4, 8)), rng.normal(size=8), rng.normal(size=(8, 2))]
    return (rng.normal(size=16), np.tanh(rng.normal(size=(16, 1, 4, 4))), weights, float(rng.choice([1e-3, 1e-2])))


def _ns(logits):
    return float(np.mean(np.logaddexp(0.0, -np.asarray(logits, dtype=np.float64))))


register(Exercise(
    id="ex-01-7",
    notebook=NOTEBOOK,
    title="spot the bug: a penalty on generated pixels sold as weight regularisation",
    points=1,
    kind="function",
    answer_name="generator_objective_fixed",
    reference=_fixed_weight_decay,
    make_inputs=_weight_decay_inputs,
    task="debug",
    hints=(
        "regularising a network means penalising its parameters; which argument holds G's parameters?",
        ("L2 regularisation adds weight_decay times the sum of squares of every parameter array; the "
         "adversarial part stays as it is."),
    ),
    misconceptions=(
        Misconception("snippet-unchanged", lambda f, img, w, wd: _ns(f) + wd * float(np.sum(img ** 2)),
                      "this still penalises the generated pixels: it pulls every image towards grey (0) and "
                      "never looks at G's weights."),
        Misconception("mean-of-squares", lambda f, img, w, wd: _ns(f) + wd * float(np.mean(
                      np.concatenate([np.ravel(a) for a in w]) ** 2)),
                      "right target, wrong size: L2 regularisation sums the squares of the parameters; a mean "
                      "divides the penalty by the number of parameters."),
        Misconception("no-adversarial-term", lambda f, img, w, wd: wd * float(sum(np.sum(a ** 2) for a in w)),
                      "the regulariser is fixed, but the adversarial loss is gone: G would only shrink its "
                      "weights."),
    ),
))
