"""The saddle-escape page as plain data: its scene and link, the radii it offers, and
the seeds' claims with their verdicts."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

import optim_core
import surfaces

from .shared import (
    CAPS,
    ESCAPE_DIRECTIONS,
    HYPER_MODES,
    MAX_ESCAPE_STEPS,
    MAX_RANDOM_OFFSETS,
    MAX_SEED,
    NOISE_GAMMA,
    NOISE_VALUES,
    OFFSET_VALUES,
    SADDLE_SURFACES,
    LinkReader,
    literal,
    log_grid,
    lr_range,
)

MIN_ESCAPE_RADIUS = 1e-6
CLAIM_STEPS = (40, 200, 1000)  # the steps N "the seed's claim, measured" offers


MAX_RADIUS_FRACTION = 0.9


def max_escape_radius(surface: str, saddle: int) -> float:
    """The largest escape radius the page offers at a saddle: 0.9 of the distance to
    the nearest other critical point (minimum, maximum or saddle, local ones too), so
    that a run arriving there is farther than r (at exactly that distance a converged
    run would never count as escaped), and at most half the domain's shorter side."""
    surf = surfaces.get(surface)
    (x0, x1), (y0, y1) = surf.domain
    limit = min(x1 - x0, y1 - y0) / 2
    gap = optim_core.nearest_critical_distance(surf, surf.saddles[saddle])
    return float(min(limit, MAX_RADIUS_FRACTION * gap))


def radius_values(surface: str, saddle: int, current: float | None = None) -> list[float]:
    """The escape radius slider's values at a saddle: 1, 2, 5 per decade from
    MIN_ESCAPE_RADIUS up to the largest allowed, that largest, the surface's own r and
    ``current`` (a value from a link stays exact)."""
    high = max_escape_radius(surface, saddle)
    values = set(log_grid(MIN_ESCAPE_RADIUS, high)) | {high}
    values.add(min(optim_core.escape_radius(surfaces.get(surface)), high))
    if current is not None and MIN_ESCAPE_RADIUS <= current <= high:
        values.add(float(current))
    return sorted(values)


@dataclass
class EscapeScene:
    """The saddle-escape page: a saddle, offsets from it, the optimizers and one α."""

    surface: str = "saddle"
    saddle: int = 0
    optimizers: tuple[str, ...] = ("sgd", "momentum", "nag", "adagrad", "adadelta", "rmsprop")
    offset: float = 1e-5  # |δ|, the distance of the start from the saddle
    direction: str = "unstable"  # along the unstable direction, at an angle, or random
    angle: float = 90.0  # degrees, used when direction == "angle"
    count: int = 200  # random offsets, used when direction == "random"
    radius: float | None = None  # None: the surface's escape radius
    steps: int = 5000
    lr: float = 0.05  # one α for every optimizer that has one, when hyper == "same"
    hyper: str = "same"  # one α for all, each optimizer's defaults, or the race's values
    # gradient noise N(0, σ_t² I), σ_t² = η/(1 + t)^γ: η = noise (0: none), γ, seed (the
    # last two are kept at their defaults while the noise is off)
    noise: float = 0.0
    noise_gamma: float = NOISE_GAMMA
    seed: int = 0
    # "the seed's claim, measured" (every saddle, CLAIM_DIRECTIONS starts δ away): its
    # steps N and its own δ (the sidebar's would re-run all of it at every change)
    claim_steps: int = 200
    claim_offset: float = 1e-5

    def escape_radius(self) -> float:
        if self.radius is not None:
            return self.radius
        return optim_core.escape_radius(surfaces.get(self.surface))


def escape_to_query(scene: EscapeScene) -> dict[str, str]:
    query = {
        "surface": scene.surface, "saddle": str(scene.saddle),
        "opt": ",".join(scene.optimizers), "offset": repr(scene.offset),
        "dir": scene.direction, "steps": str(scene.steps), "lr": repr(scene.lr),
        "hyper": scene.hyper, "claim_steps": str(scene.claim_steps),
        "claim_offset": repr(scene.claim_offset),
    }  # fmt: skip
    if scene.direction == "angle":
        query["angle"] = repr(scene.angle)
    if scene.direction == "random":
        query["count"] = str(scene.count)
    if scene.radius is not None:
        query["r"] = repr(scene.radius)
    if scene.noise > 0:
        query["noise"] = repr(scene.noise)
        query["noise_gamma"] = repr(scene.noise_gamma)
        query["seed"] = str(scene.seed)
    return query


