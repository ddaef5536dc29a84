"""NumPy optimizer core: the optimizers of the cheat sheet, a vectorized runner, and the
analyses built on it (saddle escapes, basin maps, hyperparameter sweeps)."""

from . import (
    delay_tolerant,  # (optim_core.delay_tolerant: AdaGrad with stale gradients)
    export,  # noqa: F401  (optim_core.export: CSV and JSON of runs)
)
from .analysis import (
    AT_SADDLE_TOL,
    MAX_MAP_RESOLUTION,
    MAX_OFFSETS,
    MAX_SWEEP_SETTINGS,
    NEAR_FRACTION,
    BasinMap,
    CriticalPoints,
    Escapes,
    SaddleOutcome,
    SaddleVisit,
    Sweep,
    basin_map,
    critical_points,
    divergence_threshold,
    escape_radius,
    escape_runs,
    escape_steps,
    left_view_step,
    nearest_critical_distance,
    offsets_along,
    saddle_index,
    saddle_outcomes,
    saddle_visit,
    sweep,
    unstable_direction,
)
from .batches import ORDERS, Order
from .cost import Evaluations, evaluations, line_search_failed_step
from .delay_tolerant import DelayStability, run_delay_tolerant
from .hogwild import HogwildRun, run_hogwild
from .insides import effective_step_sizes
from .optimizers import (
    CHOICES,
    CONVENTIONS,
    HYPERPARAMETERS,
    OPTIMIZERS,
    Hyperparams,
    Optimizer,
)
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
    unavailable,
)
from .schedules import Schedule, schedule
from .stopping import EarlyStop, early_stopping
from .tuning import Tuned, tune, tune_all
from .workers import WorkersRun, run_workers

__all__ = [
    "HogwildRun",
    "run_hogwild",
    "Tuned",
    "tune",
    "tune_all",
    "WorkersRun",
    "run_workers",
    "ORDERS",
    "EarlyStop",
    "Order",
    "early_stopping",
    "Schedule",
    "schedule",
    "effective_step_sizes",
    "Evaluations",
    "evaluations",
    "line_search_failed_step",
    "AT_SADDLE_TOL",
    "MAX_MAP_RESOLUTION",
    "MAX_OFFSETS",
    "MAX_SWEEP_SETTINGS",
    "NEAR_FRACTION",
    "BasinMap",
    "CriticalPoints",
    "Escapes",
    "SaddleOutcome",
    "SaddleVisit",
    "Sweep",
    "basin_map",
    "critical_points",
    "divergence_threshold",
    "escape_radius",
    "escape_runs",
    "escape_steps",
    "left_view_step",
    "nearest_critical_distance",
    "offsets_along",
    "saddle_index",
    "saddle_outcomes",
    "saddle_visit",
    "sweep",
    "unstable_direction",
    "CONVERGED_DIST_TOL",
    "CONVERGED_GRAD_TOL",
    "DIVERGENCE_FACTOR",
    "HYPERPARAMETERS",
    "CHOICES",
    "MAX_PATH_POINTS",
    "MAX_STARTS",
    "MAX_STEPS",
    "OPTIMIZERS",
    "Hyperparams",
    "Optimizer",
    "Trajectory",
    "divergence_box",
    "get_optimizer",
    "CONVENTIONS",
    "nearest_minimizer_distance",
    "optimizer_names",
    "resolve_hyperparams",
    "run",
    "unavailable",
    "delay_tolerant",
    "DelayStability",
    "run_delay_tolerant",
]
