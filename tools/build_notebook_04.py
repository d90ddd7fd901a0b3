"""Build notebooks/04_product_image_project.ipynb (without outputs): `python tools/build_notebook_04.py`."""

from __future__ import annotations

import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from tools.nbbuild import NotebookBuilder  # noqa: E402

OUT = pathlib.Path(__file__).resolve().parents[1] / "notebooks" / "04_product_image_project.ipynb"
book = NotebookBuilder()
md, code, exercise = book.md, book.code, book.exercise


md(r"""
# 04 · The product-image project: a conditional GAN, trained on a GPU, evaluated honestly

The shop needs a catalogue: every kind of product, several pictures each. In this notebook you build a
generator $G(z, y)$ that makes a picture of the product kind $y$ you ask for, train it on a GPU, and measure how
good it is against honest baselines.

**Prerequisites:** notebooks 01 (GAN losses, including the hinge loss), 02 (training health, mode collapse) and
03 (the VAE, used here as a baseline). **Student time:** about 90 minutes, plus the training runs in full mode (on
an H100 about 35 s for ours and 75 s for the baseline, start-up included; a Colab GPU is slower, not measured here).

After this notebook you can:
- build a class-conditional generator $G(z, y)$ with conditional BatchNorm and a projection discriminator
  $D(x, y)$ with spectral normalisation;
- train with an exponential moving average (EMA) of $G$, mixed precision, checkpoints and resume;
- evaluate with FID, KID, precision/recall and class consistency, all measured with the course's own classifier,
  against a floor and a tutorial-style baseline, and read such a table;
- make a catalogue sheet, trade fidelity against diversity with the truncation trick, and say what a catalogue
  may and may not show.

**Two modes, said plainly.** Full mode (`QUICK = False`) is meant for a GPU runtime (Colab: Runtime → Change
runtime type → GPU): it trains the models of this notebook and shows *them*. Quick mode (`QUICK = True`) runs on a
CPU in a few minutes: it trains small models for 100 steps **to show the loop** (their pictures are blobs), then
loads **shipped weights** of the same product generator, trained beforehand with this notebook's full mode on a
GPU (`course_lib/product/assets/`, SHA-256 checked), to show a real catalogue and its metrics. Every table row and
figure title says which generator it shows.
""")

book.colab_setup()

code('''
FRAMEWORK = "torch"   # "torch" or "tf"
QUICK = False         # True: 100 training steps to show the loop, then the shipped weights for the catalogue
SEED = 0
RECORDS_PATH = ""
STEPS = 0             # training steps per model; 0: 100 (quick) or 6000 (full)
RUN_NAME = "product_gan"
''', tags=("parameters",))

code('''
import json
import time
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

import course_lib
import course_lib.grading
from course_lib import metrics
from course_lib import viz as viz_diagrams
from course_lib.config import ProductGANConfig
from course_lib.data import FASHION_MNIST_CLASSES, load_fashion_mnist
from course_lib import metrics
from course_lib.latents import catalogue_labels, latent_batch
from course_lib.product.shipped import load_shipped_generator, shipped_generator_info
from course_lib.viz import product as viz

nb = course_lib.setup_notebook("04_product_image_project", FRAMEWORK, QUICK, SEED, RECORDS_PATH)
fw = nb.fw
QUICK = nb.quick
started = time.perf_counter()
print(f"framework: {nb.framework}, quick mode: {QUICK}, accelerator: {fw.utils.device()}")
''')

md(r"""
## 1. The data pipeline

Fashion-MNIST: 60,000 training photos, 28×28 grey levels, ten product kinds $y \in \{0, \dots, 9\}$. On a GPU the
trainer copies the whole training set to the GPU once ($60{,}000 \times 784 \times 4$ bytes = 188 MB as float32)
and slices batches there, so no batch ever crosses the PCIe bus. Quick mode trains on the first 2,048 images only.
""")

code('''
images, labels = load_fashion_mnist("train")
LIMIT = nb.pick(2048, None)
train_images, train_labels = (images[:LIMIT], labels[:LIMIT]) if LIMIT else (images, labels)
print(f"{len(train_images)} training images; images per class:", np.bincount(train_labels, minlength=10))
first_of_each = np.concatenate([train_images[train_labels == c][:8] for c in range(10)])
plt.figure(figsize=(6, 7.5))
plt.imshow(viz.image_grid(first_of_each, ncols=8), cmap="gray")
plt.title("Real products: one row per class"); plt.xlabel("8 examples"); plt.ylabel("class 0 (top) to 9"); plt.xticks([]); plt.yticks([])
plt.show()
course_lib.record("n_train_images", len(train_images))
''')

