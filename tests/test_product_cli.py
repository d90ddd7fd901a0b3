"""`python -m course_lib product train|sample|evaluate` on a tiny run, in each twin."""

import json

import pytest

from course_lib.__main__ import main


def test_train_sample_evaluate_and_resume(framework, tmp_path, capsys):
    tiny = ["--name", "tiny", "--steps", "4", "--width", "8", "--batch-size", "16", "--limit", "64",
            "--runs-dir", str(tmp_path), "--set", "latent_dim=8", "--set", "checkpoint_every=2", "--no-progress"]
    assert main(["product", "train", "--framework", framework, *tiny, "--eval-n", "60"]) == 0
    run = tmp_path / "tiny"
    for name in ("config.json", "metrics.json", "samples.png"):
        assert (run / name).exists(), name
    config = json.loads((run / "config.json").read_text())
    assert config["steps"] == 4 and config["width"] == 8 and config["latent_dim"] == 8
    metrics = json.loads((run / "metrics.json").read_text())
    assert metrics["model"]["fid_course"] > metrics["floor_train_vs_test"]["fid_course"]
    assert "not Inception" in metrics["features"]
    # resume from the run's own config and train two steps more
    capsys.readouterr()
    assert main(["product", "train", "--framework", framework, "--config", str(run / "config.json"),
                 "--steps", "6", "--runs-dir", str(tmp_path), "--eval-n", "0", "--no-progress"]) == 0
    assert json.loads(capsys.readouterr().out.splitlines()[-1])["step"] == 6
    assert main(["product", "sample", "--run", str(run), "--framework", framework, "--per-class", "2"]) == 0
    assert (run / "catalogue.png").stat().st_size > 1000
    assert main(["product", "evaluate", "--run", str(run), "--framework", framework, "--n", "50"]) == 0


def test_unknown_config_key_is_explained(tmp_path):
    with pytest.raises(SystemExit, match="unknown key"):
        main(["product", "train", "--set", "colour=red", "--runs-dir", str(tmp_path)])
