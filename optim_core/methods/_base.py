r"""What every optimizer module shares: the :class:`Optimizer` record, the
hyperparameters, the states, the buffers of the in-place forms and their helpers, and
:func:`define` / :func:`torch_form`, which make an optimizer's two conventions from
its rules and metadata.

The cheat sheet's conventions (the default):


* ``lr`` is α, ``beta1`` is β₁ (decay of gradient averages: the β of Momentum and
  NAG), ``beta2`` is β₂ (decay of squared-gradient averages: the β of RMSprop and
  Adadelta), ``eps`` is ε.
* Momentum-like averages are exponential moving averages ``m ← β₁ m + (1 − β₁) g``,
  not PyTorch's accumulated buffer ``m ← β m + g``: for the same β the step is
  ``1 − β`` times smaller than ``torch.optim.SGD(momentum=β)``.
* AdaGrad, RMSprop and Adadelta put ε *inside* the square root, ``√(v + ε)``; Adam,
  Nadam and AMSGrad put it outside, ``√v̂ + ε`` (PyTorch puts it outside everywhere).
* AMSGrad keeps no bias correction (PyTorch's ``amsgrad=True`` corrects both moments).
* Nadam is the cheat sheet's form with a constant β₁ (Keras and PyTorch add a
  momentum-decay schedule).
* Adadelta has no learning rate (PyTorch multiplies its step by ``lr=1.0``).
* Where a denominator is exactly 0 (AdaMax's ``v`` before any non-zero gradient, or
  ε = 0 with a zero gradient history) the quotient is taken as 0: the step is 0,
  never NaN.

An ``update(grad, w, state, t, hp)`` receives the gradient *function*, so that NAG
can evaluate it at its look-ahead point; it returns ``(w_new, state_new, g)`` where
``g`` is the gradient the step used. Updates never mutate their inputs, and work on
any array shaped ``(..., D)`` (one start or a batch of starts; D = 2 on the analytic
surfaces, any D for the rules).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import NamedTuple

import numpy as np

GradFn = Callable[[np.ndarray], np.ndarray]


HYPERPARAMETERS = ("lr", "beta1", "beta2", "eps", "weight_decay", "memory", "damping", "c1",
                   "c2", "shrink", "beta_rule", "line_search",
                   # the optimizers of 2023–2026 (issue 24)
                   "beta3", "mix", "warmup", "lr_power", "d0", "clip", "every", "eps2",
                   "decay", "ns_steps")
# The hyperparameters that name a choice, not a number: their choices
CHOICES = {
    "beta_rule": ("PR+", "FR"),  # CG's β: Polak–Ribière+ or Fletcher–Reeves
    "line_search": ("none", "strong_wolfe"),  # torch's L-BFGS: its line_search_fn
}


class Hyperparams(NamedTuple):
    """Resolved hyperparameter values. Ones an optimizer does not use are nan ("" for
    a choice).

    Each number is a float, or an array shaped ``(N, 1)`` that gives every start of a
    batch ``(N, D)`` its own value (a hyperparameter sweep is one batch); a choice
    (``CHOICES``) is one of its strings.
    """

    lr: float = float("nan")
    beta1: float = float("nan")
    beta2: float = float("nan")
    eps: float = float("nan")
    weight_decay: float = float("nan")
    memory: float = float("nan")  # L-BFGS: the pairs (s, y) it keeps, a whole number
    damping: float = float("nan")  # Levenberg–Marquardt: the first λ
    c1: float = float("nan")  # a line search's sufficient decrease (Armijo) constant
    c2: float = float("nan")  # the strong Wolfe curvature constant
    shrink: float = float("nan")  # backtracking's factor ρ
    beta_rule: str = ""  # CG: "PR+" or "FR" (CHOICES)
    line_search: str = ""  # torch's L-BFGS: "none" or "strong_wolfe"
    beta3: float = float("nan")  # a third EMA's β: Adan's, AdEMAMix's slow one, Prodigy's
    mix: float = float("nan")  # AdEMAMix: the slow EMA's weight α
    warmup: float = float("nan")  # Schedule-Free: warm-up steps, a whole number
    lr_power: float = float("nan")  # Schedule-Free: the weighting's power of the lr
    d0: float = float("nan")  # Prodigy: the first estimate of the distance d
    clip: float = float("nan")  # Sophia's ρ; Adafactor's update clipping d
    every: float = float("nan")  # Sophia, SOAP: steps between curvature updates, whole
    eps2: float = float("nan")  # Adafactor: ε₂, the floor of the parameter scale
    decay: float = float("nan")  # Adafactor: the β₂ schedule's exponent c (β₂ₜ = 1 − t^−c)
    ns_steps: float = float("nan")  # Muon: Newton–Schulz iterations, a whole number


def safe_divide(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """``numerator / denominator``, with 0 where the denominator is exactly 0."""
    return np.divide(numerator, denominator, out=np.zeros_like(numerator), where=denominator != 0)


def divide_for(eps) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    # With ε > 0 these denominators are ≥ √ε or ≥ ε, so the plain quotient is safe
    # and the hot path keeps its single operation.
    positive = eps > 0 if isinstance(eps, float) else bool(np.all(eps > 0))
    return np.divide if positive else safe_divide


@dataclass(frozen=True, eq=False)
class Optimizer:
    """An optimizer's update rule and what the page needs to present it."""

    name: str
    title: str
    year: int
    citation: str
    latex: str
    hyperparams: tuple[str, ...]
    defaults: Mapping[str, float]
    init: Callable[[np.ndarray], tuple]
    update: Callable[[GradFn, np.ndarray, tuple, int, Hyperparams], tuple]
    note: str = ""
    # "cheatsheet" (the cheat sheet's forms) or "pytorch" (torch.optim's: each module's PYTORCH)
    convention: str = "cheatsheet"
    # The same rule written into preallocated buffers (the runner's hot path): the same
    # operations in the same order, so its numbers equal ``update``'s bit for bit.
    update_into: Callable | None = None
    # How the page draws it, the same everywhere (viz.style): a colour, a marker shape
    # in 2-D and one of the eight shapes plotly's Scatter3d draws
    # α's multiplier per coordinate at each step, from the recorded state:
    # step_size(state after the step, state before it, hyperparameters (a dict), t)
    # (optim_core.insides); None where there is none (Newton's H⁻¹ mixes coordinates)
    step_size: Callable | None = None
    # refuses hyperparameter values the rule cannot use (a ValueError that says why):
    # check(the resolved values, a dict); None when the ranges are enough
    check: Callable | None = None
    color: str = "#555555"
    symbol: str = "circle"
    symbol_3d: str = "circle"
    # whether ``init(w, hp)`` reads the hyperparameters (L-BFGS: its memory sizes its
    # state); otherwise ``init(w)``
    init_reads_hp: bool = False
    # what the surface must declare for this rule to run: "residuals" (Gauss–Newton and
    # Levenberg–Marquardt work on sums of squares); "hessian": the exact D × D Hessian
    # (Newton's methods: up to surfaces.MAX_HESSIAN_D)
    needs: tuple[str, ...] = ()

    @property
    def state_fields(self) -> tuple[str, ...]:
        return self.init(np.zeros(2))._fields

    def init_state(self, w: np.ndarray, hp: Hyperparams | None = None):
        """The state before the first step, for the starts ``w``, sized by ``hp`` where
        the rule's state depends on it (and by the defaults without ``hp``)."""
        return self.init(w, hp) if self.init_reads_hp else self.init(w)

    def __repr__(self) -> str:
        return f"Optimizer({self.name})"


