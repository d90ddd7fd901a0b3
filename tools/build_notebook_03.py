"""Build notebooks/03_vae_elbo.ipynb (without outputs) from the cells below: `python tools/build_notebook_03.py`."""

from __future__ import annotations

import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from tools.nbbuild import NotebookBuilder  # noqa: E402

OUT = pathlib.Path(__file__).resolve().parents[1] / "notebooks" / "03_vae_elbo.ipynb"
book = NotebookBuilder()
md, code, exercise = book.md, book.code, book.exercise


md(r"""
# 03 · The VAE evidence lower bound, derived, implemented twice and proven

The shop now wants a model that can say how likely a product photo is, and make new ones. A variational
autoencoder (VAE) does both. It has an encoder q_phi(z|x) that maps a photo x to a distribution over latent
codes z, and a decoder p_theta(x|z) that maps a code back to a distribution over photos. It is trained by
maximising a lower bound on log p(x): the ELBO.

After this notebook you can:
- derive the ELBO in two ways and read it as "reconstruction minus KL" and as "distortion plus rate";
- implement the reparameterisation trick, the analytic KL and the IWAE bound, and say why the
  reparameterised gradient is less noisy than the score-function gradient;
- check a bound against an exact likelihood (a linear VAE against probabilistic PCA);
- report honest numbers in nats per image: ELBO, IWAE_k and an importance-sampled log-likelihood;
- reason about beta, posterior collapse and KL annealing, and spot the normalisation bugs that give wrong ELBOs.

Every formula has a numpy version in `course_lib.reference.vae` and twins in PyTorch and TensorFlow that the
tests check against it. Quick mode (`QUICK = True`) runs in about a minute on a CPU; full mode in under 15.
""")

book.colab_setup()

code('''
FRAMEWORK = "torch"     # "torch" or "tf"
QUICK = False           # True: a small budget (about a minute on a CPU)
SEED = 0
RECORDS_PATH = ""
ARCHITECTURE = "mlp"    # "mlp" or "conv" (the convolutional VAE is slower on a CPU)
LATENT_DIM = 16
''', tags=("parameters",))

code('''
import dataclasses
import time

import matplotlib.pyplot as plt
import numpy as np

import course_lib
import course_lib.grading
from course_lib import record
from course_lib.config import VAEConfig
from course_lib.data import FASHION_MNIST_CLASSES, load_fashion_mnist
from course_lib.reference import gradient_estimators, ppca
from course_lib.reference import vae as ref
from course_lib.viz import vae as viz

nb = course_lib.setup_notebook("03_vae_elbo", FRAMEWORK, QUICK, SEED, RECORDS_PATH)
fw = nb.fw
QUICK = nb.quick
started = time.perf_counter()
print(f"framework: {nb.framework}, quick mode: {QUICK}")
''')

# ---------------------------------------------------------------------------------------------------------
md(r"""
## 1. The ELBO, derived twice

For any distribution q(z|x), since p(x) does not depend on z,

log p(x) = E_q[ log p(x) ] = E_q[ log p(x, z) / p(z|x) ]
         = E_q[ log p(x, z) / q(z|x) ] + E_q[ log q(z|x) / p(z|x) ]
         = ELBO(x) + KL( q(z|x) || p(z|x) ).

The KL is never negative, so the ELBO is a lower bound on log p(x). It is tight when q equals the true
posterior p(z|x). Splitting log p(x, z) = log p(x|z) + log p(z) gives the two readings:

- ELBO = E_q[ log p(x|z) ] − KL( q(z|x) || p(z) ): **reconstruction minus KL**;
- −ELBO = D + R with distortion D = −E_q[ log p(x|z) ] and rate R = KL( q(z|x) || p(z) ) (Alemi et al. 2018,
  arXiv 1711.00464): **distortion plus rate**, the two costs of sending x through the code z.

We check the identity on a model where everything is exact: p(z) = N(0, 1), p(x|z) = N(a z, s²).
Then p(x) = N(0, a² + s²), and the posterior p(z|x) is Gaussian too.
""")

