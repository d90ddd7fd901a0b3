"""Build notebooks/03_vae_elbo.ipynb (without outputs) from the cells below: `python tools/build_notebook_03.py`."""

from __future__ import annotations

import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from tools.nbbuild import NotebookBuilder  # noqa: E402

OUT = pathlib.Path(__file__).resolve().parents[1] / "notebooks" / "03_vae_elbo.ipynb"
book = NotebookBuilder()
code, exercise = book.code, book.exercise
_BLOCK_STARTS = ("-", "*", "|", "#", "$$", "```", "<!--", ">", "1.", "2.", "3.", "4.", "5.")


def md(text):
    """A markdown cell whose wrapped paragraph lines are joined (the rendering is the same; the file is lighter)."""
    lines, out, fenced = text.strip().split("\n"), [], False
    for line in lines:
        stripped = line.strip()
        if stripped.startswith("```") or stripped == "$$" or (stripped.startswith("$$") and not stripped.endswith("$$")):
            fenced = not fenced if stripped.startswith("```") or stripped in ("$$",) or not fenced else fenced
            out.append(line)
            continue
        previous = out[-1].strip() if out else ""
        joinable = (not fenced and previous and stripped and not stripped.startswith(_BLOCK_STARTS)
                    and not previous.startswith(("```", "|", "$$", "#", "<!--")) and not previous.endswith("$$"))
        if joinable:
            out[-1] = out[-1].rstrip() + " " + stripped
        else:
            out.append(line)
    book.md("\n".join(out))


md(r"""
# 03 · The VAE evidence lower bound, derived, implemented twice and proven

The shop now wants a model that can say how likely a product photo is, and make new ones. A variational
autoencoder (VAE) does both. Its encoder $q_\phi(z \mid x)$ maps a photo $x$ to a distribution over latent codes
$z$, and its decoder $p_\theta(x \mid z)$ maps a code back to a distribution over photos. It is trained by
maximising a lower bound on $\log p(x)$: the evidence lower bound (ELBO), $\mathcal{L}(x)$.

**Prerequisites:** notebook 00 (the set-up); Gaussian densities, expectations and the KL divergence
$\mathrm{KL}(q \,\|\, p) = \mathbb{E}_q[\log q - \log p]$; gradients in PyTorch or TensorFlow at the level of
notebook 01. **Student time:** about 90 minutes (full mode: under 15 minutes; quick mode: about a minute on a 2-core CPU).

You will derive the ELBO, implement its parts in numpy (checked against the PyTorch and TensorFlow twins),
check a bound against an exact likelihood, report honest numbers in nats per image, and find the bugs that give
wrong ELBOs. Quick mode (`QUICK = True`) uses fewer images and epochs; every claim is checked on the mode you run.
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
from course_lib.metrics import standard_error
from course_lib.reference import gradient_estimators, ppca
from course_lib.reference import vae as ref
from course_lib import viz as viz_diagrams
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

The picture first. The encoder is a network that outputs the **parameters** $\mu_\phi(x)$ and
$\log \sigma^2_\phi(x)$ of a Gaussian $q_\phi(z \mid x)$; a code $z$ is a *sample* from it; the decoder scores how
well $z$ explains $x$. The two terms of the objective sit at the two ends.
""")

code('''
viz_diagrams.vae_diagram()
plt.show()
''')