def _escape_noise(read: LinkReader, d: EscapeScene) -> tuple[float, float, int]:
    """η, γ and the seed of the gradient noise from an escape link: η one of
    NOISE_VALUES (another η in range becomes the nearest, with a warning); γ and the
    seed are read only when η > 0, and said to be unused otherwise."""
    noise = read.number("noise", 0.0, NOISE_VALUES[-1], d.noise)
    if noise == 0:
        for key in ("noise_gamma", "seed"):
            if key in read.params:
                read.warnings.append(
                    f"{key} = {literal(read.params[key])} in the link is not used while "
                    "the gradient noise is off (noise = 0)."
                )
        return 0.0, d.noise_gamma, d.seed
    if noise not in NOISE_VALUES:
        nearest = min(NOISE_VALUES[1:], key=lambda o: abs(math.log(o / noise)))
        read.warnings.append(
            f"noise = {literal(read.params['noise'])} in the link is not one of the slider's "
            f"values; using the nearest, {nearest:g}."
        )
        noise = nearest
    gamma = read.number("noise_gamma", 0.0, 1.0, d.noise_gamma)
    seed = read.number("seed", 0, MAX_SEED, d.seed, integer=True)
    return noise, gamma, seed


def escape_from_query(params: Mapping[str, str]) -> tuple[EscapeScene, list[str]]:
    read, d = LinkReader(params), EscapeScene()
    surface = read.choice("surface", SADDLE_SURFACES, d.surface)
    surf = surfaces.get(surface)
    saddle = read.number("saddle", 0, len(surf.saddles) - 1, 0, integer=True)
    default_r = optim_core.escape_radius(surf)
    radius = read.number("r", MIN_ESCAPE_RADIUS, max_escape_radius(surface, saddle), None,
                         shown=f"the surface's r = {default_r:.4g}")  # fmt: skip
    offset = read.option("offset", OFFSET_VALUES, d.offset)
    if radius is not None and offset >= radius:
        read.warnings.append(
            f"offset = {offset:g} in the link is not shorter than r = {radius:g}; "
            f"using the surface's r = {default_r:.4g}."
        )
        radius = None
    scene = EscapeScene(
        surface=surface,
        saddle=saddle,
        optimizers=read.optimizers("opt", d.optimizers),
        offset=offset,
        direction=read.choice("dir", ESCAPE_DIRECTIONS, d.direction),
        angle=read.number("angle", 0.0, 360.0, d.angle),
        count=read.number("count", 1, MAX_RANDOM_OFFSETS, d.count, integer=True,
                          cap=CAPS["escape.count"]),
        radius=radius,
        steps=read.number("steps", 1, MAX_ESCAPE_STEPS, d.steps, integer=True,
                          cap=CAPS["escape.steps"]),
        lr=read.number("lr", *lr_range(), d.lr),
        hyper=read.choice("hyper", HYPER_MODES, d.hyper),
    )
    scene.noise, scene.noise_gamma, scene.seed = _escape_noise(read, d)
    scene.claim_steps = int(read.option("claim_steps", CLAIM_STEPS, d.claim_steps))
    scene.claim_offset = read.option("claim_offset", OFFSET_VALUES, d.claim_offset)
    return scene, read.warnings


@dataclass(frozen=True)
class Claim:
    """A claim about saddles, and the scene that tests it: the claim holds when every
    optimizer in ``faster`` escapes before every one in ``slower``."""

    text: str
    scene: EscapeScene
    faster: tuple[str, ...]
    slower: tuple[str, ...]


