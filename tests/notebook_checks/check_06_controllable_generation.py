"""What notebooks/06_controllable_generation.ipynb must have recorded (quick mode, either framework)."""


def check(records, framework):
    # the yardsticks work on real coloured images
    assert records["real_luminance_accuracy"] > 0.88 and records["real_colour_accuracy"] > 0.99
    # quick mode: both loops ran, then the shipped full-mode generators made every table and figure
    assert records["train_steps"] >= 1 and set(records["train_seconds"]) == {"projection", "acgan"}
    assert records["generator_source"] == "shipped"
    table = records["comparison"]
    for head in ("projection", "acgan"):
        row = table[head]
        assert 0.0 <= row["class_consistency"] <= 1.0 and 0.0 <= row["colour_accuracy"] <= 1.0
        assert row["fid_course"] > 0 and row["diversity_vs_real"] > 0 and len(row["per_class_recall"]) == 10
        # the shipped generators obey the colour and the class command (targets 0.9 and 0.85 on 1,200 images,
        # met: benchmarks/results/controllable_generation.json; quick mode samples 180, so the margin is wider)
        assert row["colour_accuracy"] > 0.9, row
        assert row["class_consistency"] > 0.75, row
    # ACGAN trades variety for class consistency (full mode: 0.72 against 0.89 of real)
    assert records["more_diverse_measured"] == "projection"
    assert table["acgan"]["class_consistency"] > table["projection"]["class_consistency"]
    assert records["colour_accuracy"] == {h: table[h]["colour_accuracy"] for h in ("projection", "acgan")}
    # style: discovered directions measured, at least one with a monotone effect even on few samples
    directions = records["directions"]
    assert len(directions) == 3 and all(d["eigenvalue"] > 0 for d in directions)
    assert records["monotone_directions"] >= 1
    assert records["elapsed_seconds"] < 240, "quick mode must stay around a minute per framework"
