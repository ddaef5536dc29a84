"""Run an optimizer on a surface from one start point or many at once.

The loop over steps is the only Python loop: every operation inside it acts on all
start points together (arrays shaped ``(N, 2)``, or ``(N, D)`` on a surface of D
coordinates: a network's weights), so N starts cost about as much as
a few, and give exactly the numbers N separate runs give (beyond 2-D, BFGS's batched
D × D products round differently: ~1e-8 after 60 steps on a network).

Definitions the results rely on:

* **Diverged** — decided by what the run does, not by one step outside a box. The
  *divergence box* is the surface's domain scaled by ``DIVERGENCE_FACTOR`` about its
  centre. A run has diverged when its point becomes non-finite, or leaves the *far
  box* (``FAR_FACTOR`` × the domain), or is outside the divergence box at its last step
  and still growing there (the farthest point of that excursion came within the last
  ``max(GROWING_WINDOW, steps // 10)`` steps). Its ``diverged_step`` k is the first
  step of its last excursion outside the divergence box (for a run that grows steadily,
  the step it left the box), ``diverged_point`` the point there. A run that leaves the
  divergence box and comes back (heavy ball near its stability limit swings out and
  decays), or is outside at the end but shrinking, has not diverged. A start that
  becomes non-finite or leaves the far box is frozen: it keeps its last point there
  (and its optimizer state) for the remaining steps; nothing is printed or raised.
* **Within tolerance** at step k: the point is within ``CONVERGED_DIST_TOL`` of a
  global minimizer and the gradient norm there is at most ``CONVERGED_GRAD_TOL``.
  ``first_converged_step`` is the first such k.
* **Converged** at step k: within tolerance at step k, and within
  ``CONVERGED_DIST_TOL`` of that minimizer at every later step. A run that comes
  close and then leaves (or diverges) has not converged (``converged_step`` -1, or
  the step of a later arrival that stays). Surfaces without minimizers never converge.
* Steps that never happened are reported as -1.
* **A network** (a Surface with ``divergence="loss"``, :func:`surfaces.network`) has
  diverged when its loss ends above its loss at the start, or leaves the finite
  numbers: its ``diverged_step`` is the first step of that last stretch above the start's
  loss. On separable data a run that keeps lowering the loss grows its weights without
  bound: not divergence. Only non-finite weights, or weights beyond the far box (10⁴
  times its domain, ±10⁹), stop a run there (frozen, and diverged).
"""

from __future__ import annotations

import difflib
import math
import numbers
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

import surfaces
from surfaces import Surface

from . import optimizers
from .batches import Order, as_order, batch_indices
from .optimizers import CHOICES, HYPERPARAMETERS, Buffers, Hyperparams, Optimizer
from .schedules import Schedule

MAX_STEPS = 100_000
MAX_STARTS = 1_000_000
MAX_START_NUMBERS = 2 * MAX_STARTS  # N·D: a million 2-D starts, or 1,000 of D = 2,000
MAX_PATH_POINTS = 20_000_000  # N·(steps + 1) with record="path": about 1 GB of arrays
# and the numbers kept in all (point, loss, gradient and the optimizer's state at every
# step): 1.6 GB. An L-BFGS state with m = 100 holds ~600 numbers a step, Adam's 4.
MAX_PATH_NUMBERS = 200_000_000
DIVERGENCE_FACTOR = 10.0
FAR_FACTOR = 10_000.0  # the far box: beyond it (or non-finite) a run has diverged at once
GROWING_WINDOW = 10  # "still growing": its farthest point within the last max(10, steps/10)
CONVERGED_DIST_TOL = 1e-2
CONVERGED_GRAD_TOL = 1e-2
_CHUNK_POINTS = 1_000_000  # points per block when convergence is checked after the loop
# Starts are stepped in blocks whose arrays stay in cache (the steps write into
# preallocated buffers, so no temporary is allocated per step; larger blocks spend
# less time in Python per particle, smaller ones fit the cache: 16,384 measured best
# with bench/core.py). Results are elementwise, so blocking changes no number.
_BLOCK_STARTS = 16384
PROGRESS_EVERY = 64  # steps between progress reports (see _simulate)

RecordMode = Literal["path", "points", "final"]


@dataclass(frozen=True, eq=False)
class Trajectory:
    """The result of :func:`run`. ``B`` below is the batch shape: ``()`` for one start
    shaped ``(2,)``, ``(N,)`` for starts shaped ``(N, 2)``.

    With ``record="path"``: ``path`` ``(steps + 1, *B, 2)`` (row 0 is the start),
    ``loss`` ``(steps + 1, *B)``, ``grads`` ``(steps, *B, 2)`` where ``grads[k]`` is the
    gradient that moved ``path[k]`` to ``path[k + 1]`` (for NAG: taken at the look-ahead
    point), and ``state[name]`` ``(steps + 1, *B, 2)`` for each optimizer state field
    (``(steps + 1, *B)`` for a number per start, such as a line search's step length;
    ``(steps + 1, *B, 2, 2)`` for a matrix; row 0 is the initial state). An update rule
    reads f as ``grad.f`` (a line search) and the Hessian as ``grad.hessian``. With
    ``record="final"`` these are ``None`` and
    ``{}``. Always: ``final_point`` ``(*B, 2)``, ``final_loss`` ``(*B)``,
    ``converged_step``, ``first_converged_step`` and ``diverged_step`` ``(*B)``
    integers, -1 where it never happened (see the module docstring).
    """

    optimizer: str
    surface: Surface
    hyperparams: dict[str, float]
    steps: int
    start: np.ndarray
    final_point: np.ndarray
    final_loss: np.ndarray
    converged_step: np.ndarray
    diverged_step: np.ndarray
    first_converged_step: np.ndarray | None = None
    # (*B, 2): the point a diverging step reached, outside the box (nan where none): the
    # path stays frozen at the last point inside
    diverged_point: np.ndarray | None = None
    path: np.ndarray | None = None
    loss: np.ndarray | None = None
    grads: np.ndarray | None = None
    state: dict[str, np.ndarray] = field(default_factory=dict)
    convention: str = "cheatsheet"  # whose update rules ran: "cheatsheet" or "pytorch"
    schedule: Schedule | None = None  # α at step t was α·schedule(t)
    noise: tuple[float, float, int] | None = None  # (η, γ, seed) of the gradient noise
    batch: tuple[int, int] | None = None  # (B, seed) of mini-batches; None: full gradient
    order: Order | None = None  # how the batches were drawn (None: full gradient)
    # (τ, τ_max, seed) of stale gradients: a fixed delay τ or each step's from 0 … τ_max
    delay: tuple[int | None, int | None, int] | None = None
    # the examples each step's batch held, (steps,) index arrays, when the path was kept
    taken: tuple[np.ndarray, ...] | None = None
    # (steps + 1, *B): the validation loss along the path, when the data hold examples out
    # (DataSet.val_loss) and the path was kept
    val_loss: np.ndarray | None = None
    # (steps, *B): the α each step used, when a schedule watched the loss (plateau) and
    # the path was kept; None otherwise (α at step t is then α·schedule(t))
    lr_used: np.ndarray | None = None

    @property
    def diverged(self) -> np.ndarray:
        return self.diverged_step >= 0

    @property
    def converged(self) -> np.ndarray:
        return self.converged_step >= 0

    def __repr__(self) -> str:
        batch = self.start.shape[:-1]
        starts = f"{batch[0]} starts" if batch else f"start {self.start.tolist()}"
        return (
            f"Trajectory({self.optimizer} on {self.surface.name}, {starts}, {self.steps} steps, "
            f"{'path' if self.path is not None else 'final'} recorded)"
        )

    def distance_to_minimizer(self) -> np.ndarray:
        """Distance from the final point to the nearest global minimizer (inf if none)."""
        return nearest_minimizer_distance(self.surface, self.final_point)


def divergence_box(surface: Surface) -> tuple[np.ndarray, np.ndarray]:
    """``(low, high)`` corners of the box outside which a point counts as diverged."""
    domain = np.asarray(surface.domain, dtype=float)
    centre = domain.mean(axis=1)
    half = (domain[:, 1] - domain[:, 0]) / 2 * DIVERGENCE_FACTOR
    return centre - half, centre + half