md(r"""
Takeaway: the counts printed above are close to equal per class, so a generator that covers every class equally
is what we want.

## 2. The model: $G(z, y)$ with conditional BatchNorm and a projection discriminator $D(x, y)$

What we build is a **DCGAN-style conditional GAN**: DCGAN's all-convolutional $G$ and $D$ and its initialisation
(arXiv 1511.06434), with the class entering $G$ through conditional BatchNorm and $D$ through a projection, spectral
normalisation in $D$, the hinge loss, an EMA of $G$, and Adam with $\beta_1 = 0$, $\beta_2 = 0.9$ (as in the
spectral-normalisation paper). DiffAugment (arXiv 2006.10738) is available (`diffaugment=` in the config) and off
by default. It is not "the DCGAN recipe": that recipe is unconditional, uses the cross-entropy loss and no
normalisation of $D$; it is the baseline below.
""")

code('''
viz_diagrams.conditional_gan_diagram()
plt.show()
''')

md(r"""
**Generator.** $z \sim \mathcal{N}(0, I)$ is mapped by a dense layer to a 7×7 feature map, then upsampled twice
(nearest neighbour + 3×3 convolution, BatchNorm, ReLU) to 28×28, and squashed to $[-1, 1]$ by $\tanh$. The class
does **not** enter as an input vector: after each of the three normalisations, **conditional BatchNorm**
(de Vries et al. 2017, arXiv 1707.00683) scales and shifts every channel by a learned per-class gain and bias,
$$\mathrm{CBN}(h, y) = \mathrm{BN}(h) \odot (1 + \gamma_y) + \beta_y ,$$
with $\gamma_y, \beta_y$ one row of a table with one row per class, initialised at 0 (plain BatchNorm at the start).
So the class changes *how* every layer renders the features, at every resolution.

**Discriminator.** Three spectrally normalised convolutions (LeakyReLU) and a sum over positions give features
$\phi(x)$. The score is
$$D(x, y) = \psi(\phi(x)) + \langle \mathrm{embed}(y), \phi(x) \rangle :$$
an unconditional realism term plus the inner product of the features with a learned vector for the requested
class. This is the *projection discriminator* (Miyato & Koyama 2018, arXiv 1802.05637).

**Why projection, not ACGAN?** An ACGAN discriminator (arXiv 1610.09585) adds a classifier head and a
cross-entropy loss for $y$. That pushes $G$ towards images that are *easy to classify*, which is known to reduce
diversity within a class, and it needs a loss weight to tune. Projection keeps one loss and lets $D$ judge "a real
image *of this class*" directly; Miyato & Koyama report better scores than ACGAN on ImageNet.

**Spectral normalisation** (arXiv 1802.05957) divides every weight matrix of $D$ by its largest singular value,
estimated with one power-iteration step per update. $D$ then cannot change too fast, which keeps the game stable.

### Exercise ex-04-6 (build): the generator's class input
Write `conditional_batch_norm(h, y, gain, bias, eps=1e-5)` in numpy, in training mode: `h` are features of shape
$(N, C, H, W)$, `y` the requested classes (ints, shape $[N]$), `gain` and `bias` the per-class tables of shape
(classes, $C$). Normalise with the batch's statistics as BatchNorm does, then apply the class's gain and bias as
in the formula above. The grader runs it on hidden batches and tables.
""")

exercise("ex-04-6", '''
def conditional_batch_norm(h, y, gain, bias, eps=1e-5):
    # your code here: BatchNorm statistics, then the per-class scale and shift
    raise NotImplementedError
''', "conditional_batch_norm")

code('''
# What the class input does: the same features, two requested classes, two different outputs;
# with all-zero tables (the start of training) it is plain BatchNorm: mean 0 and variance 1 per channel
rng = np.random.default_rng(SEED)
h_demo = rng.normal(2.0, 3.0, size=(8, 4, 5, 5))
gain_demo, bias_demo = rng.normal(0, 0.5, size=(10, 4)), rng.normal(0, 0.5, size=(10, 4))
as_shoe = conditional_batch_norm(h_demo, np.full(8, 7), gain_demo, bias_demo)
as_shirt = conditional_batch_norm(h_demo, np.full(8, 6), gain_demo, bias_demo)
plain = conditional_batch_norm(h_demo, np.full(8, 7), np.zeros((10, 4)), np.zeros((10, 4)))
print("channel means, class 7:", as_shoe.mean(axis=(0, 2, 3)).round(2), " class 6:", as_shirt.mean(axis=(0, 2, 3)).round(2))
print("zero tables: channel means", plain.mean(axis=(0, 2, 3)).round(3), " variances", plain.var(axis=(0, 2, 3)).round(3))
course_lib.record("cbn_plain_variance", plain.var(axis=(0, 2, 3)))
''')

