"""More exercises of notebooks/01_gan_losses.ipynb: ex-01-9 the non-saturating loss, stable for any logit;
ex-01-10 build one discriminator training step by hand; ex-01-11 derive a generator's output shape; ex-01-12 derive
the optimal discriminator's logit; ex-01-13 derive the value of the game at p_g = p_data."""

import numpy as np

from course_lib.grading.exercise import Exercise, Misconception, register
from course_lib.grading.exercises.ex_01 import NOTEBOOK, grade_numbers
from course_lib.reference import losses as ref

# ---------------------------------------------------------------- ex-01-9: the non-saturating loss, any logit


def _non_saturating_generator_loss(fake_logits):
    return ref.non_saturating_generator_loss(fake_logits, reduction="mean")


def _logits_with_extremes(rng):
    logits = rng.normal(0.0, 4.0, size=32)
    logits[:6] = [-1000.0, -100.0, -30.0, 30.0, 100.0, 1000.0]  # exp(1000) overflows even in float64
    return (rng.permutation(logits).astype(rng.choice([np.float32, np.float64])),)


def _naive_ns(fake_logits):
    return float(np.mean(-np.log(1.0 / (1.0 + np.exp(-np.asarray(fake_logits, dtype=np.float64))))))


def _clipped_ns(fake_logits):
    probability = 1.0 / (1.0 + np.exp(-np.asarray(fake_logits, dtype=np.float64)))
    return float(np.mean(-np.log(np.clip(probability, 1e-7, 1.0))))


register(Exercise(
    id="ex-01-9",
    notebook=NOTEBOOK,
    title="the non-saturating generator loss, stable for any logit",
    points=2,
    kind="function",
    answer_name="non_saturating_generator_loss",
    reference=_non_saturating_generator_loss,
    make_inputs=_logits_with_extremes,
    grade=grade_numbers,
    task="implement",
    cases=3,
    hints=(
        "which step of the textbook formula overflows when f = -1000, whatever the float type?",
        ("rewrite -log sigmoid(f) with the identity in the table above so that no exponential of a large "
         "positive number is ever computed; numpy has a function for log(exp(a) + exp(b))."),
    ),
    misconceptions=(
        Misconception("naive-formula", _naive_ns,
                      "the textbook formula: exp(-f) overflows for f = -1000 even in float64, and the loss "
                      "becomes inf. Casting to a wider float only moves the cliff."),
        Misconception("clipped-probability", _clipped_ns,
                      "clipping the probability keeps the loss finite but wrong: at f = -1000 the true loss is "
                      "1000, the clipped one about 16, and its gradient is 0 there."),
        Misconception("discriminator-term", lambda f: float(np.mean(np.logaddexp(0.0, np.asarray(f, np.float64)))),
                      "stable, but this is -log(1 - sigmoid(f)), D's loss on a fake: it falls as D rejects the "
                      "fake. The generator's loss uses the other identity."),
    ),
))


# ---------------------------------------------------------------- ex-01-10: build one discriminator step


def _sigmoid(v):
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(v, dtype=np.float64)))  # stable for any v


def _d_step(w, b, real, fake, lr, real_label=1.0, use_sigmoid=True, sign=-1.0, average="per-batch"):
    """One gradient step on L = mean_real softplus(-D(x)) + mean_fake softplus(D(x)), D(x) = x @ w + b."""
    link = _sigmoid if use_sigmoid else (lambda v: np.asarray(v, dtype=np.float64))
    real_error = link(real @ w + b) - real_label          # dL/dD per real sample, before averaging
    fake_error = link(fake @ w + b) - (1.0 - real_label)  # dL/dD per fake sample
    scale_real, scale_fake = {"per-batch": (len(real), len(fake)), "sum": (1, 1),
                              "concatenated": (len(real) + len(fake),) * 2}[average]
    grad_w = real.T @ real_error / scale_real + fake.T @ fake_error / scale_fake
    grad_b = real_error.sum() / scale_real + fake_error.sum() / scale_fake
    return w + sign * lr * grad_w, b + sign * lr * grad_b


def _discriminator_step(w, b, real, fake, lr):
    return _d_step(w, b, real, fake, lr)


