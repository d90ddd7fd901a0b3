"""One cgroup per grading job: memory and process limits for everything the submission starts.

`RLIMIT_AS` limits one process and `RLIMIT_NPROC` counts every process of a uid; a cgroup limits the job as a
whole, children, threads, tmpfs and shared memory included, and lets the grader kill all of it at the end.
cgroup v2 (`/sys/fs/cgroup/cgroup.controllers` listing memory and pids) is used where the machine has it, else
the v1 `memory` and `pids` hierarchies. Both need root; without them `JobCgroup.create` returns None and the
sandbox relies on the per-job uid and the rlimits (see docs/instructors.md).
"""

from __future__ import annotations

import os
import secrets
import signal
import time
from dataclasses import dataclass, field

__all__ = ["JobCgroup", "cgroup_version"]

ROOT = "/sys/fs/cgroup"
GROUP = "course-grader"


def _write(path: str, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_NOFOLLOW)
    try:
        os.write(fd, text.encode("ascii"))
    finally:
        os.close(fd)


def cgroup_version() -> int:
    """2 or 1 when this process can make job cgroups with memory and pids limits, else 0."""
    if os.geteuid() != 0:
        return 0
    try:
        with open(os.path.join(ROOT, "cgroup.controllers"), encoding="ascii") as handle:
            if {"memory", "pids"} <= set(handle.read().split()) and os.access(ROOT, os.W_OK):
                return 2
    except OSError:
        pass
    if all(os.access(os.path.join(ROOT, c), os.W_OK) for c in ("memory", "pids")):
        return 1
    return 0


def _sweep(version: int) -> None:
    """Remove the empty job cgroups of graders that no longer run (killed before they could clean up)."""
    if version == 2:
        parents = [os.path.join(ROOT, GROUP)]
    else:
        parents = [os.path.join(ROOT, controller, GROUP) for controller in ("memory", "pids")]
    for parent in parents:
        try:
            names = os.listdir(parent)
        except OSError:
            continue
        for name in names:
            owner = name.split("-")[1] if name.startswith("job-") and name.count("-") >= 2 else ""
            if owner.isdigit() and not os.path.exists(f"/proc/{owner}"):
                try:
                    os.rmdir(os.path.join(parent, name))  # fails while processes are left in it
                except OSError:
                    pass


@dataclass
class JobCgroup:
    """The cgroup folders of one job (one per hierarchy); `procs_files` are what the jail writes its pid to."""

    paths: list[str] = field(default_factory=list)
    version: int = 0

    @classmethod
    def create(cls, memory_mb: int, nproc: int) -> JobCgroup | None:
        version = cgroup_version()
        _sweep(version)
        name = f"job-{os.getpid()}-{secrets.token_hex(4)}"
        group = None
        try:
            if version == 2:
                parent = os.path.join(ROOT, GROUP)
                os.makedirs(parent, exist_ok=True)
                _write(os.path.join(ROOT, "cgroup.subtree_control"), "+memory +pids")
                _write(os.path.join(parent, "cgroup.subtree_control"), "+memory +pids")
                path = os.path.join(parent, name)
                os.mkdir(path, 0o700)
                group = cls([path], 2)
                _write(os.path.join(path, "memory.max"), str(memory_mb * 2 ** 20))
                if os.path.exists(os.path.join(path, "memory.swap.max")):
                    _write(os.path.join(path, "memory.swap.max"), "0")
                _write(os.path.join(path, "pids.max"), str(nproc))
                return group
            if version == 1:
                group = cls([], 1)
                for controller in ("memory", "pids"):
                    path = os.path.join(ROOT, controller, GROUP, name)
                    os.makedirs(path, 0o700)
                    group.paths.append(path)
                memory = group.paths[0]
                _write(os.path.join(memory, "memory.limit_in_bytes"), str(memory_mb * 2 ** 20))
                if os.path.exists(os.path.join(memory, "memory.memsw.limit_in_bytes")):  # no escape into swap
                    _write(os.path.join(memory, "memory.memsw.limit_in_bytes"), str(memory_mb * 2 ** 20))
                _write(os.path.join(group.paths[1], "pids.max"), str(nproc))
                return group
        except OSError:
            if group is not None:
                group.remove()
            return None
        return None

    def pids(self) -> set[int]:
        found = set()
        for path in self.paths:
            try:
                with open(os.path.join(path, "cgroup.procs"), encoding="ascii") as handle:
                    found.update(int(line) for line in handle if line.strip())
            except (OSError, ValueError):
                pass
        return found

    def remove(self, wait_s: float = 5.0) -> None:
        """Kill every process left in the job's cgroups, then remove them."""
        deadline = time.monotonic() + wait_s
        while True:
            if self.version == 2 and self.paths and os.path.exists(os.path.join(self.paths[0], "cgroup.kill")):
                try:
                    _write(os.path.join(self.paths[0], "cgroup.kill"), "1")
                except OSError:
                    pass
            for pid in self.pids():
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            for path in reversed(self.paths):
                try:
                    os.rmdir(path)
                except FileNotFoundError:
                    pass
                except OSError:
                    continue
            if not any(os.path.isdir(p) for p in self.paths) or time.monotonic() > deadline:
                return
            time.sleep(0.05)
