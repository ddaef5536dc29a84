"""Analyses over many runs at once: saddle escapes, basin maps and hyperparameter sweeps.

Each is one batch of the runner (arrays shaped ``(N, 2)``), never a Python loop over
starts or settings, so a 200 × 200 map or a 60-value sweep costs about what a few
single runs cost.

Definitions:

* **Escape radius** r of a surface: a quarter of the domain's shorter side, but at
  most half the distance from any saddle to its nearest other critical point (saddle,
  local or global minimum, maximum: :func:`critical_points`), so that "within r" of
  one saddle never includes another critical point.
* A run **escapes** a saddle at the first step, after its closest approach, at which
  it is farther than r from it. A run whose distance never fell below r never came
  near (it has no escape step); a run still within r at its last step never left.
* **Near** a saddle: within r / 10 (the page counts the steps spent there).
* Started next to a saddle, a run escapes as above (:func:`escape_runs` follows every
  run until it converges or diverges, or the steps run out; leaving the divergence
  box counts as being farther than r). A run that diverges has *blown up*, not
  escaped, on a surface bounded below, and on one without a minimum when it leaves
  uphill (f at its last point above the saddle's): only a downhill exit is the way
  out there.
* **At** a saddle after N steps: within AT_SADDLE_TOL (0.01) of it at step N; *near*
  it: within r; otherwise the run has *left* it (:func:`saddle_outcomes`).
* **Left the view**: the first step outside the domain (basin maps and sweeps record
  it; leaving the divergence box counts, since the box contains the domain). Only a
  2-D surface has a view: a sweep over a network (D weights) does not record it.
"""

from __future__ import annotations

import functools
import math
import numbers
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from surfaces import Surface

from . import optimizers
from .optimizers import HYPERPARAMETERS, Hyperparams, Optimizer
from .optimizers import get as get_optimizer
from .runner import (
    MAX_START_NUMBERS,
    _check_batch_size,
    _check_delay,
    _check_noise,
    _check_start,
    _check_steps,
    _check_surface,
    _simulate,
    nearest_minimizer_distance,
    resolve_hyperparams,
    unavailable,
)

MAX_OFFSETS = 100_000
MAX_MAP_RESOLUTION = 200
MAX_SWEEP_SETTINGS = 40_000
NEAR_FRACTION = 0.1  # "near a saddle": within this fraction of the escape radius

Progress = Callable[[float], None]


# ---------------------------------------------------------------- saddles


@dataclass(frozen=True)
class CriticalPoints:
    """Every point of the domain where the gradient vanishes, found numerically."""

    points: np.ndarray  # (k, 2)
    kinds: tuple[str, ...]  # "minimum", "maximum" or "saddle" (by the Hessian's signs)


@functools.lru_cache(maxsize=32)
def _planar(surface, what: str) -> Surface:
    """The surface, checked to be 2-D: the saddle and basin analyses (and the critical
    points they use) work on a plane of starts; a network's D weights have no such
    picture (its sweeps and runs do work)."""
    surf = _check_surface(surface)
    if surf.dim != 2:
        raise ValueError(f"{what} works on 2-D surfaces (a grid or a saddle in the plane); "
                         f"{surf.title} has D = {surf.dim:,} coordinates: use run() or "
                         "sweep(), or optim_core.landscape for a network")  # fmt: skip
    return surf


def critical_points(surface: Surface, per_side: int = 41) -> CriticalPoints:
    """The critical points of ``surface`` in its domain: Newton's method on the
    gradient from a ``per_side`` × ``per_side`` grid of starts (one batch), kept where
    the gradient is below 1e-8, merged within 1e-6; the declared minimizers and
    saddles always among them. Surfaces declare only their global minima and their
    saddles; escape radii must also keep clear of local minima and maxima."""
    surface = _planar(surface, "critical_points")
    (x0, x1), (y0, y1) = surface.domain
    gx, gy = np.meshgrid(np.linspace(x0, x1, per_side), np.linspace(y0, y1, per_side))
    w = np.column_stack([gx.ravel(), gy.ravel()])
    with np.errstate(all="ignore"):
        for _ in range(60):
            g, h = surface.grad(w), surface.hessian(w)
            det = h[:, 0, 0] * h[:, 1, 1] - h[:, 0, 1] * h[:, 1, 0]
            step = np.column_stack([h[:, 1, 1] * g[:, 0] - h[:, 0, 1] * g[:, 1],
                                    h[:, 0, 0] * g[:, 1] - h[:, 1, 0] * g[:, 0]]) / det[:, None]
            w = np.where(np.isfinite(step).all(axis=1)[:, None], w - step, w)  # fmt: skip
        g = surface.grad(w)
        found = (
            np.isfinite(w).all(axis=1) & (np.hypot(g[:, 0], g[:, 1]) < 1e-8)
            & (w[:, 0] >= x0) & (w[:, 0] <= x1) & (w[:, 1] >= y0) & (w[:, 1] <= y1)
        )  # fmt: skip
    points: list[np.ndarray] = [p for p in surface.minimizers.reshape(-1, 2)]
    points += [p for p in surface.saddles.reshape(-1, 2)]
    for p in w[found]:
        if all(math.dist(p, q) > 1e-6 for q in points):
            points.append(p)
    array = np.array(points, dtype=float).reshape(-1, 2)
    kinds = []
    for p in array:
        low, high = np.linalg.eigvalsh(surface.hessian(p))
        kinds.append("minimum" if low > 0 else "maximum" if high < 0 else "saddle")
    return CriticalPoints(array, tuple(kinds))