def nearest_minimizer_distance(surface: Surface, points: np.ndarray) -> np.ndarray:
    """Distance from each point ``(..., 2)`` to the nearest global minimizer (inf if none)."""
    return np.sqrt(_squared_distance(surface.minimizers, np.asarray(points, dtype=float)))


def _nearest_minimizer(minimizers: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Index of the nearest minimizer to each point ``(k, 2)``."""
    gaps = [(points[:, 0] - mx) ** 2 + (points[:, 1] - my) ** 2 for mx, my in minimizers]
    return np.argmin(np.stack(gaps), axis=0)


def _squared_distance(minimizers: np.ndarray, points: np.ndarray) -> np.ndarray:
    # Coordinate by coordinate: reductions over a length-2 axis are slow in NumPy.
    x, y = points[..., 0], points[..., 1]
    best = np.full(points.shape[:-1], np.inf)
    for mx, my in minimizers:
        dx, dy = x - mx, y - my
        np.minimum(best, dx * dx + dy * dy, out=best)
    return best


# ---------------------------------------------------------------- validation


def _check_real(name: str, value, valid, rule: str) -> float:
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
    if not (ok and math.isfinite(value) and valid(float(value))):
        raise ValueError(f"{name} must be {rule}; got {value!r}")
    return float(value)


_RULES = {
    "lr": (lambda v: v > 0, "a finite number > 0"),
    "beta1": (lambda v: 0 <= v < 1, "a number in [0, 1)"),
    "beta2": (lambda v: 0 <= v < 1, "a number in [0, 1)"),
    "eps": (lambda v: v >= 0, "a finite number >= 0"),
    "weight_decay": (lambda v: v >= 0, "a finite number >= 0"),
    "memory": (lambda v: v == int(v) and 1 <= v <= 100, "a whole number in [1, 100]"),
    "damping": (lambda v: v > 0, "a finite number > 0"),
    "c1": (lambda v: 0 < v < 1, "a number in (0, 1)"),
    "c2": (lambda v: 0 < v < 1, "a number in (0, 1)"),
    "shrink": (lambda v: 0 < v < 1, "a number in (0, 1)"),
    "beta3": (lambda v: 0 <= v < 1, "a number in [0, 1)"),
    "mix": (lambda v: v >= 0, "a finite number >= 0"),
    "warmup": (lambda v: v == int(v) and 0 <= v <= MAX_STEPS,
               f"a whole number in [0, {MAX_STEPS}]"),
    "lr_power": (lambda v: v >= 0, "a finite number >= 0"),
    "d0": (lambda v: v > 0, "a finite number > 0"),
    "clip": (lambda v: v > 0, "a finite number > 0"),
    "every": (lambda v: v == int(v) and 1 <= v <= 1000, "a whole number in [1, 1000]"),
    "eps2": (lambda v: v >= 0, "a finite number >= 0"),
    "decay": (lambda v: 0 < v <= 1, "a number in (0, 1]"),
    "ns_steps": (lambda v: v == int(v) and 1 <= v <= 20, "a whole number in [1, 20]"),
}


def resolve_hyperparams(optimizer: Optimizer, **given: float | None) -> Hyperparams:
    """Fill the hyperparameters left at None with the optimizer's defaults and check them.

    Passing a hyperparameter the optimizer does not use is an error, so that a typo
    or a misunderstanding (an α for Adadelta) is never silently ignored.
    """
    unknown = [name for name in given if name not in HYPERPARAMETERS]
    if unknown:
        name = unknown[0]
        close = (difflib.get_close_matches(name, optimizer.hyperparams, n=1, cutoff=0.5)
                 or difflib.get_close_matches(name, HYPERPARAMETERS, n=1))  # fmt: skip
        hint = f" (did you mean {close[0]}?)" if close else ""
        raise ValueError(
            f"{name}={given[name]!r} is not a hyperparameter{hint}; the hyperparameters are "
            f"{', '.join(HYPERPARAMETERS)}, and {optimizer.name} uses "
            f"{', '.join(optimizer.hyperparams) or 'none'}"
        )
    values = {}
    for name in HYPERPARAMETERS:
        value = given.get(name)
        if name not in optimizer.hyperparams:
            if value is not None:
                why = (" (its line search chooses the step length)"
                       if name == "lr" and "c2" in optimizer.hyperparams else "")  # fmt: skip
                raise ValueError(
                    f"{name} is not a hyperparameter of {optimizer.name}{why}; "
                    + (f"it uses {list(optimizer.hyperparams)}" if optimizer.hyperparams else
                       "it takes none")
                )
            continue
        value = optimizer.defaults[name] if value is None else value
        if name in CHOICES:
            if not isinstance(value, str) or value not in CHOICES[name]:
                raise ValueError(f"{name} must be one of {list(CHOICES[name])}; got {value!r}")
            values[name] = value
            continue
        values[name] = _check_real(name, value, *_RULES[name])
    if optimizer.check is not None:  # what the ranges can't say (optim_core.methods)
        optimizer.check(values)
    return Hyperparams(**values)


def _check_steps(steps) -> int:
    if (
        not isinstance(steps, numbers.Integral)
        or isinstance(steps, bool)
        or not (1 <= steps <= MAX_STEPS)
    ):
        raise ValueError(f"steps must be an integer in [1, {MAX_STEPS}]; got {steps!r}")
    return int(steps)


def _check_start(start, surface: Surface) -> np.ndarray:
    D = surface.dim
    try:
        points = np.array(start, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"start must be numbers shaped ({D},) or (N, {D}); got "
                         f"{_short(start)}") from None  # fmt: skip
    if points.ndim == 2 and points.shape == (0, D):
        raise ValueError(f"start must hold at least one point; got shape (0, {D})")
    if points.ndim not in (1, 2) or points.shape[-1] != D:
        raise ValueError(f"start must be shaped ({D},) or (N, {D}) on {surface.name}; got "
                         f"shape {points.shape}")  # fmt: skip
    if points.ndim == 2 and len(points) > MAX_STARTS:
        raise ValueError(f"start holds {len(points)} points; at most {MAX_STARTS} are allowed")
    if points.size > MAX_START_NUMBERS:
        raise ValueError(f"start holds N x D = {len(points)} x {D} = {points.size:,} numbers; "
                         f"at most {MAX_START_NUMBERS:,} are allowed")  # fmt: skip
    if not np.all(np.isfinite(points)):
        bad = points.reshape(-1, D)[~np.all(np.isfinite(points.reshape(-1, D)), axis=1)][0]
        raise ValueError(f"start must be finite; got the point {_short(bad.tolist())}")
    low, high = divergence_box(surface)
    outside = ~np.all((points >= low) & (points <= high), axis=-1)
    if np.any(outside):
        bad = points.reshape(-1, D)[outside.reshape(-1)][0]
        if D == 2:
            raise ValueError(
                f"start must lie in the box x in [{low[0]:g}, {high[0]:g}], "
                f"y in [{low[1]:g}, {high[1]:g}] ({DIVERGENCE_FACTOR:g} x the "
                f"{surface.name} domain); got the point {bad.tolist()}"
            )
        i = int(np.flatnonzero((bad < low) | (bad > high))[0])
        raise ValueError(
            f"start must lie in the box of {DIVERGENCE_FACTOR:g} x the {surface.name} "
            f"domain, coordinate {i} in [{low[i]:g}, {high[i]:g}]; got {bad[i]:g} there"
        )
    return points


def _short(value) -> str:
    """``repr(value)``, cut for a message (a network's start has thousands of numbers)."""
    text = repr(value)
    return text if len(text) <= 120 else text[:100] + " … " + text[-12:]


def _check_noise(noise_eta, noise_gamma, seed) -> tuple[float, float, int] | None:
    """``(η, γ, seed)`` of the gradient noise, or None for none (η None or 0); γ and
    the seed are checked only when η is given."""
    if noise_eta is None:
        return None
    eta = _check_real("noise_eta", noise_eta, lambda v: v >= 0, "a finite number >= 0")
    gamma = _check_real("noise_gamma", noise_gamma, lambda v: v >= 0, "a finite number >= 0")
    seed = _check_seed(seed)
    return (eta, gamma, seed) if eta > 0 else None


def _check_seed(seed) -> int:
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"seed must be an integer >= 0; got {seed!r}")
    return int(seed)


_RESHUFFLE = Order()


def _check_batch_size(batch_size, surface: Surface, seed: int,
                      order: Order = _RESHUFFLE) -> tuple[int, int] | None:  # fmt: skip
    """(B, seed) for mini-batches, or None for the full gradient (no batch size, or B = n
    in an order that takes all the data every step)."""
    if batch_size is None:
        if order.kind != "reshuffle":
            raise ValueError(f"order {order.kind!r} orders the mini-batches: give a "
                             "batch_size")  # fmt: skip
        return None
    seed = _check_seed(seed)
    if surface.data is None:
        raise ValueError(
            f"batch_size: {surface.name} is not a data surface (its loss is not a mean over "
            f"examples); only {', '.join(surfaces.data_names())} take a batch size"
        )
    n = surface.data.n
    if (isinstance(batch_size, bool) or not isinstance(batch_size, numbers.Integral)
            or not 1 <= batch_size <= n):  # fmt: skip
        raise ValueError(f"batch_size must be an integer in [1, {n}] (n, the examples of "
                         f"{surface.name}); got {batch_size!r}")  # fmt: skip
    return (int(batch_size), int(seed)) if batch_size < n or order.staged else None


MAX_DELAY = 100  # steps of staleness


def first_order(opt: Optimizer) -> bool:
    """Whether ``opt`` steps with one gradient at its parameters (no Hessian, residuals
    or line search): the optimizers that take stale gradients."""
    return not opt.needs and not {"c1", "memory", "line_search"} & set(opt.hyperparams)


def _check_delay(delay, delay_max, opt: Optimizer, seed) -> tuple | None:
    """(τ, τ_max, seed) of stale gradients, or None for fresh ones (τ = 0 included)."""
    if delay is not None and delay_max is not None:
        raise ValueError("give delay (a fixed τ) or delay_max (a random τ a step), not both")
    for name, value in (("delay", delay), ("delay_max", delay_max)):
        if value is not None and (isinstance(value, bool) or not isinstance(
                value, numbers.Integral) or not 0 <= value <= MAX_DELAY):  # fmt: skip
            raise ValueError(f"{name} must be an integer in [0, {MAX_DELAY}]; got {value!r}")
    if not delay and not delay_max:
        return None
    if not first_order(opt):
        raise ValueError(f"delay: {opt.title} is not a first-order method that steps with one "
                         "gradient at its parameters (it needs a Hessian, residuals or a line "
                         "search); stale gradients are for the first-order optimizers")
    return (int(delay) if delay else None, int(delay_max) if delay_max else None,
            _check_seed(seed))


def _order_data(order: Order, surface: Surface, points: np.ndarray) -> dict:
    """What :func:`batch_indices` needs for ``order`` from the surface's data."""
    data = surface.data
    if order.kind == "sorted":
        if data.arrival is None:
            raise ValueError(f"order 'sorted': {surface.name}'s data has no arrival order")
        return {"arrival": data.arrival}
    if not order.staged:
        return {}
    if order.difficulty == "boundary":
        if data.hardness is None:
            raise ValueError(f"order {order.kind!r}: difficulty 'boundary' needs a fit of all "
                             f"the data; {surface.name} has none (use difficulty 'start')")
        return {"difficulty": data.hardness}
    if data.example_loss is None:
        raise ValueError(f"order {order.kind!r}: {surface.name}'s data has no loss per example")
    with np.errstate(all="ignore"):
        return {"difficulty": data.example_loss(points.reshape(-1, surface.dim)[0])}


def unavailable(optimizer: str | Optimizer, surface: str | Surface, *, noise: bool = False,
                batches: bool = False, convention: str | None = None,
                delay: bool = False) -> str | None:  # fmt: skip
    """Why ``optimizer`` cannot run on ``surface`` (with gradient noise, with
    mini-batches), in words; None when it can. Gauss–Newton and Levenberg–Marquardt
    need a sum of squares that declares its residuals and their Jacobian, and take
    them whole: no noisy or mini-batch gradients."""
    opt = optimizers.get(optimizer, convention)
    surf = _check_surface(surface)
    if "residuals" in opt.needs:
        if surf.residuals is None:
            those = ", ".join(surfaces.get(n).title for n in surfaces.residual_names())
            return (f"{opt.title} needs a sum of squares f = Σ rₖ(w)² that declares its "
                    f"residuals r and their Jacobian J; {surf.title} does not (those that "
                    f"do: {those})")  # fmt: skip
        if noise:
            return (f"{opt.title} steps with the residuals r and their Jacobian J, not "
                    f"with a gradient: gradient noise does not apply to it")  # fmt: skip
        if batches:
            return (f"{opt.title} steps with all the residuals at once: it takes no "
                    f"mini-batches")  # fmt: skip
    if delay and not first_order(opt):
        return (f"{opt.title} is not a first-order method that steps with one gradient at "
                "its parameters (it needs a Hessian, residuals or a line search): stale "
                "gradients are for the first-order optimizers")  # fmt: skip
    if "hessian" in opt.needs and surf.dim > surfaces.MAX_HESSIAN_D:
        return (f"{opt.title} solves with the exact D × D Hessian every step; {surf.title} "
                f"has D = {surf.dim:,} weights, above {surfaces.MAX_HESSIAN_D:,}")  # fmt: skip
    return None


def _check_surface(surface) -> Surface:
    if isinstance(surface, Surface):
        if surface.dim != 2 and len(surface.minimizers):
            raise ValueError(f"{surface.name}: a surface of D = {surface.dim} coordinates "
                             "with minimizers is not supported (convergence is checked in "
                             "the plane); declare none, as a network does")  # fmt: skip
        return surface
    if isinstance(surface, surfaces.NetworkSurface):
        return surface.surface
    return surfaces.get(surface)


# ---------------------------------------------------------------- the run


def run(
    optimizer: str | Optimizer,
    surface: str | Surface,
    start,
    steps: int,
    *,
    lr: float | None = None,
    beta1: float | None = None,
    beta2: float | None = None,
    eps: float | None = None,
    weight_decay: float | None = None,
    memory: int | None = None,
    damping: float | None = None,
    c1: float | None = None,
    c2: float | None = None,
    shrink: float | None = None,
    beta_rule: str | None = None,
    line_search: str | None = None,
    beta3: float | None = None,
    mix: float | None = None,
    warmup: int | None = None,
    lr_power: float | None = None,
    d0: float | None = None,
    clip: float | None = None,
    every: int | None = None,
    eps2: float | None = None,
    decay: float | None = None,
    ns_steps: int | None = None,
    record: RecordMode = "path",
    convention: str | None = None,
    schedule: Schedule | None = None,
    noise_eta: float | None = None,
    noise_gamma: float = 0.55,
    seed: int = 0,
    batch_size: int | None = None,
    order: Order | str = "reshuffle",
    delay: int | None = None,
    delay_max: int | None = None,
) -> Trajectory:
    """Run ``optimizer`` on ``surface`` for ``steps`` steps from ``start``.

    ``convention`` chooses whose update rules and defaults: "cheatsheet" (the cheat
    sheet's forms; the default) or "pytorch" (torch.optim's, exactly: each
    optimizer's module in :mod:`optim_core.methods` holds both); the analyses (sweeps,
    maps, escapes) take either convention's optimizer as an object:
    ``get_optimizer(name, "pytorch")``.
    ``schedule`` (:func:`optim_core.schedule`) makes α at step t α·schedule(t); an
    optimizer without α refuses one. ``noise_eta`` = η adds gradient noise
    N(0, σ_t² I), σ_t² = η / (1 + t)^γ (``noise_gamma``; Neelakantan et al. 2015), to
    every gradient, each start its own draw; the same ``seed`` gives the same run.
    ``batch_size`` = B (data surfaces and networks only, :func:`surfaces.data_names`):
    each step takes the exact gradient of the loss over a batch of B examples, the data
    reshuffled at the start of every epoch (the last batch of an epoch is smaller when
    B does not divide n); every start sees the same batches, drawn from ``seed``.
    B = n is the full gradient, exactly. ``order`` (:mod:`optim_core.batches`: a name or
    an :class:`~optim_core.batches.Order`) chooses the batches' order instead:
    "reshuffle", "fixed", "sorted", "curriculum" or "mixed".
    ``delay`` = τ (first-order optimizers only): stale gradients, as an asynchronous
    parameter server gives them — the update at step t takes the gradient at the
    parameters of step t − 1 − τ (the start's while t − 1 − τ < 0) instead of t − 1;
    ``delay_max`` = τ_max instead draws each step's τ from 0 … τ_max (seeded by
    ``seed``, the same draws for every start). τ = 0 is the ordinary run, bit for bit.
    (A gradient an update rule asks for elsewhere than at w, NAG's look-ahead, is taken
    at the same offset from the stale parameters.)

    ``surface`` is a name, a :class:`~surfaces.Surface`, or a network
    (:func:`surfaces.network`, D weights: its ``.surface`` runs, mini-batches included).
    ``start`` is one point ``(D,)`` or a batch ``(N, D)`` (D = 2 on the analytic
    surfaces; a 2-D batch is stepped on the in-place fast path). Hyperparameters left at None
    take the optimizer's defaults. ``record="path"`` keeps every point, loss, gradient
    and state; ``record="points"`` the same but not the state (a network's BFGS holds a
    D × D matrix a step); ``record="final"`` keeps only the final point and loss and the
    converged / diverged steps, in memory O(N) whatever the number of steps.
    Every argument is checked before any work; a ValueError names the parameter,
    its value and the valid range. Divergence is a result, never an error.
    """
    opt = optimizers.get(optimizer, convention)
    surf = _check_surface(surface)
    steps = _check_steps(steps)
    if record not in ("path", "points", "final"):
        raise ValueError(f"record must be 'path', 'points' or 'final'; got {record!r}")
    points = _check_start(start, surf)
    hp = resolve_hyperparams(opt, lr=lr, beta1=beta1, beta2=beta2, eps=eps,
                             weight_decay=weight_decay, memory=memory, damping=damping,
                             c1=c1, c2=c2, shrink=shrink, beta_rule=beta_rule,
                             line_search=line_search, beta3=beta3, mix=mix, warmup=warmup,
                             lr_power=lr_power, d0=d0, clip=clip, every=every, eps2=eps2,
                             decay=decay, ns_steps=ns_steps)  # fmt: skip
    noise = _check_noise(noise_eta, noise_gamma, seed)
    order = as_order(order)
    batches = _check_batch_size(batch_size, surf, seed, order)
    delays = _check_delay(delay, delay_max, opt, seed)
    reason = unavailable(opt, surf, noise=noise is not None, batches=batches is not None)
    if reason:
        raise ValueError(reason)
    if schedule is not None:
        if not isinstance(schedule, Schedule):
            raise ValueError(f"schedule must be an optim_core.schedule(...); got {schedule!r}")
        if "lr" not in opt.hyperparams:
            raise ValueError(f"schedule: {opt.name} has no learning rate α to schedule "
                             f"(it uses {list(opt.hyperparams)})")  # fmt: skip
        if schedule.params.get("monitor") == "validation" and (
                surf.data is None or surf.data.val_loss is None):  # fmt: skip
            raise ValueError(f"schedule: {schedule.name} watches the validation loss, and "
                             f"{surf.name} holds no examples out (build it with val > 0)")
    batch_shape = points.shape[:-1]
    n_starts = int(np.prod(batch_shape, dtype=int))
    if record != "final" and n_starts * (steps + 1) > MAX_PATH_POINTS:
        raise ValueError(
            f"record={record!r} keeps N*(steps+1) = {n_starts * (steps + 1)} points, above "
            f"the cap of {MAX_PATH_POINTS}; use record='final' or fewer steps or starts"
        )
    if record != "final":
        state = opt.init_state(np.zeros((1, surf.dim)), hp)
        kept = state._fields if record == "path" else ()
        per_point = 1 + 2 * surf.dim + sum(getattr(state, k)[0].size for k in kept)
        if n_starts * (steps + 1) * per_point > MAX_PATH_NUMBERS:
            what = (f"point, f, gradient and state ({', '.join(kept)})" if kept
                    else "point, f and gradient")  # fmt: skip
            raise ValueError(
                f"record={record!r} keeps {per_point:,} numbers a point for {opt.name} on "
                f"{surf.name} (D = {surf.dim}: its {what}), N*(steps+1)*{per_point} = "
                f"{n_starts * (steps + 1) * per_point:,}, above the cap of "
                f"{MAX_PATH_NUMBERS:,} (1.6 GB); use "
                + ("record='points' (no state), " if kept and state._fields else "")
                + "record='final' or fewer steps or starts"
            )

    w0 = points.reshape(n_starts, surf.dim)
    keep_path = record != "final"
    order_args = {} if batches is None else {"order": order, **_order_data(order, surf, points)}
    out = _simulate(opt, surf, hp, w0, steps, keep_path, keep_state=record == "path",
                    schedule=schedule, noise=noise, batches=batches,
                    order_args=order_args, delays=delays)  # fmt: skip

    def unbatch(arr, lead=()):
        return _read_only(arr.reshape(lead + batch_shape + arr.shape[1 + len(lead) :]))

    common = dict(
        optimizer=opt.name,
        surface=surf,
        hyperparams={k: v for k, v in hp._asdict().items() if k in opt.hyperparams},
        steps=steps,
        start=_read_only(points.copy()),
        final_point=unbatch(out.final),
        final_loss=unbatch(_f(surf, out.final)),
        converged_step=unbatch(out.converged_step),
        diverged_step=unbatch(out.diverged_step),
        first_converged_step=unbatch(out.first_converged_step),
        diverged_point=unbatch(out.diverged_point),
        convention=opt.convention,
        schedule=schedule,
        noise=noise,
        batch=batches,
        order=None if batches is None else order,
        delay=delays,
    )
    if not keep_path:
        return Trajectory(**common)
    val_loss = None
    if surf.data is not None and surf.data.val_loss is not None:
        val_loss = out.path_val_loss
        if val_loss is None:
            with np.errstate(all="ignore"):
                val_loss = surf.data.val_loss(out.path)
        val_loss = unbatch(val_loss, (steps + 1,))
    return Trajectory(
        **common,
        val_loss=val_loss,
        path=unbatch(out.path, (steps + 1,)),
        loss=unbatch(out.path_loss if out.path_loss is not None else _f(surf, out.path),
                     (steps + 1,)),
        grads=unbatch(out.grads, (steps,)),
        state={k: unbatch(a, (steps + 1,)) for k, a in out.state.items()},
        lr_used=None if out.lr_used is None else unbatch(out.lr_used, (steps,)),
        taken=None if batches is None else tuple(out.taken),
    )


def _f(surface: Surface, points: np.ndarray) -> np.ndarray:
    """f at the points, quietly: a diverged run's points may overflow it (inf is a result)."""
    with np.errstate(all="ignore"):
        return surface.f(points)


@dataclass
class _Outcome:
    """What :func:`_simulate` returns: arrays over the flat batch of starts ``(n, ...)``."""

    final: np.ndarray  # (n, 2)
    converged_step: np.ndarray  # (n,)
    diverged_step: np.ndarray  # (n,)
    first_converged_step: np.ndarray  # (n,)
    diverged_point: np.ndarray  # (n, 2): the point outside the box, nan if none
    path: np.ndarray | None = None  # (steps + 1, n, 2)
    grads: np.ndarray | None = None  # (steps, n, 2)
    state: dict[str, np.ndarray] = field(default_factory=dict)  # (steps + 1, n, *shape) each
    lr_used: np.ndarray | None = None  # (steps, n): the α used (a loss-watching schedule)
    taken: list | None = None  # each step's batch of examples
    path_val_loss: np.ndarray | None = None  # (steps + 1, n): as a plateau watched it
    # f along the path (steps + 1, n), where the loop computed it (a network's verdict)
    path_loss: np.ndarray | None = None
    # each state field after the last step (n, *shape): a line search's ``failed`` flag
    final_state: dict[str, np.ndarray] = field(default_factory=dict)


def _simulate(
    opt: Optimizer,
    surf: Surface,
    hp: Hyperparams,
    w0: np.ndarray,
    steps: int,
    keep_path: bool,
    keep_state: bool = True,
    watch: Callable[[slice, _Loop], Callable[[np.ndarray, int], bool]] | None = None,
    schedule: Schedule | None = None,
    noise: tuple[float, float, int] | None = None,
    batches: tuple[int, int] | None = None,
    progress: Callable[[float], None] | None = None,
    order_args: dict | None = None,
    delays: tuple | None = None,
) -> _Outcome:
    """Step the checked starts ``w0`` ``(n, 2)``. ``hp`` holds floats, or ``(n, 1)``
    arrays giving each start its own value (one batch for a whole sweep).

    ``watch(block, loop)``, if given, returns a function called after every step ``t``
    with the points of that block of starts (``loop.converged_step`` and
    ``loop.diverged_step`` hold the block's outcomes so far); when it returns True the
    block stops early (its final point and steps are then those of step t).

    ``progress(fraction)``, if given, is told the share of the work done, every
    ``PROGRESS_EVERY`` steps of each block and as each block ends (1.0 at the end; an
    exception it raises stops the work: a page cancels a computation that way).
    """
    n_starts, D = w0.shape
    out = _Outcome(
        final=np.empty((n_starts, D)),
        converged_step=np.full(n_starts, -1, dtype=np.int64),
        diverged_step=np.full(n_starts, -1, dtype=np.int64),
        first_converged_step=np.full(n_starts, -1, dtype=np.int64),
        diverged_point=np.full((n_starts, D), np.nan),
    )
    # each field's shape per start: (2,) for most, () for a number per start (a line
    # search's step length), (2, 2) for a matrix (a quasi-Newton's H)
    # (L-BFGS's: sized by its memory, a hyperparameter)
    initial = opt.init_state(np.zeros((1, D)), hp)._asdict()
    shapes = {k: a.shape[1:] for k, a in initial.items()}
    held = n_starts * sum(a[0].size for a in initial.values())  # each start's state, kept
    if held > MAX_PATH_NUMBERS:
        raise ValueError(
            f"{opt.name} keeps {held // n_starts:,} numbers of state a start at D = {D:,} "
            f"({', '.join(initial)}): {n_starts:,} starts hold {held:,}, above the cap of "
            f"{MAX_PATH_NUMBERS:,} (1.6 GB); use fewer starts"
        )
    out.final_state = {k: np.empty((n_starts, *shapes[k])) for k in opt.state_fields}
    if keep_path:
        out.path = np.empty((steps + 1, n_starts, D))
        out.grads = np.empty((steps, n_starts, D))
        out.state = {k: np.empty((steps + 1, n_starts, *shapes[k])) for k in opt.state_fields
                     if keep_state}  # fmt: skip
    rng = np.random.default_rng(noise[2]) if noise else None  # one stream, block by block
    filled = filled_val = 0  # blocks whose loop computed f (the validation loss) along the path
    for lo in range(0, n_starts, _BLOCK_STARTS):
        block = slice(lo, lo + _BLOCK_STARTS)
        block_hp = Hyperparams(*(v[block] if isinstance(v, np.ndarray) else v for v in hp))
        loop = _Loop(opt, surf, block_hp, w0[block], steps)
        if schedule is not None and schedule.watches:  # α from the losses seen (plateau)
            loop.plateau = schedule.start(np.broadcast_to(
                np.asarray(block_hp.lr, dtype=float).reshape(-1), (len(w0[block]),)))
        elif schedule is not None:  # α at each step: α·schedule(t)
            loop.lr_factors = schedule(np.arange(1, steps + 1))
        if noise is not None:
            loop.noise = (noise[0], noise[1], rng)
        if batches is not None:  # every block the same batches (the first keeps them)
            loop.batches = batch_indices(surf.data.n, *batches, **(order_args or {}))
            if lo == 0 and keep_path:
                out.taken = loop.taken = []
        if delays is not None:  # every block the same delays
            fixed, most, seed = delays
            loop.delay = (fixed, most, np.random.default_rng([seed, 2]))
        if watch is not None:
            loop.watch = watch(block, loop)
        if progress is not None:
            size = min(_BLOCK_STARTS, n_starts - lo)
            loop.progress = lambda t, lo=lo, size=size: progress((lo + size * t / steps) / n_starts)
        if keep_path and loop.plateau is not None:
            if out.lr_used is None:
                out.lr_used = np.empty((steps, n_starts))
            loop.lr_path = out.lr_used[:, block]
        if keep_path:
            loop.keep_path(
                out.path[:, block],
                out.grads[:, block],
                {k: a[:, block] for k, a in out.state.items()},
            )
        loop.run()
        if progress is not None:  # (a block that stopped early is done too)
            progress(min(lo + _BLOCK_STARTS, n_starts) / n_starts if n_starts else 1.0)
        if loop.path_loss is not None and len(loop.path_loss) == steps + 1:
            if out.path_loss is None:
                out.path_loss = np.empty((steps + 1, n_starts))
            out.path_loss[:, block] = loop.path_loss
            filled += 1
        if loop.path_val_loss is not None and len(loop.path_val_loss) == steps + 1:
            if out.path_val_loss is None:
                out.path_val_loss = np.empty((steps + 1, n_starts))
            out.path_val_loss[:, block] = loop.path_val_loss
            filled_val += 1
        out.final[block] = loop.w
        out.converged_step[block] = loop.converged_step
        out.diverged_step[block] = loop.diverged_step
        out.first_converged_step[block] = loop.first_converged_step
        out.diverged_point[block] = loop.diverged_point
        for k, arr in zip(loop.state._fields, loop.state, strict=True):
            out.final_state[k][block] = arr
    if filled * _BLOCK_STARTS < n_starts:  # not every block: run() computes it whole
        out.path_loss = None
    if filled_val * _BLOCK_STARTS < n_starts:
        out.path_val_loss = None
    return out


def _grad_into(surface: Surface) -> Callable[[np.ndarray, np.ndarray], None]:
    """The surface's in-place gradient, or its gradient copied into ``out``; with the
    surface's Hessian as its ``hessian`` (Newton's methods use it)."""
    into, grad = surface.grad_into, surface.grad

    def grad_into(xy, out):
        if into is not None:
            into(xy, out)
        else:
            np.copyto(out, grad(xy))

    grad_into.hessian = surface.hessian
    grad_into.f = surface.f  # (a line search evaluates f too)
    grad_into.residuals = surface.residuals  # (Gauss–Newton and LM: r and J)
    return grad_into


def _read_only(arr: np.ndarray) -> np.ndarray:
    arr.flags.writeable = False  # results are shared (the page caches them)
    return arr


class _Loop:
    """The step loop and its bookkeeping, over one block of starts shaped ``(n, 2)``."""

    def __init__(self, opt, surf, hp, w0, steps):
        self.opt, self.surf, self.hp, self.steps = opt, surf, hp, steps
        n = len(w0)
        # Column-major (n, 2): x and y are each contiguous, so gradients that work on
        # xy[..., 0] and xy[..., 1] stream through memory; elementwise updates don't mind.
        self.w = np.asfortranarray(w0, dtype=float).copy(order="F")
        self.state = opt.init_state(self.w, hp)
        self.converged_step = np.full(n, -1, dtype=np.int64)
        self.first_converged_step = np.full(n, -1, dtype=np.int64)
        self.diverged_step = np.full(n, -1, dtype=np.int64)
        self.diverged_point = np.full(w0.shape, np.nan)
        low, high = divergence_box(surf)
        # Full (n, 2) copies: broadcasting a (2,) row over (n, 2) is several times slower.
        self.centre = np.asfortranarray(np.tile((low + high) / 2, (n, 1)))
        self.half = np.asfortranarray(np.tile((high - low) / 2, (n, 1)))
        self.half_min = float(np.min(high - low) / 2)
        self.far = self.half * (FAR_FACTOR / DIVERGENCE_FACTOR)
        # rounding in a distance between points inside the far box: far below this
        self.margin = 1e-12 * (1.0 + float(np.max(np.abs(low) + np.abs(high))) * FAR_FACTOR)
        # The excursion outside the divergence box each start is on: its first step (-1
        # while inside), the point there, its farthest reach (in box half-widths) and when
        self.out_since = np.full(n, -1, dtype=np.int64)
        self.out_point = np.full(w0.shape, np.nan)
        self.peak = np.zeros(n)
        self.peak_step = np.full(n, -1, dtype=np.int64)
        self.excursions = False  # whether any start may be outside the divergence box now
        self.last_step = steps
        # record="final" checks convergence after every step, but only where a start's
        # status can have changed: budget[i] is how far start i can move (measured
        # from where it was last looked at) before it could come within
        # CONVERGED_DIST_TOL of a minimizer, or leave the one it converged to; moved[i]
        # is the length of its path since then (|Δx| + |Δy| per step, at least the
        # Euclidean length). A start is looked at again once moved ≥ budget (those
        # hovering inside the tolerance without a small gradient, every step).
        self.minimizer_points = [(float(x), float(y)) for x, y in surf.minimizers]
        self.home_of = np.full(n, -1, dtype=np.int64)  # the minimizer it converged to
        self.n_converged = 0
        self.open = None  # the starts not converged (None: to be found again)
        self.minimizer_x = surf.minimizers[:, :1].astype(float)  # (m, 1)
        self.minimizer_y = surf.minimizers[:, 1:].astype(float)
        self.moved = np.zeros(n)
        self.budget = np.zeros(n)
        self.recheck = np.empty(n, dtype=bool)
        self.path = self.grads = self.state_path = None
        self.watch = None  # called with (w, t) after every step; True stops the loop
        self.progress = None  # called with t every PROGRESS_EVERY steps
        self.lr_factors = None  # (steps,): α's multiplier at each step (a schedule)
        self.plateau = None  # a loss-watching schedule's state (schedules.Plateau)
        self.lr_path = None  # (steps, n) view: the α each step used (with plateau)
        self.noise = None  # (η, γ, generator): gradient noise
        self.batches = None  # iterator of each step's examples (a data surface's batches)
        self.taken = None  # a list that keeps each step's batch, when given
        self.delay = None  # (τ, τ_max, generator): stale gradients
        # A network's divergence is decided by its loss (Surface.divergence == "loss"):
        # f at the start, and the stretch above it each start is on (its first step and
        # point; -1 while at or below)
        self.loss_rule = surf.divergence == "loss"
        self.path_loss = None  # (steps + 1, n): f along the kept path, when computed
        self.path_val_loss = None  # (steps + 1, n): the validation loss, when watched
        self.f0 = None
        self.above_since = np.full(n, -1, dtype=np.int64)
        self.above_point = np.full(w0.shape, np.nan)

    def keep_path(self, path, grads, state_path):
        """Write every point, gradient and state into these ``(steps[+1], n, 2)`` views."""
        self.path, self.grads, self.state_path = path, grads, state_path

    def run(self):
        """Step the block: each step writes into the spare buffers (the optimizer's
        in-place form), then the buffers swap; nothing is allocated per step."""
        step, hp = self.opt.update_into, self.hp
        grad_into = _grad_into(self.surf)
        sigma = [0.0]  # the noise's σ at the step under way
        batch = [None]  # the examples of the step under way
        if self.batches is not None:
            batch_grad, full = self.surf.data.batch_grad, grad_into

            def grad_into(xy, out):  # every gradient the step takes, on its batch
                out[...] = batch_grad(xy, batch[0])

            grad_into.hessian, grad_into.f = full.hessian, full.f
            grad_into.residuals = None  # (refused with batches: see run)
        if self.noise is not None:
            eta, gamma, rng = self.noise
            exact = grad_into

            def grad_into(xy, out):  # every gradient the step takes, with its own draw
                exact(xy, out)
                out += sigma[0] * rng.standard_normal(out.shape)

            grad_into.hessian, grad_into.f = exact.hessian, exact.f
            grad_into.residuals = None  # (refused with noise: see run)
        w, state = self.w, self.state
        stale, now = [None], [None]  # the stale parameters and the current ones, a step
        if self.delay is not None:
            fixed, most, delay_rng = self.delay
            depth = (fixed if fixed is not None else most) + 1
            history = np.empty((depth, *w.shape))  # w_{t−1}, w_{t−2}, … as a ring
            fresh_grad = grad_into

            def grad_into(xy, out):  # the gradient τ steps old (at w's offset from xy)
                fresh_grad(stale[0] if xy is now[0] else stale[0] + (xy - now[0]), out)

            grad_into.hessian, grad_into.f = fresh_grad.hessian, fresh_grad.f
            grad_into.residuals = None  # (refused with a delay: see run)
        spare_w, spare_state = np.empty_like(w), self.opt.init_state(w, hp)
        g, a, b = np.empty_like(w), np.empty_like(w), np.empty_like(w)
        path, keep_path = self.path, self.path is not None
        # Arrivals from the optimizer's own gradients (record="final"): when a step's
        # last gradient was the exact one at w, written into g (the plain gradient: no
        # noise, no batch, no look-ahead), g holds ∇f(w) as surface.grad gives it (the
        # in-place forms do the same operations), and the next step looks for arrivals
        # at w among the few starts whose gradient is that small. Not for a watch that
        # reads converged_step as it goes (arrivals are then known a step late).
        last_call = [None, None]
        self.gradient_first = (
            not keep_path and self.minimizer_points and self.noise is None
            and self.batches is None and self.delay is None
            and not getattr(self.watch, "reads_converged", False)
        )  # fmt: skip
        if self.gradient_first:
            plain = grad_into

            def grad_into(xy, out):  # the exact gradient; which arrays it was given
                plain(xy, out)
                last_call[0], last_call[1] = xy, out

            grad_into.hessian, grad_into.f = plain.hessian, plain.f
            grad_into.residuals = plain.residuals
        inside = np.empty(w.shape, dtype=bool)
        frozen = None  # bool (n,) once a start has diverged
        if keep_path:
            path[0] = w
            for k, rows in self.state_path.items():
                rows[0] = getattr(state, k)
        else:
            self._check_converged_now(w, 0)
        if self.loss_rule:  # (a network's divergence: by its loss, see _loss_verdict)
            self._watch_loss(w, 0)
        fresh = None  # g, when it holds the exact gradient at the step before's w
        seen_loss = None  # (steps + 1, n): f along the kept path, as a plateau saw it
        watched = self.surf.f  # the loss a plateau watches
        if self.plateau is not None and self.plateau.monitor == "validation":
            watched = self.surf.data.val_loss
        if self.plateau is not None and keep_path:
            seen_loss = np.empty((self.steps + 1, len(w)))
            seen_loss[0] = watched(w)
        with np.errstate(all="ignore"):  # a diverging start is a result, not a warning
            for t in range(1, self.steps + 1):
                if self.lr_factors is not None:
                    hp = self.hp._replace(lr=self.hp.lr * self.lr_factors[t - 1])
                elif self.plateau is not None:  # each start's α now, as (n, 1)
                    hp = self.hp._replace(lr=self.plateau.lr[:, None])
                    if self.lr_path is not None:
                        self.lr_path[t - 1] = self.plateau.lr
                if self.noise is not None:
                    sigma[0] = math.sqrt(eta / (1 + t) ** gamma)
                if self.batches is not None:
                    batch[0] = next(self.batches)
                    if self.taken is not None:
                        self.taken.append(batch[0])
                if self.delay is not None:  # w is w_{t−1}: the step takes w_{t−1−τ}'s gradient
                    history[(t - 1) % depth] = w
                    tau = fixed if fixed is not None else int(delay_rng.integers(0, most + 1))
                    stale[0], now[0] = history[max(0, t - 1 - tau) % depth], w
                last_call[0] = None
                step(grad_into, w, state, t, hp, Buffers(spare_w, spare_state, g, a, b))
                if self.gradient_first:
                    fresh = g if last_call[0] is w and last_call[1] is g else None
                    if fresh is None and t == 1:  # this optimizer's gradients won't do
                        self.gradient_first = False
                w_new, state_new = spare_w, spare_state
                if frozen is not None:
                    self._freeze(frozen, w, state, w_new, state_new)
                # Inside the box: |w − centre| ≤ half-width. Within the smaller half-width
                # on both axes decides the common case with two reductions (nan fails
                # the comparisons); otherwise each coordinate is checked.
                np.subtract(w_new, self.centre, out=a)
                if not (a.max() <= self.half_min and a.min() >= -self.half_min):
                    bad = self._outside(a, inside, w_new, t, frozen)
                    if bad is not None:
                        self._freeze(bad, w, state, w_new, state_new)
                        frozen = bad if frozen is None else frozen | bad
                        # measured from where it stands, a frozen start is always "in the
                        # box": the next steps' two-reduction check passes again
                        self.centre[bad] = w_new[bad]
                elif self.excursions:
                    self._back_inside()
                spare_w, spare_state = w, state
                w, state = w_new, state_new
                if self.plateau is not None:  # the loss at w_t decides α for step t + 1
                    f_now = watched(w)
                    self.plateau.observe(f_now)
                    if seen_loss is not None:  # (kept: run() needs no second pass)
                        seen_loss[t] = f_now
                if keep_path:
                    path[t] = w
                    self.grads[t - 1] = g
                    for k, rows in self.state_path.items():
                        rows[t] = getattr(state, k)
                else:
                    self._check_converged_now(w, t, spare_w, a, fresh)
                if self.loss_rule and not keep_path:
                    self._watch_loss(w, t)
                if self.watch is not None and self.watch(w, t):
                    self.last_step = t
                    break
                if self.progress is not None and t % PROGRESS_EVERY == 0:
                    self.progress(t)
        self.w, self.state = w, state
        if self.gradient_first and self.last_step > 0:  # the last step's arrivals
            self._look_at(w[:, 0], w[:, 1], self.last_step, None, arrivals=True)
        if seen_loss is not None and watched is self.surf.f:
            self.path_loss = seen_loss[: self.last_step + 1]
        elif seen_loss is not None:
            self.path_val_loss = seen_loss[: self.last_step + 1]
        if self.loss_rule:
            if keep_path:  # its loss at every step, after the loop, in one pass
                f = self.path_loss
                if f is None:
                    f = self.path_loss = self.surf.f(path[: self.last_step + 1])
                above = ~(f <= f[0])  # (nan is above)
                ended = above[-1]
                # the last step at or below the start's loss; the stretch after it
                last_ok = len(f) - 1 - np.argmax(~above[::-1], axis=0)
                self.above_since[ended] = last_ok[ended] + 1
                self.above_point[ended] = path[last_ok[ended] + 1, np.flatnonzero(ended)]
            self._loss_verdict()
        else:
            self._verdict()
        if keep_path:  # after the loop, vectorized over blocks of steps
            rows = max(1, _CHUNK_POINTS // len(w))
            for begin in range(0, self.steps + 1, rows):
                self._check_converged(path[begin : begin + rows], begin)
            self._check_stays(path[: self.steps + 1], rows)
        # a start that diverged did not stay (it is frozen where it left the box)
        self.converged_step[self.diverged_step >= 0] = -1

    def _check_converged_now(self, w, t, w_before=None, scratch=None, g_before=None) -> None:
        """Update the converged steps at step ``t`` (record="final"), from the points
        ``w`` (and ``w_before``, the step before's, to measure how far each moved;
        ``scratch`` an ``(n, 2)`` array to do it in). Only the starts whose moves have
        used up their budget are looked at (all of them on the first step, or when
        that is most of them).

        With ``gradient_first``, arrivals are found a step late, from ``g_before``
        (the exact gradient at ``w_before``, or None: then from the surface's) among
        the starts whose gradient is small; the budgets are then only for leaving."""
        if not self.minimizer_points:
            return
        arrivals = not self.gradient_first
        if w_before is not None and self.gradient_first and t > 1:  # step t − 1's
            if g_before is None:  # (not expected: the same optimizer takes the same steps)
                self._look_at(w_before[:, 0], w_before[:, 1], t - 1, None, arrivals=True)
            else:
                self._arrive(w_before, t - 1, g_before, scratch)
        if w_before is not None:
            np.subtract(w, w_before, out=scratch)
            np.abs(scratch, out=scratch)
            np.add(self.moved, scratch[:, 0], out=self.moved)
            np.add(self.moved, scratch[:, 1], out=self.moved)
            np.greater_equal(self.moved, self.budget, out=self.recheck)
            index = np.flatnonzero(self.recheck)
            if len(index) * 3 < len(w):
                if len(index):  # (w's columns are contiguous: gather each)
                    self._look_at(w[:, 0].take(index), w[:, 1].take(index), t, index,
                                  arrivals)  # fmt: skip
                return
        self._look_at(w[:, 0], w[:, 1], t, None, arrivals or w_before is None)

    def _arrive(self, w, t, g, scratch) -> None:
        """Arrivals at step ``t`` from ``g``, the exact gradient at ``w``: the starts not
        converged whose gradient norm is at most CONVERGED_GRAD_TOL (the operations of
        the exact test) and that are within CONVERGED_DIST_TOL of a minimizer."""
        n = len(w)
        if (n - self.n_converged) * 8 < n:  # most have converged: the others only
            if self.open is None:
                self.open = np.flatnonzero(self.home_of < 0)
            gx, gy = g[:, 0].take(self.open), g[:, 1].take(self.open)
            norm2 = gx * gx + gy * gy
            small = np.flatnonzero(np.sqrt(norm2) <= CONVERGED_GRAD_TOL)
            small, norm2 = self.open[small], None
        else:
            gx, gy, norm2 = g[:, 0], g[:, 1], scratch[:, 0]
            np.multiply(gx, gx, out=norm2)
            np.multiply(gy, gy, out=scratch[:, 1])
            np.add(norm2, scratch[:, 1], out=norm2)
            np.less_equal(norm2, CONVERGED_GRAD_TOL**2 * (1 + 1e-9), out=self.recheck)
            small = np.flatnonzero(self.recheck)
            if not len(small):
                return
            small = small[self.home_of[small] < 0]
            small = small[np.sqrt(norm2[small]) <= CONVERGED_GRAD_TOL]
        if not len(small):
            return
        x, y = w[:, 0].take(small), w[:, 1].take(small)
        dx, dy = x - self.minimizer_x, y - self.minimizer_y
        gaps = dx * dx + dy * dy
        at = np.flatnonzero(gaps.min(axis=0) <= CONVERGED_DIST_TOL**2)
        if not len(at):
            return
        starts, nearest = small[at], np.argmin(gaps[:, at], axis=0)
        self._arrived(starts, t, nearest)
        gap = gaps[nearest, at]
        self.budget[starts] = (CONVERGED_DIST_TOL - np.sqrt(gap)) * (1.0 - 1e-9) - self.margin
        self.moved[starts] = 0.0

    def _arrived(self, starts, t, nearest) -> None:
        """``starts`` converged at step t, to the minimizers ``nearest``."""
        self.converged_step[starts] = t
        first = starts[self.first_converged_step[starts] < 0]
        self.first_converged_step[first] = t
        self.home_of[starts] = nearest
        self.n_converged += len(starts)
        self.open = None

    def _look_at(self, x, y, t, index, arrivals=True) -> None:
        """The exact test for the points ``x, y`` (the starts ``index``; None for all) at step
        t: a converged start farther than CONVERGED_DIST_TOL from its minimizer has
        left (converged no more); a start not converged that is within
        CONVERGED_DIST_TOL of a minimizer (squared distance, the operations of
        _squared_distance) with a gradient norm of at most CONVERGED_GRAD_TOL has
        converged to the nearest one. Then each start's budget from where it stands."""
        tol2 = CONVERGED_DIST_TOL**2
        dx = x - self.minimizer_x  # (m, k): row j for minimizer j
        dy = y - self.minimizer_y
        gaps = dx * dx + dy * dy
        home = self.home_of.copy() if index is None else self.home_of[index]
        converged = np.flatnonzero(home >= 0) if self.n_converged else None
        if converged is not None and len(converged):
            gone = converged[gaps[home[converged], converged] > tol2]
            if len(gone):
                starts = gone if index is None else index[gone]
                self.converged_step[starts] = -1
                self.home_of[starts] = -1
                home[gone] = -1
                self.n_converged -= len(gone)
                self.open = None
                converged = np.flatnonzero(home >= 0)
        nearest_gap = gaps.min(axis=0)
        test = np.flatnonzero((home < 0) & (nearest_gap <= tol2)) if arrivals else ()
        if len(test):
            g = self.surf.grad(np.column_stack((x[test], y[test])))
            gx, gy = g[:, 0], g[:, 1]  # (the norm of _check_converged's, column by column)
            hit = test[np.sqrt(gx * gx + gy * gy) <= CONVERGED_GRAD_TOL]
            if len(hit):
                starts = hit if index is None else index[hit]
                nearest = np.argmin(gaps[:, hit], axis=0)  # (as _nearest_minimizer)
                self._arrived(starts, t, nearest)
                home[hit] = nearest
                converged = np.flatnonzero(home >= 0)
        # The budget: to come within the tolerance a start must move at least its
        # distance to the nearest minimizer less the tolerance; to leave, the
        # tolerance less its distance to its own. A margin covers rounding (of the
        # distances, at most the far box's size times 1e-12, and of the path lengths'
        # sums).
        # (with arrivals found from the gradients, a start not converged has nothing
        # to look out for)
        budget = np.sqrt(nearest_gap) if arrivals else np.full(len(x), np.inf)
        budget -= CONVERGED_DIST_TOL
        if converged is not None and len(converged):
            budget[converged] = CONVERGED_DIST_TOL - np.sqrt(gaps[home[converged], converged])
        budget *= 1.0 - 1e-9
        budget -= self.margin
        if index is None:
            self.budget[:] = budget
            self.moved[:] = 0.0
        else:
            self.budget[index] = budget
            self.moved[index] = 0.0

    def _outside(self, a, inside, w_new, t, frozen):
        """Bookkeeping for a step that put some start outside the divergence box: ``a`` is
        ``w_new − centre``. Starts the box has just lost begin an excursion; those back
        inside end theirs; those outside update their farthest reach. Returns the starts
        to freeze (non-finite, or beyond the far box, and not frozen yet), or None."""
        np.abs(a, out=a)
        np.less_equal(a, self.half, out=inside)
        out = ~np.all(inside, axis=1)  # (nan is outside)
        began = out & (self.out_since < 0)
        if began.any():
            self.out_since[began] = t
            self.out_point[began] = w_new[began]
            self.peak[began] = 0.0
        if self.excursions:
            self._back_inside(out)
        self.excursions = True
        rows = np.flatnonzero(out)
        if frozen is not None:
            rows = rows[~frozen[rows]]
        if not len(rows):
            return None
        reach = np.max(a[rows] / self.half[rows], axis=1)  # nan where non-finite
        farther = ~(reach <= self.peak[rows])
        self.peak[rows[farther]] = reach[farther]
        self.peak_step[rows[farther]] = t
        gone = ~np.all(a[rows] <= self.far[rows], axis=1)  # non-finite or beyond the far box
        if not gone.any():
            return None
        bad = np.zeros(len(a), dtype=bool)
        bad[rows[gone]] = True
        self.diverged_step[bad] = self.out_since[bad]
        self.diverged_point[bad] = self.out_point[bad]
        return bad

    def _back_inside(self, out=None):
        """End the excursions of the starts inside the divergence box again (all of them
        when ``out`` is None)."""
        if out is None:
            back = self.out_since >= 0
            self.excursions = False
        else:
            back = ~out & (self.out_since >= 0)
        back &= self.diverged_step < 0  # (a frozen start stays where it was frozen)
        if back.any():
            self.out_since[back] = -1
            self.out_point[back] = np.nan
            self.peak[back] = 0.0

    def _watch_loss(self, w, t) -> None:
        """A network's loss at step t: the starts whose loss rises above (or leaves the
        finite numbers from) where it started begin a stretch; those back at or below
        it end theirs."""
        f = self.surf.f(w)
        if self.f0 is None:
            self.f0 = f
            return
        above = ~(f <= self.f0)  # (nan is above)
        began = above & (self.above_since < 0)
        if began.any():
            self.above_since[began] = t
            self.above_point[began] = w[began]
        back = ~above & (self.above_since >= 0)
        if back.any():
            self.above_since[back] = -1
            self.above_point[back] = np.nan

    def _loss_verdict(self):
        """After the last step, on a network: a start whose loss ends above where it
        started (or not finite) has diverged, at the first step of that last stretch;
        its weights growing without bound while the loss falls (separable data) is
        not divergence. Starts frozen on the way (non-finite, or beyond the far box)
        keep their step."""
        ended = (self.diverged_step < 0) & (self.above_since >= 0)
        self.diverged_step[ended] = self.above_since[ended]
        self.diverged_point[ended] = self.above_point[ended]

    def _verdict(self):
        """After the last step: a start outside the divergence box whose excursion is
        still growing (its farthest point within the last window of steps) has diverged,
        at the first step of that excursion."""
        window = max(GROWING_WINDOW, self.steps // 10)
        growing = ((self.diverged_step < 0) & (self.out_since >= 0)
                   & (self.peak_step > self.last_step - window))  # fmt: skip
        if growing.any():
            self.diverged_step[growing] = self.out_since[growing]
            self.diverged_point[growing] = self.out_point[growing]

    @staticmethod
    def _freeze(mask, w_old, state_old, w_new, state_new):
        np.copyto(w_new, w_old, where=mask[:, None])
        for new, old in zip(state_new, state_old, strict=True):
            np.copyto(new, old, where=mask.reshape(-1, *(1,) * (new.ndim - 1)))

    def _check_converged(self, block, first_step):
        """Record the first step in ``block`` (``(rows, n, 2)``, row r is step
        ``first_step + r``) at which a start is within tolerance (record="path")."""
        minimizers = self.surf.minimizers
        if len(minimizers) == 0:
            return
        near = _squared_distance(minimizers, block) <= CONVERGED_DIST_TOL**2
        if not near.any():
            return
        near &= self.first_converged_step < 0
        if not near.any():
            return
        g = self.surf.grad(block[near])
        hit = near
        hit[near] = np.sqrt(np.sum(g * g, axis=-1)) <= CONVERGED_GRAD_TOL
        found = hit.any(axis=0)
        self.first_converged_step[found] = first_step + np.argmax(hit[:, found], axis=0)

    def _check_stays(self, path, rows: int) -> None:
        """``converged_step`` from the whole ``path`` (record="path"): the first step
        within tolerance after the last step at which the run was outside
        CONVERGED_DIST_TOL of the minimizer it ends at (the record="final" loop gives
        the same step)."""
        minimizers = self.surf.minimizers
        if len(minimizers) == 0 or not (self.first_converged_step >= 0).any():
            return
        final = path[-1]
        home = _nearest_minimizer(minimizers, final)
        centre = minimizers[home]  # (n, 2)
        gap = (final[:, 0] - centre[:, 0]) ** 2 + (final[:, 1] - centre[:, 1]) ** 2
        starts = np.flatnonzero((gap <= CONVERGED_DIST_TOL**2) & (self.first_converged_step >= 0))
        if not len(starts):
            return
        centre = centre[starts]
        last_out = np.full(len(starts), -1, dtype=np.int64)
        for begin in range(0, len(path), rows):
            chunk = path[begin : begin + rows, starts]
            d2 = (chunk[..., 0] - centre[:, 0]) ** 2 + (chunk[..., 1] - centre[:, 1]) ** 2
            out = ~(d2 <= CONVERGED_DIST_TOL**2)
            seen = out.any(axis=0)
            last_out[seen] = begin + len(chunk) - 1 - np.argmax(out[::-1, seen], axis=0)
        converged = np.full(len(starts), -1, dtype=np.int64)
        for begin in range(0, len(path), rows):
            todo = np.flatnonzero((converged < 0) & (last_out < begin + rows - 1))
            if not len(todo):
                continue
            chunk = path[begin : begin + rows, starts[todo]]
            steps = np.arange(begin, begin + len(chunk))[:, None]
            after = steps > last_out[todo][None, :]
            if not after.any():
                continue
            g = self.surf.grad(chunk[after])
            ok = np.zeros(after.shape, dtype=bool)
            ok[after] = np.sqrt(np.sum(g * g, axis=-1)) <= CONVERGED_GRAD_TOL
            found = ok.any(axis=0)
            converged[todo[found]] = begin + np.argmax(ok[:, found], axis=0)
        self.converged_step[starts] = converged
