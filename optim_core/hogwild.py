r"""Hogwild! (Niu, Recht, Ré & Wright 2011), simulated: K workers update one shared vector
without a lock, each example's gradient written coordinate by coordinate; K workers in
one process on a seeded schedule, a picture of the algorithm, not a parallel run.

Niu et al.'s Algorithm 1, for each worker: loop { sample an example e; read the current
state x_e of the shared vector on e's coordinates; compute G_e(x_e); for each v in e's
support: x_v ← x_v − γ b_vᵀ G_e(x) } — each coordinate's write an atomic add, no lock on
the whole vector, so other workers' writes land between a worker's read and its write.

**The interleaving** (:func:`run_hogwild`). Time runs in rounds r = 1 … R; in every round
each of the K workers writes one example's gradient. The examples come from one stream
e₁, e₂, … (reshuffled every epoch from ``seed``: exactly ``run(..., batch_size=1,
seed=seed)``'s), round-major: worker k's write in round r uses e_{(r−1)K+k}. A round's
coordinate writes (k, v), v in the support S_k of worker k's example, land in the order of
seeded keys u_{r,k,v} ~ U(0, 1) (all workers' writes interleaved, coordinate by
coordinate), each one

.. math::

    x_v \leftarrow x_v - \gamma\, [G_{e}(\hat x_k)]_v ,
    \qquad G_e(w) = 2\,(w \cdot a_e - y_e)\, a_e

(the least-squares example's gradient: ``DataSet.example_grads``), where x̂_k is what
worker k read. A worker reads right after its own last write of a round lands (at
max_{v∈S_k} u_{r,k,v}): the shared vector at that instant, which may hold only part of
another worker's write (an inconsistent read), and with ``lag`` = ℓ it writes that read's
gradient ℓ + 1 rounds later (ℓ iterations more in flight: configurable staleness). So the
write of round r uses the read made at the end of round r − 1 − ℓ, the start x⁰ while
r − 1 − ℓ < 1; off its support a gradient is zero, and a worker reads and writes only S_k.

A write (k, v) is a **conflict** when coordinate v was written (by any worker) between
worker k's read of it and this write: the overwrite race of Niu et al. With K = 1 and
ℓ = 0 this is serial SGD with batch size 1, bit for bit; with K = 1 and ℓ = τ it is
``run(..., batch_size=1, delay=τ)``. The K workers of a round are one ``(K, 2)`` batch: one
gradient call, one sort of the writes per coordinate, and one running sum (a sequential
one: the writes land one after another, so the shared vector along the round is exactly
the plain loop's).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

import surfaces
from surfaces import Surface

from .batches import batch_indices
from .runner import divergence_box
from .workers import MAX_WORKERS, _real, _whole

MAX_HOGWILD_STEPS = 20_000  # rounds (serial SGD to compare takes K·R ≤ 100,000 steps)
MAX_LAG = 100


@dataclass(frozen=True, eq=False)
class HogwildRun:
    """What :func:`run_hogwild` returns, R = ``steps`` rounds of K = ``workers`` writes:

    - ``path`` ``(R + 1, 2)``: the shared vector at the start and after each round;
      ``loss`` ``(R + 1,)``: f along it;
    - ``reads`` ``(R, K, 2)``: the shared vector as each worker read it for its write of
      each round (only its example's coordinates enter the gradient);
      ``last_read`` ``(K, 2)``: each worker's read after the last round;
    - ``examples`` ``(R, K)``: each write's example; ``writes`` ``(R, K)``: its
      coordinate writes (the example's support size); ``conflicts`` ``(R, K)``: those
      whose coordinate another write had changed since the worker read it;
    - ``diverged_step``: the first round after which the shared vector left the
      divergence box or the finite numbers (-1: never); from there on nothing moves.
    """

    surface: Surface
    start: np.ndarray
    steps: int
    workers: int
    params: dict
    path: np.ndarray
    loss: np.ndarray
    reads: np.ndarray
    last_read: np.ndarray
    examples: np.ndarray
    writes: np.ndarray
    conflicts: np.ndarray
    diverged_step: int = -1

    @property
    def diverged(self) -> bool:
        return self.diverged_step >= 0

    @property
    def rounds_run(self) -> int:
        """The rounds whose writes landed (up to the divergence)."""
        return self.diverged_step if self.diverged else self.steps

    @property
    def gradients(self) -> int:
        """The example gradients used: K a round, up to the divergence."""
        return self.workers * self.rounds_run

    @property
    def gradient_counts(self) -> np.ndarray:
        """``(R + 1,)``: the gradients used by each point of ``path`` (K r)."""
        return self.workers * np.arange(self.steps + 1)

    @property
    def conflict_count(self) -> int:
        return int(self.conflicts[: self.rounds_run].sum())

    @property
    def write_count(self) -> int:
        return int(self.writes[: self.rounds_run].sum())


def example_stream(n: int, count: int, seed: int) -> np.ndarray:
    """The first ``count`` examples of ``run(..., batch_size=1, seed=seed)``'s stream
    (a permutation of the n examples each epoch): whole epochs of
    :func:`~optim_core.batches.batch_indices` (its permutations do not depend on B)."""
    epochs = math.ceil(count / n)
    return np.concatenate(list(itertools.islice(batch_indices(n, n, seed), epochs)))[:count]


def run_hogwild(surface, start, steps: int, *, workers: int = 4, lr: float = 0.05,
                seed: int = 0, lag: int = 0) -> HogwildRun:  # fmt: skip
    """Hogwild! with ``workers`` = K workers for ``steps`` = R rounds (K·R gradients) from
    ``start`` ``(2,)`` on a data surface whose examples declare their support (the
    sparse regression, :func:`surfaces.data.sparse_regression`), step ``lr`` = γ,
    ``seed`` for the examples and the order of the writes, ``lag`` = ℓ extra rounds
    between a read and its write. The interleaving is the module's. Every argument is
    checked first; a ValueError names the parameter, its value and the valid range."""
    surf = surface if isinstance(surface, Surface) else surfaces.get(surface)
    data = surf.data
    if data is None or data.support is None or data.example_grads is None:
        raise ValueError(f"surface: Hogwild! needs examples that declare their support "
                         f"(sparse_regression); {surf.name} does not")  # fmt: skip
    steps = _whole("steps", steps, 1, MAX_HOGWILD_STEPS)
    K = _whole("workers", workers, 1, MAX_WORKERS)
    lr = _real("lr", lr, 0.0)
    seed = _whole("seed", seed, 0, 2**63 - 1)
    lag = _whole("lag", lag, 0, MAX_LAG)
    x = np.array(start, dtype=float)
    if x.shape != (2,) or not np.all(np.isfinite(x)):
        raise ValueError(f"start must be one finite point (2,); got {np.asarray(start)!r}"[:200])
    R = steps
    examples = example_stream(data.n, K * R, seed).reshape(R, K)
    support = data.support[examples]  # (R, K, 2)
    keys = np.random.default_rng([seed, 4]).random((R, K, 2))  # each write's time in its round
    low, high = divergence_box(surf)
    workers_ix = np.arange(K)
    # made[j]: the reads made at the end of round j (made[0]: the start), and the version
    # of each coordinate (how many writes it had had) each of them saw
    made = np.empty((R + 1, K, 2))
    made[0] = x
    seen = np.zeros((R + 1, K, 2), dtype=np.int64)
    version = np.zeros(2, dtype=np.int64)
    path = np.empty((R + 1, 2))
    path[0] = x
    reads = np.empty((R, K, 2))
    conflicts = np.zeros((R, K), dtype=np.int64)
    writes = support.sum(axis=2)
    diverged = -1
    with np.errstate(all="ignore"):
        for r in range(1, R + 1):
            if diverged >= 0:
                path[r], made[r], seen[r], reads[r - 1] = (path[r - 1], made[r - 1],
                                                           seen[r - 1], reads[r - 2])
                continue
            sup, key = support[r - 1], keys[r - 1]
            source = max(0, r - 1 - lag)
            read, read_version = made[source], seen[source]
            reads[r - 1] = read
            g = data.example_grads(np.where(sup, read, 0.0), examples[r - 1])
            delta = np.where(sup, -(lr * g), 0.0)  # x_v + (−γ g_v) is x_v − γ g_v exactly
            order = np.argsort(key, axis=0, kind="stable")  # each coordinate's writes in time
            trail = np.cumsum(np.vstack([x, np.take_along_axis(delta, order, 0)]), axis=0)
            landed = np.vstack([np.zeros(2, dtype=np.int64),
                                np.cumsum(np.take_along_axis(sup, order, 0), axis=0)])
            # the versions before each write: conflicts are writes to a coordinate changed
            # since the worker read it
            rank = np.empty_like(order)
            np.put_along_axis(rank, order, workers_ix[:, None], 0)
            before = version + np.take_along_axis(landed, rank, 0)
            conflicts[r - 1] = np.sum(sup & (before != read_version), axis=1)
            # each worker reads right after its own last write of the round lands
            at = np.max(np.where(sup, key, -1.0), axis=1)
            sorted_keys = np.take_along_axis(key, order, 0)
            after = np.column_stack([np.searchsorted(sorted_keys[:, v], at, side="right")
                                     for v in range(2)])  # fmt: skip
            made[r] = np.column_stack([trail[after[:, v], v] for v in range(2)])
            seen[r] = version + np.column_stack([landed[after[:, v], v] for v in range(2)])
            x = trail[-1]
            version = version + landed[-1]
            path[r] = x
            if not (np.all(np.isfinite(x)) and np.all(x >= low) and np.all(x <= high)):
                diverged = r
        loss = np.asarray(surf.f(path), dtype=float)
    for arr in (path, loss, reads, made, examples, writes, conflicts):
        arr.flags.writeable = False
    return HogwildRun(surf, np.array(start, dtype=float), steps, K,
                      {"lr": lr, "seed": seed, "lag": lag}, path, loss, reads,
                      made[R], examples, writes, conflicts, diverged)  # fmt: skip


def serial_sgd(run: HogwildRun):
    """Serial SGD with the same gradients: batch size 1 for K·R steps over the same
    example stream, the same γ and start (:func:`optim_core.run`)."""
    from .runner import run as run_optimizer

    return run_optimizer("sgd", run.surface, run.start, run.workers * run.steps,
                         lr=run.params["lr"], batch_size=1, seed=run.params["seed"],
                         record="points")  # fmt: skip


TOL_FACTOR = 2.0  # the tolerance: twice serial SGD's floor on the same data


@dataclass(frozen=True, eq=False)
class Comparison:
    """Hogwild! against serial SGD with the same gradients (:func:`compare`).

    ``counts`` ``(R + 1,)``: the gradients used (K r); ``excess`` and ``serial_excess``
    ``(R + 1,)``: f − f* of the shared vector and of serial SGD at those counts;
    ``floor`` and ``serial_floor``: their means over the last quarter (:func:`floor`);
    ``tol`` = 2 × ``serial_floor``, and ``to_tol``, ``serial_to_tol``: the gradients
    each took to reach it (-1: never)."""

    run: HogwildRun
    serial: object  # the optim_core.Trajectory of serial SGD
    counts: np.ndarray
    excess: np.ndarray
    serial_excess: np.ndarray
    floor: float
    serial_floor: float
    tol: float
    to_tol: int
    serial_to_tol: int

    @property
    def floor_ratio(self) -> float:
        """Hogwild!'s floor over serial SGD's (1: as low)."""
        return self.floor / self.serial_floor


def compare(surface, start, gradients: int, *, workers: int = 4, lr: float = 0.05,
            seed: int = 0, lag: int = 0) -> Comparison:  # fmt: skip
    """Hogwild! with K = ``workers`` for ⌊``gradients``/K⌋ rounds and serial SGD (batch
    size 1) over the same example stream for as many gradients, from the same start
    with the same γ: f − f* of both at every K-th gradient, their floors, and the
    gradients each needs to reach twice serial SGD's floor."""
    K = _whole("workers", workers, 1, MAX_WORKERS)
    total = _whole("gradients", gradients, K, K * MAX_HOGWILD_STEPS)
    run = run_hogwild(surface, start, total // K, workers=K, lr=lr, seed=seed, lag=lag)
    serial = serial_sgd(run)
    best = run.surface.min_value
    counts = run.gradient_counts
    excess = run.loss - best
    with np.errstate(invalid="ignore"):
        serial_excess = np.asarray(serial.loss, dtype=float)[counts] - best
        serial_floor = floor(serial_excess)
        tol = TOL_FACTOR * serial_floor
        return Comparison(run, serial, counts, excess, serial_excess, floor(excess),
                          serial_floor, tol, gradients_to(excess, counts, tol),
                          gradients_to(serial_excess, counts, tol))  # fmt: skip


def gradients_to(excess: np.ndarray, counts: np.ndarray, tol: float) -> int:
    """The gradients used when f − f* (``excess``, along a path) first falls to ``tol``
    or below; -1 if it never does."""
    hit = np.flatnonzero(np.asarray(excess) <= tol)
    return int(np.asarray(counts)[hit[0]]) if len(hit) else -1


def floor(excess: np.ndarray) -> float:
    """The mean of f − f* over the last quarter of a path: where constant-step SGD sways."""
    excess = np.asarray(excess, dtype=float)
    return float(np.mean(excess[len(excess) - max(1, len(excess) // 4):]))


__all__ = ["MAX_HOGWILD_STEPS", "MAX_LAG", "TOL_FACTOR", "Comparison", "HogwildRun", "compare",
           "example_stream", "floor", "gradients_to", "run_hogwild", "serial_sgd"]
