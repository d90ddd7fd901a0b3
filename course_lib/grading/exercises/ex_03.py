"""Exercises of notebooks/03_vae_elbo.ipynb: the reparameterisation trick, the analytic KL, the IWAE bound.

Each answer is a numpy function; references come from course_lib/reference/vae.py.
"""

import numpy as np

from course_lib.grading.exercise import Exercise, register
from course_lib.reference import vae


def _mu_logvar_eps(rng):
    n, d = int(rng.integers(2, 6)), int(rng.integers(2, 6))  # d >= 2: a mean over d must differ from the sum
    mu = rng.normal(scale=2.0, size=(n, d))
    logvar = rng.normal(scale=1.5, size=(n, d))
    return mu, logvar, rng.standard_normal((n, d))


register(Exercise(
    id="ex-03-1",
    notebook="03_vae_elbo",
    title="the reparameterisation trick z = mu + sigma * eps",
    points=1,
    kind="function",
    answer_name="reparameterize",
    reference=lambda mu, logvar, eps: vae.reparameterize(mu, logvar, eps=eps),
    make_inputs=_mu_logvar_eps,
    hints="sigma = exp(logvar / 2), not exp(logvar) and not logvar / 2.",
    cases=3,
))


register(Exercise(
    id="ex-03-2",
    notebook="03_vae_elbo",
    title="the analytic KL(N(mu, diag exp(logvar)) || N(0, I))",
    points=2,
    kind="function",
    answer_name="gaussian_kl",
    reference=vae.gaussian_kl,
    make_inputs=lambda rng: _mu_logvar_eps(rng)[:2],
    hints="0.5 * sum over the latent axis of (exp(logvar) + mu**2 - 1 - logvar); one number per row, shape [N].",
    cases=3,
))


def _log_weights(rng):
    n, k = int(rng.integers(2, 5)), int(rng.integers(1, 60))
    # log-weights of real images sit near -300 nats: exp() underflows to 0 without the max trick
    return (rng.normal(scale=5.0, size=(n, k)) - rng.uniform(200, 1200, size=(n, 1)),)


register(Exercise(
    id="ex-03-3",
    notebook="03_vae_elbo",
    title="the IWAE bound logsumexp(log w) - log k, stable",
    points=2,
    kind="function",
    answer_name="iwae_bound",
    reference=vae.iwae_bound,
    make_inputs=_log_weights,
    hints="subtract the row maximum m before exponentiating: m + log(mean(exp(log_w - m))); shape [N].",
    cases=4,
))