code('''
STEPS = STEPS or nb.pick(100, 6000)
config = ProductGANConfig(
    name=f"{RUN_NAME}_{FRAMEWORK}_{'quick' if QUICK else 'full'}", width=nb.pick(16, 64),
    batch_size=nb.pick(32, 128), steps=STEPS, limit=LIMIT, seed=SEED,
    sample_every=nb.pick(10**9, 1000), checkpoint_every=nb.pick(10**9, 1000), log_every=nb.pick(10, 100))
generator, discriminator = fw.product_train.build_models(config)
print(f"G: {fw.product_gan.count_parameters(generator):,} weights, D: {fw.product_gan.count_parameters(discriminator):,} weights")
print(json.dumps(course_lib.config.asdict(config), indent=1))
''')

md(r"""
## 3. The EMA of the generator

$G$'s weights jump around while the game is played. Averaging them over recent steps gives a smoother,
usually better generator (Yazıcı et al. 2018, arXiv 1806.04498):
$$\theta_{\text{EMA}} \leftarrow d \, \theta_{\text{EMA}} + (1 - d)\, \theta, \qquad d = 0.999 .$$
The EMA copy is never trained; only the samples come from it. The trainer warms the average up with
$d_t = \min\!\big(d, \tfrac{1 + t}{10 + t}\big)$ at step $t$, so a short run is not dominated by its random start.

### Exercise ex-04-4 (derive): how long does the average remember?
Suppose $G$'s weights jump once to new values and then stay there. With $d = 0.999$ (ignore the warm-up), after
how many EMA steps is less than **1 %** of the jump still missing from $\theta_{\text{EMA}}$? Work it out on
paper and assign the number of steps (a real number is fine) to `ema_steps_to_one_percent`.
""")

exercise("ex-04-4", '''
ema_steps_to_one_percent = None   # a number of steps
''', "ema_steps_to_one_percent")

code('''
# The truth, by running the update: the gap to a fixed target after k steps
gap = [1.0]
for _ in range(6000):
    gap.append(0.999 * gap[-1] + (1 - 0.999) * 0.0)
first_below = int(np.argmax(np.array(gap) < 0.01))
print(f"gap left after 1000 steps: {gap[1000]:.3f};  first step with less than 1 % left: {first_below};  "
      f"your answer: {float(ema_steps_to_one_percent):.0f}")
course_lib.record("ema_gap_after_1000", gap[1000])
course_lib.record("ema_steps_to_one_percent", first_below)
''')

md(r"""
Takeaway: $1 / (1 - d) = 1000$ steps is the average's time scale, after which about 37 % of a change is still
missing (printed above); forgetting 99 % of it takes about 4,600 steps, most of a 6,000-step run.

## 4. Training

`train_product_gan` runs the loop below in either framework, with the same numbered steps:
1. sample $z$ and requested classes $y$;
2. update $D$ with the hinge loss
   $\mathcal{L}_D = \mathbb{E}\big[\max(0, 1 - D(x, y))\big] + \mathbb{E}\big[\max(0, 1 + D(G(z, y), y))\big]$;
3. update $G$ with $\mathcal{L}_G = -\mathbb{E}\big[D(G(z, y), y)\big]$;
4. update the EMA of $G$;
5. log, guard against NaN, save sample grids and checkpoints. At every logged step the health monitor of
   notebook 02 reads the two losses and warns in plain words if $D$ overpowers $G$ or $G$'s loss blows up.

On a GPU it also holds the data on the device, uses bf16 mixed precision (fp16 with loss scaling on older GPUs)
and compiles the models (`torch.compile` / `tf.function(jit_compile=True)`). A model this small is not limited by
arithmetic: each step is several hundred small kernels, and the GPU waits while Python launches them one by one.
So in PyTorch the trainer records one whole step (both updates, Adam, the EMA) as a CUDA graph and replays it
(`cuda_graph="auto"`; off with fp16, whose loss scaler decides on the host); TensorFlow compiles the whole step
with XLA instead (not yet timed on a GPU).

**Speed, from `benchmarks/results/README.md`** (PyTorch, one H100, batch 128, width 64): in the **steady state**
the course loop trains 65,000 images/s against 7,200 for the tutorial-style loop (9.1×, median of 3 interleaved
runs), and only about 1.5× without the CUDA graph. For a whole 6,000-step run that is 12–14 s against 70–78 s;
a fresh process adds about 20 s of **compilation and graph capture** before the first fast step, so the first run
of the course recipe takes about 35 s of wall time. The cell below prints both kinds of number for the run you
make: wall seconds (start-up included) and the trainer's images/s, which it measures after the first 10 steps.
On a CPU (quick mode) neither GPU lever applies and the two loops run at similar speeds.

Checkpoints (models, EMA, optimisers, step, RNG state) go to `runs/<name>/checkpoints/` — to Google Drive when it
is mounted in Colab — and the newest three are kept. Run the cell again after a disconnect: it resumes where the
last checkpoint left off.
""")

