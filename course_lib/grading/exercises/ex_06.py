"""Exercises of notebooks/06_controllable_generation.ipynb."""

import numpy as np

from course_lib.grading.exercise import (
    Exercise,
    Misconception,
    compare_arrays,
    register,
)

# ---------------------------------------------------------------- ex-06-1: the auxiliary classifier loss

def _aux_loss(class_logits, labels):
    from course_lib.reference.losses import auxiliary_classifier_loss

    return auxiliary_classifier_loss(class_logits, labels)


def _aux_inputs(rng):
    n, k = int(rng.integers(6, 12)), int(rng.integers(3, 11))
    logits = rng.normal(size=(n, k)) * float(rng.choice([1.0, 30.0]))
    logits[0] *= 1000.0  # one row of huge logits: exp overflows unless the largest logit is taken out
    return logits, rng.integers(0, k, n)


def _grade_loss(expected, actual):
    """compare_arrays, except that a non-finite expected value (a misconception's overflow, when the grader
    diagnoses an answer) matches the same non-finite value."""
    expected = np.asarray(expected, np.float64)
    if np.all(np.isfinite(expected)):
        return compare_arrays(expected, actual)
    try:
        actual = np.asarray(actual, np.float64)
    except (TypeError, ValueError):
        return 0.0, "not a number"
    same = actual.shape == expected.shape and np.array_equal(np.isfinite(actual), np.isfinite(expected))
    return (1.0, "same overflow") if same else (0.0, "different")


def _naive_softmax_loss(class_logits, labels):
    e = np.exp(class_logits)
    return float(np.mean(-np.log(e[np.arange(len(labels)), labels] / e.sum(axis=1))))


def _sigmoid_per_class(class_logits, labels):
    picked = class_logits[np.arange(len(labels)), labels]
    return float(np.mean(np.logaddexp(0.0, -picked)))


def _summed_loss(class_logits, labels):
    top = class_logits.max(axis=1)
    lse = top + np.log(np.exp(class_logits - top[:, None]).sum(axis=1))
    return float(np.sum(lse - class_logits[np.arange(len(labels)), labels]))


register(Exercise(
    id="ex-06-1",
    notebook="06_controllable_generation",
    title="the auxiliary classifier loss from its formula, stable for any logit",
    points=2,
    kind="function",
    task="build",
    answer_name="auxiliary_classifier_loss",
    reference=_aux_loss,
    make_inputs=_aux_inputs,
    grade=_grade_loss,
    cases=6,
    hints=("Write -log softmax(l)_y with logarithms only: what is log of a sum of exponentials?",
           "Which number can you subtract from every logit of a row without changing the softmax, and which "
           "choice keeps every exponential at most 1?"),
    misconceptions=(
        Misconception(name="naive softmax", answer=_naive_softmax_loss,
                      feedback="exp of a large logit overflows: the loss must stay finite for logits of any size."),
        Misconception(name="sigmoid per class", answer=_sigmoid_per_class,
                      feedback="a sigmoid on the right class's logit alone ignores the other classes; the loss "
                               "compares the right logit with all K logits."),
        Misconception(name="sum over the batch", answer=_summed_loss,
                      feedback="the reduction is the mean over the batch, not the sum."),
    ),
))


# ---------------------------------------------------------------- ex-06-2: spot the bug in an ACGAN D loss

def _acgan_d_loss(real_scores, fake_scores, real_class_logits, fake_class_logits, real_labels, fake_labels):
    from course_lib.reference.acgan import acgan_discriminator_loss

    return acgan_discriminator_loss(real_scores, fake_scores, real_class_logits, fake_class_logits, real_labels,
                                    fake_labels)


def _acgan_inputs(rng):
    n, k = 16, 10
    return (rng.normal(size=n) * 2, rng.normal(size=n) * 2, rng.normal(size=(n, k)) * 2, rng.normal(size=(n, k)) * 2,
            rng.integers(0, k, n), rng.integers(0, k, n))


def _softplus(x):
    return np.logaddexp(0.0, x)


def _ce(logits, labels):
    top = logits.max(axis=1)
    return float(np.mean(top + np.log(np.exp(logits - top[:, None]).sum(axis=1))
                         - logits[np.arange(len(labels)), labels]))


def _labels_as_targets(r, f, lr, lf, yr, yf):
    """The planted bug (SEED-ERRORS A10): class labels used as the real/fake targets."""
    bce = lambda x, t: np.mean(t * _softplus(-x) + (1 - t) * _softplus(x))
    return float(bce(r, yr) + bce(f, yf) + _ce(lr, yr) + _ce(lf, yf))


def _no_fake_class_term(r, f, lr, lf, yr, yf):
    return float(np.mean(_softplus(-r)) + np.mean(_softplus(f)) + _ce(lr, yr))


def _fake_target_one(r, f, lr, lf, yr, yf):
    return float(np.mean(_softplus(-r)) + np.mean(_softplus(-f)) + _ce(lr, yr) + _ce(lf, yf))


