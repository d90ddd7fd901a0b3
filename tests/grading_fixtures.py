"""The grader's fixture set: a small master notebook and the submissions made from it.

`python -m tests.grading_fixtures` rewrites tests/fixtures/submissions/master.ipynb. The tests write the
submission variants to a temporary folder with `write_submissions(folder, ...)`; each variant is the released
student notebook with a few cells changed, and EXPECTED says what it must score.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from course_lib.grading.release import solved_source, strip_solutions

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "submissions"
MASTER = FIXTURES / "master.ipynb"

COLAB = '''# Colab set-up: installs course_lib (pinned) and enables widgets; does nothing elsewhere.
import sys
if "google.colab" in sys.modules:
    %pip install -q "course_lib[notebooks] @ git+https://github.com/generative-product-images/course@v0.1.0"
    from google.colab import output
    output.enable_custom_widget_manager()'''

EX1 = '''def to_unit_range(images):
    """Scale uint8 product photos in [0, 255] to floats in [-1, 1]."""
    ### BEGIN SOLUTION
    return np.asarray(images, dtype=np.float32) / 127.5 - 1.0
    ### END SOLUTION'''

EX2 = '''### BEGIN SOLUTION
SNEAKER_CLASS = FASHION_MNIST_CLASSES.index("Sneaker")
### STUB: SNEAKER_CLASS = None  # replace None with the class index of sneakers
### END SOLUTION'''


def _code(source, *tags):
    return new_code_cell(source, metadata={"tags": list(tags)} if tags else {})


def build_master():
    cells = [
        _code(COLAB, "colab-setup"),
        _code('FRAMEWORK = "torch"\nQUICK = False\nSEED = 0\nRECORDS_PATH = ""', "parameters"),
        _code('import numpy as np\nimport course_lib\nfrom course_lib.data import FASHION_MNIST_CLASSES\n'
              'nb = course_lib.setup_notebook("00_start_here", FRAMEWORK, QUICK, SEED, RECORDS_PATH)\n'
              'fw = nb.fw\nQUICK = nb.quick'),
        new_markdown_cell("## Exercise ex-00-1\nWrite `to_unit_range(images)`: uint8 in [0, 255] to float32 in "
                          "[-1, 1]."),
        _code(EX1, "exercise", "ex-00-1"),
        _code('to_unit_range = course_lib.grading.check("ex-00-1", to_unit_range)', "check", "ex-00-1"),
        _code('ends = to_unit_range(np.array([[0, 255]], dtype=np.uint8))\n'
              'course_lib.record("unit_range_ends", ends)\nprint(ends)'),
        new_markdown_cell("## Exercise ex-00-2\nSet `SNEAKER_CLASS` to the class index of sneakers."),
        _code(EX2, "exercise", "ex-00-2"),
        _code('SNEAKER_CLASS = course_lib.grading.check("ex-00-2", SNEAKER_CLASS)', "check", "ex-00-2"),
        _code('course_lib.record("sneaker_class", int(SNEAKER_CLASS))\nprint("done")'),
    ]
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def _exercise_index(nb, exercise_id):
    return next(i for i, c in enumerate(nb.cells) if exercise_id in c.metadata.get("tags", [])
                and "exercise" in c.metadata.get("tags", []))


def student_version(master):
    nb = nbformat.reads(nbformat.writes(master), as_version=4)
    for cell in nb.cells:
        if "### BEGIN SOLUTION" in cell.source:
            cell.source = strip_solutions(cell.source)
    return nb


def solved_version(master):
    nb = nbformat.reads(nbformat.writes(master), as_version=4)
    for cell in nb.cells:
        cell.source = solved_source(cell.source)
    return nb


def _set(nb, exercise_id, source):
    nb.cells[_exercise_index(nb, exercise_id)].source = source
    return nb


def _insert_after(nb, exercise_id, source, offset=2):
    """A student cell after the exercise's check cell (offset 2) or right after the exercise cell (1)."""
    nb.cells.insert(_exercise_index(nb, exercise_id) + offset, _code(source))
    return nb


SOLVED_EX1 = solved_source(EX1)
SOLVED_EX2 = solved_source(EX2)