code('''
from course_lib.health import TrainingMonitor

monitor = TrainingMonitor(window=nb.pick(2, 20))  # notebook 02's health monitor: prints a warning if training goes wrong
t0 = time.perf_counter()
ours = fw.product_train.train_product_gan(config, images=train_images, labels=train_labels, resume=not QUICK,
                                          monitor=monitor)
ours_seconds = time.perf_counter() - t0
print(f"ours, trained here: {ours['step']} steps in {ours_seconds:.1f} s of wall time (start-up included); "
      f"steady state {ours['images_per_second']:.0f} images/s; run folder: {ours['run_dir']}")
print("health:", monitor.report())
course_lib.record("ours_train_seconds", ours_seconds)
course_lib.record("ours_images_per_second", ours["images_per_second"])
course_lib.record("health_monitored_steps", len(monitor.steps))
''')

md(r"""
**The baseline.** The recipe of many blog posts, which *is* the DCGAN recipe: an unconditional DCGAN with the
binary cross-entropy loss, no spectral normalisation, no EMA, Adam($\beta_1 = 0.5$, $\beta_2 = 0.999$), batches
from a host-side data loader, fp32, no compilation. Same architecture, data, batch size and number of steps.
""")

code('''
baseline_config = config.tutorial_baseline()
t0 = time.perf_counter()
baseline = fw.product_train.train_product_gan(baseline_config, images=train_images, labels=train_labels, resume=not QUICK)
baseline_seconds = time.perf_counter() - t0
print(f"baseline, trained here: {baseline['step']} steps in {baseline_seconds:.1f} s of wall time; "
      f"steady state {baseline['images_per_second']:.0f} images/s")
viz.plot_losses({"ours (hinge)": ours["history"], "baseline (BCE)": baseline["history"]})
plt.show()
course_lib.record("baseline_train_seconds", baseline_seconds)
''')

md(r"""
Takeaway: the two losses are on different scales (hinge versus cross-entropy), so the curves say little about
image quality. That is why we measure.

## 5. The shipped generator

Quick mode's 100 steps show the loop, not what the model can do. The course ships weights of the same product
generator (conditional BatchNorm, trained with the course recipe on all 60,000 training images) as one
framework-neutral file that both twins load; the loader checks its SHA-256 first. They are this notebook's full
mode (6,000 steps of batch 128 at width 64), trained once on a GPU by `scripts/train_shipped_product_gan.py`.
The cell prints what the file says about itself: steps, width, batch, device and seconds of training (wall time;
that GPU was shared with four other training runs).
""")

code('''
shipped = load_shipped_generator(nb.framework)
shipped_info = shipped_generator_info()
print(f"shipped generator: {shipped_info['step']} steps, width {shipped_info['width']}, batch "
      f"{shipped_info['config']['batch_size']}, {shipped_info['train_seconds']:.0f} s of training (wall time) on "
      f"{shipped_info.get('device', 'a CPU')}; made by: {shipped_info['command']}")
# from here on, the pictures come from this generator: the one trained here in full mode, the shipped one in quick mode
showcase = shipped if QUICK else ours["ema_generator"]
showcase_name = "shipped weights" if QUICK else f"trained here, {ours['step']} steps"
print("the catalogue, truncation and interpolation below use:", showcase_name)
course_lib.record("shipped_step", shipped_info["step"])
''')