def _d_step_inputs(rng):
    d = int(rng.integers(2, 4))
    real = rng.normal(1.0, 1.0, size=(16, d))
    fake = rng.normal(-1.0, 1.5, size=(12, d))  # batches of different sizes: the averaging convention matters
    return rng.normal(size=d), float(rng.normal()), real, fake, float(rng.choice([0.05, 0.3]))


def _grade_step(expected, actual):
    try:
        flat = np.concatenate([np.ravel(np.asarray(part, dtype=np.float64)) for part in actual])
    except (TypeError, ValueError):
        return 0.0, "expected a pair (new_w, new_b)"
    want = np.concatenate([np.ravel(np.asarray(part, dtype=np.float64)) for part in expected])
    return grade_numbers(want, flat)


register(Exercise(
    id="ex-01-10",
    notebook=NOTEBOOK,
    title="build one training step of a logistic discriminator, gradient by hand",
    points=2,
    kind="function",
    answer_name="discriminator_step",
    reference=_discriminator_step,
    make_inputs=_d_step_inputs,
    grade=_grade_step,
    task="build",
    cases=3,
    hints=(
        ("differentiate softplus(-D) and softplus(D) with respect to D first; both derivatives are a "
         "sigmoid minus a label. Then the chain rule through D(x) = x @ w + b."),
        ("per sample, dL/dD is sigmoid(D) - 1 for a real sample and sigmoid(D) for a fake; each batch is "
         "averaged over its own size, and the step goes against the gradient."),
    ),
    misconceptions=(
        Misconception("gradient-ascent", lambda w, b, r, f, lr: _d_step(w, b, r, f, lr, sign=1.0),
                      "your step goes up the loss: a descent step subtracts lr times the gradient."),
        Misconception("labels-swapped", lambda w, b, r, f, lr: _d_step(w, b, r, f, lr, real_label=0.0),
                      "your D is trained to call real samples fake: check which label each batch gets."),
        Misconception("no-sigmoid", lambda w, b, r, f, lr: _d_step(w, b, r, f, lr, use_sigmoid=False),
                      "you used the logit minus the label as dL/dD: that is the least-squares gradient. The "
                      "derivative of softplus is a sigmoid."),
        Misconception("concatenated-mean", lambda w, b, r, f, lr: _d_step(w, b, r, f, lr, average="concatenated"),
                      "you averaged over all N + M samples at once; this exercise's loss is the mean over the "
                      "real batch plus the mean over the fake batch, and the two batches differ in size."),
    ),
))


# ---------------------------------------------------------------- ex-01-11: derive a generator's output shape


def _generator_image_shape():
    size = 7
    for _ in range(2):  # ConvTranspose2d(kernel 4, stride 2, padding 1): (size - 1) * 2 - 2 * 1 + 4
        size = (size - 1) * 2 - 2 * 1 + 4
    return (3, size, size)


def _grade_shape(expected, actual):
    if isinstance(actual, np.ndarray):
        actual = tuple(actual.tolist())
    if not isinstance(actual, (tuple, list)) or len(actual) != 3 or not all(
            isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in actual):
        return 0.0, "expected a tuple of three integers (C, H, W)"
    if tuple(int(v) for v in actual) == tuple(expected):
        return 1.0, "correct"
    return 0.0, f"{tuple(actual)} is not the shape this generator makes"


register(Exercise(
    id="ex-01-11",
    notebook=NOTEBOOK,
    title="derive the image shape a transposed-convolution generator makes",
    points=1,
    kind="value",
    answer_name="G_IMAGE_SHAPE",
    reference=_generator_image_shape,
    grade=_grade_shape,
    task="derive",
    hints=(
        ("follow the tensor layer by layer: the Linear layer's output is reshaped first, then each "
         "transposed convolution changes the height and width and sets the channels."),
        ("apply the output-size formula given above once per transposed convolution; the channels are the "
         "last layer's out_channels."),
    ),
    misconceptions=(
        Misconception("the-data-shape", (1, 28, 28),
                      "that is the shape of the data and of what D expects, not what this generator makes: "
                      "read the channels of its last layer."),
        Misconception("channels-last", (28, 28, 3),
                      "right numbers, wrong order: the question asks for PyTorch's (C, H, W)."),
        Misconception("padding-forgotten", (3, 34, 34),
                      "you left out the -2 * padding term of the output-size formula."),
        Misconception("one-layer", (3, 14, 14),
                      "the generator has two transposed convolutions; you applied the formula once."),
    ),
))


