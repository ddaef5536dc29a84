"""Trajectories to hand out: CSV and JSON with every step (point, loss, gradient,
optimizer state) and what re-runs them (surface and its parameters, start, steps,
hyperparameters).

Step k's row holds the point w_k, f(w_k), the gradient g_k that moved w_k to w_{k+1}
(blank on the last row: no step left) and the state after k steps (row 0: the initial
zero state). Numbers are written in full (Python's shortest round-trip form), so a CSV
read back gives the very same floats.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Sequence

import numpy as np

from .optimizers import get
from .runner import Trajectory

COLUMNS = ("optimizer", "step", "x", "y", "loss", "grad_x", "grad_y")


_SUFFIXES = {(): ("",), (2,): ("_x", "_y"), (2, 2): ("_xx", "_xy", "_yx", "_yy")}


def _suffixes(shape: tuple[int, ...], listed: bool) -> tuple[str, ...]:
    """Column suffixes for a state of this shape per step: a number (a step length), a
    vector (x, y), a 2 × 2 matrix (xx, xy, yx, yy); a list of them (``listed``: L-BFGS's
    m pairs, a line search's trials) numbered from 1: _1_x, _1_y, … or _1, _2, …"""
    if not listed:
        return _SUFFIXES[shape]
    inner = _SUFFIXES[shape[1:]]
    return tuple(f"_{i + 1}{s}" for i in range(shape[0]) for s in inner)


def _listed(t: Trajectory) -> tuple[str, ...]:
    """The state fields of ``t``'s optimizer that are lists (``LISTED`` on its state)."""
    opt = get(t.optimizer, t.convention)
    return getattr(type(opt.init(np.zeros(2))), "LISTED", ())


def _state_columns(trajectories: Sequence[Trajectory]) -> dict[str, tuple[str, ...]]:
    """Each state's column suffixes (:func:`_suffixes`)."""
    shapes = {}
    for t in trajectories:
        listed = _listed(t)
        for name, values in t.state.items():
            shapes.setdefault(name, (values.shape[1:], name in listed))
    return {name: _suffixes(*shapes[name]) for name in sorted(shapes)}


def _state_json(values, listed: bool) -> dict:
    """A state's steps as JSON: {"x", "y"}, {"xx", "xy", "yx", "yy"}, {"value"}, or for
    a list {"1_x", "1_y", …} or {"1", "2", …}."""
    flat = values.reshape(len(values), -1)
    names = [s.lstrip("_") or "value" for s in _suffixes(values.shape[1:], listed)]
    return {name: _finite(flat[:, i]) for i, name in enumerate(names)}


def _states_json(t: Trajectory) -> dict:
    listed = _listed(t)
    return {name: _state_json(v, name in listed) for name, v in sorted(t.state.items())}


def _need_paths(trajectories: Sequence[Trajectory]) -> None:
    for t in trajectories:
        if t.path is None or t.path.ndim != 2:
            raise ValueError(f"trajectory of {t.optimizer!r}: exports need one start run "
                             "with record='path'")  # fmt: skip


def to_csv(trajectories: Sequence[Trajectory]) -> str:
    """One row per optimizer and step; state columns ``<name>_x``, ``<name>_y`` for every
    state any optimizer has (``<name>`` for a number per step, ``<name>_xx`` … ``_yy``
    for a matrix; blank where it has not); then the surface, its parameters
    and the hyperparameters and the run's options (:func:`run_options`), as JSON, on
    every row."""
    _need_paths(trajectories)
    states = _state_columns(trajectories)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*COLUMNS, *(f"{s}{c}" for s, cs in states.items() for c in cs),
                     "surface", "surface_params", "hyperparams", "options"])  # fmt: skip
    for t in trajectories:
        surface = [t.surface.name, json.dumps(t.surface.params, sort_keys=True),
                   json.dumps(t.hyperparams, sort_keys=True),
                   json.dumps(run_options(t), sort_keys=True)]  # fmt: skip
        for k in range(t.steps + 1):
            grad = [float(g) for g in t.grads[k]] if k < t.steps else ["", ""]
            state = []
            for name, columns in states.items():
                state += ([float(v) for v in np.ravel(t.state[name][k])] if name in t.state
                          else [""] * len(columns))  # fmt: skip
            writer.writerow([t.optimizer, k, float(t.path[k, 0]), float(t.path[k, 1]),
                             float(t.loss[k]), *grad, *state, *surface])  # fmt: skip
    return out.getvalue()


def _finite(values) -> list:
    """Floats for JSON: non-finite ones (an overflow) as null."""
    return [float(v) if math.isfinite(v) else None for v in values]


def run_options(t: Trajectory) -> dict:
    """What ``run`` took besides the hyperparameters, as its keyword arguments in plain
    JSON: ``schedule`` (``Schedule.to_dict``; ``optim_core.schedules.from_dict`` turns
    it back), ``noise_eta``, ``noise_gamma``, ``batch_size`` and ``seed``; only those
    used."""
    options: dict = {}
    if t.schedule is not None:
        options["schedule"] = t.schedule.to_dict()
    if t.noise is not None:
        options["noise_eta"], options["noise_gamma"], options["seed"] = t.noise
    if t.batch is not None:
        options["batch_size"], options["seed"] = t.batch
    return options


def to_json(trajectories: Sequence[Trajectory]) -> str:
    """The runs with what re-runs them: ``{"surface": {"name", "params"}, "runs":
    [{"optimizer", "convention", "hyperparams", "options", "start", "steps", "x", "y",
    "loss", "grad_x", "grad_y", "state": {name: {"x", "y"}}}]}`` (a state that is a
    number per step: ``{"value"}``; a matrix: ``{"xx", "xy", "yx", "yy"}``; ``options``:
    :func:`run_options`)."""
    _need_paths(trajectories)
    surfaces = {(t.surface.name, json.dumps(t.surface.params, sort_keys=True))
                for t in trajectories}  # fmt: skip
    if len(surfaces) > 1:
        raise ValueError(f"trajectories: one surface at a time, got {sorted(surfaces)}")
    first = trajectories[0] if trajectories else None
    return json.dumps({
        "surface": {"name": first.surface.name, "params": dict(first.surface.params)}
        if first else None,
        "runs": [{
            "optimizer": t.optimizer, "convention": t.convention,
            "hyperparams": dict(t.hyperparams), "options": run_options(t),
            "start": [float(v) for v in t.start], "steps": int(t.steps),
            "x": _finite(t.path[:, 0]), "y": _finite(t.path[:, 1]), "loss": _finite(t.loss),
            "grad_x": _finite(t.grads[:, 0]), "grad_y": _finite(t.grads[:, 1]),
            "state": _states_json(t),
        } for t in trajectories],
    })  # fmt: skip