def variants(paths: dict) -> dict:
    """name -> notebook (or raw bytes). `paths` gives folders the snooping variants look for."""
    master = build_master()
    out = {"solved": solved_version(master), "blank": student_version(master)}

    nb = solved_version(master)
    _set(nb, "ex-00-1", "_calls = []\ndef to_unit_range(images):\n    _calls.append(1)\n"
                        "    scaled = np.asarray(images, dtype=np.float32) / 127.5 - 1.0\n"
                        "    return scaled if len(_calls) == 1 else scaled * 0.5")  # right once, then wrong
    out["partial"] = nb

    out["syntax_error"] = _set(solved_version(master), "ex-00-1", "def to_unit_range(images)\n    return images")
    # ex-00-1 raises when called on the hidden inputs; ex-00-2 raises while the cell runs (the value is never set)
    nb = _set(solved_version(master), "ex-00-1", "def to_unit_range(images):\n    raise RuntimeError('bad scaling')")
    out["exception"] = _set(nb, "ex-00-2", "SNEAKER_CLASS = int('seven')")
    out["infinite_loop"] = _insert_after(solved_version(master), "ex-00-1", "while True:\n    pass")
    out["ignores_interrupt"] = _insert_after(
        solved_version(master), "ex-00-1",
        "import time\nwhile True:\n    try:\n        time.sleep(0.2)\n    except KeyboardInterrupt:\n        pass")
    out["sys_exit"] = _insert_after(solved_version(master), "ex-00-1", "import sys\nsys.exit(0)")
    out["os_exit"] = _insert_after(solved_version(master), "ex-00-1", "import os\nos._exit(3)")
    out["kernel_crash"] = _insert_after(solved_version(master), "ex-00-1", "import ctypes\nctypes.string_at(0)")
    out["memory_hog"] = _insert_after(solved_version(master), "ex-00-1",
                                      "hog = [np.ones(2**24)]  # 128 MB touched\nwhile True:\n"
                                      "    hog.append(np.empty(2**27))  # then 1 GB at a time until the limit")
    out["huge_output"] = _insert_after(solved_version(master), "ex-00-1",
                                       "for _ in range(200):\n    print('x' * 100_000)")
    out["tampers_after_export"] = _insert_after(  # tries to erase the exports the grader cells wrote
        solved_version(master), "ex-00-1",
        "import glob, shutil\nfor folder in glob.glob('.grader-*') + glob.glob('*/.grader-*'):\n"
        "    shutil.rmtree(folder, ignore_errors=True)")
    out["patches_grading"] = _set(_set(student_version(master), "ex-00-1", CHEAT_EX1), "ex-00-2", CHEAT_EX2)
    out["snoops"] = _set(solved_version(master), "ex-00-2", SNOOP.format(**paths))
    out["uses_network"] = _set(solved_version(master), "ex-00-2", NETWORK.format(port=paths.get("port", 9)))
    out["writes_outside"] = _set(solved_version(master), "ex-00-2", ESCAPE.format(**paths))
    nb = solved_version(master)
    index = _exercise_index(nb, "ex-00-1")
    nb.cells.insert(index + 1, _code("def to_unit_range(images):\n    return images  # a second, wrong copy",
                                     "exercise", "ex-00-1"))
    nb.cells.pop(_exercise_index(nb, "ex-00-2"))
    out["duplicated_deleted"] = nb
    # right values, but from the library's own implementation rather than the student's code
    out["calls_library"] = _set(solved_version(master), "ex-00-1",
                                "def to_unit_range(images):\n"
                                "    return course_lib.grading.get_exercise('ex-00-1').reference(images)")
    out["not_a_notebook"] = b"{this is not json"
    return out