# ---------------------------------------------------------------- ex-01-12 and ex-01-13: D* and the game's value


def _optimal_logit(x, mu_real, mu_fake, sigma):
    x = np.asarray(x, dtype=np.float64)
    return ((x - mu_fake) ** 2 - (x - mu_real) ** 2) / (2.0 * sigma ** 2)


def _density_ratio_logit(x, mu_real, mu_fake, sigma):
    x = np.asarray(x, dtype=np.float64)
    with np.errstate(all="ignore"):
        return np.log(np.exp(-0.5 * ((x - mu_real) / sigma) ** 2) / np.exp(-0.5 * ((x - mu_fake) / sigma) ** 2))


def _logit_inputs(rng):
    x = np.concatenate([rng.normal(0.0, 3.0, size=12), [-60.0, 45.0, 80.0]])  # far out, both densities underflow
    return x, float(rng.uniform(-2, 2)), float(rng.uniform(-2, 2)), float(rng.choice([0.5, 2.0]))


register(Exercise(
    id="ex-01-12",
    notebook=NOTEBOOK,
    title="derive the optimal discriminator's logit for two Gaussians",
    points=2,
    kind="function",
    answer_name="optimal_logit",
    reference=_optimal_logit,
    make_inputs=_logit_inputs,
    grade=grade_numbers,
    task="derive",
    hints=(
        ("D* = p_data / (p_data + p_g) is a sigmoid of something: of what? Write it out for two Gaussians "
         "with the same sigma and simplify before you code."),
        ("the normalising constants cancel; only the two exponents remain. Far from both means each density "
         "underflows to 0, so never compute a density."),
    ),
    misconceptions=(
        Misconception("flipped", lambda x, mr, mf, s: -_optimal_logit(x, mr, mf, s),
                      "your logit is large where the fakes are: that is the logit of 1 - D*. Which density is "
                      "on top in D*?"),
        Misconception("sigma-dropped", lambda x, mr, mf, s: _optimal_logit(x, mr, mf, 1.0),
                      "the variance does not cancel from the exponents: your answer is right only for sigma = 1."),
        Misconception("density-ratio", _density_ratio_logit,
                      "right formula, computed through the densities: far from both means they underflow to 0 "
                      "and the log of 0/0 is NaN. Simplify the log of the ratio by hand first."),
        Misconception("probability-not-logit", lambda x, mr, mf, s: _sigmoid(_optimal_logit(x, mr, mf, s)),
                      "that is D*(x), a probability; the exercise asks for its logit."),
    ),
))


def _game_value_at_equilibrium():
    return float(-np.log(4.0))


def _grade_value(expected, actual):
    if isinstance(actual, bool) or not isinstance(actual, (int, float, np.integer, np.floating)):
        return 0.0, f"expected a number, got {type(actual).__name__}"
    if np.isclose(float(actual), expected, rtol=0, atol=1e-3):
        return 1.0, "correct"
    return 0.0, f"{actual} is not the value of the game at p_g = p_data"


register(Exercise(
    id="ex-01-13",
    notebook=NOTEBOOK,
    title="derive the value of the game when the generator is perfect",
    points=1,
    kind="value",
    answer_name="GAME_VALUE",
    reference=_game_value_at_equilibrium,
    grade=_grade_value,
    task="derive",
    hints=(
        "when p_g = p_data, what is D*(x) at every x?",
        "put that constant into both expectations of V(D, G); each is the log of a constant.",
    ),
    misconceptions=(
        Misconception("zero", 0.0,
                      "D* = 1/2 means D cannot tell, but V is not 0: each of its two terms is the log of a "
                      "probability below 1."),
        Misconception("one-term", float(-np.log(2.0)),
                      "that is one of the two expectations; V(D, G) has two."),
        Misconception("discriminator-loss", float(np.log(4.0)),
                      "that is D's loss, the negative of V: V is a sum of logs of probabilities, so it is "
                      "negative."),
    ),
))
