"""Trajectories to hand out: CSV and JSON with every step (point, loss, gradient,
optimizer state) and what re-runs them (surface and its parameters, start, steps,
hyperparameters).

The coordinates are named x, y on a 2-D surface and w1 … wD beyond (a network's D
weights, :func:`surfaces.network`): columns ``x``, ``y``, ``grad_x``, ``grad_y`` or
``w1`` … ``wD``, ``grad_w1`` … ``grad_wD`` (:func:`coordinates`). A network's surface
is named "network", its parameters are :func:`surfaces.network`'s arguments:
:func:`surface_from` builds the surface a file names again.

Step k's row holds the point w_k, f(w_k), the gradient g_k that moved w_k to w_{k+1}
(blank on the last row: no step left) and the state after k steps (row 0: the initial
zero state). Numbers are written in full (Python's shortest round-trip form), so a CSV
read back gives the very same floats.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import math
from collections.abc import Mapping, Sequence

import numpy as np

import surfaces
from surfaces import Surface

from .optimizers import get
from .runner import Trajectory


def coordinates(dim: int) -> tuple[str, ...]:
    """The coordinates' names: ("x", "y") on a 2-D surface, ("w1", …, "wD") on one of
    D ≠ 2 coordinates (a network's weights, in θ's order)."""
    return ("x", "y") if dim == 2 else tuple(f"w{i}" for i in range(1, dim + 1))


def columns(dim: int) -> tuple[str, ...]:
    """The CSV's first columns for a surface of ``dim`` coordinates (:data:`COLUMNS` in
    2-D): optimizer, step, the point, loss, the gradient."""
    names = coordinates(dim)
    return ("optimizer", "step", *names, "loss", *(f"grad_{c}" for c in names))


COLUMNS = columns(2)  # ("optimizer", "step", "x", "y", "loss", "grad_x", "grad_y")


def _suffixes(shape: tuple[int, ...], listed: bool, dim: int = 2) -> tuple[str, ...]:
    """Column suffixes for a state of this shape per step on a surface of ``dim``
    coordinates: a number (a step length) "", a vector _x, _y (D ≠ 2: _1 … _D), a matrix
    _xx, _xy, _yx, _yy (D ≠ 2: _1_1, _1_2, … _D_D, row by row); a list of them
    (``listed``: L-BFGS's m pairs, a line search's trials) numbered from 1: _1_x, _1_y, …
    (D ≠ 2: _1_1, … _1_D, _2_1, …) or _1, _2, …"""
    if listed:
        inner = _suffixes(shape[1:], False, dim)
        return tuple(f"_{i + 1}{s}" for i in range(shape[0]) for s in inner)
    if shape == ():
        return ("",)
    names = ("x", "y") if dim == 2 else tuple(str(i) for i in range(1, dim + 1))
    if shape == (dim,):
        return tuple(f"_{a}" for a in names)
    if shape == (dim, dim):
        between = "" if dim == 2 else "_"
        return tuple(f"_{a}{between}{b}" for a in names for b in names)
    raise ValueError(f"a state shaped {shape} a step is neither a number, a vector of "
                     f"{dim} nor a {dim} x {dim} matrix, nor a list")  # fmt: skip


def _listed(t: Trajectory) -> tuple[str, ...]:
    """The state fields of ``t``'s optimizer that are lists (``LISTED`` on its state)."""
    opt = get(t.optimizer, t.convention)
    return getattr(type(opt.init(np.zeros(2))), "LISTED", ())


def _state_columns(trajectories: Sequence[Trajectory], dim: int) -> dict[str, tuple[str, ...]]:
    """Each state's column suffixes (:func:`_suffixes`)."""
    shapes = {}
    for t in trajectories:
        listed = _listed(t)
        for name, values in t.state.items():
            shapes.setdefault(name, (values.shape[1:], name in listed))
    return {name: _suffixes(*shapes[name], dim) for name in sorted(shapes)}


def _state_json(values, listed: bool, dim: int) -> dict:
    """A state's steps as JSON: {"x", "y"}, {"xx", "xy", "yx", "yy"}, {"value"}, or for
    a list {"1_x", "1_y", …} or {"1", "2", …} (D ≠ 2: {"1", …, "D"}, {"1_1", …, "D_D"},
    a list {"1_1", …}: :func:`_suffixes` without the underscore)."""
    flat = values.reshape(len(values), -1)
    names = [s.lstrip("_") or "value" for s in _suffixes(values.shape[1:], listed, dim)]
    return {name: _finite(flat[:, i]) for i, name in enumerate(names)}


def _states_json(t: Trajectory, dim: int) -> dict:
    listed = _listed(t)
    return {name: _state_json(v, name in listed, dim) for name, v in sorted(t.state.items())}


def _need_paths(trajectories: Sequence[Trajectory]) -> int:
    """D of the trajectories, which must each be one start's path (record "path" or
    "points"), on surfaces of one dimension."""
    for t in trajectories:
        if t.path is None or t.path.ndim != 2:
            raise ValueError(f"trajectory of {t.optimizer!r}: exports need one start run "
                             "with record='path' or 'points'")  # fmt: skip
    dims = sorted({t.path.shape[1] for t in trajectories})
    if len(dims) > 1:
        raise ValueError(f"trajectories: surfaces of one dimension at a time (their columns "
                         f"are x, y in 2-D, w1 … wD beyond); got D = {dims}")  # fmt: skip
    return dims[0] if dims else 2


