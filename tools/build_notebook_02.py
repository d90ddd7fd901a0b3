"""Build notebooks/02_gan_instability.ipynb (without outputs): `python tools/build_notebook_02.py`."""

from __future__ import annotations

import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from tools.nbbuild import NotebookBuilder  # noqa: E402

OUT = pathlib.Path(__file__).resolve().parents[1] / "notebooks" / "02_gan_instability.ipynb"
book = NotebookBuilder()
md, code, exercise = book.md, book.code, book.exercise


md(r"""
# 02 · Why GAN training is unstable, and what fixes it — measured

The shop's generator from notebook 01 sometimes makes only a few kinds of product, and sometimes its training
never settles. This notebook shows both failures on problems small enough to solve on paper, measures them,
and tests the fixes.

**Prerequisites.** Notebook 01 (the GAN losses, $D^*$, the gradient penalty); eigenvalues of a $2 \times 2$
matrix; gradient descent. **Student time:** about 90 minutes in full mode. Quick mode (`QUICK = True`) runs in
about a minute per framework on a CPU; full mode trains longer and reproduces a published table in about
10 minutes on a 2-core CPU.

After this notebook you can:
- explain with eigenvalues why plain gradient steps on a GAN do not converge, and why R1 and instance noise do;
- measure mode collapse with three numbers: modes captured, high-quality samples, reverse KL;
- apply and compare remedies: PacGAN packing, R1, spectral normalisation, minibatch std, unrolling, WGAN-GP;
- read a training run's health from its losses, and stop training by a measured criterion.
""")

book.colab_setup()

code('''
FRAMEWORK = "torch"   # "torch" or "tf"
QUICK = False         # True: a small budget (about a minute on a CPU)
SEED = 0
RECORDS_PATH = ""
H = 0.2               # step size of the Dirac-GAN experiments
TABLE_WORKERS = 2     # processes for the PacGAN table (1 runs it in this kernel)
RESULTS_DIR = "../benchmarks/results"  # where the table's CSV goes
''', tags=("parameters",))

code('''
import time
from pathlib import Path

import numpy as np
import matplotlib.pyplot as plt

import course_lib
import course_lib.grading
from course_lib.toy import pacgan_table
from course_lib.config import ToyGANConfig
from course_lib.data import toy2d
from course_lib.health import TrainingDiverged, TrainingMonitor
from course_lib.metrics import mode_coverage
from course_lib.reference import dirac
from course_lib.viz import dirac as dirac_viz
from course_lib.viz.gan_losses import plot_loss_histories, plot_toy_samples

nb = course_lib.setup_notebook("02_gan_instability", FRAMEWORK, QUICK, SEED, RECORDS_PATH)
fw = nb.fw
QUICK = nb.quick
started = time.perf_counter()
print(f"framework: {nb.framework}, quick mode: {QUICK}")
''')

# ------------------------------------------------------------------------------------------------ Part 1
md(r"""
## Part 1 · The Dirac-GAN: the smallest GAN that fails

Mescheder, Geiger and Nowozin (2018, arXiv 1801.04406) strip a GAN to two numbers. The data is one point,
$p_{\text{data}} = \delta_0$. The generator is one point too, $p_g = \delta_\theta$. The discriminator is a line
through the origin, $D(x) = \psi x$, a logit. The equilibrium is $\theta = 0$ ($G$ matches the data) and
$\psi = 0$ ($D$ cannot tell).

With the usual losses, $L_D = \operatorname{softplus}(-D(0)) + \operatorname{softplus}(D(\theta))$ and
$L_G = -L_D$. Gradient descent moves $(\theta, \psi)$ along the vector field
$v = (-\partial L_G / \partial \theta,\ -\partial L_D / \partial \psi)$. First check that the framework's autograd
on the real losses gives the same field as the closed form in `course_lib.reference.dirac`.
""")

code('''
thetas, psis = np.meshgrid(np.linspace(-2, 2, 9), np.linspace(-2, 2, 9))
twin_field = fw.dirac.vector_field(thetas, psis)
exact_field = dirac.vector_field(thetas, psis)
field_error = max(float(np.max(np.abs(a - b))) for a, b in zip(twin_field, exact_field))
course_lib.record("dirac_field_max_abs_diff", field_error)
print(f"largest difference between {FRAMEWORK} autograd and the closed form: {field_error:.1e}")
''')