code('''
a, s2, x_obs = 2.0, 0.5, 1.3
post_var = 1.0 / (1.0 + a ** 2 / s2)            # exact posterior p(z|x)
post_mean = post_var * a * x_obs / s2
q_mean, q_var = 0.2, 0.3                          # any q(z|x) will do
expected_log_lik = -0.5 * (np.log(2 * np.pi * s2) + ((x_obs - a * q_mean) ** 2 + a ** 2 * q_var) / s2)
kl_prior = ref.gaussian_kl(np.array([[q_mean]]), np.log([[q_var]]))[0]
elbo_exact = expected_log_lik - kl_prior
kl_posterior = 0.5 * (np.log(post_var / q_var) + (q_var + (q_mean - post_mean) ** 2) / post_var - 1.0)
log_px = -0.5 * (np.log(2 * np.pi * (a ** 2 + s2)) + x_obs ** 2 / (a ** 2 + s2))
print(f"log p(x) = {log_px:.6f}   ELBO = {elbo_exact:.6f}   KL(q || posterior) = {kl_posterior:.6f}")
print(f"ELBO + KL - log p(x) = {elbo_exact + kl_posterior - log_px:.2e}")
record("identity_error", float(abs(elbo_exact + kl_posterior - log_px)))
record("toy_bound_gap", float(log_px - elbo_exact))
''')

md("""
The identity holds to rounding error, and the gap log p(x) − ELBO is exactly the KL to the true posterior.
Training a VAE raises the ELBO two ways: by making p(x) larger, and by making q closer to the posterior.
""")

# ---------------------------------------------------------------------------------------------------------
md(r"""
## 2. The reparameterisation trick, and why it beats the score function

Training needs the gradient of E_{z~q}[ f(z) ] with respect to the encoder's outputs (mu, sigma). Two unbiased
estimators exist:

- **score function** (REINFORCE): f(z) · d/dmu log q(z) = f(z) (z − mu) / sigma²;
- **reparameterisation** (Kingma & Welling 2013, arXiv 1312.6114): write z = mu + sigma · eps with
  eps ~ N(0, I), then the gradient is f'(mu + sigma · eps).

Both have the right mean. Their variances differ. We measure them for f(z) = Σ_j (z_j − 2)² and the gradient
with respect to mu_1, as the latent dimension d grows: the score function multiplies the whole f(z), which
sums noise from every dimension.
""")

code('''
n_estimates = 20_000
variances = {"d": [], "score_function": [], "score_with_baseline": [], "reparameterisation": []}
for d in (1, 10, 100):
    mu_d, sigma_d = np.full(d, 0.5), 1.0
    f = lambda z: ((z - 2.0) ** 2).sum(-1, keepdims=True)
    df = lambda z: 2.0 * (z - 2.0)
    score = gradient_estimators.score_function_gradients(f, mu_d, sigma_d, n_estimates, seed=SEED)[:, 0]
    baseline = float(f(mu_d[None])[0, 0] + d * sigma_d ** 2)  # E[f]: a constant control variate
    score_b = gradient_estimators.score_function_gradients(f, mu_d, sigma_d, n_estimates, seed=SEED,
                                                           baseline=baseline)[:, 0]
    reparam = gradient_estimators.reparameterization_gradients(df, mu_d, sigma_d, n_estimates, seed=SEED)[:, 0]
    for key, g in (("score_function", score), ("score_with_baseline", score_b), ("reparameterisation", reparam)):
        variances[key].append(float(g.var()))
    variances["d"].append(d)
    se = lambda g: g.std() / np.sqrt(len(g))
    print(f"d = {d:3d}: true gradient {2 * (0.5 - 2):.2f}; means: score {score.mean():6.2f} ± {se(score):4.2f}, "
          f"reparam {reparam.mean():5.2f} ± {se(reparam):4.2f}; variances: score {score.var():9.1f}, "
          f"score - baseline {score_b.var():8.1f}, reparam {reparam.var():5.2f}")
record("gradient_variances", variances)
''')

md("""
Same mean (within the printed standard errors), very different noise: the score-function variance grows with the number of latent dimensions,
and a baseline only removes part of it. The reparameterised gradient's variance does not depend on d. This is
why VAEs sample z = mu + sigma · eps inside the network: the gradient flows through the sample.
""")

