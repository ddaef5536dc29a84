"""Analytic 2-D loss surfaces: ``surfaces.get(name, **params)`` and ``surfaces.names()``."""

from __future__ import annotations

import functools
import inspect
import math
import numbers

import numpy as np

from . import catalog, data, expression, mlp
from .base import Surface
from .data import DataSet, condition_number, standardized
from .mlp import MAX_HESSIAN_D, NetworkSurface

_FACTORIES = {
    "rosenbrock": catalog.rosenbrock,
    "beale": catalog.beale,
    "saddle": catalog.saddle,
    "ravine": catalog.ravine,
    "monkey_saddle": catalog.monkey_saddle,
    "himmelblau": catalog.himmelblau,
    "rastrigin": catalog.rastrigin,
    "ackley": catalog.ackley,
    "booth": catalog.booth,
    "goldstein_price": catalog.goldstein_price,
    "six_hump_camel": catalog.six_hump_camel,
    "quadratic": catalog.quadratic,
    "linear_regression": data.linear_regression,
    "logistic_regression": data.logistic_regression,
    "sparse_regression": data.sparse_regression,
}

def residual_names() -> list[str]:
    """The sums of squares f = Σ rₖ(w)² that declare their residuals and Jacobian
    (Gauss–Newton and Levenberg–Marquardt run on these)."""
    return [n for n in _FACTORIES if get(n).residuals is not None]


network = mlp.network  # surfaces.network(data=…, hidden=…): a small MLP's loss (surfaces/mlp.py)

MAX_EXAMPLES = 1000  # a data surface's n: its grid meets every example


def _whole(low: int, high: int):
    return lambda v: v == int(v) and low <= v <= high


def data_names() -> list[str]:
    """The data surfaces: a loss over examples, which take ``run(..., batch_size=...)``."""
    return ["linear_regression", "logistic_regression", "sparse_regression"]


# Valid range of each parameter: (test, description).
_PARAM_RULES = {
    ("rosenbrock", "a"): (lambda v: True, "a finite number"),
    ("rosenbrock", "b"): (lambda v: v > 0, "a finite number > 0"),
    ("ravine", "steepness"): (lambda v: v >= 1, "a finite number >= 1"),
    ("rastrigin", "A"): (lambda v: v >= 0, "a finite number >= 0"),
    ("quadratic", "kappa"): (lambda v: v >= 1, "a finite number >= 1"),
    ("quadratic", "angle"): (lambda v: -360 <= v <= 360, "a number of degrees in [-360, 360]"),
    ("linear_regression", "n"): (_whole(2, MAX_EXAMPLES), f"an integer in [2, {MAX_EXAMPLES}]"),
    ("linear_regression", "seed"): (_whole(0, 2**32 - 1), "an integer in [0, 2**32 - 1]"),
    ("logistic_regression", "n"): (_whole(2, MAX_EXAMPLES), f"an integer in [2, {MAX_EXAMPLES}]"),
    ("logistic_regression", "seed"): (_whole(0, 2**32 - 1), "an integer in [0, 2**32 - 1]"),
    ("linear_regression", "val"): (lambda v: 0 <= v <= data.MAX_VAL,
                                   f"a fraction in [0, {data.MAX_VAL}]"),
    ("logistic_regression", "val"): (lambda v: 0 <= v <= data.MAX_VAL,
                                     f"a fraction in [0, {data.MAX_VAL}]"),
    ("sparse_regression", "n"): (_whole(2, MAX_EXAMPLES), f"an integer in [2, {MAX_EXAMPLES}]"),
    ("sparse_regression", "seed"): (_whole(0, 2**32 - 1), "an integer in [0, 2**32 - 1]"),
    ("sparse_regression", "density"): (lambda v: 0 <= v <= 1, "a share in [0, 1]"),
    ("linear_regression", "standardize"): (lambda v: v in (0, 1), "0 or 1"),
    ("logistic_regression", "standardize"): (lambda v: v in (0, 1), "0 or 1"),
}


def param_rule(name: str, key: str) -> str:
    """What surface ``name``'s parameter ``key`` must be, in words ("0 or 1")."""
    return _PARAM_RULES[(name, key)][1]


def spec(name: str, **params: float) -> str:
    """The string that names ``name`` with these parameters for :func:`get`: the bare
    name when every parameter is at its default."""
    defaults = {k: p.default for k, p in inspect.signature(_FACTORIES[name]).parameters.items()}
    changed = {k: float(v) for k, v in params.items() if float(v) != float(defaults[k])}
    if not changed:
        return name
    return f"{name}(" + ",".join(f"{k}={v!r}" for k, v in sorted(changed.items())) + ")"


def from_expression(text: str, domain=((-3.0, 3.0), (-3.0, 3.0)), start=None) -> Surface:
    """A surface from a typed formula (see :mod:`surfaces.expression`)."""
    return expression.from_expression(text, domain, start)


def names() -> list[str]:
    """Surface names, in the order the page lists them."""
    return list(_FACTORIES)


def get(name: str, **params: float) -> Surface:
    """The surface ``name`` with its parameters (keyword arguments; defaults otherwise).

    ``name`` may also be a spec string: ``"rosenbrock(a=2.0,b=10.0)"`` (a built-in
    surface with its parameters: :func:`spec`) or a typed surface's name
    (``expression.spec``). A ValueError names a bad name, an unknown parameter or a
    value out of range.
    """
    if isinstance(name, str) and name.startswith(expression.PREFIX):
        return expression.from_spec(name)
    if isinstance(name, str) and name.endswith(")") and "(" in name:
        base, _, inside = name[:-1].partition("(")
        given = {}
        for item in filter(None, inside.split(",")):
            key, sep, value = item.partition("=")
            try:
                given[key.strip()] = float(value)
            except ValueError:
                raise ValueError(f"surface parameter {item.strip()[:30]!r} in {name[:60]!r} is "
                                 "not key=number") from None  # fmt: skip
        return get(base, **given, **params)
    if not isinstance(name, str) or name not in _FACTORIES:
        raise ValueError(f"surface must be one of {names()} (a name or a spec string); "
                         f"got {name!r}")
    accepted = list(inspect.signature(_FACTORIES[name]).parameters)
    for key, value in params.items():
        if key not in accepted:
            raise ValueError(
                f"{name} has no parameter {key!r}; its parameters are {accepted or 'none'}"
            )
        test, rule = _PARAM_RULES[(name, key)]
        ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
        if not (ok and math.isfinite(value) and test(float(value))):
            raise ValueError(f"{name} parameter {key} must be {rule}; got {value!r}")
    return _build(name, tuple(sorted((k, float(v)) for k, v in params.items())))


@functools.lru_cache(maxsize=64)
def _build(name: str, params: tuple[tuple[str, float], ...]) -> Surface:
    surface = _FACTORIES[name](**dict(params))
    for value in vars(surface).values():
        if isinstance(value, np.ndarray):
            value.flags.writeable = False  # shared between callers through the cache
    return surface


__all__ = ["MAX_EXAMPLES", "MAX_HESSIAN_D", "DataSet", "NetworkSurface", "Surface",
           "condition_number", "data_names", "from_expression", "get", "names", "network",
           "param_rule", "residual_names", "spec", "standardized"]
