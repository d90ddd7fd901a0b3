"""Build notebooks/01_gan_losses.ipynb (without outputs) from the cells below: `python tools/build_notebook_01.py`."""

from __future__ import annotations

import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from tools.nbbuild import NotebookBuilder

OUT = pathlib.Path(__file__).resolve().parents[1] / "notebooks" / "01_gan_losses.ipynb"
book = NotebookBuilder()
md, code, exercise = book.md, book.code, book.exercise


md(r"""
# 01 · GAN losses, proven against the math

The shop wants product photos that look real. A GAN learns them through a game between two networks: a
generator $G$ that makes images from noise $z$, and a discriminator $D$ that tells real photos from generated
ones. Everything $G$ learns comes through the loss. So this notebook is about losses.

**Prerequisites.** Notebook 00 (set-up, the data, quick mode); Python and numpy; derivatives and the chain
rule; expectations and densities. **Student time:** about 90 minutes in full mode. Quick mode
(`QUICK = True`) runs in about a minute per framework on a CPU.

After this notebook you can:
- write every common GAN loss from its formula, in a numerically stable form;
- derive the optimal discriminator $D^*$ and the value of the game, and check them numerically;
- explain why the original generator loss saturates and why Wasserstein, hinge and least-squares losses exist;
- spot the loss bugs that circulate in blog posts, and fix them.

""")

book.colab_setup()

code('''
FRAMEWORK = "torch"   # "torch" or "tf"
QUICK = False         # True: a small budget (about a minute on a CPU)
SEED = 0
RECORDS_PATH = ""
TOY_DATA = "ring"     # "ring" (8 modes) or "grid" (25 modes) for the loss comparison
TOY_STEPS = 0         # generator steps per loss; 0: 500 (quick) or 6000 (full: about 4 min on a 2-core CPU)
''', tags=("parameters",))

code('''
import time

import numpy as np
import matplotlib.pyplot as plt

import course_lib
import course_lib.grading
from course_lib.reference import gan_theory, losses as ref
from course_lib.viz import gan_diagram, gan_losses as viz

nb = course_lib.setup_notebook("01_gan_losses", FRAMEWORK, QUICK, SEED, RECORDS_PATH)
fw = nb.fw
QUICK = nb.quick
started = time.perf_counter()
print(f"framework: {nb.framework}, quick mode: {QUICK}")
''')

md(r"""
## 1. The game and the optimal discriminator

$D(x)$ is a logit, and $\sigma(D(x))$ is the probability that $x$ is real. The generator turns noise into an
image; the discriminator scores real and generated images; each player has its own loss and updates only its
own weights.
""")

code('''
gan_diagram()
plt.show()
''')

md(r"""
$D$ maximises, and $G$ minimises, the value (Goodfellow et al. 2014, arXiv 1406.2661)

$$V(D, G) = \mathbb{E}_{x \sim p_{\text{data}}}[\log \sigma(D(x))] + \mathbb{E}_{z}[\log(1 - \sigma(D(G(z))))].$$

For a fixed $G$, write $d = \sigma(D(x))$. The integrand at each $x$ is
$p_{\text{data}}(x) \log d + p_g(x) \log(1 - d)$, and its derivative in $d$ is zero at

$$D^*(x) = \frac{p_{\text{data}}(x)}{p_{\text{data}}(x) + p_g(x)} \quad (\text{as a probability}).$$

### Exercise ex-01-12: the logit of $D^*$ (derive)
Real data is $\mathcal{N}(\mu_r, s^2)$ and generated data $\mathcal{N}(\mu_g, s^2)$ (the same $s$). Write
`optimal_logit(x, mu_real, mu_fake, sigma)`: the logit of $D^*$, so that $\sigma(\text{logit}) = D^*(x)$.
It must stay finite at $x = \pm 80$, where both densities underflow to 0 in float64.
""")

exercise("ex-01-12", '''
def optimal_logit(x, mu_real, mu_fake, sigma):
    """The logit of D*(x) for real N(mu_real, sigma^2) and generated N(mu_fake, sigma^2); x is a numpy array."""
    raise NotImplementedError  # your code here
''', "optimal_logit")

code('''
x = np.linspace(-10, 12, 20001)
p_data = gan_theory.gaussian_pdf(x, 0.0, 1.0)   # real: N(0, 1)
p_g = gan_theory.gaussian_pdf(x, 2.0, 1.0)      # generated: N(2, 1)
d_star = gan_theory.optimal_discriminator(p_data, p_g)
viz.plot_optimal_discriminator(x, p_data, p_g, d_star, title="D* for real N(0, 1) and generated N(2, 1)")
plt.show()
yours = optimal_logit(x, 0.0, 2.0, 1.0)
library = gan_theory.optimal_discriminator_logit(np.log(p_data), np.log(p_g))
print(f"largest gap between your logit (or the fallback) and log p_data - log p_g: {np.max(np.abs(yours - library)):.1e}")
course_lib.record("d_star_logit_gap", float(np.max(np.abs(yours - library))))
''')

