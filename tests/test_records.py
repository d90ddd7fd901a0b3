"""course_lib.record: a JSON sidecar that tests and the grader read."""

import json

import numpy as np
import pytest

import course_lib
from course_lib import atomic


def test_record_writes_numpy_values_as_json(tmp_path):
    path = tmp_path / "r.json"
    assert course_lib.record("fid", np.float32(1.5), path=path) == np.float32(1.5)
    course_lib.record("counts", np.arange(3), path=path)
    course_lib.record("nested", {"a": (1, 2), "b": np.int64(4), "bad": float("nan")}, path=path)
    assert json.loads(path.read_text()) == {"fid": 1.5, "counts": [0, 1, 2],
                                            "nested": {"a": [1, 2], "b": 4, "bad": "nan"}}
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]  # no temporary file left


def test_path_order_argument_env_setter_default(tmp_path, monkeypatch):
    monkeypatch.delenv("COURSE_RECORD_PATH", raising=False)
    course_lib.set_records_path(None)
    assert course_lib.records_path().as_posix() == "course_records/records.json"
    course_lib.set_records_path(tmp_path / "set.json")
    assert course_lib.records_path() == tmp_path / "set.json"
    monkeypatch.setenv("COURSE_RECORD_PATH", str(tmp_path / "env.json"))
    assert course_lib.records_path() == tmp_path / "env.json"
    assert course_lib.records_path(tmp_path / "arg.json") == tmp_path / "arg.json"
    course_lib.set_records_path(None)


def test_bad_names_and_values_are_rejected(tmp_path):
    with pytest.raises(ValueError, match="non-empty string"):
        course_lib.record("", 1, path=tmp_path / "r.json")
    with pytest.raises(TypeError, match="JSON-like values"):
        course_lib.record("x", object(), path=tmp_path / "r.json")
    assert not (tmp_path / "r.json").exists()


def test_a_failed_write_keeps_the_previous_file(tmp_path, monkeypatch):
    path = tmp_path / "r.json"
    course_lib.record("kept", 1, path=path)

    def broken_replace(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(atomic.os, "replace", broken_replace)
    with pytest.raises(OSError):
        course_lib.record("lost", 2, path=path)
    monkeypatch.undo()
    assert course_lib.read_records(path) == {"kept": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]


def test_quick_mode_follows_the_environment(monkeypatch):
    monkeypatch.delenv("COURSE_QUICK", raising=False)
    assert course_lib.quick_mode(False) is False and course_lib.quick_mode(True) is True
    monkeypatch.setenv("COURSE_QUICK", "1")
    assert course_lib.quick_mode(False) is True


def test_setup_notebook_loads_seeds_and_records(framework, tmp_path, monkeypatch):
    monkeypatch.delenv("COURSE_RECORD_PATH", raising=False)
    monkeypatch.setenv("COURSE_QUICK", "1")
    nb = course_lib.setup_notebook("99_test", framework, False, 3, str(tmp_path / "nb.json"))
    assert nb.quick and nb.fw.FRAMEWORK == framework and nb.pick("q", "f") == "q"
    assert course_lib.read_records(tmp_path / "nb.json") == {"framework": framework, "quick": True}
    course_lib.set_records_path(None)
