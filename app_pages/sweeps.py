"""Hyperparameter sweeps: final loss and steps to converge against α for several
optimizers from one start, and a map over α × β for one optimizer."""

from __future__ import annotations

import math

import numpy as np
import streamlit as st

import optim_core
import scenes
import surfaces
import viz
import viz.tuning
from app_pages import common

P = "sweeps."  # this page's widget keys


def apply(scene: scenes.SweepScene) -> None:
    x, y = scene.start_point()
    values = dict(surface=scene.surface, start_x=x, start_y=y, optimizers=list(scene.optimizers),
                  steps=scene.steps, lr_low=scene.lr_low, lr_high=scene.lr_high, count=scene.count,
                  heat=scene.heatmap_optimizer, axis=scene.axis, betas=scene.betas,
                  tune=scene.tune)  # fmt: skip
    st.session_state.update({P + k: v for k, v in values.items()})


def race_share() -> dict:
    """What this page takes from the race page: its surface (a built-in one) and start,
    its optimizers (those with an α), the first of them for the α × β map."""
    shared = {}
    surface = common.race_value("surface", None)
    if surface in surfaces.names():
        x, y = surfaces.get(surface).default_start
        (x0, x1), (y0, y1) = surfaces.get(surface).domain
        rx, ry = float(common.race_value("start_x", x)), float(common.race_value("start_y", y))
        if x0 <= rx <= x1 and y0 <= ry <= y1:  # (the race's surface may have other parameters)
            x, y = rx, ry
        shared.update({P + "surface": surface, P + "start_x": float(x), P + "start_y": float(y)})
    chosen = [n for n in common.race_value("optimizers", []) if n in scenes.SWEEP_OPTIMIZERS]
    if chosen:
        shared[P + "optimizers"] = chosen
        heat = next((n for n in chosen if n in scenes.HEATMAP_OPTIMIZERS), None)
        if heat:
            shared[P + "heat"] = heat
    return shared


def on_surface_change() -> None:
    start = surfaces.get(st.session_state[P + "surface"]).default_start
    st.session_state[P + "start_x"], st.session_state[P + "start_y"] = map(float, start)


common.init_from_link("sweeps", scenes.sweep_from_query, apply)
following = common.follow_race("sweeps", race_share())

def tuned_section(scene: scenes.SweepScene, lrs: np.ndarray, chosen) -> None:
    """Each optimizer tuned on a stated objective over this sweep's α's and steps."""
    tunable = [n for n in chosen if "lr" in optim_core.get_optimizer(n).hyperparams]
    objectives = ["", *optim_core.tuning.OBJECTIVES]
    names = {"": "off", **optim_core.tuning.OBJECTIVES}
    if not surfaces.get(scene.surface).bounded_below:
        objectives.remove("steps")
        if st.session_state.get(P + "tune") == "steps":
            st.session_state[P + "tune"] = ""
    st.radio("Tune α: the best α of each optimizer by", objectives, key=P + "tune",
             format_func=names.get, horizontal=True,
             help="Over this sweep's α values and steps, the α that minimizes the objective, "
             "for every optimizer alike. Part of the link.")  # fmt: skip
    objective = st.session_state[P + "tune"]
    if not objective or not tunable:
        return
    steps = min(scene.steps, optim_core.tuning.MAX_TUNE_STEPS)
    found = common.cached_tuned(tuple(tunable), scene.surface, scene.start_point(), steps,
                         tuple(float(a) for a in lrs), objective)  # fmt: skip
    st.plotly_chart(viz.tuning.tuning_figure(found, objective), key=P + "tuned")
    st.dataframe(viz.tuning.tuning_rows(found, objective), hide_index=True, width="stretch")
    st.caption(
        f"Each optimizer at the same {len(lrs)} α's and {steps:,} steps"
        + (f" (the tuning's cap, {optim_core.tuning.MAX_TUNE_STEPS:,}; the sweep ran "
           f"{scene.steps:,})" if steps < scene.steps else "")
        + f"; the α that minimizes the {optim_core.tuning.OBJECTIVES[objective]} is marked (a "
        "run that diverged scores +∞, and so, counting steps, does one that never reaches "
        "f − f* ≤ 10⁻⁶). A tuned comparison compares tuned optimizers, not their defaults."
    )


