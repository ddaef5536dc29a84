"""Basin maps: a grid of starts over the whole domain, each coloured by where it ended."""

from __future__ import annotations

import functools
import urllib.parse

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


def pick_start(chart_key: str, optimizer: str) -> None:
    """A click on a map cell picks that start."""
    points = st.session_state[chart_key].selection.get("points", [])
    if points and "x" in points[0] and "y" in points[0]:
        st.session_state[P + "picked"] = (optimizer, float(points[0]["x"]), float(points[0]["y"]))


def race_link(optimizer: str, x: float, y: float, hyper: dict[str, float]) -> str:
    """The race page's link for this start: it opens as a page of its own, so the
    address a user copies there is the race's (st.switch_page keeps the old one)."""
    scene = scenes.Scene(surface_name, (optimizer,), (x, y),
                         min(int(steps), scenes.MAX_PAGE_STEPS), {optimizer: hyper})  # fmt: skip
    return "./?" + urllib.parse.urlencode(scenes.to_query(scene))


common.init_from_link("basins", scenes.basin_from_query, apply)


def race_share() -> dict:
    """What this page takes from the race page: its surface (a built-in one), its first
    two optimizers, and each optimizer's values there."""
    shared = {P + "hyper": "race"}
    if common.race_value("surface", None) in surfaces.names():
        shared[P + "surface"] = common.race_value("surface", None)
    if common.race_value("optimizers", []):
        shared[P + "optimizers"] = list(common.race_value("optimizers", []))[:2]
    return shared


following = common.follow_race("basins", race_share())

# ---------------------------------------------------------------- sidebar

sb = st.sidebar
sb.title("Basin maps")
common.follow_note("basins", sb, following,
                   "surface, first two optimizers and their values")  # fmt: skip
surface_name = sb.selectbox("Surface", surfaces.names(), key=P + "surface",
                            format_func=lambda n: surfaces.get(n).title)  # fmt: skip
surface = surfaces.get(surface_name)
chosen = sb.multiselect(
    "One optimizer, or two side by side", optim_core.optimizer_names(), key=P + "optimizers",
    max_selections=2, format_func=lambda n: optim_core.get_optimizer(n).title,
)  # fmt: skip
resolution = sb.slider("Starts per side", scenes.MIN_MAP_RESOLUTION,
                       optim_core.MAX_MAP_RESOLUTION, key=P + "resolution",
                       help="The map runs resolution × resolution starts.")  # fmt: skip
common.cap_note(sb, resolution, "basins.res")
steps = sb.number_input("Steps", 1, scenes.MAX_ANALYSIS_STEPS, key=P + "steps", step=100)
common.cap_note(sb, steps, "basins.steps")
colourings = ({"minimizer": "the minimizer reached", "steps": "steps to converge (log)"}
              if surface.bounded_below else
              {"minimizer": "the outcome", "steps": "steps to leave the view (log)"})  # fmt: skip
colour = sb.radio("Colour by", scenes.BASIN_COLOURINGS, key=P + "colour",
                  format_func=colourings.get)  # fmt: skip
hyper_mode = sb.radio("Hyperparameters", scenes.HYPER_MODES, key=P + "hyper",
                      format_func=common.HYPER_MODE_LABELS.get)  # fmt: skip
lr = common.lr_slider(sb, P + "lr") if hyper_mode == "same" else st.session_state[P + "lr"]

scene = scenes.BasinScene(surface_name, tuple(chosen), int(resolution), int(steps), colour,
                          float(lr), hyper_mode)  # fmt: skip
st.query_params.from_dict(scenes.basin_to_query(scene))

# ---------------------------------------------------------------- main area

common.show_link_warnings("basins")
st.header(f"Where each start ends: {surface.title}")
st.caption(common.hyper_mode_caption(hyper_mode, lr, chosen))
if not chosen:
    st.info("Choose one optimizer, or two to compare, in the sidebar.")
    st.stop()

chosen = common.drop_unavailable(chosen, surface)
if not chosen:
    st.stop()
grid = common.cached_grid(surface_name)
hypers = {name: common.hyperparams_for(name, lr, hyper_mode) for name in chosen}
bar = common.Progress(f"Running {scene.resolution**2:,} starts × {scene.steps:,} steps…")
results = {name: common.cached_basin_map(name, surface_name, scene.resolution, scene.steps,
                                         tuple(sorted(hypers[name].items())),
                                         bar.part(i, len(chosen),
                                                  optim_core.get_optimizer(name).title))
           for i, name in enumerate(chosen)}  # fmt: skip
