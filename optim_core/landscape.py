r"""A network's loss landscape: planes through its weight space, the loss over them,
the training paths projected onto them, and the curvature where a run ends.

Li, Xu, Taylor, Studer and Goldstein, *Visualizing the Loss Landscape of Neural Nets*
(NeurIPS 2018), draw f(θ* + a d₁ + b d₂) over a plane through the final weights θ*.
Three ways to choose d₁ and d₂ (:func:`plane`):

- ``"pca"`` (their §7): the top two principal directions of a run's trajectory
  θ_t − θ* (centred, as their code's ``sklearn.decomposition.PCA`` does); the
  explained-variance ratio of each is kept. The directions are orthonormal.
- ``"random"`` (their §4, *filter normalization*): two seeded Gaussian directions, each
  neuron's row (the weights into one unit) rescaled to the norm of that row of θ*,
  the biases' entries zeroed. Nearly orthogonal in high dimension, not exactly.
- ``"hessian"``: the eigenvectors of ∇²f(θ*) with the two largest eigenvalues (the
  sharpest directions), by Lanczos iteration (``scipy.sparse.linalg.eigsh``) on exact
  Hessian-vector products.

A point θ is *projected* onto the plane by least squares, θ ≈ θ* + a d₁ + b d₂; its
*distance from the plane* is what is left, |θ − θ* − a d₁ − b d₂|. The loss of the
plane under a projected point is f(θ* + a d₁ + b d₂), which is not the true loss
f(θ) unless the distance is 0: the gap between the two is why a path's own loss and
the contours it is drawn on disagree.

**Sharpness** at θ (:func:`sharpness`): the largest Hessian eigenvalue (Lanczos), and
the trace by Hutchinson's estimator tr H ≈ (1/M) Σ vᵢᵀ H vᵢ with M seeded Rademacher
vectors (its standard error is given with it).
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import numpy as np

from surfaces import NetworkSurface, Surface

from .runner import Trajectory

KINDS = ("pca", "random", "hessian")
KIND_TITLES = {"pca": "PCA of the path", "random": "filter-normalized random",
               "hessian": "top Hessian eigenvectors"}  # fmt: skip
MAX_GRID = 51  # points per side of the plane's grid
MAX_TRACE_SAMPLES = 1_000
PLANE_LOSS_POINTS = 201  # steps at which a projection's plane loss is evaluated
_LANCZOS_TOL = 1e-8


@dataclass(frozen=True, eq=False)
class Plane:
    """The plane θ* + a d₁ + b d₂ through ``origin`` θ* ``(D,)`` with ``directions``
    ``(2, D)``. ``explained``: the PCA directions' explained-variance ratios;
    ``eigenvalues``: the Hessian directions' eigenvalues (None for the other kinds)."""

    kind: str
    origin: np.ndarray
    directions: np.ndarray
    explained: tuple[float, float] | None = None
    eigenvalues: tuple[float, float] | None = None
    seed: int | None = None

    def points(self, ab) -> np.ndarray:
        """θ* + a d₁ + b d₂ for coordinates ``ab`` ``(..., 2)``: weights ``(..., D)``."""
        ab = np.asarray(ab, dtype=float)
        return self.origin + ab @ self.directions

    def coordinates(self, thetas) -> np.ndarray:
        """The least-squares coordinates (a, b) of weights ``(..., D)``: ``(..., 2)``."""
        diff = np.asarray(thetas, dtype=float) - self.origin
        gram = self.directions @ self.directions.T  # (2, 2), symmetric
        return (diff @ self.directions.T) @ np.linalg.inv(gram)

    def distance(self, thetas) -> np.ndarray:
        """|θ − (θ* + a d₁ + b d₂)| for the projection (a, b) of each θ ``(..., D)``."""
        thetas = np.asarray(thetas, dtype=float)
        rest = thetas - self.points(self.coordinates(thetas))
        return np.sqrt(np.einsum("...d,...d->...", rest, rest))


def _check_kind(kind) -> str:
    if not isinstance(kind, str) or kind not in KINDS:
        raise ValueError(f"kind must be one of {list(KINDS)}; got {kind!r}")
    return kind


