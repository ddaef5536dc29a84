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
    """The scene's workers and the same gradients in one process (workers.serial)."""
    scene = scenes.WorkersScene(*key)
    run = optim_core.run_workers(**scene.run_args())
    return run, optim_core.workers.serial(run)


def center_title(scheme: str) -> str:
    return "server" if scheme == "downpour" else "center"


def view_runs(run: optim_core.WorkersRun) -> list[viz.Run]:
    """Each worker's local copy faintly (one legend entry for all of them), then the
    center (or server) strongly, drawn over them."""
    center, workers = run.trajectories()
    label = ("the worker, its own copy" if run.workers == 1 else
             f"the workers ({run.workers}), each its own copy")  # fmt: skip
    return [*(viz.Run("workers", label, w, colour=WORKER_COLOUR, faint=True) for w in workers),
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


def stale_map_args(tau: int) -> tuple:
    """The stale-gradient map's arguments (viz.delay_stability_figure): every τ of the
    slider against α, with this τ's two runs as stars."""
    taus, outcome, bounds = common.cached_delay_stability()
    _, runs = cached_stale_runs(int(tau))
    marks = [(float(r.trajectory.hyperparams["lr"]), tau, r.label, r.colour) for r in runs]
    return taus, common.DELAY_ALPHAS, outcome, bounds, marks


def table(run: optim_core.WorkersRun, serial: optim_core.Trajectory) -> list[dict]:
    """The table's rows: the server (or center) with K workers, and the serial run."""
    surface = run.surface
    gap = np.isfinite(surface.min_value)
    end = "f − f* at the end" if gap else "f at the end"
    tail = ("f − f*" if gap else "f") + ", mean over the last 10 %"
    mean = optim_core.workers.tail_gap

    def at(step: int, per: int) -> str:
        return "—" if step < 0 else f"step {step:,} ({step * per:,} gradients)"

    def loss(value: float) -> str:
        return f"{value - surface.min_value:.3g}" if gap else f"{value:.4g}"

    who = center_title(run.scheme)
    rule = optim_core.get_optimizer(serial.optimizer).title
    return [
        {"": f"the {who}, {scenes.workers.plural(run.workers, 'worker')}",
         "steps": f"{run.steps:,}", "gradients": f"{run.gradients:,}",
         "converged": at(run.converged_step, run.workers),
         "diverged": at(run.diverged_step, run.workers),
         end: "—" if run.diverged else loss(float(run.center_loss[-1])),
         tail: "—" if run.diverged else f"{mean(surface, run.center_loss):.3g}"},
        {"": f"serial {rule}, same α", "steps": f"{serial.steps:,}",
         "gradients": f"{serial.steps:,}", "converged": at(int(serial.converged_step), 1),
         "diverged": at(int(serial.diverged_step), 1),
         end: "—" if bool(serial.diverged) else loss(float(serial.final_loss)),
         tail: "—" if bool(serial.diverged) else f"{mean(surface, serial.loss):.3g}"},
    ]  # fmt: skip