md(r"""
The two agree to rounding. Now take steps of size $h$ = `H` from $(\theta, \psi) = (1, 1)$. *Simultaneous*
steps move both players from the same point. *Alternating* steps move $G$ first, then $D$ from $G$'s new
position.
""")

code('''
steps = nb.pick(600, 3000)
paths = {
    "simultaneous": fw.dirac.trajectory(1.0, 1.0, H, steps, "simultaneous"),
    "alternating": fw.dirac.trajectory(1.0, 1.0, H, steps, "alternating"),
}
fig = dirac_viz.plot_trajectories(paths, title=f"Dirac-GAN, h = {H}, {steps} steps ({FRAMEWORK} autograd)")
plt.show()
radius_ratio = {name: float(np.linalg.norm(p[-1]) / np.linalg.norm(p[0])) for name, p in paths.items()}
course_lib.record("dirac_radius_ratio", radius_ratio)
print({name: round(r, 3) for name, r in radius_ratio.items()})
''')

md(r"""
Takeaway: simultaneous steps spiral away from the equilibrium (the distance ratio printed above is above 1);
alternating steps circle it for ever (ratio near 1). Neither converges.

<!-- seed-error: A12 -->
**"Train until G and D reach a stable state" (a blog mistake).** A GAN has no such state in general: this
two-parameter GAN, started next to its equilibrium, never settles, and its losses oscillate for ever. Stop
training by a measured criterion instead: a budget of steps, with a quality measure on held-out data (mode
coverage here, FID in notebook 04) computed along the way, keeping the best checkpoint. Part 2 does that.

**Why.** Near $(0, 0)$ the field is linear, $v \approx J (\theta, \psi)^\top$ with
$J = \begin{pmatrix} 0 & 1/2 \\ -1/2 & 0 \end{pmatrix}$ ($1/2$ is $f'(0)$, the slope of softplus at 0). $J$'s
eigenvalues are $\pm i/2$: pure rotation, no pull toward the centre. A simultaneous step multiplies by $I + hJ$,
whose eigenvalues $1 \pm ih/2$ have modulus $\sqrt{1 + h^2/4} > 1$: every step pushes outward. An alternating
step has determinant 1, so its eigenvalues have modulus exactly 1 (for $h < 4$): an orbit.

We can *measure* the eigenvalues too: fit the linear map $x_{k+1} \approx M x_k$ to a trajectory that starts
near the equilibrium, and take $M$'s eigenvalues.
""")

code('''
cases = {
    "simultaneous": dict(method="simultaneous"),
    "alternating": dict(method="alternating"),
    "simultaneous + R1 (gamma=0.5)": dict(method="simultaneous", r1_gamma=0.5),
    "alternating + noise (sigma=0.5)": dict(method="alternating", noise_std=0.5),
}
eigen_rows = {}
for name, kw in cases.items():
    method = kw.pop("method")
    near = fw.dirac.trajectory(1e-3, 1e-3, H, 60, method, **kw)
    measured = dirac.measured_eigenvalues(near)
    analytic = dirac.update_eigenvalues(H, method, **kw)
    analytic = analytic[np.lexsort((-analytic.real, -analytic.imag))]
    eigen_rows[name] = (analytic, measured)
    print(f"{name:34s} analytic {np.round(analytic, 5)}  measured {np.round(measured, 5)}  "
          f"|lambda| = {np.abs(analytic).max():.5f}")
eigen_error = max(float(np.max(np.abs(a - m))) for a, m in eigen_rows.values())
simultaneous_modulus = float(np.abs(eigen_rows["simultaneous"][1]).max())
course_lib.record("dirac_eigen_max_abs_error", eigen_error)
course_lib.record("dirac_simultaneous_modulus", {"measured": simultaneous_modulus,
                                                  "analytic": float(np.sqrt(1 + H ** 2 / 4))})
print(f"sqrt(1 + h^2/4) = {np.sqrt(1 + H ** 2 / 4):.5f}; largest analytic-measured gap {eigen_error:.1e}")
''')

