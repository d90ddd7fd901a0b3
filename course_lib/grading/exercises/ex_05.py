"""Exercises of notebooks/05_product_image_quality.ipynb."""

import numpy as np

from course_lib.grading.exercise import (
    Exercise,
    Misconception,
    compare_arrays,
    register,
)

NOTEBOOK = "05_product_image_quality"


# ex-05-1: derive a PSNR by hand ------------------------------------------------------------------------------
SHIFT = 5.0  # every pixel off by 5 grey levels


def _grade_number(expected, actual):
    if actual is None or isinstance(actual, (str, bytes, dict, list, tuple)):
        return 0.0, f"assign one number (in dB); got {type(actual).__name__}"
    return compare_arrays(expected, actual, rtol=1e-3, atol=1e-2)


register(Exercise(
    id="ex-05-1",
    notebook=NOTEBOOK,
    title="the PSNR of an image whose every pixel is off by 5 grey levels",
    points=1,
    kind="value",
    answer_name="psnr_off_by_five",
    reference=lambda: float(10.0 * np.log10(255.0 ** 2 / SHIFT ** 2)),
    grade=_grade_number,
    hints=("Work out the mean squared error first: every pixel contributes the same squared difference.",
           "The peak R = 255 enters the formula squared, just like the error."),
    misconceptions=(
        Misconception("peak-not-squared", float(10.0 * np.log10(255.0 / SHIFT ** 2)),
                      "Your number treats the peak value as if it were not squared: the ratio inside the log is "
                      "a ratio of two squared quantities."),
        Misconception("error-not-squared", float(10.0 * np.log10(255.0 ** 2 / SHIFT)),
                      "Your number divides by the error itself, not by the mean squared error."),
        Misconception("natural-log", float(10.0 * np.log(255.0 ** 2 / SHIFT ** 2)),
                      "Decibels use the base-10 logarithm; your number comes from the natural logarithm."),
    ),
    task="derive",
))


# ex-05-2: build PSNR per image ------------------------------------------------------------------------------
def _psnr_per_image(a, b, data_range):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return 10.0 * np.log10(data_range ** 2 / ((a - b) ** 2).mean(axis=(1, 2)))


def _image_pairs(rng):
    n, size = int(rng.integers(3, 7)), int(rng.integers(8, 20))
    data_range = float(rng.choice([2.0, 10.0, 255.0]))  # never 1.0, where R and R^2 agree
    a = rng.uniform(0.0, data_range, (n, size, size))
    noise = rng.uniform(0.01, 0.2) * data_range * rng.normal(size=(n, 1, 1))  # one noise level per image
    return a, a + noise * rng.normal(size=(n, size, size)), data_range


register(Exercise(
    id="ex-05-2",
    notebook=NOTEBOOK,
    title="PSNR from the formula, one value per image",
    points=2,
    kind="function",
    answer_name="psnr_per_image",
    reference=_psnr_per_image,
    make_inputs=_image_pairs,
    grade=lambda expected, actual: compare_arrays(expected, actual, rtol=1e-6, atol=1e-6),
    hints=("The result has one number per image: which axes does the mean run over?",
           "Average the squared differences over the height and width axes only, then apply the formula."),
    misconceptions=(
        Misconception("mean-over-the-batch",
                      lambda a, b, r: np.full(len(a), 10.0 * np.log10(r ** 2 / np.mean((a - b) ** 2))),
                      "Every image gets the same number: the mean squared error was taken over the whole batch, "
                      "so a badly restored image hides behind good ones."),
        Misconception("range-not-squared", lambda a, b, r: 10.0 * np.log10(r / ((a - b) ** 2).mean(axis=(1, 2))),
                      "The peak value R must be squared in the numerator, like the error in the denominator."),
        Misconception("amplitude-factor-with-mse",
                      lambda a, b, r: 20.0 * np.log10(r ** 2 / ((a - b) ** 2).mean(axis=(1, 2))),
                      "The factor 20 belongs to a ratio of amplitudes (R / RMSE); with squared quantities "
                      "(R^2 / MSE) the factor is different."),
    ),
    task="build",
))


# ex-05-3: the pix2pix generator objective --------------------------------------------------------------------
def _softplus(x):
    return np.logaddexp(0.0, x)


