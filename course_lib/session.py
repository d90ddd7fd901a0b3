"""The few lines every notebook starts with, in one place: quick mode, framework, seed, records sidecar."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from course_lib.environment import check_environment
from course_lib.frameworks import load, validate
from course_lib.records import record, set_records_path
from course_lib.records import records_path as current_records_path

__all__ = ["NotebookSession", "quick_mode", "setup_notebook"]

_TRUE = {"1", "true", "yes", "on"}


def quick_mode(quick: bool = False) -> bool:
    """True when the notebook should run small: its QUICK parameter, or COURSE_QUICK=1 in the environment."""
    return bool(quick) or os.environ.get("COURSE_QUICK", "").strip().lower() in _TRUE


@dataclass
class NotebookSession:
    """What a notebook needs after its parameters cell: the twin `fw`, the resolved quick flag and seed."""

    name: str
    framework: str
    quick: bool
    seed: int
    fw: ModuleType
    records_path: Path

    def pick(self, quick_value, full_value):
        """`quick_value` in quick mode, `full_value` otherwise: keeps budgets readable in notebooks."""
        return quick_value if self.quick else full_value


def setup_notebook(name: str, framework: str, quick: bool = False, seed: int = 0,
                   records_path: str | None = None) -> NotebookSession:
    """Resolve quick mode, load the twin, seed it and point `course_lib.record` at this notebook's sidecar.

    Args:
        name: the notebook's stem, e.g. "00_start_here"; names the default sidecar course_records/<name>.json.
        framework: "torch" or "tf".
        quick: the QUICK parameter; COURSE_QUICK=1 in the environment forces it on.
        seed: seeds Python, numpy and the framework.
        records_path: optional sidecar path; COURSE_RECORD_PATH in the environment still wins.
    """
    framework = validate(framework)  # the one check of the name on its way from the notebook to the twin
    check_environment(framework)  # fails fast with the exact fix, before a slow framework import
    fw = load(framework)
    fw.utils.set_seed(seed)
    set_records_path(Path(records_path) if records_path else Path("course_records") / f"{name}.json")
    session = NotebookSession(name=name, framework=framework, quick=quick_mode(quick), seed=int(seed),
                              fw=fw, records_path=current_records_path())
    record("framework", session.framework)
    record("quick", session.quick)
    return session