def _check_weights(net: NetworkSurface, theta, name: str) -> np.ndarray:
    theta = np.asarray(theta, dtype=float)
    if theta.shape != (net.D,) or not np.all(np.isfinite(theta)):
        raise ValueError(f"{name} must be {net.D} finite weights shaped ({net.D},); got "
                         f"shape {theta.shape}" + ("" if theta.shape != (net.D,) else
                                                   " with non-finite entries"))  # fmt: skip
    return theta


def _check_seed(seed) -> int:
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"seed must be an integer >= 0; got {seed!r}")
    return int(seed)


def plane(net: NetworkSurface, kind: str, origin, path=None, seed: int = 0) -> Plane:
    """The plane of ``kind`` ("pca", "random" or "hessian", see the module's doc)
    through ``origin`` θ* ``(D,)``; "pca" needs the trajectory ``path``
    ``(steps + 1, D)`` (a run that moved: at least two distinct points off θ*)."""
    kind = _check_kind(kind)
    origin = _check_weights(net, origin, "origin")
    seed = _check_seed(seed)
    if kind == "pca":
        return _pca_plane(net, origin, path)
    if kind == "random":
        return _random_plane(net, origin, seed)
    return _hessian_plane(net, origin, seed)


def _pca_plane(net, origin, path) -> Plane:
    path = np.asarray(path, dtype=float) if path is not None else None
    if path is None or path.ndim != 2 or path.shape[1] != net.D or len(path) < 3:
        raise ValueError(f"path must be a trajectory shaped (steps + 1, {net.D}) with at "
                         f"least 3 points for the PCA plane; got "
                         f"{None if path is None else path.shape}")  # fmt: skip
    if not np.all(np.isfinite(path)):
        raise ValueError("path must be finite for the PCA plane (a diverged run has no "
                         "landscape to draw)")  # fmt: skip
    moves = path - origin
    centred = moves - moves.mean(axis=0)
    _, s, vt = np.linalg.svd(centred, full_matrices=False)
    total = float(np.sum(s * s))
    if len(s) < 2 or total == 0.0 or s[1] <= s[0] * 1e-12:
        raise ValueError("the path spans fewer than two directions: a PCA plane needs a run "
                         "that moved in at least two")  # fmt: skip
    directions = vt[:2].copy()
    # signs: the start on the negative side of each axis, so paths run up and right
    start = moves[0] @ directions.T
    directions[start > 0] *= -1
    ratio = (float(s[0] ** 2 / total), float(s[1] ** 2 / total))
    return Plane("pca", origin, _frozen(directions), explained=ratio)


def filter_normalized(net: NetworkSurface, origin, rng) -> np.ndarray:
    """One filter-normalized random direction ``(D,)`` for θ* = ``origin`` (Li et al.
    §4): Gaussian, each unit's row of each W rescaled to the norm of θ*'s row, biases 0
    (and a batch-normalized layer's β and γ: Li et al. leave them unperturbed too)."""
    d = rng.standard_normal(net.D)
    for (w_dir, b_dir), (w_star, _) in zip(net.unpack(d), net.unpack(origin), strict=True):
        rows = np.linalg.norm(w_dir, axis=1, keepdims=True)
        w_dir *= np.linalg.norm(w_star, axis=1, keepdims=True) / np.where(rows > 0, rows, 1.0)
        b_dir[...] = 0.0
    for gamma in net.gammas(d):
        if gamma is not None:
            gamma[...] = 0.0
    return d


def _random_plane(net, origin, seed) -> Plane:
    rng = np.random.default_rng((seed, 3))
    directions = np.stack([filter_normalized(net, origin, rng) for _ in range(2)])
    if np.linalg.matrix_rank(directions) < 2:
        raise ValueError("θ*'s weights are all zero: filter-normalized directions are zero "
                         "too (use the PCA or Hessian plane)")  # fmt: skip
    return Plane("random", origin, _frozen(directions), seed=seed)