md(r"""
Takeaway: $D^*$ is close to 1 where only real data lives, close to 0 where only fakes live, and $1/2$ where the
densities cross.

### Exercise ex-01-13: the value of a perfect generator (derive)
When $p_g = p_{\text{data}}$, what is $V(D^*, G)$? Work it out on paper and set `GAME_VALUE` to the number
(three decimals are enough). The cell after it computes the value by quadrature.
""")

exercise("ex-01-13", '''
GAME_VALUE = None  # a number
''', "GAME_VALUE")

code('''
d_star_logit = gan_theory.optimal_discriminator_logit(np.log(p_data), np.log(p_g))
value_shifted = gan_theory.game_value(x, p_data, p_g, d_star_logit)
closed_form = -np.log(4) + 2 * gan_theory.js_divergence(p_data, p_g, x)
value_equal = gan_theory.game_value(x, p_data, p_data, np.zeros_like(x))   # p_g = p_data, D* = 1/2
print(f"p_g = p_data:   V(D*, G) = {value_equal:.6f}   (your GAME_VALUE or the fallback: {GAME_VALUE:.6f})")
print(f"p_g = N(2, 1):  V(D*, G) = {value_shifted:.6f}   (-log 4 + 2 JSD = {closed_form:.6f})")
course_lib.record("game_value_equal", value_equal)
course_lib.record("game_value_shifted", value_shifted)
course_lib.record("game_value_shifted_closed_form", closed_form)
''')

md(r"""
In general, putting $D^*$ back into $V$ gives $V(D^*, G) = -\log 4 + 2\,\mathrm{JSD}(p_{\text{data}} \,\|\, p_g)$.
The Jensen–Shannon divergence is 0 only when $p_g = p_{\text{data}}$, so the best $G$ makes $D^* = 1/2$
everywhere and the game's value is $-\log 4 \approx -1.386$: both numbers are printed above.

The discriminator's loss is $-V$: binary cross-entropy with target 1 on real and 0 on generated samples. At
$D = 1/2$ (logit 0) on both, it is $\log 4$. The library's twin gives the same number:
""")

code('''
half = np.zeros(8)   # logits 0: D = 1/2
twin_value = float(fw.utils.to_numpy(fw.losses.minimax_discriminator_loss(half, half)))
print(f"{nb.framework}: minimax_discriminator_loss at D = 1/2 is {twin_value:.6f} (log 4 = {np.log(4):.6f})")
course_lib.record("twin_d_loss_at_half", twin_value)
''')

md(r"""
<!-- seed-error: A3 -->
<!-- seed-error: B3 -->
**Two mistakes from blog posts.** (A3) Writing $L_D = \mathbb{E}[\log D(x)] + \mathbb{E}[\log(1 - D(G(z)))]$ and
calling it a loss: $D$ *maximises* that value, so minimising it trains a discriminator that calls real photos
fake. The loss is its negative, the binary cross-entropy above. (B3) Writing one objective
$L = L_G + \alpha L_D$ for both players: the game has two players with two objectives, updated in turn. With
the minimax losses and $\alpha = 1$ the fake terms cancel exactly, so the sum does not depend on $G$ at all:
""")

code('''
d_good, d_fooled_pair = (0.99, 0.01), (0.01, 0.99)   # (D(x), D(G(z))) of a good and of a fooled discriminator
value = lambda d_real, d_fake: np.log(d_real) + np.log(1 - d_fake)
print(f"A3: the 'loss' log D(x) + log(1 - D(G(z))) is {value(*d_good):.3f} for a good D and "
      f"{value(*d_fooled_pair):.3f} for a fooled one: minimising it prefers the fooled D")

rng = np.random.default_rng(SEED)
real_logits, fake_logits = rng.normal(size=8), rng.normal(size=8)
combined = lambda f: ref.minimax_generator_loss(f) + ref.minimax_discriminator_loss(real_logits, f)
slope = (combined(fake_logits + 1e-4) - combined(fake_logits - 1e-4)) / 2e-4
print(f"B3: d(L_G + L_D)/d(fake logits), summed over the batch: {slope:.2e} (G would learn nothing)")
course_lib.record("seed_a3_prefers_fooled", bool(value(*d_fooled_pair) < value(*d_good)))
course_lib.record("seed_b3_combined_slope", float(slope))
''')

md(r"""
The fix for both: two losses, two optimisers, alternating steps; each step moves one player's weights only.

### Exercise ex-01-10: one discriminator step, by hand (build)
Take a logistic discriminator on 2-D points, $D(x) = x^\top w + b$ (a logit). Its loss is
$$L_D = \frac{1}{N}\sum_{i} \operatorname{softplus}(-D(x_i)) + \frac{1}{M}\sum_{j} \operatorname{softplus}(D(\tilde x_j))$$
for $N$ real samples $x_i$ and $M$ generated samples $\tilde x_j$. Write `discriminator_step(w, b, real, fake, lr)`:
one plain gradient-descent step, returning `(new_w, new_b)`, with the gradient worked out by hand in numpy.
The grader runs it on hidden batches; the cell after the check trains a discriminator with your step.
""")