md(r"""
The measured eigenvalues match the closed form. With R1 or instance noise, $|\lambda|$ drops below 1.

**The regularisers.** R1 (Mescheder et al. 2018) penalises $D$'s gradient on real data:
$L_D + \tfrac{\gamma}{2} \lVert \nabla_x D(x) \rVert^2$. Here $\nabla_x D = \psi$, so the penalty is
$\tfrac{\gamma}{2} \psi^2$, which adds $-\gamma$ to $J$'s lower-right entry: a pull of $\psi$ toward 0. Instance
noise (adding $\mathcal{N}(0, \sigma^2)$ to real and fake samples) does the same with $\gamma = \sigma^2/2$. WGAN
with weight clipping keeps $|\psi| \le c$ but adds no pull; WGAN-GP pushes $|\psi|$ toward 1, not 0. Four runs
show the regimes.
""")

code('''
regimes = {
    "R1, gamma=0.3": dict(r1_gamma=0.3),
    "instance noise, sigma=0.7": dict(noise_std=0.7),
    "WGAN, clip 1": dict(loss="wgan", weight_clip=1.0),
    "WGAN-GP, lambda=1": dict(loss="wgan", gp_weight=1.0),
}
regime_paths = {name: dirac.trajectory(1.0, 1.0, H, steps, "alternating", **kw) for name, kw in regimes.items()}
fig = dirac_viz.plot_trajectories(regime_paths, title=f"Alternating steps, h = {H}: who converges?", limit=2.2)
plt.show()
final_radius = {name: float(np.linalg.norm(p[-1])) for name, p in regime_paths.items()}
course_lib.record("dirac_final_radius", final_radius)
print({name: round(r, 4) for name, r in final_radius.items()})
''')

md(r"""
Takeaway: R1 and instance noise reach $(0, 0)$; clipped WGAN and WGAN-GP keep moving at a distance from it
(final distances printed above).

### Exercise ex-02-6: which R1 weights make simultaneous steps converge? (derive)
With R1, one simultaneous step at the equilibrium multiplies $(\theta, \psi)$ by
$$M = I + hJ, \qquad J = \begin{pmatrix} 0 & 1/2 \\ -1/2 & -\gamma \end{pmatrix}.$$
The iterates converge exactly when both eigenvalues of $M$ lie inside the unit circle. For a step size $h$
(between 0.05 and 1.5), that holds for $\gamma$ in an open interval. Write `stable_gamma_interval(h)`, returning
its two endpoints as a numpy array `[low, high]`, in closed form. Work on paper first: the grader checks both
endpoints to five significant digits, for step sizes you do not see.
""")

exercise("ex-02-6", '''
def stable_gamma_interval(h):
    """The endpoints [low, high] of the R1 weights gamma for which simultaneous steps of size h converge."""
    raise NotImplementedError  # your derivation here
''', "stable_gamma_interval")

code('''
h_check = 0.5
low, high = stable_gamma_interval(h_check)
radius = lambda g: float(np.max(np.abs(dirac.update_eigenvalues(h_check, "simultaneous", r1_gamma=g))))
gammas = np.linspace(0, 5, 501)
fig, ax = plt.subplots(figsize=(6, 3))
ax.plot(gammas, [radius(g) for g in gammas])
ax.axhline(1.0, color="gray", lw=0.8)
ax.axvspan(low, high, color="tab:green", alpha=0.15, label="your interval (or the fallback)")
ax.set_xlabel("gamma (R1 weight)")
ax.set_ylabel("max |lambda|")
ax.set_title(f"Simultaneous steps, h = {h_check}: converge where max |lambda| < 1")
ax.legend(fontsize=8)
plt.show()
probes = {"low - 0.01": low - 0.01, "low + 0.01": low + 0.01, "1.0": 1.0, "high - 0.01": high - 0.01,
          "high + 0.01": high + 0.01}
for name, g in probes.items():
    print(f"gamma = {name:11s} ({g:.4f}): max |lambda| = {radius(g):.5f}")
course_lib.record("gamma_interval_h05", [float(low), float(high)])
course_lib.record("gamma_interval_probe_radii", {name: radius(g) for name, g in probes.items()})
''')