md("""
### Exercise ex-03-1: the reparameterisation trick
Write `reparameterize(mu, logvar, eps)` in numpy: return z = mu + sigma · eps, where the encoder outputs the
log-variance `logvar` (so sigma = exp(logvar / 2)). All arrays have shape [N, d].
""")
exercise("ex-03-1", '''
def reparameterize(mu, logvar, eps):
    # your code here: z = mu + sigma * eps with sigma from the log-variance
    raise NotImplementedError
''', "reparameterize")

code('''
rng = np.random.default_rng(SEED)
mu_demo, logvar_demo = np.array([[1.0, -2.0]]), np.log([[0.25, 4.0]])
z_demo = reparameterize(np.repeat(mu_demo, 50_000, 0), np.repeat(logvar_demo, 50_000, 0),
                        rng.standard_normal((50_000, 2)))
print("sample mean", z_demo.mean(0).round(3), "(want [1, -2]);  sample std", z_demo.std(0).round(3),
      "(want [0.5, 2])")
''')

md(r"""
### Exercise ex-03-2: the analytic KL
For q = N(mu, diag sigma²) and p(z) = N(0, I) the KL has a closed form (Kingma & Welling 2013, appendix B):

KL = ½ Σ_j ( sigma_j² + mu_j² − 1 − log sigma_j² ).

Write `gaussian_kl(mu, logvar)` in numpy, one number per row (shape [N]).
""")
exercise("ex-03-2", '''
def gaussian_kl(mu, logvar):
    # your code here: sum over the latent axis, one KL per example
    raise NotImplementedError
''', "gaussian_kl")

md("""
A closed form can be checked by Monte Carlo: KL = E_q[ log q(z) − log p(z) ]. The estimate has a standard
error, so "close" means "within a few standard errors".
""")

code('''
mu_c, logvar_c = np.array([[0.8, -1.5, 0.1]]), np.array([[-0.7, 0.4, 0.0]])
z_mc = ref.reparameterize(np.repeat(mu_c, 100_000, 0), np.repeat(logvar_c, 100_000, 0), seed=SEED)
log_ratio = ref.gaussian_log_density(z_mc, mu_c, logvar_c) - ref.gaussian_log_density(z_mc, 0.0, 0.0)
mc, se = log_ratio.mean(), log_ratio.std(ddof=1) / np.sqrt(len(log_ratio))
analytic = float(gaussian_kl(mu_c, logvar_c)[0])
print(f"analytic KL = {analytic:.4f} nats;  Monte Carlo = {mc:.4f} ± {se:.4f} (1 standard error);  "
      f"difference = {(mc - analytic) / se:+.2f} standard errors")
record("kl_monte_carlo_z", float((mc - analytic) / se))
''')

# ---------------------------------------------------------------------------------------------------------
md(r"""
## 3. A bound checked against an exact likelihood: the linear VAE meets probabilistic PCA

For most models log p(x) is unknown, so a bound is hard to check. Here is one where it is known.
Probabilistic PCA (Tipping & Bishop 1999) is the model z ~ N(0, I_q), x = W z + b + noise with
noise ~ N(0, sigma² I). Its maximum-likelihood fit has a closed form: with the eigenvalues lambda of the data
covariance (1/N normalisation), sigma² is the mean of the d − q discarded eigenvalues and
W = U_q (Lambda_q − sigma² I)^(1/2). The exact log-likelihood per point is log N(x; b, W Wᵀ + sigma² I).

A **linear Gaussian VAE** has a linear encoder (a diagonal variance that does not depend on x) and a linear
decoder p(x|z) = N(W z + b, sigma² I). Lucas et al. (2019, arXiv 1911.02469) show its ELBO reaches the pPCA
log-likelihood at the optimum: the bound becomes tight. We fit both on synthetic data with a known low-rank
covariance and watch the gap close. The linear VAE's ELBO has a closed form, so training has no sampling noise.
""")

