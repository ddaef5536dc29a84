r"""Many workers, simulated: K workers in one process on a seeded schedule, a picture of
the parallel algorithms of the seeds (not a distributed run).

:func:`run_workers` steps K workers at once (their points are one ``(K, 2)`` batch, each
gradient one call for all of them) and returns a :class:`WorkersRun`: the server's (or
the center's) path and every worker's path. Each worker's gradient is the surface's,
plus, with ``noise_eta`` > 0, its own draw of N(0, σ_t² I), σ_t² = η/(1 + t)^γ (a
worker's own mini-batch stream, on an analytic surface); on a data surface with a
``batch_size`` B, each worker takes the gradient of its own mini-batches, drawn from its
own seeded stream (a new permutation of the n examples every epoch, cut into batches
of B).

**EASGD** (Zhang, Choromanska & LeCun 2015), the synchronous form, with the elastic
coefficient a = η ρ (their α):

.. math::

    x_i \leftarrow x_i - \eta\, g_i(x_i) - a\,(x_i - \tilde x), \qquad
    \tilde x \leftarrow \tilde x + a \sum_i (x_i - \tilde x)

both from the values before the step (the center moves toward the workers' mean as they
move toward it). **EAMSGD**, its momentum form (their Algorithm 2, communicating every
step): v_i ← δ v_i − η g_i(x_i + δ v_i); x_i ← x_i + v_i − a (x_i − x̃), and the same
center update. Workers start at one point or at K points of their own; the center
starts at their mean.

**Downpour SGD** (Dean et al. 2012): a parameter server θ and K workers, each with a local
copy θ_k. Every step each worker takes its gradient at its copy, steps its copy by SGD
(θ_k ← θ_k − η g) and adds g to what it has accumulated; worker k (k = 0 … K − 1)
pushes at the steps t ≡ k + 1 (mod ``push``), staggered: it sends the accumulation Σg
to the server, which applies the pushes of a step in a seeded random order, each by SGD
(θ ← θ − η Σg) or AdaGrad as the race's (G ← G + (Σg)², θ ← θ − η Σg/√(G + ε)); at
the end of the steps t ≡ k (mod ``fetch``) worker k copies θ back. A worker's path is
its copy after its own step, before any fetch. The server starts at the workers' mean.
With K = 1 and push = fetch = 1 it is SGD (or AdaGrad); with K workers and push =
fetch = 1 the server takes K pushes a step, each a gradient at its current point: SGD
with a step K η on the mean of K gradients.

A run has diverged at the first step at which the center or any worker's copy leaves
the divergence box (or the finite numbers); from there on nothing moves.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field

import numpy as np

import surfaces
from surfaces import Surface

from .runner import (
    CONVERGED_DIST_TOL,
    CONVERGED_GRAD_TOL,
    Trajectory,
    divergence_box,
)
from .runner import run as run_one

SCHEMES = ("easgd", "eamsgd", "downpour")
SERVER_RULES = ("sgd", "adagrad")
MAX_WORKERS = 16
MAX_WORKER_STEPS = 20_000
MAX_INTERVAL = 100
MAX_SERIAL_STEPS = 100_000  # the runner's cap: serial SGD's K·T steps stop there


@dataclass(frozen=True, eq=False)
class WorkersRun:
    """What :func:`run_workers` returns: ``center`` ``(steps + 1, 2)``, the server's or
    the center's path; ``paths`` ``(steps + 1, K, 2)``, each worker's (its local copy);
    ``center_loss`` ``(steps + 1,)`` and ``loss`` ``(steps + 1, K)``, f along them;
    ``diverged_step``: the first step at which the center or a worker's copy left the
    divergence box or the finite numbers (-1: never; ``extra["diverged_worker"]`` says
    which worker, -1 the center); from there on nothing moves. ``converged_step``:
    the step from which the center stays within the runner's tolerance of a minimizer
    (:func:`converged_step`; -1: never)."""

    scheme: str
    surface: Surface
    steps: int
    workers: int
    params: dict
    center: np.ndarray
    paths: np.ndarray
    center_loss: np.ndarray
    loss: np.ndarray
    diverged_step: int = -1
    converged_step: int = -1
    extra: dict = field(default_factory=dict)

    @property
    def diverged(self) -> bool:
        return self.diverged_step >= 0

    @property
    def gradients(self) -> int:
        """The gradients the workers took in all: K a step."""
        return self.workers * self.steps

    def trajectories(self) -> tuple[Trajectory, list[Trajectory]]:
        """The center's path and each worker's as the runner's records (``record="path"``,
        optimizer "sgd", the run's α), for the race view: ``(center, [worker, …])``."""

        def record(path, loss, diverged, converged=None):
            path = np.asarray(path)
            if converged is None:
                converged = converged_step(self.surface, path)
            return Trajectory(
                optimizer="sgd", surface=self.surface, hyperparams={"lr": self.params["lr"]},
                steps=self.steps, start=path[0], final_point=path[-1], final_loss=loss[-1],
                converged_step=np.asarray(converged),
                diverged_step=np.asarray(diverged), path=path, loss=loss,
                diverged_point=np.full(2, np.nan),
            )  # fmt: skip

        return (record(self.center, self.center_loss, self.diverged_step, self.converged_step),
                [record(self.paths[:, k], self.loss[:, k], self.diverged_step)
                 for k in range(self.workers)])  # fmt: skip


