"""Build notebooks/02_gan_instability.ipynb (without outputs): `python tools/build_notebook_02.py`."""

from __future__ import annotations

import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from tools.nbbuild import NotebookBuilder  # noqa: E402

OUT = pathlib.Path(__file__).resolve().parents[1] / "notebooks" / "02_gan_instability.ipynb"
book = NotebookBuilder()
md, code, exercise = book.md, book.code, book.exercise


md("""
# 02 · Why GAN training is unstable, and what fixes it — measured

The shop's generator from notebook 01 sometimes makes only a few kinds of product, and sometimes its training
never settles. This notebook shows both failures on problems small enough to solve on paper, measures them,
and tests the fixes.

After this notebook you can:
- explain with eigenvalues why plain gradient steps on a GAN do not converge, and why R1 and instance noise do;
- measure mode collapse with three numbers: modes captured, high-quality samples, reverse KL;
- apply and compare remedies: PacGAN packing, R1, spectral normalisation, minibatch std, unrolling, WGAN-GP;
- read a training run's health from its losses.

Quick mode (`QUICK = True`) runs in about a minute on a CPU. Full mode trains longer and reproduces a
published table in about 10 minutes on a 2-core CPU.
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
md("""
## Part 1 · The Dirac-GAN: the smallest GAN that fails

Mescheder, Geiger and Nowozin (2018, arXiv 1801.04406) strip a GAN to two numbers. The data is one point,
p_data = δ(0). The generator is one point too, p_g = δ(θ). The discriminator is a line through the origin,
D(x) = ψ·x, a logit. The equilibrium is θ = 0 (G matches the data) and ψ = 0 (D cannot tell).

With the usual losses, L_D = softplus(−D(0)) + softplus(D(θ)) and L_G = −L_D. Gradient descent moves
(θ, ψ) along the vector field v = (−∂L_G/∂θ, −∂L_D/∂ψ). First check that the framework's autograd on the
real losses gives the same field as the closed form in `course_lib.reference.dirac`.
""")

code('''
thetas, psis = np.meshgrid(np.linspace(-2, 2, 9), np.linspace(-2, 2, 9))
twin_field = fw.dirac.vector_field(thetas, psis)
exact_field = dirac.vector_field(thetas, psis)
field_error = max(float(np.max(np.abs(a - b))) for a, b in zip(twin_field, exact_field))
course_lib.record("dirac_field_max_abs_diff", field_error)
print(f"largest difference between {FRAMEWORK} autograd and the closed form: {field_error:.1e}")
''')

md("""
The two agree to rounding. Now take steps of size h = `H` from (θ, ψ) = (1, 1). *Simultaneous* steps move
both players from the same point. *Alternating* steps move G first, then D from G's new position.
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

md("""
Takeaway: simultaneous steps spiral away from the equilibrium; alternating steps circle it for ever.
Neither converges.

**Why.** Near (0, 0) the field is linear, v ≈ J·(θ, ψ) with J = [[0, 1/2], [−1/2, 0]] (1/2 is f′(0), the slope
of softplus at 0). J's eigenvalues are ±i/2: pure rotation, no pull toward the centre. A simultaneous step
multiplies by I + hJ, whose eigenvalues 1 ± ih/2 have modulus √(1 + h²/4) > 1: every step pushes outward.
An alternating step has determinant 1, so its eigenvalues have modulus exactly 1 (for h < 4): an orbit.

We can *measure* the eigenvalues too: fit the linear map x_{k+1} ≈ M x_k to a trajectory that starts near
the equilibrium, and take M's eigenvalues.
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

md("""
The measured eigenvalues match the closed form. With R1 or instance noise, |λ| drops below 1.

**The regularisers.** R1 (Mescheder et al. 2018) penalises D's gradient on real data: L_D + (γ/2)‖∇ₓD(x)‖².
Here ∇ₓD = ψ, so the penalty is (γ/2)ψ², which adds −γ to J's lower-right entry: a pull of ψ toward 0.
Instance noise (adding N(0, σ²) to real and fake samples) does the same with γ = σ²/2. WGAN with weight
clipping keeps |ψ| ≤ c but adds no pull; WGAN-GP pushes |ψ| toward 1, not 0. Four runs show the regimes.
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

md("""
Takeaway: R1 and instance noise reach (0, 0); clipped WGAN and WGAN-GP keep moving at a distance from it.

### Exercise ex-02-1: the spectral radius
Write `spectral_radius(h, gamma)`: the largest |eigenvalue| of one simultaneous step at the equilibrium with R1
weight γ (standard loss, so f′(0) = 1/2). Use numpy only. The iterates converge when it is below 1.
""")

exercise("ex-02-1", '''
def spectral_radius(h, gamma):
    """max |eigenvalue| of I + h J, J = [[0, 1/2], [-1/2, -gamma]]."""
    raise NotImplementedError("build J, then np.linalg.eigvals(np.eye(2) + h * J)")
''', "spectral_radius")

md("""
### Exercise ex-02-2: choose γ
With a large step, h = 0.5, pick a value `GAMMA` for which simultaneous steps converge. Use your function.
""")

exercise("ex-02-2", '''
GAMMA = None  # a number >= 0: try spectral_radius(0.5, gamma) for a few values
''', "GAMMA")

code('''
gammas = np.linspace(0, 2, 81)
radii = [spectral_radius(0.5, g) for g in gammas]
fig, ax = plt.subplots(figsize=(5, 3))
ax.plot(gammas, radii)
ax.axhline(1.0, color="gray", lw=0.8)
ax.set_xlabel("gamma (R1 weight)")
ax.set_ylabel("max |lambda|")
ax.set_title("Simultaneous steps, h = 0.5: convergence needs max |lambda| < 1")
plt.show()
course_lib.record("gamma_choice_radius", spectral_radius(0.5, GAMMA))
print(f"GAMMA = {GAMMA}: max |lambda| = {spectral_radius(0.5, GAMMA):.4f}")
''')

md("""
Takeaway: any γ > h/4 = 0.125 converges; too large a γ slows convergence again (one real eigenvalue creeps
back toward 1).

Explore it yourself: move h, γ, the update method and the noise, and watch the trajectory and the eigenvalues
(analytic circles, measured crosses) against the unit circle.
""")

code('''
dirac_viz.dirac_explorer()
''')

# ------------------------------------------------------------------------------------------------ Part 2
md("""
## Part 2 · Mode collapse on 2-D mixtures

Real GANs fail in a second way: the generator covers only some of the data. We measure it on two mixtures
from the PacGAN paper (Lin et al. 2018, arXiv 1712.04086): a ring of 8 Gaussians (radius 1, std 0.01) and a
5×5 grid (spacing 2, std 0.05). Three numbers, on 2,500 generated samples:
- **high-quality samples**: the fraction within 3 std (Euclidean distance) of their nearest mode;
- **modes captured**: modes that are the nearest mode of at least one high-quality sample;
- **reverse KL**: KL(p ‖ uniform) of the histogram p of high-quality samples over the modes, in nats
  (0 log 0 = 0; 0 when all modes are equally covered, log K for one mode).

### Exercise ex-02-3: the high-quality test
""")

exercise("ex-02-3", '''
def high_quality_mask(samples, means, std):
    """Boolean [N]: is sample i within 3 * std (Euclidean) of its nearest mode? samples [N, 2], means [K, 2]."""
    raise NotImplementedError
''', "high_quality_mask")

md("### Exercise ex-02-4: the reverse KL of a mode histogram\n\n"
   "Given `counts` [K] (high-quality samples per mode), return KL(p ‖ uniform) with 0 log 0 = 0.")

exercise("ex-02-4", '''
def reverse_kl_to_uniform(counts):
    """sum over modes with p_k > 0 of p_k log(p_k K), p = counts / counts.sum()."""
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

md("""
The data itself scores 8 modes, about 99 % high quality (3 std in 2-D keeps 1 − e^−4.5) and a reverse KL
near 0. Now train a vanilla GAN on the grid, with the health monitor watching, and take snapshots.
""")

code('''
snapshot_steps = nb.pick(600, 8000)
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

md("""
Takeaway: in full mode the vanilla GAN leaves modes empty and the R1 run covers the grid (measured with torch,
seed 0, 8,000 steps: vanilla 16/25 modes, reverse KL 1.09; R1 25/25, reverse KL 0.007). In quick mode both are
still blurry: the high-quality fraction needs the later, low-learning-rate phase.

### The remedies
`ToyGANConfig` switches each remedy on in both frameworks:
- `pack=m` (PacGAN): D judges m samples at once, so a generator that repeats itself is easy to catch;
- `r1_gamma`: the R1 penalty of Part 1;
- `spectral_norm=True`: each weight matrix of D divided by its largest singular value (arXiv 1802.05957);
- `minibatch_std=True`: D sees the batch's feature spread (arXiv 1710.10196);
- `unrolled_steps=k`: G answers D advanced k extra steps (arXiv 1611.02163, first-order form);
- `loss="wasserstein", gp_weight=λ`: WGAN-GP (arXiv 1704.00028).

### Exercise ex-02-5: packing
Write `pack_samples(x, m)`: x [N, d] → [N / m, m·d], row j holding samples j·m … j·m + m − 1.
""")

exercise("ex-02-5", '''
def pack_samples(x, m):
    """x [N, d] numpy -> [N // m, m * d]; row j = concat(x[j*m], ..., x[j*m + m - 1])."""
    raise NotImplementedError
''', "pack_samples")

code('''
x = np.arange(12, dtype=np.float32).reshape(6, 2)
packed = pack_samples(x, 3)
x_tensor = fw.utils.to_tensor(x)
twin_packed = fw.utils.to_numpy(fw.layers.pack(x_tensor, 3))  # what the toy GAN's D does with pack=3
print(packed)
course_lib.record("pack_matches_twin", bool(np.array_equal(packed, twin_packed)))
''')

# ------------------------------------------------------------------------------------------------ Part 3
md("""
## Part 3 · PacGAN's Table 1, reproduced under our budget

The table trains a vanilla GAN, PacGAN2 and R1 on the ring and the grid, over several seeds, and prints our
numbers next to the paper's. Full mode: 3 seeds, ring 8,000 steps, grid 20,000 steps (about 10 minutes on a
2-core CPU, two single-thread runs in parallel). Quick mode: one seed of 600 steps, too short to mean much:
it shows the machinery. The full-mode table measured for the course is read from `benchmarks/results/`.
""")

code('''
table_start = time.perf_counter()
rows = pacgan_table.run_table(FRAMEWORK, quick=QUICK, seeds=nb.pick(1, 3), workers=TABLE_WORKERS, progress=not QUICK)
summary = pacgan_table.summarize(rows)
table_seconds = time.perf_counter() - table_start
print(pacgan_table.format_table(summary))
print(f"{len(rows)} runs in {table_seconds:.0f} s")
csv_path = Path(RESULTS_DIR) / f"pacgan_table_{FRAMEWORK}{'_quick' if QUICK else '_notebook'}.csv"
pacgan_table.write_csv(summary, csv_path)
course_lib.record("table", [{k: v for k, v in e.items()} for e in summary])
course_lib.record("table_seconds", table_seconds)
''')

md("The table measured in full mode for the course (3 seeds; command and machine in `benchmarks/results/README.md`):")

code('''
import csv

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
    print(f"{measured_csv} is not here (e.g. on Colab): run `python benchmarks/pacgan_table.py` to make it.")
course_lib.record("measured_table", [{k: row[k] for k in ("dataset", "method", "modes_mean", "high_quality_mean",
                                                          "reverse_kl_mean")} for row in measured])
''')

md("""
**What matches, what differs.** The ordering of the paper holds: the vanilla GAN captures fewest modes and has
the largest reverse KL, most clearly on the grid; PacGAN2 covers (nearly) all modes; R1, not in the paper's
table, covers all 25 grid modes with a high-quality fraction close to the vanilla GAN's. Our vanilla GAN
captures *more* ring modes than the paper's (it mode-hops rather than collapses at this budget), and our
PacGAN2 has fewer high-quality grid samples. The setups differ: the paper used a 4×400 ReLU + BatchNorm
generator, a 3×200 maxout discriminator, Adam 1e-4 with β1 = 0.8, batch 100 and far more steps; we use 3×128
ReLU MLPs for both, Adam 5e-4 with β1 = 0.5, batch 256, 8k–20k steps and 3 seeds (the paper: 10 trials).
""")

# ------------------------------------------------------------------------------------------------ Part 4
md("""
## Part 4 · Reading a run's health

`course_lib.health.TrainingMonitor` is fed the losses at every logged step (`train_toy_gan(..., monitor=...)`)
and flags, in plain language: D overpowering G (D loss → 0), the G loss blowing up, NaN/inf (it stops the run
and says what to try), and, given samples, mode collapse. Here is what it said about the vanilla run above:
""")

code('''
coverage, flags = monitor.check_samples(snapshot_steps, runs["vanilla"].samples, grid_means, toy2d.GRID_STD)
print(monitor.report())
fig = plot_loss_histories({name: run.history for name, run in runs.items()},
                          title="D and G losses (balance: D 1.39, G 0.69)")
plt.show()
course_lib.record("health_vanilla", monitor.kinds())
''')

md("Takeaway: the losses can hover near the balance point while modes are missing; the samples reveal the "
   "collapse. Next, a learning rate far too large (10): D wins at once and G's loss explodes.")

code('''
too_fast = TrainingMonitor(window=5)
result = fw.toy_gan.train_toy_gan(ToyGANConfig(steps=40, lr=10.0, log_every=1, seed=SEED), monitor=too_fast)
course_lib.record("health_too_fast", too_fast.kinds())
''')

md("And a typo that every course sees once: `lr=1e8` instead of `1e-3`. The monitor stops the run at the first "
   "non-finite loss and says what to try.")

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

md("""
Takeaway: a diverging run stops at the first non-finite loss, with the step and what to try, instead of
producing NaN weights silently.

## Summary
- Plain gradient steps on a GAN rotate around the equilibrium: simultaneous steps spiral out (|λ| = √(1+h²/4)),
  alternating steps orbit. R1 and instance noise add a pull toward it; clipped WGAN and WGAN-GP do not.
- Mode collapse is measurable: modes captured, high-quality fraction, reverse KL.
- Packing and zero-centred gradient penalties (R1) fix collapse on the toy mixtures; the vanilla GAN does not.
- Watch the samples, not just the losses.
""")

code('''
course_lib.record("runtime_seconds", time.perf_counter() - started)
print(f"notebook ran in {time.perf_counter() - started:.0f} s ({'quick' if QUICK else 'full'} mode, {FRAMEWORK})")
''')

book.write(OUT)
