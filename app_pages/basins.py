"""Basin maps: a grid of starts over the whole domain, each coloured by where it ended."""

from __future__ import annotations

import functools

import numpy as np
import streamlit as st

import optim_core
import scenes
import surfaces
import viz
from app_pages import common

P = "basins."  # this page's widget keys
CLICK_CELLS = 50  # a click picks the nearest of at most 50 × 50 cells (SVG markers)


def apply(scene: scenes.BasinScene) -> None:
    values = dict(surface=scene.surface, optimizers=list(scene.optimizers),
                  resolution=scene.resolution, steps=scene.steps, colour=scene.colour,
                  lr=scene.lr, hyper=scene.hyper)  # fmt: skip
    st.session_state.update({P + k: v for k, v in values.items()})


def run_on_race(chart_key: str, optimizer: str, hyper: dict[str, float]) -> None:
    """A click on a map cell runs that start on the race page."""
    points = st.session_state[chart_key].selection.get("points", [])
    if not points or "x" not in points[0] or "y" not in points[0]:
        return
    state = st.session_state
    state.surface = state[P + "surface"]
    state.start_x, state.start_y = float(points[0]["x"]), float(points[0]["y"])
    state.optimizers = [optimizer]
    state.same_for_all = False
    for h, value in hyper.items():
        state[f"{optimizer}.{h}"] = value
    state[P + "go_race"] = True


common.init_from_link("basins", scenes.basin_from_query, apply)
if st.session_state.pop(P + "go_race", False):
    st.switch_page("app_pages/race.py")

# ---------------------------------------------------------------- sidebar

sb = st.sidebar
sb.title("Basin maps")
surface_name = sb.selectbox("Surface", surfaces.names(), key=P + "surface",
                            format_func=lambda n: surfaces.get(n).title)  # fmt: skip
surface = surfaces.get(surface_name)
chosen = sb.multiselect(
    "One optimizer, or two side by side", optim_core.optimizer_names(), key=P + "optimizers",
    max_selections=2, format_func=lambda n: optim_core.get_optimizer(n).title,
)  # fmt: skip
resolution = sb.slider("Starts per side", 10, optim_core.MAX_MAP_RESOLUTION, key=P + "resolution",
                       help="The map runs resolution × resolution starts.")  # fmt: skip
steps = sb.number_input("Steps", 1, scenes.MAX_ANALYSIS_STEPS, key=P + "steps", step=100)
colour = sb.radio("Colour by", scenes.BASIN_COLOURINGS, key=P + "colour",
                  format_func={"minimizer": "the minimizer reached",
                               "steps": "steps to converge (log)"}.get)  # fmt: skip
hyper_mode = sb.radio("Hyperparameters", scenes.HYPER_MODES, key=P + "hyper",
                      format_func=common.HYPER_MODE_LABELS.get)  # fmt: skip
lr = common.lr_slider(sb, P + "lr") if hyper_mode == "same" else st.session_state[P + "lr"]

scene = scenes.BasinScene(surface_name, tuple(chosen), int(resolution), int(steps), colour,
                          float(lr), hyper_mode)  # fmt: skip
st.query_params.from_dict(scenes.basin_to_query(scene))

# ---------------------------------------------------------------- main area

common.show_link_warnings("basins")
st.header(f"Where each start ends: {surface.title}")
st.caption(common.hyper_mode_caption(hyper_mode, lr))
if not chosen:
    st.info("Choose one optimizer, or two to compare, in the sidebar.")
    st.stop()

grid = common.cached_grid(surface_name)
columns = st.columns(len(chosen))
for column, name in zip(columns, chosen, strict=True):
    hyper = common.hyperparams_for(name, lr, hyper_mode)
    result = common.cached_basin_map(name, surface_name, scene.resolution, scene.steps,
                                     tuple(sorted(hyper.items())))  # fmt: skip
    figure = viz.basin_figure(result, grid, scene.colour)
    stride = max(1, int(np.ceil(scene.resolution / CLICK_CELLS)))
    cx, cy = np.meshgrid(result.x[::stride], result.y[::stride])
    figure.add_scatter(x=cx.ravel(), y=cy.ravel(), mode="markers", showlegend=False,
                       marker=dict(size=10, opacity=0.0, color="black"), hoverinfo="skip",
                       name="click to run this start")  # fmt: skip
    with column:
        on_click = functools.partial(run_on_race, f"map_{name}", name, hyper)
        st.plotly_chart(figure, key=f"map_{name}", selection_mode="points", on_select=on_click)
        total = result.minimizer_index.size
        reached = [int(np.sum(result.minimizer_index == i)) for i in
                   range(len(surface.minimizers))]  # fmt: skip
        counts = [f"{n / total:.0%} reached ({x:.3g}, {y:.3g})"
                  for n, (x, y) in zip(reached, surface.minimizers, strict=True) if n]
        left = "diverged" if surface.bounded_below else "ran off downhill"
        counts.append(f"{np.mean(result.diverged_step >= 0):.0%} {left}")
        counts.append(f"{np.mean(result.stalled):.0%} stalled")
        st.caption("; ".join(counts) + ".")
st.caption(
    f"Each cell is one start of a {scene.resolution} × {scene.resolution} grid over the "
    f"domain, run for {scene.steps} steps. Reached: converged (within "
    f"{optim_core.CONVERGED_DIST_TOL:g} of a minimizer with gradient norm ≤ "
    f"{optim_core.CONVERGED_GRAD_TOL:g}) and did not diverge. Diverged: left the box "
    f"{optim_core.DIVERGENCE_FACTOR:g}× the domain. Stalled: neither. Hover a cell for its "
    "start and outcome; click it to run that start on the race page (clicks pick the "
    f"nearest of at most {CLICK_CELLS} × {CLICK_CELLS} cells)."
)
if not surface.bounded_below:
    st.caption(f"{surface.title} has no minimum: a start either runs off downhill (leaves "
               "the box: the expected way out, not a failure) or stays.")  # fmt: skip
