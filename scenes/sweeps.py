"""The sweeps page as plain data: its scene and link."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import optim_core
import surfaces

from .race import (
    Scene,
    read_start,
)
from .shared import (
    CAPS,
    HEATMAP_OPTIMIZERS,
    MAX_ANALYSIS_STEPS,
    MAX_HEATMAP_BETAS,
    MAX_SWEEP_VALUES,
    SWEEP_AXES,
    SWEEP_OPTIMIZERS,
    LinkReader,
    lr_range,
    sweep_axes,
)


@dataclass
class SweepScene:
    """The sweep page: α on a log grid for several optimizers, and α × β for one."""

    surface: str = "rosenbrock"
    start: tuple[float, float] | None = None  # None: the surface's default start
    optimizers: tuple[str, ...] = ("sgd", "momentum", "nag", "rmsprop", "adam")
    steps: int = 1000
    lr_low: float = 1e-5
    lr_high: float = 10.0
    count: int = 60
    heatmap_optimizer: str = "adam"
    axis: str = "beta1"
    betas: int = 40
    tune: str = ""  # "": no tuning marked; else optim_core.tuning's objective

    def start_point(self) -> tuple[float, float]:
        return Scene(self.surface, start=self.start).start_point()


def sweep_to_query(scene: SweepScene) -> dict[str, str]:
    x, y = scene.start_point()
    return {
        "surface": scene.surface, "start": f"{x!r},{y!r}", "opt": ",".join(scene.optimizers),
        "steps": str(scene.steps), "lr_low": repr(scene.lr_low), "lr_high": repr(scene.lr_high),
        "count": str(scene.count), "heat": scene.heatmap_optimizer, "axis": scene.axis,
        "betas": str(scene.betas), **({"tune": scene.tune} if scene.tune else {}),
    }  # fmt: skip


def sweep_from_query(params: Mapping[str, str]) -> tuple[SweepScene, list[str]]:
    read, d = LinkReader(params), SweepScene()
    surface = read.choice("surface", surfaces.names(), d.surface)
    start = read_start(read, surface)
    lr_low = read.number("lr_low", *lr_range(), d.lr_low)
    lr_high = read.number("lr_high", *lr_range(), d.lr_high)
    if lr_low >= lr_high:
        read.warnings.append(
            f"lr_low = {lr_low:g} is not below lr_high = {lr_high:g} in the link; "
            f"using {d.lr_low:g} to {d.lr_high:g}."
        )
        lr_low, lr_high = d.lr_low, d.lr_high
    scene = SweepScene(
        surface=surface,
        start=start,
        optimizers=read.optimizers("opt", d.optimizers, allowed=SWEEP_OPTIMIZERS),
        steps=read.number("steps", 1, MAX_ANALYSIS_STEPS, d.steps, integer=True,
                          cap=CAPS["sweeps.steps"]),
        lr_low=lr_low,
        lr_high=lr_high,
        count=read.number("count", 2, MAX_SWEEP_VALUES, d.count, integer=True,
                          cap=CAPS["sweeps.count"]),
        heatmap_optimizer=read.choice("heat", HEATMAP_OPTIMIZERS, d.heatmap_optimizer),
        axis=read.choice("axis", SWEEP_AXES, d.axis),
        betas=read.number("betas", 2, MAX_HEATMAP_BETAS, d.betas, integer=True,
                          cap=CAPS["sweeps.betas"]),
        tune=read.choice("tune", ["", *optim_core.tuning.OBJECTIVES], d.tune),
    )  # fmt: skip
    axes = sweep_axes(scene.heatmap_optimizer)
    if scene.axis not in axes:
        title = optim_core.get_optimizer(scene.heatmap_optimizer).title
        read.warnings.append(
            f"axis = {scene.axis!r} in the link is not a hyperparameter of {title}; "
            f"using {axes[0]!r}."
        )
        scene.axis = axes[0]
    return scene, read.warnings
