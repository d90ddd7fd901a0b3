"""The Colab replica's virtual environments: Colab's pinned versions, built once and cached by a hash of the pins.

requirements/colab-constraints.txt holds Colab's versions and a `# python: X.Y` line. Two environments run the
notebooks: the TensorFlow half on Colab's Python with every pin but torch, and the torch half on Python 3.11 with
the CPU build of torch that the CI machine has on disk and every other pin (a torch for Colab's Python is a CUDA
build of several GB; `--torch-python colab` installs it anyway, at that cost).
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

__all__ = ["CPU_TORCH", "CPU_TORCH_UNPINNED", "Pins", "ReplicaEnv", "build_env", "find_python",
           "freeze", "installed_versions", "installer_command", "load_pins", "pin_problems"]

REPO_ROOT = Path(__file__).resolve().parents[2]
CONSTRAINTS = REPO_ROOT / "requirements" / "colab-constraints.txt"
CPU_TORCH = "torch==2.13.0"  # the CPU wheel on the CI machine's disk, for Python 3.11 only
# Colab pins that this torch cannot live with: torch 2.13 needs setuptools>=77.0.3, Colab has 75.2.0 (its torch 2.11
# allows <82). The torch half leaves them to pip; the TensorFlow half keeps them.
CPU_TORCH_UNPINNED = ("setuptools",)
READY = "replica-ready.txt"


@dataclass(frozen=True)
class Pins:
    """Colab's versions: {normalised name: "name==version"}, Colab's Python "X.Y" and the file's SHA-256."""

    requirements: dict
    python: str
    digest: str


@dataclass(frozen=True)
class ReplicaEnv:
    """One built environment: its folder, python, the pins it holds and `pip freeze` right after building."""

    name: str
    root: Path
    python: Path
    pins: dict
    frozen: dict


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def load_pins(path: Path = CONSTRAINTS) -> Pins:
    text = path.read_text(encoding="utf-8")
    python = re.search(r"^# python: (\d+\.\d+)\s*$", text, re.MULTILINE)
    if not python:
        raise ValueError(f"{path} has no '# python: X.Y' line naming Colab's Python")
    requirements = {}
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            if not version:
                raise ValueError(f"{path}: {line!r} is not an exact pin NAME==VERSION")
            requirements[normalise(name)] = line
    return Pins(requirements, python.group(1), hashlib.sha256(text.encode()).hexdigest())


def find_python(version: str) -> Path:
    """`pythonX.Y` on PATH, else one under pyenv (this machine image has 3.11 to 3.13 there)."""
    found = shutil.which(f"python{version}")
    pyenv_root = os.environ.get("PYENV_ROOT", str(Path.home() / ".pyenv"))
    candidates = ([found] if found else []) + sorted(
        glob.glob(f"{pyenv_root}/versions/{version}.*/bin/python{version}"), reverse=True)
    for candidate in candidates:
        if subprocess.run([candidate, "-c", "import venv, ensurepip"], capture_output=True,
                          check=False).returncode == 0:
            return Path(candidate)
    raise RuntimeError(
        f"Colab replica: no Python {version} with venv found (looked for python{version} on PATH and under "
        f"{pyenv_root}/versions). Install one, e.g. `pyenv install {version}`, and run again.")


def freeze(python: Path) -> dict:
    """{normalised name: version} of what pip sees installed in the environment of `python`."""
    # -I: from the repository root, `-m` would also list the checkout's own course_lib.egg-info
    out = subprocess.run([str(python), "-I", "-m", "pip", "freeze", "--all"], capture_output=True, text=True,
                         check=True)
    versions = {}
    for line in out.stdout.splitlines():
        if "==" in line:
            name, version = line.split("==", 1)
        elif " @ " in line:
            name, version = line.split(" @ ", 1)
        else:
            continue
        versions[normalise(name)] = version.strip()
    return versions