def nearest_critical_distance(surface: Surface, point) -> float:
    """Distance from ``point`` to the nearest other critical point of the surface
    (inf if there is none)."""
    others = critical_points(_planar(surface, "nearest_critical_distance")).points
    gaps = np.hypot(*(others - np.asarray(point, dtype=float)).T)
    gaps = gaps[gaps > 1e-9]
    return float(gaps.min()) if len(gaps) else math.inf


def escape_radius(surface: Surface) -> float:
    """The default escape radius r of ``surface`` (see the module docstring)."""
    surface = _planar(surface, "escape_radius")
    (x0, x1), (y0, y1) = surface.domain
    radius = min(x1 - x0, y1 - y0) / 4
    for saddle in surface.saddles:
        radius = min(radius, nearest_critical_distance(surface, saddle) / 2)
    return radius


def saddle_index(surface: Surface, saddle) -> int:
    """The index in ``surface.saddles`` of ``saddle``: an index, or a point within 1e-9
    of a declared saddle. A ValueError lists the surface's saddles."""
    surface = _planar(surface, "saddle_index")
    declared = surface.saddles
    listing = ", ".join(f"({x:.6g}, {y:.6g})" for x, y in declared) or "none"
    if isinstance(saddle, numbers.Integral) and not isinstance(saddle, bool):
        if 0 <= saddle < len(declared):
            return int(saddle)
        raise ValueError(
            f"saddle index must be in [0, {len(declared) - 1}] for {surface.name}; "
            f"got {saddle!r} (its saddles: {listing})"
        )
    try:
        point = np.asarray(saddle, dtype=float).reshape(2)
    except (TypeError, ValueError):
        raise ValueError(f"saddle must be an index or a point (x, y); got {saddle!r}") from None
    if len(declared):
        gaps = np.hypot(*(declared - point).T)
        if gaps.min() <= 1e-9:
            return int(np.argmin(gaps))
    raise ValueError(
        f"saddle {point.tolist()} is not a saddle of {surface.name}; its saddles: {listing}"
    )


def unstable_direction(surface: Surface, saddle) -> np.ndarray | None:
    """Unit eigenvector of the Hessian's most negative eigenvalue at the saddle (the
    way out), or None where the Hessian has no negative eigenvalue (monkey saddle)."""
    surface = _planar(surface, "unstable_direction")
    point = surface.saddles[saddle_index(surface, saddle)]
    values, vectors = np.linalg.eigh(surface.hessian(point))
    if values[0] >= -1e-12:
        return None
    direction = vectors[:, 0]
    return direction * np.sign(direction[np.argmax(np.abs(direction))])


@dataclass(frozen=True)
class SaddleVisit:
    """How one run passed the saddles of its surface (steps are -1 where none)."""

    saddle: int  # index of the saddle it came closest to, -1 if the surface has none
    closest_distance: float  # inf if the surface has no saddle
    closest_step: int
    near_steps: int  # steps spent within NEAR_FRACTION * radius of that saddle
    escape_step: int  # first step after the closest approach farther than radius
    radius: float

    @property
    def came_near(self) -> bool:
        """Whether the run came within the escape radius of the saddle."""
        return self.closest_distance <= self.radius


def saddle_visit(surface: Surface, path: np.ndarray, radius: float | None = None) -> SaddleVisit:
    """The saddle a path ``(steps + 1, 2)`` came closest to, and how it left it."""
    surface = _planar(surface, "saddle_visit")
    radius = escape_radius(surface) if radius is None else _check_radius(radius)
    path = _check_path(path)
    if not len(surface.saddles):
        return SaddleVisit(-1, math.inf, -1, 0, -1, radius)
    distances = np.hypot(
        path[:, None, 0] - surface.saddles[None, :, 0],
        path[:, None, 1] - surface.saddles[None, :, 1],
    )  # (steps + 1, S)
    step, saddle = np.unravel_index(np.argmin(distances), distances.shape)
    to_saddle = distances[:, saddle]
    closest = float(to_saddle[step])
    escape = -1
    if closest <= radius:
        beyond = np.flatnonzero(to_saddle[step:] > radius)
        escape = int(step + beyond[0]) if len(beyond) else -1
    near = int(np.count_nonzero(to_saddle <= NEAR_FRACTION * radius))
    return SaddleVisit(int(saddle), closest, int(step), near, escape, radius)