code('''
x_lin, true_covariance = ppca.sample_low_rank_gaussian(2000, dim=10, rank=3, noise_std=0.5, seed=SEED)
ppca_fit = ppca.fit_ppca(x_lin, latent_dim=3)
ppca_ll = float(ppca.ppca_log_likelihood(x_lin, ppca_fit).mean())
print(f"pPCA: sigma^2 = {ppca_fit.sigma2:.4f} (true 0.25); exact log-likelihood {ppca_ll:.4f} nats per point; "
      f"closed form at the optimum {ppca.ppca_mean_log_likelihood_at_optimum(ppca_fit):.4f}")
linear_vae, linear_history = fw.vae_train.train_linear_vae(x_lin, 3, steps=nb.pick(3000, 5000),
                                                           learning_rate=0.05, seed=SEED)
gaps = ppca_ll - np.asarray(linear_history["elbo"])
checkpoints = [0, 10, 100, 300, len(gaps) // 2, len(gaps) - 1]
for step in checkpoints:
    print(f"step {step:5d}: ELBO {linear_history['elbo'][step]:10.4f}   gap to pPCA {gaps[step]:.2e} nats")
linear_log_p = fw.vae.importance_sampled_log_likelihood(linear_vae, x_lin[:200], k=1000, seed=SEED)
print(f"importance-sampled log p(x) of the linear VAE on 200 points: {linear_log_p.mean():.4f} "
      f"(pPCA exact on the same points: {ppca.ppca_log_likelihood(x_lin[:200], ppca_fit).mean():.4f})")
record("ppca_log_likelihood", ppca_ll)
record("linear_vae_elbo", float(linear_history["elbo"][-1]))
record("linear_vae_gap", float(gaps[-1]))
record("linear_vae_gap_curve", {str(s): float(gaps[s]) for s in checkpoints})
viz.plot_elbo_gap(linear_history["elbo"], ppca_ll)
plt.show()
''')

md("""
The gap falls by orders of magnitude and ends far below 0.01 nats per point: the linear VAE's ELBO meets the
exact pPCA likelihood, as the theory says. It can never go above it (pPCA is the maximum likelihood of this
model family), so a VAE "beating" an exact likelihood would signal a bug.
""")

# ---------------------------------------------------------------------------------------------------------
md(r"""
## 4. A VAE on product photos, with a likelihood that fits the data

Fashion-MNIST pixels are grey levels. Which likelihood p(x|z)?

- **Bernoulli on binarised pixels.** We binarise each pixel, x ~ Bernoulli(grey / 255): afresh at every
  training step ("dynamic binarisation", which acts as data augmentation), and once with a fixed seed for the
  test set. On x in {0, 1}^784 the Bernoulli is a proper distribution, so log p(x) is a real log-probability
  in nats per image.
- A **Bernoulli on grey levels** (the common `binary_cross_entropy(x_grey, p)`) is not a likelihood: for a
  target in (0, 1) the "density" λ^x (1 − λ)^(1 − x) integrates to less than 1 over x in [0, 1] (it is missing
  the continuous-Bernoulli normaliser, Loaiza-Ganem & Cunningham 2019, arXiv 1907.06845). Its numbers cannot be
  compared with anything. We measure how much is missing in section 6.

We train the MLP VAE (784 → hidden → 2 × latent; latent → hidden → 784 logits) with Adam on the negative ELBO.
""")

code('''
train_images, train_labels = load_fashion_mnist("train")
test_images, test_labels = load_fashion_mnist("test")
N_TEST = nb.pick(200, 500)
x_test = fw.vae_models.vae_input(test_images[:N_TEST], binarize=True, seed=SEED)  # a fixed binarisation
config = VAEConfig(architecture=ARCHITECTURE, latent_dim=LATENT_DIM, hidden_dim=nb.pick(256, 512),
                   epochs=nb.pick(3, 10), train_limit=nb.pick(4000, None), learning_rate=1e-3, seed=SEED)
t0 = time.perf_counter()
vae_model, history = fw.vae_train.train_vae(config)
train_seconds = time.perf_counter() - t0
print(f"{len(history['step'])} steps in {train_seconds:.0f} s; last 50 steps: ELBO {np.mean(history['elbo'][-50:]):.1f}, "
      f"KL {np.mean(history['kl'][-50:]):.1f} nats per image")
record("train_seconds", train_seconds)
viz.plot_training(history, title="VAE on binarised Fashion-MNIST")
plt.show()
''')

