"""The Hogwild! section of the Workers page as plain data: its values, their ranges and
its part of the page's link (query keys ``hw_…``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from optim_core.workers import MAX_WORKERS

from .shared import LinkReader

HOGWILD_LRS = (0.001, 0.002, 0.005, 0.01, 0.02, 0.03, 0.05, 0.1)  # α: the slider's values
HOGWILD_DENSITY = (0.0, 1.0, 0.05)  # the sparse data's density: low, high, step
HOGWILD_STEPS = (100, 20_000, 100)  # the gradients used in all: low, high, step
HOGWILD_SEEDS = (0, 99)


@dataclass(frozen=True)
class HogwildScene:
    """K workers, the sparse data's density (the dense data is density 1), α, the
    gradients used in all (K a round: ⌊steps/K⌋ rounds) and the seed of the examples and
    of the writes' order."""

    workers: int = 4  # (within 11 % of serial SGD sparse; the caption says why not at 16)
    density: float = 0.0
    lr: float = 0.01
    steps: int = 4000
    seed: int = 0


def hogwild_to_query(scene: HogwildScene) -> dict[str, str]:
    return {"hw_k": str(scene.workers), "hw_density": f"{scene.density:g}",
            "hw_lr": f"{scene.lr:g}", "hw_steps": str(scene.steps), "hw_seed": str(scene.seed)}


def hogwild_from_query(params: Mapping[str, str]) -> tuple[HogwildScene, list[str]]:
    """The section's scene from a link's ``hw_…`` keys (the others are the page's), each
    bad value named in a warning and replaced by its default."""
    read, d = LinkReader({k: v for k, v in params.items() if k.startswith("hw_")}), HogwildScene()
    low, high, step = HOGWILD_DENSITY
    density = read.number("hw_density", low, high, d.density)
    density = round(round(density / step) * step, 2)  # onto the slider's grid
    scene = HogwildScene(
        workers=read.number("hw_k", 1, MAX_WORKERS, d.workers, integer=True),
        density=density,
        lr=read.option("hw_lr", HOGWILD_LRS, d.lr),
        steps=read.number("hw_steps", *HOGWILD_STEPS[:2], d.steps, integer=True),
        seed=read.number("hw_seed", *HOGWILD_SEEDS, d.seed, integer=True),
    )
    return scene, read.warnings


__all__ = ["HOGWILD_DENSITY", "HOGWILD_LRS", "HOGWILD_SEEDS", "HOGWILD_STEPS", "HogwildScene",
           "hogwild_from_query", "hogwild_to_query"]
