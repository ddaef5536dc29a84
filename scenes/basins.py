"""The basin-map page as plain data: its scene and link."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import optim_core
import surfaces

from .shared import (
    BASIN_COLOURINGS,
    CAPS,
    HYPER_MODES,
    MAX_ANALYSIS_STEPS,
    MIN_MAP_RESOLUTION,
    LinkReader,
    lr_range,
)


@dataclass
class BasinScene:
    """The basin-map page: one optimizer, or two side by side, from a grid of starts."""

    surface: str = "himmelblau"
    optimizers: tuple[str, ...] = ("sgd", "adam")
    resolution: int = 100
    steps: int = 500
    colour: str = "minimizer"
    lr: float = 0.01
    hyper: str = "same"


def basin_to_query(scene: BasinScene) -> dict[str, str]:
    return {
        "surface": scene.surface, "opt": ",".join(scene.optimizers),
        "res": str(scene.resolution), "steps": str(scene.steps), "colour": scene.colour,
        "lr": repr(scene.lr), "hyper": scene.hyper,
    }  # fmt: skip


def basin_from_query(params: Mapping[str, str]) -> tuple[BasinScene, list[str]]:
    read, d = LinkReader(params), BasinScene()
    scene = BasinScene(
        surface=read.choice("surface", surfaces.names(), d.surface),
        optimizers=read.optimizers("opt", d.optimizers, at_most=2),
        resolution=read.number("res", MIN_MAP_RESOLUTION, optim_core.MAX_MAP_RESOLUTION,
                               d.resolution, True, cap=CAPS["basins.res"]),
        steps=read.number("steps", 1, MAX_ANALYSIS_STEPS, d.steps, integer=True,
                          cap=CAPS["basins.steps"]),
        colour=read.choice("colour", BASIN_COLOURINGS, d.colour),
        lr=read.number("lr", *lr_range(), d.lr),
        hyper=read.choice("hyper", HYPER_MODES, d.hyper),
    )
    return scene, read.warnings
