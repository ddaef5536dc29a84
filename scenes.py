"""What the page shows, as plain data: a scene, the presets, and links that encode one.

A :class:`Scene` is the whole configuration of the page (surface, start, optimizers,
hyperparameters, steps, speed). Links carry it in query parameters; every value read
from a link is checked, and a bad one is replaced by its default with a warning that
names it, so a tampered link never breaks the page. Nothing here imports Streamlit.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import optim_core
import surfaces

MAX_PAGE_STEPS = 2000
SPEEDS = (0.25, 0.5, 1.0, 2.0, 4.0)
DEFAULT_OPTIMIZERS = ("sgd", "momentum", "nag", "rmsprop", "adam")

# The page's slider ranges: (low, high) and whether the slider is logarithmic.
HYPER_RANGES: dict[str, tuple[float, float, bool]] = {
    "lr": (1e-5, 10.0, True),
    "beta1": (0.0, 0.999, False),
    "beta2": (0.0, 0.9999, False),
    "eps": (1e-12, 1.0, True),
}
HYPER_LABELS = {"lr": "α (lr)", "beta1": "β₁", "beta2": "β₂", "eps": "ε"}


def log_grid(low: float, high: float, mantissas=(1, 2, 5)) -> list[float]:
    """Round values from ``low`` to ``high``: 1, 2, 5 per decade (exact decimal floats)."""
    values = []
    for exponent in range(math.floor(math.log10(low)), math.ceil(math.log10(high)) + 1):
        for mantissa in mantissas:
            value = float(f"{mantissa}e{exponent}")
            if low <= value <= high:
                values.append(value)
    return values


SLIDER_VALUES = {
    "lr": log_grid(1e-5, 10.0, (1, 2, 3, 5)),
    "eps": log_grid(1e-12, 1.0, (1,)),
}


@dataclass
class Scene:
    surface: str = "beale"
    optimizers: tuple[str, ...] = DEFAULT_OPTIMIZERS
    start: tuple[float, float] | None = None  # None: the surface's default start
    steps: int = 300
    # Per optimizer, the values of the hyperparameters it uses (missing: its default).
    hyper: dict[str, dict[str, float]] = field(default_factory=dict)
    same_for_all: bool = False
    shared: dict[str, float] = field(default_factory=dict)  # used when same_for_all
    speed: float = 1.0

    def start_point(self) -> tuple[float, float]:
        if self.start is not None:
            return self.start
        x, y = surfaces.get(self.surface).default_start
        return float(x), float(y)

    def hyperparams(self, name: str) -> dict[str, float]:
        """The values ``name`` runs with: every hyperparameter it uses, resolved."""
        opt = optim_core.get_optimizer(name)
        given = self.shared if self.same_for_all else self.hyper.get(name, {})
        return {h: float(given.get(h, opt.defaults[h])) for h in opt.hyperparams}


def shared_defaults() -> dict[str, float]:
    """Starting values of the "same values for all" sliders: Adam's."""
    return dict(optim_core.get_optimizer("adam").defaults)


# ---------------------------------------------------------------- presets


def _preset(surface, optimizers, start, steps, hyper=None, **kw) -> Scene:
    return Scene(surface, tuple(optimizers), start, steps, hyper or {}, **kw)


PRESETS: dict[str, Scene] = {
    "Beale: momentum overshoots": _preset(
        "beale", ["sgd", "momentum", "nag"], (1.0, 1.4), 400,
        {"sgd": {"lr": 0.01}, "momentum": {"lr": 0.05, "beta1": 0.95},
         "nag": {"lr": 0.05, "beta1": 0.95}},
    ),
    "Saddle: who escapes first": _preset(
        "saddle", ["sgd", "momentum", "rmsprop", "adam", "adagrad"], (-1.5, 1e-3), 150,
        {"sgd": {"lr": 0.05}, "momentum": {"lr": 0.05}, "rmsprop": {"lr": 0.05},
         "adam": {"lr": 0.05}, "adagrad": {"lr": 0.2}},
    ),
    "Rosenbrock's curved valley": _preset(
        "rosenbrock", ["sgd", "momentum", "adam", "nadam"], (-1.5, 2.0), 1000,
        {"sgd": {"lr": 1e-3}, "momentum": {"lr": 2e-3}, "adam": {"lr": 0.05},
         "nadam": {"lr": 0.05}},
    ),
    "Ravine: SGD zig-zags, momentum glides": _preset(
        "ravine", ["sgd", "momentum"], (-9.0, 1.0), 200,
        {"sgd": {"lr": 0.18}, "momentum": {"lr": 0.5, "beta1": 0.8}},
    ),
    "AdaGrad's shrinking steps": _preset(
        "booth", ["adagrad", "rmsprop", "adam"], (-8.0, 8.0), 300,
        {"adagrad": {"lr": 0.5}, "rmsprop": {"lr": 0.1}, "adam": {"lr": 0.1}},
    ),
}  # fmt: skip