# ---------------------------------------------------------------- sidebar

sb = st.sidebar
sb.title("Sweeps")
common.follow_note("sweeps", sb, following, "surface, start and optimizers")
surface_name = sb.selectbox("Surface", surfaces.names(), key=P + "surface",
                            on_change=on_surface_change,
                            format_func=lambda n: surfaces.get(n).title)  # fmt: skip
surface = surfaces.get(surface_name)
(x0, x1), (y0, y1) = surface.domain
c1, c2 = sb.columns(2)
start_x = c1.number_input("Start x", min_value=x0, max_value=x1, key=P + "start_x", format="%.4g")
start_y = c2.number_input("Start y", min_value=y0, max_value=y1, key=P + "start_y", format="%.4g")
chosen = sb.multiselect(
    "Optimizers", scenes.SWEEP_OPTIMIZERS,
    key=P + "optimizers", format_func=lambda n: optim_core.get_optimizer(n).title,
    help="Adadelta has no α to sweep.",
)  # fmt: skip
steps = sb.number_input("Steps", 1, scenes.MAX_ANALYSIS_STEPS, key=P + "steps", step=100)
common.cap_note(sb, steps, "sweeps.steps")
lr_low = common.lr_slider(sb, P + "lr_low", "α from")
lr_high = common.lr_slider(sb, P + "lr_high", "α to")
count = sb.slider("α values (log-spaced)", 2, scenes.MAX_SWEEP_VALUES, key=P + "count")
common.cap_note(sb, count, "sweeps.count")
sb.divider()
heat = sb.selectbox("α × β map for", scenes.HEATMAP_OPTIMIZERS, key=P + "heat",
                    format_func=lambda n: optim_core.get_optimizer(n).title)  # fmt: skip
axes = scenes.sweep_axes(heat)
if st.session_state[P + "axis"] not in axes:
    st.session_state[P + "axis"] = axes[0]
axis = sb.radio("β", axes, key=P + "axis", format_func=scenes.HYPER_LABELS.get, horizontal=True)
betas = sb.slider("β values", 2, scenes.MAX_HEATMAP_BETAS, key=P + "betas")
common.cap_note(sb, betas, "sweeps.betas")

scene = scenes.SweepScene(surface_name, (float(start_x), float(start_y)), tuple(chosen),
                          int(steps), float(lr_low), float(lr_high), int(count), heat, axis,
                          int(betas), st.session_state.get(P + "tune", ""))  # fmt: skip
st.query_params.from_dict(scenes.sweep_to_query(scene))

# ---------------------------------------------------------------- main area

common.show_link_warnings("sweeps")
st.header(f"Sweeping α on {surface.title} from ({start_x:.4g}, {start_y:.4g})")
st.caption("Every optimizer's other hyperparameters stay at their defaults.")
if lr_low >= lr_high:
    st.error(f"The α range must go from low to high; got {lr_low:g} to {lr_high:g}.")
    last = st.session_state.get(P + "last_good_range")
    if last is None:
        st.stop()
    lr_low, lr_high = last  # the last good figures stay on screen
    st.caption(f"Below: the last valid range, α from {lr_low:g} to {lr_high:g}.")
else:
    st.session_state[P + "last_good_range"] = (lr_low, lr_high)
lrs = np.logspace(math.log10(lr_low), math.log10(lr_high), count)
start = scene.start_point()