def left_view_step(surface: Surface, path: np.ndarray) -> int:
    """The first step at which ``path`` ``(steps + 1, 2)`` is outside the surface's
    domain (the plotted view), -1 if it never is."""
    (x0, x1), (y0, y1) = _planar(surface, "left_view_step").domain
    path = _check_path(path)
    x, y = path[:, 0], path[:, 1]
    outside = np.flatnonzero(~((x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)))
    return int(outside[0]) if len(outside) else -1


def _check_path(path) -> np.ndarray:
    """A path ``(steps + 1, 2)`` of points, as a float array; a ValueError otherwise."""
    try:
        points = np.array(path, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"path must be numbers shaped (steps + 1, 2); got {path!r}") from None
    if points.ndim != 2 or points.shape[1] != 2 or len(points) == 0:
        raise ValueError(f"path must be shaped (steps + 1, 2), one point (x, y) a row; got "
                         f"shape {points.shape}")  # fmt: skip
    return points


def _left_view_watch(surface: Surface, left: np.ndarray, where: np.ndarray):
    """A runner watch that records in ``left`` (one entry per start, -1 to begin
    with) the first step at which each start is outside the domain, and in ``where``
    ``(n, 2)`` the point there. A start that leaves the divergence box is frozen
    inside it, so the watch does not see it leave: :func:`_left_view` completes the
    record with those."""
    (x0, x1), (y0, y1) = surface.domain

    def watch(block: slice, loop):
        mine, at = left[block], where[block]

        def check(w, t):
            x, y = w[:, 0], w[:, 1]
            # four reductions say whether any start is outside at all (usually none)
            if x.min() >= x0 and x.max() <= x1 and y.min() >= y0 and y.max() <= y1:
                return False
            out = (x < x0) | (x > x1) | (y < y0) | (y > y1)
            new = out & (mine < 0)
            if new.any():
                mine[new] = t
                at[new] = w[new]
            return False

        return check

    return watch


def _left_view(left, where, diverged, jumped_to) -> tuple[np.ndarray, np.ndarray]:
    """First step outside the domain and the point there: the watch's record, or, for
    a start frozen when it left the divergence box (which contains the domain) in one
    step, that step and the point the step reached."""
    frozen = (left < 0) & (diverged >= 0)
    return np.where(frozen, diverged, left), np.where(frozen[:, None], jumped_to, where)


def _downhill(surface: Surface, starts: np.ndarray, left: np.ndarray, where: np.ndarray):
    """Starts that left the view lower than they began (f at the exit below f at the
    start): on a surface without a minimum, running off downhill is the way out; a
    start that leaves uphill has blown up."""
    with np.errstate(all="ignore"):  # nan (overflow) is not downhill
        return (left >= 0) & (surface.f(where) < surface.f(starts))


def _check_radius(radius) -> float:
    ok = isinstance(radius, numbers.Real) and not isinstance(radius, bool)
    if not (ok and math.isfinite(radius) and radius > 0):
        raise ValueError(f"radius must be a finite number > 0; got {radius!r}")
    return float(radius)


@dataclass(frozen=True)
class Escapes:
    """How runs started next to a saddle got away; arrays are shaped like the offsets'
    batch (``(K,)``, or ``()`` for one offset)."""

    escape_step: np.ndarray  # first step beyond the radius after the closest approach
    diverged_step: np.ndarray  # the runner's divergence step, -1 for never
    converged_step: np.ndarray  # the runner's convergence step, -1 for never
    # diverged on a surface bounded below, or uphill on one without a minimum: it left
    # the saddle by blowing up, not by escaping
    blew_up: np.ndarray
    radius: float
    bounded_below: bool
    noise: tuple[float, float, int] | None = None  # (η, γ, seed) of the gradient noise