md(r"""
## 6. Evaluation, measured with the course classifier

FID from papers uses Inception-v3 features of ImageNet photos; for 28×28 grey products those features say
little. The course ships its own Fashion-MNIST classifier (`course_lib/metrics/assets/eval_classifier.npz`, 92.7 % test accuracy,
run in numpy so no framework changes the numbers). Every metric below is **measured with the course
classifier**: comparable within this course, not with published Inception FIDs. With features $f$ of real
($r$) and generated ($g$) images:

- **FID (course classifier)** (arXiv 1706.08500): the Fréchet distance between Gaussians fitted to the 128-d
  features, $\lVert \mu_r - \mu_g \rVert^2 + \mathrm{tr}\big(C_r + C_g - 2 (C_r C_g)^{1/2}\big)$.
- **KID** (arXiv 1801.01401): a *different* quantity, the squared maximum mean discrepancy between the two
  feature distributions under the polynomial kernel $k(a, b) = (a^\top b / d + 1)^3$, estimated without bias
  (averaged over random subsets). It compares all moments through the kernel, not just a mean and a covariance;
  being unbiased, its estimate scatters around the true value, so for two samples of the same distribution it can
  come out slightly below 0.
- **Precision / recall** (arXiv 1904.06991): the share of generated images inside the real manifold (fidelity)
  and of real images inside the generated manifold (diversity), manifolds built from $k$-nearest-neighbour balls.
- **Class consistency**: how often the classifier names the class we asked for.

### Exercise ex-04-2: the Fréchet distance
Write the Fréchet distance between two Gaussians with means `mu_a`, `mu_b` and covariances `cov_a`, `cov_b`
(`scipy.linalg.sqrtm` computes a matrix square root).
""")

exercise("ex-04-2", '''
def frechet_distance(mu_a, cov_a, mu_b, cov_b):
    # your code here
    raise NotImplementedError
''', "frechet_distance")

code('''
classifier = metrics.load_classifier()
test_images, test_labels = load_fashion_mnist("test")
N_EVAL = nb.pick(500, 5000)
real_a, _, _ = metrics.real_features("train", N_EVAL, SEED)
real_b, _, _ = metrics.real_features("test", N_EVAL, SEED + 1)
mine = frechet_distance(*metrics.feature_statistics(real_a), *metrics.feature_statistics(real_b))
print(f"FID (course classifier) between {N_EVAL} train and {N_EVAL} test images: yours {mine:.3f}, "
      f"library {metrics.frechet_distance(real_a, real_b):.3f}")
accuracy = metrics.class_consistency(classifier.logits(test_images[:2000]), test_labels[:2000])
print(f"class consistency of real test images = the classifier's accuracy on 2,000 of them: {accuracy:.3f}")
course_lib.record("classifier_accuracy_2000", accuracy)
''')

md(r"""
<!-- seed-error: A9 -->
**Spot the bug (blog mistake A9).** A test set built with the training pipeline's augmentation:

```python
test_loader = make_loader(test_images, augment=True)   # the same random shifts and cut-outs as in training
fid = fid_score(generated, next(iter(test_loader)))
```

Why it is wrong: augmentation is a training device (here DiffAugment's translations and cut-outs). Real test
images that went through it are no longer samples of $p_{\text{data}}$: every metric then compares the generator
with a distorted target, and the floor itself moves. The fix: evaluate on the un-augmented test images. The cell
below measures how far the augmented test set sits from real training images, next to the clean one.
""")

code('''
def shift_and_cut(images_u8, seed):
    """DiffAugment's translation (up to 3 pixels, background fill) and cut-out (a 14x14 square), in numpy."""
    rng = np.random.default_rng(seed)
    out = np.zeros_like(images_u8)
    for i, image in enumerate(images_u8):
        dy, dx = rng.integers(-3, 4, size=2)
        out[i] = np.roll(np.pad(image, 3), (dy, dx), axis=(0, 1))[3:-3, 3:-3]
        cy, cx = rng.integers(0, 28, size=2)
        out[i, max(cy - 7, 0):cy + 7, max(cx - 7, 0):cx + 7] = 0
    return out

clean_test = test_images[:N_EVAL]
augmented_features = classifier.features_and_logits(shift_and_cut(clean_test, SEED))[0]
clean_features = classifier.features_and_logits(clean_test)[0]
augmentation_check = {"clean test": metrics.frechet_distance(real_a, clean_features),
                      "augmented test": metrics.frechet_distance(real_a, augmented_features)}
for name, value in augmentation_check.items():
    print(f"FID (course classifier), real train vs {name:14s}: {value:7.2f}")
course_lib.record("augmentation_check", augmentation_check)
''')

md(r"""
**The table.** The floor is what a perfect generator would score: the same metrics between real training and
real test images. Every row uses `N_EVAL` images, because FID is biased upwards for small $N$. In quick mode there
are two rows for our model: the one trained here for 100 steps, and the shipped weights.
""")

