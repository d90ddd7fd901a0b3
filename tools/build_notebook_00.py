"""Build notebooks/00_start_here.ipynb (without outputs): `python tools/build_notebook_00.py`.

The cell tagged nbval-check-output keeps a reference output: after building, execute the notebook once
(`jupyter nbconvert --to notebook --execute --inplace`) and strip it (`python tools/strip_notebooks.py`).
"""

import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from tools.nbbuild import NotebookBuilder  # noqa: E402

OUT = pathlib.Path(__file__).resolve().parents[1] / "notebooks" / "00_start_here.ipynb"
book = NotebookBuilder()
md, code = book.md, book.code

md(r"""
# 00 · Start here: the product photos, the two frameworks, quick mode

A small online shop needs product photos for its catalogue: ten kinds of clothes, shoes and bags.
Over the next notebooks you will learn to *generate* such photos. This notebook gets you ready:

1. check that your environment can run the course,
2. pick a framework (PyTorch or TensorFlow — the library gives the same numbers in both),
3. meet the data: Fashion-MNIST, 70,000 grey $28 \times 28$ product photos,
4. learn what quick mode does,
5. try the exercise format you will see in every notebook.

**Prerequisites.** Python and numpy (arrays, shapes, broadcasting); no machine learning yet.
**Student time:** about 20 minutes. Quick mode runs in well under a minute per framework on a CPU.
""")
book.colab_setup()
md("""
## Parameters
Change `FRAMEWORK` to `"tf"` to run everything with TensorFlow. `QUICK = True` (or the environment variable
`COURSE_QUICK=1`) makes every notebook small enough to run in about a minute on a laptop CPU.
""")
code("""
FRAMEWORK = "torch"   # "torch" or "tf"
QUICK = False         # True: small budgets, about a minute on a laptop CPU
SEED = 0
RECORDS_PATH = ""     # where course_lib.record writes results ("" = course_records/<notebook>.json)
GALLERY_PER_CLASS = 8
""", tags=("parameters",))
md("""
## 1. The environment
`setup_notebook` checks the versions first and stops with the exact command to run when a package is missing
or too old. Then it loads the framework's *twin* of the library, seeds it, and decides quick mode.
""")
code("""
import numpy as np
import course_lib
from course_lib.environment import check_environment

print(check_environment(FRAMEWORK))
nb = course_lib.setup_notebook("00_start_here", FRAMEWORK, QUICK, SEED, RECORDS_PATH)
fw, QUICK = nb.fw, nb.quick
print(f"framework: {nb.framework}, quick mode: {QUICK}, seed: {SEED}")
""")
md("""
### Is there a GPU?
Notebooks 01–03 run fine on a CPU. Notebook 04 trains a bigger model: on Colab choose
*Runtime → Change runtime type → GPU*. `fw.utils.device()` tells what the framework sees.
""")
code("""
device = fw.utils.device()
has_gpu = "cuda" in str(device).lower() or "gpu" in str(device).lower()
print("device:", device, "| GPU found" if has_gpu else "| no GPU: fine for notebooks 00–03 and quick mode")
course_lib.record("has_gpu", has_gpu)
""")
md("""
## 2. The product photos
`course_lib.data.load_fashion_mnist(split)` finds the data (your `COURSE_DATA_DIR`, the course cache, the Debian
package `dataset-fashion-mnist`, or a download), checks every file's SHA-256 and returns numpy arrays:
images as `uint8` of shape `[N, 28, 28]` with grey levels 0–255, labels as `int64` class indices 0–9.
""")
code("""
from course_lib.data import FASHION_MNIST_CLASSES, load_fashion_mnist

train_images, train_labels = load_fashion_mnist("train")
test_images, test_labels = load_fashion_mnist("test")
print("train:", train_images.shape, train_images.dtype, "| test:", test_images.shape)
""")
md(r"""
<!-- seed-error: B9 -->
**Say what the data are.** These are photos of clothes, shoes and bags, in ten classes, from Zalando's
Fashion-MNIST (Xiao, Rasul & Vollgraf 2017, arXiv 1708.07747). Blog posts on "generating product images"
sometimes train on MNIST's handwritten digits and call them cats, or products. A result means something only
for the data it was measured on, so every notebook of the course names its data, and the cell below prints
the class names from the data set itself.

The data set is balanced: every class has the same number of photos. The cell below counts them.
""")
code("""
train_counts = np.bincount(train_labels, minlength=10)
test_counts = np.bincount(test_labels, minlength=10)
for index, name in enumerate(FASHION_MNIST_CLASSES):
    print(f"{index}  {name:<12} train {train_counts[index]:5d}  test {test_counts[index]:5d}")
course_lib.record("train_size", len(train_images))
course_lib.record("test_size", len(test_images))
course_lib.record("train_class_counts", train_counts)
""", tags=("nbval-check-output",))
md("A gallery: one row per product class, random photos from the training split.")
code("""
from course_lib.viz.gallery import class_gallery

fig, chosen = class_gallery(train_images, train_labels, FASHION_MNIST_CLASSES, per_class=GALLERY_PER_CLASS, seed=SEED)
course_lib.record("gallery_labels", train_labels[chosen].tolist())
""")
md("""
Takeaway: the classes differ in shape (trousers, bags, sandals) but some are close (shirt, T-shirt, pullover,
coat). A generator must get both the coarse shape and these fine differences right.

The photos are dark-background, centred and grey. Their mean grey level tells how much of each photo is product:
""")
code("""
mean_grey = train_images.reshape(len(train_images), -1).mean(axis=1)
for index, name in enumerate(FASHION_MNIST_CLASSES):
    print(f"{name:<12} mean grey level {mean_grey[train_labels == index].mean():6.1f} / 255")
""")
md("""
## 3. Two frameworks, one library
Every model and loss in `course_lib` exists twice: `course_lib.torch` and `course_lib.tf` have the same names,
arguments and docstrings. Inside models, images are floats in [-1, 1]; PyTorch stores a batch as
`(N, 1, 28, 28)` (channels first), TensorFlow as `(N, 28, 28, 1)` (channels last). Only the twins' `data.py`
converts between `uint8` photos and model tensors. Here are both versions side by side:
""")
code("""
course_lib.viz.show_twins("data.to_model_images")
""")
code("""
batches = fw.data.fashion_mnist_batches("train", batch_size=64, seed=SEED, limit=nb.pick(1024, None))
x, y = next(iter(batches))
x_np = fw.utils.to_numpy(x)
print(f"{FRAMEWORK} batch: shape {tuple(x_np.shape)}, range [{x_np.min():.1f}, {x_np.max():.1f}], labels {tuple(y.shape)}")
course_lib.record("batch_shape", list(x_np.shape))
course_lib.record("batch_range", [float(x_np.min()), float(x_np.max())])
""")
md("""
## 4. Quick mode
Full mode is what you run as a student: real training budgets, 60–90 minutes a notebook. Quick mode uses a few
hundred steps and small subsets, so the whole course runs on a laptop CPU in minutes — that is how the course's
own tests run every notebook in both frameworks. Numbers from quick mode are *not* meaningful results; each notebook
says which cells change. In code, budgets are written `nb.pick(quick_value, full_value)`:
""")
code("""
subset = nb.pick(1024, len(train_images))
print(f"quick mode {QUICK}: this notebook would train on {subset} photos")
""")
md("""
## 5. Exercises
Exercises look like this: a cell with a stub to complete, then a check cell that gives instant feedback.
If you leave an exercise undone, the check says so and the notebook continues with the library's version.
Write answers yourself (numpy is fine): the library holds the solutions, and when a notebook is graded an
answer that calls course_lib scores 0, except for helpers an exercise hands you. The check warns you about it.

**Exercise ex-00-1.** Write `to_unit_range(images)`: take `uint8` photos in [0, 255] and return `float32`
values in [-1, 1], where 0 maps to -1 and 255 to +1. Watch out: arithmetic on `uint8` overflows.
""")
code("""
def to_unit_range(images):
    # YOUR CODE HERE: return float32 values in [-1, 1]
    raise NotImplementedError
""", tags=("exercise", "ex-00-1",))
code("""
to_unit_range = course_lib.grading.check("ex-00-1", to_unit_range)
""", tags=("check", "ex-00-1",))
md("""
**Exercise ex-00-2.** Set `SNEAKER_CLASS` to the class index (0–9) of sneakers.
""")
code("""
SNEAKER_CLASS = None  # YOUR ANSWER HERE
""", tags=("exercise", "ex-00-2",))
code("""
SNEAKER_CLASS = course_lib.grading.check("ex-00-2", SNEAKER_CLASS)
""", tags=("check", "ex-00-2",))
code("""
sample = to_unit_range(test_images[:4])
course_lib.record("unit_range_min_max", [float(sample.min()), float(sample.max())])
course_lib.record("sneaker_class", int(SNEAKER_CLASS))
print("scaled range:", sample.min(), sample.max(), "| sneakers are class", SNEAKER_CLASS)
""")
md(r"""
<!-- seed-error: A11 -->
## 6. Code that runs top to bottom
Every notebook of the course runs from the first cell to the last, in both frameworks, in quick mode: the
course's tests execute them that way. Code copied from blog posts often does not: names that are never
defined, a shape like `(None, 100)` passed where data belong, a data generator that loops for ever, a missing
import. Two of these, run:
""")
code("""
try:
    noise = np.random.normal(size=(None, 100))     # "(None, 100)" is a Keras shape, not a batch size
except TypeError as error:
    print("TypeError:", error)
noise = np.random.default_rng(SEED).normal(size=(64, 100))   # the fix: a real batch size


def batches_for_ever(images, batch_size):
    while True:                                     # an endless generator: `for batch in ...` never ends
        for start in range(0, len(images), batch_size):
            yield images[start:start + batch_size]


from itertools import islice

taken = list(islice(batches_for_ever(test_images, 256), 3))   # the fix: take a budget of batches (or epochs)
print(f"noise {noise.shape}; took {len(taken)} batches of {taken[0].shape} and stopped")
course_lib.record("seed_a11_fixed", [list(noise.shape), len(taken)])
""")
md(r"""
The rule for your own code: restart the kernel and run all cells before you trust a result.

## Recap
You can now run the course locally or on Colab, pick a framework, load the product photos and say what they
are, scale them to the $[-1, 1]$ range the models use, use quick mode, and answer an exercise.

<!-- seed-error: B10 -->
## Further reading
Some blog posts attribute the DCGAN paper to Kingma & Welling, "the VAE paper". They are two different papers:
- Goodfellow et al. 2014, *Generative Adversarial Networks*, arXiv 1406.2661 (notebooks 01–02).
- Radford, Metz & Chintala 2015, *Unsupervised Representation Learning with Deep Convolutional GANs* (DCGAN),
  arXiv 1511.06434 (notebook 04).
- Kingma & Welling 2013, *Auto-Encoding Variational Bayes* (the VAE), arXiv 1312.6114 (notebook 03).
- Xiao, Rasul & Vollgraf 2017, *Fashion-MNIST*, arXiv 1708.07747 (the data).

## Where next
- **01 · GAN losses**: the two-player game and every common GAN loss, proven against the math.
- **02 · GAN instability**: why training oscillates and collapses, measured, and what fixes it.
- **03 · The VAE evidence lower bound**: derived, implemented twice, checked against an exact likelihood.
- **04 · The product-image project**: a class-conditional GAN trained on a GPU, evaluated honestly.
""")
book.write(OUT)
