"""Runs a submission's exercise cells, and nothing else, in a fresh process that has no course_lib, then
calls each answer on the hidden inputs. The grader (course_lib.grading.answers) starts it inside the sandbox as
`python -I -c <this file's text>`; it reads one pickled job from stdin and writes one JSON line per exercise to
the descriptor that was its stdout. It imports only the standard library and numpy.

What the process receives: the exercise cells' code (IPython syntax already turned into Python), the master's
plain imports (e.g. `import numpy as np`), the source of the helpers an exercise hands out (e.g. `bce`), public
constants the master imports from course_lib (e.g. FASHION_MNIST_CLASSES), and the argument tuples to call each
answer with. It never receives the seed, the reference implementations, the
expected values or the grading code: whatever it writes is the output of the student's code.

Names the master binds to course_lib (`course_lib`, `ref`, `nb`, `fw`, ...) are stand-ins that raise
`LibraryUnavailable` when used, and importing any other part of course_lib raises it too; the names tried are
reported, so the feedback can say "the answer calls course_lib (ref.non_saturating_generator_loss)".
"""

import base64
import builtins
import importlib.abc
import io
import json
import os
import pickle
import signal
import sys
import types

LIBRARY = "course_lib"
TOUCHED = []  # course_lib names the student's code tried to use, in order


class LibraryUnavailable(ImportError):
    """course_lib is not available to graded answers."""


class _Interrupted(BaseException):
    """The answer ran past its time limit."""


def _unavailable(name):
    TOUCHED.append(name)
    raise LibraryUnavailable(f"{name} is course_lib, which graded answers cannot use: write your own code")


class _LibraryName:
    """A stand-in for a name the notebook binds to course_lib: any use raises LibraryUnavailable."""

    def __init__(self, name):
        object.__setattr__(self, "_name", name)

    def __getattr__(self, attribute):
        if attribute.startswith("__"):
            raise AttributeError(attribute)
        return _LibraryName(f"{object.__getattribute__(self, '_name')}.{attribute}")

    def _use(self, *args, **kwargs):
        _unavailable(object.__getattribute__(self, "_name"))

    __call__ = __getitem__ = __iter__ = __len__ = __bool__ = __array__ = __float__ = __int__ = _use
    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = __truediv__ = __matmul__ = _use


class _Blocker(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path=None, target=None):
        if fullname == LIBRARY or fullname.startswith(LIBRARY + "."):
            _unavailable(fullname)


class _NoIPython:
    """`get_ipython()` for cells written with IPython syntax (`!cmd`, `%magic`): every call does nothing."""

    def __getattr__(self, name):
        return lambda *args, **kwargs: None


def _module(name, attributes):
    module = types.ModuleType(name)
    module.__dict__.update(attributes)
    module.__getattr__ = lambda attribute: _LibraryName(f"{name}.{attribute}")
    return module


def _install_helpers(helpers):
    """Synthetic course_lib modules that hold only the helpers an exercise hands out (and their parents)."""
    import numpy

    for module_name, functions in helpers.items():
        parts = module_name.split(".")
        for depth in range(1, len(parts)):
            parent = ".".join(parts[:depth])
            sys.modules.setdefault(parent, _module(parent, {"__path__": []}))
        namespace = {"np": numpy, "numpy": numpy, "__name__": module_name}
        for source in functions.values():
            exec(compile(source, f"<{module_name}>", "exec"), namespace)  # noqa: S102 - the course's own helper
        module = _module(module_name, {k: namespace[k] for k in functions})
        sys.modules[module_name] = module
        parent, _, leaf = module_name.rpartition(".")
        setattr(sys.modules[parent], leaf, module)


def _to_numpy(value):
    if hasattr(value, "detach") and hasattr(value, "cpu"):  # torch.Tensor
        value = value.detach().cpu().numpy()
    elif hasattr(value, "numpy") and type(value).__module__.split(".")[0] != "numpy":  # tf.Tensor
        value = value.numpy()
    return value