exercise("ex-01-10", '''
def discriminator_step(w, b, real, fake, lr):
    """One gradient-descent step on L_D for D(x) = x @ w + b. w [d], b float, real [N, d], fake [M, d]."""
    raise NotImplementedError  # your code here
''', "discriminator_step")

code('''
rng = np.random.default_rng(SEED)
real_points, fake_points = rng.normal(1.0, 1.0, size=(256, 2)), rng.normal(-1.0, 1.0, size=(256, 2))
w, b = np.zeros(2), 0.0
for _ in range(200):
    w, b = discriminator_step(w, b, real_points, fake_points, 0.5)
accuracy = (np.mean(real_points @ w + b > 0) + np.mean(fake_points @ w + b < 0)) / 2
print(f"after 200 of your steps (or the fallback's): D tells real from fake {accuracy:.1%} of the time")
course_lib.record("d_step_accuracy", float(accuracy))
''')

md(r"""
<!-- seed-error: B7 -->
**Freezing D (a Keras mistake).** In Keras, $G$ is often trained through a "combined" model `D(G(z))`
compiled with the label "real". If $D$'s weights are not frozen in that model (`D.trainable = False` before
compiling it), every generator step also moves $D$ towards calling the fakes real: the generator's loss
trains the discriminator to lose. (Another version of the bug trains a two-input, two-output model with
`train_on_batch(z, y)`, which fits neither player's objective.) Here is one such unfrozen step on the logistic
$D$ above, with a fixed batch of fakes:
""")

code('''
p_fake = lambda w, b: 1 / (1 + np.exp(-(fake_points @ w + b)))            # sigma(D) on the fakes
g_grad_w, g_grad_b = -fake_points.T @ (1 - p_fake(w, b)) / 256, -np.mean(1 - p_fake(w, b))  # of -log sigma(D)
before, after = np.mean(p_fake(w, b)), np.mean(p_fake(w - 0.5 * g_grad_w, b - 0.5 * g_grad_b))
print(f"mean sigma(D) on the fakes: {before:.3f} before, {after:.3f} after one unfrozen 'generator' step")
course_lib.record("seed_b7_d_loss_rises", bool(after > before))
''')

md(r"""
The fix: freeze $D$ in the combined model before compiling it, or write the training step by hand, as the
course's loops do (`fw.toy_gan`).

## 2. The losses, written with logits

A network outputs a logit $f$, and $D = \sigma(f)$. Never compute $\log \sigma(f)$ directly: for $f = -1000$,
$\sigma(f)$ underflows to 0 and the log is $-\infty$. Use the identities
$-\log \sigma(f) = \operatorname{softplus}(-f)$ and $-\log(1 - \sigma(f)) = \operatorname{softplus}(f)$, with
$\operatorname{softplus}(f) = \log(1 + e^f)$ computed stably. Below, $r$ is $D$'s output on a real sample and
$f$ on a generated one; the losses are means over the batch.

| name | $D$'s loss | $G$'s loss |
|---|---|---|
| minimax (arXiv 1406.2661) | $-\log \sigma(r) - \log(1 - \sigma(f))$ | $\log(1 - \sigma(f))$ |
| non-saturating (same paper) | same as minimax | $-\log \sigma(f)$ |
| least squares, LSGAN (arXiv 1611.04076) | $\tfrac12 (r - 1)^2 + \tfrac12 f^2$ | $\tfrac12 (f - 1)^2$ |
| hinge (arXiv 1705.02894) | $\max(0, 1 - r) + \max(0, 1 + f)$ | $-f$ |
| Wasserstein, WGAN (arXiv 1701.07875) | $f - r$ | $-f$ |

In the first two rows $f$ is a logit; in the last three a raw score. `fw.losses` has each of them, e.g.
`fw.losses.hinge_discriminator_loss(real_scores, fake_scores)`.

<!-- seed-error: A6 -->
**A sigmoid output layer, then BCE on probabilities (a blog mistake).** Many tutorials end $D$ in a sigmoid
and feed the probability to binary cross-entropy. A confident logit then becomes exactly 0 or 1:
""")

code('''
confident = np.array([-1000.0, -40.0, 40.0])
with np.errstate(all="ignore"):
    probability = 1 / (1 + np.exp(-confident))                 # the sigmoid layer
    bce_on_probability = -np.log(probability)                  # the generator's BCE with target 1
print("sigmoid outputs:", probability)
print("BCE on the probabilities:", bce_on_probability, " softplus(-f):", np.logaddexp(0, -confident))
course_lib.record("seed_a6_probability_bce_inf", bool(np.isinf(bce_on_probability[0])))
''')

