"""Exercises of notebooks/03_vae_elbo.ipynb (numpy answers, graded on hidden inputs).

ex-03-1 the reparameterisation z = mu + sigma * eps; ex-03-3 the IWAE bound, stable where exp underflows;
ex-03-4 derive a Gaussian KL by hand (a number); ex-03-5 build a reparameterised sampler with its pathwise
gradient (graded by what its samples and gradients do); ex-03-6 predict which beta has the highest rate;
ex-03-7 debug a negative-ELBO loss that mixes per-pixel means with sums. Retired: ex-03-2 (replaced by ex-03-4).
References come from course_lib/reference/vae.py.
"""

import numpy as np

from course_lib.grading.exercise import Exercise, Misconception, compare_arrays, register, retire
from course_lib.reference import vae

NOTEBOOK = "03_vae_elbo"

retire("ex-03-2", "replaced by ex-03-4: the closed-form KL was printed above the cell (transcription); ex-03-4 "
                  "asks for the KL of a given mu and sigma worked out by hand")


def grade_number(atol=0.0, rtol=0.0):
    """A grade for a single-number answer: None is "no answer yet", anything else must be a finite number
    within atol + rtol * |expected| of the expected one."""
    def grade(expected, actual):
        if actual is None:
            return 0.0, "no answer yet: assign a number to the variable"
        try:
            value = float(np.asarray(actual, dtype=np.float64).reshape(()))
        except (TypeError, ValueError):
            return 0.0, f"expected one number, got {type(actual).__name__}"
        if not np.isfinite(value):
            return 0.0, "expected a finite number"
        if abs(value - float(expected)) <= atol + rtol * abs(float(expected)):
            return 1.0, "correct"
        return 0.0, "not the expected number"
    return grade


def _mu_logvar_eps(rng):
    n, d = int(rng.integers(2, 6)), int(rng.integers(2, 6))  # d >= 2: a mean over d must differ from the sum
    mu = rng.normal(scale=2.0, size=(n, d))
    logvar = rng.choice([-1.0, 1.0], size=(n, d)) * rng.uniform(0.4, 2.0, size=(n, d))  # away from 0: sigma != var
    return mu, logvar, rng.standard_normal((n, d))


# ---------------------------------------------------------------- ex-03-1: z = mu + sigma * eps

register(Exercise(
    id="ex-03-1",
    notebook=NOTEBOOK,
    title="the reparameterisation trick z = mu + sigma * eps",
    points=1,
    kind="function",
    answer_name="reparameterize",
    reference=lambda mu, logvar, eps: vae.reparameterize(mu, logvar, eps=eps),
    make_inputs=_mu_logvar_eps,
    cases=3,
    task="implement",
    hints=("the encoder gives log sigma^2, and eps must be scaled by a standard deviation.",
           "undo the log, then undo the square: which function of logvar is sigma?"),
    misconceptions=(
        Misconception("variance-as-std", lambda mu, logvar, eps: mu + np.exp(logvar) * eps,
                      "you scaled eps by the variance sigma^2; the spread of z then grows like sigma^2, not sigma."),
        Misconception("logvar-as-std", lambda mu, logvar, eps: mu + 0.5 * logvar * eps,
                      "you scaled eps by logvar / 2, which is log sigma, a logarithm; it is negative for "
                      "sigma < 1."),
        Misconception("sigma-times-mu", lambda mu, logvar, eps: mu * np.exp(0.5 * logvar) + eps,
                      "sigma multiplies the noise, not the mean: the mean of z must stay mu."),
    ),
))


# ---------------------------------------------------------------- ex-03-3: the IWAE bound

def _log_weights(rng):
    n, k = int(rng.integers(2, 5)), int(rng.integers(2, 60))  # k >= 2: forgetting log k must show
    # log-weights of a 64x64 colour image are tens of thousands of nats: exp() of every one is 0 in float32 (below
    # about -104), float64 (below about -745) and even numpy's longdouble (below about -11,400 on x86)
    return (rng.normal(scale=5.0, size=(n, k)) - rng.uniform(12_000, 40_000, size=(n, 1)),)


def grade_allowing_same_infinities(expected, actual):
    """compare_arrays; an answer equal to a non-finite misconception output (same infs / NaNs) compares equal.

    The reference is finite, so a non-finite answer still scores 0, with feedback that says what went wrong."""
    expected = np.asarray(expected, dtype=np.float64)
    try:
        got = np.asarray(actual, dtype=np.float64)
    except (TypeError, ValueError):
        return compare_arrays(expected, actual)
    if np.all(np.isfinite(expected)):
        if got.shape == expected.shape and not np.all(np.isfinite(got)):
            return 0.0, "the result is -inf or NaN for some rows: a step of your formula underflows or overflows"
        return compare_arrays(expected, got)
    if got.shape != expected.shape:
        return 0.0, "different shape"
    finite = np.isfinite(expected)
    same = np.array_equal(np.isnan(expected), np.isnan(got)) and np.array_equal(expected[~finite & ~np.isnan(
        expected)], got[~finite & ~np.isnan(expected)])
    return (1.0, "same") if same and np.allclose(expected[finite], got[finite]) else (0.0, "different")