md("""
The ELBO rises quickly and then slowly; the KL (the rate) grows as the code starts to carry information about
each image. These are training numbers on the current batch. Test numbers come next.
""")

md(r"""
### Exercise ex-03-3: the IWAE bound
With k samples z_i ~ q(z|x) and weights w_i = p(x, z_i) / q(z_i|x), the importance-weighted bound
(Burda et al. 2015, arXiv 1509.00519) is

IWAE_k = log (1/k) Σ_i w_i = logsumexp_i(log w_i) − log k.

It is a lower bound for every k, equals the ELBO in expectation for k = 1, and rises towards log p(x) as k
grows. Log-weights of images sit near −300 nats, so exp(log w) underflows to 0: subtract the row maximum first.
Write `iwae_bound(log_weights)` in numpy for log_weights of shape [N, k], returning shape [N].
""")
exercise("ex-03-3", '''
def iwae_bound(log_weights):
    # your code here: a stable log-mean-exp over the k axis
    raise NotImplementedError
''', "iwae_bound")

code('''
K_LOG_P = nb.pick(500, 5000)
test_parts = fw.vae_train.evaluate_elbo(vae_model, x_test, seed=SEED)   # ELBO with the analytic KL
log_w = fw.vae.importance_log_weights(vae_model, x_test, 50, seed=SEED + 1)
iwae = {k: iwae_bound(log_w[:, :k]) for k in (1, 5, 50)}
t0 = time.perf_counter()
log_p = fw.vae.importance_sampled_log_likelihood(vae_model, x_test, K_LOG_P, seed=SEED + 2)
print(f"{N_TEST} test images, fixed binarisation, nats per image (± 1 standard error over images):")
rows = [("ELBO (analytic KL, 1 sample)", test_parts["elbo"])] + [(f"IWAE_{k}", v) for k, v in iwae.items()]
rows += [(f"log p(x), importance sampled, k = {K_LOG_P}", log_p)]
for name, values in rows:
    print(f"  {name:42s} {values.mean():9.2f} ± {values.std(ddof=1) / np.sqrt(len(values)):.2f}")
for (name_a, a_), (name_b, b_) in zip(rows[1:], rows[2:]):
    diff = b_ - a_
    print(f"  {name_b} - {name_a}: {diff.mean():+.2f} ± {diff.std(ddof=1) / np.sqrt(len(diff)):.2f} (paired)")
print(f"(log p took {time.perf_counter() - t0:.0f} s)")
record("test_elbo", float(test_parts["elbo"].mean()))
record("test_reconstruction", float(test_parts["reconstruction"].mean()))
record("test_kl", float(test_parts["kl"].mean()))
record("test_iwae", {str(k): float(v.mean()) for k, v in iwae.items()})
record("test_log_p", float(log_p.mean()))
record("k_log_p", K_LOG_P)
''')

md(r"""
The ordering ELBO ≤ IWAE_5 ≤ IWAE_50 ≤ log p holds on the numbers, and the paired differences are many
standard errors from zero. Which numbers are comparable?

- All of them are in **nats per image**, on the **same fixed binarisation** of the same test images: they can
  be compared with each other, and with any other model scored by the same protocol.
- ELBO and IWAE_k are **bounds**; the importance-sampled log p with large k is an **estimate** of log p(x)
  (itself a lower bound in expectation). Report k with it, and compare models at the same k.
- The ELBO is what training maximises; its gap to log p is the KL from q to the true posterior, averaged.
- Numbers from a Bernoulli loss on grey levels, or from an MSE loss, are in different units and are not
  log-likelihoods (section 6). Per-pixel averages must be multiplied by 784 before comparing with per-image numbers.
""")

# ---------------------------------------------------------------------------------------------------------
md(r"""
## 5. beta-VAE: the rate–distortion trade-off

Weighting the KL by beta (Higgins et al. 2017) changes what the optimum trades: −ELBO_beta = D + beta · R.
Small beta buys low distortion with a high rate; large beta squeezes the code. We train the same VAE with
several beta and plot the test rate and distortion.
""")

