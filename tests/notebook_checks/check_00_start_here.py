"""What notebooks/00_start_here.ipynb must have recorded."""


def check(records, framework):
    assert records["train_size"] == 60_000 and records["test_size"] == 10_000
    assert records["train_class_counts"] == [6000] * 10
    gallery = records["gallery_labels"]
    assert [row[0] for row in gallery] == list(range(10)) and all(len(set(row)) == 1 for row in gallery)
    layout = {"torch": [64, 1, 28, 28], "tf": [64, 28, 28, 1]}[framework]
    assert records["batch_shape"] == layout
    assert -1.0 <= records["batch_range"][0] < 0 < records["batch_range"][1] <= 1.0
    assert records["unit_range_min_max"][0] >= -1.0 and records["unit_range_min_max"][1] <= 1.0
    assert records["sneaker_class"] == 7
    assert isinstance(records["has_gpu"], bool)
    assert records["seed_a11_fixed"] == [[64, 100], 3]
