"""What a run cost: its evaluations of f and ∇f, step by step, and where a line search
failed.

Most optimizers take exactly one ∇f a step and no f: SGD and the adaptive ones at the
point, NAG at its look-ahead point, Newton and saddle-free Newton one ∇f (and one
Hessian, not counted here); with gradient noise or mini-batches, one noisy or batch
gradient. A method that takes more records it in its state, per step (row k: step k):

* ``f_evals`` and ``g_evals``: the evaluations step k took (the first step also counts
  those at the start: a line search needs f and ∇f there);
* ``failed``: 1 from the step whose line search failed on (the start stays put).

These fields are read wherever an optimizer records them, whatever its name (BFGS and
CG today; any method with a line search that records them tomorrow).

A step adds nothing once the run has frozen: after the step its line search failed at
(that step's own trials count), and, for a run the runner froze where it diverged (it
overflowed or left the far box: the move was thrown away and the point kept), from the
step whose move was thrown away on.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .runner import Trajectory

__all__ = ["Evaluations", "evaluations", "line_search_failed_step"]


class Evaluations(NamedTuple):
    """Cumulative counts after k steps, shaped like ``trajectory.loss``:
    ``(steps + 1, *B)`` integers, row 0 all 0."""

    grad: np.ndarray  # evaluations of ∇f in steps 1..k
    f: np.ndarray  # evaluations of f in steps 1..k


def _need_path(trajectory: Trajectory, what: str) -> None:
    if trajectory.path is None:
        raise ValueError(f"{what} reads every step's state: run with record='path' "
                         f"({trajectory!r} kept only its final point)")  # fmt: skip


def line_search_failed_step(trajectory: Trajectory) -> np.ndarray:
    """The step at which each run's line search failed ``(*B)`` (the first row of its
    ``failed`` state that is set), -1 where none did or the optimizer has no line
    search."""
    _need_path(trajectory, "line_search_failed_step")
    batch = trajectory.loss.shape[1:]
    failed = trajectory.state.get("failed")
    if failed is None:
        return np.full(batch, -1, dtype=np.int64)
    hit = np.asarray(failed) >= 0.5  # (steps + 1, *B): 0 or 1
    return np.where(hit.any(axis=0), np.argmax(hit, axis=0), -1).astype(np.int64)


def _last_counted_step(trajectory: Trajectory) -> np.ndarray:
    """The last step ``(*B)`` whose evaluations count: the step a line search failed
    at, the step before the one a diverged run was frozen at, else the last step."""
    steps = trajectory.steps
    last = np.full(trajectory.loss.shape[1:], steps, dtype=np.int64)
    failed = line_search_failed_step(trajectory)
    last = np.where(failed >= 0, failed, last)
    diverged = np.asarray(trajectory.diverged_step) >= 0
    if np.any(diverged):
        # frozen: the path stands still from the thrown-away step to the end (a run that
        # diverged by running away, unfrozen, moves at its last step)
        path = np.asarray(trajectory.path)
        moved = np.any(path[1:] != path[:-1], axis=-1)  # (steps, *B): step k + 1 moved
        last_move = steps - np.argmax(moved[::-1], axis=0)  # (a step that moved)
        last_move = np.where(moved.any(axis=0), last_move, 0)
        frozen = diverged & (last_move < steps)
        last = np.where(frozen, np.minimum(last, last_move), last)
    return last


def evaluations(trajectory: Trajectory) -> Evaluations:
    """Cumulative evaluations of ∇f and f after each step of each run (see the module's
    doc): from the optimizer's ``g_evals`` and ``f_evals`` state where it records them,
    1 ∇f and 0 f a step otherwise; nothing from the step after a failed line search or
    from the frozen part of a diverged run. Needs ``record="path"``."""
    _need_path(trajectory, "evaluations")
    shape = trajectory.loss.shape  # (steps + 1, *B)
    steps = trajectory.steps
    step_index = np.arange(1, steps + 1).reshape(-1, *(1,) * (len(shape) - 1))
    counted = step_index <= _last_counted_step(trajectory)  # (steps, *B)

    def cumulative(field: str, per_step: int) -> np.ndarray:
        recorded = trajectory.state.get(field)
        each = (np.rint(np.asarray(recorded)[1:]).astype(np.int64) if recorded is not None
                else np.full((steps, *shape[1:]), per_step, dtype=np.int64))  # fmt: skip
        out = np.zeros(shape, dtype=np.int64)
        np.cumsum(np.where(counted, each, 0), axis=0, out=out[1:])
        return out

    return Evaluations(grad=cumulative("g_evals", 1), f=cumulative("f_evals", 0))
