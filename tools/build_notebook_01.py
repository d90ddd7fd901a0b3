"""Build notebooks/01_gan_losses.ipynb (without outputs) from the cells below: `python tools/build_notebook_01.py`."""

from __future__ import annotations

import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from tools.nbbuild import NotebookBuilder  # noqa: E402

OUT = pathlib.Path(__file__).resolve().parents[1] / "notebooks" / "01_gan_losses.ipynb"
book = NotebookBuilder()
md, code, exercise = book.md, book.code, book.exercise


md("""
# 01 · GAN losses, proven against the math

The shop wants product photos that look real. A GAN learns them through a game between two networks: a
generator G that makes images from noise z, and a discriminator D that tells real photos from generated ones.
Everything G learns comes through the loss. So this notebook is about losses.

After this notebook you can:
- write every common GAN loss from its formula, in a numerically stable form;
- derive the optimal discriminator D* and the value of the game, and check them numerically;
- explain why the original generator loss saturates and why Wasserstein, hinge and least-squares losses exist;
- spot the loss bugs that circulate in blog posts, and fix them.

Every formula here has a numpy version in `course_lib.reference` and twins in PyTorch and TensorFlow that
the course's tests check against it. Quick mode (`QUICK = True`) runs in about a minute on a CPU.
""")

book.colab_setup()

code('''
FRAMEWORK = "torch"   # "torch" or "tf"
QUICK = False         # True: a small budget (about a minute on a CPU)
SEED = 0
RECORDS_PATH = ""
TOY_DATA = "ring"     # "ring" (8 modes) or "grid" (25 modes) for the loss comparison
TOY_STEPS = 0         # generator steps per loss; 0: 700 (quick) or 6000 (full: about 4 min on a 2-core CPU)
''', tags=("parameters",))

code('''
import time

import numpy as np
import matplotlib.pyplot as plt

import course_lib
import course_lib.grading
from course_lib.reference import gan_theory, losses as ref
from course_lib.viz import gan_losses as viz

nb = course_lib.setup_notebook("01_gan_losses", FRAMEWORK, QUICK, SEED, RECORDS_PATH)
fw = nb.fw
QUICK = nb.quick
started = time.perf_counter()
print(f"framework: {nb.framework}, quick mode: {QUICK}")
''')

md(r"""
## 1. The game and the optimal discriminator

D(x) is the probability that x is real. D maximises, and G minimises, the value

V(D, G) = E_{x ~ p_data}[log D(x)] + E_{z}[log(1 - D(G(z)))]  (Goodfellow et al. 2014, arXiv 1406.2661).

For a fixed G, the integrand at each x is p_data(x) log D + p_g(x) log(1 - D). Its derivative in D is zero at

D*(x) = p_data(x) / (p_data(x) + p_g(x)).

Put D* back into V and you get V(D*, G) = -log 4 + 2 JSD(p_data ‖ p_g). The Jensen–Shannon divergence JSD
is 0 only when p_g = p_data. So the best G makes D* = 1/2 everywhere, and the game's value is -log 4 ≈ -1.386.
""")

code('''
x = np.linspace(-10, 12, 20001)
p_data = gan_theory.gaussian_pdf(x, 0.0, 1.0)   # real: N(0, 1)
p_g = gan_theory.gaussian_pdf(x, 2.0, 1.0)      # generated: N(2, 1)
d_star = gan_theory.optimal_discriminator(p_data, p_g)
viz.plot_optimal_discriminator(x, p_data, p_g, d_star, title="D* for real N(0, 1) and generated N(2, 1)")
plt.show()
''')

md("""
Takeaway: D* is close to 1 where only real data lives, close to 0 where only fakes live, and 1/2 where the
densities cross.

Now check the value of the game numerically, by quadrature on the grid.
""")

code('''
d_star_logit = gan_theory.optimal_discriminator_logit(np.log(p_data), np.log(p_g))
value_shifted = gan_theory.game_value(x, p_data, p_g, d_star_logit)
closed_form = -np.log(4) + 2 * gan_theory.js_divergence(p_data, p_g, x)
value_equal = gan_theory.game_value(x, p_data, p_data, np.zeros_like(x))   # p_g = p_data, D* = 1/2
print(f"p_g = p_data:   V(D*, G) = {value_equal:.6f}   (-log 4 = {-np.log(4):.6f})")
print(f"p_g = N(2, 1):  V(D*, G) = {value_shifted:.6f}   (-log 4 + 2 JSD = {closed_form:.6f})")
course_lib.record("game_value_equal", value_equal)
course_lib.record("game_value_shifted", value_shifted)
course_lib.record("game_value_shifted_closed_form", closed_form)
''')

