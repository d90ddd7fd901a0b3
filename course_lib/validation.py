"""Framework-free input checks shared by the numpy oracle, both twins, metrics, data and configs.

The twins call these on shapes (tuples of ints, None for a dimension unknown while tracing) and, where the
values are on the host, on numpy copies, so that the three implementations reject the same inputs with the
same message. Every check raises `course_lib.errors.InputError` (or `ConfigError` through `check_field`)
naming the argument, what was expected, what came, and the fix.

Dtype policy (all twin functions): the computation runs in float64 when any floating input is float64, and in
float32 otherwise (float16, bfloat16, float32, integers, booleans and Python numbers all become float32). The
numpy oracle always computes in float64.

NaN policy (losses, penalties and ELBO terms, which run on every training step): a NaN in an input gives a NaN
result, never a finite-looking number, and the training loops' NaN guards stop the run naming the step. Data,
images, labels, metric features, latents and configs are checked for NaN and inf and rejected.
"""

from __future__ import annotations

import math
import numbers
import warnings

import numpy as np

from course_lib.errors import ConfigError, InputError, ScaleWarning

__all__ = [
    "LIKELIHOODS",
    "REDUCTIONS",
    "as_float_array",
    "check_bernoulli_targets",
    "check_broadcastable",
    "check_choice",
    "check_data_pair",
    "check_dirac",
    "check_epsilon",
    "check_field",
    "check_finite",
    "check_image_scale",
    "check_importance_shapes",
    "check_features_batch",
    "check_labels",
    "check_linear_input",
    "check_linear_layer",
    "check_pack",
    "check_latent_pair",
    "check_latents",
    "check_latents_and_labels",
    "check_nonempty",
    "check_number",
    "check_penalty_inputs",
    "check_positive_int",
    "check_range",
    "check_rank",
    "check_same_batch",
    "check_same_shape",
    "check_score_pair",
    "check_score_shape",
    "compute_dtype",
    "fail",
    "is_tensor",
    "policy_dtype",
    "shape_of",
]

REDUCTIONS = ("mean", "sum", "none")
LIKELIHOODS = ("bernoulli", "gaussian")
_FLOAT_NAMES = ("float16", "bfloat16", "float32", "float64", "half", "float", "double")


def fail(name, expected, got, fix=""):
    message = f"{name}: expected {expected}; got {got}."
    raise InputError(message + (f" {fix}" if fix else ""))


def shape_of(x) -> tuple:
    """The shape of a numpy array, torch tensor, tf tensor or nested list; unknown (traced) dims are None."""
    shape = getattr(x, "shape", None)
    if shape is None:
        return tuple(np.shape(x))
    try:
        dims = list(shape)
    except (TypeError, ValueError):  # a tf.TensorShape of unknown rank
        return None
    return tuple(None if d is None else int(d) for d in dims)


def _dtype_name(dtype) -> str:
    name = getattr(dtype, "name", None) or str(dtype)
    return name.replace("torch.", "")


def compute_dtype(name: str, *dtypes) -> str:
    """The dtype policy: "float64" when any of `dtypes` is float64, else "float32".

    Raises InputError for a dtype that is not a number (strings, objects, complex).
    """
    result = "float32"
    for dtype in dtypes:
        dname = _dtype_name(dtype)
        if dname in ("float64", "double"):
            result = "float64"
        elif not (dname in _FLOAT_NAMES or dname == "bool" or dname.startswith(("int", "uint"))):
            fail(name, "real numbers (float, int or bool)", f"dtype {dname}",
                  "Convert the input to a float array first.")
    return result


def as_float_array(x, name, dtype=np.float64) -> np.ndarray:
    """np.asarray(x, dtype) with an InputError (not numpy's TypeError) for non-numeric input."""
    try:
        array = np.asarray(x)
    except (TypeError, ValueError) as error:
        fail(name, "an array of numbers", f"{type(x).__name__} ({error})")
    if array.dtype.kind not in "biuf":
        fail(name, "real numbers (float, int or bool)", f"dtype {array.dtype}",
              "Convert the input to a float array first.")
    return array.astype(dtype, copy=False)


