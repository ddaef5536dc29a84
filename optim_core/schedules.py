"""Learning-rate schedules: ``schedule(name, **params)`` gives a function of the step t
(t = 1, 2, …; an int or an array of ints) returning the multiplier of α at that step;
``run(..., schedule=...)`` steps with α·schedule(t).

- ``constant``: 1
- ``step(every=k, factor=γ)``: γ^⌊(t−1)/k⌋
- ``exponential(rate=δ)``: e^(−δ(t−1))
- ``inverse_time(rate=δ)``: 1 / (1 + δ(t−1))
- ``cosine(period=T, floor=r)``: r + (1 − r)(1 + cos(π·min(t−1, T)/T))/2
- ``sgdr(period=T₀, mult=m, floor=r)``: that cosine, restarted at the end of each cycle;
  cycles T₀, T₀m, T₀m², … (Loshchilov & Hutter 2017)
- ``warmup(steps=W, then=<schedule>)``: t/W for t ≤ W, then ``then(t − W)``
- ``noam(d_model, warmup)``: d_model^−½ · min(t^−½, t·warmup^−³ᐟ²) (Vaswani et al. 2017;
  with α = 1 it is the Transformer's own rate)
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np


@dataclass(frozen=True)
class Schedule:
    """A learning-rate multiplier by step: call it with t (an int or an array of ints)."""

    name: str
    params: Mapping[str, object] = field(default_factory=dict)
    fn: Callable[[np.ndarray], np.ndarray] = field(default=lambda t: np.ones_like(t), repr=False)

    def to_dict(self) -> dict:
        """``{"name": …, its parameters}`` (a warm-up's ``then`` as such a dict too):
        plain JSON, which :func:`from_dict` turns back into this schedule."""
        return {"name": self.name, **{k: v.to_dict() if isinstance(v, Schedule) else v
                                      for k, v in self.params.items()}}  # fmt: skip

    def __call__(self, t):
        steps = np.asarray(t)
        if steps.dtype.kind not in "iu" or np.any(steps < 1):
            raise ValueError(f"t must be integers >= 1; got {t!r}")
        out = self.fn(steps.astype(float))
        return float(out) if np.ndim(out) == 0 else out


def _number(name: str, value, low: float, high: float = math.inf, *, integer=False,
            low_open=False, kind: str = "") -> float:  # fmt: skip
    bad = (isinstance(value, bool) or not isinstance(value, numbers.Real)
           or not math.isfinite(value) or (integer and value != int(value))
           or value < low or value > high or (low_open and value == low))  # fmt: skip
    if bad:
        what = "an integer" if integer else "a number"
        low_text = f"({low:g}" if low_open else f"[{low:g}"
        high_text = "∞)" if high == math.inf else f"{high:g}]"
        raise ValueError(f"{kind}: {name} must be {what} in {low_text}, {high_text}; "
                         f"got {value!r}")  # fmt: skip
    return int(value) if integer else float(value)


def _cosine(pos, length, floor):
    return floor + (1 - floor) * (1 + np.cos(np.pi * pos / length)) / 2


def _sgdr(t, period, mult, floor):
    s = t - 1  # steps since the start
    if mult == 1:
        cycle = np.floor(s / period)
        start, length = cycle * period, np.full_like(s, period)
    else:
        cycle = np.floor(np.log1p(s * (mult - 1) / period) / np.log(mult))
        start = period * (mult**cycle - 1) / (mult - 1)
        # float rounding at a cycle's edge: step into the right cycle
        over = s >= start + period * mult**cycle
        cycle = cycle + over
        under = s < period * (mult**cycle - 1) / (mult - 1)
        cycle = cycle - under
        start = period * (mult**cycle - 1) / (mult - 1)
        length = period * mult**cycle
    return _cosine(s - start, length, floor)


def schedule(name: str, **params) -> Schedule:
    """The schedule ``name`` with ``params`` (see the module doc); a ValueError names a
    bad name, parameter, value and range."""
    kind = name
    given = dict(params)

    def take(key, *args, **kw):
        if key not in given:
            raise ValueError(f"{kind}: missing parameter {key!r}")
        return _number(key, given.pop(key), *args, kind=kind, **kw)

    if name == "constant":
        fn = np.ones_like
        used = {}
    elif name == "step":
        every, factor = take("every", 1, integer=True), take("factor", 0, 1, low_open=True)
        used = {"every": every, "factor": factor}
        fn = lambda t: factor ** np.floor((t - 1) / every)  # noqa: E731
    elif name == "exponential":
        rate = take("rate", 0)
        used = {"rate": rate}
        fn = lambda t: np.exp(-rate * (t - 1))  # noqa: E731
    elif name == "inverse_time":
        rate = take("rate", 0)
        used = {"rate": rate}
        fn = lambda t: 1 / (1 + rate * (t - 1))  # noqa: E731
    elif name == "cosine":
        period, floor = take("period", 1, integer=True), take("floor", 0, 1)
        used = {"period": period, "floor": floor}
        fn = lambda t: _cosine(np.minimum(t - 1, period), period, floor)  # noqa: E731
    elif name == "sgdr":
        period, mult = take("period", 1, integer=True), take("mult", 1, integer=True)
        floor = take("floor", 0, 1)
        used = {"period": period, "mult": mult, "floor": floor}
        fn = lambda t: _sgdr(t, period, mult, floor)  # noqa: E731
    elif name == "warmup":
        steps = take("steps", 1, integer=True)
        then = given.pop("then", None) or schedule("constant")
        if not isinstance(then, Schedule):
            raise ValueError(f"warmup: then must be a schedule; got {then!r}")
        used = {"steps": steps, "then": then}
        fn = lambda t: np.where(t <= steps, t / steps, then.fn(np.maximum(t - steps, 1)))  # noqa: E731
    elif name == "noam":
        d_model, warmup = take("d_model", 1, integer=True), take("warmup", 1, integer=True)
        used = {"d_model": d_model, "warmup": warmup}
        fn = lambda t: d_model**-0.5 * np.minimum(t**-0.5, t * warmup**-1.5)  # noqa: E731
    else:
        raise ValueError(f"schedule must be one of {list(NAMES)}; got {name!r}")
    if given:
        raise ValueError(f"{kind}: unknown parameter(s) {sorted(given)}; it takes "
                         f"{sorted(used) or 'none'}")  # fmt: skip
    return Schedule(name, MappingProxyType(used), fn)


def from_dict(spec: Mapping) -> Schedule:
    """The schedule :meth:`Schedule.to_dict` wrote."""
    params = dict(spec)
    name = params.pop("name")
    if isinstance(params.get("then"), Mapping):
        params["then"] = from_dict(params["then"])
    return schedule(name, **params)


NAMES = ("constant", "step", "exponential", "inverse_time", "cosine", "sgdr", "warmup", "noam")
