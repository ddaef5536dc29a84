"""The record every analytic surface is: one place for its math and its metadata."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .data import DataSet

ArrayFn = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True, eq=False)
class Surface:
    """An analytic loss surface f: R^2 -> R and everything known about it.

    ``f``, ``grad`` and ``hessian`` take points shaped ``(..., 2)`` (coordinates on
    the last axis, ``xy[..., 0]`` is x) and return ``(...)``, ``(..., 2)`` and
    ``(..., 2, 2)``: a single point, a batch ``(N, 2)`` and a meshgrid
    ``np.stack([X, Y], -1)`` are evaluated alike. Derivatives are analytic.

    ``domain`` is ``((x_min, x_max), (y_min, y_max))``: the plotting box, from which
    plot ranges, grids and the divergence bound of the runner are derived.
    ``minimizers`` is ``(K, 2)`` with every global minimizer (``K = 0`` when f is
    unbounded below, then ``min_value`` is ``-inf``, or when none is known: a network);
    ``saddles`` is ``(S, 2)``;
    ``starts`` is ``(P, 2)`` with suggested start points, the first being the default.
    ``log_scale`` says whether colours should follow ``log(f - min_value)``.
    ``latex`` may break a long formula into lines with ``\\\\`` (render it in a
    ``gathered`` environment).

    Beyond two dimensions (a network's loss over its D weights, ``surfaces.network``)
    the same record holds with D for 2: points ``(..., D)``, D rows of ``domain``.
    """

    name: str
    title: str
    latex: str
    f: ArrayFn
    grad: ArrayFn
    hessian: ArrayFn
    domain: tuple[tuple[float, float], tuple[float, float]]
    minimizers: np.ndarray
    min_value: float
    saddles: np.ndarray
    starts: np.ndarray
    log_scale: bool = False
    description: str = ""
    citation: str = ""
    # the factory's arguments; a network's are surfaces.network's (NetworkSurface.arguments)
    params: dict[str, object] = field(default_factory=dict)
    axes: tuple[str, str] = ("x", "y")  # what the two coordinates are, for axis titles
    # whether the minimizers were found numerically (typed surfaces), not known exactly
    found_numerically: bool = False
    # Optional: ``grad_into(xy, out)`` writes ``grad(xy)`` into ``out`` with the same
    # operations (equal bit for bit), without allocating: the runner's hot path.
    grad_into: Callable[[np.ndarray, np.ndarray], None] | None = None
    # Data surfaces (``surfaces.data``): the examples and the gradient over a batch.
    data: DataSet | None = None
    # Sums of squares, f = Σₖ rₖ(w)²: ``residuals(xy)`` returns ``(r, J)``, the residual
    # vector ``(..., M)`` and its Jacobian ``(..., M, 2)`` (Gauss–Newton and
    # Levenberg–Marquardt need them); None for the others.
    residuals: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]] | None = None
    # How the runner decides a run diverged: "box" (leaving the divergence box, see
    # optim_core.runner) or "loss" (a network: its loss ends above where it started or
    # leaves the finite numbers; its weights may grow without bound while it falls)
    divergence: str = "box"

    @property
    def dim(self) -> int:
        """D, the number of coordinates: 2 for the analytic surfaces, a network's weight
        count for :meth:`surfaces.network`'s ``.surface`` (its ``domain`` has D rows)."""
        return len(self.domain)

    @property
    def default_start(self) -> np.ndarray:
        return self.starts[0]

    @property
    def bounded_below(self) -> bool:
        """Whether f has a finite minimum. On a surface unbounded below (the saddles)
        leaving the picture downhill is the expected outcome, not a failure."""
        return bool(np.isfinite(self.min_value))

    def __repr__(self) -> str:  # the arrays and callables make the default repr useless
        args = ", ".join(f"{k}={v!r}" for k, v in self.params.items())
        return f"Surface({self.name}{', ' if args else ''}{args})"