code('''
BETAS = nb.pick([0.5, 1.0, 4.0], [0.25, 0.5, 1.0, 2.0, 4.0, 8.0])
small = dict(epochs=nb.pick(2, 3), train_limit=nb.pick(2500, 20000), hidden_dim=nb.pick(256, 512))
sweep = {"beta": [], "rate": [], "distortion": [], "active_units": [], "kl_per_dim": {}}
for beta in BETAS:
    model_b, _ = fw.vae_train.train_vae(dataclasses.replace(config, beta=beta, **small), progress=False)
    parts = fw.vae_train.evaluate_elbo(model_b, x_test, seed=SEED)
    units, _ = ref.active_units(parts["mu"])
    sweep["beta"].append(beta)
    sweep["rate"].append(float(parts["kl"].mean()))
    sweep["distortion"].append(float(-parts["reconstruction"].mean()))
    sweep["active_units"].append(units)
    sweep["kl_per_dim"][f"beta={beta:g}"] = parts["kl_per_dim"].mean(0)
    print(f"beta = {beta:5.2f}: rate {sweep['rate'][-1]:6.1f} nats, distortion {sweep['distortion'][-1]:6.1f} nats, "
          f"active units {units} of {LATENT_DIM}")
record("beta_sweep", {k: v for k, v in sweep.items() if k != "kl_per_dim"})
viz.plot_rate_distortion(sweep["rate"], sweep["distortion"], sweep["beta"])
plt.show()
''')

md("""
As beta grows, the rate falls and the distortion rises: each beta picks one point of the trade-off. Only beta = 1
optimises a bound on log p(x); the other points trade likelihood for a smaller (or larger) code.
""")

md(r"""
### Posterior collapse, seen per dimension
A latent dimension j is *collapsed* when q(z_j|x) ≈ p(z_j) for every x: its KL is near 0 and its posterior mean
does not vary across images. Burda et al. count a dimension as **active** when the variance over x of
E_q[z_j] exceeds 0.01. The per-dimension KL shows which dimensions carry information.
""")

code('''
viz.plot_kl_per_dim(sweep["kl_per_dim"], title="Mean KL per latent dimension, test images (sorted)")
plt.show()
''')

md("""
Larger beta lowers the KL of every dimension, and the least useful dimensions approach 0 first. The active-unit
counts printed with the sweep say how many dimensions survive at each beta; with a short budget most survive, and
switching dimensions off takes longer training or a larger beta.

**KL annealing** (warm-up; Bowman et al. 2015, arXiv 1511.06349) starts training with beta = 0 and raises it
linearly to 1, so the decoder learns to use z before the KL penalty pushes q towards the prior. We compare
beta = 1 with and without warm-up on the same budget, and add a third run that uses the classic bug of
section 6 (a per-pixel *mean* reconstruction beside a summed KL), which amounts to beta = 784.
""")

code('''
steps_total = small["epochs"] * (small["train_limit"] // config.batch_size)
runs = {"beta 1, no warm-up": dict(beta=1.0, warmup_steps=0),
        "beta 1, warm-up": dict(beta=1.0, warmup_steps=steps_total // 2),
        "mean-over-pixels bug (beta 784)": dict(beta=784.0, warmup_steps=0)}
annealing = {}
kl_runs = {}
for name, change in runs.items():
    model_r, _ = fw.vae_train.train_vae(dataclasses.replace(config, **small, **change), progress=False)
    parts = fw.vae_train.evaluate_elbo(model_r, x_test, seed=SEED)
    units, _ = ref.active_units(parts["mu"])
    annealing[name] = {"elbo": float(parts["elbo"].mean()), "kl": float(parts["kl"].mean()), "active_units": units}
    kl_runs[name] = parts["kl_per_dim"].mean(0)
    print(f"{name:34s}: test ELBO {annealing[name]['elbo']:7.1f}, KL {annealing[name]['kl']:5.1f}, "
          f"active units {units} of {LATENT_DIM}")
record("annealing", annealing)
viz.plot_kl_per_dim(kl_runs, title="KL per dimension: warm-up and the per-pixel-mean bug")
plt.show()
''')