md(r"""
<!-- seed-error: B5 -->
**Spot the bug (blog mistake B5).** Some tutorials describe the encoder as "$z = \mathbb{E}[x]$", or code it as
one deterministic vector per image:

```python
z = encoder(x)            # one code per image, no variance
x_hat = decoder(z)
loss = mse(x_hat, x)      # an autoencoder: no q(z|x), no KL, nothing to sample from
```

Why it is wrong: that is a plain autoencoder: no KL, no bound on $\log p(x)$, and nothing that makes
$z \sim \mathcal{N}(0, I)$ decode to a product. The fix is the diagram: the encoder outputs the parameters
$(\mu, \log\sigma^2)$ of $q_\phi(z \mid x)$ and the code is a sample from it.

**The derivation.** For any distribution $q(z \mid x)$, since $p(x)$ does not depend on $z$,

$$
\begin{aligned}
\log p(x) &= \mathbb{E}_{q}\big[\log p(x)\big]
           = \mathbb{E}_{q}\Big[\log \frac{p(x, z)}{p(z \mid x)}\Big] \\
          &= \underbrace{\mathbb{E}_{q}\Big[\log \frac{p(x, z)}{q(z \mid x)}\Big]}_{\mathcal{L}(x)}
           + \underbrace{\mathbb{E}_{q}\Big[\log \frac{q(z \mid x)}{p(z \mid x)}\Big]}_{\mathrm{KL}(q(z \mid x) \,\|\, p(z \mid x))}.
\end{aligned}
$$

The KL is never negative, so $\mathcal{L}(x) \le \log p(x)$. It is tight when $q$ equals the true posterior
$p(z \mid x)$. Splitting $\log p(x, z) = \log p_\theta(x \mid z) + \log p(z)$ gives the two readings:

- $\mathcal{L}(x) = \mathbb{E}_{q_\phi(z \mid x)}[\log p_\theta(x \mid z)] - \mathrm{KL}(q_\phi(z \mid x) \,\|\, p(z))$:
  **reconstruction minus KL**;
- $-\mathcal{L}(x) = D + R$ with distortion $D = -\mathbb{E}_{q}[\log p_\theta(x \mid z)]$ and rate
  $R = \mathrm{KL}(q_\phi(z \mid x) \,\|\, p(z))$ (Alemi et al. 2018, arXiv 1711.00464): **distortion plus rate**,
  the two costs of sending $x$ through the code $z$.

We check the identity on a model where everything is exact: $p(z) = \mathcal{N}(0, 1)$,
$p(x \mid z) = \mathcal{N}(a z, s^2)$. Then $p(x) = \mathcal{N}(0, a^2 + s^2)$, and the posterior $p(z \mid x)$ is
Gaussian too.
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

md(r"""
The identity holds to rounding error: the gap $\log p(x) - \mathcal{L}(x)$ is the KL to the true posterior.
""")

# ---------------------------------------------------------------------------------------------------------
md(r"""
## 2. The reparameterisation trick, and why it beats the score function

Training needs the gradient of $\mathbb{E}_{z \sim q}[f(z)]$ with respect to the encoder's outputs
$(\mu, \sigma)$. Two unbiased estimators exist:

- **score function** (REINFORCE): $f(z) \, \nabla_\mu \log q(z) = f(z)\,(z - \mu) / \sigma^2$;
- **reparameterisation** (Kingma & Welling 2013, arXiv 1312.6114): write $z = \mu + \sigma \odot \epsilon$ with
  $\epsilon \sim \mathcal{N}(0, I)$; then the gradient is $f'(\mu + \sigma \odot \epsilon)$.

Both have the right mean, not the same variance. We measure them for $f(z) = \sum_j (z_j - 2)^2$ and the gradient
with respect to $\mu_1$, as the latent dimension $d$ grows: the score function multiplies the whole $f(z)$, which
sums noise over dimensions.
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
    print(f"d = {d:3d}: true gradient {2 * (0.5 - 2):.2f}; means: score {score.mean():6.2f} ± {standard_error(score):4.2f}, "
          f"reparam {reparam.mean():5.2f} ± {standard_error(reparam):4.2f}; variances: score {score.var():9.1f}, "
          f"score - baseline {score_b.var():8.1f}, reparam {reparam.var():5.2f}")
record("gradient_variances", variances)
''')

md(r"""
Same mean (within the standard errors), very different noise: the score-function variance grows with the
number of latent dimensions, and a baseline only removes part of it. The reparameterised gradient's variance does
not depend on $d$. This is why VAEs sample $z = \mu + \sigma \odot \epsilon$ inside the network: the gradient flows
through the sample.
""")

md(r"""
### Exercise ex-03-1: the reparameterisation trick
Write `reparameterize(mu, logvar, eps)` in numpy: return $z = \mu + \sigma \odot \epsilon$, where the encoder
outputs the log-variance `logvar` $= \log \sigma^2$. All arrays have shape $[N, d]$.
""")
exercise("ex-03-1", '''
def reparameterize(mu, logvar, eps):
    # your code here: z = mu + sigma * eps, with sigma obtained from logvar
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
### Exercise ex-03-5 (build): a sampler that returns its own gradient
Autodiff computes the pathwise derivative for you; here you write it. Write
`sample_with_gradients(mu, logvar, n, seed)` in numpy: for $q = \mathcal{N}(\mu, \mathrm{diag}\,\sigma^2)$ (`mu`,
`logvar` of shape $[d]$), draw `n` reparameterised samples from a generator seeded by `seed` and return three
$[n, d]$ arrays: $z$, $\partial z_{ij} / \partial \mu_j$ and $\partial z_{ij} / \partial \log \sigma^2_j$. The
grader checks what it *does* on hidden inputs: the samples' mean and variance, and gradients of your own samples.
""")
exercise("ex-03-5", '''
def sample_with_gradients(mu, logvar, n, seed):
    # your code here: return z, dz_dmu, dz_dlogvar, each of shape [n, d]
    raise NotImplementedError
''', "sample_with_gradients")

code('''
# Use it: the pathwise estimate of d/dlogvar E[f(z)] for f(z) = sum_j (z_j - 2)^2, where the exact answer is sigma^2
mu_g, logvar_g = np.array([0.5, -1.0]), np.log(np.array([0.64, 2.25]))
z_g, dz_dmu, dz_dlogvar = sample_with_gradients(mu_g, logvar_g, 100_000, SEED)
df_dz = 2.0 * (z_g - 2.0)
pathwise = {"mu": (df_dz * dz_dmu).mean(0), "logvar": (df_dz * dz_dlogvar).mean(0)}
print("d/dmu     E[f]: pathwise", pathwise["mu"].round(3), " exact 2 (mu - 2) =", (2 * (mu_g - 2)).round(3))
print("d/dlogvar E[f]: pathwise", pathwise["logvar"].round(3), " exact sigma^2 =", np.exp(logvar_g).round(3))
record("pathwise_logvar_gradient", {"estimate": pathwise["logvar"], "exact": np.exp(logvar_g)})
''')

md(r"""
### Exercise ex-03-4 (derive): a Gaussian KL by hand
The ELBO's second term is $\mathrm{KL}(q_\phi(z \mid x) \,\|\, p(z))$ with $p(z) = \mathcal{N}(0, I)$. Take
$q = \mathcal{N}(\mu, \mathrm{diag}\,\sigma^2)$ with $\mu = (1, -2)$ and $\sigma = (0.5, 1.5)$. Work out the KL in nats
**on paper**, starting from $\mathrm{KL} = \mathbb{E}_q[\log q(z) - \log p(z)]$ and the Gaussian log-density, and
assign the number (two decimals are enough) to `kl_by_hand`. The cell after the check compares your number with a
Monte Carlo estimate.
""")
exercise("ex-03-4", '''
kl_by_hand = None   # your number, in nats
''', "kl_by_hand")

code('''
mu_c, logvar_c = np.array([[1.0, -2.0]]), np.log(np.array([[0.5, 1.5]]) ** 2)
z_mc = ref.reparameterize(np.repeat(mu_c, 200_000, 0), np.repeat(logvar_c, 200_000, 0), seed=SEED)
log_ratio = ref.gaussian_log_density(z_mc, mu_c, logvar_c) - ref.gaussian_log_density(z_mc, 0.0, 0.0)
mc, se = log_ratio.mean(), standard_error(log_ratio)
print(f"your KL = {float(kl_by_hand):.4f} nats;  Monte Carlo = {mc:.4f} ± {se:.4f} (1 standard error);  "
      f"difference = {(mc - float(kl_by_hand)) / se:+.2f} standard errors")
record("kl_monte_carlo_z", float((mc - ref.gaussian_kl(mu_c, logvar_c)[0]) / se))
''')

md(r"""
In closed form (Kingma & Welling 2013, appendix B), per dimension,
$\mathrm{KL} = \tfrac12 \sum_j \big(\sigma_j^2 + \mu_j^2 - 1 - \log \sigma_j^2\big)$: the library's
`gaussian_kl`, used from now on.

<!-- seed-error: B4 -->
**Spot the bug (blog mistake B4).** Some posts compute the KL as a discrete sum over a grid of latent values:

```python
grid = np.linspace(-6, 6, n_points)
q, p = normal_pdf(grid, mu, sigma), normal_pdf(grid, 0, 1)
kl = np.sum(q * np.log(q / p))          # a sum over points of a density, not an integral
```

Why it is wrong: $z$ is continuous, so the sum adds density values and grows with the number of grid points; it
approximates the KL integral only once multiplied by the spacing $\Delta z$, and no grid works in 16 dimensions.
The fix: the closed form (or a Monte Carlo average over samples of $q$). The cell below runs the broken sum.
""")

code('''
def normal_pdf(z, mean, std):
    return np.exp(-0.5 * ((z - mean) / std) ** 2) / (std * np.sqrt(2 * np.pi))

mu_1, sigma_1 = 1.0, 0.5
exact_1d = float(ref.gaussian_kl(np.array([[mu_1]]), np.log([[sigma_1 ** 2]]))[0])
broken = {}
for n_points in (100, 1000, 10_000):
    grid = np.linspace(-6, 6, n_points)
    q, p = normal_pdf(grid, mu_1, sigma_1), normal_pdf(grid, 0.0, 1.0)
    broken[n_points] = float(np.sum(q * np.log(q / p)))
    print(f"{n_points:6d} grid points: discrete sum {broken[n_points]:9.3f}   "
          f"x spacing {broken[n_points] * (grid[1] - grid[0]):.4f}   closed form {exact_1d:.4f}")
record("discrete_kl_sums", broken)
''')

# ---------------------------------------------------------------------------------------------------------
md(r"""
## 3. A bound checked against an exact likelihood: the linear VAE meets probabilistic PCA

For most models $\log p(x)$ is unknown, so a bound is hard to check. Here is one where it is known.
Probabilistic PCA (Tipping & Bishop 1999) is the model $z \sim \mathcal{N}(0, I_q)$, $x = W z + b + \varepsilon$
with $\varepsilon \sim \mathcal{N}(0, s^2 I)$. Its maximum-likelihood fit has a closed form: with the eigenvalues
$\lambda_1 \ge \dots \ge \lambda_d$ of the data covariance ($1/N$ normalisation), $s^2$ is the mean of the $d - q$
discarded eigenvalues and $W = U_q (\Lambda_q - s^2 I)^{1/2}$. The exact log-likelihood per point is
$\log \mathcal{N}(x;\, b,\, W W^\top + s^2 I)$.

A **linear Gaussian VAE** (linear encoder and decoder, $p_\theta(x \mid z) = \mathcal{N}(W z + b, s^2 I)$) reaches the
pPCA log-likelihood at its optimum (Lucas et al. 2019, arXiv 1911.02469): the bound becomes tight. We fit both on synthetic low-rank data and watch the
gap close. The linear VAE's ELBO has a closed form, so training has no sampling noise.
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

md(r"""
The gap falls by orders of magnitude and ends below $10^{-2}$ nats per point (printed above): the linear VAE's
ELBO meets the exact pPCA likelihood, as the theory says. It can never go above it (pPCA is the maximum likelihood
of this model family), so a VAE "beating" an exact likelihood would signal a bug.
""")

# ---------------------------------------------------------------------------------------------------------
md(r"""
## 4. A VAE on product photos, with a likelihood that fits the data

Fashion-MNIST pixels are grey levels. Which likelihood $p_\theta(x \mid z)$?

- **Bernoulli on binarised pixels.** We binarise each pixel, $x_i \sim \mathrm{Bernoulli}(\text{grey}_i / 255)$:
  afresh at every training step ("dynamic binarisation", which acts as data augmentation), and once with a fixed
  seed for the test set. On $x \in \{0, 1\}^{784}$ the Bernoulli is a proper distribution, so $\log p(x)$ is a
  real log-probability in nats per image.
- A **Bernoulli on grey levels** (the common `binary_cross_entropy(x_grey, p)`) is not a likelihood: for a
  target in $(0, 1)$ the "density" $\lambda^x (1 - \lambda)^{1 - x}$ integrates to less than 1 over $x \in [0, 1]$
  (it lacks the continuous-Bernoulli normaliser, arXiv 1907.06845); section 6 measures how much.

We train the MLP VAE (784 → hidden → $2 \times$ latent; latent → hidden → 784 logits) with Adam on $-\mathcal{L}$.
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

md(r"""
Training numbers, on the current batch; the KL (the rate) is the nats the code carries per image.
""")

md(r"""
### Exercise ex-03-3: the IWAE bound
With $k$ samples $z_i \sim q_\phi(z \mid x)$ and weights $w_i = p_\theta(x, z_i) / q_\phi(z_i \mid x)$, the
importance-weighted bound (Burda et al. 2015, arXiv 1509.00519) is

$$\mathrm{IWAE}_k = \log \frac{1}{k} \sum_{i=1}^{k} w_i .$$

It is a lower bound for every $k$, equals the ELBO in expectation for $k = 1$, and rises towards $\log p(x)$.
The catch is floating point. Our log-weights are a few hundred nats below 0 (printed below). In float64,
$e^{-300} \approx 5 \times 10^{-131}$ is fine: $e^{a}$ underflows only below $a \approx -745$. In float32, which
the twins use, it underflows below $a \approx -104$; and a 64×64 colour image has log-weights of tens of thousands
of nats, beyond any float type. Write `iwae_bound(log_weights)` in numpy for log-weights of shape $[N, k]$, returning shape $[N]$, so
that it works for **any** log-weights: the hidden tests use values below $-12{,}000$.
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
print(f"log-weights of the test images: from {log_w.min():.0f} to {log_w.max():.0f} nats; "
      f"in float32 exp() of them is {np.exp(log_w.astype(np.float32)).max():.1e} at most")
print(f"{N_TEST} test images, fixed binarisation, nats per image (± 1 standard error over images):")
rows = [("ELBO (analytic KL, 1 sample)", test_parts["elbo"])] + [(f"IWAE_{k}", v) for k, v in iwae.items()]
rows += [(f"log p(x), importance sampled, k = {K_LOG_P}", log_p)]
for name, values in rows:
    print(f"  {name:42s} {values.mean():9.2f} ± {standard_error(values):.2f}")
for (name_a, a_), (name_b, b_) in zip(rows[1:], rows[2:]):
    diff = b_ - a_
    print(f"  {name_b} - {name_a}: {diff.mean():+.2f} ± {standard_error(diff):.2f} (paired)")
print(f"(log p took {time.perf_counter() - t0:.0f} s)")
record("test_elbo", float(test_parts["elbo"].mean()))
record("test_reconstruction", float(test_parts["reconstruction"].mean()))
record("test_kl", float(test_parts["kl"].mean()))
record("test_iwae", {str(k): float(v.mean()) for k, v in iwae.items()})
record("test_log_p", float(log_p.mean()))
record("k_log_p", K_LOG_P)
''')

md(r"""
The checks of this notebook assert the ordering $\mathcal{L} \le \mathrm{IWAE}_5 \le \mathrm{IWAE}_{50} \le
\log p$ on the numbers above, and the paired differences printed beside them say how many standard errors each
gain is. Which numbers are comparable?

- All are in **nats per image** on the **same fixed binarisation** of the same test images.
- $\mathcal{L}$ and $\mathrm{IWAE}_k$ are **bounds**; the importance-sampled $\log p$ is an **estimate** (a lower
  bound in expectation): report $k$ with it and compare models at the same $k$.
- Numbers from a Bernoulli loss on grey levels or an MSE loss are not log-likelihoods (section 6); per-pixel
  averages must be multiplied by 784 before comparing with per-image numbers.
""")

# ---------------------------------------------------------------------------------------------------------
md(r"""
## 5. $\beta$-VAE: the rate–distortion trade-off

Weighting the KL by $\beta$ (Higgins et al. 2017) changes what the optimum trades: training minimises
$D + \beta R$. We train the same VAE with several $\beta$ and measure the test rate $R$ and distortion $D$.

### Exercise ex-03-6 (predict): which $\beta$ buys the most rate?
Before you run the sweep: of $\beta = 0.5$, $1$ and $4$, which gives the **highest** test rate $R$ (KL in nats
per image)? Assign `0.5`, `1.0` or `4.0` to `beta_with_highest_rate`. The sweep below shows the truth.
""")
exercise("ex-03-6", '''
beta_with_highest_rate = None   # 0.5, 1.0 or 4.0
''', "beta_with_highest_rate")

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

md(r"""
As $\beta$ grows, the rate falls and the distortion rises (printed above; the checks assert both). Which of these
objectives still bound $\log p(x)$? Since $R \ge 0$:

- $\beta = 1$: $-(D + R) = \mathcal{L}(x) \le \log p(x)$, the ELBO itself;
- $\beta > 1$: $-(D + \beta R) \le -(D + R) \le \log p(x)$, still a lower bound, only a looser one;
- $\beta < 1$: $-(D + \beta R) \ge \mathcal{L}(x)$, and it can exceed $\log p(x)$: no bound at all.

Report $\mathcal{L}$ at $\beta = 1$ (or $\mathrm{IWAE}_k$) for any model you compare.
""")

md(r"""
### Posterior collapse, seen per dimension
A latent dimension $j$ is *collapsed* when $q_\phi(z_j \mid x) \approx p(z_j)$ for every $x$: its KL is near 0 and
its posterior mean does not vary across images. Burda et al. count a dimension as **active** when
$\mathrm{Var}_x\big(\mathbb{E}_{q}[z_j]\big) > 0.01$. The per-dimension KL shows which dimensions carry information.
""")

code('''
viz.plot_kl_per_dim(sweep["kl_per_dim"], title="Mean KL per latent dimension, test images (sorted)")
plt.show()
''')

md(r"""
Compare the curves: a larger $\beta$ lowers the total KL, and the least useful dimensions approach 0 first (the
active-unit counts are printed with the sweep).

**KL annealing** (warm-up; Bowman et al. 2015, arXiv 1511.06349) starts training with $\beta = 0$ and raises it
linearly to 1, so the decoder learns to use $z$ before the KL penalty pushes $q$ towards the prior. We compare
$\beta = 1$ with and without warm-up on the same budget, and add a third run that uses the classic bug of
section 6 (a per-pixel *mean* reconstruction beside a summed KL), which amounts to $\beta = 784$.
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

md(r"""
Read the numbers above rather than a rule: warm-up against the plain run, same steps. The bugged loss is
unambiguous: with an effective $\beta$ of 784 the KL falls below 1 nat and at most a couple of dimensions stay
active (the notebook's checks assert both). A KL of 0 means $q_\phi(z \mid x) = p(z)$ for every $x$, so the decoder
receives no information about the image it should reconstruct.
""")

# ---------------------------------------------------------------------------------------------------------
md(r"""
## 6. Normalisation pitfalls that produce wrong ELBOs

Circulating VAE code often computes a number called "ELBO" that is not one (numbers below, on test images):

1. **Mean over pixels** beside a summed KL: $\beta = 784$ in disguise (the collapsed run above).
2. **Sum over the batch**: grows with the batch size; not nats per image.
3. **MSE with the decoder variance left implicit** (below).
4. **Bernoulli on grey levels**: misses the continuous Bernoulli's normaliser $\log C(\lambda)$ per pixel.

<!-- seed-error: B6 -->
**Spot the bug (blog mistake B6).** A common "VAE loss" for grey or colour images:

```python
loss = F.mse_loss(x_hat, x) + beta * kl      # mean squared error over pixels, KL summed over z
```

Why it is wrong: MSE is a Gaussian negative log-likelihood only up to a constant and a variance $s^2$ that the
code never states:
$$-\log \mathcal{N}(x;\, m,\, s^2 I) = \frac{\lVert x - m \rVert^2}{2 s^2} + \frac{784}{2} \log(2 \pi s^2).$$
A per-pixel mean MSE equals the first term with $s^2 = 784 / 2$. Multiply the loss by $784 / (2 s^2)$, where $s^2$
is the variance the pixels really have around the decoder's mean: it becomes the Gaussian negative ELBO with
$\beta_{\text{eff}} = \beta \cdot 784 / (2 s^2)$. So the hidden variance, not the `beta` in the code, sets how much
the KL weighs. The fix: write the Gaussian log-likelihood with an explicit variance (fixed,
learned, or the maximum-likelihood one), sum it over pixels, and report nats per image. Item 3 below measures it.
""")

code('''
xb = x_test[:100]
grey = test_images[:100].reshape(100, -1).astype(np.float64) / 255.0   # [100, 784] grey levels
parts_b = fw.vae_train.evaluate_elbo(vae_model, xb, seed=SEED)
D = 784
recon_sum, kl_sum = -parts_b["reconstruction"], parts_b["kl"]
neg_elbo = recon_sum + kl_sum
loss_mean_pixels = recon_sum / D + kl_sum                      # the bug, per image
print("1. per image: correct -ELBO = %.1f;  mean-over-pixels loss = %.2f;  x 784 = %.1f = recon + 784 * KL = %.1f"
      % (neg_elbo.mean(), loss_mean_pixels.mean(), D * loss_mean_pixels.mean(),
         (recon_sum + D * kl_sum).mean()))
print("2. batch of 100: summed -ELBO = %.0f nats (not per image);  mean = %.1f nats per image"
      % (neg_elbo.sum(), neg_elbo.mean()))
mu_grey = fw.vae_models.encode_images(vae_model, test_images[:100])
mean_images = fw.vae_models.decode_latents(vae_model, mu_grey).reshape(100, -1)
sse = ((grey - mean_images) ** 2).sum(1)
s2_ml = sse.mean() / D                                          # the maximum-likelihood variance
for label, s2 in (("s^2 = 1", 1.0), (f"s^2 = ML {s2_ml:.4f}", s2_ml), ("s^2 = 784/2 (mean-MSE)", D / 2)):
    ll = ref.gaussian_log_likelihood(grey, mean_images, np.log(s2)).mean()
    print(f"3. Gaussian log-likelihood with {label:24s}: {ll:9.1f} nats per image;  -SSE/2 alone: {-sse.mean() / 2:7.1f}")
print(f"   mean-MSE + KL weighs the KL like beta = {D / (2 * s2_ml):.0f} relative to the ML variance")
logits = fw.vae_models.decode_latents(vae_model, mu_grey, logits=True).reshape(100, -1)
bce_grey = ref.bernoulli_log_likelihood(grey, logits)
missing = ref.continuous_bernoulli_log_normalizer(logits).sum(1)
print(f"4. Bernoulli 'log-likelihood' of grey levels {bce_grey.mean():.1f} nats per image; "
      f"its missing normaliser adds {missing.mean():.1f} nats per image")
record("pitfalls", {"mean_over_pixels_loss": float(loss_mean_pixels.mean()), "correct_neg_elbo": float(neg_elbo.mean()),
                    "gaussian_constant_s2_1": float(D / 2 * np.log(2 * np.pi)), "ml_variance": float(s2_ml),
                    "mse_effective_beta": float(D / (2 * s2_ml)), "grey_bernoulli_missing_nats": float(missing.mean())})
''')

md(r"""
Each bug changes the number by a large factor (printed above): 784 on the KL, the batch size on the total, the
Gaussian constant $\frac{784}{2}\log(2\pi) \approx 720$ nats at $s^2 = 1$, the grey-level Bernoulli's normaliser.
Report nats per image of a normalised likelihood, and say which one.

### Exercise ex-03-7 (debug): a loss that trains the wrong model
A student's training loop uses the loss in the cell below. It runs, and the loss goes down, but the code collapses
(the "mean-over-pixels bug" run of section 5 is this loss: its KL ends near 0). Fix `negative_elbo` so that it
returns $-\mathcal{L}$ in **nats per image, averaged over the batch**, for a Bernoulli decoder with logits and a
Gaussian encoder. Keep the names; the grader calls your function on hidden batches of other sizes.
""")
exercise("ex-03-7", '''
import numpy as np

def negative_elbo(x, logits, mu, logvar):
    """x binary [N, P], decoder logits [N, P], encoder mu and logvar [N, d] -> -ELBO, nats per image."""
    reconstruction = np.mean(np.logaddexp(0.0, logits) - x * logits)
    kl = 0.5 * np.sum(np.exp(logvar) + mu ** 2 - 1.0 - logvar)
    return float(reconstruction + kl)
''', "negative_elbo")

code('''
# Your loss on the trained model's numbers, for a batch of 100 test images and for its first 50:
# nats per image must not depend on the batch size, and must be near the model's own -ELBO
mu_t, logvar_t = (fw.utils.to_numpy(t).astype(np.float64) for t in vae_model.encode(xb))
z_t = ref.reparameterize(mu_t, logvar_t, seed=SEED)
logits_t = fw.vae_models.decode_latents(vae_model, z_t, logits=True).reshape(len(z_t), -1).astype(np.float64)
x_t = fw.utils.to_numpy(xb).reshape(len(z_t), -1).astype(np.float64)
yours = {n: negative_elbo(x_t[:n], logits_t[:n], mu_t[:n], logvar_t[:n]) for n in (100, 50)}
print(f"your loss: batch of 100 -> {yours[100]:.2f}, batch of 50 -> {yours[50]:.2f} nats per image")
print(f"the model's -ELBO on the same 100 images (its own sample of z): {-parts_b['elbo'].mean():.2f}")
record("debug_loss_batch_ratio", float(yours[100] / yours[50]))
''')

# ---------------------------------------------------------------------------------------------------------
md("""
## 7. Moving through the latent space

The straight line between two products' posterior means decodes to a sequence of images; a traversal moves one
latent dimension at a time (`course_lib.viz.vae.latent_explorer_frame`).
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

md(r"""
The KL term pulls every code towards one shared Gaussian, so the decoder also uses the space between codes.
""")

md(r"""
## 8. Samples, and samples per class

An unconditional VAE samples $z \sim \mathcal{N}(0, I)$ and decodes it. For samples per class we draw $z$ from a
Gaussian fitted to the posterior means of that class's training images (`viz.per_class_latents`).
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

md(r"""
Samples are blurry: we show decoder means, which average over each pixel's uncertainty. Notebook 04 does
class-conditional generation properly, with a GAN, and measures it.

<!-- seed-error: B8 -->
**Spot the bug (blog mistake B8).** A sampling snippet that draws from the wrong distribution:

```python
z = np.random.uniform(-1, 1, size=(n, latent_dim))    # the model was trained with p(z) = N(0, I)
images = decoder(z)
```

Why it is wrong: the KL term trained $q_\phi(z \mid x)$ towards $\mathcal{N}(0, I)$, where the decoder learned to
make products. In 16 dimensions $\lVert z \rVert \approx 4$ under $\mathcal{N}(0, I)$ but $\approx 2.3$ under
$U(-1, 1)^{16}$. The fix: sample from the training prior. The cell below compares both with notebook 04's metrics
(FID: lower is better).
""")

code('''
from course_lib import metrics

n_prior_check = nb.pick(500, 2000)
z_normal = np.random.default_rng(SEED).standard_normal((n_prior_check, LATENT_DIM))
z_uniform = np.random.default_rng(SEED).uniform(-1, 1, (n_prior_check, LATENT_DIM))
prior_check = {}
for name, z_s in (("N(0, I), as trained", z_normal), ("U(-1, 1), the bug", z_uniform)):
    images_s = np.rint(decode(z_s) * 255).astype(np.uint8)
    row = metrics.evaluate_images(images_s, None, seed=SEED, kid_subsets=2)
    prior_check[name] = {k: row[k] for k in ("fid_course", "precision", "recall")}
    print(f"{name:22s} |z| = {np.linalg.norm(z_s, axis=1).mean():.2f}: FID {row['fid_course']:6.1f}, "
          f"precision {row['precision']:.2f}, recall {row['recall']:.2f}")
record("prior_check", prior_check)
''')

md(r"""
Read the two rows: the uniform codes give the higher FID (the notebook's checks assert it): their images sit
closer to the "average product" at the centre of the latent space, which can raise precision while the distance
to the real distribution grows.
""")

code('''
elapsed = time.perf_counter() - started
record("seconds", elapsed)
print(f"notebook ran in {elapsed:.0f} s ({'quick' if QUICK else 'full'} mode, {nb.framework})")
''')

md(r"""
## Recap: you can now
- derive $\log p(x) = \mathcal{L}(x) + \mathrm{KL}(q \,\|\, p(z \mid x))$, read $\mathcal{L}$ as reconstruction
  minus KL or as $-(D + R)$, and work out a Gaussian KL by hand;
- explain why the reparameterised gradient beats the score function, and write the pathwise derivative yourself;
- check a bound against an exact likelihood, and report $\mathcal{L} \le \mathrm{IWAE}_k \le \log p$ in nats per
  image, computed stably;
- say which $\beta$ give a bound ($\beta \ge 1$) and which do not, and spot the bugs behind posterior collapse.

## Further reading
- Kingma & Welling (the VAE), arXiv 1312.6114.
- Rezende et al., arXiv 1401.4082.
- Burda et al. (IWAE), arXiv 1509.00519.
- Alemi et al., *Fixing a Broken ELBO*, arXiv 1711.00464.
- Bowman et al. (KL annealing), arXiv 1511.06349.
- Lucas et al. (the linear VAE and posterior collapse), arXiv 1911.02469.
- Loaiza-Ganem & Cunningham (continuous Bernoulli), arXiv 1907.06845.
""")

book.write(OUT)
