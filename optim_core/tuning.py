r"""A fair α for each optimizer: tune it on a stated objective over a stated budget.

A picture of optimizers at hand-picked α's compares the picks. :func:`tune` runs one
optimizer at every α of a log grid — all of them one batch of the runner, each from
the same start(s) for the same steps — and picks the α that minimizes the objective:

- ``"final"``: f(x_T) − f* at the last step (f where no minimum is known);
- ``"mean"``: the mean of f(x_t) − f* over the steps t = 1 … T (how fast it gets low,
  not only where it ends);
- ``"steps"``: the first step at which f − f* ≤ ``tol`` (surfaces with a known minimum).

A run that diverges scores +inf; so does one that never reaches the tolerance. With
several starts (``starts`` ``(S, 2)``) or noise seeds (``seeds``), an α's score is the
mean of its scores over all of them (+inf if any is): one lucky path does not win. Ties
go to the smaller α. Every other hyperparameter is the optimizer's default, or the one
given.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

import surfaces as surfaces_module

from . import optimizers
from .runner import (
    Hyperparams,
    _check_batch_size,
    _check_noise,
    _check_start,
    _check_surface,
    _simulate,
    resolve_hyperparams,
    unavailable,
)

OBJECTIVES = {"final": "final f − f*", "mean": "mean f − f* over the run",
              "steps": "steps to reach the tolerance"}  # fmt: skip
MAX_TUNE_ALPHAS = 200
MAX_TUNE_STEPS = 5000
MAX_TUNE_REPEATS = 8  # starts × seeds
# 12 a decade from 10⁻⁴ to 10, each to 3 digits (what a slider and a link show)
DEFAULT_ALPHAS = np.array([float(f"{a:.3g}") for a in np.geomspace(1e-4, 10.0, 61)])


@dataclass(frozen=True, eq=False)
class Tuned:
    """What :func:`tune` found for one optimizer: ``alphas`` ``(A,)``, ``score`` ``(A,)``
    (the objective's mean over the repeats; +inf where a run diverged or never reached
    the tolerance), ``diverged`` ``(A,)`` (the share of the repeats that diverged), and
    the chosen ``alpha`` with its ``value`` (nan and +inf if every α scored +inf)."""

    optimizer: str
    objective: str
    steps: int
    tol: float
    repeats: int
    alphas: np.ndarray
    score: np.ndarray
    diverged: np.ndarray
    alpha: float
    value: float

    @property
    def found(self) -> bool:
        return bool(np.isfinite(self.value))


def _whole(name: str, value, low: int, high: int) -> int:
    if isinstance(value, bool) or not float(value).is_integer() or not low <= value <= high:
        raise ValueError(f"{name} must be a whole number in [{low}, {high:,}]; got {value!r}")
    return int(value)


def tune(optimizer, surface, start, steps: int, *, objective: str = "final",
         alphas: Sequence[float] | None = None, tol: float = 1e-6, starts=None,
         seeds: Sequence[int] = (0,), noise_eta: float | None = None,
         noise_gamma: float = 0.55, batch_size: int | None = None,
         convention: str | None = None, **hyperparams) -> Tuned:  # fmt: skip
    """Tune ``optimizer``'s α on ``surface`` (see the module's docstring): every α of
    ``alphas`` (default ``DEFAULT_ALPHAS``, 10⁻⁴ … 10, 12 a decade) from ``start`` — or
    from each of ``starts`` ``(S, 2)`` — for ``steps`` steps, with gradient noise
    ``noise_eta`` (or mini-batches of ``batch_size``) drawn from each of ``seeds``.
    Budget caps: at most ``MAX_TUNE_ALPHAS`` α's, ``MAX_TUNE_STEPS`` steps and
    ``MAX_TUNE_REPEATS`` starts × seeds; a ValueError names any value beyond its cap, or
    out of its range."""
    opt = optimizers.get(optimizer, convention)
    surf = _check_surface(surface)
    if surf.dim != 2:
        raise ValueError(f"tune works on the 2-D surfaces; {surf.title} has D = {surf.dim}")
    if "lr" not in opt.hyperparams:
        raise ValueError(f"{opt.name} has no α to tune (it uses {list(opt.hyperparams)})")
    if "lr" in hyperparams:
        raise ValueError("lr is what tune chooses: give the α's to try as alphas")
    if objective not in OBJECTIVES:
        raise ValueError(f"objective must be one of {list(OBJECTIVES)}; got {objective!r}")
    if objective == "steps" and not math.isfinite(surf.min_value):
        raise ValueError(f"objective 'steps' needs a known minimum; {surf.title} has none "
                         "(its f falls without bound)")  # fmt: skip
    steps = _whole("steps", steps, 1, MAX_TUNE_STEPS)
    grid = np.array(DEFAULT_ALPHAS if alphas is None else alphas, dtype=float).reshape(-1)
    if not 1 <= grid.size <= MAX_TUNE_ALPHAS:
        raise ValueError(f"alphas must hold 1 to {MAX_TUNE_ALPHAS} values (the tuning "
                         f"budget's cap); got {grid.size}")  # fmt: skip
    for value in grid:  # the runner's rule for α
        resolve_hyperparams(opt, lr=float(value), **hyperparams)
    if not (math.isfinite(tol) and tol > 0):
        raise ValueError(f"tol must be a finite number > 0; got {tol!r}")
    points = np.asarray([start] if starts is None else starts, dtype=float)
    if points.ndim != 2 or points.shape[1] != 2 or len(points) == 0:
        raise ValueError(f"starts must be points shaped (S, 2); got shape {points.shape}")
    points = np.array([_check_start(p, surf) for p in points], dtype=float)
    seeds = [int(_whole("seed", s, 0, 2**63 - 1)) for s in seeds] or [0]
    if not noise_eta and batch_size is None:
        seeds = seeds[:1]  # without noise or batches every seed is the same run
    repeats = len(points) * len(seeds)
    if repeats > MAX_TUNE_REPEATS:
        raise ValueError(f"starts × seeds = {repeats}; the tuning budget's cap is "
                         f"{MAX_TUNE_REPEATS}")  # fmt: skip
    _check_batch_size(batch_size, surf, seeds[0])  # (named before any work)
    refusal = unavailable(opt, surf, noise=bool(noise_eta), batches=batch_size is not None)
    if refusal:
        raise ValueError(refusal)
    fixed = resolve_hyperparams(opt, **hyperparams)
    base = surf.min_value if math.isfinite(surf.min_value) else 0.0
    A, S = grid.size, len(points)
    w0 = np.repeat(points, A, axis=0)  # start-major: row s·A + a
    lr = np.tile(grid, S).reshape(-1, 1)
    hp = Hyperparams(**{**fixed._asdict(), "lr": lr})
    scores = np.zeros((len(seeds), S * A))
    diverged = np.zeros((len(seeds), S * A), dtype=bool)
    for i, seed in enumerate(seeds):
        noise = _check_noise(noise_eta, noise_gamma, seed) if noise_eta else None
        batches = _check_batch_size(batch_size, surf, seed)
        total = np.zeros(S * A)
        reached = np.full(S * A, -1, dtype=np.int64)

        def watch(block, loop, total=total, reached=reached):
            def check(w, t):
                gap = np.asarray(surf.f(w), dtype=float) - base
                total[block] += gap
                if objective == "steps":
                    mine = reached[block]
                    new = (mine < 0) & (gap <= tol)
                    mine[new] = t
                return False
            return check

        # (the final loss needs nothing along the way: no f each step)
        out = _simulate(opt, surf, hp, w0, steps, keep_path=False, noise=noise,
                        watch=None if objective == "final" else watch,
                        batches=batches)  # fmt: skip
        gone = out.diverged_step >= 0
        if objective == "final":
            score = np.asarray(surf.f(out.final), dtype=float) - base
        elif objective == "mean":
            score = total / steps
        else:
            score = np.where(reached >= 0, reached, np.inf).astype(float)
        score = np.where(gone | ~np.isfinite(score), np.inf, score)
        scores[i], diverged[i] = score, gone
    per_alpha = scores.reshape(len(seeds) * S, A)  # every repeat's row, α along the columns
    with np.errstate(invalid="ignore"):
        score = np.where(np.isinf(per_alpha).any(axis=0), np.inf, per_alpha.mean(axis=0))
    share = diverged.reshape(len(seeds) * S, A).mean(axis=0)
    best = int(np.argmin(score))  # (the first of equals: the smaller α)
    found = bool(np.isfinite(score[best]))
    return Tuned(opt.name, objective, steps, float(tol), repeats, grid, score, share,
                 float(grid[best]) if found else math.nan,
                 float(score[best]) if found else math.inf)  # fmt: skip


def tune_all(names: Sequence[str], surface, start, steps: int, **options) -> dict[str, Tuned]:
    """:func:`tune` for each optimizer of ``names`` that has an α, the same budget for all."""
    surf = surfaces_module.get(surface) if isinstance(surface, str) else surface
    return {name: tune(name, surf, start, steps, **options) for name in names
            if "lr" in optimizers.get(name, options.get("convention")).hyperparams}


__all__ = ["DEFAULT_ALPHAS", "MAX_TUNE_ALPHAS", "MAX_TUNE_REPEATS", "MAX_TUNE_STEPS",
           "OBJECTIVES", "Tuned", "tune", "tune_all"]