sweeps = []
chosen = common.drop_unavailable(chosen, surface)
if chosen:
    bar = common.Progress("Sweeping…")
    for i, name in enumerate(chosen):
        sweeps.append(common.cached_sweep(
            name, surface_name, start, scene.steps, (("lr", tuple(lrs)),), (),
            bar.part(i, len(chosen), optim_core.get_optimizer(name).title)))  # fmt: skip
    bar.done()
    if surface.bounded_below:
        st.subheader("Final loss and steps to converge against α")
    else:
        st.subheader("How fast each run gets away, against α")
    st.plotly_chart(viz.sweep_figure(sweeps, surface), key="sweep_lines")

    def _best(result) -> str:
        ok = result.diverged_step < 0
        if not ok.any():
            return "—"
        i = int(np.argmin(np.where(ok, result.final_loss, np.inf)))
        return f"{lrs[i]:.3g}"

    def _fastest(steps_taken) -> str:
        found = np.where(steps_taken >= 0, steps_taken, np.iinfo(int).max)
        i = int(np.argmin(found))
        if steps_taken[i] < 0:
            return "never"
        return f"step {steps_taken[i]} at α {lrs[i]:.3g}"

    def _row(r) -> dict[str, str]:
        row = {"optimizer": optim_core.get_optimizer(r.optimizer).title}
        if surface.bounded_below:
            threshold = optim_core.divergence_threshold(lrs, r.diverged_step)
            row["diverges from α"] = "—" if math.isnan(threshold) else f"{threshold:.3g}"
            row["lowest final loss at α"] = _best(r)
            row["fastest convergence"] = _fastest(r.converged_step)
        else:
            row["fastest getaway (left the view)"] = _fastest(
                np.where(r.left_downhill, r.left_view_step, -1))
            uphill = (r.left_view_step >= 0) & ~r.left_downhill
            row["blew up uphill"] = (f"{int(uphill.sum())} of {len(lrs)} values (α from "
                                     f"{lrs[uphill].min():.3g})" if uphill.any() else "none")
            stayed = r.left_view_step < 0
            row["stayed in view"] = (f"{int(stayed.sum())} of {len(lrs)} values (α "
                                     f"{lrs[stayed].min():.3g} to {lrs[stayed].max():.3g})"
                                     if stayed.any() else "none")  # fmt: skip
        return row

    st.dataframe([_row(r) for r in sweeps], hide_index=True, width="stretch")
    tuned_section(scene, lrs, chosen)
    if surface.bounded_below:
        st.caption(
            f"{count} values of α from {lr_low:g} to {lr_high:g}, {scene.steps} steps each, "
            "all settings of an optimizer in one batch. Dotted lines: the α from which every "
            f"larger value diverges (left the box {optim_core.DIVERGENCE_FACTOR:g}× the "
            "domain); those settings are left out of the lines. A run that ends exactly at "
            "the minimum (f − f* = 0 in floating point) is drawn at 10⁻¹⁶. Converged: the "
            "step from which "
            f"the run stays within {optim_core.CONVERGED_DIST_TOL:g} of a minimizer (with "
            f"gradient norm ≤ {optim_core.CONVERGED_GRAD_TOL:g} there)."
        )
    else:
        st.caption(
            f"{surface.title} has no minimum: f falls without bound, so there is no final "
            "loss to compare and nothing to converge to; leaving the view downhill is how a "
            "run gets away (leaving it uphill, higher than it started, is a blow-up: α too "
            f"large along a direction that curves up). {count} values of α from {lr_low:g} "
            f"to {lr_high:g}, {scene.steps} steps each, all settings of an optimizer in one "
            "batch; a value missing from a line stayed in view for all the steps, or blew "
            "up uphill."
        )
else:
    st.info("Choose optimizers in the sidebar for the α sweep.")

st.subheader(f"{optim_core.get_optimizer(heat).title}: α × {scenes.HYPER_LABELS[axis]}")
high = scenes.HYPER_RANGES[axis][1]
beta_values = np.round(np.linspace(0.0, high, betas), 6)
heat_lrs = np.logspace(math.log10(lr_low), math.log10(lr_high), min(count, 60))
bar = common.Progress("Sweeping α × " + scenes.HYPER_LABELS[axis] + "…")
result = common.cached_sweep(heat, surface_name, start, scene.steps,
                             (("lr", tuple(heat_lrs)), (axis, tuple(beta_values))), (),
                             bar.report)  # fmt: skip
bar.done()
st.plotly_chart(viz.sweep_heatmap_figure(result, surface), key="sweep_heatmap")
grey = ("the setting diverges" if surface.bounded_below else
        f"the run stayed in view for all {scene.steps} steps, or blew up uphill")  # fmt: skip
st.caption(f"{len(heat_lrs)} α × {betas} β values, one batch; the other hyperparameters at "
           f"{optim_core.get_optimizer(heat).title}'s defaults. Grey: {grey}.")
