"""Build notebooks/04_product_image_project.ipynb (without outputs): `python tools/build_notebook_04.py`."""

from __future__ import annotations

import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from tools.nbbuild import NotebookBuilder  # noqa: E402

OUT = pathlib.Path(__file__).resolve().parents[1] / "notebooks" / "04_product_image_project.ipynb"
book = NotebookBuilder()
md, code, exercise = book.md, book.code, book.exercise


md("""
# 04 · The product-image project: a conditional GAN, trained on a GPU, evaluated honestly

The shop needs a catalogue: every kind of product, several pictures each. In this notebook you build a
generator that makes a picture of the product kind you ask for, train it on a GPU, and measure how good it is
against honest baselines.

After this notebook you can:
- build a class-conditional generator G(z, y) and a projection discriminator D(x, y) with spectral normalisation;
- train with an exponential moving average (EMA) of G, mixed precision, checkpoints and resume;
- evaluate with FID, KID, precision/recall and class consistency, all measured with the course's own classifier,
  against a floor and a tutorial-style baseline;
- make a catalogue sheet, and trade fidelity against diversity with the truncation trick.

Quick mode (`QUICK = True`) trains tiny models for a few seconds on a CPU: the pictures are blobs and the
numbers are poor, but every cell runs. Full mode is meant for a GPU runtime (Colab: Runtime → Change runtime
type → GPU).
""")

book.colab_setup()

code('''
FRAMEWORK = "torch"   # "torch" or "tf"
QUICK = False         # True: tiny models, a few seconds of training on a CPU
SEED = 0
RECORDS_PATH = ""
STEPS = 0             # training steps per model; 0: 100 (quick) or 6000 (full: on an H100 about 35 s for ours, 75 s for the baseline)
RUN_NAME = "product_gan"
''', tags=("parameters",))

code('''
import json
import time
from dataclasses import replace
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

import course_lib
import course_lib.grading
from course_lib.config import ProductGANConfig
from course_lib.data import FASHION_MNIST_CLASSES, load_fashion_mnist
from course_lib import metrics
from course_lib.latents import catalogue_labels, latent_batch
from course_lib.viz import product as viz

nb = course_lib.setup_notebook("04_product_image_project", FRAMEWORK, QUICK, SEED, RECORDS_PATH)
fw = nb.fw
QUICK = nb.quick
started = time.perf_counter()
print(f"framework: {nb.framework}, quick mode: {QUICK}, accelerator: {fw.utils.device()}")
''')

