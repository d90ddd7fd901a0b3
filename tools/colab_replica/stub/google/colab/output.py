"""`google.colab.output` in the Colab replica: the calls the course's notebooks make."""

from __future__ import annotations

from google.colab import log_call

__all__ = ["disable_custom_widget_manager", "enable_custom_widget_manager"]

_STATE = {"custom_widget_manager": False}


def enable_custom_widget_manager() -> None:
    """On Colab: lets the browser render third-party widgets. Here: records the call (no front end)."""
    _STATE["custom_widget_manager"] = True
    log_call("output.enable_custom_widget_manager")


def disable_custom_widget_manager() -> None:
    _STATE["custom_widget_manager"] = False
    log_call("output.disable_custom_widget_manager")
