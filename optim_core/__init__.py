"""NumPy optimizer core: the optimizers of the cheat sheet and a vectorized runner."""

from .optimizers import HYPERPARAMETERS, OPTIMIZERS, Hyperparams, Optimizer
from .optimizers import get as get_optimizer
from .optimizers import names as optimizer_names
from .runner import (
    CONVERGED_DIST_TOL,
    CONVERGED_GRAD_TOL,
    DIVERGENCE_FACTOR,
    MAX_PATH_POINTS,
    MAX_STARTS,
    MAX_STEPS,
    Trajectory,
    divergence_box,
    nearest_minimizer_distance,
    resolve_hyperparams,
    run,
)

__all__ = [
    "CONVERGED_DIST_TOL",
    "CONVERGED_GRAD_TOL",
    "DIVERGENCE_FACTOR",
    "HYPERPARAMETERS",
    "MAX_PATH_POINTS",
    "MAX_STARTS",
    "MAX_STEPS",
    "OPTIMIZERS",
    "Hyperparams",
    "Optimizer",
    "Trajectory",
    "divergence_box",
    "get_optimizer",
    "nearest_minimizer_distance",
    "optimizer_names",
    "resolve_hyperparams",
    "run",
]