def _lanczos(net, theta, k: int, seed: int):
    """The k largest eigenvalues of ∇²f(θ) (descending) and their unit eigenvectors."""
    from scipy.sparse.linalg import LinearOperator, eigsh  # (scipy: only here)

    operator = LinearOperator((net.D, net.D), matvec=lambda v: net.hvp(theta, np.ravel(v)),
                              dtype=float)  # fmt: skip
    v0 = np.random.default_rng((seed, 4)).standard_normal(net.D)
    values, vectors = eigsh(operator, k=k, which="LA", v0=v0, tol=_LANCZOS_TOL)
    order = np.argsort(values)[::-1]
    return values[order], vectors[:, order].T


def _hessian_plane(net, origin, seed) -> Plane:
    values, vectors = _lanczos(net, origin, 2, seed)
    for i, v in enumerate(vectors):  # a sign: the largest entry positive
        if v[np.argmax(np.abs(v))] < 0:
            vectors[i] = -v
    return Plane("hessian", origin, _frozen(vectors),
                 eigenvalues=(float(values[0]), float(values[1])), seed=seed)


def _frozen(a: np.ndarray) -> np.ndarray:
    a = np.ascontiguousarray(a, dtype=float)
    a.flags.writeable = False
    return a


@dataclass(frozen=True)
class Sharpness:
    """The curvature at one point: the top Hessian eigenvalue, and the trace's
    Hutchinson estimate with its standard error over ``samples`` vectors."""

    top: float
    trace: float
    trace_error: float
    samples: int


def sharpness(net: NetworkSurface, theta, samples: int = 100, seed: int = 0) -> Sharpness:
    """λ_max(∇²f(θ)) by Lanczos, and tr ∇²f(θ) ≈ (1/M) Σ vᵢᵀ∇²f(θ)vᵢ with M = ``samples``
    Rademacher vectors (one batched Hessian-vector product)."""
    theta = _check_weights(net, theta, "theta")
    seed = _check_seed(seed)
    if (isinstance(samples, bool) or not isinstance(samples, numbers.Integral)
            or not 2 <= samples <= MAX_TRACE_SAMPLES):  # fmt: skip
        raise ValueError(f"samples must be an integer in [2, {MAX_TRACE_SAMPLES}]; got "
                         f"{samples!r}")  # fmt: skip
    top = float(_lanczos(net, theta, 1, seed)[0][0])
    v = np.random.default_rng((seed, 5)).choice([-1.0, 1.0], size=(samples, net.D))
    quad = np.einsum("md,md->m", v, net.hvp(theta, v))
    return Sharpness(top, float(quad.mean()), float(quad.std(ddof=1) / math.sqrt(samples)),
                     int(samples))  # fmt: skip


def extent_of(plane: Plane, paths, radius: float = 0.0, margin: float = 0.15,
              aspect: float = 0.5):  # fmt: skip
    """The plane's box ``((a0, a1), (b0, b1))``: around the projected ``paths`` (each
    ``(steps + 1, D)``; non-finite points ignored) and the square [−radius, radius]²
    about θ*, with a ``margin`` on every side (a box at least 1e-3 across), its shorter
    side widened about its middle to at least ``aspect`` times the longer (a path along
    d₁ alone would otherwise be drawn on a ribbon; the units stay equal)."""
    coords = [plane.coordinates(np.asarray(p)[np.all(np.isfinite(p), axis=-1)])
              for p in paths]  # fmt: skip
    corners = np.array([[-radius, -radius], [radius, radius]], dtype=float)
    coords = np.concatenate([c.reshape(-1, 2) for c in coords] + [corners])
    low, high = coords.min(axis=0), coords.max(axis=0)
    span = np.maximum(high - low, 1e-3)
    low, high = low - margin * span, high + margin * span
    span = high - low
    grow = np.maximum(aspect * span.max() - span, 0.0) / 2
    low, high = low - grow, high + grow
    return (float(low[0]), float(high[0])), (float(low[1]), float(high[1]))


