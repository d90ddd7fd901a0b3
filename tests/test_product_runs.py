"""Run folders: config round trip, name checks, checkpoint rotation per twin, atomic writes."""

import json

import pytest

from course_lib.config import ProductGANConfig
from course_lib.product import runs


def test_config_round_trip_and_unknown_keys(tmp_path):
    config = ProductGANConfig(name="a", steps=7, limit=None)
    runs.save_config(config, tmp_path)
    assert runs.load_config(tmp_path / "config.json") == config
    assert "course_lib" in json.loads((tmp_path / "config.json").read_text())
    with pytest.raises(ValueError, match="Unknown config keys"):
        runs.load_config({"steps": 3, "colour": "red"})


def test_tutorial_baseline_changes_only_the_recipe():
    ours = ProductGANConfig(steps=123, width=32, batch_size=64)
    base = ours.tutorial_baseline()
    assert (base.steps, base.width, base.batch_size) == (123, 32, 64)
    assert not base.conditional and not base.spectral_norm and base.ema_decay == 0 and base.loss == "bce"
    assert base.tutorial_loop and base.mixed_precision == "off" and base.compile == "no"


def test_run_names_are_checked(tmp_path):
    with pytest.raises(ValueError, match="letters, digits"):
        runs.resolve_run_dir(ProductGANConfig(name="../escape", runs_dir=str(tmp_path)))
    assert runs.resolve_run_dir(ProductGANConfig(name="ok-1", runs_dir=str(tmp_path))) == tmp_path / "ok-1"


def test_checkpoint_rotation_keeps_each_twins_newest(tmp_path):
    folder = tmp_path / "checkpoints"
    folder.mkdir()
    for step in (1, 2, 3, 4):
        (folder / f"ckpt_{step:08d}.pt").write_bytes(b"t")
    (folder / "ckpt_00000002.npz").write_bytes(b"f")
    (folder / "ckpt_00000009.pt.tmp").write_bytes(b"half")  # an interrupted write is never picked up
    assert runs.latest_checkpoint(tmp_path, "pt").name == "ckpt_00000004.pt"
    assert runs.latest_checkpoint(tmp_path, "npz").name == "ckpt_00000002.npz"
    runs.prune_checkpoints(tmp_path, 2, "pt")
    assert [p.name for p in runs.checkpoint_paths(tmp_path)] == ["ckpt_00000002.npz", "ckpt_00000003.pt",
                                                                 "ckpt_00000004.pt"]


def test_atomic_write_leaves_no_temporary_files(tmp_path):
    runs.atomic_write_json(tmp_path / "m.json", {"x": 1.5})
    assert json.loads((tmp_path / "m.json").read_text()) == {"x": 1.5}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.json"]