def check_rank(shape, name, ranks, what="") -> None:
    """The rank (number of axes) of `shape` is one of `ranks`."""
    if shape is None:
        return
    if len(shape) not in tuple(ranks):
        if isinstance(ranks, range) and len(ranks) > 2:
            expected = f"rank {ranks.start} to {ranks.stop - 1}"
        else:
            expected = " or ".join(f"rank {r}" for r in ranks)
        expected += f" ({what})" if what else ""
        fail(name, expected, f"shape {tuple(shape)}")


def check_nonempty(shape, name) -> None:
    """At least one example: shape[0] > 0 (and no zero-sized axis)."""
    if shape is None:
        return
    if any(d == 0 for d in shape):
        fail(name, "a non-empty batch", f"shape {tuple(shape)}", "Pass at least one example.")


def check_score_shape(shape, name) -> None:
    """One logit or score per sample: [N] or [N, 1] with N > 0."""
    if shape is None:
        return
    if not (len(shape) == 1 or (len(shape) == 2 and shape[1] in (1, None))):
        fail(name, "shape [N] or [N, 1] (one logit or score per sample)", f"shape {tuple(shape)}",
              "Flatten the discriminator's output per sample.")
    check_nonempty(shape, name)


def check_same_batch(name_a, shape_a, name_b, shape_b) -> None:
    """The first dimensions agree (when both are known): no silent broadcasting across batches."""
    if shape_a is None or shape_b is None or not shape_a or not shape_b:
        return
    if shape_a[0] is not None and shape_b[0] is not None and shape_a[0] != shape_b[0]:
        fail(f"{name_a} and {name_b}", "the same batch size N",
              f"{shape_a[0]} and {shape_b[0]} (shapes {tuple(shape_a)} and {tuple(shape_b)})",
              "Pass one value per example in each.")


def check_same_shape(name_a, shape_a, name_b, shape_b) -> None:
    """Equal shapes (unknown dims match anything)."""
    if shape_a is None or shape_b is None:
        return
    same = len(shape_a) == len(shape_b) and all(
        a is None or b is None or a == b for a, b in zip(shape_a, shape_b))
    if not same:
        fail(f"{name_a} and {name_b}", "the same shape", f"{tuple(shape_a)} and {tuple(shape_b)}")


def check_choice(value, name, choices) -> None:
    """`value` is one of `choices` (exact match, so a typo such as "Mean" is caught)."""
    if not isinstance(value, str) or value not in choices:
        fail(name, f"one of {tuple(choices)}", repr(value))


def check_number(value, name, low=None, high=None, low_open=False, high_open=False, finite=True):
    """A real number in [low, high] (bounds optional, open with *_open); returns it as a float (None for a
    traced tensor, whose value is not known yet)."""
    if is_tensor(value):
        try:  # an eager or host tensor holds its value; a traced one (inside tf.function) cannot be checked here
            value = value.item() if hasattr(value, "item") else value.numpy().item()
        except Exception:  # noqa: BLE001  (each framework raises its own type for a symbolic tensor)
            return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        try:
            value = float(np.asarray(value).item()) if np.size(value) == 1 else value
        except (TypeError, ValueError):
            pass
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            fail(name, "a real number", repr(value))
    value = float(value)
    if math.isnan(value) or (finite and math.isinf(value)):
        fail(name, "a finite number", repr(value))
    bad_low = low is not None and (value <= low if low_open else value < low)
    bad_high = high is not None and (value >= high if high_open else value > high)
    if bad_low or bad_high:
        if high is None:
            expected = f"a number {'>' if low_open else '>='} {low:g}"
        elif low is None:
            expected = f"a number {'<' if high_open else '<='} {high:g}"
        else:
            expected = f"a number in {'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"
        fail(name, expected, repr(value))
    return value


def check_positive_int(value, name, allow_zero=False) -> int:
    """A positive integer (or non-negative with allow_zero); bools and floats such as 2.5 are refused."""
    expected = "a non-negative integer" if allow_zero else "a positive integer"
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or int(value) < (0 if allow_zero else 1):
        fail(name, expected, repr(value))
    value = int(value)
    return value


