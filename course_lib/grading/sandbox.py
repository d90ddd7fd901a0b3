"""Limits for one submission's processes, and the command that starts them inside those limits.

What is enforced where (Linux; see docs/instructors.md):

| guard | how | needs |
|---|---|---|
| whole-notebook wall clock | the grader kills the worker's process group, the kernel's and the job's cgroup | always |
| per-cell wall clock | papermill/nbclient timeout, then an interrupt (KeyboardInterrupt) | always |
| memory | RLIMIT_AS per process; a memory cgroup for the whole job (children, tmpfs, shm) | cgroup: root |
| processes and threads | a pids cgroup per job; RLIMIT_NPROC of the job's own uid | root |
| file size, CPU time, open files, no core dumps | RLIMIT_FSIZE / CPU / NOFILE / CORE | always |
| output size | the worker keeps at most `output_kb` of everything cells emit | always |
| no network | a new network namespace with no interfaces (`unshare --net`) | root |
| every process killed at the end | a new PID namespace: its process 1 exiting kills the rest; the cgroup | root |
| no System V IPC or hostname shared | new IPC and UTS namespaces | root |
| nothing written outside the working folder | mounts read-only; tmpfs over /tmp, /var/tmp, /dev/shm, /run/lock | root |
| hidden submissions, master, gradebook, repository | a mount namespace with tmpfs and bind mounts | root |
| no other job's files or processes | the job runs as its own uid | root |

Without root the sandbox falls back to the rows marked "always" and says so (`Sandbox.describe()`).
"""

from __future__ import annotations

import functools
import json
import os
import secrets
import shutil
import subprocess
import sys
from dataclasses import asdict, dataclass, field

__all__ = ["Limits", "Sandbox", "job_uid", "probe_isolation"]

UNSHARE_FLAGS = ["--net", "--mount", "--pid", "--ipc", "--uts", "--fork", "--kill-child", "--mount-proc"]
JOB_UID_BASE, JOB_UID_SPAN = 2_000_000, 2 ** 24  # uids no account uses: one drawn per job


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


def job_uid() -> int:
    """A fresh uid for one job: its files and processes are no other job's (RLIMIT_NPROC counts per uid)."""
    return JOB_UID_BASE + secrets.randbelow(JOB_UID_SPAN)


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
    expose: list[str] = field(default_factory=list)  # folders the kernel needs behind hidden or closed parents
    mask: list[str] = field(default_factory=list)  # folders hidden except for the exposed folders inside them
    uid: int = 65534
    cgroups: list[str] = field(default_factory=list)  # the job's cgroup folders (course_lib.grading.cgroups)

    def level(self) -> str:
        return probe_isolation() if self.isolation == "auto" else self.isolation

    def spec(self) -> dict:
        limits = self.limits
        return {
            "workdir": self.workdir, "runtime_dir": self.runtime_dir, "hide": list(self.hide),
            "expose": list(self.expose), "mask": list(self.mask), "cgroups": list(self.cgroups),
            "isolate_fs": self.level() == "full", "uid": self.uid, "memory_mb": limits.memory_mb,
            "file_mb": limits.file_mb, "tmpfs_mb": limits.tmpfs_mb, "cpu_s": limits.cpu_seconds(),
            "nproc": limits.nproc,
        }

    def wrap(self, kernel_command: list[str]) -> list[str]:
        """The command prefixed with the namespaces (when available) and the jail; run it with `env()`."""
        # The jail runs as a file, not `-m course_lib.grading.jail`: no package import, nothing from PYTHONPATH.
        jail = [sys.executable, "-I", os.path.join(os.path.dirname(os.path.abspath(__file__)), "jail.py"), "--"]
        prefix = ["unshare", *UNSHARE_FLAGS] if self.level() == "full" else []
        return prefix + jail + list(kernel_command)

    def env(self, base: dict) -> dict:
        """`base` plus the jail's spec, which the jail removes before starting the command."""
        from course_lib.grading.jail import SPEC_VARIABLE

        return {**base, SPEC_VARIABLE: json.dumps(self.spec())}

    def describe(self) -> str:
        if self.level() == "full":
            return ("full: no network, own PID/IPC/UTS namespaces, read-only filesystem but the working folder and "
                    "private tmpfs, instructor files and repository hidden, own uid, memory "
                    f"{self.limits.memory_mb} MB per job (cgroup v{_cgroup_version()} or per process)")
        return (f"limits-only (not root or no unshare): memory {self.limits.memory_mb} MB, file size, CPU time "
                "and timeouts; the kernel can use the network and read/write what this user can")

    def to_json(self) -> dict:
        return {**asdict(self), "limits": asdict(self.limits)}

    @classmethod
    def from_json(cls, data: dict) -> Sandbox:
        return cls(**{**data, "limits": Limits(**data["limits"])})


def _cgroup_version() -> int:
    from course_lib.grading.cgroups import cgroup_version

    return cgroup_version()


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
            env = sandbox.env(kw.get("env") or dict(os.environ))
            kw.update(stdout=sp.DEVNULL, stderr=log, cwd=sandbox.workdir, env=env)
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