md(r"""
The fix: $D$ outputs logits, and the loss is the from-logits form (`BCEWithLogitsLoss` in PyTorch,
`from_logits=True` in Keras, softplus in numpy). PyTorch's `BCELoss` clamps its log at $-100$, which hides the
infinity and leaves a zero gradient.

### Exercise ex-01-9: the non-saturating generator loss
Write `non_saturating_generator_loss(fake_logits)` in numpy: the mean of $-\log \sigma(f)$ over the batch.
The grader's logits include $\pm 1000$ (in float32 and float64): casting to a wider float is not enough.
""")

exercise("ex-01-9", '''
def non_saturating_generator_loss(fake_logits):
    """Mean of -log sigmoid(f) over the batch, for a numpy array of logits [N]."""
    raise NotImplementedError  # your code here
''', "non_saturating_generator_loss")

code('''
extreme = np.array([-100.0, -30.0, 0.0, 30.0, 100.0], dtype=np.float32)
mine = float(non_saturating_generator_loss(extreme))
library = float(fw.utils.to_numpy(fw.losses.non_saturating_generator_loss(extreme)))
print(f"on logits {extreme.tolist()}: yours (or the fallback) {mine:.6f}, {nb.framework} twin {library:.6f}")
course_lib.record("ns_loss_extreme", {"answer": mine, "twin": library})
''')

md(r"""
## 3. Why the minimax generator loss saturates

Early in training the fakes are poor, and $D$ rejects them with confidence: $f$ is very negative and
$\sigma(f)$ is close to 0. What the generator learns depends on the derivative of its loss in $f$.

### Exercise ex-01-2: predict before you plot
Which generator losses of the table have a derivative that goes to 0 as $f \to -\infty$? Set
`SATURATING_LOSSES` to a list of names from `["minimax", "non_saturating", "least_squares", "hinge", "wasserstein"]`.
""")

exercise("ex-01-2", '''
SATURATING_LOSSES = None  # e.g. ["hinge"]
''', "SATURATING_LOSSES")

code('''
from course_lib.config import GAN_LOSS_PAIRS   # now measure: derivatives by the framework's autograd

f = np.linspace(-10, 5, 301)
curves = {}
for name, (_, g_name) in GAN_LOSS_PAIRS.items():
    curves[name] = fw.loss_gradients.loss_and_gradient(getattr(fw.losses, g_name), f)
viz.plot_saturation(f, curves)
plt.show()
at_minus_10 = {name: float(grad[0]) for name, (_, grad) in curves.items()}
for name, grad in at_minus_10.items():
    print(f"{name:15s} d loss / d f at f = -10: {grad: .3e}")
course_lib.record("saturation_grads_at_minus_10", at_minus_10)
''')

md(r"""
Takeaway (numbers printed above): at $f = -10$, where a sigmoid discriminator gives the fake
$\sigma(-10) \approx 4.5 \times 10^{-5}$, the minimax generator's gradient is about $-4.5 \times 10^{-5}$. The
non-saturating, hinge and Wasserstein losses keep a gradient of magnitude 1, and least squares one of 11
($f - 1$), which grows the further the fake score is from its target. The non-saturating loss has the same fixed
point as the minimax one but a strong gradient early on; that is why the GAN paper recommends it in practice.
""")

md(r"""
## 4. Disjoint supports: Jensen–Shannon against Wasserstein

Take the simplest case: real data is a point mass at 0, generated data a point mass at $\theta$. Moving
$\theta$ towards 0 is clearly progress. Does the distance notice?
""")

code('''
thetas = np.linspace(-3, 3, 121)
js, w = np.array([gan_theory.point_mass_distances(t) for t in thetas]).T
viz.plot_js_vs_wasserstein(thetas, js, w)
plt.show()
probe = [0.5, 1.0, 3.0]
course_lib.record("point_masses", {str(t): dict(zip(["js", "w1"], gan_theory.point_mass_distances(t)))
                                   for t in probe})
print({t: tuple(round(v, 4) for v in gan_theory.point_mass_distances(t)) for t in probe})
''')

md(r"""
Takeaway: the Jensen–Shannon divergence is $\log 2$ for every $\theta \neq 0$, so it gives no gradient. The
Wasserstein-1 distance is $|\theta|$: it keeps saying how far the fakes are (Arjovsky et al. 2017,
arXiv 1701.07875). The WGAN critic estimates it, but only if the critic is 1-Lipschitz. The gradient penalty
pushes the critic's gradient norm towards 1 on points between real and fake samples (Gulrajani et al. 2017,
arXiv 1704.00028):

$$\mathrm{GP} = \lambda\, \mathbb{E}\big[(\lVert \nabla_{\hat x} D(\hat x) \rVert_2 - 1)^2\big], \qquad
\hat x = \epsilon x + (1 - \epsilon) \tilde x, \quad \epsilon \sim U[0, 1] \text{ per sample.}$$

### Exercise ex-01-3: the gradient penalty
The critic $D(x) = \tfrac12 \sum a \odot x^2$ has the gradient $a \odot x$. Write
`gradient_penalty_quadratic(a, real, fake, epsilon, weight)` for image batches `real`, `fake` of shape
$[N, C, H, W]$, `a` of shape $[C, H, W]$ and `epsilon` of shape $[N]$; `weight` is $\lambda$.
""")