CHEAT_EX1 = '''import builtins, json, os
import course_lib.grading as grading
import course_lib.grading.exercise as exercise_module
import course_lib.grading.export as export_module
from course_lib.grading.exercise import Score
# 1. instant feedback always says "correct"; 2. scoring always gives full points
grading.check = exercise_module.check = lambda exercise_id, answer, fallback=None: answer
exercise_module.Exercise.score_outputs = lambda self, outputs, seed, errors=None: Score(self.points, self.points, "ok")
exercise_module.compare_arrays = lambda expected, actual, rtol=0, atol=0: (1.0, "correct")
# 3. the export claims a perfect answer without computing one
def fake_export(exercise_id, namespace, seed, export_dir, nonce):
    folder = os.path.join(export_dir, exercise_id)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "manifest.json"), "w") as f:
        json.dump({"format": 1, "nonce": nonce, "exercise": exercise_id, "status": "ok", "reason": "",
                   "results": [{"ok": True, "value": "correct"}, {"ok": True, "value": "correct"}]}, f)
export_module.export_answer = fake_export
# 4. builtins patched for the rest of the kernel: every difference looks like zero
builtins.abs = lambda x: 0
# 5. a forged export planted ahead of time, under every name it might have
for name in ("export", ".grader-export", ".grader-0"):
    os.makedirs(os.path.join(name, "ex-00-1"), exist_ok=True)
def to_unit_range(images):
    return images'''

CHEAT_EX2 = "SNEAKER_CLASS = 3  # wrong; the patched checks would call it correct"

SNOOP = '''import os, glob
seen = []
for path in ["{master}", "{submissions}", "{gradebook}"]:
    try:
        if os.path.isdir(path):
            seen += os.listdir(path)
        else:
            seen.append(open(path).read(100))
    except OSError:
        pass
seen += glob.glob("{submissions}/*.ipynb")
# full marks only if the instructor's files were readable
SNEAKER_CLASS = 7 if seen else -1'''

NETWORK = '''import socket
try:  # the grading machine listens on this port; the sandbox has no network, not even its loopback
    socket.create_connection(("127.0.0.1", {port}), timeout=3).close()
    SNEAKER_CLASS = 7
except OSError:
    SNEAKER_CLASS = -1'''

ESCAPE = '''import os
written = 0
for folder in ["{outside}", "{repo_build}", "/tmp"]:
    try:
        with open(os.path.join(folder, "escaped.txt"), "w") as f:
            f.write("escaped")
        written += 1
    except OSError:
        pass
SNEAKER_CLASS = 7  # the answer is right; the test checks that no file appeared outside'''


