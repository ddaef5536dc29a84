"""What is inside each step: the step size each optimizer applied, per coordinate, read
from its recorded state (a run with ``record="path"``).

The step size multiplies the optimizer's direction: the gradient (SGD, AdaGrad,
RMSprop, Adadelta), the momentum m (Momentum, NAG, AMSGrad in the cheat sheet's form),
the corrected momentum m̂ (Adam, AdamW, AdaMax, RAdam, torch's AMSGrad), Nadam's blend
of m̂ and g. So AdaGrad's α/√(v + ε) shrinks as v only grows, RMSprop's recovers as v
forgets, and Adam's is α/(√v̂ + ε) per coordinate.
"""

from __future__ import annotations

import numpy as np

from .optimizers import get
from .runner import Trajectory


def effective_step_sizes(traj: Trajectory) -> np.ndarray | None:
    """``(steps, *B, 2)``: row k − 1 is the step size step k applied, per coordinate
    (nan where it is undefined: AdaMax before any non-zero gradient), read from the
    recorded state by the optimizer's own ``step_size`` (its module in
    ``optim_core.methods``); None for Newton's methods, whose step is H⁻¹g, not a
    per-coordinate size times a direction."""
    if traj.path is None:
        raise ValueError("effective_step_sizes needs a run with record='path'")
    step_size = get(traj.optimizer, traj.convention).step_size
    if step_size is None:
        return None
    shape = (traj.steps, *traj.path.shape[1:])
    t = np.arange(1, traj.steps + 1, dtype=float).reshape((-1,) + (1,) * (len(shape) - 1))
    state = {k: v[1:] for k, v in traj.state.items()}  # after step t
    before = {k: v[:-1] for k, v in traj.state.items()}  # before it
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.broadcast_to(step_size(state, before, dict(traj.hyperparams), t), shape).copy()
