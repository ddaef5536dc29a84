"""The Workers page's "Delay-tolerant AdaGrad" section as plain data: its scene, its
link (query keys prefixed ``dt_``, so they share the page's link) and the surfaces,
delays and α's it offers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

import surfaces

from .shared import MAX_SEED, LinkReader, log_grid

# The surfaces offered: the page's name -> (the surface's spec, its title here)
DT_SURFACES = {
    "bowl": (surfaces.spec("quadratic", kappa=1), "Round bowl ½|w|² (κ = 1)"),
    "ravine": ("ravine", "Ravine"),
    "rosenbrock": ("rosenbrock", "Rosenbrock"),
    "linear_regression": ("linear_regression", "Linear regression (data)"),
    "logistic_regression": ("logistic_regression", "Logistic regression (data)"),
}
DT_MODES = {"fixed": "a fixed τ", "random": "a random τ each step, 0 … τ_max (seeded)"}
DT_MAX_DELAY = 16
DT_MIN_STEPS, DT_MAX_STEPS = 50, 2000
DT_LRS = log_grid(1e-3, 100.0, (1, 2, 3, 5))  # AdaGrad's steps are at most ~α: large α's
# The stability chart's measurement: fixed delays and an α grid (log, 4 per decade)
DT_STABILITY_TAUS = (1, 2, 4, 8)
DT_STABILITY_ALPHAS = tuple(float(f"{a:.3g}") for a in np.geomspace(0.01, 100.0, 17))


@dataclass(frozen=True)
class DelayAdagradScene:
    """AdaGrad and delay-tolerant AdaGrad on one surface under the same stale
    gradients: a fixed delay τ, or each step's from 0 … τ_max drawn from ``seed``."""

    surface: str = "linear_regression"
    mode: str = "fixed"
    tau: int = 4
    tau_max: int = 8
    seed: int = 0
    lr: float = 2.0
    steps: int = 500

    def surface_spec(self) -> str:
        return DT_SURFACES[self.surface][0]

    def delays(self) -> dict:
        """The delay keywords of optim_core: ``{"delay": τ}`` or ``{"delay_max": τ_max,
        "seed": seed}``."""
        if self.mode == "fixed":
            return {"delay": self.tau}
        return {"delay_max": self.tau_max, "seed": self.seed}

    def delay_words(self) -> str:
        if self.mode == "fixed":
            return f"τ = {self.tau}"
        return f"a random τ from 0 to {self.tau_max} each step (seed {self.seed})"


def delay_adagrad_to_query(scene: DelayAdagradScene) -> dict[str, str]:
    """The section's part of the page's link (only the keys that apply)."""
    query = {"dt_surface": scene.surface, "dt_mode": scene.mode, "dt_lr": repr(scene.lr),
             "dt_steps": str(scene.steps)}  # fmt: skip
    if scene.mode == "fixed":
        query["dt_tau"] = str(scene.tau)
    else:
        query["dt_tau_max"] = str(scene.tau_max)
        query["dt_seed"] = str(scene.seed)
    return query


def delay_adagrad_from_query(params: Mapping[str, str]) -> tuple[DelayAdagradScene, list[str]]:
    """The section's scene from a link, and a warning for every bad value (named, and
    replaced by the default)."""
    read, d = LinkReader(params), DelayAdagradScene()
    surface = read.choice("dt_surface", tuple(DT_SURFACES), d.surface)
    mode = read.choice("dt_mode", tuple(DT_MODES), d.mode)
    tau = read.number("dt_tau", 0, DT_MAX_DELAY, d.tau, integer=True)
    tau_max = read.number("dt_tau_max", 1, DT_MAX_DELAY, d.tau_max, integer=True)
    seed = read.number("dt_seed", 0, MAX_SEED, d.seed, integer=True)
    lr = read.option("dt_lr", DT_LRS, d.lr)
    steps = read.number("dt_steps", DT_MIN_STEPS, DT_MAX_STEPS, d.steps, integer=True)
    return DelayAdagradScene(surface, mode, tau, tau_max, seed, lr, steps), read.warnings


__all__ = ["DT_LRS", "DT_MAX_DELAY", "DT_MAX_STEPS", "DT_MIN_STEPS", "DT_MODES",
           "DT_STABILITY_ALPHAS", "DT_STABILITY_TAUS", "DT_SURFACES", "DelayAdagradScene",
           "delay_adagrad_from_query", "delay_adagrad_to_query"]