def _lse(lw, axis=1):
    m = lw.max(axis=axis, keepdims=True)
    return (m + np.log(np.exp(lw - m).sum(axis=axis, keepdims=True)))[:, 0]


register(Exercise(
    id="ex-03-3",
    notebook=NOTEBOOK,
    title="the IWAE bound log (1/k) sum_i w_i from log-weights, stable",
    points=2,
    kind="function",
    answer_name="iwae_bound",
    reference=vae.iwae_bound,
    make_inputs=_log_weights,
    grade=grade_allowing_same_infinities,
    cases=4,
    task="implement",
    hints=("the hidden log-weights are below -12,000: exp of each one is 0 in every float type. Change what you "
           "exponentiate, not the precision.",
           "log sum_i exp(a_i) = m + log sum_i exp(a_i - m) holds for any constant m; which m keeps every "
           "exponent <= 0 and at least one equal to 0?"),
    misconceptions=(
        Misconception("naive-underflow", lambda lw: np.log(np.mean(np.exp(lw), axis=1)),
                      "exp of a log-weight below about -745 is exactly 0 in float64, so the mean is 0 and its log "
                      "is -inf: the formula is right on paper and fails in floating point (a wider float type "
                      "only moves the cliff)."),
        Misconception("forgot-log-k", lambda lw: _lse(lw),
                      "that is log of the sum of the weights, not of their mean: it grows with k by log k."),
        Misconception("mean-of-log-weights", lambda lw: np.mean(lw, axis=1),
                      "the mean of the log-weights is the k-sample ELBO estimate, not the IWAE bound: the log "
                      "goes outside the average of the weights."),
    ),
))


# ---------------------------------------------------------------- ex-03-4: a Gaussian KL by hand

KL_MU, KL_SIGMA = (1.0, -2.0), (0.5, 1.5)  # the q(z|x) = N(mu, diag sigma^2) the notebook gives


def _kl_by_hand():
    mu, var = np.array(KL_MU), np.array(KL_SIGMA) ** 2
    return float(0.5 * np.sum(var + mu ** 2 - 1.0 - np.log(var)))


def _kl_variant(use_sigma=False, half=0.5, minus_one=1.0, log_sign=-1.0, reverse=False):
    mu, sigma = np.array(KL_MU), np.array(KL_SIGMA)
    var = sigma if use_sigma else sigma ** 2
    if reverse:  # KL(p || q) instead of KL(q || p)
        return float(0.5 * np.sum(1.0 / var + mu ** 2 / var - 1.0 + np.log(var)))
    return float(half * np.sum(var + mu ** 2 - minus_one + log_sign * np.log(var)))


register(Exercise(
    id="ex-03-4",
    notebook=NOTEBOOK,
    title="derive KL(N(mu, diag sigma^2) || N(0, I)) for the given mu and sigma, by hand",
    points=1,
    kind="value",
    answer_name="kl_by_hand",
    reference=_kl_by_hand,
    grade=grade_number(atol=0.01),
    task="derive",
    hints=("the KL of two diagonal Gaussians is a sum over dimensions of one-dimensional KLs; start from "
           "E_q[log q(z) - log p(z)] for one dimension.",
           "for one dimension, E_q[z^2] = mu^2 + sigma^2 and E_q[(z - mu)^2 / sigma^2] = 1; the log-densities "
           "give a log sigma term. Collect the terms, then add the two dimensions."),
    misconceptions=(
        Misconception("sigma-for-variance", _kl_variant(use_sigma=True),
                      "you used sigma where the formula has the variance sigma^2 (both in the trace term and "
                      "inside the log)."),
        Misconception("reverse-kl", _kl_variant(reverse=True),
                      "that is KL(p || q), the prior measured against the encoder; the ELBO's term is "
                      "KL(q || p), which is not symmetric."),
        Misconception("no-minus-one", _kl_variant(minus_one=0.0),
                      "a KL of a distribution with itself must be 0; check your answer for mu = 0, sigma = 1: a "
                      "constant per dimension is missing."),
        Misconception("no-half", _kl_variant(half=1.0),
                      "your answer is twice the KL: the Gaussian log-density carries a factor 1/2 on every term."),
    ),
))


# ---------------------------------------------------------------- ex-03-5: a reparameterised sampler, built