def check_finite(array, name, fix="") -> None:
    """No NaN or inf in a numpy array (call it on host values only)."""
    array = np.asarray(array)
    if array.dtype.kind == "f" and array.size and not np.isfinite(array).all():
        bad = int(array.size - np.isfinite(array).sum())
        fail(name, "finite values", f"{bad} NaN or inf value(s) among {array.size}",
              fix or "Check what produced them (a diverged model, a division by zero).")


def check_range(array, name, low, high, fix="") -> None:
    """All values in [low, high] (numpy host values); NaN fails too."""
    array = np.asarray(array)
    if not array.size:
        return
    check_finite(array, name, fix)
    lo, hi = float(array.min()), float(array.max())
    if lo < low or hi > high:
        fail(name, f"values in [{low}, {high}]", f"values in [{lo:.4g}, {hi:.4g}]", fix)


def check_labels(labels, name="labels", num_classes=10, n=None) -> np.ndarray:
    """Integer class labels in [0, num_classes), shape [n]; returns them as int64."""
    array = np.asarray(labels)
    if array.dtype.kind == "f":
        if array.size and not (np.isfinite(array).all() and np.all(array == np.round(array))):
            fail(name, "integer class labels", "non-integer floats")
    elif array.dtype.kind not in "iub":
        fail(name, "integer class labels", f"dtype {array.dtype}")
    if array.ndim != 1:
        fail(name, "shape [N] (one label per example)", f"shape {array.shape}")
    if n is not None and array.shape[0] != n:
        fail(name, f"shape [{n}] (one label per image)", f"shape {array.shape}")
    array = array.astype(np.int64)
    if array.size and (array.min() < 0 or array.max() >= num_classes):
        fail(name, f"labels in [0, {num_classes})", f"labels in [{array.min()}, {array.max()}]",
              f"Labels are class indices 0..{num_classes - 1}.")
    return array


def check_image_scale(images, name="images", expected="[-1, 1]") -> None:
    """Warn (ScaleWarning) or raise when images look like the wrong scale.

    expected "[-1, 1]": uint8 raises (pass floats or use the uint8 entry point); floats in [0, 1] with nothing
    below -0.01 warn (they read as the top half of [-1, 1]: a grey T-shirt becomes white); values outside
    [-1, 1] raise. expected "[0, 1]": values above 1 (e.g. 0..255) or below 0 raise.
    """
    array = np.asarray(images)
    if not array.size:
        return
    if expected == "[-1, 1]":
        if array.dtype == np.uint8:
            fail(name, "float images in [-1, 1]", "uint8", "Convert with x / 127.5 - 1.")
        check_finite(array, name)
        lo, hi = float(array.min()), float(array.max())
        if lo < -1.001 or hi > 1.001:
            fail(name, "values in [-1, 1]", f"values in [{lo:.4g}, {hi:.4g}]",
                  "Rescale: uint8 x / 127.5 - 1, or [0, 1] floats 2 x - 1.")
        if lo >= -0.01 and hi > 0.5:
            warnings.warn(f"{name}: values lie in [{lo:.3g}, {hi:.3g}], which looks like [0, 1], but [-1, 1] is "
                          "expected; rescale with 2 * x - 1.", ScaleWarning, stacklevel=3)
    elif expected == "[0, 1]":
        check_finite(array, name)
        lo, hi = float(array.min()), float(array.max())
        if lo < 0.0 or hi > 1.0:
            fail(name, "values in [0, 1]", f"values in [{lo:.4g}, {hi:.4g}]",
                  "Scale pixels to [0, 1] (uint8 / 255, or (x + 1) / 2 for [-1, 1]).")
    else:
        raise ValueError(f"expected must be '[-1, 1]' or '[0, 1]'; got {expected!r}.")


def check_field(config, name, valid, expected) -> None:
    """Raise ConfigError for config field `name` when `valid` is false."""
    if not valid:
        raise ConfigError(f"{type(config).__name__}.{name} must be {expected}; got {getattr(config, name)!r}.")


def check_penalty_inputs(real_shape, fake_shape, weight, weight_name):
    """Shared by the oracle and both twins: a non-empty batch [N, ...], fake of real's shape, a weight >= 0."""
    check_rank(real_shape, "real", range(1, 8), "a batch [N, ...]")
    check_nonempty(real_shape, "real")
    if fake_shape is not None:
        check_same_shape("real", real_shape, "fake", fake_shape)
    check_number(weight, weight_name, 0.0)