exercise("ex-01-3", '''
def gradient_penalty_quadratic(a, real, fake, epsilon, weight):
    """WGAN-GP penalty of the critic D(x) = 1/2 sum(a * x^2); returns a float."""
    raise NotImplementedError  # your code here
''', "gradient_penalty_quadratic")

code('''
rng = np.random.default_rng(SEED)
a_unit = np.full((1, 2, 2), 1.0)
real_imgs, fake_imgs = rng.normal(size=(4, 1, 2, 2)), rng.normal(size=(4, 1, 2, 2))
gp = float(gradient_penalty_quadratic(a_unit, real_imgs, fake_imgs, np.full(4, 0.5), 10.0))
print(f"penalty of D(x) = |x|^2 / 2 on a small batch: {gp:.4f}")
course_lib.record("gp_example", gp)
''')

md(r"""
`fw.losses.gradient_penalty(critic, real, fake, weight, epsilon)` computes the same quantity for any critic
with the framework's autograd (the course's tests check it against this formula and across both frameworks),
and `fw.losses.r1_penalty(discriminator, real, gamma)` is the R1 penalty
$\tfrac{\gamma}{2} \mathbb{E}\lVert \nabla_x D(x) \rVert^2$ on real data (Mescheder et al. 2018, arXiv 1801.04406).

## 5. Explore: move the fakes, watch the gradients

Real data is $\mathcal{N}(0, 1)$. Move the fake distribution with the sliders. The discriminator is fixed: its
output is linear in $x$, with its decision boundary halfway between the two means, and the slider
"D confidence" sets its slope. The right panel shows how hard each loss pushes the fake mean towards the data.
""")

code('''
viz.loss_explorer()
''')

md("""
The same numbers without the widget: a confident $D$ facing far fakes, an unsure one facing close fakes:
""")

code('''
far = viz.explorer_values(mu=6.0, sigma=0.5, confidence=8.0)
near = viz.explorer_values(mu=0.5, sigma=1.0, confidence=1.0)
print(f"{'loss':15s} {'|dL_G/dmu| far':>15s} {'|dL_G/dmu| near':>16s}")
for name in viz.LOSS_NAMES:
    print(f"{name:15s} {abs(far[name]['g_grad']):15.3e} {abs(near[name]['g_grad']):16.3e}")
course_lib.record("explorer_far_grads", {n: far[n]["g_grad"] for n in viz.LOSS_NAMES})
course_lib.record("explorer_near_grads", {n: near[n]["g_grad"] for n in viz.LOSS_NAMES})
''')

md(r"""
Takeaway: far away and against a confident $D$, the minimax generator gets almost no gradient; every other
loss still pushes. Close to the data, all of them do.

## 6. The same small GAN, trained with each loss

A toy problem with known answers: 8 Gaussians on a ring of radius 1 (std 0.01), the geometry of the PacGAN
paper (arXiv 1712.04086). $G$ and $D$ are MLPs with 3 hidden layers of 128 units; each loss gets the same number
of generator steps and one discriminator step per generator step.

**WGAN-GP here is not the paper's recipe.** The paper (arXiv 1704.00028) uses $\lambda = 10$, five critic
steps per generator step, learning rate $10^{-4}$ and Adam's $\beta = (0, 0.9)$. We keep Adam's
$\beta = (0, 0.9)$ but use $\lambda = 0.1$, one critic step and learning rate $10^{-3}$, so that WGAN-GP gets the
same generator steps and discriminator updates as the other four losses in a one-minute budget;
$\lambda = 0.1$ was set by hand with that learning rate (each change not measured alone). Over 700 generator steps (the benchmark's budget) the paper's settings have not yet pulled the samples onto the ring
(`python benchmarks/wgan_gp_settings.py`, torch, seeds 0–2, in `benchmarks/results/wgan_gp_settings_torch.csv`:
medians: ours 6/8 modes, median distance to a mode 0.110; the paper's 3/8 and 0.369, at about 4 times the time). With a long budget, use the paper's settings.

Metrics (PacGAN's, defined in notebook 02): modes captured, high-quality fraction, reverse KL (0 is perfect).
""")