code('''
eval_labels = np.arange(N_EVAL) % 10
ours_images = fw.product_gan.sample_images(ours["ema_generator"], eval_labels, seed=SEED + 1)
baseline_images = fw.product_gan.sample_images(baseline["ema_generator"], eval_labels, seed=SEED + 1)
shipped_images = fw.product_gan.sample_images(shipped, eval_labels, seed=SEED + 1)
table = {  # stable keys for the records; row_names says which generator each row is
    "floor": metrics.metric_floor(n=N_EVAL, seed=SEED),
    "baseline": metrics.evaluate_images(baseline_images, None, seed=SEED),
    "ours_trained_here": metrics.evaluate_images(ours_images, eval_labels, seed=SEED),
    "ours_shipped": metrics.evaluate_images(shipped_images, eval_labels, seed=SEED),
}
row_names = {"floor": "floor (real train vs test)",
             "baseline": f"baseline, trained here ({baseline['step']} steps)",
             "ours_trained_here": f"ours, trained here ({ours['step']} steps)",
             "ours_shipped": f"ours, shipped ({shipped_info['step']} steps)"}
''')

md(r"""
**The VAE of notebook 03** (sharpness versus diversity): the same MLP VAE, trained here on the same images, and
sampled from its prior $\mathcal{N}(0, I)$.
""")

code('''
from course_lib.config import VAEConfig
vae_config = VAEConfig(architecture="mlp", epochs=nb.pick(1, 10), train_limit=LIMIT, seed=SEED)
vae, _ = fw.vae_train.train_vae(vae_config, images=train_images, progress=False)
vae_images = fw.vae_models.sample_images(vae, N_EVAL, seed=SEED + 1)
table["vae"] = metrics.evaluate_images(vae_images, None, seed=SEED)
row_names["vae"] = f"VAE of notebook 03 ({vae_config.epochs} epochs)"
''')

code('''
columns = ["fid_course", "kid_course", "precision", "recall", "class_consistency"]
print(f"{'':36s}" + "".join(f"{c:>18s}" for c in columns))
for key, row in table.items():
    cells = [f"{row[c]:18.3f}" if row[c] is not None else f"{'—':>18s}" for c in columns]
    print(f"{row_names[key]:36s}" + "".join(cells))
course_lib.record("eval_table", table)
course_lib.record("n_eval", N_EVAL)
''')

md(r"""
How to read it: FID and KID fall towards the floor as samples get closer to real photos; precision near 1 with
low recall means sharp but repetitive images; class consistency near the floor's (the classifier's own accuracy)
means $G$ draws the product kind you asked for. The baseline and the VAE are unconditional: they cannot be asked
for a class, so their class consistency is empty. Quick mode's trained-here rows are 100 steps on 2,048 images:
far from the floor by design.

<!-- seed-error: B11 -->
**Spot the claim (blog mistake B11): "VAEs are diverse and of high quality."** Blurry samples are not diverse
samples: blur averages the variants of a product away. Measure it. In the full-mode table below, the VAE has the
**worst FID and the lowest recall** of all rows (99.8 and 0.17); the VAE row printed above says what it scores
in the mode you ran.

**The full-mode table** (`benchmarks/results/README.md`: one H100, PyTorch, 6,000 steps of batch 128 at width 64,
5,000 images per metric; seed 0 / seed 1):

| | FID (course classifier) | KID | precision | recall | class consistency |
|---|---|---|---|---|---|
| floor: real train vs real test | 0.57 | −0.02 | 0.863 | 0.863 | 0.929 |
| baseline (tutorial DCGAN) | 54.9 / 59.6 | 3.66 / 4.31 | 0.547 / 0.589 | 0.295 / 0.285 | — |
| course (conditional, SN, EMA) | 8.55 / 9.99 | 0.39 / 0.49 | 0.804 / 0.810 | 0.613 / 0.609 | 0.913 / 0.921 |
| VAE of notebook 03 (10 epochs) | 99.8 | 7.67 | 0.602 | 0.171 | — |

### Exercise ex-04-5 (read): read the full-mode table
Answer from the table above, as a dict `table_reading` with three keys:
- `"lowest_recall"`: which row has the lowest recall: `"floor"`, `"baseline"`, `"course"` or `"vae"`;
- `"fid_ratio"`: by what factor is the baseline's FID larger than the course model's, for seed 0 (a number);
- `"kid_can_be_negative"`: can a KID estimate come out below 0 (`True` or `False`)?
""")

exercise("ex-04-5", '''
table_reading = None   # {"lowest_recall": ..., "fid_ratio": ..., "kid_can_be_negative": ...}
''', "table_reading")

md(r"""
## 7. The catalogue sheet
""")

code('''
sheet_labels = catalogue_labels(per_class=8)
sheet_images = fw.product_gan.sample_images(showcase, sheet_labels, seed=SEED + 2)
catalogue_path = Path(ours["run_dir"]) / "catalogue.png"
viz.catalogue_sheet(sheet_images, sheet_labels, FASHION_MNIST_CLASSES, catalogue_path,
                    title=f"Generated catalogue ({nb.framework}, {showcase_name})")
plt.show()
print("saved", catalogue_path)
course_lib.record("catalogue_png_bytes", catalogue_path.stat().st_size)
course_lib.record("catalogue_class_consistency",
                  metrics.class_consistency(classifier.logits(sheet_images), sheet_labels))
''')