md("""
The discriminator's loss is -V: binary cross-entropy with target 1 on real and 0 on generated samples. At
D = 1/2 (logit 0) on both, it is log 4. The library's twin gives the same number:
""")

code('''
half = np.zeros(8)   # logits 0: D = 1/2
twin_value = float(fw.utils.to_numpy(fw.losses.minimax_discriminator_loss(half, half)))
print(f"{nb.framework}: minimax_discriminator_loss at D = 1/2 is {twin_value:.6f} (log 4 = {np.log(4):.6f})")
course_lib.record("twin_d_loss_at_half", twin_value)
''')

md(r"""
## 2. The losses, written with logits

A network outputs a logit f, and D = sigmoid(f). Never compute log(sigmoid(f)): for f = -100, sigmoid(f)
underflows and the log is -inf. Use the identities -log sigmoid(f) = softplus(-f) and
-log(1 - sigmoid(f)) = softplus(f), with softplus(f) = log(1 + e^f) computed stably.
Below, r is D's output on a real sample and f on a generated one; the losses are means over the batch.

| name | D's loss | G's loss |
|---|---|---|
| minimax (arXiv 1406.2661) | -log sigmoid(r) - log(1 - sigmoid(f)) | log(1 - sigmoid(f)) |
| non-saturating (same paper) | same as minimax | -log sigmoid(f) |
| least squares, LSGAN (arXiv 1611.04076) | 1/2 (r - 1)^2 + 1/2 f^2 | 1/2 (f - 1)^2 |
| hinge (arXiv 1705.02894) | max(0, 1 - r) + max(0, 1 + f) | -f |
| Wasserstein, WGAN (arXiv 1701.07875) | f - r | -f |

`fw.losses` has each of them (for example `fw.losses.hinge_discriminator_loss(real_scores, fake_scores)`),
with `reduction="mean" | "sum" | "none"`.

### Exercise ex-01-1: the non-saturating generator loss
Write `non_saturating_generator_loss(fake_logits)` in numpy: the mean of -log sigmoid(f) over the batch.
It must stay finite for float32 logits anywhere in [-100, 100].
""")