code('''
from course_lib.config import ToyGANConfig
from course_lib.metrics import assign_modes, mode_coverage

steps = TOY_STEPS or nb.pick(500, 6000)
settings = {"wasserstein": dict(gp_weight=0.1, beta1=0.0, beta2=0.9, lr=1e-3)}
# median distance to the nearest mode: a coarse number that already moves early in training
median_distance = lambda samples, means: float(np.median(assign_modes(samples, means)[1]))
runs, toy_records = {}, {}
toy_started = time.perf_counter()
for name in viz.LOSS_NAMES:
    config = ToyGANConfig(data=TOY_DATA, loss=name, steps=steps, seed=SEED, **settings.get(name, {}))
    run = fw.toy_gan.train_toy_gan(config, progress=not QUICK)
    coverage = mode_coverage(run.samples, run.means, run.std)
    runs[name] = run
    toy_records[name] = {"modes": coverage.modes, "high_quality": coverage.high_quality,
                         "reverse_kl": coverage.reverse_kl, "median_distance": median_distance(run.samples, run.means),
                         **run.summary()}
    print(f"{name:15s} modes {coverage.modes}/{len(run.means)}  high quality {coverage.high_quality:6.1%}  "
          f"reverse KL {coverage.reverse_kl:.3f}  median distance {toy_records[name]['median_distance']:.3f}  "
          f"({run.seconds:.1f} s)")
untrained = fw.toy_gan.generate_samples(fw.toy_gan.ToyGenerator(2), 2500, seed=SEED)
course_lib.record("toy_untrained_median_distance", median_distance(untrained, run.means))
course_lib.record("toy_losses", toy_records)
course_lib.record("toy_setup", {"data": TOY_DATA, "steps": steps, "seconds": time.perf_counter() - toy_started})
''')

code('''
panels = [(f"{name}\\n{toy_records[name]['modes']} modes, HQ {toy_records[name]['high_quality']:.0%}", r.samples)
          for name, r in runs.items()]
viz.plot_toy_samples([("untrained G", untrained)] + panels, runs["minimax"].means,
                     title=f"{steps} generator steps per loss ({nb.framework}); x: the modes")
plt.show()
viz.plot_loss_histories({name: r.history for name, r in runs.items()})
plt.show()
''')

md("""
Takeaway: with the same budget, most losses pull the samples close to the ring (compare each median distance
with the untrained generator's). Which loss covers the most modes changes with the seed, the budget and the
framework: one short run is a snapshot, not a ranking. The minimax loss trains here because $D$ is rarely
confident early on. Mode collapse and its remedies are the topic of notebook 02.

## 7. Spot the bug

Each snippet imitates blog code: it runs, and it is wrong. The snippets use probabilities ($D$'s output after
the sigmoid) and `bce(prediction, target)` as PyTorch's `BCELoss` defines it. Read, run, then fix.
""")
code('''
from course_lib.grading.exercises.ex_01 import bce   # -mean(target log(prediction) + (1 - target) log(1 - prediction))

d_caught, d_fooled = np.full(16, 0.01), np.full(16, 0.99)   # D(G(z)) when D catches / is fooled by the fakes
''')

md(r"""
<!-- seed-error: A1 -->
### Exercise ex-01-4: the sign (debug)
A blog post writes the generator's loss as $L_G = \mathbb{E}_z[\log D(G(z))] + \lambda \lVert G(z) \rVert^2$ and
minimises it. Take the first term first (the second is ex-01-7):
```python
def generator_loss_buggy(d_fake):
    return np.mean(np.log(d_fake))        # "the generator maximises log D(G(z))", so minimise this?
```
""")

code('''
def generator_loss_buggy(d_fake):
    return np.mean(np.log(d_fake))

print(f"buggy loss when D catches the fakes: {generator_loss_buggy(d_caught):.3f}, "
      f"when D is fooled: {generator_loss_buggy(d_fooled):.3f}  (lower is what the optimiser seeks)")
course_lib.record("bug_sign_prefers_caught", bool(generator_loss_buggy(d_caught) < generator_loss_buggy(d_fooled)))
''')

md(r"""
Write the fixed **non-saturating** generator loss on probabilities $d = D(G(z))$. (The minimax form
$\log(1 - d)$ has the right sign too, but it is the saturating one of section 3.)
""")

exercise("ex-01-4", '''
def generator_loss_fixed_sign(d_fake):
    """The non-saturating generator loss on probabilities d_fake = D(G(z)) [N]."""
    raise NotImplementedError  # your code here
''', "generator_loss_fixed_sign")

md(r"""
<!-- seed-error: A4 -->
### Exercise ex-01-5: prediction and target swapped (debug)
The argument order of binary cross-entropy differs between libraries: Keras's `binary_crossentropy(y_true,
y_pred)` takes the target first, PyTorch's `BCELoss()(input, target)` the prediction first. Code copied from
one to the other swaps them:
```python
def discriminator_loss_buggy(d_real, d_fake):
    return bce(np.ones_like(d_real), d_real) + bce(np.zeros_like(d_fake), d_fake)
```
""")

code('''
def discriminator_loss_buggy(d_real, d_fake):
    return bce(np.ones_like(d_real), d_real) + bce(np.zeros_like(d_fake), d_fake)

with np.errstate(all="ignore"):
    buggy_value = discriminator_loss_buggy(d_fooled, d_caught)
print(f"buggy discriminator loss on a perfect D: {buggy_value}")
course_lib.record("bug_bce_swapped_is_finite", bool(np.isfinite(buggy_value)))
''')

md(r"""
The log of a target of exactly 0 or 1 is infinite. (PyTorch's `BCELoss` clamps its logs at $-100$, so there the
buggy loss is finite, and silently meaningless.) Write the fixed loss with the same `bce`. Either convention is
accepted: the mean over the real batch plus the mean over the fake batch, or the mean over the $2N$ samples
concatenated (half of it here, since both batches have $N$ samples).
""")