md("""
## 1. The data pipeline

Fashion-MNIST: 60,000 training photos, 28x28 grey levels, ten product kinds y in {0, ..., 9}. On a GPU the
trainer copies the whole training set to the GPU once (188 MB as float32) and slices batches there, so no
batch ever crosses the PCIe bus. Quick mode uses only the first few thousand images.
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

md("""
Takeaway: the classes are balanced, so a generator that covers every class equally is what we want.

## 2. The model: G(z, y) and a projection discriminator D(x, y)

**Generator.** z ~ N(0, I) and a learned embedding of the class y are concatenated, mapped to a 7x7 feature map,
then upsampled twice (nearest neighbour + 3x3 convolution, BatchNorm, ReLU) to 28x28, and squashed to [-1, 1] by
tanh. It is the DCGAN recipe (arXiv 1511.06434) with a class input.

**Discriminator.** Three convolutions (LeakyReLU) and a sum over positions give features h(x). The score is
D(x, y) = psi(h) + <embed(y), h>: an unconditional realism term plus the inner product of h with a learned
vector for the requested class. This is the *projection discriminator* (Miyato & Koyama 2018, arXiv 1802.05637).

**Why projection, not ACGAN?** An ACGAN discriminator (arXiv 1610.09585) adds a classifier head and a
cross-entropy loss for y. That pushes G towards images that are *easy to classify*, which is known to reduce
diversity within a class, and it needs a loss weight to tune. Projection keeps one loss and lets D judge "a real
image *of this class*" directly; it also gave better FID in the paper.

**Spectral normalisation** (arXiv 1802.05957) divides every weight matrix of D by its largest singular value,
estimated with one power-iteration step per update. D then cannot change too fast, which keeps the game stable.
""")

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

md("""
## 3. The EMA of the generator

G's weights jump around while the game is played. Averaging them over recent steps gives a smoother,
usually better generator (Yazıcı et al. 2018, arXiv 1806.04498):

theta_ema ← decay · theta_ema + (1 − decay) · theta, with decay close to 1 (0.999 here).

The EMA copy is never trained; only the samples come from it. The trainer warms the average up with
decay_t = min(decay, (1 + t) / (10 + t)) at step t, so a short run is not dominated by its random start.

**Exercise ex-04-1.** Write `ema_update(ema_weights, weights, decay)` for numpy arrays.
""")

exercise("ex-04-1", '''
def ema_update(ema_weights, weights, decay):
    """One EMA step: returns decay * ema_weights + (1 - decay) * weights."""
    raise NotImplementedError("your code here")
''', "ema_update")

code('''
# With decay 0.999 the average forgets slowly: after k steps towards a fixed theta, (0.999)^k of the gap remains.
gap = [1.0]
for _ in range(3000):
    gap.append(float(ema_update(np.array(gap[-1]), np.array(0.0), 0.999)))
print(f"gap left after 1000 steps: {gap[1000]:.3f} (0.999^1000 = {0.999 ** 1000:.3f})")
course_lib.record("ema_gap_after_1000", gap[1000])
''')

md("""
Takeaway: an EMA with decay 0.999 remembers roughly the last thousand steps.

## 4. Training

`train_product_gan` runs the loop below in either framework, with the same numbered steps:
1. sample z and requested classes y; 2. update D with the hinge loss
L_D = E[max(0, 1 − D(x, y))] + E[max(0, 1 + D(G(z, y), y))]; 3. update G with L_G = −E[D(G(z, y), y)];
4. update the EMA of G; 5. log, guard against NaN, save sample grids and checkpoints. At every logged step the
health monitor of notebook 02 reads the two losses and warns in plain words if D overpowers G or G's loss blows up.

On a GPU it also holds the data on the device, uses bf16 mixed precision (fp16 with loss scaling on older GPUs)
and compiles the models (`torch.compile` / `tf.function(jit_compile=True)`). A model this small is not limited by
arithmetic: each step is several hundred small kernels, and the GPU waits while Python launches them one by one.
So in PyTorch the trainer records one whole step (both updates, Adam, the EMA) as a CUDA graph and replays it
(`cuda_graph="auto"`; off with fp16, whose loss scaler decides on the host); TensorFlow compiles the whole step with XLA instead (not yet timed on a GPU). Measured on an
H100: 65,000 images/s against 7,200 for the tutorial-style loop (9x), and only 1.5x without the graph
(`benchmarks/results/README.md`). Checkpoints (models, EMA, optimisers,
step, RNG state) go to `runs/<name>/checkpoints/` — to Google Drive when it is mounted in Colab — and the
newest three are kept. Run this cell again after a disconnect: it resumes where the last checkpoint left off.
""")

code('''
from course_lib.health import TrainingMonitor

monitor = TrainingMonitor(window=nb.pick(2, 20))  # notebook 02's health monitor: prints a warning if training goes wrong
t0 = time.perf_counter()
ours = fw.product_train.train_product_gan(config, images=train_images, labels=train_labels, resume=not QUICK,
                                          monitor=monitor)
ours_seconds = time.perf_counter() - t0
print(f"{ours['step']} steps in {ours_seconds:.1f} s ({ours['images_per_second']:.0f} images/s); run folder: {ours['run_dir']}")
print("health:", monitor.report())
course_lib.record("ours_train_seconds", ours_seconds)
course_lib.record("health_monitored_steps", len(monitor.steps))
''')

md("""
**The baseline.** The recipe of many blog posts: an unconditional DCGAN with the binary cross-entropy loss, no
spectral normalisation, no EMA, Adam(0.5, 0.999), batches from a host-side data loader, fp32, no compilation.
Same architecture, data, batch size and number of steps.
""")

code('''
baseline_config = config.tutorial_baseline()
t0 = time.perf_counter()
baseline = fw.product_train.train_product_gan(baseline_config, images=train_images, labels=train_labels, resume=not QUICK)
baseline_seconds = time.perf_counter() - t0
print(f"baseline: {baseline['step']} steps in {baseline_seconds:.1f} s ({baseline['images_per_second']:.0f} images/s)")
viz.plot_losses({"ours (hinge)": ours["history"], "baseline (BCE)": baseline["history"]})
plt.show()
course_lib.record("baseline_train_seconds", baseline_seconds)
''')

md("""
Takeaway: the two losses are on different scales (hinge versus cross-entropy), so the curves say little about
image quality. That is why we measure.

## 5. Evaluation, measured with the course classifier

FID from papers uses Inception-v3 features of ImageNet photos; for 28x28 grey products those features say
little. The course ships its own Fashion-MNIST classifier (`course_lib/metrics/assets/eval_classifier.npz`, 92.7 % test accuracy,
run in numpy so no framework changes the numbers). Every metric below is **measured with the course
classifier**: comparable within this course, not with published Inception FIDs.

- **FID (course classifier)**: the Fréchet distance between Gaussians fitted to the 128-d features of real and
  generated images: ||mu_r − mu_g||² + tr(C_r + C_g − 2 (C_r C_g)^½) (arXiv 1706.08500).
- **KID**: an unbiased kernel estimate of the same gap, ≈ 0 for a perfect generator (arXiv 1801.01401).
- **Precision / recall** (arXiv 1904.06991): the share of generated images inside the real manifold (fidelity)
  and of real images inside the generated manifold (diversity), manifolds built from k-nearest-neighbour balls.
- **Class consistency**: how often the classifier names the class we asked for.

**Exercise ex-04-2.** Write the Fréchet distance between two Gaussians with means `mu_a`, `mu_b` and
covariances `cov_a`, `cov_b` (`scipy.linalg.sqrtm` computes a matrix square root).
""")

exercise("ex-04-2", '''
def frechet_distance(mu_a, cov_a, mu_b, cov_b):
    """||mu_a - mu_b||^2 + tr(C_a + C_b - 2 (C_a C_b)^(1/2))."""
    raise NotImplementedError("your code here")
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
''')

md("""
**Exercise ex-04-3.** Write `class_consistency(logits, labels)`: the fraction of rows whose largest logit is
at the requested label.
""")

exercise("ex-04-3", '''
def class_consistency(logits, labels):
    """Fraction of images the classifier puts in the requested class."""
    raise NotImplementedError("your code here")
''', "class_consistency")

code('''
accuracy = class_consistency(classifier.logits(test_images[:2000]), test_labels[:2000])
print(f"the classifier's accuracy on 2,000 test images: {accuracy:.3f}")
course_lib.record("classifier_accuracy_2000", accuracy)
''')

md("""
**The table.** The floor is what a perfect generator would score: the same metrics between real training and
real test images. Everything is computed on N_EVAL images per row, because FID is biased upwards for small N.
""")

code('''
eval_labels = np.arange(N_EVAL) % 10
ours_images = fw.product_gan.sample_images(ours["ema_generator"], eval_labels, seed=SEED + 1)
baseline_images = fw.product_gan.sample_images(baseline["ema_generator"], eval_labels, seed=SEED + 1)
table = {
    "floor (real train vs test)": metrics.metric_floor(n=N_EVAL, seed=SEED),
    "baseline (tutorial DCGAN)": metrics.evaluate_images(baseline_images, None, seed=SEED),
    "ours (conditional, SN, EMA)": metrics.evaluate_images(ours_images, eval_labels, seed=SEED),
}
''')

md("""
**The VAE of notebook 03** (sharpness versus diversity): the same MLP VAE, trained here on the same images, and
sampled from its prior N(0, I).
""")

code('''
from course_lib.config import VAEConfig
vae_config = VAEConfig(architecture="mlp", epochs=nb.pick(1, 10), train_limit=LIMIT, seed=SEED)
vae, _ = fw.vae_train.train_vae(vae_config, images=train_images, progress=False)
vae_images = fw.vae_models.sample_images(vae, N_EVAL, seed=SEED + 1)
table["VAE (notebook 03)"] = metrics.evaluate_images(vae_images, None, seed=SEED)
''')

code('''
columns = ["fid_course", "kid_course", "precision", "recall", "class_consistency"]
print(f"{'':30s}" + "".join(f"{c:>19s}" for c in columns))
for name, row in table.items():
    cells = [f"{row[c]:19.3f}" if row[c] is not None else f"{'—':>19s}" for c in columns]
    print(f"{name:30s}" + "".join(cells))
course_lib.record("eval_table", table)
course_lib.record("n_eval", N_EVAL)
''')

md("""
How to read it: FID and KID fall towards the floor as samples get closer to real photos; precision near 1 with
low recall means sharp but repetitive images; class consistency near the floor's (the classifier's own accuracy)
means G draws the product kind you asked for. The baseline is unconditional: it cannot be asked for a class,
so its class consistency is empty. A blurry VAE typically has low precision and decent recall. In quick mode
all generators are poor; the full-mode numbers are in the course README.