md(r"""
Takeaway: at $h = 0.5$ simultaneous steps converge only for $\gamma$ between the two printed endpoints,
$h/4 = 0.125$ and $2/h + h/8 = 4.0625$. Below the interval the rotation wins (a complex pair on the unit
circle); above it the pull is too strong for the step size and a real eigenvalue passes $-1$, so the iterates
overshoot and flip sign at every step. The fastest convergence is inside, near $\gamma = 1$.

Explore it yourself: move $h$, $\gamma$, the update method and the noise, and watch the trajectory and the
eigenvalues (analytic circles, measured crosses) against the unit circle.
""")

code('''
dirac_viz.dirac_explorer()
''')

# ------------------------------------------------------------------------------------------------ Part 2
md(r"""
## Part 2 · Mode collapse on 2-D mixtures

Real GANs fail in a second way: the generator covers only some of the data. We measure it on two mixtures
from the PacGAN paper (Lin et al. 2018, arXiv 1712.04086): a ring of 8 Gaussians (radius 1, std 0.01) and a
$5 \times 5$ grid (spacing 2, std 0.05). Three numbers, on 2,500 generated samples:
- **high-quality samples**: the fraction within 3 std (Euclidean distance) of their nearest mode;
- **modes captured**: modes that are the nearest mode of at least one high-quality sample;
- **reverse KL**: $\mathrm{KL}(p \,\|\, u)$ of the histogram $p$ of high-quality samples over the $K$ modes
  against the uniform $u$, in nats ($0 \log 0 = 0$; 0 when all modes are equally covered, $\log K$ for one mode).

### Exercise ex-02-3: the high-quality test
""")

exercise("ex-02-3", '''
def high_quality_mask(samples, means, std):
    """Boolean [N]: is sample i within 3 * std (Euclidean) of its nearest mode? samples [N, 2], means [K, 2]."""
    raise NotImplementedError
''', "high_quality_mask")

md(r"""
### Exercise ex-02-4: the reverse KL of a mode histogram

Given `counts` $[K]$ (high-quality samples per mode), return $\mathrm{KL}(p \,\|\, u)$ with
$p = \text{counts} / \sum \text{counts}$, $u_k = 1/K$ and $0 \log 0 = 0$.
""")

exercise("ex-02-4", '''
def reverse_kl_to_uniform(counts):
    """KL(p || uniform) in nats for the histogram counts [K] (numpy), with 0 log 0 = 0."""
    raise NotImplementedError
''', "reverse_kl_to_uniform")

code('''
ring = toy2d.ring(2500, seed=SEED)
checks = {
    "all modes (the data)": ring.samples,
    "one mode": ring.samples[ring.labels == 0],
    "off every mode": 0.5 * ring.samples,
}
for name, samples in checks.items():
    result = mode_coverage(samples, ring.means, ring.std)
    hq = high_quality_mask(samples, ring.means, ring.std).mean()
    kl = reverse_kl_to_uniform(result.counts)
    print(f"{name:22s} modes {result.modes}, high quality {100 * result.high_quality:5.1f} % (yours {100 * hq:5.1f} %), "
          f"reverse KL {result.reverse_kl:.3f} (yours {kl:.3f})")
course_lib.record("coverage_of_data", mode_coverage(ring.samples, ring.means, ring.std)._asdict())
''')

md(r"""
The data itself scores 8 modes, about 99 % high quality (3 std in 2-D keeps $1 - e^{-4.5}$) and a reverse KL
near 0. Now train a vanilla GAN on the grid, with the health monitor watching, and take snapshots.
""")