def to_csv(trajectories: Sequence[Trajectory]) -> str:
    """One row per optimizer and step (:func:`columns`: optimizer, step, x, y, loss,
    grad_x, grad_y; beyond 2-D w1 … wD and grad_w1 … grad_wD); state columns
    ``<name>_x``, ``<name>_y`` for every state any optimizer has (``<name>`` for a
    number per step, ``<name>_xx`` … ``_yy`` for a matrix; beyond 2-D ``<name>_1`` …
    ``_D`` and ``<name>_1_1`` … ``_D_D``; blank where it has not, or where the run kept
    no state: ``record="points"``); then the surface, its parameters and the
    hyperparameters and the run's options (:func:`run_options`), as JSON, on every
    row. The trajectories' surfaces have one dimension D."""
    dim = _need_paths(trajectories)
    states = _state_columns(trajectories, dim)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*columns(dim), *(f"{s}{c}" for s, cs in states.items() for c in cs),
                     "surface", "surface_params", "hyperparams", "options"])  # fmt: skip
    for t in trajectories:
        surface = [t.surface.name, json.dumps(t.surface.params, sort_keys=True),
                   json.dumps(t.hyperparams, sort_keys=True),
                   json.dumps(run_options(t), sort_keys=True)]  # fmt: skip
        flat = {name: np.asarray(v, dtype=float).reshape(len(v), -1)
                for name, v in t.state.items()}  # fmt: skip
        path, loss, grads = (np.asarray(a, dtype=float) for a in (t.path, t.loss, t.grads))
        for k in range(t.steps + 1):
            # (.tolist(): the same Python floats as float(v) one by one, at a fraction of
            # the time: a network's row holds thousands)
            grad = grads[k].tolist() if k < t.steps else [""] * dim
            state = []
            for name, names in states.items():
                state += flat[name][k].tolist() if name in flat else [""] * len(names)
            writer.writerow([t.optimizer, k, *path[k].tolist(), float(loss[k]), *grad,
                             *state, *surface])  # fmt: skip
    return out.getvalue()


def _finite(values) -> list:
    """Floats for JSON: non-finite ones (an overflow) as null."""
    return [v if math.isfinite(v) else None for v in np.asarray(values, dtype=float).tolist()]


def surface_from(name: str, params: Mapping) -> Surface:
    """The surface an export names (the CSV's ``surface`` and ``surface_params``, the
    JSON's ``surface``: ``{"name", "params"}``), built again: ``surfaces.get(name,
    **params)``, or for a network (named "network") ``surfaces.network(**params).surface``
    (its parameters are :func:`surfaces.network`'s arguments)."""
    if name == "network":
        return surfaces.network(**params).surface
    return surfaces.get(name, **params)


def run_options(t: Trajectory) -> dict:
    """What ``run`` took besides the hyperparameters, as its keyword arguments in plain
    JSON: ``schedule`` (``Schedule.to_dict``; ``optim_core.schedules.from_dict`` turns
    it back), ``noise_eta``, ``noise_gamma``, ``batch_size``, ``seed``, ``order`` (the
    batches' order other than reshuffled, as a dict ``run`` takes back) and ``delay`` or
    ``delay_max`` (stale gradients); only those used."""
    options: dict = {}
    if t.schedule is not None:
        options["schedule"] = t.schedule.to_dict()
    if t.noise is not None:
        options["noise_eta"], options["noise_gamma"], options["seed"] = t.noise
    if t.batch is not None:
        options["batch_size"], options["seed"] = t.batch
    if t.order is not None and t.order.kind != "reshuffle":
        options["order"] = dataclasses.asdict(t.order)
    if t.delay is not None:  # stale gradients: a fixed τ, or each step's up to τ_max
        fixed, most, options["seed"] = t.delay
        options["delay" if fixed is not None else "delay_max"] = fixed if fixed else most
    return options


def to_json(trajectories: Sequence[Trajectory]) -> str:
    """The runs with what re-runs them: ``{"surface": {"name", "params"}, "runs":
    [{"optimizer", "convention", "hyperparams", "options", "start", "steps", "x", "y",
    "loss", "grad_x", "grad_y", "state": {name: {"x", "y"}}}]}`` (a state that is a
    number per step: ``{"value"}``; a matrix: ``{"xx", "xy", "yx", "yy"}``; ``options``:
    :func:`run_options`). Beyond 2-D (a network): ``"w1"`` … ``"wD"``, ``"grad_w1"`` …
    ``"grad_wD"``, a state's ``{"1", …, "D"}`` or ``{"1_1", …, "D_D"}``, and no state
    (``{}``) for a run with ``record="points"``; :func:`surface_from` builds the surface
    again."""
    dim = _need_paths(trajectories)
    names = coordinates(dim)
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
            **{c: _finite(t.path[:, i]) for i, c in enumerate(names)}, "loss": _finite(t.loss),
            **{f"grad_{c}": _finite(t.grads[:, i]) for i, c in enumerate(names)},
            "state": _states_json(t, dim),
        } for t in trajectories],
    })  # fmt: skip
