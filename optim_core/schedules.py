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

One schedule depends on the run, not on t alone: ``plateau(factor=0.1, patience=10,
threshold=1e-4, threshold_mode="rel", cooldown=0, min_lr=0, eps=1e-8,
monitor="train")`` is torch.optim.lr_scheduler.ReduceLROnPlateau (mode "min") fed the
training loss after every step (``monitor="validation"``: the validation loss, on
a surface whose data hold examples out): the loss at w_t decides α for step t + 1.
α starts at the run's α; once the loss has not improved on its best (below
best·(1 − threshold), or best − threshold in "abs" mode) for more than ``patience``
steps, α becomes max(α·factor, min_lr) — unless that changes it by eps or less — and
``cooldown`` steps follow in which the count stays at 0. ``min_lr`` and ``eps`` are
learning rates, as torch's are. Each start of a batch keeps its own α
(:class:`Plateau`).
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
    """A learning-rate multiplier by step: call it with t (an int or an array of ints).
    A schedule that ``watches`` the loss (``plateau``) has no multiplier by t: the runner
    asks :meth:`start` for its state and feeds it every step's loss."""

    name: str
    params: Mapping[str, object] = field(default_factory=dict)
    fn: Callable[[np.ndarray], np.ndarray] = field(default=lambda t: np.ones_like(t), repr=False)
    watches: str | None = None  # "loss": α depends on the losses the run has seen

    def start(self, lr) -> Plateau:
        """The state of a loss-watching schedule for runs starting at α = ``lr`` (a
        number, or one per start ``(n,)``)."""
        if self.watches is None:
            raise ValueError(f"{self.name} is a function of t: call it with the steps")
        return Plateau(dict(self.params), lr)

    def to_dict(self) -> dict:
        """``{"name": …, its parameters}`` (a warm-up's ``then`` as such a dict too):
        plain JSON, which :func:`from_dict` turns back into this schedule."""
        return {"name": self.name, **{k: v.to_dict() if isinstance(v, Schedule) else v
                                      for k, v in self.params.items()}}  # fmt: skip

    def __call__(self, t):
        if self.watches is not None:
            raise ValueError(f"{self.name}: α depends on the run's losses, not on t alone "
                             "(run() feeds it; the run records the α it used)")  # fmt: skip
        steps = np.asarray(t)
        if steps.dtype.kind not in "iu" or np.any(steps < 1):
            raise ValueError(f"t must be integers >= 1; got {t!r}")
        out = self.fn(steps.astype(float))
        return float(out) if np.ndim(out) == 0 else out


class Plateau:
    """ReduceLROnPlateau (mode "min") for n runs at once: ``lr`` ``(n,)`` is each run's α
    now; :meth:`observe` takes each run's loss after a step (torch's ``step(metrics)``,
    line for line, vectorized)."""

    def __init__(self, params: Mapping[str, object], lr):
        self.factor, self.patience = params["factor"], params["patience"]
        self.threshold, self.mode = params["threshold"], params["threshold_mode"]
        self.cooldown, self.min_lr, self.eps = (params["cooldown"], params["min_lr"],
                                                params["eps"])  # fmt: skip
        self.monitor = params.get("monitor", "train")
        self.lr = np.array(lr, dtype=float).reshape(-1)
        n = len(self.lr)
        self.best = np.full(n, np.inf)
        self.num_bad_epochs = np.zeros(n, dtype=np.int64)
        self.cooldown_counter = np.zeros(n, dtype=np.int64)

    def observe(self, losses) -> None:
        current = np.asarray(losses, dtype=float).reshape(-1)
        if self.mode == "rel":  # torch's _is_better, mode "min"
            better = current < self.best * (1.0 - self.threshold)
        else:
            better = current < self.best - self.threshold
        self.best = np.where(better, current, self.best)
        self.num_bad_epochs = np.where(better, 0, self.num_bad_epochs + 1)
        cooling = self.cooldown_counter > 0  # in_cooldown
        self.cooldown_counter = np.where(cooling, self.cooldown_counter - 1,
                                         self.cooldown_counter)  # fmt: skip
        self.num_bad_epochs = np.where(cooling, 0, self.num_bad_epochs)
        reduce = self.num_bad_epochs > self.patience
        if reduce.any():  # _reduce_lr: only a change larger than eps is made
            new = np.maximum(self.lr * self.factor, self.min_lr)
            self.lr = np.where(reduce & (self.lr - new > self.eps), new, self.lr)
            self.cooldown_counter = np.where(reduce, self.cooldown, self.cooldown_counter)
            self.num_bad_epochs = np.where(reduce, 0, self.num_bad_epochs)


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
    elif name == "plateau":
        defaults = {"factor": 0.1, "patience": 10, "threshold": 1e-4, "threshold_mode": "rel",
                    "cooldown": 0, "min_lr": 0.0, "eps": 1e-8,  # torch's
                    "monitor": "train"}  # fmt: skip
        for key, value in defaults.items():
            given.setdefault(key, value)
        mode = given.pop("threshold_mode")
        if mode not in ("rel", "abs"):
            raise ValueError(f"plateau: threshold_mode must be 'rel' or 'abs'; got {mode!r}")
        monitor = given.pop("monitor")
        if monitor not in MONITORS:
            raise ValueError(f"plateau: monitor must be one of {list(MONITORS)}; got "
                             f"{monitor!r}")  # fmt: skip
        used = {"factor": take("factor", 0, 1, low_open=True),
                "patience": take("patience", 0, integer=True),
                "threshold": take("threshold", 0), "threshold_mode": mode,
                "cooldown": take("cooldown", 0, integer=True), "min_lr": take("min_lr", 0),
                "eps": take("eps", 0), "monitor": monitor}  # fmt: skip
        if used["factor"] == 1:
            raise ValueError("plateau: factor must be a number in (0, 1); got 1")
        if given:
            raise ValueError(f"{kind}: unknown parameter(s) {sorted(given)}; it takes "
                             f"{sorted(used)}")  # fmt: skip
        return Schedule(name, MappingProxyType(used), watches="loss")
    elif name == "noam":
        d_model, warmup = take("d_model", 1, integer=True), take("warmup", 1, integer=True)
        used = {"d_model": d_model, "warmup": warmup}
        fn = lambda t: d_model**-0.5 * np.minimum(t**-0.5, t * warmup**-1.5)  # noqa: E731
    else:
        raise ValueError(f"schedule must be one of {list(NAMES) + list(WATCHING)}; got "
                         f"{name!r}")  # fmt: skip
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
MONITORS = ("train", "validation")  # the loss a plateau watches
WATCHING = ("plateau",)  # the loss-watching ones (not yet on the race page)