md("""
Read the numbers above rather than a rule: on this data and budget, the warm-up run is compared with the plain
run on the same steps (the measured test ELBO, KL and active units are printed above). The bugged loss is
unambiguous: with an effective beta of 784 the KL falls to about 0 and no dimension stays active. A KL of 0
means q(z|x) = p(z) for every x, so the decoder receives no information about the image it should reconstruct.
""")

# ---------------------------------------------------------------------------------------------------------
md(r"""
## 6. Normalisation pitfalls that produce wrong ELBOs

Circulating VAE code often computes a number called "ELBO" that is not one. Each pitfall, with numbers from the
trained model on a batch of test images:

1. **Sum versus mean over pixels.** `bce(..., reduction="mean") + kl` divides the reconstruction by 784 but not
   the KL: that is beta = 784 in disguise (the collapsed run above).
2. **Sum versus mean over the batch.** Averaging over the batch only rescales the loss; summing over the batch
   gives a number that grows with the batch size and is not "nats per image".
3. **Per-pixel MSE beside a summed KL.** MSE is a Gaussian negative log-likelihood only up to a constant and a
   variance: −log N(x; m, s² I) = ‖x − m‖² / (2 s²) + (784 / 2) log(2 π s²). Mean-MSE + KL is the Gaussian ELBO
   with s² = 784 / 2, a silent change of beta.
4. **Bernoulli on grey levels.** Not normalised: it misses log C(λ) nats per pixel.
""")

code('''
xb = x_test[:100]
grey = test_images[:100].astype(np.float64) / 255.0
parts_b = fw.vae_train.evaluate_elbo(vae_model, xb, seed=SEED)
D = 784
recon_sum, kl_sum = -parts_b["reconstruction"], parts_b["kl"]
loss_mean_pixels = recon_sum / D + kl_sum                      # the bug, per image
print("1. per image: correct -ELBO = %.1f;  mean-over-pixels loss = %.2f;  x 784 = %.1f = recon + 784 * KL = %.1f"
      % ((recon_sum + kl_sum).mean(), loss_mean_pixels.mean(), D * loss_mean_pixels.mean(),
         (recon_sum + D * kl_sum).mean()))
print("2. batch of 100: summed -ELBO = %.0f nats (not per image);  mean = %.1f nats per image"
      % ((recon_sum + kl_sum).sum(), (recon_sum + kl_sum).mean()))
mu_grey = fw.vae_models.encode_images(vae_model, test_images[:100])
mean_images = fw.vae_models.decode_latents(vae_model, mu_grey).reshape(100, -1)
sse = ((grey.reshape(100, -1) - mean_images) ** 2).sum(1)
s2_ml = sse.mean() / D                                          # the maximum-likelihood variance
for label, s2 in (("s^2 = 1", 1.0), (f"s^2 = ML {s2_ml:.4f}", s2_ml), ("s^2 = 784/2 (mean-MSE)", D / 2)):
    ll = ref.gaussian_log_likelihood(grey.reshape(100, -1), mean_images, np.log(s2)).mean()
    print(f"3. Gaussian log-likelihood with {label:24s}: {ll:9.1f} nats per image;  -SSE/2 alone: {-sse.mean() / 2:7.1f}")
print(f"   mean-MSE + KL weighs the KL like beta = {D / (2 * s2_ml):.0f} relative to the ML variance")
logits = fw.vae_models.decode_latents(vae_model, mu_grey, logits=True).reshape(100, -1)
bce_grey = ref.bernoulli_log_likelihood(grey.reshape(100, -1), logits)
missing = ref.continuous_bernoulli_log_normalizer(logits).sum(1)
print(f"4. Bernoulli 'log-likelihood' of grey levels {bce_grey.mean():.1f} nats per image; "
      f"its missing normaliser adds {missing.mean():.1f} nats per image")
record("pitfalls", {"mean_over_pixels_loss": float(loss_mean_pixels.mean()), "correct_neg_elbo": float((recon_sum + kl_sum).mean()),
                    "gaussian_constant_s2_1": float(D / 2 * np.log(2 * np.pi)), "ml_variance": float(s2_ml),
                    "mse_effective_beta": float(D / (2 * s2_ml)), "grey_bernoulli_missing_nats": float(missing.mean())})
''')

