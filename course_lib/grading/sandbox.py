"""Limits for one submission's kernel, and the command that starts the kernel inside them.

What is enforced where (Linux; see docs/instructors.md):

| guard | how | needs |
|---|---|---|
| whole-notebook wall clock | the grader kills the worker's process group and the kernel's | always |
| per-cell wall clock | papermill/nbclient timeout, then an interrupt (KeyboardInterrupt) | always |
| memory | RLIMIT_AS in the kernel process (MemoryError or a dead kernel) | always |
| file size, CPU time, open files, no core dumps | RLIMIT_FSIZE / CPU / NOFILE / CORE | always |
| output size | the worker keeps at most `output_kb` of outputs per notebook | always |
| no network | a new network namespace with no interfaces (`unshare --net`) | root |
| every process killed at the end | a new PID namespace: its process 1 exiting kills the rest | root |
| private /tmp, hidden submissions / master / gradebook | a mount namespace with tmpfs and bind mounts | root |
| no writes outside the working folder | the kernel runs as user `nobody` | root |

Without root the sandbox falls back to the first five rows and says so (`Sandbox.describe()`).
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import sys
from dataclasses import asdict, dataclass, field

__all__ = ["Limits", "Sandbox", "probe_isolation"]

UNSHARE_FLAGS = ["--net", "--mount", "--pid", "--fork", "--kill-child", "--mount-proc"]


@dataclass
class Limits:
    """Resource limits for one submission (seconds, megabytes)."""

    notebook_timeout_s: float = 600.0
    cell_timeout_s: float = 120.0
    memory_mb: int = 6144
    file_mb: int = 64
    tmpfs_mb: int = 256
    output_kb: int = 2048
    nproc: int = 2048
    startup_timeout_s: float = 60.0

    def cpu_seconds(self) -> int:
        return int(self.notebook_timeout_s * 2 + 60)


@functools.lru_cache(maxsize=1)
def probe_isolation() -> str:
    """"full" when namespaces + mounts + user switch work here (root with unshare), else "limits-only"."""
    if sys.platform != "linux" or not shutil.which("unshare") or os.geteuid() != 0:
        return "limits-only"
    try:
        result = subprocess.run(["unshare", *UNSHARE_FLAGS, "sh", "-c", "mount -t tmpfs none /mnt"],
                                capture_output=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return "limits-only"
    return "full" if result.returncode == 0 else "limits-only"


@dataclass
class Sandbox:
    """Everything the kernel wrapper needs for one submission."""

    workdir: str
    runtime_dir: str
    hide: list[str] = field(default_factory=list)
    limits: Limits = field(default_factory=Limits)
    isolation: str = "auto"  # "auto", "full" or "limits-only"
    pid_file: str = ""  # where the kernel manager writes the kernel's process id (its process group)
    log_file: str = ""  # the kernel's stderr
    expose: list[str] = field(default_factory=list)  # folders the kernel needs behind non-traversable parents

    def level(self) -> str:
        return probe_isolation() if self.isolation == "auto" else self.isolation

    def spec(self) -> dict:
        limits = self.limits
        return {
            "workdir": self.workdir, "runtime_dir": self.runtime_dir, "hide": list(self.hide),
            "expose": list(self.expose),
            "isolate_fs": self.level() == "full", "uid": 65534, "memory_mb": limits.memory_mb,
            "file_mb": limits.file_mb, "tmpfs_mb": limits.tmpfs_mb, "cpu_s": limits.cpu_seconds(),
            "nproc": limits.nproc,
        }

    def wrap(self, kernel_command: list[str]) -> list[str]:
        """The kernel command prefixed with the namespaces (when available) and the jail."""
        jail = [sys.executable, "-m", "course_lib.grading.jail", json.dumps(self.spec()), "--"]
        prefix = ["unshare", *UNSHARE_FLAGS] if self.level() == "full" else []
        return prefix + jail + list(kernel_command)

    def describe(self) -> str:
        if self.level() == "full":
            return ("full: no network, own PID namespace, private /tmp, instructor files hidden, user nobody, "
                    f"memory {self.limits.memory_mb} MB")
        return (f"limits-only (not root or no unshare): memory {self.limits.memory_mb} MB, file size, CPU time "
                "and timeouts; the kernel can use the network and read/write what this user can")

    def to_json(self) -> dict:
        return {**asdict(self), "limits": asdict(self.limits)}

    @classmethod
    def from_json(cls, data: dict) -> "Sandbox":
        return cls(**{**data, "limits": Limits(**data["limits"])})


def sandbox_kernel_manager_class(sandbox: Sandbox):
    """A jupyter_client kernel manager that starts the kernel inside `sandbox`, talking over Unix sockets."""
    import subprocess as sp

    from jupyter_client.manager import AsyncKernelManager

    class SandboxKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs):
            kwargs.setdefault("transport", "ipc")  # TCP would not cross the empty network namespace
            kwargs.setdefault("ip", os.path.join(sandbox.runtime_dir, "k"))  # Unix sockets rt/k-<n>
            kwargs.setdefault("connection_file", os.path.join(sandbox.runtime_dir, "kernel.json"))
            super().__init__(**kwargs)

        def format_kernel_cmd(self, extra_arguments=None):
            return sandbox.wrap(super().format_kernel_cmd(extra_arguments))

        async def _async_launch_kernel(self, kernel_cmd, **kw):
            # The kernel's own stdout goes nowhere; its stderr (start-up errors) to a log capped by RLIMIT_FSIZE.
            log = open(sandbox.log_file, "ab") if sandbox.log_file else sp.DEVNULL
            kw.update(stdout=sp.DEVNULL, stderr=log, cwd=sandbox.workdir)
            try:
                await super()._async_launch_kernel(kernel_cmd, **kw)
            finally:
                if log is not sp.DEVNULL:
                    log.close()
            process = getattr(self.provisioner, "process", None)
            if sandbox.pid_file and process is not None:
                with open(sandbox.pid_file, "w", encoding="utf-8") as handle:
                    handle.write(str(process.pid))

    return SandboxKernelManager