exercise("ex-01-5", '''
def discriminator_loss_fixed_bce(d_real, d_fake):
    """Binary cross-entropy of D: real samples labelled 1, fakes labelled 0 (probabilities [N])."""
    raise NotImplementedError  # your code here
''', "discriminator_loss_fixed_bce")

md(r"""
<!-- seed-error: B1 -->
### Exercise ex-01-6: the generator trained with fake labels (debug)
```python
def generator_loss_buggy_labels(d_fake):
    return bce(d_fake, np.zeros_like(d_fake))      # "the samples are fake, so label them 0"
```
""")

code('''
def generator_loss_buggy_labels(d_fake):
    return bce(d_fake, np.zeros_like(d_fake))

print(f"buggy loss when D catches the fakes: {generator_loss_buggy_labels(d_caught):.3f}, "
      f"when D is fooled: {generator_loss_buggy_labels(d_fooled):.3f}")
course_lib.record("bug_labels_prefers_caught",
                  bool(generator_loss_buggy_labels(d_caught) < generator_loss_buggy_labels(d_fooled)))
''')

exercise("ex-01-6", '''
def generator_loss_fixed_labels(d_fake):
    """The generator's binary cross-entropy on probabilities d_fake = D(G(z)) [N]."""
    raise NotImplementedError  # your code here
''', "generator_loss_fixed_labels")

md(r"""
<!-- seed-error: A5 -->
**A related mistake: $D$'s real outputs as the generator's target.** Some posts write the generator's loss as
`bce(d_fake, d_real)`: the target is $D$'s output on *real* images. The generator's loss must depend only on
$D(G(z))$ and the label "real". With an unsure $D$ ($D(x) = 0.6$ on real images), the buggy loss is smallest
when the fakes also get 0.6, so $G$ stops pushing there:
""")

code('''
candidates = np.linspace(0.05, 0.95, 19)               # a constant D(G(z)) for the whole batch
d_real_unsure = np.full(16, 0.6)
buggy = [bce(np.full(16, p), d_real_unsure) for p in candidates]
fixed = [bce(np.full(16, p), np.ones(16)) for p in candidates]
print(f"buggy target: best D(G(z)) = {candidates[np.argmin(buggy)]:.2f};  label 1: best D(G(z)) = "
      f"{candidates[np.argmin(fixed)]:.2f} (the largest value tried)")
course_lib.record("seed_a5_buggy_optimum", float(candidates[np.argmin(buggy)]))
''')

md(r"""
<!-- seed-error: A2 -->
### Exercise ex-01-7: a pixel penalty sold as weight regularisation (debug)
The second term of that blog loss, $\lambda \lVert G(z) \rVert^2$, is called "regularisation of $G$":
```python
def generator_objective_buggy(fake_logits, fake_images, weights, weight_decay):
    adversarial = np.mean(np.logaddexp(0, -fake_logits))
    l2 = weight_decay * np.sum(fake_images ** 2)     # "L2 regularisation of the generator"
    return adversarial + l2
```
`weights` is the list of $G$'s parameter arrays; `fake_images` is $G$'s output.
""")

code('''
def generator_objective_buggy(fake_logits, fake_images, weights, weight_decay):
    adversarial = np.mean(np.logaddexp(0, -fake_logits))
    return adversarial + weight_decay * np.sum(fake_images ** 2)

rng = np.random.default_rng(SEED)
logits, images = rng.normal(size=16), np.tanh(rng.normal(size=(16, 1, 4, 4)))
weights = [rng.normal(size=(4, 8)), rng.normal(size=8)]
same = generator_objective_buggy(logits, images, weights, 1e-2) == \\
    generator_objective_buggy(logits, images, [10 * w for w in weights], 1e-2)
print(f"scaling every weight by 10 leaves the buggy 'weight regulariser' unchanged: {same}")
course_lib.record("bug_pixel_penalty_ignores_weights", bool(same))
''')

md(r"""
The buggy term pushes every generated pixel towards 0 (grey images in $[-1, 1]$), whatever the weights are.
""")

exercise("ex-01-7", '''
def generator_objective_fixed(fake_logits, fake_images, weights, weight_decay):
    """Non-saturating loss on the logits plus weight_decay times the sum of squares of G's weights."""
    raise NotImplementedError  # your code here
''', "generator_objective_fixed")