md(r"""
Takeaway: each row should show one product kind in several variants; identical pictures within a row would be
mode collapse inside a class.

## 8. Did it memorise? The nearest training image

A generator that copies its training photos would score well on every metric above. So we look up, for each
sample, its nearest training image in pixel space, and compare the distances with those of real *test* images,
which the model never saw.
""")

code('''
index, distance = metrics.nearest_training_neighbours(sheet_images[::8], train_images)
_, test_distance = metrics.nearest_training_neighbours(test_images[:10], train_images)
viz.plot_nearest_neighbours(sheet_images[::8], train_images[index], distance, n=10)
plt.show()
print(f"median distance to the nearest training image: samples {np.median(distance):.1f}, "
      f"real test images {np.median(test_distance):.1f} (0 would be a copy)")
course_lib.record("memorisation_median_distance", float(np.median(distance)))
course_lib.record("test_median_distance", float(np.median(test_distance)))
''')

md(r"""
Takeaway: compare the two medians printed above: samples at least as far from the training images as unseen test
photos are not copies. (In quick mode the nearest-neighbour search covers the 2,048 images of `train_images`, while
the shipped generator saw all 60,000: a copy of another training image would not be found here.)

## 9. The truncation trick: fidelity versus diversity

Drawing $z$ from a truncated normal ($|z_i| \le t$, redrawn otherwise; BigGAN, arXiv 1809.11096) keeps samples
near the centre of the latent space, where $G$ is most practised. Small $t$: typical, clean products (precision
up), less variety (recall down).
""")

code('''
truncations = [0.25, 0.5, 1.0, 1.5, 2.0, 3.0]
precisions, recalls, consistencies = [], [], []
n_trunc = nb.pick(300, 2000)
trunc_labels = np.arange(n_trunc) % 10
for t in truncations:
    samples = fw.product_gan.sample_images(showcase, trunc_labels, seed=SEED + 3, truncation=t)
    row = metrics.evaluate_images(samples, trunc_labels, seed=SEED, kid_subsets=2)
    precisions.append(row["precision"]); recalls.append(row["recall"]); consistencies.append(row["class_consistency"])
viz.plot_truncation_tradeoff(truncations, precisions, recalls)
plt.title(f"Truncation: precision against recall ({showcase_name})")
plt.show()
course_lib.record("truncation", {"t": truncations, "precision": precisions, "recall": recalls,
                                 "class_consistency": consistencies})
''')

md(r"""
Takeaway: read the curve for the generator you ran: choose $t$ by what the catalogue needs, clean typical
products (small $t$) or variety ($t \ge 2$, close to no truncation).

## 10. Walking through the latent space

Between two latents $z_0$ and $z_1$ we move along a great circle (slerp), which keeps $\lVert z \rVert$ at the
typical size of a Gaussian sample. Pick a class and slide $t$; a smooth change means $G$ has learned a continuous
family of products, not a lookup table. The update logic is `course_lib.viz.product.update_interpolation`.
""")

code('''
from functools import partial

z0, z1 = latent_batch(2, showcase.latent_dim, seed=SEED + 4)
render = partial(fw.product_gan.generate_images, showcase)
frames = np.stack([viz.update_interpolation(render, z0, z1, label=7, t=t) for t in np.linspace(0, 1, 8)])
plt.figure(figsize=(8, 1.4))
plt.imshow(viz.image_grid(frames, ncols=8), cmap="gray"); plt.xticks([]); plt.yticks([])
plt.title(f"Sneakers from z0 (left) to z1 (right), {showcase_name}"); plt.xlabel("t = 0 ... 1")
plt.show()
steps_between = np.abs(np.diff(frames.astype(float), axis=0)).mean(axis=(1, 2))
print("mean pixel change between neighbouring frames (grey levels):", np.round(steps_between, 1))
course_lib.record("interpolation_frame_changes", steps_between)
viz.interpolation_widget(render, z0, z1, FASHION_MNIST_CLASSES, label=7)
''')

md(r"""
Takeaway: the printed changes between neighbouring frames are a few grey levels out of 255, with no frame that
jumps far above the others.

<!-- seed-error: A14 -->
## 11. "GANs generate slowly"? Measure it (blog mistake A14)

A claim that circulates: GANs are slow to sample. Sampling a GAN is **one forward pass** of $G$ per batch: no
iterative refinement (as in diffusion models) and no pixel-by-pixel loop (as in autoregressive models). The
slow part of a GAN is training. The cell below times sampling 1,000 catalogue images, after one warm-up call,
median of 3, on whatever device this runtime has.
""")

