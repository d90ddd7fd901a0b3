"""The first process inside a grading sandbox: set up the filesystem view, limits and user, then start the command.

Run as `python -I .../course_lib/grading/jail.py -- COMMAND...` with the spec (JSON) in the environment variable
COURSE_JAIL_SPEC, which it removes before starting the command (so neither `/proc/1/cmdline` nor the command's
environment shows the grader's paths). Normally it is the child of `unshare --net --mount --pid --ipc --uts --fork
--kill-child --mount-proc` (course_lib.grading.sandbox): process 1 of a fresh PID namespace, so when it exits the
Linux kernel kills every process left in the namespace. As root it:

1. joins the job's cgroups (memory and process limits for the whole submission, children and threads included);
2. hides the instructor's paths (submissions, master, gradebook, scratch, the repository with its `.git`) under
   empty tmpfs or /dev/null, and mounts back only the folders the command must read (Python, course_lib);
3. remounts every other mount read-only and nosuid, then mounts fresh tmpfs over /tmp, /var/tmp, /dev/shm,
   /run/lock and /dev/mqueue: nothing the command writes outlives it except in its working folder;
4. sets resource limits, drops to the job's own uid (one per job) and starts the command as its child.

Without root it skips 1-3 and the user switch, and only applies the limits.
This module imports only the standard library: it runs before any student code and must stay small.
"""

from __future__ import annotations

import ctypes
import json
import os
import resource
import signal
import sys

__all__ = ["main"]

MS_RDONLY, MS_NOSUID, MS_NODEV, MS_REMOUNT, MS_BIND, MS_REC = 1, 2, 4, 32, 4096, 16384
SPEC_VARIABLE = "COURSE_JAIL_SPEC"
TMP_ROOTS = ("/tmp", "/var/tmp", "/dev/shm", "/run/lock", "/var/lock", "/dev/mqueue")
DEVICE_MOUNTS = ("/dev", "/dev/pts")  # remounted read-only but not nodev: /dev/null must stay usable


def _mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    enc = lambda s: None if s is None else s.encode()
    if libc.mount(enc(source), enc(target), enc(fstype), ctypes.c_ulong(flags), enc(data)) != 0:
        error = ctypes.get_errno()
        raise OSError(error, f"mount {source} on {target}: {os.strerror(error)}")


def _tmpfs(target: str, size_mb: int, mode: str = "1777") -> None:
    _mount("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV, f"size={size_mb}m,mode={mode}")


def _hide(path: str) -> None:
    """Cover a file with /dev/null or a folder with an empty tmpfs (missing paths are skipped)."""
    if os.path.isdir(path):
        _tmpfs(path, 1, "0755")
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


def _bind_back(fds, writable: bool = False, read_only: bool = False) -> None:
    """Mount folders opened before the mounts that covered them back at their own paths.

    A bind mount copies the flags of the mount it comes from: `writable` clears a read-only flag."""
    for path, fd in fds:
        os.makedirs(path, exist_ok=True)
        _mount(f"/proc/self/fd/{fd}", path, None, MS_BIND | MS_REC)
        os.close(fd)
        if writable or read_only:
            _mount(None, path, None, MS_REMOUNT | MS_BIND | MS_NOSUID | MS_NODEV | (MS_RDONLY if read_only else 0))


def _set_hostname(name: str) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.sethostname(name.encode(), len(name))  # the UTS namespace is the job's own


def _mount_points() -> list[str]:
    """Every mount point of this mount namespace, outermost first (octal escapes of /proc decoded)."""
    points = []
    with open("/proc/self/mountinfo", "rb") as handle:
        for line in handle:
            raw = line.split()[4].decode("utf-8", "surrogateescape")
            points.append(raw.encode("latin-1", "backslashreplace").decode("unicode_escape")
                          if "\\" in raw else raw)
    return sorted(set(points), key=lambda p: p.count("/"))


def _read_only_everywhere() -> None:
    """Remount every mount read-only and nosuid (nodev too, except /dev), except /proc: no world-writable
    place of the host (/run/lock, /var/crash, ...) stays writable, and no set-uid file runs as its owner."""
    for point in _mount_points():
        if point == "/proc" or point.startswith("/proc/"):
            continue
        flags = MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | (0 if point in DEVICE_MOUNTS else MS_NODEV)
        try:
            _mount(None, point, None, flags)
        except OSError:
            pass  # a mount we cannot remount (stacked or busy) is covered by the checks in the tests


def _join_cgroups(paths: list[str]) -> None:
    for path in paths:
        with open(os.path.join(path, "cgroup.procs"), "w", encoding="ascii") as handle:
            handle.write(str(os.getpid()))


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder + os.sep)