def _pix2pix_generator_loss(fake_logits, restored, clean, adversarial_weight):
    l1 = np.mean(np.abs(np.asarray(restored, np.float64) - np.asarray(clean, np.float64)))
    return float(l1 + adversarial_weight * np.mean(_softplus(-np.asarray(fake_logits, np.float64))))


def _generator_inputs(rng):
    n = int(rng.integers(2, 6))
    logits = rng.normal(0.0, 3.0, (n, 7, 7))
    logits[0, 0, :2] = [30.0, -30.0]  # confident patches: a stable form stays finite
    return (logits, rng.uniform(-1, 1, (n, 28, 28)), rng.uniform(-1, 1, (n, 28, 28)),
            float(rng.uniform(0.01, 0.5)))


register(Exercise(
    id="ex-05-3",
    notebook=NOTEBOOK,
    title="the generator's objective in pix2pix: L1 plus the non-saturating adversarial term",
    points=2,
    kind="function",
    answer_name="pix2pix_generator_loss",
    reference=_pix2pix_generator_loss,
    make_inputs=_generator_inputs,
    grade=lambda expected, actual: compare_arrays(expected, actual, rtol=1e-6, atol=1e-8),
    hints=("Two terms: how far the restored image is from the clean one, and how well it fools D on every patch.",
           ("The adversarial term is the non-saturating one of notebook 01, averaged over patches; -log sigmoid(x) "
            "is softplus(-x).")),
    misconceptions=(
        Misconception("minimax-generator-term",
                      lambda f, r, c, w: float(np.mean(np.abs(r - c)) + w * np.mean(-_softplus(f))),
                      "Your adversarial term is the saturating minimax one, log(1 - sigmoid(D)): its gradient "
                      "vanishes exactly when D rejects the restored image."),
        Misconception("squared-error",
                      lambda f, r, c, w: float(np.mean((r - c) ** 2) + w * np.mean(_softplus(-f))),
                      "Your reconstruction term squares the differences; pix2pix uses absolute differences, which "
                      "blur less."),
        Misconception("weight-on-the-wrong-term",
                      lambda f, r, c, w: float(w * np.mean(np.abs(r - c)) + np.mean(_softplus(-f))),
                      "The weight multiplies the wrong term: here the reconstruction term is the one with weight 1."),
    ),
    task="implement",
))


# ex-05-4: predict the winners before the table -------------------------------------------------------------
MODELS = ("bicubic", "l1", "adversarial")
# Measured with the shipped full-mode weights (benchmarks/results/restoration_table.json).
WINNERS = {"psnr": "l1", "ssim": "l1", "fid_course": "adversarial"}


def _grade_winners(expected, actual):
    if not isinstance(actual, dict) or set(actual) != set(expected):
        return 0.0, f"expected a dict with the keys {sorted(expected)}, each one of {list(MODELS)}"
    right = [metric for metric in expected if actual[metric] == expected[metric]]
    if len(right) == len(expected):
        return 1.0, "correct"
    return len(right) / len(expected), f"{len(right)} of {len(expected)} right"


register(Exercise(
    id="ex-05-4",
    notebook=NOTEBOOK,
    title="predict which model wins PSNR, SSIM and FID before the table",
    points=1,
    kind="value",
    answer_name="predicted_winners",
    reference=lambda: dict(WINNERS),
    grade=_grade_winners,
    hints=("Ask what each training loss rewards: an average of the plausible answers, or one sharp plausible answer.",
           "PSNR and SSIM compare pixel by pixel with one reference; FID compares the look of the whole set."),
    misconceptions=(
        Misconception("adversarial-wins-everything", {m: "adversarial" for m in WINNERS},
                      "Sharper is not closer: a sharp guess of texture that is in the wrong place costs more "
                      "squared error than a blur."),
        Misconception("l1-wins-everything", {m: "l1" for m in WINNERS},
                      "A model that is closest pixel by pixel is not the one whose images look most like real "
                      "photos: FID measures the second."),
        Misconception("metrics-swapped", {"psnr": "adversarial", "ssim": "adversarial", "fid_course": "l1"},
                      "You swapped the two families: which loss was trained to be close to the reference pixel by "
                      "pixel?"),
    ),
    task="predict",
))
