r"""The order in which a run meets the examples: which examples each step's batch holds.

``run(..., batch_size=B, order=...)`` on a data surface or a network draws its batches
from :func:`batch_indices`. An *epoch* is one pass over a pool of examples, cut into
batches of B (the last one smaller when B does not divide the pool); every start of a
run sees the same batches.

- ``"reshuffle"`` (the default): every epoch a new random permutation of all n
  examples, from the seed.
- ``"fixed"``: one random permutation, drawn once from the seed, every epoch.
- ``"sorted"``: the order the data arrive in (``DataSet.arrival``: by x for the
  regression, by class for the classifiers), every epoch: no randomness at all.
- ``"curriculum"``: easy examples first (Bengio et al. 2009). The examples are ranked
  by a difficulty, easiest first: ``difficulty="start"``, each example's own loss at
  the run's start (its first start, when there are several), or ``"boundary"``, its
  distance from the fit of all the data (``DataSet.hardness``: from the best line, or
  how far on the wrong side of the best boundary it lies). Stage k of S holds the
  easiest ⌈k n / S⌉ examples and lasts ``stage_epochs`` epochs over them, reshuffled
  each epoch; the last stage (all n) lasts for the rest of the run.
- ``"mixed"``: that curriculum with the rest of the data mixed in, as in Zaremba &
  Sutskever's combined strategy (2014: every example comes either from the
  curriculum's current level or from all levels at random): each epoch of a stage
  takes its pool and, drawn at random, a fraction ``mix`` of the examples outside it.

A curriculum's batch size B can exceed its first stages' pools: a step then takes the
whole pool. With B = n the reshuffled, fixed and sorted orders are the full gradient
(the runner takes it exactly); a curriculum is not, until its last stage.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

ORDERS = ("reshuffle", "fixed", "sorted", "curriculum", "mixed")
STAGED = ("curriculum", "mixed")  # the orders that start from a part of the data
DIFFICULTIES = ("start", "boundary")
MAX_STAGES = 10
MAX_STAGE_EPOCHS = 1000


@dataclass(frozen=True)
class Order:
    """How a run's batches are drawn (see the module's docstring)."""

    kind: str = "reshuffle"
    difficulty: str = "start"  # curriculum, mixed: "start" or "boundary"
    stages: int = 3  # curriculum, mixed: S
    stage_epochs: int = 5  # curriculum, mixed: epochs in each stage but the last
    mix: float = 0.25  # mixed: the fraction of the examples outside the pool added

    def __post_init__(self):
        if not isinstance(self.kind, str) or self.kind not in ORDERS:
            raise ValueError(f"order must be one of {list(ORDERS)}; got {self.kind!r}")
        if self.difficulty not in DIFFICULTIES:
            raise ValueError(f"order: difficulty must be one of {list(DIFFICULTIES)}; got "
                             f"{self.difficulty!r}")  # fmt: skip
        for name, value, high in (("stages", self.stages, MAX_STAGES),
                                  ("stage_epochs", self.stage_epochs, MAX_STAGE_EPOCHS)):
            if (isinstance(value, bool) or not isinstance(value, numbers.Integral)
                    or not 1 <= value <= high):  # fmt: skip
                raise ValueError(f"order: {name} must be an integer in [1, {high}]; got "
                                 f"{value!r}")  # fmt: skip
        if (isinstance(self.mix, bool) or not isinstance(self.mix, numbers.Real)
                or not 0 <= self.mix <= 1):  # fmt: skip
            raise ValueError(f"order: mix must be a fraction in [0, 1]; got {self.mix!r}")

    @property
    def staged(self) -> bool:
        return self.kind in STAGED

    def describe(self) -> str:
        """In words, for a page or a table."""
        if self.kind == "reshuffle":
            return "reshuffled every epoch"
        if self.kind == "fixed":
            return "one fixed shuffle"
        if self.kind == "sorted":
            return "sorted (the order the data arrive in)"
        by = "its loss at the start" if self.difficulty == "start" else \
            "its distance from the fit of all the data"
        words = (f"curriculum by {by}: {self.stages} stages of {self.stage_epochs} epochs, "
                 "easiest first")
        if self.kind == "mixed":
            words += f", {self.mix:.0%} of the harder ones mixed in"
        return words


def as_order(order) -> Order:
    """An :class:`Order` from an Order, a kind's name (its other settings default) or a
    mapping of its fields (as an export writes it)."""
    if isinstance(order, Order):
        return order
    if isinstance(order, str):
        return Order(order)
    if isinstance(order, Mapping):
        unknown = set(order) - {f.name for f in dataclasses.fields(Order)}
        if unknown:
            raise ValueError(f"order: unknown field(s) {sorted(unknown)}")
        return Order(**order)
    raise ValueError(f"order must be one of {list(ORDERS)} or an optim_core.Order; got "
                     f"{order!r}")  # fmt: skip


def ranking(difficulty: np.ndarray) -> np.ndarray:
    """The example indices easiest first (lowest difficulty; ties by index)."""
    return np.argsort(np.asarray(difficulty, dtype=float), kind="stable")


def pools(n: int, order: Order, ranked: np.ndarray) -> list[np.ndarray]:
    """Each stage's pool of examples (the easiest ⌈k n / S⌉ of ``ranked``)."""
    return [ranked[: math.ceil(k * n / order.stages)] for k in range(1, order.stages + 1)]