def _whole(name: str, value, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or not (
            low <= value <= high):  # fmt: skip
        raise ValueError(f"{name} must be an integer in [{low}, {high}]; got {value!r}")
    return int(value)


def _real(name: str, value, low: float, high: float = math.inf) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not (
            math.isfinite(value) and low <= value <= high):  # fmt: skip
        raise ValueError(f"{name} must be a finite number in [{low:g}, {high:g}]; got "
                         f"{value!r}")  # fmt: skip
    return float(value)


def run_workers(scheme: str, surface, start, steps: int, *, workers: int = 4,
                lr: float = 0.01, rho: float = 1.0, momentum: float = 0.9,
                push: int = 1, fetch: int = 1, server: str = "sgd", eps: float = 1e-7,
                noise_eta: float = 0.0, noise_gamma: float = 0.55,
                batch_size: int | None = None, seed: int = 0) -> WorkersRun:  # fmt: skip
    """Run ``scheme`` ("easgd", "eamsgd" or "downpour"; see the module's docstring) with
    ``workers`` = K workers on ``surface`` for ``steps`` steps from ``start``: one point
    ``(2,)`` for all, or ``(K, 2)``, one each. ``lr`` = η; EASGD's ``rho`` = ρ (a = ηρ)
    and EAMSGD's ``momentum`` = δ; Downpour's ``push``, ``fetch`` intervals and the
    ``server``'s rule ("sgd" or "adagrad", with ``eps``, the race's AdaGrad default);
    ``noise_eta``, ``noise_gamma`` (an analytic surface) or ``batch_size`` (a data
    surface): each worker's own noisy gradients, from ``seed``. Every argument is checked
    first; a ValueError names the parameter, its value and the valid range."""
    if scheme not in SCHEMES:
        raise ValueError(f"scheme must be one of {list(SCHEMES)}; got {scheme!r}")
    surf = surface if isinstance(surface, Surface) else surfaces.get(surface)
    if surf.dim != 2:
        raise ValueError(f"run_workers draws 2-D surfaces; {surf.name} has D = {surf.dim}")
    steps = _whole("steps", steps, 1, MAX_WORKER_STEPS)
    K = _whole("workers", workers, 1, MAX_WORKERS)
    lr = _real("lr", lr, 0.0)
    rho, momentum = _real("rho", rho, 0.0), _real("momentum", momentum, 0.0, 1.0)
    push, fetch = _whole("push", push, 1, MAX_INTERVAL), _whole("fetch", fetch, 1, MAX_INTERVAL)
    if server not in SERVER_RULES:
        raise ValueError(f"server must be one of {list(SERVER_RULES)}; got {server!r}")
    eps = _real("eps", eps, 0.0)
    eta, gamma = _real("noise_eta", noise_eta, 0.0), _real("noise_gamma", noise_gamma, 0.0)
    seed = _whole("seed", seed, 0, 2**63 - 1)
    if batch_size is not None:
        if surf.data is None:
            raise ValueError(f"batch_size: {surf.name} is not a data surface; only "
                             f"{', '.join(surfaces.data_names())} take a batch size")  # fmt: skip
        batch_size = _whole("batch_size", batch_size, 1, surf.data.n)
        if eta > 0:
            raise ValueError("give noise_eta (noise on an analytic surface) or batch_size "
                             "(each worker's own batches of the data), not both")  # fmt: skip
    points = np.asarray(start, dtype=float)
    if points.shape == (2,):
        points = np.broadcast_to(points, (K, 2)).copy()
    if points.shape != (K, 2) or not np.all(np.isfinite(points)):
        raise ValueError(f"start must be one point (2,) or one per worker ({K}, 2), finite; "
                         f"got shape {np.shape(start)}")  # fmt: skip
    a = lr * rho
    if scheme != "downpour" and K * a > 1:  # the center would overshoot the workers' mean
        raise ValueError(f"rho: the elastic coefficient a = lr·rho = {a:g} times K = {K} "
                         f"must be at most 1 (the center's step); got rho = {rho:g}")
    params = {"lr": lr, "rho": rho, "momentum": momentum, "push": push, "fetch": fetch,
              "server": server, "eps": eps, "noise_eta": eta, "noise_gamma": gamma,
              "batch_size": batch_size, "seed": seed}  # fmt: skip
    rng = np.random.default_rng([seed, 3])  # the workers' noise and the arrival order
    low, high = divergence_box(surf)

    streams = ([_batches(surf.data.n, batch_size, seed, k) for k in range(K)]
               if batch_size is not None and batch_size < surf.data.n else None)  # fmt: skip

    def gradients(x, t):  # each worker's gradient, one call for all, its own noise
        if streams is not None:  # each its own batch: a call per worker (K ≤ 16)
            return np.concatenate([surf.data.batch_grad(x[k : k + 1], next(streams[k]))
                                   for k in range(K)])  # fmt: skip
        g = np.asarray(surf.grad(x), dtype=float)
        if eta > 0:
            g = g + math.sqrt(eta / (1 + t) ** gamma) * rng.standard_normal(g.shape)
        return g

    x = points.copy()
    centre = x.mean(axis=0)
    paths = np.empty((steps + 1, K, 2))
    center = np.empty((steps + 1, 2))
    paths[0], center[0] = x, centre
    v = np.zeros((K, 2))  # EAMSGD's velocities
    local = x.copy()  # Downpour's copies
    acc = np.zeros((K, 2))
    sq = np.zeros(2)  # the AdaGrad server's sum of squares
    diverged, left = -1, -1
    with np.errstate(all="ignore"):
        for t in range(1, steps + 1):
            if diverged >= 0:
                paths[t], center[t] = paths[t - 1], center[t - 1]
                continue
            if scheme == "easgd":
                pull = x - centre
                x = x - lr * gradients(x, t) - a * pull
                centre = centre + a * pull.sum(axis=0)
            elif scheme == "eamsgd":
                pull = x - centre
                v = momentum * v - lr * gradients(x + momentum * v, t)
                x = x + v - a * pull
                centre = centre + a * pull.sum(axis=0)
            else:
                g = gradients(local, t)
                local = local - lr * g
                acc = acc + g
                for k in rng.permutation(K):  # this step's pushes, in arrival order
                    if (t - 1 - k) % push == 0:
                        if server == "sgd":
                            centre = centre - lr * acc[k]
                        else:
                            sq = sq + acc[k] * acc[k]
                            centre = centre - lr * acc[k] / np.sqrt(sq + eps)
                        acc[k] = 0.0
                x = local  # (the path: each copy after its own step)
                refresh = (t - np.arange(K)) % fetch == 0
                local = np.where(refresh[:, None], centre, local)
            paths[t], center[t] = x, centre
            inside = np.all(np.isfinite(x) & (x >= low) & (x <= high), axis=1)
            if not (np.all(np.isfinite(centre)) and np.all(centre >= low)
                    and np.all(centre <= high)):  # fmt: skip
                diverged, left = t, -1
            elif not inside.all():
                diverged, left = t, int(np.argmin(inside))
    with np.errstate(all="ignore"):
        center_loss = np.asarray(surf.f(center), dtype=float)
        loss = np.asarray(surf.f(paths), dtype=float)
    for arr in (center, paths, center_loss, loss):
        arr.flags.writeable = False
    return WorkersRun(scheme, surf, steps, K, params, center, paths, center_loss, loss,
                      diverged, converged_step(surf, center),
                      {"diverged_worker": left})  # fmt: skip


def scattered(surface: Surface, workers: int, seed: int = 0) -> np.ndarray:
    """K starts ``(K, 2)`` drawn uniformly over the surface's domain from ``seed`` (its
    own stream): workers that start apart."""
    (x0, x1), (y0, y1) = surface.domain
    rng = np.random.default_rng([seed, 5])
    return np.column_stack([rng.uniform(x0, x1, workers), rng.uniform(y0, y1, workers)])


def _batches(n: int, batch_size: int, seed: int, worker: int):
    """Worker ``worker``'s mini-batches: a new permutation of the n examples every
    epoch from its own stream, cut into batches of B (the last one smaller)."""
    rng = np.random.default_rng([seed, 4, worker])
    while True:
        epoch = rng.permutation(n)
        for lo in range(0, n, batch_size):
            yield epoch[lo : lo + batch_size]


def converged_step(surface: Surface, path) -> int:
    """The runner's verdict on one path ``(steps + 1, 2)``: the first step k within
    ``CONVERGED_DIST_TOL`` of a global minimizer with a gradient norm at most
    ``CONVERGED_GRAD_TOL`` from which every later point stays within ``CONVERGED_DIST_TOL``
    of it (-1: never; a surface without minimizers never converges)."""
    path = np.asarray(path, dtype=float)
    if len(surface.minimizers) == 0:
        return -1
    with np.errstate(all="ignore"):
        gaps = np.stack([np.hypot(path[:, 0] - mx, path[:, 1] - my)
                         for mx, my in surface.minimizers])  # fmt: skip
    near = np.argmin(gaps, axis=0)
    close = gaps.min(axis=0) <= CONVERGED_DIST_TOL
    # a stretch at the end that stays close to one minimizer
    stays = close & (near == near[-1])
    if not stays[-1]:
        return -1
    first = len(stays) - int(np.argmin(stays[::-1])) if not stays.all() else 0
    with np.errstate(all="ignore"):
        small = np.hypot(*np.moveaxis(np.asarray(surface.grad(path[first:]), dtype=float),
                                      -1, 0)) <= CONVERGED_GRAD_TOL  # fmt: skip
    if not small.any():
        return -1
    return first + int(np.argmax(small))


def serial(run: WorkersRun) -> Trajectory:
    """The same work in one process: K·T steps (at most ``MAX_SERIAL_STEPS``) of the run's
    α from the center's start, with the run's batch size or gradient noise (its own
    draws; with γ > 0 its σ decays over its own K·T steps, the workers' over their T)
    and seed, by SGD — or, for Downpour with an AdaGrad server, by AdaGrad (the
    server's rule, ε the same)."""
    p = run.params
    options = ({"batch_size": p["batch_size"]} if p["batch_size"] is not None
               else {"noise_eta": p["noise_eta"], "noise_gamma": p["noise_gamma"]}
               if p["noise_eta"] else {})  # fmt: skip
    rule = serial_rule(run)
    if rule == "adagrad":
        options["eps"] = p["eps"]
    return run_one(rule, run.surface, run.center[0], min(run.gradients, MAX_SERIAL_STEPS),
                   lr=p["lr"], seed=p["seed"], **options)  # fmt: skip


def serial_rule(run: WorkersRun) -> str:
    """The optimizer :func:`serial` runs: the server's rule for Downpour, else SGD."""
    return run.params["server"] if run.scheme == "downpour" else "sgd"


def tail_gap(surface: Surface, loss) -> float:
    """f − f* (f where no minimum is known) averaged over the last tenth of ``loss``
    (at least its last value): a noisy run's level, not one step's luck."""
    loss = np.asarray(loss, dtype=float)
    tail = loss[-max(1, len(loss) // 10):]
    base = surface.min_value if math.isfinite(surface.min_value) else 0.0
    return float(np.mean(tail - base))


def delay_bound(tau) -> np.ndarray:
    """The largest stable αL of SGD with a fixed delay τ on f = (L/2)|w|²: the roots of
    z^(τ+1) − z^τ + αL stay inside the unit circle exactly while αL < 2 sin(π/(2(2τ + 1)))."""
    tau = np.asarray(tau, dtype=float)
    return 2 * np.sin(np.pi / (2 * (2 * tau + 1)))


def delay_stability(taus, alphas, steps: int = 2000) -> np.ndarray:
    """What SGD with each fixed delay τ does at each α on the round bowl ½|w|² (L = 1),
    from (1, 0.5), ``(len(taus), len(alphas))``: 1 converged, -1 diverged, 0 neither
    within ``steps`` (one :func:`optim_core.sweep` over α per τ)."""
    from .analysis import sweep  # (analysis imports the runner, as this module does)

    bowl = surfaces.get("quadratic", kappa=1)
    out = np.zeros((len(taus), len(alphas)), dtype=np.int64)
    for i, tau in enumerate(taus):
        found = sweep("sgd", bowl, (1.0, 0.5), steps, {"lr": np.asarray(alphas, dtype=float)},
                      delay=int(tau))  # fmt: skip
        out[i] = np.where(found.converged_step >= 0, 1, np.where(found.diverged_step >= 0, -1, 0))
    return out


__all__ = ["MAX_WORKERS", "SCHEMES", "SERVER_RULES", "WorkersRun", "converged_step",
           "delay_bound", "delay_stability", "run_workers", "scattered", "serial", "serial_rule",
           "tail_gap"]