def escape_runs(
    optimizer,
    surface,
    saddle,
    offsets,
    steps: int,
    radius: float,
    *,
    convention: str | None = None,
    noise_eta: float | None = None,
    noise_gamma: float = 0.55,
    seed: int = 0,
    progress: Progress | None = None,
    **hyperparams: float | None,
) -> Escapes:
    """Run ``optimizer`` from ``saddle + offset`` for every offset (``(K, 2)`` or
    ``(2,)``) and report how each got away: its escape step (the first step, after
    its closest approach to the saddle, at which it is farther than ``radius``; -1 for
    never), and whether it blew up instead (see the module docstring).

    ``saddle`` is an index into ``surface.saddles`` or one of those points. Every
    offset must be non-zero (at a saddle the gradient is 0 and nothing moves) and
    shorter than ``radius``. All offsets are one batch, followed until every run has
    converged or diverged, or the steps run out; memory is O(K).

    ``noise_eta`` = η adds gradient noise N(0, σ_t² I), σ_t² = η / (1 + t)^γ
    (``noise_gamma``), to every gradient, as :func:`optim_core.run` does: each offset
    its own draws, the same ``seed`` the same escapes; η None or 0 is no noise.

    ``hyperparams`` are the optimizer's (lr, beta1, beta2, eps, weight_decay, memory,
    damping; any other name is refused) and ``convention`` is :func:`optim_core.run`'s.
    ``progress(fraction)`` is told the share done as it runs (an exception it raises
    stops the work).
    """
    opt = optimizers.get(optimizer, convention)
    surf = _planar(surface, "escape_runs")
    centre = surf.saddles[saddle_index(surf, saddle)]
    steps = _check_steps(steps)
    radius = _check_radius(radius)
    delta, batch_shape = _check_offsets(offsets, radius)
    starts = _check_start(centre + delta, surf)
    hp = resolve_hyperparams(opt, **hyperparams)
    noise = _check_noise(noise_eta, noise_gamma, seed)
    n = len(starts)
    escape = np.full(n, -1, dtype=np.int64)
    closest = np.hypot(delta[:, 0], delta[:, 1])  # the closest approach so far (step 0)
    cx, cy, r2 = float(centre[0]), float(centre[1]), radius * radius

    def watch(block: slice, loop):
        mine, near = escape[block], closest[block]

        def check(w, t):
            dx, dy = w[:, 0] - cx, w[:, 1] - cy
            d2 = dx * dx + dy * dy
            gone = loop.diverged_step >= 0  # left the box, which holds the r-ball
            closer = (np.sqrt(d2) < near) & ~gone
            near[closer] = np.sqrt(d2[closer])
            mine[closer] = -1  # came back closer than ever: any earlier exit is void
            out = ((d2 > r2) | gone) & (mine < 0)
            mine[out] = np.where(gone[out], loop.diverged_step[out], t)
            return bool(np.all(gone | (loop.converged_step >= 0)))

        check.reads_converged = True  # (the runner then finds arrivals at once)
        return check

    out = _simulate(opt, surf, hp, starts, steps, keep_path=False, watch=watch, noise=noise,
                    progress=progress)  # fmt: skip
    diverged = out.diverged_step
    with np.errstate(all="ignore"):  # where the diverging step went: not lower (or nan)
        uphill = ~(surf.f(out.diverged_point) < float(surf.f(centre)))
    blew_up = (diverged >= 0) & (surf.bounded_below | uphill)
    return Escapes(
        escape_step=escape.reshape(batch_shape),
        diverged_step=diverged.reshape(batch_shape),
        converged_step=out.converged_step.reshape(batch_shape),
        blew_up=blew_up.reshape(batch_shape),
        radius=radius,
        bounded_below=surf.bounded_below,
        noise=noise,
    )


def _check_offsets(offsets, radius: float) -> tuple[np.ndarray, tuple[int, ...]]:
    """Offsets from a saddle as ``(K, 2)`` floats, and the batch shape they were given
    in (``(K,)``, or ``()`` for one offset ``(2,)``): each non-zero, finite and shorter
    than ``radius``, at most MAX_OFFSETS of them; a ValueError otherwise."""
    try:
        delta = np.array(offsets, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"offsets must be numbers shaped (K, 2); got {offsets!r}") from None
    if delta.ndim not in (1, 2) or delta.shape[-1] != 2 or delta.size == 0:
        raise ValueError(f"offsets must be shaped (2,) or (K, 2), K >= 1; got {delta.shape}")
    batch_shape = delta.shape[:-1]
    delta = delta.reshape(-1, 2)
    if len(delta) > MAX_OFFSETS:
        raise ValueError(f"offsets holds {len(delta)} points; at most {MAX_OFFSETS} are allowed")
    sizes = np.hypot(delta[:, 0], delta[:, 1])
    if not np.all(np.isfinite(sizes)):
        raise ValueError("offsets must be finite")
    if np.any(sizes == 0):
        raise ValueError(
            "offsets must be non-zero: at the saddle itself the gradient is 0 and no "
            "optimizer moves; got an offset of exactly (0, 0)"
        )
    if np.any(sizes >= radius):
        raise ValueError(
            f"offsets must be shorter than the radius {radius:g}; got one of length {sizes.max():g}"
        )
    return delta, batch_shape


def escape_steps(
    optimizer,
    surface,
    saddle,
    offsets,
    steps: int,
    radius: float,
    *,
    convention: str | None = None,
    noise_eta: float | None = None,
    noise_gamma: float = 0.55,
    seed: int = 0,
    **hyperparams: float | None,
) -> np.ndarray:
    """The escape step of each offset, as :func:`escape_runs` gives it (-1 for never;
    a run that blew up has the step it left ``radius`` too: ``escape_runs`` says which
    did), with the same gradient noise."""
    out = escape_runs(optimizer, surface, saddle, offsets, steps, radius, convention=convention,
                      noise_eta=noise_eta, noise_gamma=noise_gamma, seed=seed,
                      **hyperparams)  # fmt: skip
    return out.escape_step