## 6. The catalogue sheet
""")

code('''
sheet_labels = catalogue_labels(per_class=8)
sheet_images = fw.product_gan.sample_images(ours["ema_generator"], sheet_labels, seed=SEED + 2)
catalogue_path = Path(ours["run_dir"]) / "catalogue.png"
viz.catalogue_sheet(sheet_images, sheet_labels, FASHION_MNIST_CLASSES, catalogue_path,
                    title=f"Generated catalogue ({nb.framework}, {ours['step']} steps)")
plt.show()
print("saved", catalogue_path)
course_lib.record("catalogue_png_bytes", catalogue_path.stat().st_size)
''')

md("""
Takeaway: each row should show one product kind in several variants; identical pictures within a row would be
mode collapse inside a class.

## 7. Did it memorise? The nearest training image

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

md("""
Takeaway: samples at least as far from the training set as unseen test photos are not copies.

## 8. The truncation trick: fidelity versus diversity

Drawing z from a truncated normal (|z_i| ≤ t, redrawn otherwise; BigGAN, arXiv 1809.11096) keeps samples near
the centre of the latent space, where G is most practised. Small t: typical, clean products (precision up),
less variety (recall down).
""")

code('''
truncations = [0.25, 0.5, 1.0, 1.5, 2.0, 3.0]
precisions, recalls, consistencies = [], [], []
n_trunc = nb.pick(300, 2000)
trunc_labels = np.arange(n_trunc) % 10
for t in truncations:
    samples = fw.product_gan.sample_images(ours["ema_generator"], trunc_labels, seed=SEED + 3, truncation=t)
    row = metrics.evaluate_images(samples, trunc_labels, seed=SEED, kid_subsets=2)
    precisions.append(row["precision"]); recalls.append(row["recall"]); consistencies.append(row["class_consistency"])
viz.plot_truncation_tradeoff(truncations, precisions, recalls)
plt.show()
course_lib.record("truncation", {"t": truncations, "precision": precisions, "recall": recalls,
                                 "class_consistency": consistencies})
''')