def write_submissions(folder, paths: dict, names=None) -> dict:
    """Write the chosen variants as `<name>.ipynb` into `folder`; returns name -> path."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = {}
    for name, nb in variants(paths).items():
        if names is not None and name not in names:
            continue
        path = folder / f"{name}.ipynb"
        if isinstance(nb, bytes):
            path.write_bytes(nb)
        else:
            nbformat.write(nb, path)
        written[name] = path
    return written


if __name__ == "__main__":
    MASTER.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(build_master(), MASTER)
    print(f"wrote {MASTER}")


# ----------------------------------------------------------------------------------------------------------------
# Attacks on the grader itself (tests/test_grading_attacks.py). Each is the released notebook with cells changed;
# ATTACK_EXPECTED there says what each must score. `paths` gives: outside (a root-only folder with a file in it),
# repo (the checkout), seed (the fixed hidden seed of the run, as text).

IN_RUNNER = "isinstance(globals().get('get_ipython'), type)"  # true in the answer process, false in a kernel

SYMLINKS = '''import os
# the grader's own export step, if the kernel has one, made to put a link where the export folder goes
try:
    import course_lib.grading.export as export_module

    def linked_export(exercise_id, namespace, seed, export_dir, nonce):
        os.symlink("{outside}", export_dir)

    export_module.export_answer = linked_export
except Exception:
    pass
# links in the working folder to a folder the student cannot write; a root grader that follows them would
# list, move or delete what they point at
for name in ["export", ".grader-x", "manifest.json", "exports", "rt", "result.json", "executed.ipynb"]:
    try:
        os.symlink("{outside}", name)
    except OSError:
        pass
for name in ["fifo", "manifest.json.fifo"]:
    try:
        os.mkfifo(name)
    except OSError:
        pass
SNEAKER_CLASS = 7'''

FORGE_IN_KERNEL = '''import json, os
# Before the (blank) exercise cells, in the kernel: make whatever exports answers from the kernel export the
# reference instead, rebind the names, patch the scorer, and leave answer-like files where a grader might look.
import course_lib.grading as grading
import course_lib.grading.exercise as exercise_module
try:
    import course_lib.grading.export as export_module
    original = export_module.export_answer

    def forged(exercise_id, namespace, seed, export_dir, nonce):
        namespace = dict(namespace)
        namespace["to_unit_range"] = grading.get_exercise("ex-00-1").reference
        namespace["SNEAKER_CLASS"] = grading.get_exercise("ex-00-2").reference()
        return original(exercise_id, namespace, seed, export_dir, nonce)

    export_module.export_answer = forged
except Exception:
    pass
exercise_module.Exercise.score_outputs = lambda *a, **k: grading.Score(1, 1, "correct")
for name in ["answers.jsonl", "result.json", "../answers/x"]:
    try:
        with open(name, "w") as handle:
            json.dump({{"id": "ex-00-1", "status": "ok"}}, handle)
    except OSError:
        pass'''

LEAKS = '''import glob, os, subprocess
found = []
for path in ["{repo}/.git", "{repo}/tests/fixtures/solutions/ex_01.py", "{repo}/tests", "{repo}/notebooks"]:
    if os.path.exists(path):
        found.append(path)
try:
    out = subprocess.run(["git", "-C", "{repo}", "show", "HEAD:tests/grading_fixtures.py"], capture_output=True)
    found += ["git"] if out.returncode == 0 else []
except OSError:
    pass
for proc in glob.glob("/proc/[0-9]*/cmdline") + glob.glob("/proc/[0-9]*/environ"):
    try:
        text = open(proc, "rb").read().decode("utf-8", "replace")
    except OSError:
        continue
    if any(secret in text for secret in ["{master}", "{submissions}", "{gradebook}", "COURSE_JAIL"]):
        found.append(proc)
history = "\\n".join(str(x) for x in globals().get("In", [])) + repr(sorted(globals())) + repr(dict(os.environ))
if "{seed}" in history:
    found.append("seed in the kernel")
for folder, _, files in os.walk("."):
    for name in files:
        try:
            if "{seed}" in open(os.path.join(folder, name), errors="replace").read():
                found.append(name)
        except OSError:
            pass
print(found)
SNEAKER_CLASS = 7 if not found else -1'''

PERSISTS = '''import ctypes, os, threading, time
# writes meant to outlive the sandbox: world-writable folders of the host, System V shared memory
for folder in ["/run/lock", "/var/lock", "/var/tmp", "/dev/shm", "/tmp", "/dev/mqueue", "/var/crash"]:
    try:
        with open(os.path.join(folder, "left-by-student-{tag}"), "w") as handle:
            handle.write("x")
    except OSError:
        pass
libc = ctypes.CDLL(None, use_errno=True)
segment = libc.shmget(0, 64 * 2**20, 0o1666)  # IPC_PRIVATE, IPC_CREAT | 0666: lives until removed or reboot
print("shm", segment)
SNEAKER_CLASS = 7'''

THREAD_FLOOD = '''import threading, time
threading.stack_size(64 * 1024)
started = 0
try:
    for _ in range(6000):
        threading.Thread(target=time.sleep, args=(20,), daemon=True).start()  # outlasts the loop, then frees the kernel
        started += 1
except RuntimeError:
    pass
print("threads started", started)
SNEAKER_CLASS = 7 if started < 2100 else -1  # the job's process limit holds'''

FORK_MEMORY = '''import os, time
import numpy as np
# eight children of 250 MB each: 2 GB for the job against a 1.5 GB limit (RLIMIT_AS alone is per process)
children = []
read, write = os.pipe()
for _ in range(8):
    pid = os.fork()
    if pid == 0:
        block = np.ones(250 * 2**20 // 8)
        os.write(write, b"x")
        time.sleep(15)
        os._exit(0)
    children.append(pid)
os.close(write)
os.set_blocking(read, False)
done, ended, deadline = 0, set(), time.monotonic() + 12  # without the limit all 8 have it in ~2 s
while done + len(ended) < 8 and time.monotonic() < deadline:  # every child has its memory, or some were killed
    try:
        done += len(os.read(read, 16))
    except BlockingIOError:
        ended |= {pid for pid in children if pid not in ended and os.waitpid(pid, os.WNOHANG)[0]}
        time.sleep(0.2)
for pid in children:
    try:
        os.kill(pid, 9)
    except OSError:
        pass
print("children that got their memory", done)
SNEAKER_CLASS = 7 if done < 8 else -1'''

BYPASS_ORDINARY_CELL = ("def to_unit_range(images):\n"
                        "    return course_lib.grading.get_exercise('ex-00-1').reference(images)")
BYPASS_IPYTHON = ("_ = !true\n%time x = 1\ndef to_unit_range(images):\n"
                  "    return course_lib.grading.get_exercise('ex-00-1').reference(images)")
BYPASS_RENAMED = ("lib = __import__('course_' + 'lib.grading', fromlist=['get_exercise'])\n"
                  "def to_unit_range(images):\n    return lib.get_exercise('ex-00-1').reference(images)")
BYPASS_UNBLOCKED = '''import sys
sys.meta_path[:] = [finder for finder in sys.meta_path if "Blocker" not in type(finder).__name__]
for name in [n for n in sys.modules if n.startswith("course_lib")]:
    del sys.modules[name]
sys.path.insert(0, "{repo}")
from course_lib.grading.exercises.ex_00 import _to_unit_range as reference
def to_unit_range(images):
    return reference(images)'''

CRAFTED_FRAME = '''import base64, json, os
if ''' + IN_RUNNER + ''':  # in the answer process: write a line of our own with a .npy header claiming 10^12 values
    header = b"{'descr': '<f8', 'fortran_order': False, 'shape': (1000000, 1000000), }"
    header += b" " * (117 - len(header)) + b"\\n"
    npy = base64.b64encode(b"\\x93NUMPY\\x01\\x00" + len(header).to_bytes(2, "little") + header).decode()
    for fd in range(3, 16):
        try:
            os.write(fd, (json.dumps({"id": "ex-00-1", "index": 0, "status": "ok", "reason": "", "library": [],
                                      "results": [{"ok": True, "value": {"__npy__": npy}}] * 3}) + "\\n").encode())
        except OSError:
            pass
def to_unit_range(images):
    return np.asarray(images, dtype=np.float32) / 127.5 - 1.0'''

DEEP_NOTS = "flag = " + "not " * 20000 + "True"


def attack_variants(paths: dict) -> dict:
    """name -> notebook for tests/test_grading_attacks.py."""
    master = build_master()
    out = {"control": solved_version(master)}
    out["symlinks_and_fifos"] = _insert_after(solved_version(master), "ex-00-1", SYMLINKS.format(**paths))
    out["forges_in_kernel"] = _insert_after(student_version(master), "ex-00-1", FORGE_IN_KERNEL, offset=0)
    out["leaks"] = _set(solved_version(master), "ex-00-2", LEAKS.format(**paths))
    out["persists"] = _set(solved_version(master), "ex-00-2", PERSISTS.format(tag=paths["tag"]))
    out["thread_flood"] = _set(solved_version(master), "ex-00-2", THREAD_FLOOD)
    out["fork_memory"] = _set(solved_version(master), "ex-00-2", FORK_MEMORY)
    nb = _set(solved_version(master), "ex-00-1", "pass  # answered elsewhere")
    out["bypass_ordinary_cell"] = _insert_after(nb, "ex-00-1", BYPASS_ORDINARY_CELL, offset=0)
    out["bypass_ipython_syntax"] = _set(solved_version(master), "ex-00-1", BYPASS_IPYTHON)
    out["bypass_renamed_import"] = _set(solved_version(master), "ex-00-1", BYPASS_RENAMED)
    out["bypass_unblocked_import"] = _set(solved_version(master), "ex-00-1", BYPASS_UNBLOCKED.format(**paths))
    out["crafted_frame"] = _set(solved_version(master), "ex-00-1", CRAFTED_FRAME)
    out["deep_nots"] = _set(solved_version(master), "ex-00-1", DEEP_NOTS)
    nb = solved_version(master)
    nb.cells[_exercise_index(nb, "ex-00-1")].metadata["tags"] = ["Exercise ", "ex-00-1", "ex-00-1", "ex-99-9"]
    nb.cells[_exercise_index(nb, "ex-00-2")].metadata["tags"] = "exercise, ex-00-2"
    out["malformed_tags"] = nb
    return out