def _sampler(mu, logvar, n, seed):
    mu, logvar = np.asarray(mu, np.float64), np.asarray(logvar, np.float64)
    eps = np.random.default_rng(seed).standard_normal((int(n), mu.size))
    sigma = np.exp(0.5 * logvar)
    z = mu + sigma * eps
    return z, np.ones_like(z), 0.5 * sigma * eps


def _sampler_inputs(rng):
    d = int(rng.integers(2, 5))
    logvar = rng.choice([-1.0, 1.0], size=d) * rng.uniform(0.6, 1.6, size=d)  # sigma^2 far from sigma
    return rng.normal(scale=2.0, size=d), logvar, 20_000, int(rng.integers(0, 2**31 - 1))


def _sampler_signature(output):
    """(mean z, var z, mean/std of dz/dmu, slope and intercept of dz/dlogvar on z, residual) per dimension."""
    z, d_mu, d_logvar = (np.asarray(part, np.float64) for part in output)
    if z.ndim != 2 or d_mu.shape != z.shape or d_logvar.shape != z.shape:
        raise ValueError(f"expected three arrays of shape [n, d]; got {z.shape}, {d_mu.shape}, {d_logvar.shape}")
    mean, var = z.mean(0), z.var(0)
    slope = ((d_logvar - d_logvar.mean(0)) * (z - mean)).mean(0) / var
    intercept = d_logvar.mean(0) - slope * mean
    residual = (d_logvar - (slope * z + intercept)).std(0) / (d_logvar.std(0) + 1e-12)
    return dict(n=len(z), mean=mean, var=var, d_mu_mean=d_mu.mean(0), d_mu_std=d_mu.std(0), slope=slope,
                intercept=intercept, residual=residual)


def grade_sampler(expected, actual):
    """Behaviour, not bits: the samples' mean and variance agree within sampling error with those of the
    expected output, dz/dmu agrees, and dz/dlogvar is the same function of the student's own samples."""
    try:
        want, got = _sampler_signature(expected), _sampler_signature(actual)
    except (TypeError, ValueError) as problem:
        return 0.0, f"expected (z, dz_dmu, dz_dlogvar), three arrays of shape [n, d] ({problem})"
    if got["mean"].shape != want["mean"].shape:
        return 0.0, f"expected samples of dimension {want['mean'].size}, got {got['mean'].size}"
    n = min(want["n"], got["n"])
    if not np.all(np.abs(got["mean"] - want["mean"]) < 6 * np.sqrt(2 * want["var"] / n) + 1e-9):
        return 0.0, "the samples' mean is not mu"
    if not np.all(np.abs(got["var"] / want["var"] - 1) < 10 * np.sqrt(2 / n)):
        return 0.0, f"the samples' variance is off by a factor {np.round(got['var'] / want['var'], 2).tolist()}"
    if not (np.allclose(got["d_mu_mean"], want["d_mu_mean"], atol=1e-6)
            and np.allclose(got["d_mu_std"], want["d_mu_std"], atol=1e-6)):
        return 0.0, "dz/dmu is not right: how does z move when mu moves by a small amount?"
    if np.any(got["residual"] > 1e-6 + 10 * want["residual"]):
        return 0.0, ("dz/dlogvar does not follow your own samples: the gradient must be taken through the same "
                     "noise that made each z")
    if not (np.allclose(got["slope"], want["slope"], atol=1e-3)
            and np.allclose(got["intercept"], want["intercept"], atol=0.05 + 0.05 * np.abs(want["intercept"]))):
        return 0.0, "dz/dlogvar has the wrong size: mind that the parameter is log sigma^2, not sigma"
    return 1.0, "correct"


def _sampler_variant(std_from, grad_logvar, fresh_noise=False):
    def sampler(mu, logvar, n, seed):
        mu, logvar = np.asarray(mu, np.float64), np.asarray(logvar, np.float64)
        rng = np.random.default_rng(seed)
        eps = rng.standard_normal((int(n), mu.size))
        sigma = std_from(logvar)
        z = mu + sigma * eps
        eps_g = rng.standard_normal(eps.shape) if fresh_noise else eps
        return z, np.ones_like(z), grad_logvar(sigma, eps_g)
    return sampler


