"""The Workers page's "Delay-tolerant AdaGrad" section: AdaGrad and McMahan & Streeter's
AdaptiveRevision under the same stale gradients, the loss of each, their measured
stability against the delay, a table and what they show in words. The page calls
:func:`section` at its bottom; its widgets are keyed "workers.dt.*", its link keys
"dt_*" (:mod:`scenes.delay_adagrad`)."""

from __future__ import annotations

from dataclasses import fields

import streamlit as st

import surfaces
from app_pages.race_view import figure_view
from optim_core import DelayStability
from optim_core import delay_tolerant as dt
from scenes.delay_adagrad import (
    DT_LRS,
    DT_MAX_DELAY,
    DT_MAX_STEPS,
    DT_MIN_STEPS,
    DT_MODES,
    DT_STABILITY_ALPHAS,
    DT_STABILITY_TAUS,
    DT_SURFACES,
    DelayAdagradScene,
    delay_adagrad_from_query,
    delay_adagrad_to_query,
)
from scenes.shared import MAX_SEED
from viz import delay_adagrad as figures

KEY = "workers.dt."
RUN_FORMS = ("adagrad", "revision", "accumulator")  # the race: AdaGrad first, the paper's next


def _start(spec: str) -> tuple[float, float]:
    return tuple(float(v) for v in surfaces.get(spec).default_start)


@st.cache_data(max_entries=32, show_spinner=False)
def measured_stability(spec: str, steps: int) -> dict:
    """The stability probe's numbers (plain arrays: a Surface does not pickle)."""
    found = dt.stability(spec, _start(spec), steps, DT_STABILITY_TAUS, DT_STABILITY_ALPHAS,
                         forms=("adagrad", "revision"))  # fmt: skip
    return {f.name: getattr(found, f.name) for f in fields(found) if f.name != "surface"}


@st.cache_data(max_entries=64, show_spinner=False)
def measured_section(spec: str, steps: int, lr: float, delays: tuple,
                     delay_words: str) -> dict:  # fmt: skip
    """Everything the section shows for one setting, as plain data: the two figures'
    JSON, the tables' rows and the words."""
    found = DelayStability(surface=surfaces.get(spec), **measured_stability(spec, steps))
    runs = {form: dt.run_delay_tolerant(spec, _start(spec), steps, form=form, lr=lr,
                                        **dict(delays))
            for form in RUN_FORMS}  # fmt: skip
    return {
        "loss": figures.loss_figure(runs).to_json(),
        "stability": figures.stability_figure(found).to_json(),
        "run_rows": figures.run_rows(runs),
        "stability_rows": figures.stability_rows(found),
        "words": figures.summary(runs, found, delay_words),
    }


def _from_link() -> None:
    """On the section's first run in this session: its widgets from the link's dt_ keys
    (bad values named in a warning, and replaced by the defaults)."""
    if KEY + "loaded" in st.session_state:
        return
    scene, warnings = delay_adagrad_from_query(st.query_params.to_dict())
    for name in ("surface", "mode", "tau", "tau_max", "seed", "lr", "steps"):
        st.session_state[KEY + name] = getattr(scene, name)
    st.session_state[KEY + "loaded"] = True
    st.session_state[KEY + "warnings"] = warnings


def _to_link(scene: DelayAdagradScene) -> None:
    """The section's values into the page's link: its own dt_ keys only."""
    query = delay_adagrad_to_query(scene)
    for key in [k for k in st.query_params.keys() if k.startswith("dt_") and k not in query]:
        del st.query_params[key]
    for key, value in query.items():
        if st.query_params.get(key) != value:
            st.query_params[key] = value


def section() -> None:
    """Draw the section: controls, the loss figure and the stability chart, the tables,
    the words measured from them, and what is simulated."""
    _from_link()
    st.subheader("Delay-tolerant AdaGrad")
    warnings = st.session_state.pop(KEY + "warnings", [])
    if warnings:
        st.warning(" ".join(warnings))
    st.caption(
        "AdaGrad's accumulator Σg² does not know that other updates were applied while a "
        "gradient was in flight. McMahan & Streeter's AdaptiveRevision (NIPS 2014) adds "
        "2 g·g^bck for each gradient g, g^bck being the gradients applied since g's "
        "parameters were read, and revises those steps to the new, smaller rate."
    )  # fmt: skip
    left, middle, right = st.columns(3)
    surface = left.selectbox("Surface", list(DT_SURFACES), key=KEY + "surface",
                             format_func=lambda s: DT_SURFACES[s][1])  # fmt: skip
    mode = middle.radio("Delays", list(DT_MODES), key=KEY + "mode",
                        format_func=DT_MODES.get)  # fmt: skip
    if mode == "fixed":
        right.slider("Delay τ (steps)", 0, DT_MAX_DELAY, key=KEY + "tau")
    else:
        right.slider("Largest delay τ_max (steps)", 1, DT_MAX_DELAY, key=KEY + "tau_max")
        right.number_input("Seed of the delays", 0, MAX_SEED, step=1, key=KEY + "seed")
    left.select_slider("α (lr)", DT_LRS, key=KEY + "lr")
    middle.number_input("Steps", DT_MIN_STEPS, DT_MAX_STEPS, step=50, key=KEY + "steps")
    state = st.session_state
    scene = DelayAdagradScene(surface, mode, int(state[KEY + "tau"]),
                              int(state[KEY + "tau_max"]), int(state[KEY + "seed"]),
                              float(state[KEY + "lr"]), int(state[KEY + "steps"]))  # fmt: skip
    _to_link(scene)
    with st.spinner("Running both, and measuring each at τ = 1, 2, 4, 8 over α…"):
        shown = measured_section(scene.surface_spec(), scene.steps, scene.lr,
                                 tuple(sorted(scene.delays().items())),
                                 scene.delay_words())  # fmt: skip
    plots = st.columns(2)
    for column, name in zip(plots, ("loss", "stability"), strict=True):
        with column:
            figure_view(shown[name], key=f"{KEY}{name}_figure")
    st.dataframe(shown["run_rows"], hide_index=True, width="stretch", key=KEY + "runs")
    st.markdown(shown["words"])
    st.dataframe(shown["stability_rows"], hide_index=True, width="stretch",
                 key=KEY + "stability")  # fmt: skip
    st.caption(
        "Simulated workers in one process on a seeded schedule: the update at step t takes "
        "the gradient at the parameters of step t − 1 − τ, as an asynchronous parameter "
        "server gives them (the race's stale gradients), and the delay-tolerant rule is told "
        "which updates were applied in between. A picture of the algorithms, not a "
        "distributed run. The stability chart: fixed delays, α on a grid from "
        f"{DT_STABILITY_ALPHAS[0]:g} to {DT_STABILITY_ALPHAS[-1]:g} (4 a decade); an open "
        "marker where no α of the grid diverged. The dashed line is the delay-tolerant rate "
        "without the revision step."
    )  # fmt: skip