def plane_surface(net: NetworkSurface, plane: Plane, domain, title: str = "") -> Surface:
    """The loss over the plane as a 2-D :class:`~surfaces.Surface` (coordinates (a, b),
    f(a, b) = f(θ* + a d₁ + b d₂), its gradient (d₁·∇f, d₂·∇f)), over ``domain``
    ``((a0, a1), (b0, b1))``: what the race view draws."""
    (a0, a1), (b0, b1) = domain
    if not (math.isfinite(a0) and math.isfinite(a1) and a0 < a1
            and math.isfinite(b0) and math.isfinite(b1) and b0 < b1):  # fmt: skip
        raise ValueError(f"domain must be ((a0, a1), (b0, b1)) with a0 < a1, b0 < b1, finite; "
                         f"got {domain!r}")  # fmt: skip
    directions = plane.directions

    def f(ab):
        ab = np.asarray(ab, dtype=float)
        return net.surface.f(plane.points(ab))

    def grad(ab):
        ab = np.asarray(ab, dtype=float)
        return net.surface.grad(plane.points(ab)) @ directions.T

    def hessian(ab):
        ab = np.asarray(ab, dtype=float)
        flat = plane.points(ab).reshape(-1, net.D)
        out = np.stack([directions @ np.asarray(net.hvp(t, directions)).T for t in flat])
        return out.reshape(ab.shape[:-1] + (2, 2))

    empty = np.empty((0, 2))
    return Surface(
        name=f"plane_{plane.kind}", title=title or f"{net.title}: {KIND_TITLES[plane.kind]}",
        latex=r"f(\theta^* + a\,d_1 + b\,d_2)", f=f, grad=grad, hessian=hessian,
        domain=((float(a0), float(a1)), (float(b0), float(b1))), minimizers=empty,
        min_value=0.0, saddles=empty, starts=np.zeros((1, 2)), log_scale=True,
        description=f"The training loss of the {net.title} over a plane through θ*.",
        axes=("a", "b"),
    )


@dataclass(frozen=True, eq=False)
class Projection:
    """A run seen on a plane: ``trajectory`` is its 2-D stand-in on the plane's surface
    (path: the projected coordinates (a, b); loss: the run's *true* training loss),
    ``distance`` ``(steps + 1,)`` how far each point is from the plane, ``plane_loss``
    the loss of the plane under the projected points of the steps ``plane_steps`` (at
    most PLANE_LOSS_POINTS of them, evenly spaced, the first and the last included: each
    is a forward pass over the training set), ``left_grid`` the first step whose
    projection is outside the plane's box (-1: never)."""

    trajectory: Trajectory
    distance: np.ndarray
    plane_steps: np.ndarray
    plane_loss: np.ndarray
    left_grid: int


def project(run: Trajectory, plane: Plane, surface: Surface) -> Projection:
    """``run`` (a network's, one start, a recorded path) projected onto ``plane``,
    whose loss over its box is ``surface`` (:func:`plane_surface`)."""
    if run.path is None or run.path.ndim != 2 or run.path.shape[1] != len(plane.origin):
        raise ValueError("run must be one start's run of this plane's network with its path "
                         "recorded (record='path' or 'points')")  # fmt: skip
    path = np.asarray(run.path)
    finite = np.all(np.isfinite(path), axis=1)
    ab = np.full((len(path), 2), np.nan)
    ab[finite] = plane.coordinates(path[finite])
    distance = np.full(len(path), np.nan)
    distance[finite] = plane.distance(path[finite])
    at = np.unique(np.linspace(0, len(path) - 1, min(len(path), PLANE_LOSS_POINTS))
                   .round().astype(int))  # fmt: skip
    under = np.full(len(at), np.nan)
    with np.errstate(all="ignore"):
        under[finite[at]] = surface.f(ab[at[finite[at]]])
    (a0, a1), (b0, b1) = surface.domain
    outside = ~((ab[:, 0] >= a0) & (ab[:, 0] <= a1) & (ab[:, 1] >= b0) & (ab[:, 1] <= b1))
    left = int(np.argmax(outside)) if outside.any() else -1
    with np.errstate(all="ignore"):
        grads = (np.asarray(run.grads) @ plane.directions.T if run.grads is not None
                 else None)  # fmt: skip
    two_d = Trajectory(
        optimizer=run.optimizer, surface=surface, hyperparams=run.hyperparams,
        steps=run.steps, start=_frozen(ab[0]), final_point=_frozen(ab[-1]),
        final_loss=run.final_loss, converged_step=run.converged_step,
        diverged_step=run.diverged_step, first_converged_step=run.first_converged_step,
        diverged_point=None if run.diverged_point is None or not np.all(np.isfinite(
            run.diverged_point)) else _frozen(plane.coordinates(run.diverged_point)),
        path=_frozen(ab), loss=run.loss, grads=None if grads is None else _frozen(grads),
        convention=run.convention, schedule=run.schedule, batch=run.batch,
    )  # fmt: skip
    at.flags.writeable = False
    return Projection(two_d, _frozen(distance), at, _frozen(under), left)


