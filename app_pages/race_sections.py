"""The race page's sections under the race: α against step (the schedules), the insides
of each step, the step lengths and the distance from a saddle."""

from __future__ import annotations

import numpy as np
import streamlit as st

import optim_core
import scenes
from app_pages import common
from app_pages.race_view import figure_view


def schedules(scene: scenes.Scene, chosen, surface_name: str, run_keys, runs) -> None:
    """α against step, for a race where some optimizer has a schedule: the chart, each
    schedule in words and its formula, and where α reaches 0."""
    if not any(scene.schedule(n) for n in chosen):
        return
    st.subheader("α against step")
    figure_view(common.cached_lr_figure(surface_name, scene.start_point(), scene.steps,
                                        run_keys), key="lr_schedule")  # fmt: skip
    st.caption("; ".join(
        f"{optim_core.get_optimizer(n).title}: "
        + (scenes.describe_schedule(scene.schedule(n)) if scene.schedule(n) else "constant")
        for n in chosen if "lr" in scene.hyperparams(n)
    ) + ". α at step t is the slider's α times the schedule's s(t).")  # fmt: skip
    by_name = {r.name: r.trajectory for r in runs}
    stopped, cuts = [], []  # α reaching 0 (a cosine to a floor of 0): off the log axis
    for n in chosen:
        spec = scene.schedule(n)
        if not spec or "lr" not in scene.hyperparams(n):
            continue
        title = optim_core.get_optimizer(n).title
        if spec["name"] == "plateau":  # α as the run used it
            alpha = by_name[n].lr_used
            steps = np.flatnonzero(np.diff(alpha) < 0) + 2  # the steps α was cut at
            cuts.append(f"{title}'s α was cut at step{'s' if len(steps) > 1 else ''} "
                        + ", ".join(map(str, steps[:8])) + (" …" if len(steps) > 8 else "")
                        + f" (to {alpha[-1]:.3g})" if len(steps) else
                        f"{title}'s α was never cut: its loss kept improving")  # fmt: skip
        else:
            alpha = scenes.build_schedule(spec)(np.arange(1, scene.steps + 1))
        zero = np.flatnonzero(alpha <= 0)
        if len(zero):
            stopped.append(f"{title}'s α is 0 from step {zero[0] + 1} (its line stops "
                           "there): it stands still")  # fmt: skip
    if cuts:
        st.caption("; ".join(cuts) + ". A plateau schedule cuts α by what the run's loss "
                   "did, so each optimizer's cuts are its own.")  # fmt: skip
    if stopped:
        st.caption("; ".join(stopped) + ".")
    specs = [scene.schedule(n) for n in chosen if scene.schedule(n)]
    asked = [n for n in chosen if (scene.schedules.get(n) or {}).get("monitor") == "validation"
             and scene.schedule(n) and scene.schedule(n).get("monitor") == "train"]
    if asked:
        st.info(", ".join(optim_core.get_optimizer(n).title for n in asked) + ": its plateau "
                "schedule was set to watch the validation loss, but this surface holds no "
                "examples out, so it watches the training loss. Hold some out with the "
                "validation slider under the surface.")  # fmt: skip
    for kind in dict.fromkeys(spec["name"] for spec in specs):
        st.latex(rf"\text{{{scenes.SCHEDULE_TITLES[kind]}:}}\quad "
                 + ("" if kind == "plateau" else "s(t) = ")
                 + scenes.SCHEDULE_FORMULAS[kind])  # fmt: skip
    if any(spec.get("warmup_steps") and spec["name"] not in scenes.NO_WARMUP for spec in specs):
        st.latex(r"\text{after a warm-up of } W \text{ steps:}\quad s(t) = t/W"
                 r"\text{ for } t \le W, \text{ then } s(t - W)")  # fmt: skip


def prodigy_d(chosen, surface_name: str, scene: scenes.Scene, run_keys) -> None:
    """Prodigy's step size estimate d against step, for a race where Prodigy runs."""
    if "prodigy" not in chosen:
        return
    st.subheader("Prodigy's step size d")
    figure_view(common.cached_d_figure(surface_name, scene.start_point(), scene.steps,
                                       run_keys), key="prodigy_d")  # fmt: skip
    st.caption("d starts at d₀ and only grows: each step it becomes the larger of itself and "
               "r/‖s‖₁, a lower bound on the distance from the start to the solution built "
               "from how far the run has come against the gradients it met. Its steps are "
               "α·d times Adam's normalised direction, so the first ones are tiny and the "
               "race starts once d has caught up.")  # fmt: skip


def insides(chosen, surface_name: str, scene: scenes.Scene, run_keys) -> None:
    st.subheader("Inside each step: the step size per coordinate")
    figure_view(common.cached_step_sizes(surface_name, scene.start_point(), scene.steps,
                                         run_keys), key="step_sizes")  # fmt: skip
    newton = [optim_core.get_optimizer(n).title for n in chosen
              if optim_core.get_optimizer(n).step_size is None]  # fmt: skip
    st.caption(
        "Arrows on the contour, from each head at the step shown: the step it takes next "
        "(thick), −∇f there (dotted) and −m, where its momentum pushes (dashed); each "
        "kind scaled so its longest is 15 % of the view, shorter ones by the cube root of "
        "their length (directions exact). The plot: what each step multiplies its "
        "direction by, in x (solid) and y (dotted), read "
        "from the optimizer's own state: α for SGD and Momentum, α/√(v + ε) for AdaGrad "
        "(it only shrinks: v only grows) and RMSprop (it recovers as v forgets), "
        "α/(√v̂ + ε) for Adam, in the form of the update rules chosen. A coordinate "
        "with a small gradient history gets a large step."
        + (f" {' and '.join(newton)}: no per-coordinate step size (H⁻¹ mixes the "
           "coordinates)." if newton else "")
    )  # fmt: skip


def steps_and_saddle(surface, surface_name: str, scene: scenes.Scene, run_keys, x_axis: str,
                     visits: dict) -> None:  # fmt: skip
    st.subheader("Step length")
    figure_view(
        common.cached_step_lengths(surface_name, scene.start_point(), scene.steps, run_keys,
                                   x_axis),
        key="step_length",
    )  # fmt: skip
    st.caption(
        "How far each step moved the point, |wₖ − wₖ₋₁|: shrinking steps (AdaGrad), "
        "steps that stay near α (sign-like methods) and bouncing steps show here"
        + (", against the ∇f evaluations each run had taken after step k."
           if x_axis == "evals" else ".")
    )  # fmt: skip
    # Shown where a saddle is the story: no minimum, or a run that really lingered at one.
    if visits and (not surface.bounded_below or any(v.near_steps for v in visits.values())):
        st.subheader("Distance from the saddle")
        figure_view(
            common.cached_saddle_distances(surface_name, scene.start_point(), scene.steps,
                                           run_keys),
            key="saddle_distance",
        )  # fmt: skip