def check_epsilon(eps_shape, n, eps_values=None):
    """Interpolation weights: shape [N], values in [0, 1] (checked when the values are on the host)."""
    if eps_shape is not None and (len(eps_shape) != 1 or (n is not None and eps_shape[0] not in (None, n))):
        fail("epsilon", f"shape [N] = ({n},), one weight per sample", f"shape {tuple(eps_shape)}")
    if eps_values is not None:
        check_range(eps_values, "epsilon", 0.0, 1.0)


def check_latent_pair(mu_shape, logvar_shape, batch_shape=None, batch_name="x") -> None:
    """Encoder outputs: mu and logvar of the same shape [N, d], N > 0, and N equal to `batch_name`'s N."""
    check_rank(mu_shape, "mu", (2,), "[N, d]: one row of latent means per example")
    check_nonempty(mu_shape, "mu")
    check_same_shape("mu", mu_shape, "logvar", logvar_shape)
    if batch_shape is not None:
        check_same_batch(batch_name, batch_shape, "mu", mu_shape)


def check_data_pair(x_shape, decoded_shape, decoded_name="decoded") -> None:
    """Data and decoder output: the same shape [N, ...], N > 0."""
    check_rank(x_shape, "x", range(1, 8), "a batch [N, ...]")
    check_nonempty(x_shape, "x")
    check_same_shape("x", x_shape, decoded_name, decoded_shape)


def check_bernoulli_targets(values, name="x") -> None:
    """Bernoulli targets are pixels in [0, 1] (host values); 0..255 or [-1, 1] images are refused."""
    check_range(values, name, 0.0, 1.0, "The Bernoulli likelihood needs pixels in [0, 1]: use uint8 / 255, "
                "or (x + 1) / 2 for images in [-1, 1].")


def check_broadcastable(shape, target_shape, name, target_name) -> None:
    """`shape` broadcasts to `target_shape` without changing it (a scalar, one per pixel, or the full shape)."""
    if shape is None or target_shape is None:
        return
    if len(shape) > len(target_shape) or any(
            s not in (1, None) and t is not None and s != t
            for s, t in zip(reversed(shape), reversed(target_shape))):
        fail(name, f"a shape that broadcasts to {target_name}'s {tuple(target_shape)}", f"shape {tuple(shape)}")


def check_importance_shapes(log_px_shape, z_shape, mu_shape, logvar_shape) -> None:
    """log p(x|z) [N, k], z [N, k, d], mu and logvar [N, d]."""
    check_latent_pair(mu_shape, logvar_shape)
    check_rank(z_shape, "z", (3,), "[N, k, d]: k samples per example")
    check_rank(log_px_shape, "log_px_given_z", (2,), "[N, k]")
    n, d = mu_shape
    k = z_shape[1]
    check_same_shape("z", z_shape, "[N, k, d] from mu", (n, k, d))
    check_same_shape("log_px_given_z", log_px_shape, "[N, k] from z", (n, k))


def check_score_pair(real_shape, fake_shape, real_name, fake_name, reduction) -> None:
    """Discriminator losses: each term is reduced on its own, so "mean" and "sum" take batches of different
    sizes; "none" adds the terms row by row and needs N = M (a [3] batch never broadcasts against a [1])."""
    check_choice(reduction, "reduction", REDUCTIONS)
    if reduction == "none":
        check_same_batch(real_name, real_shape, fake_name, fake_shape)


def policy_dtype(*named) -> str:
    """The dtype policy for twin inputs given as (name, value) pairs: "float64" when any is a float64 array or
    tensor, else "float32" (Python numbers and lists become float32, as in both frameworks)."""
    dtypes = []
    for name, value in named:
        dtype = getattr(value, "dtype", None)
        if dtype is None:  # a Python number or a (nested) list
            dtype = as_float_array(value, name).dtype
            dtypes.append("float32" if dtype.kind in "biuf" else dtype)
        else:
            dtypes.append(dtype)
        compute_dtype(name, dtypes[-1])
    return compute_dtype("inputs", *dtypes)


