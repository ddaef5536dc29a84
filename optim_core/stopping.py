r"""Early stopping: when a run watching its validation loss would have stopped.

:func:`early_stopping` reads a validation loss recorded at every step (row t is the
loss at the weights after t steps; row 0, the start) and applies the rule of Keras's
``EarlyStopping(monitor="val_loss", mode="min", min_delta=δ, patience=P,
restore_best_weights=True)``, checked once a step instead of once an epoch:

.. math::

    \text{best} \leftarrow L_0;\quad \text{for } t = 1, 2, \dots:\;
    \begin{cases}
      L_t < \text{best} - \delta: & \text{best} \leftarrow L_t,\ k \leftarrow t,\
                                     \text{wait} \leftarrow 0 \\
      \text{otherwise}: & \text{wait} \leftarrow \text{wait} + 1;\
                          \text{stop at } t \text{ once wait} \ge P
    \end{cases}

The weights it keeps are those after step k, the last step that improved on the best by
more than δ (the start when none did). A loss that is not finite never improves. A run
that never waits P steps runs to its end and keeps its best weights all the same.

Where it differs from Keras: Keras's first check comes after a first epoch of training,
so it never keeps the initial weights; here the start is step 0 and counts as the first
best, so a run whose validation loss only rises keeps the start (with a start whose
loss is not finite, the best begins at +∞ and the first finite loss improves on it).
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np

MAX_PATIENCE = 100_000


@dataclass(frozen=True)
class EarlyStop:
    """The rule's verdict for each run ``(*B)``: ``stop_step`` (-1: it never stopped),
    ``kept_step`` (whose weights it keeps), ``kept_loss`` (the validation loss there),
    ``final_loss`` (at the run's end) and ``given_up`` = final − kept: the validation
    loss the run gave up by running on (negative: running on helped)."""

    stop_step: np.ndarray
    kept_step: np.ndarray
    kept_loss: np.ndarray
    final_loss: np.ndarray

    @property
    def stopped(self) -> np.ndarray:
        return self.stop_step >= 0

    @property
    def given_up(self) -> np.ndarray:
        return self.final_loss - self.kept_loss


def _check(patience, min_delta) -> tuple[int, float]:
    if (isinstance(patience, bool) or not isinstance(patience, numbers.Integral)
            or not 1 <= patience <= MAX_PATIENCE):  # fmt: skip
        raise ValueError(f"patience must be an integer in [1, {MAX_PATIENCE}]; got {patience!r}")
    if (isinstance(min_delta, bool) or not isinstance(min_delta, numbers.Real)
            or not np.isfinite(min_delta) or min_delta < 0):  # fmt: skip
        raise ValueError(f"min_delta must be a finite number >= 0; got {min_delta!r}")
    return int(patience), float(min_delta)


def early_stopping(val_loss, patience: int = 10, min_delta: float = 0.0) -> EarlyStop:
    """The early-stopping verdict on ``val_loss`` ``(steps + 1, *B)`` (see the module's
    docstring), each run on its own. A ValueError names a bad patience or δ."""
    patience, min_delta = _check(patience, min_delta)
    losses = np.asarray(val_loss, dtype=float)
    if losses.ndim == 0 or len(losses) == 0:
        raise ValueError(f"val_loss must be shaped (steps + 1, ...); got shape {losses.shape}")
    shape = losses.shape[1:]
    best = np.where(np.isfinite(losses[0]), losses[0], np.inf)
    kept = np.zeros(shape, dtype=np.int64)
    wait = np.zeros(shape, dtype=np.int64)
    stop = np.full(shape, -1, dtype=np.int64)
    for t in range(1, len(losses)):
        running = stop < 0
        better = running & (losses[t] < best - min_delta)  # (nan: never better)
        best = np.where(better, losses[t], best)
        kept = np.where(better, t, kept)
        wait = np.where(better, 0, np.where(running, wait + 1, wait))
        stop = np.where(running & (wait >= patience), t, stop)
    kept_loss = np.take_along_axis(losses, kept[None], axis=0)[0]
    return EarlyStop(stop, kept, kept_loss, losses[-1].copy())


__all__ = ["EarlyStop", "MAX_PATIENCE", "early_stopping"]
