"""Probe the library with bad inputs, as a reader would, and count what happens to each.

Every probe is a call that must not return a number silently. Outcomes: "library" (InputError, ConfigError, or a
ScaleWarning), "other error" (a framework's or numpy's own exception: at least not silent, but not ours), "silent"
(a value came back with no error and no ScaleWarning), "hang" (did not return within 10 s).
Prints one JSON object: counts per outcome and the silent probes by name.

    PYTHONPATH=$PWD python scripts/probe_bad_inputs.py            # this checkout
"""

from __future__ import annotations

import importlib
import json
import signal
import warnings

import numpy as np

import course_lib
from course_lib import config as cfg
from course_lib.reference import losses as ref_losses
from course_lib.reference import vae as ref_vae

LIBRARY_ERRORS = tuple(getattr(__import__("course_lib.errors", fromlist=["x"]), n, ())
                       for n in ("InputError", "ConfigError"))
SCALE_WARNING = getattr(__import__("course_lib.errors", fromlist=["x"]), "ScaleWarning", None)


def _loss_probes(losses, tag):
    z3, z1 = np.zeros(3), np.zeros(1)
    for name in ("minimax_discriminator_loss", "least_squares_discriminator_loss", "wasserstein_critic_loss",
                 "hinge_discriminator_loss"):
        fn = getattr(losses, name)
        yield f"{tag}.{name}: [3] vs [1] with none", lambda fn=fn: fn(z3, z1, "none")
        yield f"{tag}.{name}: empty", lambda fn=fn: fn(np.zeros(0), np.zeros(0))
        yield f"{tag}.{name}: strings", lambda fn=fn: fn(np.array(["a"]), np.array(["b"]))
        yield f"{tag}.{name}: reduction typo", lambda fn=fn: fn(z3, z3, "Mean")
        yield f"{tag}.{name}: [3, 2] scores", lambda fn=fn: fn(np.zeros((3, 2)), np.zeros((3, 2)))
    for name in ("minimax_generator_loss", "non_saturating_generator_loss", "least_squares_generator_loss",
                 "wasserstein_generator_loss", "hinge_generator_loss"):
        fn = getattr(losses, name)
        yield f"{tag}.{name}: empty", lambda fn=fn: fn(np.zeros(0))
        yield f"{tag}.{name}: scalar", lambda fn=fn: fn(np.float64(1.0))
        yield f"{tag}.{name}: strings", lambda fn=fn: fn(np.array(["a"]))
    yield f"{tag}.label_smoothing nan", lambda: losses.minimax_discriminator_loss(z3, z3, "mean", float("nan"))


def _vae_probes(vae, tag):
    x, logits, mu = np.full((5, 4), 0.5), np.zeros((5, 4)), np.zeros((5, 2))
    yield f"{tag}.elbo: batch-1 mu vs batch-5 x", lambda: vae.elbo(x, logits, mu[:1], mu[:1])
    yield f"{tag}.bernoulli: pixels 0..255", lambda: vae.bernoulli_log_likelihood(x * 255, logits)
    yield f"{tag}.bernoulli: pixels in [-1, 1]", lambda: vae.bernoulli_log_likelihood(x * 2 - 2, logits)
    yield f"{tag}.elbo: likelihood typo", lambda: vae.elbo(x, logits, mu, mu, likelihood="Bernoulli")
    yield f"{tag}.elbo: negative beta", lambda: vae.elbo(x, logits, mu, mu, beta=-1.0)
    yield f"{tag}.gaussian_kl: mu [5, 2] logvar [5, 1]", lambda: vae.gaussian_kl(mu, mu[:, :1])
    yield f"{tag}.gaussian_kl: empty", lambda: vae.gaussian_kl(mu[:0], mu[:0])
    yield f"{tag}.gaussian_kl: rank 1", lambda: vae.gaussian_kl(mu[0], mu[0])
    yield f"{tag}.reparameterize: logvar [1, 2] for mu [5, 2]", lambda: vae.reparameterize(mu, mu[:1], eps=mu)
    yield f"{tag}.gaussian_log_likelihood: mean [1, 4]", lambda: vae.gaussian_log_likelihood(x, logits[:1], 0.0)
    yield f"{tag}.log_importance_weights: k mismatch", lambda: vae.log_importance_weights(
        np.zeros((5, 3)), np.zeros((5, 4, 2)), mu, mu)