exercise("ex-01-1", '''
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

md("""
## 3. Why the minimax generator loss saturates

Early in training the fakes are poor, and D rejects them with confidence: f is very negative and
D(G(z)) = sigmoid(f) is close to 0. What the generator learns depends on the derivative of its loss in f.

### Exercise ex-01-2: predict before you plot
Which generator losses of the table have a derivative that goes to 0 as f → -∞? Set `SATURATING_LOSSES` to
a list of names from `["minimax", "non_saturating", "least_squares", "hinge", "wasserstein"]`.
""")

exercise("ex-01-2", '''
SATURATING_LOSSES = None  # e.g. ["hinge"]
''', "SATURATING_LOSSES")

md("""
Now measure. The derivatives below come from the framework's automatic differentiation, not from a formula.
""")

code('''
from course_lib.config import GAN_LOSS_PAIRS

f = np.linspace(-10, 5, 301)
curves = {}
for name, (_, g_name) in GAN_LOSS_PAIRS.items():
    curves[name] = fw.loss_gradients.loss_and_gradient(getattr(fw.losses, g_name), f)
viz.plot_saturation(f, curves)
plt.show()
at_minus_10 = {name: float(grad[0]) for name, (_, grad) in curves.items()}
for name, grad in at_minus_10.items():
    print(f"{name:15s} d loss / d f at f = -10 (D(G(z)) = 4.5e-05): {grad: .3e}")
course_lib.record("saturation_grads_at_minus_10", at_minus_10)
''')

md("""
Takeaway: only the minimax loss has a vanishing gradient where D rejects the fakes (about 5e-5 at f = -10,
against about 1 for the others). The non-saturating loss has the same fixed point but a strong gradient early
on; that is why the GAN paper recommends it in practice.
""")

md("""
## 4. Disjoint supports: Jensen–Shannon against Wasserstein

Take the simplest case: real data is a point mass at 0, generated data a point mass at θ. Moving θ towards 0
is clearly progress. Does the distance notice?
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

md("""
Takeaway: the Jensen–Shannon divergence is log 2 for every θ ≠ 0, so it gives no gradient. The
Wasserstein-1 distance is |θ|: it keeps saying how far the fakes are (Arjovsky et al. 2017, arXiv 1701.07875).
The WGAN critic estimates it, but only if the critic is 1-Lipschitz. The gradient penalty pushes the
critic's gradient norm towards 1 on points between real and fake samples (Gulrajani et al. 2017,
arXiv 1704.00028):

GP = λ · E[(‖∇_x D(x̂)‖₂ − 1)²],  x̂ = ε x + (1 − ε) x_fake,  ε ~ U[0, 1] per sample.

### Exercise ex-01-3: the gradient penalty
The critic D(x) = 1/2 · sum(a · x²) has the gradient a · x. Write `gradient_penalty_quadratic(a, real, fake,
epsilon, weight)` for image batches `real`, `fake` of shape [N, C, H, W], `a` of shape [C, H, W] and
`epsilon` of shape [N]. Take one norm per sample, over all axes but the first.
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

md("""
`fw.losses.gradient_penalty(critic, real, fake, weight, epsilon)` computes the same quantity for any critic
with the framework's autograd (the course's tests check it against this formula and across both frameworks),
and `fw.losses.r1_penalty(discriminator, real, gamma)` is the R1 penalty γ/2 · E‖∇D(x)‖² on real data
(Mescheder et al. 2018, arXiv 1801.04406).

## 5. Explore: move the fakes, watch the gradients

Real data is N(0, 1). Move the fake distribution with the sliders. The discriminator is fixed: its output is
linear in x, with its decision boundary halfway between the two means, and the slider "D confidence" sets
its slope. The right panel shows how hard each loss pushes the fake mean towards the data.
""")

code('''
viz.loss_explorer()
''')

md("""
The same numbers without the widget, for a confident discriminator facing far-away fakes, and for an unsure
one facing close fakes:
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

md("""
Takeaway: far away and against a confident D, the minimax generator gets almost no gradient; every other loss
still pushes. Close to the data, all of them do.

## 6. The same small GAN, trained with each loss

A toy problem with known answers: 8 Gaussians on a ring of radius 1 (std 0.01), the geometry of the PacGAN
paper (arXiv 1712.04086). G and D are MLPs with 3 hidden layers of 128 units; each loss gets the same number
of generator steps. The Wasserstein loss needs a Lipschitz critic: it uses the gradient penalty with λ = 0.1
and Adam's β = (0, 0.9) as in the WGAN-GP paper, with learning rate 1e-3.

Metrics (PacGAN's definitions, `course_lib.metrics.mode_coverage`): a sample is high quality within 3 std of
its nearest mode; a mode is captured when at least one high-quality sample is nearest to it; the reverse KL
compares the captured modes' histogram with the uniform one (0 is perfect).
""")

code('''
from course_lib.config import ToyGANConfig
from course_lib.metrics import mode_coverage

steps = TOY_STEPS or nb.pick(700, 6000)
settings = {"wasserstein": dict(gp_weight=0.1, beta1=0.0, beta2=0.9, lr=1e-3)}


def median_distance(samples, means):
    """Median distance of the samples to their nearest mode (a coarse number that moves early in training)."""
    return float(np.median(np.linalg.norm(samples[:, None] - means[None], axis=-1).min(axis=1)))


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
with the untrained generator's). Which loss covers the most modes changes with the seed, the budget and even
the framework, so one short run is a snapshot, not a ranking: try other seeds, or `QUICK = False`.
The minimax loss trains here because D is rarely confident early on; saturation bites when D wins early,
as the explorer shows. Mode collapse and its remedies are the topic of notebook 02.

## 7. Spot the bug

Each snippet below imitates code that circulates in blog posts. It runs, and it is wrong. The snippets use
probabilities (D(x) after the sigmoid) and `bce(prediction, target)`, binary cross-entropy as PyTorch's
`BCELoss` defines it. Read the snippet, look at the symptom, then write the fixed function.
""")

code('''
from course_lib.grading.exercises.ex_01 import bce   # -mean(target log(prediction) + (1 - target) log(1 - prediction))

d_caught, d_fooled = np.full(16, 0.01), np.full(16, 0.99)   # D(G(z)) when D catches / is fooled by the fakes
''')

md("""
### Exercise ex-01-4: the sign
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

exercise("ex-01-4", '''
def generator_loss_fixed_sign(d_fake):
    """The non-saturating generator loss on probabilities d_fake = D(G(z)) [N]."""
    raise NotImplementedError  # your code here
''', "generator_loss_fixed_sign")

md("""
### Exercise ex-01-5: prediction and target swapped
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

md("""
The log of a target of exactly 0 or 1 is infinite. (PyTorch's `BCELoss` clamps its logs at -100, so there the
buggy loss is finite, and silently meaningless.)
""")

exercise("ex-01-5", '''
def discriminator_loss_fixed_bce(d_real, d_fake):
    """Binary cross-entropy of D: real samples labelled 1, fakes labelled 0 (probabilities [N])."""
    raise NotImplementedError  # your code here
''', "discriminator_loss_fixed_bce")

md("""
### Exercise ex-01-6: the generator trained with fake labels
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

md("""
### Exercise ex-01-7: a pixel penalty sold as weight regularisation
```python
def generator_objective_buggy(fake_logits, fake_images, weights, weight_decay):
    adversarial = np.mean(np.logaddexp(0, -fake_logits))
    l2 = weight_decay * np.sum(fake_images ** 2)     # "L2 regularisation of the generator"
    return adversarial + l2
```
`weights` is the list of G's parameter arrays; `fake_images` is G's output.
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

md("""
The buggy term pushes every generated pixel towards 0 (grey images in [-1, 1]), whatever the weights are.
""")

exercise("ex-01-7", '''
def generator_objective_fixed(fake_logits, fake_images, weights, weight_decay):
    """Non-saturating loss on the logits plus weight_decay times the sum of squares of G's weights."""
    raise NotImplementedError  # your code here
''', "generator_objective_fixed")

md("""
### Exercise ex-01-8: the discriminator's input size
A generator for grey 28x28 product photos, and a discriminator copied from a tutorial on colour images:
```python
G = ToyGenerator(latent_dim=8, out_dim=28 * 28)       # images, flattened
D = ToyDiscriminator(in_dim=28 * 28 * 3)              # 3 colour channels
```
""")

code('''
G = fw.toy_gan.ToyGenerator(latent_dim=8, hidden=32, depth=1, out_dim=28 * 28)
fakes = fw.toy_gan.generate_samples(G, 4, seed=SEED)
try:
    fw.toy_gan.discriminate(fw.toy_gan.ToyDiscriminator(in_dim=28 * 28 * 3, hidden=32, depth=1), fakes)
except ValueError as error:
    print("ValueError:", error)
''')

exercise("ex-01-8", '''
D_IN_FEATURES = None  # the number of input features D needs
''', "D_IN_FEATURES")

code('''
D = fw.toy_gan.ToyDiscriminator(in_dim=D_IN_FEATURES, hidden=32, depth=1)
print("D's outputs on the generator's images:", np.round(fw.toy_gan.discriminate(D, fakes), 3))
course_lib.record("bug_input_size_fixed_outputs", int(len(fw.toy_gan.discriminate(D, fakes))))
''')

md("""
## Summary

- D* = p_data / (p_data + p_g); at p_g = p_data the game's value is -log 4 (checked above to 6 decimals).
- Write sigmoid losses with logits and softplus; they stay finite for any logit.
- The minimax generator loss saturates when D rejects the fakes; the non-saturating, least-squares, hinge and
  Wasserstein losses do not.
- On disjoint supports JS is stuck at log 2 while the Wasserstein distance measures the gap.
- Next: notebook 02, where training goes wrong (oscillation, mode collapse) and how to fix it.
""")

code('''
elapsed = time.perf_counter() - started
course_lib.record("seconds", elapsed)
print(f"notebook ran in {elapsed:.0f} s ({nb.framework}, quick={QUICK})")
''')

book.write(OUT)