class NoState(NamedTuple):
    pass


class MomentState(NamedTuple):
    m: np.ndarray  # shape=w.shape, average of gradients


class SquareState(NamedTuple):
    v: np.ndarray  # shape=w.shape, sum or average of squared gradients


class AdamState(NamedTuple):
    m: np.ndarray  # shape=w.shape, average of gradients
    v: np.ndarray  # shape=w.shape, average of squared gradients (AdaMax: of |g|, by max)


def zeros_init(cls):
    def init(w: np.ndarray):
        w = np.asarray(w, dtype=float)
        return cls(*(np.zeros_like(w) for _ in cls._fields))  # w's memory layout too

    return init


def into_from_update(update):
    """An in-place form of ``update`` for the runner: the readable rule, its results
    copied into the buffers (it allocates; the first ten have hand-written forms).
    ``grad_into.hessian``, where the runner gives it, is passed on as ``grad.hessian``."""

    def update_into(grad_into, w, state, t, hp, out):
        def grad(xy):
            g = np.empty_like(xy)
            grad_into(xy, g)
            return g

        grad.hessian = getattr(grad_into, "hessian", None)
        grad.f = getattr(grad_into, "f", None)
        grad.residuals = getattr(grad_into, "residuals", None)
        w_new, state_new, g = update(grad, w, state, t, hp)
        np.copyto(out.w, w_new)
        np.copyto(out.g, g)
        for target, value in zip(out.state, state_new, strict=True):
            np.copyto(target, value)

    return update_into


