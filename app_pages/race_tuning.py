"""The race page's fair tuning: "Tune α for each optimizer" in the sidebar, and the
section that shows what it measured (optim_core.tune)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import streamlit as st

import optim_core
import scenes
import surfaces
import viz
import viz.tuning
from app_pages.race_view import figure_view
from optim_core import tuning

KEY = "tune."  # this part's widget keys
OVER = {"one": "the race's start", "four": "four runs (mean)"}
NEARBY = ((0.0, 0.0), (0.05, 0.0), (0.0, 0.05), (-0.05, -0.05))  # × the domain's size


def from_link() -> list[str]:
    """On the page's first run: the link's ``tune`` (objective.over), its words if bad."""
    state = st.session_state
    if KEY + "objective" in state:
        return []
    state[KEY + "objective"], state[KEY + "over"] = "final", "one"
    value = st.query_params.to_dict().get("tune")
    if value is None:
        return []
    objective, _, over = str(value).partition(".")
    if objective not in tuning.OBJECTIVES or over not in OVER:
        return [f"tune = {scenes.literal(value)} in the link is not one of "
                f"{', '.join(f'{o}.{v}' for o in tuning.OBJECTIVES for v in OVER)}; "
                "not tuned."]  # fmt: skip
    state[KEY + "objective"], state[KEY + "over"], state[KEY + "shown"] = objective, over, True
    return []


def to_query() -> dict[str, str]:
    state = st.session_state
    if not state.get(KEY + "shown"):
        return {}
    return {"tune": f"{state[KEY + 'objective']}.{state[KEY + 'over']}"}


def _runs(surface, start, over: str, seed: int, stochastic: bool):
    """The starts and seeds a tuning averages over."""
    if over == "one":
        return np.array([start], dtype=float), (seed,)
    if stochastic:  # noise or batches: four draws from the race's start
        return np.array([start], dtype=float), tuple(seed + k for k in range(4))
    (x0, x1), (y0, y1) = surface.domain
    size = np.array([x1 - x0, y1 - y0])
    points = np.array(start, dtype=float) + np.array(NEARBY) * size
    points = np.clip(points, [x0, y0], [x1, y1])
    return points, (seed,)


@st.cache_data(max_entries=16, show_spinner=False)
def cached_tuning(names: tuple, surface: str, start: tuple, steps: int, objective: str,
                  over: str, seed: int, noise: float, gamma: float, batch,
                  convention: str) -> dict[str, dict]:  # fmt: skip
    """Each optimizer's tuning, as plain data: α's, scores, the choice."""
    surf = surfaces.get(surface)
    stochastic = bool(noise) or batch is not None
    points, seeds = _runs(surf, start, over, seed, stochastic)
    found = optim_core.tune_all(
        list(names), surf, start, min(steps, tuning.MAX_TUNE_STEPS), objective=objective,
        starts=points, seeds=seeds, noise_eta=noise or None, noise_gamma=gamma,
        batch_size=batch, convention=convention)  # fmt: skip
    return viz.tuning.tuned_data(found)


def _scene_args(scene: scenes.Scene) -> tuple:
    batch = scene.batch()
    return (tuple(scene.optimizers), scene.surface, tuple(scene.start_point()),
            int(scene.steps), st.session_state[KEY + "objective"],
            st.session_state[KEY + "over"], int(scene.seed), float(scene.noise_eta),
            float(scene.noise_gamma), batch, scene.convention)  # fmt: skip


def tune_now(scene_args: tuple) -> None:
    """The button: tune, then give each optimizer its α (its own slider; the shared
    α switched off), so the link carries the tuned values."""
    found = cached_tuning(*scene_args)
    state = st.session_state
    for name, t in found.items():
        if math.isfinite(t["alpha"]):
            state[f"{name}.lr"] = scenes.tidy(t["alpha"])
    state.same_for_all = False
    state[KEY + "shown"] = True


def controls(sb, scene: scenes.Scene) -> None:
    box = sb.expander("Fair tuning: α for each optimizer")
    box.radio("Objective", list(tuning.OBJECTIVES), key=KEY + "objective",
              format_func=tuning.OBJECTIVES.get,
              help="What the tuning minimizes over the race's steps: f − f* at the last "
              "step, its mean over all the steps, or the steps to reach f − f* ≤ 10⁻⁶.")
    box.radio("Over", list(OVER), key=KEY + "over", format_func=OVER.get, horizontal=True,
              help="Four runs: the start and three nearby (or, with noise or batches, four "
              "seeds of the draws); an α's score is their mean, so one lucky path doesn't "
              "win.")  # fmt: skip
    tunable = [n for n in scene.optimizers if "lr" in optim_core.get_optimizer(n).hyperparams]
    box.button("Tune α for each optimizer", key=KEY + "button", width="stretch",
               disabled=not tunable, on_click=tune_now, args=(_scene_args(scene),),
               help=f"Every optimizer with an α runs at {len(tuning.DEFAULT_ALPHAS)} α's from "
               "10⁻⁴ to 10 (one batch each), the race's steps, and takes the best. Part of "
               "the link: the tuned α's, written out.")  # fmt: skip


def section(scene: scenes.Scene) -> None:
    """What the tuning measured, once tuned (or from a link that says so)."""
    state = st.session_state
    if not state.get(KEY + "shown") or not scene.optimizers:
        return
    objective = state[KEY + "objective"]
    found = cached_tuning(*_scene_args(scene))
    if not found:
        return
    st.subheader("Tuned α: each optimizer at its best")
    figure_view(viz.tuning.tuning_figure(found, objective).to_json(), key=KEY + "figure")
    rows = viz.tuning.tuning_rows(found, objective, scene.convention)
    moved = [optim_core.get_optimizer(name).title for name, t in found.items()
             if math.isfinite(t["alpha"]) and scene.hyperparams(name).get("lr") is not None
             and not math.isclose(scene.hyperparams(name)["lr"], scenes.tidy(t["alpha"]),
                                  rel_tol=1e-9)]  # fmt: skip
    st.dataframe(pd.DataFrame(rows), hide_index=True)
    repeats = next(iter(found.values()))["repeats"]
    none = [optim_core.get_optimizer(n).title for n, t in found.items()
            if not math.isfinite(t["alpha"])]  # fmt: skip
    st.caption(
        f"Each optimizer ran at {len(tuning.DEFAULT_ALPHAS)} α's from 10⁻⁴ to 10 (12 a "
        f"decade), {scene.steps:,} steps, "
        + (f"averaged over {repeats} runs ({'four starts' if not (scene.noise_eta or scene.batch()) else 'four seeds of the draws'})"  # noqa: E501
           if repeats > 1 else "from the race's start")
        + f"; the α that minimizes the {tuning.OBJECTIVES[objective]} is marked and given "
        "to it in the race (a run that diverged scores +∞, and so, counting steps, does "
        "one that never reaches f − f* ≤ 10⁻⁶; ties go to the smaller α). Its other "
        "hyperparameters are "
        "its own; schedules and stale gradients are not part of the tuning. Where a curve "
        "is jagged near its lowest point, the final loss at one α is partly luck: the mean "
        "over the run, or four runs, pick a steadier α. A tuned picture compares tuned "
        "optimizers, not their defaults."
        + (f" No α reached the objective for {', '.join(none)}." if none else "")
        + (f" Moved since the tuning: {', '.join(moved)}'s α." if moved else "")
    )
