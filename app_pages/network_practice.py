"""The Real network page's validation split and early stopping: the sidebar's controls
and the section under the numbers (the race page's section, with the held-out test
accuracy at the weights kept and at the last step)."""

from __future__ import annotations

import streamlit as st

import scenes
import viz
from app_pages import network_work as work
from app_pages import race_practice


def validation_controls(sidebar, prefix: str) -> tuple[float, int, float]:
    """The share of the training examples held out for validation and, with some held
    out, early stopping's patience P and minimum gain δ: ``(val, P, δ)``."""
    state = st.session_state
    state.setdefault(prefix + "val", scenes.NetworkScene.val)
    state.setdefault(prefix + "stop_patience", scenes.NetworkScene.stop_patience)
    state.setdefault(prefix + "stop_delta", scenes.NetworkScene.stop_delta)
    val = sidebar.select_slider(
        "Held out for validation", scenes.NETWORK_VALS, key=prefix + "val",
        format_func=lambda v: f"{v:.0%}" if v else "none",
        help="A seeded share of the training examples set aside: the validation loss is "
        "drawn beside the training loss and early stopping watches it. The test examples "
        "(the held-out accuracy) stay apart. Part of the link.",
    )  # fmt: skip
    if not val:
        return 0.0, int(state[prefix + "stop_patience"]), float(state[prefix + "stop_delta"])
    left, right = sidebar.columns(2)
    patience = left.number_input("Early stopping: patience P", 1, scenes.MAX_NETWORK_STEPS,
                                 key=prefix + "stop_patience", step=10,
                                 help="Stop once the validation loss has not improved for "
                                 "P steps in a row.")  # fmt: skip
    delta = right.number_input("minimum gain δ", 0.0, scenes.network.MAX_STOP_DELTA,
                               key=prefix + "stop_delta", step=0.001, format="%.4g",
                               help="An improvement counts only when the validation loss "
                               "falls below its best by more than δ.")  # fmt: skip
    return float(val), int(patience), float(delta)


def validation_section(scene: scenes.NetworkScene, runs, labels: dict, net) -> None:
    """The training and validation losses with early stopping's marks and its table."""
    found = work.stopping(scene, runs)
    if not found:
        return
    shown = [viz.Run(name, labels[name], run) for name, run in runs.items()]
    race_practice.stopping_section(
        shown, found, net.n_val, scene.stop_patience, scene.stop_delta,
        extra=work.stopping_columns(scene, runs, found), key="network.validation",
    )  # fmt: skip
    st.caption(f"Test accuracy: on the {len(net.y_test)} examples kept out of training and "
               "validation alike, at the weights early stopping keeps and at the last step.")