def _other_probes():
    from course_lib import latents as sampling
    from course_lib.data import toy2d
    from course_lib.metrics import classifier, evaluation, frechet, kid

    # the package re-exports functions of these names: take the modules themselves
    mode_coverage = importlib.import_module("course_lib.metrics.mode_coverage")
    precision_recall = importlib.import_module("course_lib.metrics.precision_recall")

    unit = np.random.default_rng(0).uniform(0, 1, (4, 28, 28))
    yield "classifier: [0, 1] floats", lambda: classifier._to_nchw(unit)
    yield "class_consistency: label 10", lambda: evaluation.class_consistency(np.zeros((2, 10)), [0, 10])
    yield "class_consistency: label -1", lambda: evaluation.class_consistency(np.zeros((2, 10)), [0, -1])
    yield "frechet: D mismatch", lambda: frechet.frechet_distance(np.ones((3, 2)), np.ones((3, 4)))
    yield "kid: subsets 0", lambda: kid.kernel_distance(np.eye(4), np.eye(4), subsets=0)
    yield "precision_recall: D mismatch", lambda: precision_recall.precision_recall(np.eye(5), np.ones((5, 3)))
    yield "mode_coverage: threshold -1", lambda: mode_coverage.mode_coverage(np.zeros((3, 2)), np.zeros((2, 2)),
                                                                             0.1, threshold=-1.0)
    yield "toy2d.ring: n = 2.5", lambda: toy2d.ring(2.5)
    yield "latent_batch: truncation 1e-9", lambda: sampling.latent_batch(1, 1, truncation=1e-9)
    yield "latent_batch: n = 0", lambda: sampling.latent_batch(0, 4)
    yield "interpolate_latents: t = 2", lambda: sampling.interpolate_latents(np.ones(2), -np.ones(2), 2.0)
    yield "catalogue_labels: per_class -1", lambda: sampling.catalogue_labels(-1)
    yield "VAEConfig(likelihood='Bernoulli')", lambda: cfg.VAEConfig(likelihood="Bernoulli")
    yield "VAEConfig(epochs=-1)", lambda: cfg.VAEConfig(epochs=-1)
    yield "ProductGANConfig(steps=-1)", lambda: cfg.ProductGANConfig(steps=-1)
    yield "ProductGANConfig(batch_size=0)", lambda: cfg.ProductGANConfig(batch_size=0)
    yield "ProductGANConfig(loss='Hinge')", lambda: cfg.ProductGANConfig(loss="Hinge")


def _twin_data_probes(fw, tag):
    images = np.zeros((4, 28, 28), np.uint8)
    yield f"{tag}.data.batches: label 10", lambda: fw.data.batches(images, np.array([0, 1, 2, 10]), 2)
    yield f"{tag}.data.batches: label -1", lambda: fw.data.batches(images, np.array([0, 1, 2, -1]), 2)
    yield f"{tag}.data.to_uint8_images: 0..255 floats", lambda: fw.data.to_uint8_images(
        np.full((2, 28, 28), 200.0))
    yield f"{tag}.layers.pack: m = 0", lambda: fw.layers.pack(np.zeros((4, 2), np.float32), 0)


def _run(call):
    def timeout(*_):
        raise TimeoutError

    signal.signal(signal.SIGALRM, timeout)
    signal.alarm(10)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            call()
        if SCALE_WARNING and any(issubclass(w.category, SCALE_WARNING) for w in caught):
            return "library"
        return "silent"
    except TimeoutError:
        return "hang"
    except LIBRARY_ERRORS:
        return "library"
    except Exception:  # noqa: BLE001  (a framework's own error: counted, not hidden)
        return "other error"
    finally:
        signal.alarm(0)


def main():
    probes = list(_loss_probes(ref_losses, "oracle")) + list(_vae_probes(ref_vae, "oracle"))
    for name in ("torch", "tf"):
        fw = course_lib.load(name)
        probes += list(_loss_probes(fw.losses, name)) + list(_vae_probes(fw.vae, name))
        probes += list(_twin_data_probes(fw, name))
    probes += list(_other_probes())
    outcomes = {label: _run(call) for label, call in probes}
    counts = {kind: sum(1 for v in outcomes.values() if v == kind)
              for kind in ("library", "other error", "silent", "hang")}
    print(json.dumps({"probes": len(probes), **counts,
                      "silent_or_hang": sorted(k for k, v in outcomes.items() if v in ("silent", "hang")),
                      "other_error": sorted(k for k, v in outcomes.items() if v == "other error")}, indent=1))


if __name__ == "__main__":
    main()
