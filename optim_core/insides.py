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

from .optimizers import radam_rectification
from .runner import Trajectory

NO_STEP_SIZE = ("newton", "saddle_free_newton")  # H⁻¹ mixes the coordinates


def effective_step_sizes(traj: Trajectory) -> np.ndarray | None:
    """``(steps, *B, 2)``: row k − 1 is the step size step k applied, per coordinate
    (nan where it is undefined: AdaMax before any non-zero gradient); None for Newton's
    methods, whose step is H⁻¹g, not a per-coordinate size times a direction."""
    if traj.path is None:
        raise ValueError("effective_step_sizes needs a run with record='path'")
    name, hp, torch = traj.optimizer, traj.hyperparams, traj.convention == "pytorch"
    if name in NO_STEP_SIZE:
        return None
    shape = (traj.steps, *traj.path.shape[1:])
    t = np.arange(1, traj.steps + 1, dtype=float).reshape((-1,) + (1,) * (len(shape) - 1))
    lr = hp.get("lr", 1.0)
    state = {k: v[1:] for k, v in traj.state.items()}  # after step t
    before = {k: v[:-1] for k, v in traj.state.items()}  # before it
    with np.errstate(divide="ignore", invalid="ignore"):
        if name in ("sgd", "momentum", "nag"):
            return np.full(shape, lr)
        eps = hp.get("eps", 0.0)
        if name in ("adagrad", "rmsprop"):
            v = state["v"]
            return lr / (np.sqrt(v) + eps) if torch else lr / np.sqrt(v + eps)
        if name == "adadelta":
            return lr * np.sqrt(before["D"] + eps) / np.sqrt(state["v"] + eps)
        b2 = hp.get("beta2")
        if name == "adamax":
            return np.where(state["v"] > 0, lr / state["v"], np.nan)
        if name == "amsgrad":
            if torch:
                return lr / (np.sqrt(state["v_max"] / (1 - b2**t)) + eps)
            return lr / (np.sqrt(state["v_hat"]) + eps)
        if name == "radam":
            rho, r = radam_rectification(b2, t)
            v = state["v"]
            adaptive = (r * np.sqrt(1 - b2**t) / (np.sqrt(v) + eps) if torch
                        else r * np.sqrt((1 - b2**t) / v))  # fmt: skip
            return lr * np.where(rho > (5 if torch else 4), adaptive, 1.0) * np.ones(shape)
        # adam, adamw, nadam: α / (√v̂ + ε)
        return lr / (np.sqrt(state["v"] / (1 - b2**t)) + eps)
