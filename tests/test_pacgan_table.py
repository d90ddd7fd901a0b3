"""The PacGAN table runner: configs, one run per twin, summary, text table, atomic CSV."""

import csv
import os
import stat
from dataclasses import asdict, replace

import numpy as np
import pytest

from course_lib.toy import pacgan_table


def test_table_configs_cover_datasets_methods_seeds():
    runs = pacgan_table.table_configs(quick=False, seeds=3)
    assert len(runs) == 2 * 3 * 3
    steps = {(d, m): c.steps for d, m, c in runs}
    assert steps[("ring", "vanilla")] == 8000 and steps[("grid", "R1")] == 20000
    grid = [c for d, m, c in runs if d == "grid"]
    assert all(c.lr_decay_start == 0.5 for c in grid)
    assert {c.pack for d, m, c in runs if m == "PacGAN2"} == {2}
    quick = pacgan_table.table_configs(quick=True, seeds=1, methods=list(pacgan_table.METHODS))
    assert len(quick) == 2 * len(pacgan_table.METHODS)
    assert all(c.batch_size % c.pack == 0 for _, _, c in quick)
    with pytest.raises(ValueError, match="unknown methods"):
        pacgan_table.table_configs(methods=["magic"])


def test_run_one_in_each_twin(framework):
    _, method, config = pacgan_table.table_configs(quick=True, seeds=1, methods=["PacGAN2"])[0]
    row = pacgan_table.run_one(framework, "ring", method, asdict(replace(config, steps=5, eval_samples=100)))
    assert row["framework"] == framework and row["steps"] == 5
    assert 0 <= row["modes"] <= 8 and 0 <= row["high_quality"] <= 100 and row["seconds"] > 0


def _rows():
    rows = []
    for seed, (modes, hq, kl) in enumerate([(8, 90.0, 0.01), (7, 80.0, 0.2)]):
        rows.append({"framework": "torch", "dataset": "ring", "method": "PacGAN2", "seed": seed, "steps": 10,
                     "modes": modes, "high_quality": hq, "reverse_kl": kl, "seconds": 1.0})
    rows.append({"framework": "torch", "dataset": "grid", "method": "R1", "seed": 0, "steps": 10, "modes": 25,
                 "high_quality": 93.0, "reverse_kl": 0.01, "seconds": 2.0})
    return rows


def test_summarize_and_format():
    summary = pacgan_table.summarize(_rows())
    ring = summary[0]
    assert ring["modes_mean"] == 7.5 and ring["modes_std"] == 0.5 and ring["modes_per_seed"] == "8 7"
    assert ring["published_modes"] == 7.9 and summary[1]["published_modes"] is None
    np.testing.assert_allclose(ring["reverse_kl_mean"], 0.105)
    text = pacgan_table.format_table(summary)
    assert "7.9 / 95.6 / 0.07" in text and "7.5 ±  0.5" in text


def test_write_csv_is_atomic_and_readable(tmp_path):
    path = pacgan_table.write_csv(pacgan_table.summarize(_rows()), tmp_path / "sub" / "table.csv")
    assert sorted(os.listdir(path.parent)) == ["table.csv"]  # no temporary file left behind
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o644
    with open(path) as handle:
        rows = list(csv.DictReader(handle))
    assert [r["method"] for r in rows] == ["PacGAN2", "R1"]
    assert float(rows[0]["modes_mean"]) == 7.5