def first_below(loss, level) -> np.ndarray:
    """The first step at which ``loss`` ``(steps + 1, ...)`` is at most ``level`` (a
    number, or one per run ``(...)``); -1 where it never is."""
    loss = np.asarray(loss, dtype=float)
    below = loss <= np.asarray(level, dtype=float)
    return np.where(below.any(axis=0), np.argmax(below, axis=0), -1)


def travelled(path) -> float:
    """The length of a path ``(steps + 1, D)``: Σ |θ_{t+1} − θ_t|."""
    return float(np.sum(np.linalg.norm(np.diff(np.asarray(path), axis=0), axis=-1)))


PLATEAU_DROP = 0.10  # off the plateau: the loss 10 % below its value at the start


@dataclass(frozen=True)
class PlateauEscape:
    """Runs from θ₀ = δ·u for each δ of ``scales`` (u: one seeded draw of every weight
    from N(0, 1), the net's ``"scale"`` initialization): ``plateau`` the loss at the
    start (near the saddle at the origin, where every hidden unit is alike, it is
    about log K for K classes), ``escape_step`` the first step at which the loss is
    PLATEAU_DROP below it (-1: not within the steps), ``diverged_step`` the runner's."""

    optimizer: str
    scales: np.ndarray
    plateau: np.ndarray
    escape_step: np.ndarray
    diverged_step: np.ndarray
    steps: int


def plateau_escape(net: NetworkSurface, optimizer: str, scales, steps: int, *,
                   seed: int = 0, batch_size: int | None = None,
                   **hyperparams) -> PlateauEscape:  # fmt: skip
    """The saddle at the start (see :class:`PlateauEscape`): all the δ in one batch of
    starts of the runner, each start its own run."""
    from .runner import run as _run

    scales = np.asarray(scales, dtype=float)
    if scales.ndim != 1 or not len(scales) or not np.all((scales > 0) & np.isfinite(scales)):
        raise ValueError(f"scales must be a 1-D array of numbers > 0; got {scales!r}")
    rng = np.random.default_rng((_check_seed(seed), 2))
    unit = rng.standard_normal(net.D)
    starts = scales[:, None] * unit
    result = _run(optimizer, net, starts, steps, record="points", seed=seed,
                  batch_size=batch_size, **hyperparams)  # fmt: skip
    loss = np.asarray(result.loss)
    plateau = loss[0]
    return PlateauEscape(result.optimizer, scales, plateau,
                         first_below(loss, (1 - PLATEAU_DROP) * plateau),
                         np.asarray(result.diverged_step), steps)  # fmt: skip


def plane_grid(net: NetworkSurface, plane: Plane, domain, resolution: int = MAX_GRID):
    """``(a, b, loss)``: the loss on a ``resolution`` × ``resolution`` grid over
    ``domain``, one batched forward pass (``loss[j, i]`` at ``(a[i], b[j])``)."""
    if (isinstance(resolution, bool) or not isinstance(resolution, numbers.Integral)
            or not 2 <= resolution <= MAX_GRID):  # fmt: skip
        raise ValueError(f"resolution must be an integer in [2, {MAX_GRID}]; got "
                         f"{resolution!r}")  # fmt: skip
    (a0, a1), (b0, b1) = domain
    a, b = np.linspace(a0, a1, resolution), np.linspace(b0, b1, resolution)
    ab = np.stack(np.meshgrid(a, b), -1)
    return a, b, net.loss(plane.points(ab).reshape(-1, net.D)).reshape(ab.shape[:-1])


__all__ = ["KINDS", "KIND_TITLES", "MAX_GRID", "Plane", "Projection", "Sharpness",
           "PLATEAU_DROP", "PlateauEscape", "extent_of", "filter_normalized", "first_below",
           "plane", "plane_grid", "plane_surface", "plateau_escape", "project",
           "sharpness", "travelled"]
