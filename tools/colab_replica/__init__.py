"""The Colab replica behind `make colab-check` (tools/colab_check.py): environments, snapshot, runs, widgets."""

__all__: list[str] = []