md("""
Takeaway: choose t by what the catalogue needs: clean typical products (small t) or variety (t ≥ 2, close to
no truncation).

## 9. Walking through the latent space

Between two latents z0 and z1 we move along a great circle (slerp), which keeps |z| at the typical size of
a Gaussian sample. Pick a class and slide t; a smooth change means G has learned a continuous family of products,
not a lookup table. The update logic is `course_lib.viz.product.update_interpolation`.
""")

code('''
from functools import partial

z0, z1 = latent_batch(2, config.latent_dim, seed=SEED + 4)
render = partial(fw.product_gan.generate_images, ours["ema_generator"])
frames = np.stack([viz.update_interpolation(render, z0, z1, label=7, t=t) for t in np.linspace(0, 1, 8)])
plt.figure(figsize=(8, 1.4))
plt.imshow(viz.image_grid(frames, ncols=8), cmap="gray"); plt.xticks([]); plt.yticks([])
plt.title("Sneakers from z0 (left) to z1 (right)"); plt.xlabel("t = 0 ... 1")
plt.show()
steps_between = np.abs(np.diff(frames.astype(float), axis=0)).mean(axis=(1, 2))
print("mean pixel change between neighbouring frames:", np.round(steps_between, 1))
course_lib.record("interpolation_frame_changes", steps_between)
viz.interpolation_widget(render, z0, z1, FASHION_MNIST_CLASSES, label=7)
''')

md("""
Takeaway: neighbouring frames differ by a few grey levels, with no jumps.

## 10. From the command line

The same project runs without a notebook, with the same config fields:

```
python -m course_lib product train --framework torch --name my_run --steps 6000
python -m course_lib product sample --run runs/my_run --truncation 1.5
python -m course_lib product evaluate --run runs/my_run --n 5000
```

Each run folder holds `config.json`, `checkpoints/`, `samples.png` (and `samples/` per step) and
`metrics.json`. For the GPU speed comparison (tutorial loop versus the course's loop) see
`benchmarks/product_gan_speed.py`.
""")

code('''
elapsed = time.perf_counter() - started
course_lib.record("elapsed_seconds", elapsed)
print(f"notebook ran in {elapsed:.0f} s")
''')

book.write(OUT)