# ---------------------------------------------------------------- links


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(text)
    return value


def to_query(scene: Scene) -> dict[str, str]:
    """Query parameters that reproduce ``scene`` exactly (floats by their shortest repr)."""
    x, y = scene.start_point()
    query = {
        "surface": scene.surface,
        "opt": ",".join(scene.optimizers),
        "start": f"{x!r},{y!r}",
        "steps": str(scene.steps),
        "speed": repr(float(scene.speed)),
    }
    if scene.same_for_all:
        query["same"] = "1"
        for h, value in scene.shared.items():
            query[f"all.{h}"] = repr(float(value))
    else:
        for name in scene.optimizers:
            for h, value in scene.hyperparams(name).items():
                query[f"{name}.{h}"] = repr(value)
    return query


def from_query(params: Mapping[str, str]) -> tuple[Scene, list[str]]:
    """The scene a link describes, and a warning for every value that had to be replaced."""
    warnings: list[str] = []
    default = Scene()
    params = {k: (v[-1] if isinstance(v, list) else v) for k, v in params.items()}

    surface = params.get("surface", default.surface)
    if surface not in surfaces.names():
        warnings.append(
            f"Unknown surface {surface!r} in the link; showing {default.surface}. "
            f"Valid: {', '.join(surfaces.names())}."
        )
        surface = default.surface
    surf = surfaces.get(surface)

    optimizers = default.optimizers
    if "opt" in params:
        asked = [o.strip() for o in params["opt"].split(",") if o.strip()]
        known = [o for o in asked if o in optim_core.OPTIMIZERS]
        for bad in (o for o in asked if o not in optim_core.OPTIMIZERS):
            warnings.append(
                f"Unknown optimizer {bad!r} in the link was left out. "
                f"Valid: {', '.join(optim_core.optimizer_names())}."
            )
        # An empty list is a real choice (the page then asks for one); only a list of
        # unknown names falls back to the default optimizers.
        optimizers = tuple(dict.fromkeys(known)) if known or not asked else default.optimizers
        if asked and not known:
            warnings[-1] += (
                " The link selects no known optimizer ('opt'); showing the default ones."
            )

    steps = default.steps
    if "steps" in params:
        try:
            steps = int(params["steps"])
            if not 1 <= steps <= MAX_PAGE_STEPS:
                raise ValueError
        except ValueError:
            warnings.append(
                f"steps = {params['steps']!r} in the link is not an integer in "
                f"[1, {MAX_PAGE_STEPS}]; using {default.steps}."
            )
            steps = default.steps

    start = None
    if "start" in params:
        (x0, x1), (y0, y1) = surf.domain
        try:
            x, y = (_float(v) for v in params["start"].split(","))
            if not (x0 <= x <= x1 and y0 <= y <= y1):
                raise ValueError
            start = (x, y)
        except ValueError:
            warnings.append(
                f"start = {params['start']!r} in the link is not a point of the "
                f"{surf.title} domain x in [{x0:g}, {x1:g}], y in [{y0:g}, {y1:g}]; "
                "using the surface's default start."
            )

    speed = default.speed
    if "speed" in params:
        try:
            speed = _float(params["speed"])
            if speed not in SPEEDS:
                raise ValueError
        except ValueError:
            warnings.append(
                f"speed = {params['speed']!r} in the link is not one of "
                f"{', '.join(f'{s:g}' for s in SPEEDS)}; using 1."
            )
            speed = default.speed

    def read_hyper(prefix: str, names) -> dict[str, float]:
        values = {}
        for h in names:
            key = f"{prefix}.{h}"
            if key not in params:
                continue
            low, high, _ = HYPER_RANGES[h]
            try:
                value = _float(params[key])
                if not low <= value <= high:
                    raise ValueError
                values[h] = value
            except ValueError:
                warnings.append(
                    f"{key} = {params[key]!r} in the link is not a number in "
                    f"[{low:g}, {high:g}]; using the default."
                )
        return values

    hyper = {
        name: read_hyper(name, optim_core.get_optimizer(name).hyperparams) for name in optimizers
    }
    same = params.get("same", "0") == "1"
    shared = {**shared_defaults(), **read_hyper("all", optim_core.HYPERPARAMETERS)}
    scene = Scene(surface, optimizers, start, steps, hyper, same, shared, speed)
    return scene, warnings