code('''
snapshot_steps = nb.pick(400, 8000)
base = dict(data="grid", steps=snapshot_steps, lr_decay_start=0.5, snapshot_every=snapshot_steps // 3,
            log_every=10, seed=SEED)
monitor = TrainingMonitor(window=20, verbose=False)  # we read its report in Part 4
runs = {"vanilla": fw.toy_gan.train_toy_gan(ToyGANConfig(**base), monitor=monitor),
        "R1 (gamma=1)": fw.toy_gan.train_toy_gan(ToyGANConfig(r1_gamma=1.0, **base))}
grid_means = toy2d.grid_means()
for name, run in runs.items():
    panels = [(f"step {step}", samples) for step, samples in run.snapshots]
    fig = plot_toy_samples(panels, grid_means, title=f"{name} GAN on the 5x5 grid ({FRAMEWORK})")
    plt.show()
snapshot_coverage = {name: mode_coverage(run.samples, run.means, run.std)._asdict() for name, run in runs.items()}
for name, c in snapshot_coverage.items():
    print(f"{name:14s} modes {c['modes']:2d}/25, high quality {100 * c['high_quality']:5.1f} %, "
          f"reverse KL {c['reverse_kl']:.3f}, {runs[name].seconds:.0f} s")
course_lib.record("snapshot_coverage", {k: {kk: v for kk, v in c.items() if kk != "counts"}
                                        for k, c in snapshot_coverage.items()})
''')

md(r"""
**Stopping by a measured criterion.** Each snapshot is a checkpoint: score every one on the same metric and
keep the best, instead of waiting for a "stable state".
""")

code('''
selection = {}
for name, run in runs.items():
    scored = [(step, mode_coverage(samples, run.means, run.std)) for step, samples in run.snapshots]
    best_step, best = min(scored, key=lambda item: item[1].reverse_kl)
    selection[name] = {"steps": [s for s, _ in scored], "reverse_kl": [round(c.reverse_kl, 3) for _, c in scored],
                       "best_step": best_step}
    print(f"{name:14s} reverse KL per snapshot {dict(zip(selection[name]['steps'], selection[name]['reverse_kl']))}"
          f" -> keep step {best_step}")
course_lib.record("snapshot_selection", selection)
''')

md(r"""
Takeaway: in full mode the vanilla GAN leaves modes empty and the R1 run covers the grid (measured with torch,
seed 0, 8,000 steps: vanilla 16/25 modes, reverse KL 1.09; R1 25/25, reverse KL 0.007). In quick mode (400
steps) both are still blurry: the high-quality fraction needs the later, low-learning-rate phase. Part 3 shows
the collapse and its remedies in quick mode too, from the table measured in full mode.

### The remedies
`ToyGANConfig` switches each remedy on in both frameworks:
- `pack=m` (PacGAN): $D$ judges $m$ samples at once, so a generator that repeats itself is easy to catch;
- `r1_gamma`: the R1 penalty of Part 1;
- `spectral_norm=True`: each weight matrix of $D$ divided by its largest singular value (arXiv 1802.05957);
- `minibatch_std=True`: $D$ sees the batch's feature spread (arXiv 1710.10196);
- `unrolled_steps=k`: $G$ answers $D$ advanced $k$ extra steps (Metz et al. 2016, arXiv 1611.02163). The course
  uses the *first-order* form: $G$'s gradient is taken at the look-ahead discriminator's weights, but not
  through the $k$ look-ahead steps. The term it drops, the gradient through the look-ahead (how $D$'s next
  steps would react to a change of $G$), is the one Metz et al. credit for the anti-collapse effect. So the
  course's unrolling is a weaker approximation; at our budget it does not help on the grid (14.3/25 modes,
  `benchmarks/results/pacgan_table_torch_more_2core.csv`);
- `loss="wasserstein", gp_weight=`$\lambda$: WGAN-GP (arXiv 1704.00028).

Packing, for $m = 3$: $D$ sees rows of three samples side by side, $[N, d] \to [N/m, m d]$:
""")

code('''
x = np.arange(12, dtype=np.float32).reshape(6, 2)
packed = x.reshape(len(x) // 3, 3 * x.shape[1])   # row j holds samples 3j, 3j + 1, 3j + 2
x_tensor = fw.utils.to_tensor(x)
twin_packed = fw.utils.to_numpy(fw.layers.pack(x_tensor, 3))  # what the toy GAN's D does with pack=3
print(packed)
course_lib.record("pack_matches_twin", bool(np.array_equal(packed, twin_packed)))
''')