code('''
sampling_labels = np.arange(1000) % 10
fw.product_gan.sample_images(showcase, sampling_labels[:10], seed=SEED)   # warm-up: first-call set-up
sampling_times = []
for repeat in range(3):
    t0 = time.perf_counter()
    fw.product_gan.sample_images(showcase, sampling_labels, seed=SEED + repeat)
    sampling_times.append(time.perf_counter() - t0)
sampling_seconds = float(np.median(sampling_times))
print(f"1,000 images in {sampling_seconds:.3f} s (median of 3): {1000 / sampling_seconds:,.0f} images/s, "
      f"{sampling_seconds / 1000 * 1e3:.2f} ms per image, on {fw.utils.device()}")
course_lib.record("sampling_seconds_per_1000", sampling_seconds)
''')

md(r"""
## 12. Generated products in front of shoppers

A catalogue of generated photos is not a neutral picture of stock. Before any of it reaches a shop:
- **Disclose it.** A shopper who sees a generated image should be told so, next to the image, not in the terms
  and conditions. Generated images of products that do not exist must not be presented as products for sale.
- **Never fake what the buyer relies on.** A generated photo may illustrate a style or a category page; it must
  not stand in for the photo of the item that will be shipped: colour, material, fit, size, condition, defects,
  brand marks and labels have to come from the real product. Adding a logo, hiding a flaw or inventing a feature
  is deception, and in many places unlawful.
- **Check what it learned from.** A generator can reproduce a training image (section 8 checks this); training
  photos carry their photographers' rights and, for worn items, the people in them.
- **Measure before you trust.** Class consistency below the floor means some "sneakers" are not sneakers: a
  catalogue that shows the wrong product kind misleads even when no one intended it.

## 13. From the command line

The same project runs without a notebook, with the same config fields:

```
python -m course_lib product train --framework torch --name my_run --steps 6000
python -m course_lib product sample --run runs/my_run --truncation 1.5
python -m course_lib product evaluate --run runs/my_run --n 5000
```

Each run folder holds `config.json`, `checkpoints/`, `samples.png` (and `samples/` per step) and
`metrics.json`. For the GPU speed comparison (tutorial loop versus the course's loop) see
`benchmarks/product_gan_speed.py`; the shipped weights are made by `scripts/train_shipped_product_gan.py`.
""")

code('''
elapsed = time.perf_counter() - started
course_lib.record("elapsed_seconds", elapsed)
print(f"notebook ran in {elapsed:.0f} s")
''')

md(r"""
## Recap: you can now
- build $G(z, y)$ whose class enters through conditional BatchNorm, and a projection discriminator
  $D(x, y) = \psi(\phi(x)) + \langle \mathrm{embed}(y), \phi(x) \rangle$ with spectral normalisation;
- train with the hinge loss and an EMA of $G$, and say how long the EMA remembers;
- separate a GPU loop's compilation time from its steady-state speed, and cite the benchmark a speed claim comes
  from;
- evaluate with FID, KID, precision/recall and class consistency against a floor, on un-augmented test data, and
  read such a table (the VAE's blur is low recall, not diversity);
- make a catalogue, check it for memorisation, trade fidelity for diversity by truncation, and say what a
  catalogue must not fake.

## Further reading
- Radford et al., *DCGAN*, arXiv 1511.06434; Miyato & Koyama, *cGANs with Projection Discriminator*,
  arXiv 1802.05637; Miyato et al., *Spectral Normalization for GANs*, arXiv 1802.05957.
- de Vries et al., *Modulating early visual processing by language* (conditional BatchNorm), arXiv 1707.00683;
  Lim & Ye, *Geometric GAN* (the hinge loss), arXiv 1705.02894; Yazıcı et al., *The Unusual Effectiveness of
  Averaging in GAN Training*, arXiv 1806.04498.
- Heusel et al. (FID), arXiv 1706.08500; Bińkowski et al. (KID), arXiv 1801.01401; Kynkäänniemi et al.
  (precision and recall), arXiv 1904.06991; Brock et al. (BigGAN, truncation), arXiv 1809.11096; Zhao et al.
  (DiffAugment), arXiv 2006.10738.
- Where the field went next: progressive growing (arXiv 1710.10196) and StyleGAN (arXiv 1812.04948) scaled GANs to
  high-resolution photos with unconditional, style-based generators; notebook 06 maps them.
""")

book.write(OUT)