class Buffers(NamedTuple):
    """Where an in-place update writes: all shaped like w."""

    w: np.ndarray  # the new point
    state: tuple  # the new state (a state NamedTuple of arrays)
    g: np.ndarray  # the gradient the step used
    a: np.ndarray  # scratch
    b: np.ndarray  # scratch


def divide_into(eps, numerator, denominator, out):
    """``out = divide_for(eps)(numerator, denominator)``; ``out`` may be ``numerator``."""
    positive = eps > 0 if isinstance(eps, float) else bool(np.all(eps > 0))
    if positive:
        return np.divide(numerator, denominator, out=out)
    zero = denominator == 0
    np.divide(numerator, denominator, out=out, where=~zero)
    out[zero] = 0.0
    return out


def ema_into(decay, old, new_term, out, scratch):
    """out = decay * old + (1 - decay) * new_term"""
    np.multiply(old, decay, out=out)
    np.multiply(new_term, 1 - decay, out=scratch)
    return np.add(out, scratch, out=out)


def ema_square_into(decay, old, g, out, scratch):
    """out = decay * old + (1 - decay) * (g * g)"""
    np.multiply(old, decay, out=out)
    np.multiply(g, g, out=scratch)
    np.multiply(scratch, 1 - decay, out=scratch)
    return np.add(out, scratch, out=out)


def descend_into(w, lr, direction, out, scratch):
    """out = w - lr * direction (``scratch`` may be ``direction``)"""
    np.multiply(direction, lr, out=scratch)
    return np.subtract(w, scratch, out=out)


def scaled_by_root_into(v, g, hp, out):
    """out.b = g / sqrt(v + eps), the direction of AdaGrad and RMSprop"""
    np.add(v, hp.eps, out=out.a)
    np.sqrt(out.a, out=out.a)
    return divide_into(hp.eps, g, out.a, out.b)


def adam_step_into(m_hat, v_hat, w, hp, out):
    """out.w = w - lr * m_hat / (sqrt(v_hat) + eps); v_hat is overwritten"""
    np.sqrt(v_hat, out=v_hat)
    np.add(v_hat, hp.eps, out=v_hat)
    descend_into(w, hp.lr, divide_into(hp.eps, m_hat, v_hat, m_hat), out.w, m_hat)


EMA = r"m_t = \beta_1 m_{t-1} + (1-\beta_1)\, g_t"


EMA2 = r"v_t = \beta_2 v_{t-1} + (1-\beta_2)\, g_t^2"


HATS = r"\hat m_t = \frac{m_t}{1-\beta_1^t}, \quad \hat v_t = \frac{v_t}{1-\beta_2^t}"


TORCH_B = r"b_t = \beta_1 b_{t-1} + g_t"
TORCH_MV = (r"m_t = \beta_1 m_{t-1} + (1-\beta_1)\, g_t \\ "
       r"v_t = \beta_2 v_{t-1} + (1-\beta_2)\, g_t^2")  # fmt: skip