def offsets_along(direction, sizes) -> np.ndarray:
    """Offsets ``(K, 2)`` of the given lengths along a direction (an angle in radians
    or a vector)."""
    try:
        if np.ndim(direction) == 0:
            direction = (math.cos(direction), math.sin(direction))
        unit = np.array(direction, dtype=float)
        lengths = np.array(sizes, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"direction must be an angle or a vector (x, y) and sizes numbers; "
                         f"got {direction!r} and {sizes!r}") from None  # fmt: skip
    if unit.shape != (2,):
        raise ValueError(f"direction must be an angle or a vector (x, y); got shape {unit.shape}")
    norm = float(np.hypot(*unit))
    if not (math.isfinite(norm) and norm > 0):
        raise ValueError(f"direction must be a finite, non-zero vector; got {unit.tolist()}")
    if lengths.ndim != 1 or not np.all(np.isfinite(lengths)):
        raise ValueError(f"sizes must be a 1-D list of finite lengths; got {sizes!r}")
    return lengths[:, None] * (unit / norm)[None, :]


# ---------------------------------------------------------------- where runs end at a saddle

AT_SADDLE_TOL = 0.01  # "at" a saddle: within this distance of it at the last step


@dataclass(frozen=True)
class SaddleOutcome:
    """Where one optimizer's runs, started next to a saddle, are after ``steps`` steps;
    arrays are ``(K,)``, one entry per offset (empty where it did not run: ``skipped``
    says why).

    A start is *at* the saddle when it is within ``at_tolerance`` of it at the last
    step, *near* it when within ``radius`` (and not at it), and has *left* it otherwise
    (farther than ``radius``, or diverged: out of the divergence box, which holds the
    r-ball). A run whose block of starts had all converged to a minimizer or diverged
    was stopped there: its distance is the one at that step (a converged start is
    within 0.01 of a minimizer, farther than r from any saddle)."""

    optimizer: str
    saddle: np.ndarray  # (2,) the saddle's point
    steps: int
    radius: float
    at_tolerance: float
    distance: np.ndarray  # from the saddle at the last step
    diverged: np.ndarray  # left the divergence box (bool)
    # diverged on a surface bounded below, or uphill on one without a minimum (bool)
    blew_up: np.ndarray
    converged: np.ndarray  # reached a minimizer and stayed (the runner's; bool)
    # the run stopped because a line search failed (the state's ``failed``): the start
    # stays where it was from then on (bool; all False for a method without one)
    stopped: np.ndarray
    skipped: str = ""  # why the optimizer did not run here ("" when it ran)

    @property
    def at(self) -> np.ndarray:
        return ~self.diverged & (self.distance <= self.at_tolerance)

    @property
    def near(self) -> np.ndarray:
        return ~self.diverged & (self.distance > self.at_tolerance) & (self.distance <= self.radius)

    @property
    def left(self) -> np.ndarray:
        return ~self.at & ~self.near

    def share(self, which: str) -> float:
        """The fraction of the starts that are ``which`` ("at", "near", "left", or one
        of the boolean fields: "stopped", "blew_up", …); nan where it did not run."""
        mask = getattr(self, which)
        return float(np.mean(mask)) if len(mask) else math.nan


def saddle_outcomes(
    optimizers,
    surface,
    saddle,
    offsets,
    steps: int,
    radius: float | None = None,
    *,
    at_tolerance: float = AT_SADDLE_TOL,
    hyperparams: Mapping[str, Mapping[str, float]] | None = None,
    convention: str | None = None,
    progress: Progress | None = None,
) -> dict[str, SaddleOutcome]:
    """Run each of ``optimizers`` from ``saddle + offset`` for every offset (``(K, 2)``)
    for ``steps`` steps and say where each start is then: at the saddle (within
    ``at_tolerance``), near it (within ``radius``, by default the surface's escape
    radius), or gone (see :class:`SaddleOutcome`). One batch of K starts per optimizer;
    memory O(K).

    ``saddle`` is an index into ``surface.saddles`` or one of those points; the offsets
    are checked as :func:`escape_runs` checks them. ``hyperparams`` maps an optimizer's
    name to its values (any it leaves out: its defaults). An optimizer the runner
    refuses on a surface that is not a sum of squares (Gauss–Newton and
    Levenberg–Marquardt need ``surface.residuals``) is not run: its outcome is empty and
    ``skipped`` holds the runner's reason. ``progress(fraction)`` is told the share done
    (an exception it raises stops the work).
    """
    surf = _planar(surface, "saddle_outcomes")
    centre = surf.saddles[saddle_index(surf, saddle)]
    steps = _check_steps(steps)
    radius = escape_radius(surf) if radius is None else _check_radius(radius)
    tolerance = _check_radius(at_tolerance)
    if tolerance >= radius:
        raise ValueError(
            f"at_tolerance must be smaller than the radius {radius:g}; got {at_tolerance!r}"
        )
    delta, _ = _check_offsets(offsets, radius)
    starts = _check_start(centre + delta, surf)
    if isinstance(optimizers, (str, Optimizer)):
        optimizers = [optimizers]
    chosen = [get_optimizer(o, convention) for o in optimizers]
    hyperparams = {} if hyperparams is None else hyperparams
    unknown = [name for name in hyperparams if name not in {o.name for o in chosen}]
    if unknown:
        raise ValueError(f"hyperparams names {unknown[0]!r}, which is not among the "
                         f"optimizers {[o.name for o in chosen]}")  # fmt: skip
    values = {o.name: resolve_hyperparams(o, **dict(hyperparams.get(o.name, {}))) for o in chosen}
    empty = np.zeros(0, dtype=bool)
    results = {}
    for i, opt in enumerate(chosen):
        hp = values[opt.name]
        refusal = unavailable(opt, surf)  # (Gauss–Newton, LM off a sum of squares)
        if refusal:
            results[opt.name] = SaddleOutcome(opt.name, centre, steps, radius, tolerance,
                                              np.zeros(0), empty, empty, empty, empty,
                                              skipped=refusal)  # fmt: skip
            continue
        part = None if progress is None else (
            lambda fraction, i=i: progress((i + fraction) / len(chosen)))  # fmt: skip
        out = _simulate(opt, surf, hp, starts, steps, keep_path=False, watch=_until_settled,
                        progress=part)  # fmt: skip
        distance = np.hypot(out.final[:, 0] - centre[0], out.final[:, 1] - centre[1])
        diverged = out.diverged_step >= 0
        with np.errstate(all="ignore"):  # where the diverging step went: not lower (or nan)
            uphill = ~(surf.f(out.diverged_point) < float(surf.f(centre)))
        failed = out.final_state.get("failed")  # (the line-search methods' flag)
        stopped = np.zeros(len(starts), dtype=bool) if failed is None else failed > 0
        results[opt.name] = SaddleOutcome(
            optimizer=opt.name,
            saddle=centre,
            steps=steps,
            radius=radius,
            at_tolerance=tolerance,
            distance=distance,
            diverged=diverged,
            blew_up=diverged & (surf.bounded_below | uphill),
            converged=(out.converged_step >= 0) & ~diverged,
            stopped=stopped,
        )
    if progress is not None:
        progress(1.0)
    return results