def epoch_sizes(n: int, order: Order) -> list[int]:
    """The examples in an epoch of each stage but the last (a mixed order's pool and
    its share of the harder ones); [] for an order without stages."""
    if not order.staged:
        return []
    pools = [math.ceil(k * n / order.stages) for k in range(1, order.stages)]
    if order.kind == "mixed":
        return [k + round(order.mix * (n - k)) for k in pools]
    return pools


def stage_starts(n: int, batch_size: int, order: Order) -> list[int]:
    """The step (1-based) at which each stage after the first begins."""
    out, step = [], 1
    for size in epoch_sizes(n, order):
        step += order.stage_epochs * math.ceil(size / batch_size)
        out.append(step)
    return out


def batch_indices(n: int, batch_size: int, seed: int, order: Order | str = "reshuffle",
                  arrival: np.ndarray | None = None,
                  difficulty: np.ndarray | None = None):  # fmt: skip
    """The examples of each step's batch, step after step: an endless iterator of index
    arrays, for ``order`` (see the module's docstring). ``arrival`` is the sorted
    order's permutation, ``difficulty`` ``(n,)`` the curriculum's (larger: harder)."""
    order = as_order(order)
    rng = np.random.default_rng([seed, 1])  # its own stream: noise draws from seed alone

    def cut(epoch):
        for lo in range(0, len(epoch), batch_size):
            yield epoch[lo : lo + batch_size]

    if order.kind == "reshuffle":
        while True:
            yield from cut(rng.permutation(n))
    if order.kind in ("fixed", "sorted"):
        if order.kind == "sorted" and arrival is None:
            raise ValueError("order 'sorted' needs the data's arrival order")
        epoch = rng.permutation(n) if order.kind == "fixed" else np.asarray(arrival)
        while True:
            yield from cut(epoch)
    if difficulty is None:
        raise ValueError(f"order {order.kind!r} needs each example's difficulty")
    ranked = ranking(difficulty)
    stages = pools(n, order, ranked)
    for k, pool in enumerate(stages):
        rest = ranked[len(pool):]
        extra = round(order.mix * len(rest)) if order.kind == "mixed" else 0
        last = k == len(stages) - 1
        e = 0
        while last or e < order.stage_epochs:
            e += 1
            chosen = pool if not extra else np.concatenate(
                [pool, rng.choice(rest, size=extra, replace=False)])  # fmt: skip
            yield from cut(rng.permutation(chosen))


__all__ = ["DIFFICULTIES", "ORDERS", "Order", "as_order", "batch_indices", "epoch_sizes", "pools",
           "ranking", "stage_starts"]
