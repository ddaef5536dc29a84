"""The race page's "Before and after standardizing" section: on a data surface with
standardized inputs, the raw and the standardized landscape side by side, with the
condition number of each and every chosen optimizer's run on both."""

from __future__ import annotations

import time

import streamlit as st

import scenes
import surfaces
from app_pages import common
from app_pages.race_view import figure_view


def before_and_after(surface_name: str, scene: scenes.Scene, run_keys: tuple) -> None:
    """The section, where the race's surface is a data surface with ``standardize`` on
    (nothing otherwise). ``run_keys`` are the race's: the same α, β, schedules, noise
    and batches on both landscapes."""
    surface = surfaces.get(surface_name)
    if surface.data is None or not surface.params.get("standardize"):
        return
    st.subheader("Before and after standardizing")
    specs = scenes.standardize_pair(surface_name)
    progress, began = common.Progress("Running on both landscapes…"), time.monotonic()
    for i, spec in enumerate(specs):  # (the runs first: a wait shows a progress bar)
        start = tuple(float(v) for v in surfaces.get(spec).default_start)
        common.cached_runs(spec, start, scene.steps, run_keys)
        if time.monotonic() - began > progress.EVERY_S:
            progress.report((i + 1) / len(specs), f"{i + 1}/{len(specs)}")
    progress.done()
    figure, rows, summary = common.cached_standardize(surface_name, scene.steps, run_keys)
    figure_view(figure, key="standardize")
    kappas = [surfaces.condition_number(surfaces.get(spec)) for spec in specs]
    rates = ", ".join(f"{round((k - 1) / (k + 1), 12):.2g} at κ = {k:.3g}" for k in kappas)
    inputs = "x" if surface.data.kind == "regression" else "each feature"
    st.caption(
        f"Left, the loss over the data as drawn; right, with {inputs} replaced by "
        "(x − mean)/std over the examples (mean 0, variance 1): the same examples and "
        "targets. κ = λ_max/λ_min of the Hessian at the minimum: gradient descent's α must "
        "stay below 2/λ_max, and near the minimum even at its best α a step can leave "
        f"(κ − 1)/(κ + 1) of the distance to go ({rates}). Each landscape's paths start at "
        "its own default start (○); the minimum is ★."
    )  # fmt: skip
    if rows:
        st.dataframe(rows, hide_index=True, width="stretch")
    st.caption(summary)