def _encode(value, depth=0):
    import numpy as np

    if depth > 20:
        raise ValueError("the answer is nested too deeply")
    value = _to_numpy(value)
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value)
    if isinstance(value, (list, tuple)):
        return [_encode(v, depth + 1) for v in value]
    if isinstance(value, dict):
        return {str(k): _encode(v, depth + 1) for k, v in value.items()}
    array = np.asarray(value)
    if array.dtype.kind not in "biufcU":
        raise TypeError(f"cannot hand in a {type(value).__name__} (expected numbers, strings, arrays)")
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return {"__npy__": base64.b64encode(buffer.getvalue()).decode("ascii")}


def _on_alarm(signum, frame):
    raise _Interrupted()


def _run_one(call, timeout_s):
    signal.alarm(max(1, int(timeout_s)))
    try:
        return {"ok": True, "value": _encode(call())}
    except NotImplementedError:
        return {"ok": False, "reason": "not attempted (the stub still raises NotImplementedError)"}
    except _Interrupted:
        return {"ok": False, "reason": "interrupted: the answer ran past the time limit"}
    except BaseException as error:  # noqa: BLE001 - the student's code may raise anything, SystemExit included
        return {"ok": False, "reason": f"your code raised {type(error).__name__}: {str(error)[:300]}"}
    finally:
        signal.alarm(0)


def _run_cell(source, name, namespace, timeout_s):
    signal.alarm(max(1, int(timeout_s)))
    try:
        exec(compile(source, name, "exec"), namespace)  # noqa: S102 - the student's cell, in this jail
        return ""
    except _Interrupted:
        return "the exercise cell ran past the time limit"
    except BaseException as error:  # noqa: BLE001
        return f"{type(error).__name__}: {str(error)[:300]}"
    finally:
        signal.alarm(0)


def _evaluate(cell, namespace, cell_error):
    frame = {"id": cell["id"], "status": "ok", "reason": "", "results": []}
    name = cell["answer_name"]
    if name not in namespace:
        reason = f"the exercise cell does not define `{name}`"
        frame.update(status="missing", reason=reason + (f" (it raised {cell_error})" if cell_error else ""))
    elif cell["kind"] == "value":
        frame["results"].append(_run_one(lambda: namespace[name], cell["timeout_s"]))
    elif not callable(namespace[name]):
        frame.update(status="error", reason=f"`{name}` is not a function")
    else:
        answer = namespace[name]
        for args in cell["cases"]:
            frame["results"].append(_run_one(lambda args=args: answer(*args), cell["timeout_s"]))
    return frame


def _send(fd, frame):
    data = json.dumps(frame).encode("ascii") + b"\n"
    while data:
        data = data[os.write(fd, data):]


def main():
    out = os.dup(1)
    raw = sys.stdin.buffer.read()
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):  # the student's prints go nowhere; results go to `out` only
        os.dup2(devnull, fd)
    job = pickle.loads(raw)  # written by the grader, not by the student
    signal.signal(signal.SIGALRM, _on_alarm)
    _install_helpers(job["helpers"])
    sys.meta_path.insert(0, _Blocker())
    namespace = {"__name__": "__main__", "__builtins__": builtins, "get_ipython": _NoIPython}
    for source in job["prelude"]:
        _run_cell(source, "<notebook imports>", namespace, 60)
    namespace.update({name: _LibraryName(name) for name in job["library_names"]})
    namespace.update(job["constants"])  # public data the notebook imported, e.g. FASHION_MNIST_CLASSES
    for name, (module_name, attribute) in job["helper_names"].items():
        namespace[name] = getattr(sys.modules[module_name], attribute)
    for index, cell in enumerate(job["cells"]):
        if index in job["skip"]:
            continue  # an earlier process hung or died on this cell
        before = len(TOUCHED)
        cell_error = _run_cell(cell["source"], f"<exercise {cell['id']}>", namespace, cell["timeout_s"])
        if index < job["start"]:
            continue
        frame = _evaluate(cell, namespace, cell_error)
        frame.update(index=index, cell_error=cell_error, library=sorted(set(TOUCHED[before:]))[:20])
        _send(out, frame)
    return 0


if __name__ == "__main__":
    sys.exit(main())
