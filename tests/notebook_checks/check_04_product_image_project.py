"""What notebooks/04_product_image_project.ipynb must have recorded (quick mode, either framework)."""


def check(records, framework):
    table = records["eval_table"]
    floor = table["floor (real train vs test)"]
    ours = table["ours (conditional, SN, EMA)"]
    baseline = table["baseline (tutorial DCGAN)"]
    vae = table["VAE (notebook 03)"]
    # the floor: real vs real is close, and the classifier is as accurate as recorded in course_lib/metrics/assets/eval_classifier.json
    assert floor["fid_course"] < 15 and floor["precision"] > 0.7 and floor["recall"] > 0.7, floor
    assert floor["class_consistency"] > 0.88, floor
    assert records["classifier_accuracy_2000"] > 0.9
    # 100 quick-mode steps make blobs: far above the floor (the full-mode numbers are in the README)
    for row in (ours, baseline, vae):
        assert 5 * floor["fid_course"] < row["fid_course"] < 1000, row
        assert 0.0 <= row["precision"] <= 1.0 and 0.0 <= row["recall"] <= 1.0
        assert row["n"] == records["n_eval"]
    assert ours["class_consistency"] is not None and 0.0 <= ours["class_consistency"] <= 1.0
    # unconditional: they cannot be asked for a class
    assert baseline["class_consistency"] is None and vae["class_consistency"] is None
    assert records["health_monitored_steps"] >= 1  # the monitor saw the logged steps
    # EMA: 0.999^1000 of the gap remains
    assert abs(records["ema_gap_after_1000"] - 0.999 ** 1000) < 1e-6
    # catalogue sheet written, truncation curve measured at every threshold, smooth interpolation
    assert records["catalogue_png_bytes"] > 5000
    trunc = records["truncation"]
    assert len(trunc["t"]) == len(trunc["precision"]) == len(trunc["recall"]) == 6
    assert all(0.0 <= p <= 1.0 for p in trunc["precision"] + trunc["recall"])
    changes = records["interpolation_frame_changes"]
    assert len(changes) == 7 and max(changes) < 60
    assert records["memorisation_median_distance"] > 0 and records["test_median_distance"] > 0
    # target: 90 s on a quiet 2-core CPU; the margin covers a loaded machine
    assert records["elapsed_seconds"] < 240, "quick mode must stay around 90 s per framework"