def _until_settled(block: slice, loop):
    """A runner watch that stops a block once every start in it has converged to a
    minimizer or diverged (as :func:`escape_runs` stops): each is then farther than r
    from every saddle, so more steps would not change its outcome."""

    def check(w, t):
        return bool(np.all((loop.converged_step >= 0) | (loop.diverged_step >= 0)))

    check.reads_converged = True  # (the runner then finds arrivals at once)
    return check


# ---------------------------------------------------------------- basin maps


@dataclass(frozen=True)
class BasinMap:
    """Outcome of a grid of starts over the domain; arrays are ``(resolution, resolution)``
    with rows along y and columns along x (``x[j], y[i]`` is cell ``[i, j]``)."""

    optimizer: str
    surface: Surface
    hyperparams: dict[str, float]
    steps: int
    x: np.ndarray  # (resolution,)
    y: np.ndarray  # (resolution,)
    final: np.ndarray  # (resolution, resolution, 2)
    minimizer_index: np.ndarray  # index into surface.minimizers, -1 for none
    converged_step: np.ndarray  # -1 for never
    diverged_step: np.ndarray  # -1 for never
    left_view_step: np.ndarray  # first step outside the domain, -1 for never
    left_downhill: np.ndarray  # left the view with f below its start's

    @property
    def ran_off(self) -> np.ndarray:
        """Starts that got away: diverged on a surface bounded below; on one without a
        minimum, left the view downhill (the way out there)."""
        if self.surface.bounded_below:
            return self.diverged_step >= 0
        return self.left_downhill

    @property
    def blew_up_uphill(self) -> np.ndarray:
        """On a surface without a minimum, starts that left the view uphill."""
        if self.surface.bounded_below:
            return np.zeros(self.left_view_step.shape, dtype=bool)
        return (self.left_view_step >= 0) & ~self.left_downhill

    @property
    def stalled(self) -> np.ndarray:
        """Neither reached a minimizer nor got away (nor blew up) within the steps."""
        return (self.minimizer_index < 0) & ~self.ran_off & ~self.blew_up_uphill