md(r"""
### Exercise ex-02-7: the minibatch standard-deviation feature (build)
A collapsed generator makes a batch of near-identical samples; a discriminator that looks at one sample at a
time cannot see that. Karras et al. (2018, arXiv 1710.10196) hand $D$ one more feature: how much the batch
varies. Write `minibatch_std(features, eps=1e-8)` for a numpy array $[N, F]$ of $D$'s features. It returns
$[N, F + 1]$: the features, plus one column that holds, in every row, the same number $s$, which must be
about 0 for a collapsed batch (every row the same) and grow with the batch's spread. Build $s$ as the
average, over the $F$ features, of each feature's standard deviation across the batch (the population
variance, dividing by $N$, plus `eps`, then the square root). The grader runs it on hidden batches, collapsed
ones included; the cell after the check compares it with the layer the toy GAN uses.
""")

exercise("ex-02-7", '''
def minibatch_std(features, eps=1e-8):
    """features [N, F] numpy -> [N, F + 1]: the features and the batch-spread column s."""
    raise NotImplementedError  # your code here
''', "minibatch_std")

code('''
twin_std = fw.utils.to_numpy(fw.layers.minibatch_std(x_tensor))     # x_tensor: the 6 x 2 batch above
mine = minibatch_std(x)
collapsed = minibatch_std(np.repeat(x[:1], 6, axis=0))
print(f"spread column: yours (or the fallback) {mine[0, -1]:.5f}, {FRAMEWORK} layer {twin_std[0, -1]:.5f}; "
      f"on a collapsed batch {collapsed[0, -1]:.1e}")
course_lib.record("minibatch_std_matches_twin", bool(np.allclose(mine, twin_std, rtol=1e-5, atol=1e-6)))
course_lib.record("minibatch_std_collapsed", float(collapsed[0, -1]))
''')

# ------------------------------------------------------------------------------------------------ Part 3
md(r"""
## Part 3 · PacGAN's Table 1, reproduced under our budget

The table trains a vanilla GAN, PacGAN2 and R1 on the ring and the grid, over several seeds, and prints our
numbers next to the paper's. Full mode: 3 seeds, ring 8,000 steps, grid 20,000 steps (about 10 minutes on a
2-core CPU, two single-thread runs in parallel). Quick mode: one seed of 300 steps on the grid only, too short
to show collapse: it shows the machinery only. The table measured in full mode for the course is read from
`benchmarks/results/` just below, in quick mode too: **that** table is where collapse and its remedy show.
""")

code('''
table_start = time.perf_counter()
rows = pacgan_table.run_table(FRAMEWORK, quick=QUICK, seeds=nb.pick(1, 3), workers=TABLE_WORKERS, progress=not QUICK,
                              datasets=nb.pick(("grid",), ("ring", "grid")))
summary = pacgan_table.summarize(rows)
table_seconds = time.perf_counter() - table_start
print((f"QUICK MODE ({pacgan_table.QUICK_STEPS} steps, 1 seed, grid): the machinery, not the result\\n" if QUICK else "") +
      pacgan_table.format_table(summary))
print(f"{len(rows)} runs in {table_seconds:.0f} s")
csv_path = Path(RESULTS_DIR) / f"pacgan_table_{FRAMEWORK}{'_quick' if QUICK else '_notebook'}.csv"
pacgan_table.write_csv(summary, csv_path)
course_lib.record("table", [{k: v for k, v in e.items()} for e in summary])
course_lib.record("table_seconds", table_seconds)
''')

md(r"""
The table measured in full mode for the course (torch, 3 seeds, ring 8,000 and grid 20,000 steps; command and
machine in `benchmarks/results/README.md`). Without the repository's `benchmarks/` folder (on Colab) the
notebook uses the copy the grader keeps, `course_lib.grading.exercises.ex_02.MEASURED_TABLE`, which a test
keeps equal to the CSV.
""")