bar.done()
step_range = viz.basin_step_range(list(results.values()))  # one colour scale for both maps
columns = st.columns(len(chosen))
for column, (name, result) in zip(columns, results.items(), strict=True):
    figure = viz.basin_figure(result, grid, scene.colour, step_range=step_range)
    # Clicks land on markers (a heatmap cell is not selectable): one per cell, or per
    # stride-th cell on fine maps, each hovering with its own start's outcome.
    stride = max(1, int(np.ceil(scene.resolution / CLICK_CELLS)))
    cx, cy = np.meshgrid(result.x[::stride], result.y[::stride])
    outcome = viz.basin_outcomes(result)[::stride, ::stride]
    figure.add_scatter(x=cx.ravel(), y=cy.ravel(), mode="markers", showlegend=False,
                       marker=dict(size=10, opacity=0.0, color="black"),
                       customdata=outcome.ravel(),
                       hovertemplate="start (%{x:.3g}, %{y:.3g})<br>%{customdata}"
                       "<br><i>click to pick this start</i><extra></extra>",
                       name="click to run this start")  # fmt: skip
    with column:
        on_click = functools.partial(pick_start, f"map_{name}", name)
        st.plotly_chart(figure, key=f"map_{name}", selection_mode="points", on_select=on_click)
        picked = st.session_state.get(P + "picked")
        if picked and picked[0] == name:
            _, px, py = picked
            i, j = np.argmin(np.abs(result.y - py)), np.argmin(np.abs(result.x - px))
            st.markdown(f"**Start ({px:.4g}, {py:.4g})**: {viz.basin_outcome(result, i, j)}.")
            st.link_button(f"Race {optim_core.get_optimizer(name).title} from this start ↗",
                           race_link(name, px, py, hypers[name]))  # fmt: skip
            if scene.steps > scenes.MAX_PAGE_STEPS:
                st.caption(f"The race shows at most {scenes.MAX_PAGE_STEPS:,} steps of the "
                           f"{scene.steps:,} this map ran: what happens later is not in it.")
        total = result.minimizer_index.size
        reached = [int(np.sum(result.minimizer_index == i)) for i in
                   range(len(surface.minimizers))]  # fmt: skip
        counts = [f"{n / total:.0%} reached ({x:.3g}, {y:.3g})"
                  for n, (x, y) in zip(reached, surface.minimizers, strict=True) if n]
        if surface.bounded_below:
            counts.append(f"{np.mean(result.ran_off):.0%} diverged")
            counts.append(f"{np.mean(result.stalled):.0%} not arrived")
        else:
            counts.append(f"{np.mean(result.ran_off):.0%} ran off downhill")
            if result.blew_up_uphill.any():
                counts.append(f"{np.mean(result.blew_up_uphill):.0%} blew up uphill")
            counts.append(f"{np.mean(result.stalled):.0%} stayed in view")
        st.caption("; ".join(counts) + ".")
if surface.bounded_below:
    st.caption(
        f"Each cell is one start of a {scene.resolution} × {scene.resolution} grid over the "
        f"domain, run for {scene.steps} steps. Reached: converged (from "
        f"that step on within {optim_core.CONVERGED_DIST_TOL:g} of a minimizer, with "
        f"gradient norm ≤ {optim_core.CONVERGED_GRAD_TOL:g} there) and did not diverge. "
        "Diverged: left the box "
        f"{optim_core.DIVERGENCE_FACTOR:g}× the domain. Not arrived: neither within the "
        "steps — it may be stuck, or still on its way (hover says how far it ends from a "
        "minimizer; more steps may bring it in). Hover a cell for "
        "its start and outcome; click it to pick that start and open it on the race page "
        f"(clicks pick the nearest of at most {CLICK_CELLS} × {CLICK_CELLS} cells)."
    )
else:
    st.caption(
        f"{surface.title} has no minimum: f falls without bound, so a start either runs "
        "off downhill (leaves the view lower than it started: the way out, not a "
        "failure), blows up uphill (leaves the view higher than it started: α too large "
        f"along a curving-up direction), or stays in view for all {scene.steps} steps (it "
        "lingers near a saddle, or moves slowly). Each cell "
        f"is one start of a {scene.resolution} × {scene.resolution} grid over the domain. "
        "Hover a cell for its start and outcome; click it to pick that start and open it "
        f"on the race page (clicks pick the nearest of at most {CLICK_CELLS} × "
        f"{CLICK_CELLS} cells)."
    )