def basin_map(
    optimizer,
    surface,
    resolution: int,
    steps: int,
    *,
    convention: str | None = None,
    progress: Progress | None = None,
    **hyperparams: float | None,
) -> BasinMap:
    """Run ``optimizer`` from every point of a ``resolution × resolution`` grid over the
    domain and report where each start ended.

    A start *reached* minimizer i when it converged (the runner's definition) and did
    not diverge: ``minimizer_index`` is then the minimizer nearest its final point.
    ``progress(fraction)`` is told the share done as it runs. ``hyperparams`` and
    ``convention`` are :func:`optim_core.run`'s (any other name is refused).
    """
    opt = optimizers.get(optimizer, convention)
    surf = _planar(surface, "basin_map")
    if (
        not isinstance(resolution, numbers.Integral)
        or isinstance(resolution, bool)
        or not 2 <= resolution <= MAX_MAP_RESOLUTION
    ):
        raise ValueError(
            f"resolution must be an integer in [2, {MAX_MAP_RESOLUTION}]; got {resolution!r}"
        )
    steps = _check_steps(steps)
    hp = resolve_hyperparams(opt, **hyperparams)
    (x0, x1), (y0, y1) = surf.domain
    x, y = np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution)
    starts = np.stack(np.meshgrid(x, y), -1).reshape(-1, 2)
    n = len(starts)
    left = np.full(n, -1, dtype=np.int64)
    where = np.full((n, 2), np.nan)
    # one batch (the runner steps it in blocks of starts and reports its progress)
    out = _simulate(opt, surf, hp, starts, steps, keep_path=False,
                    watch=_left_view_watch(surf, left, where), progress=progress)  # fmt: skip
    final, converged, diverged = out.final, out.converged_step, out.diverged_step
    jumped_to = out.diverged_point
    left, where = _left_view(left, where, diverged, jumped_to)
    index = np.full(n, -1, dtype=np.int64)
    reached = (converged >= 0) & (diverged < 0)
    if len(surf.minimizers) and reached.any():
        gaps = np.hypot(
            final[reached, None, 0] - surf.minimizers[None, :, 0],
            final[reached, None, 1] - surf.minimizers[None, :, 1],
        )
        index[reached] = np.argmin(gaps, axis=1)
    shape = (resolution, resolution)
    return BasinMap(
        optimizer=opt.name,
        surface=surf,
        hyperparams={k: v for k, v in hp._asdict().items() if k in opt.hyperparams},
        steps=steps,
        x=x,
        y=y,
        final=final.reshape(*shape, 2),
        minimizer_index=index.reshape(shape),
        converged_step=converged.reshape(shape),
        diverged_step=diverged.reshape(shape),
        left_view_step=left.reshape(shape),
        left_downhill=_downhill(surf, starts, left, where).reshape(shape),
    )


# ---------------------------------------------------------------- sweeps


@dataclass(frozen=True)
class Sweep:
    """Outcome of one start under every setting of a grid; arrays are shaped like the
    grid, one axis per hyperparameter in ``names``' order.

    On a network (``surface.dim`` = D ≠ 2) there is no view: ``left_view_step`` is -1
    and ``left_downhill`` False in every cell, meaning *not applicable*, not "stayed in
    view" (a run that blows up shows in ``diverged_step``); ``final_distance`` is inf
    (no minimizer is known) and ``converged_step`` -1."""

    optimizer: str
    surface: Surface
    steps: int
    start: np.ndarray
    names: tuple[str, ...]
    values: tuple[np.ndarray, ...]  # the grid's values, one array per name
    final_loss: np.ndarray
    final_distance: np.ndarray  # to the nearest minimizer (inf if none)
    converged_step: np.ndarray
    diverged_step: np.ndarray
    left_view_step: np.ndarray  # first step outside the domain, -1 for never (or D ≠ 2)
    left_downhill: np.ndarray  # left the view with f below the start's (False if D ≠ 2)


