r"""The ten optimizers of the cheat sheet, each an ``init`` and an ``update`` function.

Conventions shared by all of them (t counts from 1; every state starts at 0):

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
any array shaped ``(..., 2)`` (one start or a batch of starts).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import NamedTuple

import numpy as np

GradFn = Callable[[np.ndarray], np.ndarray]
HYPERPARAMETERS = ("lr", "beta1", "beta2", "eps", "weight_decay")


class Hyperparams(NamedTuple):
    """Resolved hyperparameter values. Ones an optimizer does not use are nan.

    Each value is a float, or an array shaped ``(N, 1)`` that gives every start of a
    batch ``(N, 2)`` its own value (a hyperparameter sweep is one batch).
    """

    lr: float = float("nan")
    beta1: float = float("nan")
    beta2: float = float("nan")
    eps: float = float("nan")
    weight_decay: float = float("nan")


def safe_divide(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """``numerator / denominator``, with 0 where the denominator is exactly 0."""
    return np.divide(numerator, denominator, out=np.zeros_like(numerator), where=denominator != 0)


def _divide(eps) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
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
    # "cheatsheet" (the cheat sheet's forms) or "pytorch" (torch.optim's; optim_core.pytorch)
    convention: str = "cheatsheet"
    # The same rule written into preallocated buffers (the runner's hot path): the same
    # operations in the same order, so its numbers equal ``update``'s bit for bit.
    update_into: Callable | None = None

    @property
    def state_fields(self) -> tuple[str, ...]:
        return self.init(np.zeros(2))._fields

    def __repr__(self) -> str:
        return f"Optimizer({self.name})"


# ---------------------------------------------------------------- states


class NoState(NamedTuple):
    pass


class MomentState(NamedTuple):
    m: np.ndarray  # shape=w.shape, average of gradients


class SquareState(NamedTuple):
    v: np.ndarray  # shape=w.shape, sum or average of squared gradients


class AdadeltaState(NamedTuple):
    v: np.ndarray  # shape=w.shape, average of squared gradients
    D: np.ndarray  # shape=w.shape, average of squared steps


class AdamState(NamedTuple):
    m: np.ndarray  # shape=w.shape, average of gradients
    v: np.ndarray  # shape=w.shape, average of squared gradients (AdaMax: of |g|, by max)


class AMSGradState(NamedTuple):
    m: np.ndarray  # shape=w.shape
    v: np.ndarray  # shape=w.shape
    v_hat: np.ndarray  # shape=w.shape, running maximum of v


def _zeros(cls):
    def init(w: np.ndarray):
        w = np.asarray(w, dtype=float)
        return cls(*(np.zeros_like(w) for _ in cls._fields))  # w's memory layout too

    return init


# ---------------------------------------------------------------- updates


def sgd_update(grad, w, state, t, hp):
    """w ← w − α g"""
    g = grad(w)
    w = w - hp.lr * g
    return w, state, g


def momentum_update(grad, w, state, t, hp):
    """m ← β₁ m + (1 − β₁) g;  w ← w − α m"""
    g = grad(w)
    m = hp.beta1 * state.m + (1 - hp.beta1) * g
    w = w - hp.lr * m
    return w, MomentState(m), g


def nag_update(grad, w, state, t, hp):
    """g = ∇f(w − α m_prev);  m ← β₁ m + (1 − β₁) g;  w ← w − α m"""
    w_ahead = w - hp.lr * state.m
    g = grad(w_ahead)
    m = hp.beta1 * state.m + (1 - hp.beta1) * g
    w = w - hp.lr * m
    return w, MomentState(m), g


def adagrad_update(grad, w, state, t, hp):
    """v ← v + g²;  w ← w − α g / √(v + ε)"""
    g = grad(w)
    v = state.v + g * g
    w = w - hp.lr * _divide(hp.eps)(g, np.sqrt(v + hp.eps))
    return w, SquareState(v), g


def rmsprop_update(grad, w, state, t, hp):
    """v ← β₂ v + (1 − β₂) g²;  w ← w − α g / √(v + ε)"""
    g = grad(w)
    v = hp.beta2 * state.v + (1 - hp.beta2) * (g * g)
    w = w - hp.lr * _divide(hp.eps)(g, np.sqrt(v + hp.eps))
    return w, SquareState(v), g


def adadelta_update(grad, w, state, t, hp):
    """v ← β₂ v + (1 − β₂) g²;  Δw = −√(D + ε) / √(v + ε) · g;  w ← w + Δw;
    D ← β₂ D + (1 − β₂) Δw²"""
    g = grad(w)
    v = hp.beta2 * state.v + (1 - hp.beta2) * (g * g)
    delta = -_divide(hp.eps)(np.sqrt(state.D + hp.eps), np.sqrt(v + hp.eps)) * g
    w = w + delta
    D = hp.beta2 * state.D + (1 - hp.beta2) * (delta * delta)
    return w, AdadeltaState(v, D), g


def adam_update(grad, w, state, t, hp):
    """m ← β₁ m + (1 − β₁) g;  v ← β₂ v + (1 − β₂) g²;  m̂ = m / (1 − β₁ᵗ);
    v̂ = v / (1 − β₂ᵗ);  w ← w − α m̂ / (√v̂ + ε)"""
    g = grad(w)
    m = hp.beta1 * state.m + (1 - hp.beta1) * g
    v = hp.beta2 * state.v + (1 - hp.beta2) * (g * g)
    m_hat = m / (1 - np.power(hp.beta1, t))
    v_hat = v / (1 - np.power(hp.beta2, t))
    w = w - hp.lr * _divide(hp.eps)(m_hat, np.sqrt(v_hat) + hp.eps)
    return w, AdamState(m, v), g


def adamax_update(grad, w, state, t, hp):
    """m ← β₁ m + (1 − β₁) g;  v ← max(β₂ v, |g|);  m̂ = m / (1 − β₁ᵗ);  w ← w − α m̂ / v"""
    g = grad(w)
    m = hp.beta1 * state.m + (1 - hp.beta1) * g
    v = np.maximum(hp.beta2 * state.v, np.abs(g))
    m_hat = m / (1 - np.power(hp.beta1, t))
    w = w - hp.lr * safe_divide(m_hat, v)
    return w, AdamState(m, v), g


def nadam_update(grad, w, state, t, hp):
    """m, v, m̂, v̂ as Adam;  w ← w − α / (√v̂ + ε) · (β₁ m̂ + (1 − β₁) / (1 − β₁ᵗ) · g)"""
    g = grad(w)
    m = hp.beta1 * state.m + (1 - hp.beta1) * g
    v = hp.beta2 * state.v + (1 - hp.beta2) * (g * g)
    m_hat = m / (1 - np.power(hp.beta1, t))
    v_hat = v / (1 - np.power(hp.beta2, t))
    direction = hp.beta1 * m_hat + (1 - hp.beta1) / (1 - np.power(hp.beta1, t)) * g
    w = w - hp.lr * _divide(hp.eps)(direction, np.sqrt(v_hat) + hp.eps)
    return w, AdamState(m, v), g


def amsgrad_update(grad, w, state, t, hp):
    """m ← β₁ m + (1 − β₁) g;  v ← β₂ v + (1 − β₂) g²;  v̂ ← max(v̂, v);
    w ← w − α m / (√v̂ + ε)"""
    g = grad(w)
    m = hp.beta1 * state.m + (1 - hp.beta1) * g
    v = hp.beta2 * state.v + (1 - hp.beta2) * (g * g)
    v_hat = np.maximum(state.v_hat, v)
    w = w - hp.lr * _divide(hp.eps)(m, np.sqrt(v_hat) + hp.eps)
    return w, AMSGradState(m, v, v_hat), g


def radam_rectification(beta2, t):
    """RAdam's ρ_t = ρ∞ − 2t β₂ᵗ / (1 − β₂ᵗ) (ρ∞ = 2 / (1 − β₂) − 1) and its rectifier
    r_t = √((ρ_t − 4)(ρ_t − 2) ρ∞ / ((ρ∞ − 4)(ρ∞ − 2) ρ_t)), nan where ρ_t ≤ 4 (where
    no convention uses it)."""
    rho_inf = 2 / (1 - beta2) - 1
    rho = rho_inf - 2 * t * np.power(beta2, t) / (1 - np.power(beta2, t))
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.sqrt((rho - 4) * (rho - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho))
    return rho, r


def radam_update(grad, w, state, t, hp):
    """m, v as Adam;  m̂ = m / (1 − β₁ᵗ);  ρ∞ = 2 / (1 − β₂) − 1;
    ρ_t = ρ∞ − 2t β₂ᵗ / (1 − β₂ᵗ);  if ρ_t > 4: w ← w − α r_t m̂ √((1 − β₂ᵗ) / v)
    with r_t = √((ρ_t − 4)(ρ_t − 2) ρ∞ / ((ρ∞ − 4)(ρ∞ − 2) ρ_t));  else w ← w − α m̂"""
    g = grad(w)
    m = hp.beta1 * state.m + (1 - hp.beta1) * g
    v = hp.beta2 * state.v + (1 - hp.beta2) * (g * g)
    m_hat = m / (1 - np.power(hp.beta1, t))
    rho, r = radam_rectification(hp.beta2, t)
    rectified = rho > 4
    adaptive = r * m_hat * safe_divide(np.sqrt(1 - np.power(hp.beta2, t)) * np.ones_like(v),
                                       np.sqrt(v))  # fmt: skip
    w = w - hp.lr * np.where(rectified, adaptive, m_hat)
    return w, AdamState(m, v), g


def adamw_update(grad, w, state, t, hp):
    """m, v, m̂, v̂ as Adam;  w ← w − α (m̂ / (√v̂ + ε) + λ w)"""
    g = grad(w)
    m = hp.beta1 * state.m + (1 - hp.beta1) * g
    v = hp.beta2 * state.v + (1 - hp.beta2) * (g * g)
    m_hat = m / (1 - np.power(hp.beta1, t))
    v_hat = v / (1 - np.power(hp.beta2, t))
    w = w - hp.lr * (_divide(hp.eps)(m_hat, np.sqrt(v_hat) + hp.eps) + hp.weight_decay * w)
    return w, AdamState(m, v), g


def newton_step(h: np.ndarray, g: np.ndarray) -> np.ndarray:
    """H⁻¹ g for 2 × 2 matrices ``h`` (..., 2, 2) and vectors ``g`` (..., 2), by the
    explicit inverse: a singular H gives inf or nan (the run then stops as diverged)."""
    a, b, c, d = h[..., 0, 0], h[..., 0, 1], h[..., 1, 0], h[..., 1, 1]
    det = a * d - b * c
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.stack([(d * g[..., 0] - b * g[..., 1]) / det,
                         (a * g[..., 1] - c * g[..., 0]) / det], axis=-1)  # fmt: skip


def newton_update(grad, w, state, t, hp):
    """w ← w − α H⁻¹ g  (H: the surface's Hessian at w)"""
    g = grad(w)
    return w - hp.lr * newton_step(grad.hessian(w), g), state, g


def absolute_hessian(h: np.ndarray, damping) -> np.ndarray:
    """|H| + δI: H's eigenvalues replaced by their absolute values plus δ (its
    eigenvectors kept), for symmetric 2 × 2 matrices ``h`` (..., 2, 2)."""
    values, vectors = np.linalg.eigh(h)
    values = np.abs(values) + damping  # (a per-start δ is shaped (N, 1), like values' rows)
    return np.einsum("...ij,...j,...kj->...ik", vectors, values, vectors)


def saddle_free_newton_update(grad, w, state, t, hp):
    """|H| = Q |Λ| Qᵀ for H = Q Λ Qᵀ;  w ← w − α (|H| + ε I)⁻¹ g"""
    g = grad(w)
    return w - hp.lr * newton_step(absolute_hessian(grad.hessian(w), hp.eps), g), state, g


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
        w_new, state_new, g = update(grad, w, state, t, hp)
        np.copyto(out.w, w_new)
        np.copyto(out.g, g)
        for target, value in zip(out.state, state_new, strict=True):
            np.copyto(target, value)

    return update_into


# ---------------------------------------------------------------- in place
#
# ``<name>_into(grad_into, w, state, t, hp, out)`` is ``<name>_update`` written into the
# buffers of ``out`` (new point, new state, gradient, two scratch arrays) instead of
# fresh arrays: NumPy then does no allocation per step, which is what makes a batch of
# starts run near the speed of a C loop. Every line does the readable rule's operations
# in its order, so the numbers are identical (tests/test_optimizers.py checks this);
# ``grad_into(xy, out)`` writes the gradient at ``xy`` into ``out``. Inputs are not
# modified.


class Buffers(NamedTuple):
    """Where an in-place update writes: all shaped like w."""

    w: np.ndarray  # the new point
    state: tuple  # the new state (a state NamedTuple of arrays)
    g: np.ndarray  # the gradient the step used
    a: np.ndarray  # scratch
    b: np.ndarray  # scratch


def _divide_into(eps, numerator, denominator, out):
    """``out = _divide(eps)(numerator, denominator)``; ``out`` may be ``numerator``."""
    positive = eps > 0 if isinstance(eps, float) else bool(np.all(eps > 0))
    if positive:
        return np.divide(numerator, denominator, out=out)
    zero = denominator == 0
    np.divide(numerator, denominator, out=out, where=~zero)
    out[zero] = 0.0
    return out


def _ema_into(decay, old, new_term, out, scratch):
    """out = decay * old + (1 - decay) * new_term"""
    np.multiply(old, decay, out=out)
    np.multiply(new_term, 1 - decay, out=scratch)
    return np.add(out, scratch, out=out)


def _ema_square_into(decay, old, g, out, scratch):
    """out = decay * old + (1 - decay) * (g * g)"""
    np.multiply(old, decay, out=out)
    np.multiply(g, g, out=scratch)
    np.multiply(scratch, 1 - decay, out=scratch)
    return np.add(out, scratch, out=out)


def _descend_into(w, lr, direction, out, scratch):
    """out = w - lr * direction (``scratch`` may be ``direction``)"""
    np.multiply(direction, lr, out=scratch)
    return np.subtract(w, scratch, out=out)


def sgd_into(grad_into, w, state, t, hp, out):
    grad_into(w, out.g)
    np.multiply(out.g, hp.lr, out=out.a)
    np.subtract(w, out.a, out=out.w)


def momentum_into(grad_into, w, state, t, hp, out):
    grad_into(w, out.g)
    _ema_into(hp.beta1, state.m, out.g, out.state.m, out.a)
    _descend_into(w, hp.lr, out.state.m, out.w, out.a)


def nag_into(grad_into, w, state, t, hp, out):
    np.multiply(state.m, hp.lr, out=out.a)
    np.subtract(w, out.a, out=out.a)  # the look-ahead point
    grad_into(out.a, out.g)
    _ema_into(hp.beta1, state.m, out.g, out.state.m, out.a)
    _descend_into(w, hp.lr, out.state.m, out.w, out.a)


def _scaled_by_root_into(v, g, hp, out):
    """out.b = g / sqrt(v + eps), the direction of AdaGrad and RMSprop"""
    np.add(v, hp.eps, out=out.a)
    np.sqrt(out.a, out=out.a)
    return _divide_into(hp.eps, g, out.a, out.b)


def adagrad_into(grad_into, w, state, t, hp, out):
    grad_into(w, out.g)
    np.multiply(out.g, out.g, out=out.a)
    np.add(state.v, out.a, out=out.state.v)
    _descend_into(w, hp.lr, _scaled_by_root_into(out.state.v, out.g, hp, out), out.w, out.b)


def rmsprop_into(grad_into, w, state, t, hp, out):
    grad_into(w, out.g)
    _ema_square_into(hp.beta2, state.v, out.g, out.state.v, out.a)
    _descend_into(w, hp.lr, _scaled_by_root_into(out.state.v, out.g, hp, out), out.w, out.b)


def adadelta_into(grad_into, w, state, t, hp, out):
    grad_into(w, out.g)
    _ema_square_into(hp.beta2, state.v, out.g, out.state.v, out.a)
    np.add(state.D, hp.eps, out=out.a)
    np.sqrt(out.a, out=out.a)
    np.add(out.state.v, hp.eps, out=out.b)
    np.sqrt(out.b, out=out.b)
    delta = _divide_into(hp.eps, out.a, out.b, out.a)
    np.negative(delta, out=delta)
    np.multiply(delta, out.g, out=delta)
    np.add(w, delta, out=out.w)
    _ema_square_into(hp.beta2, state.D, delta, out.state.D, out.b)


def _adam_step_into(m_hat, v_hat, w, hp, out):
    """out.w = w - lr * m_hat / (sqrt(v_hat) + eps); v_hat is overwritten"""
    np.sqrt(v_hat, out=v_hat)
    np.add(v_hat, hp.eps, out=v_hat)
    _descend_into(w, hp.lr, _divide_into(hp.eps, m_hat, v_hat, m_hat), out.w, m_hat)


def adam_into(grad_into, w, state, t, hp, out):
    grad_into(w, out.g)
    _ema_into(hp.beta1, state.m, out.g, out.state.m, out.a)
    _ema_square_into(hp.beta2, state.v, out.g, out.state.v, out.a)
    np.divide(out.state.m, 1 - np.power(hp.beta1, t), out=out.a)
    np.divide(out.state.v, 1 - np.power(hp.beta2, t), out=out.b)
    _adam_step_into(out.a, out.b, w, hp, out)


def adamax_into(grad_into, w, state, t, hp, out):
    grad_into(w, out.g)
    _ema_into(hp.beta1, state.m, out.g, out.state.m, out.a)
    np.multiply(state.v, hp.beta2, out=out.state.v)
    np.abs(out.g, out=out.a)
    np.maximum(out.state.v, out.a, out=out.state.v)
    np.divide(out.state.m, 1 - np.power(hp.beta1, t), out=out.a)
    _descend_into(w, hp.lr, _divide_into(0.0, out.a, out.state.v, out.a), out.w, out.a)


def nadam_into(grad_into, w, state, t, hp, out):
    grad_into(w, out.g)
    _ema_into(hp.beta1, state.m, out.g, out.state.m, out.a)
    _ema_square_into(hp.beta2, state.v, out.g, out.state.v, out.a)
    np.divide(out.state.m, 1 - np.power(hp.beta1, t), out=out.a)
    np.multiply(out.a, hp.beta1, out=out.a)
    np.multiply(out.g, (1 - hp.beta1) / (1 - np.power(hp.beta1, t)), out=out.b)
    np.add(out.a, out.b, out=out.a)  # the direction
    np.divide(out.state.v, 1 - np.power(hp.beta2, t), out=out.b)
    _adam_step_into(out.a, out.b, w, hp, out)


def amsgrad_into(grad_into, w, state, t, hp, out):
    grad_into(w, out.g)
    _ema_into(hp.beta1, state.m, out.g, out.state.m, out.a)
    _ema_square_into(hp.beta2, state.v, out.g, out.state.v, out.a)
    np.maximum(state.v_hat, out.state.v, out=out.state.v_hat)
    np.copyto(out.a, out.state.m)
    np.copyto(out.b, out.state.v_hat)
    _adam_step_into(out.a, out.b, w, hp, out)


# ---------------------------------------------------------------- the catalogue

_EMA = r"m_t = \beta_1 m_{t-1} + (1-\beta_1)\, g_t"
_EMA2 = r"v_t = \beta_2 v_{t-1} + (1-\beta_2)\, g_t^2"
_HATS = r"\hat m_t = \frac{m_t}{1-\beta_1^t}, \quad \hat v_t = \frac{v_t}{1-\beta_2^t}"


def _opt(name, title, year, citation, latex, defaults, state, update, note=""):
    update_into = globals().get(update.__name__.replace("_update", "_into"))
    update_into = update_into or into_from_update(update)
    return Optimizer(
        name=name,
        title=title,
        year=year,
        citation=citation,
        latex=latex,
        hyperparams=tuple(h for h in HYPERPARAMETERS if h in defaults),
        defaults=MappingProxyType(dict(defaults)),
        init=_zeros(state),
        update=update,
        note=note,
        update_into=update_into,
    )


_CATALOGUE = (
    _opt("sgd", "SGD", 1951, "Robbins & Monro (1951)",
         r"w_{t+1} = w_t - \alpha\, g_t",
         {"lr": 0.01}, NoState, sgd_update,
         "The cheat sheet gives no default α; 0.01 is Keras's."),
    _opt("momentum", "Momentum", 1964, "Polyak (1964)",
         _EMA + r" \\ w_{t+1} = w_t - \alpha\, m_t",
         {"lr": 0.01, "beta1": 0.9}, MomentState, momentum_update,
         "EMA momentum: with a steady gradient m → g, so at the same α its steps are as "
         "long as SGD's. PyTorch's SGD(momentum=β) accumulates m ← βm + g instead, steps "
         "1/(1 − β) = 10× longer at β 0.9: compare α across the two forms with that in mind."),
    _opt("nag", "NAG", 2013, "Sutskever et al. (2013)",
         r"w^* = w_t - \alpha\, m_{t-1}, \quad g_t = \nabla f(w^*) \\ "
         + _EMA + r" \\ w_{t+1} = w_t - \alpha\, m_t",
         {"lr": 0.01, "beta1": 0.9}, MomentState, nag_update,
         "The gradient is taken at the look-ahead point w − α m. EMA form, as Momentum: at "
         "the same α its steps are (1 − β) times PyTorch's (nesterov=True)."),
    _opt("adagrad", "AdaGrad", 2011, "Duchi et al. (2011)",
         r"v_t = v_{t-1} + g_t^2 \\ w_{t+1} = w_t - \frac{\alpha}{\sqrt{v_t + \epsilon}}\, g_t",
         {"lr": 0.01, "eps": 1e-7}, SquareState, adagrad_update,
         "ε inside the square root (PyTorch adds it outside)."),
    _opt("rmsprop", "RMSprop", 2012, "Hinton et al. (2012)",
         _EMA2 + r" \\ w_{t+1} = w_t - \frac{\alpha}{\sqrt{v_t + \epsilon}}\, g_t",
         {"lr": 0.001, "beta2": 0.9, "eps": 1e-6}, SquareState, rmsprop_update,
         "ε inside the square root (PyTorch adds it outside)."),
    _opt("adadelta", "Adadelta", 2012, "Zeiler (2012)",
         _EMA2 + r" \\ \Delta w_t = -\frac{\sqrt{D_{t-1} + \epsilon}}{\sqrt{v_t + \epsilon}}\, g_t"
         r" \\ w_{t+1} = w_t + \Delta w_t \\ D_t = \beta_2 D_{t-1} + (1-\beta_2)\, \Delta w_t^2",
         {"beta2": 0.95, "eps": 1e-6}, AdadeltaState, adadelta_update,
         "No learning rate (PyTorch multiplies the step by lr = 1.0)."),
    _opt("adam", "Adam", 2014, "Kingma & Ba (2014)",
         _EMA + r" \\ " + _EMA2 + r" \\ " + _HATS
         + r" \\ w_{t+1} = w_t - \frac{\alpha\, \hat m_t}{\sqrt{\hat v_t} + \epsilon}",
         {"lr": 0.001, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}, AdamState, adam_update),
    _opt("adamax", "AdaMax", 2015, "Kingma & Ba (2015)",
         _EMA + r" \\ v_t = \max(\beta_2 v_{t-1}, |g_t|) \\ \hat m_t = \frac{m_t}{1-\beta_1^t}"
         r" \\ w_{t+1} = w_t - \frac{\alpha}{v_t}\, \hat m_t",
         {"lr": 0.002, "beta1": 0.9, "beta2": 0.999}, AdamState, adamax_update,
         "Where v = 0 (no non-zero gradient yet) the step is 0."),
    _opt("nadam", "Nadam", 2015, "Dozat (2015)",
         _EMA + r" \\ " + _EMA2 + r" \\ " + _HATS
         + r" \\ w_{t+1} = w_t - \frac{\alpha}{\sqrt{\hat v_t} + \epsilon}"
         r"\left(\beta_1 \hat m_t + \frac{1-\beta_1}{1-\beta_1^t}\, g_t\right)",
         {"lr": 0.002, "beta1": 0.9, "beta2": 0.999, "eps": 1e-7}, AdamState, nadam_update,
         "Constant β₁; Keras and PyTorch add a momentum-decay schedule."),
    _opt("amsgrad", "AMSGrad", 2018, "Reddi et al. (2018)",
         _EMA + r" \\ " + _EMA2 + r" \\ \hat v_t = \max(\hat v_{t-1}, v_t)"
         r" \\ w_{t+1} = w_t - \frac{\alpha\, m_t}{\sqrt{\hat v_t} + \epsilon}",
         {"lr": 0.001, "beta1": 0.9, "beta2": 0.999, "eps": 1e-7}, AMSGradState, amsgrad_update,
         "No bias correction (PyTorch's amsgrad=True corrects both moments): early on m and "
         "v̂ are both small, and the step m/√v̂ is 3.2–6.6 α long in the first 20 steps of a "
         "steady gradient (3.2 α at step 1: 0.1/√0.001, 6.6 α at step 12), against α for Adam."),
    _opt("radam", "RAdam", 2019, "Liu et al. (2019)",
         _EMA + r" \\ " + _EMA2 + r" \\ \hat m_t = \frac{m_t}{1-\beta_1^t}, \quad "
         r"\rho_\infty = \frac{2}{1-\beta_2} - 1, \quad "
         r"\rho_t = \rho_\infty - \frac{2 t \beta_2^t}{1-\beta_2^t} \\ "
         r"\rho_t > 4:\ w_{t+1} = w_t - \alpha\, r_t\, \hat m_t \sqrt{\frac{1-\beta_2^t}{v_t}}, "
         r"\ r_t = \sqrt{\frac{(\rho_t-4)(\rho_t-2)\rho_\infty}"
         r"{(\rho_\infty-4)(\rho_\infty-2)\rho_t}} \\ "
         r"\text{else: } w_{t+1} = w_t - \alpha\, \hat m_t",
         {"lr": 0.001, "beta1": 0.9, "beta2": 0.999}, AdamState, radam_update,
         "Adam with its adaptive step switched on only once the variance of v's estimate is "
         "bounded (ρ_t > 4: after 5 steps at β₂ 0.999), and then scaled by r_t < 1: the first "
         "steps are plain momentum steps α m̂."),
    _opt("adamw", "AdamW", 2019, "Loshchilov & Hutter (2019)",
         _EMA + r" \\ " + _EMA2 + r" \\ " + _HATS
         + r" \\ w_{t+1} = w_t - \alpha \left(\frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon}"
         r" + \lambda\, w_t\right)",
         {"lr": 0.001, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.01},
         AdamState, adamw_update,
         "Decoupled weight decay: λ w pulls w towards 0 outside Adam's normalised step (an "
         "L2 term in f would be divided by √v̂ like the gradient). The minimum it finds is "
         "shifted towards the origin."),
    _opt("newton", "Newton", 1669, "Newton–Raphson, damped",
         r"H_t = \nabla^2 f(w_t) \\ w_{t+1} = w_t - \alpha\, H_t^{-1} g_t",
         {"lr": 1.0}, NoState, newton_update,
         "Uses the surface's exact Hessian. It jumps to where the quadratic model is flat: "
         "a minimum, but just as well a saddle or a maximum (it is attracted to them); a "
         "singular H stops the run as diverged."),
    _opt("saddle_free_newton", "Saddle-free Newton", 2014, "Dauphin et al. (2014)",
         r"H_t = Q \Lambda Q^\top, \quad |H_t| = Q |\Lambda| Q^\top \\ "
         r"w_{t+1} = w_t - \alpha\, (|H_t| + \epsilon I)^{-1} g_t",
         {"lr": 1.0, "eps": 1e-3}, NoState, saddle_free_newton_update,
         "Newton with the Hessian's negative curvatures made positive: along a direction "
         "that curves down it steps downhill instead of towards the saddle. ε damps "
         "directions of almost no curvature."),
)  # fmt: skip

OPTIMIZERS: Mapping[str, Optimizer] = MappingProxyType({o.name: o for o in _CATALOGUE})


def names() -> list[str]:
    """Optimizer names in the cheat sheet's order of presentation."""
    return list(OPTIMIZERS)


CONVENTIONS = ("cheatsheet", "pytorch")


def get(name: str | Optimizer, convention: str | None = None) -> Optimizer:
    """The optimizer called ``name`` in ``convention``: "cheatsheet" (the cheat sheet's
    forms, the default for a name) or "pytorch" (torch.optim's updates and defaults);
    an Optimizer is returned as it is (its convention must match one asked for). A
    ValueError lists the valid names or conventions."""
    if convention is not None and convention not in CONVENTIONS:
        raise ValueError(f"convention must be one of {list(CONVENTIONS)}; got {convention!r}")
    if isinstance(name, Optimizer):
        if convention is not None and name.convention != convention:
            raise ValueError(f"optimizer {name.name!r} is in the {name.convention!r} "
                             f"convention, not {convention!r}")  # fmt: skip
        return name
    catalogue = OPTIMIZERS
    if convention == "pytorch":
        from .pytorch import OPTIMIZERS as catalogue
    try:
        return catalogue[name]
    except (KeyError, TypeError):
        raise ValueError(f"optimizer must be one of {names()}; got {name!r}") from None
