"""The workers page's computations, cached for every session (not a page: the page
scripts re-run, the caches must not be redefined with them)."""

from __future__ import annotations

import dataclasses

import numpy as np
import streamlit as st

import optim_core
import scenes
import surfaces
import viz
from app_pages import common

CENTER_COLOUR = "#1a1a1a"
WORKER_COLOUR = "#0072B2"  # Okabe-Ito blue, drawn faint
STALE_STEPS = 2000  # the stale-gradient section's runs (as the map's)
STALE_START = (1.0, 0.5)  # as the stability map's
INSIDE, OUTSIDE = 0.9, 1.1  # the section's two α: just inside and just outside the bound


def key_of(scene: scenes.WorkersScene) -> tuple:
    """The run's cache key: the scene's values without the stale-gradient section's τ."""
    return tuple(dataclasses.astuple(dataclasses.replace(scene, tau=0)))


@st.cache_resource(max_entries=32, show_spinner=False)
def cached_workers(key: tuple) -> tuple[optim_core.WorkersRun, optim_core.Trajectory]:
    """The scene's workers and serial SGD with the same gradients."""
    scene = scenes.WorkersScene(*key)
    run = optim_core.run_workers(**scene.run_args())
    return run, optim_core.serial_sgd(run)


def center_title(scheme: str) -> str:
    return "server" if scheme == "downpour" else "center"


def view_runs(run: optim_core.WorkersRun) -> list[viz.Run]:
    """Each worker's local copy faintly (one legend entry for all of them), then the
    center (or server) strongly, drawn over them."""
    center, workers = run.trajectories()
    return [*(viz.Run("workers", f"the workers ({run.workers}), each its own copy", w,
                      colour=WORKER_COLOUR, faint=True) for w in workers),
            viz.Run("center", f"the {center_title(run.scheme)}", center, colour=CENTER_COLOUR)]


@st.cache_resource(max_entries=32, show_spinner=False)
def cached_view(key: tuple) -> viz.RaceView:
    scene = scenes.WorkersScene(*key)
    run, _ = cached_workers(key)
    static_key, static = common.cached_race_static(scene.surface)
    return viz.RaceView(static_key, static, viz.race_runs(
        surfaces.get(scene.surface), view_runs(run), common.cached_grid(scene.surface),
        kept={}))  # fmt: skip


@st.cache_resource(max_entries=16, show_spinner=False)
def cached_stale_runs(tau: int) -> tuple[float, list[viz.Run]]:
    """Plain SGD with a fixed delay τ on the round bowl at α just inside and just outside
    the exact bound: (the bound, the two runs)."""
    bound = float(optim_core.workers.delay_bound(tau))
    bowl = surfaces.get("quadratic", kappa=1)
    runs = []
    for factor, name, colour in ((INSIDE, "inside", "#009E73"), (OUTSIDE, "outside", "#D55E00")):
        lr = factor * bound
        traj = optim_core.run("sgd", bowl, STALE_START, STALE_STEPS, lr=lr, delay=tau)
        runs.append(viz.Run(name, f"α = {lr:.4g}, {factor:.0%} of the bound", traj,
                            colour=colour))  # fmt: skip
    return bound, runs


def stale_marks(bound: float, tau: int, runs) -> list[tuple]:
    return [(float(r.trajectory.hyperparams["lr"]), tau, r.label, r.colour) for r in runs]


def table(run: optim_core.WorkersRun, serial: optim_core.Trajectory) -> list[dict]:
    """The table's rows: the server (or center) with K workers, and serial SGD."""
    surface = run.surface
    gap = np.isfinite(surface.min_value)
    end = "f − f* at the end" if gap else "f at the end"

    def at(step: int, per: int) -> str:
        return "—" if step < 0 else f"step {step:,} ({step * per:,} gradients)"

    def loss(value: float) -> str:
        return f"{value - surface.min_value:.3g}" if gap else f"{value:.4g}"

    who = center_title(run.scheme)
    return [
        {"": f"the {who}, {run.workers} workers", "steps": f"{run.steps:,}",
         "gradients": f"{run.gradients:,}", "converged": at(run.converged_step, run.workers),
         "diverged": at(run.diverged_step, run.workers),
         end: "—" if run.diverged else loss(float(run.center_loss[-1]))},
        {"": "serial SGD, same α", "steps": f"{serial.steps:,}",
         "gradients": f"{serial.steps:,}", "converged": at(int(serial.converged_step), 1),
         "diverged": at(int(serial.diverged_step), 1),
         end: "—" if bool(serial.diverged) else loss(float(serial.final_loss))},
    ]  # fmt: skip