register(Exercise(
    id="ex-03-5",
    notebook=NOTEBOOK,
    title="build a reparameterised sampler that returns its pathwise gradient",
    points=3,
    kind="function",
    answer_name="sample_with_gradients",
    reference=_sampler,
    make_inputs=_sampler_inputs,
    grade=grade_sampler,
    cases=2,
    task="build",
    hints=("z is a deterministic function of (mu, logvar) once eps is drawn: differentiate that function, "
           "with eps held fixed.",
           "write sigma as a function of logvar first, then use the chain rule: dz/dlogvar = dz/dsigma * "
           "dsigma/dlogvar."),
    misconceptions=(
        Misconception("gradient-wrt-sigma", _sampler_variant(lambda lv: np.exp(0.5 * lv), lambda s, e: e),
                      "your dz/dlogvar is dz/dsigma: the encoder outputs log sigma^2, so the chain rule adds a "
                      "factor dsigma/dlogvar."),
        Misconception("sample-blocks-gradient", _sampler_variant(lambda lv: np.exp(0.5 * lv),
                                                                 lambda s, e: np.zeros_like(e)),
                      "a reparameterised sample does depend on logvar: that dependence is the whole point of the "
                      "trick (the score-function estimator is what you use when it does not)."),
        Misconception("fresh-noise-for-gradient", _sampler_variant(lambda lv: np.exp(0.5 * lv),
                                                                   lambda s, e: 0.5 * s * e, fresh_noise=True),
                      "the gradient used a second draw of eps: each sample's gradient must use the noise that "
                      "made that sample."),
        Misconception("variance-as-std", _sampler_variant(np.exp, lambda s, e: 0.5 * s * e),
                      "your samples' variance is sigma^4, not sigma^2: eps was scaled by the variance."),
    ),
))


# ---------------------------------------------------------------- ex-03-6: predict which beta has the most rate

register(Exercise(
    id="ex-03-6",
    notebook=NOTEBOOK,
    title="predict which of beta = 0.5, 1, 4 gives the highest rate (test KL)",
    points=1,
    kind="value",
    answer_name="beta_with_highest_rate",
    reference=lambda: 0.5,
    grade=grade_number(atol=1e-9),
    task="predict",
    hints=("beta multiplies the rate R in the loss D + beta R that training minimises.",
           "if a term costs more, does the optimum buy more of it or less?"),
    misconceptions=(
        Misconception("larger-weight-larger-term", 4.0,
                      "beta weighs the KL in a loss that is minimised: a larger beta makes every nat of rate more "
                      "expensive, so the optimiser spends fewer of them."),
        Misconception("only-beta-one-is-right", 1.0,
                      "beta = 1 is the only beta whose loss is the negative ELBO, but the question is about the "
                      "rate: how does the price of the KL change with beta?"),
    ),
))


# ---------------------------------------------------------------- ex-03-7: debug a negative ELBO

def _bce_terms(x, logits):
    return np.logaddexp(0.0, logits) - x * logits  # -log Bernoulli(x; sigmoid(logits)), per pixel


def _kl_terms(mu, logvar):
    return 0.5 * (np.exp(logvar) + mu ** 2 - 1.0 - logvar)


def _negative_elbo(x, logits, mu, logvar):
    return float(np.mean(_bce_terms(x, logits).sum(1) + _kl_terms(mu, logvar).sum(1)))


def _elbo_inputs(rng):
    n, pixels, d = int(rng.integers(3, 7)), int(rng.integers(20, 41)), int(rng.integers(2, 6))
    x = (rng.uniform(size=(n, pixels)) < 0.4).astype(np.float64)
    return x, rng.normal(scale=3.0, size=(n, pixels)), rng.normal(size=(n, d)), rng.normal(scale=0.7, size=(n, d))


register(Exercise(
    id="ex-03-7",
    notebook=NOTEBOOK,
    title="debug a negative ELBO that mixes a per-pixel mean with a summed KL",
    points=2,
    kind="function",
    answer_name="negative_elbo",
    reference=_negative_elbo,
    make_inputs=_elbo_inputs,
    cases=3,
    task="debug",
    hints=("write down, for one image, which sums the ELBO has: over pixels? over latent dimensions? Then decide "
           "what happens across the batch.",
           "the target is nats per image, averaged over the batch: each of the two terms must be reduced in the "
           "same way over the batch, and fully summed within one image."),
    misconceptions=(
        Misconception("unchanged", lambda x, lg, mu, lv: float(np.mean(_bce_terms(x, lg)) + np.sum(
            _kl_terms(mu, lv))), "this is still the broken loss: the reconstruction is a mean over every pixel "
                                 "of every image, the KL a sum over the batch."),
        Misconception("both-means", lambda x, lg, mu, lv: float(np.mean(_bce_terms(x, lg)) + np.mean(
            _kl_terms(mu, lv))), "both terms are now means over their elements: the reconstruction is divided "
                                 "by the number of pixels and the KL by the latent size, a hidden change of beta."),
        Misconception("sum-over-batch", lambda x, lg, mu, lv: float(np.sum(_bce_terms(x, lg)) + np.sum(
            _kl_terms(mu, lv))), "the terms now match within an image, but the result is the total over the "
                                 "batch: it grows with the batch size and is not nats per image."),
    ),
))