def is_tensor(value) -> bool:
    """A framework tensor (torch or tf), recognised without importing either framework."""
    module = type(value).__module__
    return module.startswith(("torch", "tensorflow", "keras"))


def check_pack(shape, m) -> None:
    """PacGAN packing: samples [N, D] with N a positive multiple of the packing degree m >= 1."""
    check_positive_int(m, "m (packing degree)")
    check_rank(shape, "samples", (2,), "[N, D]")
    check_nonempty(shape, "samples")
    if shape[0] is not None and shape[0] % m:
        fail("samples", f"a batch size divisible by the packing degree m={m}", f"{shape[0]} samples",
             "Choose batch_size as a multiple of pack.")


def check_features_batch(shape, name="features", min_batch=1) -> None:
    """Per-sample features [N, F] with N >= min_batch."""
    check_rank(shape, name, (2,), "[N, F]")
    if shape[0] is not None and shape[0] < min_batch:
        fail(name, f"a batch of at least {min_batch} rows", f"shape {tuple(shape)}")
    check_nonempty(shape, name)


def check_linear_layer(in_features, out_features, power_iterations, eps) -> None:
    """Constructor arguments of SpectralNormLinear."""
    check_positive_int(in_features, "in_features")
    check_positive_int(out_features, "out_features")
    check_positive_int(power_iterations, "power_iterations")
    check_number(eps, "eps", 0.0, low_open=True)


def check_linear_input(shape, in_features, layer="SpectralNormLinear") -> None:
    """The input of a linear layer: [N, in_features]; checked before the framework's call, so this message
    comes first (Keras would wrap an error raised inside call() under its own header)."""
    check_rank(shape, f"{layer} input x", (2,), f"[N, {in_features}]")
    if shape[1] is not None and shape[1] != in_features:
        fail(f"{layer} input x", f"shape [N, {in_features}]", f"shape {tuple(shape)}")


def check_latents_and_labels(z, labels, latent_dim, num_classes) -> tuple[np.ndarray, np.ndarray]:
    """Generator inputs: finite latents float32 [N, latent_dim] and class labels int64 [N] in [0, num_classes)
    (an embedding would silently read label -1 as the last class)."""
    z = check_latents(z, latent_dim)
    return z, check_labels(labels, "labels", num_classes, len(z))


def check_latents(z, latent_dim) -> np.ndarray:
    """Finite latents [N, latent_dim] for a decoder or generator, as float32."""
    z = as_float_array(z, "z", np.float32)
    check_rank(z.shape, "z", (2,), f"[N, {latent_dim}]")
    if z.shape[1] != latent_dim:
        fail("z", f"shape [N, {latent_dim}] (the model's latent_dim)", f"shape {z.shape}")
    check_finite(z, "z")
    return z


DIRAC_LOSSES = ("standard", "wgan")
DIRAC_METHODS = ("simultaneous", "alternating")


def check_dirac(loss, h=None, method=None, steps=None, **non_negative) -> None:
    """Dirac-GAN arguments, the same in the oracle and both twins: a known loss (a typo must not silently run
    the other game), h > 0, a known method, steps >= 0, and regularisers (r1_gamma, gp_weight, noise_std,
    weight_clip) >= 0."""
    check_choice(loss, "loss", DIRAC_LOSSES)
    if method is not None:
        check_choice(method, "method", DIRAC_METHODS)
    if h is not None:
        check_number(h, "h (step size)", 0.0, low_open=True)
    if steps is not None:
        check_positive_int(steps, "steps", allow_zero=True)
    for name, value in non_negative.items():
        check_number(value, name, 0.0)


def _leave_to_python_in_tf_graphs():
    # Inside a tf.function, TensorFlow's autograph rewrites every Python function it reaches, and its rewrite of
    # these checks (keyword arguments, try/except) went wrong. The attribute below is how autograph recognises
    # functions it must call as they are; the checks read only shapes, dtypes and host values, never a
    # traced tensor's value, so plain Python is right for them.
    for value in list(globals().values()):
        if callable(value) and getattr(value, "__module__", None) == __name__:
            value.autograph_info__ = frozenset()


_leave_to_python_in_tf_graphs()