def installed_versions(python: Path) -> dict:
    """{normalised name: version} of every distribution `python` sees (a third of `pip freeze`'s time)."""
    code = ("import importlib.metadata as m, json, re\n"
            "print(json.dumps({re.sub(r'[-_.]+', '-', d.metadata['Name']).lower(): d.version"
            " for d in m.distributions()}))")
    out = subprocess.run([str(python), "-I", "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def pin_problems(env: ReplicaEnv, now: dict) -> list[str]:
    """Colab's packages whose version changed or that went missing since the environment was built."""
    problems = []
    for name, version in sorted(env.frozen.items()):
        if name != "course-lib" and not version.startswith("git+") and now.get(name) != version:
            problems.append(f"package {name}: Colab has {version}, now {now.get(name, 'removed')}")
    return problems


def env_spec(pins: Pins, half: str, torch_python: str) -> tuple[str, dict]:
    """(Python version, {name: pin}) of the environment that runs `half` ("tf" or "torch")."""
    requirements = dict(pins.requirements)
    colab_torch = requirements.pop("torch")
    if half == "tf":
        return pins.python, requirements
    if torch_python == "colab":
        return pins.python, {**requirements, "torch": colab_torch}
    for name in CPU_TORCH_UNPINNED:
        requirements.pop(name)
    return torch_python, {**requirements, "torch": CPU_TORCH}


def installer_command(python: Path, requirements_file: Path) -> list:
    """The command that installs `requirements_file` (Colab's pip among them) into the environment of `python`.

    uv when it is installed beside the caller (make setup puts it in .venv): 20-30 s for an environment where pip
    took over a minute. Byte-code is compiled at install only when Python will not cache it at first import
    (PYTHONDONTWRITEBYTECODE set, as on the CI machine outside make): without it, every kernel would recompile
    TensorFlow at import (23 s instead of 8).
    """
    compile_now = bool(os.environ.get("PYTHONDONTWRITEBYTECODE"))
    uv = Path(sys.executable).with_name("uv")
    uv = str(uv) if uv.exists() else shutil.which("uv")
    if uv:
        find_links = os.environ.get("PIP_FIND_LINKS", "/opt/wheels")  # where the CI machine keeps its CPU torch
        links = ["--find-links", find_links] if Path(find_links).is_dir() else []
        return [uv, "pip", "install", "--quiet", *(["--compile-bytecode"] if compile_now else []),
                "--python", str(python), *links, "-r", str(requirements_file)]
    return [str(python), "-m", "pip", "install", "--quiet", *([] if compile_now else ["--no-compile"]),
            "-r", str(requirements_file)]


def build_env(cache: Path, pins: Pins, half: str, torch_python: str, log) -> ReplicaEnv:
    """The environment for `half`, from the cache when its pins are unchanged, else built (minutes)."""
    python_version, requirements = env_spec(pins, half, torch_python)
    key = hashlib.sha256((pins.digest + python_version + "".join(sorted(requirements.values()))).encode())
    name = f"py{python_version}-{half}"
    root = cache / f"{name}-{key.hexdigest()[:12]}"
    python = root / "bin" / "python"
    ready = root / READY
    if ready.exists():
        frozen = dict(line.split("==", 1) for line in ready.read_text().splitlines() if "==" in line)
        now = {n: v for n, v in installed_versions(python).items() if n != "course-lib"}
        if now == frozen:
            return ReplicaEnv(name, root, python, requirements, frozen)
        changed = sorted(n for n in set(now) | set(frozen) if now.get(n) != frozen.get(n))
        log(f"{name} was changed since it was built ({', '.join(changed)}): building it again")
    for stale in cache.glob(f"{name}-*"):
        shutil.rmtree(stale)  # an environment of older pins
    start = time.perf_counter()
    log(f"building {name} in {root} (Python {python_version}, {len(requirements)} pins)")
    subprocess.run([str(find_python(python_version)), "-m", "venv", str(root)], check=True)
    requirements_file = root / "colab-requirements.txt"
    requirements_file.write_text("\n".join(sorted(requirements.values())) + "\n")
    result = subprocess.run(installer_command(python, requirements_file), capture_output=True, text=True,
                            check=False)
    if result.returncode != 0:
        shutil.rmtree(root)
        raise RuntimeError(f"Colab replica: installing Colab's pins into {name} failed:\n{result.stderr[-3000:]}")
    frozen = freeze(python)
    ready.write_text("".join(f"{n}=={v}\n" for n, v in sorted(frozen.items())))
    log(f"built {name} in {time.perf_counter() - start:.0f} s")
    return ReplicaEnv(name, root, python, requirements, frozen)