code('''
import csv

from course_lib.grading.exercises.ex_02 import MEASURED_TABLE

measured_csv = Path(RESULTS_DIR) / "pacgan_table_torch.csv"
measured = []
if measured_csv.exists():
    with open(measured_csv) as handle:
        measured = [{k: (float(v) if k.endswith(("_mean", "_std")) else v) for k, v in row.items()}
                    for row in csv.DictReader(handle)]
    for row in measured:
        for key in ("published_modes", "published_high_quality", "published_reverse_kl"):
            row[key] = float(row[key]) if row[key] else None
    print(pacgan_table.format_table(measured))
else:
    print(f"{measured_csv} is not here (e.g. on Colab); the grader's copy of its means:")
    measured = [{"dataset": d, "method": m, "modes_mean": v[0], "high_quality_mean": v[1], "reverse_kl_mean": v[2]}
                for (d, m), v in MEASURED_TABLE.items()]
    for row in measured:
        print(f"{row['dataset']:4s} {row['method']:8s} modes {row['modes_mean']:5.2f}  HQ % {row['high_quality_mean']:6.2f}"
              f"  rev KL {row['reverse_kl_mean']:.4f}")
course_lib.record("measured_table", [{k: row[k] for k in ("dataset", "method", "modes_mean", "high_quality_mean",
                                                          "reverse_kl_mean")} for row in measured])

fig, axes = plt.subplots(1, 2, figsize=(9, 3))
for ax, dataset, total in zip(axes, ("ring", "grid"), (8, 25)):
    mine = [row for row in measured if row["dataset"] == dataset]
    ax.bar([row["method"] for row in mine], [row["modes_mean"] for row in mine],
           color=["tab:red" if row["method"] == "vanilla" else "tab:green" for row in mine])
    ax.axhline(total, color="gray", lw=0.8, linestyle="--")
    ax.set_title(f"{dataset}: {total} modes (dashed)")
    ax.set_ylabel("modes captured (mean of 3 seeds)")
    ax.set_xlabel("method")
fig.suptitle("Measured in full mode: the vanilla GAN collapses on the grid; packing and R1 cover it")
fig.tight_layout()
plt.show()
''')

md(r"""
### Exercise ex-02-8: read the measured table
Answer from the course's measured numbers (the "ours" columns), not the paper's. Set `TABLE_ANSWERS` to a dict:
- `"grid_fewest_modes"`: the method that captures the fewest grid modes;
- `"ring_lowest_reverse_kl"`: the method with the best (lowest) reverse KL on the ring;
- `"grid_most_high_quality"`: the method with the largest high-quality fraction on the grid;
- `"grid_vanilla_modes_missed"`: how many of the 25 grid modes the vanilla GAN misses, on average (a number).
""")

exercise("ex-02-8", '''
TABLE_ANSWERS = {
    "grid_fewest_modes": None,        # "vanilla", "PacGAN2" or "R1"
    "ring_lowest_reverse_kl": None,
    "grid_most_high_quality": None,
    "grid_vanilla_modes_missed": None,  # a number
}
''', "TABLE_ANSWERS")

md(r"""
**What matches, what differs.** The ordering of the paper holds: the vanilla GAN captures fewest modes and has
the largest reverse KL, most clearly on the grid; PacGAN2 covers all modes; R1, not in the paper's table, covers
all 25 grid modes with a high-quality fraction close to the vanilla GAN's. Our vanilla GAN captures *more* ring
modes than the paper's (it mode-hops rather than collapses at this budget), and our PacGAN2 has fewer
high-quality grid samples. The setups differ: the paper used a $4 \times 400$ ReLU + BatchNorm generator, a
$3 \times 200$ maxout discriminator, Adam $10^{-4}$ with $\beta_1 = 0.8$, batch 100 and far more steps; we use
$3 \times 128$ ReLU MLPs for both, Adam $5 \times 10^{-4}$ with $\beta_1 = 0.5$, batch 256, 8k–20k steps and 3 seeds
(the paper: 10 trials).

**Data augmentation for GANs.** With little data, $D$ memorises the real images and training collapses;
augmentation helps, but only if it is applied with care. Augmenting only the real images teaches $D$ that
"augmented-looking" means real, and $G$ learns to produce the augmentations (rotated, cropped, recoloured
products): the augmentation *leaks* into the samples. DiffAugment (Zhao et al. 2020, arXiv 2006.10738) applies
the same differentiable augmentation to real and generated images, in $D$'s step and in $G$'s step, so nothing
leaks.
""")