_SEED_SIX = ("sgd", "momentum", "nag", "adagrad", "adadelta", "rmsprop")
ESCAPE_CLAIMS: dict[str, Claim] = {
    "The seed's claim, one α for all": Claim(
        "AdaGrad, Adadelta and RMSprop head down the negative slope at once, while SGD, "
        "Momentum and NAG have a hard time breaking the symmetry.",
        EscapeScene("saddle", 0, _SEED_SIX, 1e-6, lr=0.05, steps=5000),
        ("adagrad", "adadelta", "rmsprop"), ("sgd", "momentum", "nag"),
    ),
    "Each at its own default α": Claim(
        "Adaptive methods escape before SGD — here each optimizer runs with its own "
        "default values, as a library would give them.",
        EscapeScene("saddle", 0, ("sgd", "adagrad", "rmsprop", "adam"), 1e-3,
                    hyper="defaults", steps=5000),
        ("adagrad", "rmsprop", "adam"), ("sgd",),
    ),
    "One small α: AdaGrad's shrinking steps": Claim(
        "Adaptive methods escape before SGD, Momentum and NAG — at one small α of 0.01.",
        EscapeScene("saddle", 0, ("sgd", "momentum", "nag", "adagrad", "rmsprop", "adam"),
                    1e-3, lr=0.01, steps=5000),
        ("adagrad", "rmsprop", "adam"), ("sgd", "momentum", "nag"),
    ),
    "Beale's saddle": Claim(
        "Adaptive methods escape before SGD — at Beale's saddle (0, 1), α 0.05.",
        EscapeScene("beale", 0, ("sgd", "adagrad", "rmsprop", "adam"), 1e-5, lr=0.05,
                    steps=5000),
        ("adagrad", "rmsprop", "adam"), ("sgd",),
    ),
    "The flat monkey saddle": Claim(
        "On a degenerate saddle (zero Hessian) plain gradient steps stall while adaptive "
        "methods get away — α 0.01, starting 10⁻⁵ down a valley.",
        EscapeScene("monkey_saddle", 0, ("sgd", "momentum", "adagrad", "rmsprop", "adam"),
                    1e-5, direction="angle", angle=180.0, lr=0.01, steps=20_000),
        ("adagrad", "rmsprop", "adam"), ("sgd", "momentum"),
    ),
    "The flat monkey saddle, 10× closer": Claim(
        "The same claim one decade closer to the degenerate saddle (δ = 10⁻⁶): once the "
        "squared gradient is far below ε, AdaGrad and RMSprop (ε inside the root) take "
        "plain gradient steps too.",
        EscapeScene("monkey_saddle", 0, ("sgd", "momentum", "adagrad", "rmsprop", "adam"),
                    1e-6, direction="angle", angle=180.0, lr=0.01, steps=20_000),
        ("adagrad", "rmsprop", "adam"), ("sgd", "momentum"),
    ),
}  # fmt: skip


def claim_verdict(claim: Claim, escapes: Mapping[str, int]) -> tuple[bool, str]:
    """Whether the claim holds for these escape steps (-1: never), and why not."""

    def key(name):
        step = escapes[name]
        return math.inf if step < 0 else step

    def shown(name):
        step = escapes[name]
        return f"{optim_core.get_optimizer(name).title} ({'never' if step < 0 else step})"

    slowest = max(claim.faster, key=key)
    fastest = min(claim.slower, key=key)
    if key(slowest) < key(fastest):
        return True, f"Holds here: the slowest of them, {shown(slowest)}, beats {shown(fastest)}."
    if key(slowest) == key(fastest) == math.inf:
        a, b = (optim_core.get_optimizer(n).title for n in (slowest, fastest))
        return False, (f"Not shown here: neither {a} nor {b} escapes within these steps, so "
                       "there is no race between them to win.")  # fmt: skip
    return False, (
        f"Does not hold here: {shown(slowest)} escapes no sooner than {shown(fastest)}."
    )


# ---------------------------------------------------------------- the seed's claim, measured

SEED_CLAIM = ("Second order derivatives are said to better optimizer as they don't settle "
              "in saddle points.")  # (the seed on second-order optimization, verbatim)
# The second-order family the seed and issue 20 name, in that order: those in the
# registry are measured (Gauss–Newton, Levenberg–Marquardt and L-BFGS join when they
# are registered), with SGD and Adam beside them.
SECOND_ORDER = ("newton", "saddle_free_newton", "gauss_newton", "levenberg_marquardt", "bfgs",
                "lbfgs", "cg")  # fmt: skip
BESIDE = ("sgd", "adam")
CLAIM_DIRECTIONS = 200  # starts per saddle: the page's random directions, seed 0


def claim_methods() -> tuple[str, ...]:
    """The methods the measurement runs: the registered second-order ones, then BESIDE."""
    registered = optim_core.optimizer_names()
    return tuple(n for n in SECOND_ORDER if n in registered) + BESIDE


def every_saddle() -> list[tuple[str, int]]:
    """(surface, index) for every saddle the surfaces declare."""
    return [(name, i) for name in SADDLE_SURFACES for i in range(len(surfaces.get(name).saddles))]


def random_offsets(size: float, count: int) -> np.ndarray:
    """``count`` offsets ``(count, 2)`` of length ``size`` in the page's random directions
    (uniform angles from seed 0: the same link, the same offsets)."""
    angles = np.random.default_rng(0).uniform(0, 2 * np.pi, count)
    return size * np.column_stack([np.cos(angles), np.sin(angles)])