def sweep(
    optimizer,
    surface,
    start,
    steps: int,
    grid: Mapping[str, object],
    *,
    convention: str | None = None,
    progress: Progress | None = None,
    batch_size: int | None = None,
    seed: int = 0,
    delay: int | None = None,
    delay_max: int | None = None,
    **hyperparams: float | None,
) -> Sweep:
    """Run ``optimizer`` from ``start`` under every combination of the values in
    ``grid`` (one or two hyperparameter names mapped to 1-D arrays); the other
    hyperparameters are ``hyperparams`` or the optimizer's defaults. ``batch_size`` and
    ``seed``: mini-batches as :func:`optim_core.run` takes them (every setting the same
    batches); a cell is then that run.

    Every setting is a row of one batch. At most ``MAX_SWEEP_SETTINGS`` settings.
    ``hyperparams`` and ``convention`` are :func:`optim_core.run`'s (any other name is
    refused). ``progress(fraction)`` is told the share done as it runs.

    ``surface`` is a name, a :class:`~surfaces.Surface` or a network
    (:func:`surfaces.network`, or its ``.surface``), and ``start`` one point: (x, y), or
    a network's D weights ``(D,)``. Each cell's final loss, converged and diverged steps
    are those of :func:`optim_core.run` with that setting. "Left the view" (the first
    step outside the plotted domain) has no meaning beyond 2-D: on a network
    ``left_view_step`` is -1 and ``left_downhill`` False everywhere, *not applicable*
    (see :class:`Sweep`); ``diverged_step`` tells a run that blew up.
    """
    opt = optimizers.get(optimizer, convention)
    surf = _check_surface(surface)
    steps = _check_steps(steps)
    point = np.asarray(_check_start(start, surf), dtype=float)
    D = surf.dim
    if point.shape != (D,):
        raise ValueError(f"start must be one point (x, y); got shape {point.shape}" if D == 2
                         else f"start must be one point of the D = {D} weights of "
                         f"{surf.title}, shaped ({D},); got shape {point.shape}")  # fmt: skip
    if not isinstance(grid, Mapping) or not 1 <= len(grid) <= 2:
        raise ValueError(f"grid must map one or two hyperparameter names to values; got {grid!r}")
    names = tuple(grid)
    values = []
    for name in names:
        if name not in HYPERPARAMETERS or name not in opt.hyperparams:
            raise ValueError(
                f"grid name {name!r} is not a hyperparameter of {opt.name}; "
                f"it uses {list(opt.hyperparams)}"
            )
        if hyperparams.get(name) is not None:
            raise ValueError(f"{name} is given both in grid and as a fixed value")
        try:
            column = np.array(grid[name], dtype=float)
        except (TypeError, ValueError):
            raise ValueError(f"grid[{name!r}] must be numbers; got {grid[name]!r}") from None
        if column.ndim > 1:
            raise ValueError(f"grid[{name!r}] must be a 1-D list of values (a second "
                             f"hyperparameter is a second name in grid); got an array "
                             f"shaped {column.shape}")  # fmt: skip
        column = column.reshape(-1)
        if column.size == 0:
            raise ValueError(f"grid[{name!r}] must hold at least one value")
        for value in column:  # the same rules as a single run's
            resolve_hyperparams(opt, **{name: float(value)})
        values.append(column)
    shape = tuple(len(v) for v in values)
    count = int(np.prod(shape))
    if count > MAX_SWEEP_SETTINGS:
        raise ValueError(
            f"the grid holds {count} settings; at most {MAX_SWEEP_SETTINGS} are allowed"
        )
    if count * D > MAX_START_NUMBERS:  # (a network: the runner's cap on N starts of D)
        raise ValueError(f"the grid holds {count} settings of a start of D = {D:,} weights, "
                         f"settings x D = {count * D:,} numbers; at most "
                         f"{MAX_START_NUMBERS:,} are allowed")  # fmt: skip
    fixed = resolve_hyperparams(opt, **hyperparams)
    batches = _check_batch_size(batch_size, surf, seed)
    refusal = unavailable(opt, surf, batches=batches is not None)  # (Gauss–Newton, LM …)
    if refusal:
        raise ValueError(refusal)
    delays = _check_delay(delay, delay_max, opt, seed)
    mesh = np.meshgrid(*values, indexing="ij")
    per_start = {name: m.reshape(-1, 1) for name, m in zip(names, mesh, strict=True)}
    hp = Hyperparams(**{**fixed._asdict(), **per_start})
    starts = np.tile(point, (count, 1))
    if D == 2:
        left, where = np.full(count, -1, dtype=np.int64), np.full((count, 2), np.nan)
        out = _simulate(opt, surf, hp, starts, steps, keep_path=False,
                        watch=_left_view_watch(surf, left, where), batches=batches,
                        progress=progress, delays=delays)  # fmt: skip
        left, where = _left_view(left, where, out.diverged_step, out.diverged_point)
        downhill = _downhill(surf, starts, left, where)
    else:  # no view beyond 2-D: "left the view" is not applicable (-1, False)
        out = _simulate(opt, surf, hp, starts, steps, keep_path=False, batches=batches,
                        progress=progress, delays=delays)  # fmt: skip
        left, downhill = np.full(count, -1, dtype=np.int64), np.zeros(count, dtype=bool)
    return Sweep(
        optimizer=opt.name,
        surface=surf,
        steps=steps,
        start=point,
        names=names,
        values=tuple(values),
        final_loss=surf.f(out.final).reshape(shape),
        final_distance=nearest_minimizer_distance(surf, out.final).reshape(shape),
        converged_step=out.converged_step.reshape(shape),
        diverged_step=out.diverged_step.reshape(shape),
        left_view_step=left.reshape(shape),
        left_downhill=downhill.reshape(shape),
    )


def divergence_threshold(values: np.ndarray, diverged_step: np.ndarray) -> float:
    """The smallest value of a 1-D sweep from which every larger value diverges
    (nan if the largest value does not diverge)."""
    values, steps = np.asarray(values, dtype=float), np.asarray(diverged_step)
    if values.ndim != 1 or steps.shape != values.shape:
        raise ValueError(f"values and diverged_step must be 1-D and of one length; got shapes "
                         f"{values.shape} and {steps.shape}")  # fmt: skip
    if not np.all(np.isfinite(values)):
        raise ValueError(f"values must be finite; got {float(values[~np.isfinite(values)][0])!r}")
    if np.any(np.diff(values) <= 0):
        raise ValueError("values must increase (a 1-D sweep's grid, smallest first)")
    diverged = steps >= 0
    if not len(diverged) or not diverged[-1]:
        return math.nan
    stable = np.flatnonzero(~diverged)
    first = stable[-1] + 1 if len(stable) else 0
    return float(np.asarray(values)[first])


__all__ = [
    "AT_SADDLE_TOL",
    "MAX_MAP_RESOLUTION",
    "MAX_OFFSETS",
    "MAX_SWEEP_SETTINGS",
    "NEAR_FRACTION",
    "BasinMap",
    "Escapes",
    "SaddleOutcome",
    "SaddleVisit",
    "Sweep",
    "basin_map",
    "divergence_threshold",
    "CriticalPoints",
    "critical_points",
    "escape_radius",
    "escape_runs",
    "escape_steps",
    "left_view_step",
    "nearest_critical_distance",
    "offsets_along",
    "saddle_index",
    "saddle_outcomes",
    "saddle_visit",
    "sweep",
    "unstable_direction",
]