md("""
Each bug changes the number or the objective by a large factor, not by a rounding error: a factor 784 on the
KL, a factor of the batch size on the reported value, hundreds of nats from dropping the Gaussian constant, and
hundreds of nats of missing normaliser for the grey-level Bernoulli. Report nats per image of a normalised
likelihood, and say which one.
""")

# ---------------------------------------------------------------------------------------------------------
md("""
## 7. Moving through the latent space

The encoder maps each product to a posterior mean. The straight line between two products' codes decodes to a
sequence of images; a traversal moves one latent dimension at a time. The explorer's update function,
`course_lib.viz.vae.latent_explorer_frame`, is plain numpy and tested headless.
""")

code('''
i_start = int(np.flatnonzero(test_labels == FASHION_MNIST_CLASSES.index("Sneaker"))[0])
i_end = int(np.flatnonzero(test_labels == FASHION_MNIST_CLASSES.index("Ankle boot"))[0])
z_pair = fw.vae_models.encode_images(vae_model, test_images[[i_start, i_end]], binarize=True)
decode = lambda z: fw.vae_models.decode_latents(vae_model, z)
line = viz.interpolate_latents(z_pair[0], z_pair[1], 10)
viz.image_grid(decode(line), ncols=10, title="Sneaker -> ankle boot: decoded straight line in z")
plt.show()
frame = viz.latent_explorer_frame(decode, z_pair[0], z_pair[1], 0.5)
record("explorer_midpoint_matches", bool(np.allclose(frame, decode(line[None, :].mean(1))[0], atol=1e-5)))
explorer = viz.latent_explorer(decode, z_pair[0], z_pair[1], titles=("sneaker", "ankle boot"))
explorer
''')

md("""
Every point on the line decodes to a product-like image, not to noise: the KL term pulls codes towards one
shared Gaussian, so the space between two products is filled. Move the slider, or pick a latent dimension and an
offset to traverse it.
""")

md("""
## 8. Samples, and samples per class

An unconditional VAE samples z ~ N(0, I) and decodes it. It has no label input, but the encoder's map tells
where each product kind lives: for samples per class we draw z from a Gaussian fitted to the posterior means
of that class's training images (`viz.per_class_latents`).
""")

code('''
samples = fw.vae_models.sample_images(vae_model, 20, seed=SEED)
viz.image_grid(samples, ncols=10, title="Unconditional samples z ~ N(0, I) (decoder means)")
plt.show()
n_encode = nb.pick(2000, 10000)
mu_train = fw.vae_models.encode_images(vae_model, train_images[:n_encode], binarize=True)
z_class, y_class = viz.per_class_latents(mu_train, train_labels[:n_encode], 8, seed=SEED)
viz.image_grid(decode(z_class), ncols=8, row_titles=list(FASHION_MNIST_CLASSES), title="Samples per class")
plt.show()
record("samples_per_class", 8)
record("sample_mean_intensity", float(samples.mean() / 255))
''')

md("""
Samples are blurry: we show decoder means, which average over each pixel's uncertainty. Compare each row of the
per-class grid with its label. This is a first taste of class-conditional generation, which notebook 04 does
properly with a class-conditional GAN (and measures with a classifier).
""")

code('''
elapsed = time.perf_counter() - started
record("seconds", elapsed)
print(f"notebook ran in {elapsed:.0f} s ({'quick' if QUICK else 'full'} mode, {nb.framework})")
''')

md("""
## Summary
- log p(x) = ELBO + KL(q || posterior); the ELBO reads as reconstruction − KL, or −(distortion + rate).
- The reparameterised gradient's variance stays small as the latent dimension grows; the score function's does not.
- The linear VAE's ELBO meets the exact pPCA likelihood: a bound checked against the truth.
- On binarised product photos: ELBO ≤ IWAE_5 ≤ IWAE_50 ≤ log p, all in nats per image on one fixed test set.
- beta moves along the rate–distortion curve; large beta (or a per-pixel-mean loss) collapses latent dimensions.
""")

book.write(OUT)