def _covers(spec: dict) -> tuple[dict[str, list[str]], list[str], list[str]]:
    """(outermost folder to cover -> exposed folders inside it, exposed folders under /tmp, masks to hide last).

    A folder is covered when the spec masks it (a checkout) or when the job's uid may not enter it (e.g. /root,
    mode 0700). Folders the command needs there (Python, course_lib) are mounted back alone, over an empty tmpfs.
    Folders it needs under /tmp are covered by the fresh tmpfs there and mounted back the same way."""
    exposed = [os.path.realpath(p) for p in spec.get("expose", []) if os.path.isdir(p)]
    masks = [os.path.realpath(p) for p in spec.get("mask", []) if os.path.isdir(p)]
    under_tmp = [p for p in exposed if any(_inside(p, root) for root in TMP_ROOTS)]
    candidates = set(masks) | {b for p in exposed if p not in under_tmp and (b := _blocked_parent(p))}
    outer = {c for c in candidates if not any(c != o and _inside(c, o) for o in candidates)}
    covers: dict[str, list[str]] = {c: [] for c in outer}
    for path in exposed:
        holder = next((c for c in outer if _inside(path, c) and path != c), None)
        if holder and path not in under_tmp:
            covers[holder].append(path)
    late = [m for m in masks if m not in outer and any(_inside(m, p) for p in exposed)]
    return covers, under_tmp, late


def _isolate_filesystem(spec: dict) -> None:
    keep = [spec["workdir"], spec["runtime_dir"]]
    covers, under_tmp, late_masks = _covers(spec)
    opened = lambda paths: [(p, os.open(p, os.O_RDONLY | os.O_DIRECTORY)) for p in paths]
    keep_fds = opened(list(dict.fromkeys(keep)))
    expose_fds = opened([p for paths in covers.values() for p in paths])
    tmp_fds = opened(under_tmp)
    for folder in covers:
        _tmpfs(folder, 1, "0755")
    _bind_back(expose_fds)  # before hiding: a hidden folder inside an exposed one stays hidden
    for path in [*late_masks, *spec["hide"]]:
        _hide(path)
    for path in keep:  # mount points inside a hidden folder, made while its tmpfs is still writable
        os.makedirs(path, exist_ok=True)
    _read_only_everywhere()
    for target in TMP_ROOTS:
        if os.path.isdir(target) and not os.path.islink(target):
            _tmpfs(target, spec["tmpfs_mb"])
    _bind_back(tmp_fds, read_only=True)
    _bind_back(keep_fds, writable=True)  # last: the working folder stays writable, wherever it sits
    for path in dict.fromkeys(keep):
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
        resource.RLIMIT_NPROC: spec.get("nproc", 0),  # per uid: the job's own uid when isolated
    }
    for which, value in limits.items():
        if value:
            resource.setrlimit(which, (value, value))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _drop_privileges(uid: int) -> None:
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)


def main(argv: list[str]) -> int:
    split = argv.index("--")
    spec = json.loads(os.environ.pop(SPEC_VARIABLE, None) or argv[0])
    command = argv[split + 1:]
    isolated = spec.get("isolate_fs") and os.geteuid() == 0
    if isolated:
        _join_cgroups(spec.get("cgroups", []))
        _isolate_filesystem(spec)
        _set_hostname("sandbox")
    # ipykernel would watch its parent's pid and, seeing process 1 (this jail) as parent, shut itself down.
    os.environ.pop("JPY_PARENT_PID", None)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the command gets the interrupt itself (same process group)
    child = os.fork()
    if child == 0:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        _set_limits(spec)
        if isolated:
            _drop_privileges(spec["uid"])
        os.chdir(spec["workdir"])
        os.execvpe(command[0], command, os.environ)
    # Process 1 of the namespace: reap orphans until the command itself exits, then leave (the namespace dies).
    while True:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            return 1
        if pid == child:
            return os.waitstatus_to_exitcode(status) & 0xFF


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