register(Exercise(
    id="ex-06-2",
    notebook="06_controllable_generation",
    title="debug an ACGAN discriminator loss that uses class labels as real/fake targets",
    points=2,
    kind="function",
    task="debug",
    answer_name="acgan_discriminator_loss",
    reference=_acgan_d_loss,
    make_inputs=_acgan_inputs,
    cases=3,
    hints=("D has two heads. Which head should ever see the class labels, and what are the targets of the other?",
           "The real/fake head answers one yes/no question per image, whatever its class."),
    misconceptions=(
        Misconception(name="class labels as real/fake targets", answer=_labels_as_targets,
                      feedback="the bug is still there: the real/fake head is trained towards the class labels."),
        Misconception(name="fake images not classified", answer=_no_fake_class_term,
                      feedback="in ACGAN (arXiv 1610.09585) D also classifies the generated images by the class "
                               "G was asked for; a term is missing."),
        Misconception(name="fake images called real", answer=_fake_target_one,
                      feedback="the generated images get the generator's target; D must call them fake."),
    ),
))


# ---------------------------------------------------------------- ex-06-3: SeFa directions from a weight matrix

def _sefa(weight, k):
    from course_lib.controllable.sefa import sefa_directions

    return sefa_directions(weight, k)[0]


def _sefa_inputs(rng):
    d = int(rng.integers(5, 9))
    out = int(rng.integers(d + 3, 3 * d))
    scales = np.linspace(3.0, 0.3, d)  # distinct singular values: the directions are well defined
    return rng.normal(size=(out, d)) * scales[None, rng.permutation(d)], int(rng.integers(2, d - 1))


def _grade_directions(expected, actual):
    """Sign-free: each returned row must be +- the expected unit eigenvector, in order."""
    expected = np.asarray(expected, np.float64)
    try:
        actual = np.asarray(actual, np.float64)
    except (TypeError, ValueError):
        return 0.0, f"expected an array of numbers, got {type(actual).__name__}"
    if actual.shape != expected.shape:
        return 0.0, f"expected an array of shape {expected.shape} (k directions of the latent size), got {actual.shape}"
    if not np.all(np.isfinite(actual)):
        return 0.0, "the directions have NaN or inf"
    overlap = np.abs((expected * actual).sum(axis=1))
    norms = np.linalg.norm(actual, axis=1)
    ok = np.allclose(overlap, 1.0, atol=1e-6) and np.allclose(norms, 1.0, atol=1e-6)
    return (1.0, "correct") if ok else (0.0, "the rows are not the expected unit directions, in the expected order")


def _sefa_ascending(weight, k):
    _, vectors = np.linalg.eigh(weight.T @ weight)
    return vectors[:, :k].T


def _sefa_left_vectors(weight, k):
    _, vectors = np.linalg.eigh(weight @ weight.T)
    return vectors[:, ::-1][:, :k].T


def _sefa_columns(weight, k):
    _, vectors = np.linalg.eigh(weight.T @ weight)
    return vectors[:, ::-1][:k]


register(Exercise(
    id="ex-06-3",
    notebook="06_controllable_generation",
    title="SeFa: the top-k latent directions of a first-layer weight matrix",
    points=2,
    kind="function",
    task="implement",
    answer_name="sefa_directions",
    reference=_sefa,
    make_inputs=_sefa_inputs,
    grade=_grade_directions,
    cases=3,
    hints=("Which unit vectors n make ||W n|| largest? Write ||W n||^2 as a quadratic form in n.",
           "numpy's eigh returns eigenvalues in ascending order and eigenvectors as columns."),
    misconceptions=(
        Misconception(name="smallest eigenvalues", answer=_sefa_ascending,
                      feedback="these are the directions that change the first layer *least*."),
        Misconception(name="W W^T instead of W^T W", answer=_sefa_left_vectors,
                      feedback="these vectors live in the layer's output space; a direction must live in z's space."),
        Misconception(name="columns taken as rows", answer=_sefa_columns,
                      feedback="eigh returns eigenvectors as columns: these rows mix different eigenvectors."),
    ),
))


# ---------------------------------------------------------------- ex-06-4: predict before the table

def _measured_more_diverse():
    """The head with more intra-class diversity in the shipped full-mode measurement (the notebook's table)."""
    from course_lib.controllable.weights import load_shipped_generators

    table = load_shipped_generators()[1]["table"]
    return "projection" if table["projection"]["diversity"] > table["acgan"]["diversity"] else "acgan"


def _grade_choice(expected, actual):
    if isinstance(actual, str) and actual.strip().lower() == expected:
        return 1.0, "correct"
    if not isinstance(actual, str) or actual.strip().lower() not in ("projection", "acgan"):
        return 0.0, 'answer with the string "projection" or "acgan"'
    return 0.0, "the table disagrees with your prediction"


register(Exercise(
    id="ex-06-4",
    notebook="06_controllable_generation",
    title="predict: which discriminator head leaves more variety within a class?",
    points=1,
    kind="value",
    task="predict",
    answer_name="more_diverse",
    reference=_measured_more_diverse,
    grade=_grade_choice,
    hints=("What does G gain, under each head, from drawing the most typical member of the requested class?",
           "An auxiliary classifier rewards images it classifies confidently; is variety confident?"),
    misconceptions=(
        Misconception(name="the classifier head diversifies", answer="acgan",
                      feedback="a classifier's loss is lowest on the easiest-to-classify images: it pulls G towards "
                               "typical ones, not varied ones."),
        Misconception(name="no answer committed", answer="both",
                      feedback='commit to one: "projection" or "acgan"; the table below will tell.'),
    ),
))
