"""The first process inside a grading sandbox: set up the filesystem view, limits and user, then start the kernel.

Run as `python -m course_lib.grading.jail SPEC_JSON -- KERNEL_COMMAND...`, normally as the child of
`unshare --net --mount --pid --fork --kill-child --mount-proc` (see course_lib.grading.sandbox), so it is
process 1 of a fresh PID namespace: when it exits, the Linux kernel kills every process left in the namespace
(daemons and double forks included). As root it:

1. mounts fresh tmpfs over /tmp, /var/tmp and /dev/shm, and hides the instructor's paths (submissions, master,
   gradebook, feedback, the grader's scratch folder) under empty tmpfs or /dev/null;
2. mounts the submission's working folder and the kernel's runtime folder back at their own paths;
3. sets resource limits (address space, file size, CPU time, open files), drops to the unprivileged user
   `nobody` and starts the kernel as its child; SIGINT (a papermill interrupt) reaches the kernel directly,
   because both share the process group.

Without root (no mount namespace) it skips 1-2 and the user switch, and only applies the limits.
This module imports only the standard library: it runs before any student code and must stay small.
"""

from __future__ import annotations

import ctypes
import json
import os
import resource
import signal
import sys

MS_NOSUID, MS_NODEV, MS_BIND, MS_REC = 2, 4, 4096, 16384
NOBODY = 65534
TMP_ROOTS = ("/tmp", "/var/tmp", "/dev/shm")


def _mount(source: str, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    enc = lambda s: None if s is None else s.encode()  # noqa: E731
    if libc.mount(enc(source), enc(target), enc(fstype), ctypes.c_ulong(flags), enc(data)) != 0:
        error = ctypes.get_errno()
        raise OSError(error, f"mount {source} on {target}: {os.strerror(error)}")


def _tmpfs(target: str, size_mb: int, mode: str = "1777") -> None:
    _mount("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV, f"size={size_mb}m,mode={mode}")


def _hide(path: str) -> None:
    """Cover a file with /dev/null or a folder with an empty read-only tmpfs (missing paths are skipped)."""
    if os.path.isdir(path):  # owned by root, mode 0755: user nobody can neither read the old nor write
        _mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=0755")
    elif os.path.exists(path):
        _mount("/dev/null", path, None, MS_BIND)


def _blocked_parent(path: str) -> str | None:
    """The first folder above `path` that other users may not enter (e.g. /root, mode 0700), if any."""
    parts = os.path.abspath(path).split(os.sep)[1:]
    for depth in range(1, len(parts)):
        folder = os.sep + os.path.join(*parts[:depth])
        if not os.stat(folder).st_mode & 0o001:
            return folder
    return None


def _bind_back(fds) -> None:
    """Mount folders opened before the mounts that covered them back at their own paths."""
    for path, fd in fds:
        os.makedirs(path, exist_ok=True)
        _mount(f"/proc/self/fd/{fd}", path, None, MS_BIND | MS_REC)
        os.close(fd)


def _isolate_filesystem(spec: dict) -> None:
    keep = [spec["workdir"], spec["runtime_dir"]]
    # Folders the kernel needs (Python, course_lib) under a folder it may not enter get mounted back alone,
    # over an empty tmpfs at that folder: e.g. /root/.pyenv/versions/3.11.7 without the rest of /root.
    # Folders the kernel needs under /tmp (a checkout or virtual environment there) are covered by the fresh
    # tmpfs below and get mounted back the same way.
    blocked, under_tmp = {}, []
    for path in spec.get("expose", []):
        if not os.path.isdir(path):
            continue
        if any(os.path.realpath(path).startswith(root + os.sep) for root in TMP_ROOTS):
            under_tmp.append(path)
        elif parent := _blocked_parent(path):
            blocked.setdefault(parent, []).append(path)
    opened = lambda paths: [(p, os.open(p, os.O_RDONLY | os.O_DIRECTORY)) for p in paths]  # noqa: E731
    keep_fds = opened(keep)
    expose_fds = opened([p for paths in blocked.values() for p in paths] + under_tmp)
    for target in TMP_ROOTS:
        if os.path.isdir(target):
            _tmpfs(target, spec["tmpfs_mb"])
    for parent in blocked:
        _mount("tmpfs", parent, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=0755")
    _bind_back(expose_fds)  # before hiding: a hidden folder inside an exposed one stays hidden
    for path in spec["hide"]:
        _hide(path)
    _bind_back(keep_fds)  # after hiding: the working folder may sit inside a hidden one
    for path in keep:
        for folder, dirs, files in os.walk(path):
            for name in [folder, *(os.path.join(folder, n) for n in dirs + files)]:
                os.chown(name, spec["uid"], spec["uid"], follow_symlinks=False)


def _set_limits(spec: dict) -> None:
    mb = 1024 * 1024
    limits = {
        resource.RLIMIT_AS: spec["memory_mb"] * mb,
        resource.RLIMIT_FSIZE: spec["file_mb"] * mb,
        resource.RLIMIT_CPU: spec["cpu_s"],
        resource.RLIMIT_NOFILE: 1024,
        resource.RLIMIT_CORE: 0,
        resource.RLIMIT_NPROC: spec.get("nproc", 0),  # counts every process of user nobody (all jobs)
    }
    for which, value in limits.items():
        if value:
            resource.setrlimit(which, (value, value))
        elif which == resource.RLIMIT_CORE:
            resource.setrlimit(which, (0, 0))


def _drop_privileges(uid: int) -> None:
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)


def main(argv: list[str]) -> int:
    split = argv.index("--")
    spec = json.loads(argv[0])
    command = argv[split + 1:]
    isolated = spec.get("isolate_fs") and os.geteuid() == 0
    if isolated:
        _isolate_filesystem(spec)
    # ipykernel would watch its parent's pid and, seeing process 1 (this jail) as parent, shut itself down.
    os.environ.pop("JPY_PARENT_PID", None)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the kernel gets the interrupt itself (same process group)
    child = os.fork()
    if child == 0:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        _set_limits(spec)
        if isolated:
            _drop_privileges(spec["uid"])
        os.chdir(spec["workdir"])
        os.execvpe(command[0], command, os.environ)
    # Process 1 of the namespace: reap orphans until the kernel itself exits, then leave (the namespace dies).
    while True:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            return 1
        if pid == child:
            return os.waitstatus_to_exitcode(status) & 0xFF


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