def claim_hyperparams(name: str, page_values: Mapping[str, float]) -> dict[str, float]:
    """What ``name`` runs with in the measurement: a second-order method its own
    defaults (Newton's full step α = 1, the line searches: the methods the seed means),
    SGD and Adam ``page_values`` (the page's α)."""
    if name in SECOND_ORDER:
        return dict(optim_core.get_optimizer(name).defaults)
    return dict(page_values)


def percent(fraction: float) -> str:
    """100 %, 96 %, 0.4 %, 0.03 %, 99.97 %, 0 %: whole numbers from 1 to 99, and enough
    decimals below 1 and above 99 never to round to 0 or 100 what is neither."""
    value = 100 * fraction
    if value in (0, 100) or 1 <= value <= 99:
        return f"{value:.0f} %"
    gap = round(min(value, 100 - value), 9)  # its distance from 0 or 100
    decimals = max(1, -math.floor(math.log10(gap)))
    return f"{value:.{decimals}f} %"


def claim_verdicts(outcomes: Mapping[str, Sequence[optim_core.SaddleOutcome]],
                   steps: int) -> dict[str, str]:  # fmt: skip
    """One sentence per method, in numbers: of all its starts (every saddle it ran at),
    the share at the saddle at step ``steps`` (and how far, and how many of those a
    failed line search stopped), near it, and gone (and where to)."""
    verdicts = {}
    for name, per_saddle in outcomes.items():
        ran = [o for o in per_saddle if not o.skipped]
        title = optim_core.get_optimizer(name).title
        if not ran:
            verdicts[name] = f"{title}: not run at any saddle ({per_saddle[0].skipped})."
            continue

        def joined(field, ran=ran):
            return np.concatenate([getattr(o, field) for o in ran])

        at, near, left = joined("at"), joined("near"), joined("left")
        distance, stopped = joined("distance"), joined("stopped")
        tolerance = ran[0].at_tolerance
        text = (f"{title}: {percent(at.mean())} of the starts within {tolerance:g} of their "
                f"saddle at step {steps}")  # fmt: skip
        if at.any():
            text += f" (median distance {np.median(distance[at]):.1g}"
            if stopped[at].any():
                share = "all" if stopped[at].all() else percent(stopped[at].mean())
                text += (f"; {share} of them stopped there by a failed line search, which "
                         "ends a run where it stands")  # fmt: skip
            text += ")"
        text += f", {percent(near.mean())} near it (within r), {percent(left.mean())} gone"
        if left.any():
            converged, diverged = joined("converged"), joined("diverged")
            blew_up = joined("blew_up")
            stopped_away = left & stopped & ~converged & ~diverged
            gone = {
                "at a minimum": converged,
                "blew up": blew_up,
                "ran off downhill": diverged & ~blew_up,
                "stopped by a failed line search on the way": stopped_away,
                "elsewhere": left & ~converged & ~diverged & ~stopped_away,
            }
            parts = [f"{percent(mask.sum() / left.sum())} {what}" for what, mask in gone.items()
                     if mask.any()]  # fmt: skip
            text += f" (of those, {', '.join(parts)})"
        if len(ran) < len(per_saddle):
            skipped = next(o.skipped for o in per_saddle if o.skipped)
            text += (f"; run at {len(ran)} of the {len(per_saddle)} saddles, skipped where the "
                     f"surface is not a sum of squares ({skipped})")  # fmt: skip
        verdicts[name] = text + "."
    return verdicts


def claim_table(outcomes: Mapping[tuple[str, int], Mapping[str, optim_core.SaddleOutcome]]
                ) -> list[dict[str, str]]:  # fmt: skip
    """One row per saddle: its surface and point, and for each method the shares of its
    starts at · near · gone ("—" where it was skipped; "(k stopped)": k of those at the
    saddle were stopped there by a failed line search)."""
    rows = []
    for (surface, index), by_method in outcomes.items():
        x, y = surfaces.get(surface).saddles[index]
        row = {"surface": surfaces.get(surface).title, "saddle": f"({x:.3g}, {y:.3g})"}
        for name, out in by_method.items():
            title = optim_core.get_optimizer(name).title
            if out.skipped:
                row[title] = "—"
                continue
            cell = " · ".join(f"{100 * out.share(k):.0f}" for k in ("at", "near", "left"))
            stopped = int(np.count_nonzero(out.stopped & out.at))
            row[title] = cell + (f" ({stopped} stopped)" if stopped else "")
        rows.append(row)
    return rows