TORCH_HAT_M = r"\hat m_t = \frac{m_t}{1-\beta_1^t}"


def with_lead(state, lead: tuple):
    """``state`` (a NamedTuple of arrays, one row per start) shaped for the starts'
    leading shape ``lead`` (``()`` for one start)."""
    return type(state)(*(a.reshape(*lead, *a.shape[1:]) for a in state))


# ---------------------------------------------------------------- step sizes shared
#
# ``step_size(state after, state before, hyperparameters, t)`` (Optimizer.step_size):
# the rules several optimizers share.


def lr_step_size(state, before, hp, t):
    """α (SGD; Momentum and NAG, whose direction is the momentum)"""
    return hp["lr"]


def root_step_size(state, before, hp, t):
    """α / √(v + ε) (AdaGrad, RMSprop: ε inside the root)"""
    return hp["lr"] / np.sqrt(state["v"] + hp["eps"])


def torch_root_step_size(state, before, hp, t):
    """α / (√v + ε) (torch's AdaGrad and RMSprop: ε outside)"""
    return hp["lr"] / (np.sqrt(state["v"]) + hp["eps"])


def adam_step_size(state, before, hp, t):
    """α / (√v̂ + ε), v̂ = v / (1 − β₂ᵗ) (Adam, AdamW, Nadam)"""
    return hp["lr"] / (np.sqrt(state["v"] / (1 - hp["beta2"] ** t)) + hp["eps"])


def define(name, title, year, citation, latex, defaults, state, update, note="", *,
           update_into=None, look=("#555555", "circle", "circle"),
           step_size=None, check=None, init=None, init_reads_hp=False,
           needs=()) -> Optimizer:
    """An optimizer in the cheat sheet's convention: its rule ``update``, its in-place
    form ``update_into`` (or the generic one made from the rule), its metadata, and
    ``look``: its colour, 2-D marker and 3-D marker (see viz.style)."""
    return Optimizer(
        name=name,
        title=title,
        year=year,
        citation=citation,
        latex=latex,
        hyperparams=tuple(h for h in HYPERPARAMETERS if h in defaults),
        defaults=MappingProxyType(dict(defaults)),
        init=init or zeros_init(state),
        update=update,
        note=note,
        update_into=update_into or into_from_update(update),
        step_size=step_size,
        check=check,
        color=look[0],
        symbol=look[1],
        symbol_3d=look[2],
        init_reads_hp=init_reads_hp,
        needs=tuple(needs),
    )


def torch_form(base: Optimizer, update, state, defaults, latex, note, *, init=None,
               step_size=None, init_reads_hp=None, check="base") -> Optimizer:
    """The same optimizer as torch.optim computes it (``convention="pytorch"``): its
    rule, state, defaults, LaTeX and how it differs from ``base``, the cheat sheet's. A
    rule the two share keeps ``base``'s hand-written in-place form; ``step_size`` and
    ``check`` are ``base``'s unless given."""
    return Optimizer(
        name=base.name, title=base.title, year=base.year,
        citation=f"{base.citation}; torch.optim", latex=latex,
        hyperparams=tuple(h for h in HYPERPARAMETERS if h in defaults),
        defaults=MappingProxyType(dict(defaults)),
        init=init or zeros_init(state),
        update=update, note=note,
        update_into=base.update_into if update is base.update else into_from_update(update),
        convention="pytorch", step_size=step_size or base.step_size,
        check=base.check if check == "base" else check,
        color=base.color, symbol=base.symbol, symbol_3d=base.symbol_3d,
        init_reads_hp=base.init_reads_hp if init_reads_hp is None else init_reads_hp,
        needs=base.needs,
    )  # fmt: skip


def same_in_torch(base: Optimizer, note: str = "Not in torch.optim: the same rule.") -> Optimizer:
    """The pytorch convention of an optimizer torch.optim lacks: ``base`` itself (its
    rule, state, defaults, LaTeX, in-place form), said so in ``note``."""
    return torch_form(base, base.update, None, dict(base.defaults), base.latex, note,
                      init=base.init)  # fmt: skip