md(r"""
<!-- seed-error: A7 -->
<!-- seed-error: B2 -->
### Exercise ex-01-11: what shape does this generator make? (derive, then verify)
Blog code often builds $G$ and $D$ from different tutorials: one post's $G$ makes $32 \times 32 \times 3$ images
while its $D$ and data are $256 \times 256 \times 3$; another's $G$ makes 3 channels for a $(28, 28, 1)$
discriminator. Here is a DCGAN-style generator tail for the shop's grey $28 \times 28$ photos, written in PyTorch:
```python
x = linear(z).reshape(-1, 128, 7, 7)
x = relu(nn.ConvTranspose2d(128, 64, kernel_size=4, stride=2, padding=1)(x))
x = tanh(nn.ConvTranspose2d(64, 3, kernel_size=4, stride=2, padding=1)(x))
```
A transposed convolution maps a height $H_{\text{in}}$ to $H_{\text{out}} = (H_{\text{in}} - 1)\,s - 2p + k$
(stride $s$, padding $p$, kernel $k$; the same for the width). Set `G_IMAGE_SHAPE` to the shape
$(C, H, W)$ of one generated image, before you run the cell that builds the layers.
""")

exercise("ex-01-11", '''
G_IMAGE_SHAPE = None  # (C, H, W)
''', "G_IMAGE_SHAPE")

code('''
if nb.framework == "torch":
    import torch
    tail = torch.nn.Sequential(torch.nn.ConvTranspose2d(128, 64, 4, 2, 1), torch.nn.ReLU(),
                               torch.nn.ConvTranspose2d(64, 3, 4, 2, 1), torch.nn.Tanh())
    made = tuple(int(v) for v in tail(torch.zeros(1, 128, 7, 7)).shape[1:])
else:  # Keras: padding="same" with stride 2 doubles the size, as padding 1 does here
    import tensorflow as tf
    tail = tf.keras.Sequential([tf.keras.layers.Conv2DTranspose(64, 4, strides=2, padding="same", activation="relu"),
                                tf.keras.layers.Conv2DTranspose(3, 4, strides=2, padding="same", activation="tanh")])
    height, width, channels = (int(v) for v in tail(tf.zeros((1, 7, 7, 128))).shape[1:])
    made = (channels, height, width)
print(f"the layers make {made}; your answer (or the fallback): {tuple(G_IMAGE_SHAPE)}; the data and D: (1, 28, 28)")
course_lib.record("g_image_shape_measured", list(made))
''')

md(r"""
The generator makes 3 channels, the data and $D$ have 1: the fix is `ConvTranspose2d(64, 1, ...)` in the last
layer. Make $G$'s output shape equal $D$'s input shape and the data's shape, and check it with one batch
before training.

<!-- seed-error: A8 -->
**The range: $G$ ends in tanh, the data in $[0, 1]$ (a blog mistake).** A generator ending in tanh makes
pixels in $[-1, 1]$; if the real photos are scaled to $[0, 1]$, any negative pixel gives a fake away, and $D$
wins with a one-line rule:
""")

code('''
rng = np.random.default_rng(SEED)
real_unit = rng.integers(0, 256, size=(64, 784)) / 255.0           # data scaled to [0, 1]
fake_tanh = np.tanh(rng.normal(size=(64, 784)))                    # what a tanh generator makes
rule = lambda images: np.any(images < 0, axis=1)                   # "fake if any pixel is negative"
rule_accuracy = (np.mean(~rule(real_unit)) + np.mean(rule(fake_tanh))) / 2
print(f"'any negative pixel' tells real from fake {rule_accuracy:.0%} of the time")
course_lib.record("seed_a8_rule_accuracy", float(rule_accuracy))
''')

md(r"""
The fix: scale the data to the generator's range, $x / 127.5 - 1$ for uint8 photos (exercise ex-00-1).

## Recap

You can now:
- draw the GAN game and say which loss updates which player (and why one summed loss does not work);
- derive $D^* = p_{\text{data}} / (p_{\text{data}} + p_g)$, its logit for two Gaussians, and the value
  $-\log 4$ of the game at $p_g = p_{\text{data}}$;
- write sigmoid losses with logits and softplus, finite for any logit;
- explain saturation: only the minimax generator loss loses its gradient when $D$ rejects the fakes;
- say why Wasserstein still measures the gap when Jensen–Shannon is stuck at $\log 2$;
- write a discriminator training step by hand, and fix the classic loss, label, shape and range bugs.

Next: notebook 02, where training goes wrong (oscillation, mode collapse) and how to fix it.

## Further reading
- Goodfellow et al. 2014, *Generative Adversarial Networks*, arXiv 1406.2661.
- Radford, Metz & Chintala 2015, *DCGAN*, arXiv 1511.06434.
- Mao et al. 2016, *Least Squares GANs*, arXiv 1611.04076.
- Arjovsky, Chintala & Bottou 2017, *Wasserstein GAN*, arXiv 1701.07875.
- Gulrajani et al. 2017, *Improved Training of Wasserstein GANs* (WGAN-GP), arXiv 1704.00028.
- Lim & Ye 2017, *Geometric GAN* (hinge loss), arXiv 1705.02894.
- Mescheder, Geiger & Nowozin 2018, *Which Training Methods for GANs do actually Converge?*, arXiv 1801.04406.
""")

code('''
elapsed = time.perf_counter() - started
course_lib.record("seconds", elapsed)
print(f"notebook ran in {elapsed:.0f} s ({nb.framework}, quick={QUICK})")
''')

book.write(OUT)