# ------------------------------------------------------------------------------------------------ Part 4
md(r"""
## Part 4 · Reading a run's health

`course_lib.health.TrainingMonitor` is fed the losses at every logged step (`train_toy_gan(..., monitor=...)`)
and flags, in plain language: $D$ overpowering $G$ ($D$'s loss $\to 0$), $G$'s loss blowing up, NaN/inf (it stops
the run and says what to try), and, given samples, mode collapse. Here is what it said about the vanilla run
above:
""")

code('''
coverage, flags = monitor.check_samples(snapshot_steps, runs["vanilla"].samples, grid_means, toy2d.GRID_STD)
print(monitor.report())
fig = plot_loss_histories({name: run.history for name, run in runs.items()},
                          title="D and G losses (balance: D 1.39, G 0.69)")
plt.show()
course_lib.record("health_vanilla", monitor.kinds())
''')

md(r"""
Takeaway: the losses can hover near the balance point ($\log 4 \approx 1.39$ for $D$, $\log 2 \approx 0.69$ for
$G$) while modes are missing; the samples reveal the collapse. Next, a learning rate far too large (10):
""")

code('''
too_fast = TrainingMonitor(window=5)
result = fw.toy_gan.train_toy_gan(ToyGANConfig(steps=40, lr=10.0, log_every=1, seed=SEED), monitor=too_fast)
first = {key: [float(v) for v in result.history[key][:4]] for key in ("d_loss", "g_loss")}
print("first 4 logged steps:", {key: [f"{v:.2e}" for v in values] for key, values in first.items()})
course_lib.record("health_too_fast", too_fast.kinds())
course_lib.record("too_fast_first_losses", first)
''')

md(r"""
Takeaway: with a learning rate of 10 the first steps throw both networks' weights far from where they started,
and *both* losses jump by many orders of magnitude within a few steps (printed above): this is not one player
winning, it is the optimisation leaving the region where the losses mean anything. The monitor's flags are
printed above the numbers.

And a typo that every course sees once: `lr=1e8` instead of `1e-3`. The monitor stops the run at the first
non-finite loss and says what to try.
""")

code('''
try:
    fw.toy_gan.train_toy_gan(ToyGANConfig(steps=50, lr=1e8, log_every=1, seed=SEED),
                             monitor=TrainingMonitor(window=5))
    diverged = ""
except TrainingDiverged as error:
    diverged = str(error)
    print("stopped:", diverged)
course_lib.record("health_divergence_message", diverged)
''')

md(r"""
Takeaway: a diverging run stops at the first non-finite loss, with the step and what to try, instead of
producing NaN weights silently.

## Recap
You can now:
- explain with eigenvalues why simultaneous gradient steps spiral out ($|\lambda| = \sqrt{1 + h^2/4}$) and
  alternating ones orbit, and derive the interval of R1 weights for which a given step size converges;
- say why R1 and instance noise reach the equilibrium while clipped WGAN and WGAN-GP do not;
- measure mode collapse with modes captured, high-quality fraction and reverse KL;
- build a remedy (the minibatch-std feature), read a measured comparison of remedies, and say what the
  first-order unrolled GAN leaves out;
- stop training by a measured criterion, and read a run's health from its losses and its samples.

## Further reading
- Mescheder, Geiger & Nowozin 2018, *Which Training Methods for GANs do actually Converge?*, arXiv 1801.04406.
- Lin et al. 2018, *PacGAN: The power of two samples in generative adversarial networks*, arXiv 1712.04086.
- Metz et al. 2016, *Unrolled Generative Adversarial Networks*, arXiv 1611.02163.
- Karras et al. 2018, *Progressive Growing of GANs* (minibatch std), arXiv 1710.10196.
- Miyato et al. 2018, *Spectral Normalization for GANs*, arXiv 1802.05957.
- Gulrajani et al. 2017, *Improved Training of Wasserstein GANs*, arXiv 1704.00028.
- Zhao et al. 2020, *Differentiable Augmentation for Data-Efficient GAN Training*, arXiv 2006.10738.
""")

code('''
course_lib.record("runtime_seconds", time.perf_counter() - started)
print(f"notebook ran in {time.perf_counter() - started:.0f} s ({'quick' if QUICK else 'full'} mode, {FRAMEWORK})")
''')

book.write(OUT)

