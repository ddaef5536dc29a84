r"""The same ten optimizers as torch.optim computes them (``convention="pytorch"``), in
float64, following torch.optim's documented algorithms with its other options at their
defaults (no weight decay, no dampening, not centered, no lr decay, maximize off):

======================  =====================================================
``sgd``                 ``SGD(lr)``
``momentum``            ``SGD(lr, momentum=β₁)``: b ← β₁ b + g (b₁ = g₁); w ← w − α b
``nag``                 ``SGD(lr, momentum=β₁, nesterov=True)``: w ← w − α (g + β₁ b)
``adagrad``             ``Adagrad(lr, eps)``: ε outside the root
``rmsprop``             ``RMSprop(lr, alpha=β₂, eps)``: ε outside the root
``adadelta``            ``Adadelta(lr, rho=β₂, eps)``: here Adadelta takes α
``adam``                ``Adam(lr, betas=(β₁, β₂), eps)``
``adamax``              ``Adamax(lr, betas, eps)``: u ← max(β₂ u, |g| + ε)
``nadam``               ``NAdam(lr, betas, eps)``: momentum decay ψ = 0.004
``amsgrad``             ``Adam(lr, betas, eps, amsgrad=True)``: both moments corrected
``radam``               ``RAdam(lr, betas, eps)``: rectified once ρ_t > 5, ε in l_t
``adamw``               ``AdamW(lr, betas, eps, weight_decay=λ)``
``newton``, ``saddle_free_newton``: not in torch.optim; the cheat sheet's rules
======================  =====================================================

Defaults are torch.optim's own, except where its default switches the method off
(SGD's momentum = 0): Momentum and NAG take β₁ = 0.9. torch is not a dependency; the
tests check these rules against plain loops transcribed from torch.optim's docs.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import NamedTuple

import numpy as np

from .optimizers import (
    HYPERPARAMETERS,
    AdadeltaState,
    AdamState,
    MomentState,
    NoState,
    Optimizer,
    SquareState,
    _zeros,
    adam_update,
    into_from_update,
    newton_update,
    radam_rectification,
    saddle_free_newton_update,
    safe_divide,
)
from .optimizers import OPTIMIZERS as CHEAT_SHEET

NADAM_MOMENTUM_DECAY = 0.004  # torch.optim.NAdam's momentum_decay ψ


class NAdamState(NamedTuple):
    m: np.ndarray  # shape=w.shape, average of gradients
    v: np.ndarray  # shape=w.shape, average of squared gradients
    mu_product: np.ndarray  # shape=w.shape, μ₁ μ₂ … μ_t (1 before the first step)


class AMSGradState(NamedTuple):
    m: np.ndarray  # shape=w.shape
    v: np.ndarray  # shape=w.shape
    v_max: np.ndarray  # shape=w.shape, running maximum of v (before its correction)


def nadam_init(w: np.ndarray) -> NAdamState:
    w = np.asarray(w, dtype=float)
    return NAdamState(np.zeros_like(w), np.zeros_like(w), np.ones_like(w))


def sgd_update(grad, w, state, t, hp):
    """w ← w − α g"""
    g = grad(w)
    return w - hp.lr * g, state, g


def momentum_update(grad, w, state, t, hp):
    """b ← β₁ b + g;  w ← w − α b"""
    g = grad(w)
    b = hp.beta1 * state.m + g
    return w - hp.lr * b, MomentState(b), g


def nag_update(grad, w, state, t, hp):
    """b ← β₁ b + g;  w ← w − α (g + β₁ b)"""
    g = grad(w)
    b = hp.beta1 * state.m + g
    return w - hp.lr * (g + hp.beta1 * b), MomentState(b), g


def adagrad_update(grad, w, state, t, hp):
    """v ← v + g²;  w ← w − α g / (√v + ε)"""
    g = grad(w)
    v = state.v + g * g
    return w - hp.lr * safe_divide(g, np.sqrt(v) + hp.eps), SquareState(v), g


def rmsprop_update(grad, w, state, t, hp):
    """v ← β₂ v + (1 − β₂) g²;  w ← w − α g / (√v + ε)"""
    g = grad(w)
    v = hp.beta2 * state.v + (1 - hp.beta2) * (g * g)
    return w - hp.lr * safe_divide(g, np.sqrt(v) + hp.eps), SquareState(v), g


def adadelta_update(grad, w, state, t, hp):
    """v ← β₂ v + (1 − β₂) g²;  Δ = √(D + ε) / √(v + ε) · g;  D ← β₂ D + (1 − β₂) Δ²;
    w ← w − α Δ"""
    g = grad(w)
    v = hp.beta2 * state.v + (1 - hp.beta2) * (g * g)
    delta = safe_divide(np.sqrt(state.D + hp.eps), np.sqrt(v + hp.eps)) * g
    D = hp.beta2 * state.D + (1 - hp.beta2) * (delta * delta)
    return w - hp.lr * delta, AdadeltaState(v, D), g


def adamax_update(grad, w, state, t, hp):
    """m ← β₁ m + (1 − β₁) g;  u ← max(β₂ u, |g| + ε);  w ← w − α / (1 − β₁ᵗ) · m / u"""
    g = grad(w)
    m = hp.beta1 * state.m + (1 - hp.beta1) * g
    u = np.maximum(hp.beta2 * state.v, np.abs(g) + hp.eps)
    step = hp.lr / (1 - np.power(hp.beta1, t))
    return w - step * safe_divide(m, u), AdamState(m, u), g


def _mu(beta1, t):
    """NAdam's momentum at step t: β₁ (1 − ½ · 0.96^(t ψ))."""
    return beta1 * (1 - 0.5 * np.power(0.96, t * NADAM_MOMENTUM_DECAY))


def nadam_update(grad, w, state, t, hp):
    """μ_t = β₁ (1 − ½ 0.96^(tψ));  m, v as Adam;
    m̂ = μ_{t+1} m / (1 − Π_{i≤t+1} μ_i) + (1 − μ_t) g / (1 − Π_{i≤t} μ_i);
    v̂ = v / (1 − β₂ᵗ);  w ← w − α m̂ / (√v̂ + ε)"""
    g = grad(w)
    mu, mu_next = _mu(hp.beta1, t), _mu(hp.beta1, t + 1)
    product = state.mu_product * mu
    m = hp.beta1 * state.m + (1 - hp.beta1) * g
    v = hp.beta2 * state.v + (1 - hp.beta2) * (g * g)
    m_hat = mu_next * m / (1 - product * mu_next) + (1 - mu) * g / (1 - product)
    v_hat = v / (1 - np.power(hp.beta2, t))
    w = w - hp.lr * safe_divide(m_hat, np.sqrt(v_hat) + hp.eps)
    return w, NAdamState(m, v, product), g


def amsgrad_update(grad, w, state, t, hp):
    """m, v as Adam;  v_max ← max(v_max, v);  m̂ = m / (1 − β₁ᵗ);
    v̂ = v_max / (1 − β₂ᵗ);  w ← w − α m̂ / (√v̂ + ε)"""
    g = grad(w)
    m = hp.beta1 * state.m + (1 - hp.beta1) * g
    v = hp.beta2 * state.v + (1 - hp.beta2) * (g * g)
    v_max = np.maximum(state.v_max, v)
    m_hat = m / (1 - np.power(hp.beta1, t))
    v_hat = v_max / (1 - np.power(hp.beta2, t))
    w = w - hp.lr * safe_divide(m_hat, np.sqrt(v_hat) + hp.eps)
    return w, AMSGradState(m, v, v_max), g


def radam_update(grad, w, state, t, hp):
    """m, v as Adam;  m̂ = m / (1 − β₁ᵗ);  ρ∞ = 2 / (1 − β₂) − 1;
    ρ_t = ρ∞ − 2t β₂ᵗ / (1 − β₂ᵗ);  if ρ_t > 5: l = √(1 − β₂ᵗ) / (√v + ε),
    r = √((ρ_t − 4)(ρ_t − 2) ρ∞ / ((ρ∞ − 4)(ρ∞ − 2) ρ_t)), w ← w − α m̂ r l;
    else w ← w − α m̂"""
    g = grad(w)
    m = hp.beta1 * state.m + (1 - hp.beta1) * g
    v = hp.beta2 * state.v + (1 - hp.beta2) * (g * g)
    m_hat = m / (1 - np.power(hp.beta1, t))
    rho, r = radam_rectification(hp.beta2, t)
    l_t = safe_divide(np.sqrt(1 - np.power(hp.beta2, t)) * np.ones_like(v), np.sqrt(v) + hp.eps)
    w = w - hp.lr * np.where(rho > 5, m_hat * r * l_t, m_hat)
    return w, AdamState(m, v), g


def adamw_update(grad, w, state, t, hp):
    """w ← w − α λ w;  m, v, m̂, v̂ as Adam;  w ← w − α m̂ / (√v̂ + ε)"""
    g = grad(w)
    w = w - hp.lr * hp.weight_decay * w
    m = hp.beta1 * state.m + (1 - hp.beta1) * g
    v = hp.beta2 * state.v + (1 - hp.beta2) * (g * g)
    m_hat = m / (1 - np.power(hp.beta1, t))
    v_hat = v / (1 - np.power(hp.beta2, t))
    return w - hp.lr * safe_divide(m_hat, np.sqrt(v_hat) + hp.eps), AdamState(m, v), g


# name: (update, state, defaults, LaTeX, how it differs from the cheat sheet's form)
_B = r"b_t = \beta_1 b_{t-1} + g_t"
_MV = (r"m_t = \beta_1 m_{t-1} + (1-\beta_1)\, g_t \\ "
       r"v_t = \beta_2 v_{t-1} + (1-\beta_2)\, g_t^2")  # fmt: skip
_HAT_M = r"\hat m_t = \frac{m_t}{1-\beta_1^t}"
RULES = {
    "sgd": (sgd_update, NoState, {"lr": 1e-3}, r"w_{t+1} = w_t - \alpha\, g_t",
            "The same rule; torch's default α is 1e-3."),
    "momentum": (momentum_update, MomentState, {"lr": 1e-3, "beta1": 0.9},
                 _B + r" \\ w_{t+1} = w_t - \alpha\, b_t",
                 "torch accumulates b ← β₁b + g (no 1 − β₁): with a steady gradient its "
                 "step is 1/(1 − β₁) = 10× the EMA form's at β₁ 0.9."),
    "nag": (nag_update, MomentState, {"lr": 1e-3, "beta1": 0.9},
            _B + r" \\ w_{t+1} = w_t - \alpha\, (g_t + \beta_1 b_t)",
            "torch takes the gradient at w, not at a look-ahead point, and adds β₁b to it; "
            "its buffer accumulates (10× the EMA form's steps at β₁ 0.9)."),
    "adagrad": (adagrad_update, SquareState, {"lr": 1e-2, "eps": 1e-10},
                r"v_t = v_{t-1} + g_t^2 \\ "
                r"w_{t+1} = w_t - \frac{\alpha\, g_t}{\sqrt{v_t} + \epsilon}",
                "ε outside the root: where v is tiny (a flat start, a saddle) the step "
                "is α·g/(|g| + ε) ≈ α, against α·g/√ε for ε inside."),
    "rmsprop": (rmsprop_update, SquareState, {"lr": 1e-2, "beta2": 0.99, "eps": 1e-8},
                r"v_t = \beta_2 v_{t-1} + (1-\beta_2)\, g_t^2 \\ "
                r"w_{t+1} = w_t - \frac{\alpha\, g_t}{\sqrt{v_t} + \epsilon}",
                "ε outside the root, β₂ is torch's alpha (default 0.99)."),
    "adadelta": (adadelta_update, AdadeltaState, {"lr": 1.0, "beta2": 0.9, "eps": 1e-6},
                 r"v_t = \beta_2 v_{t-1} + (1-\beta_2)\, g_t^2 \\ "
                 r"\Delta_t = \frac{\sqrt{D_{t-1} + \epsilon}}{\sqrt{v_t + \epsilon}}\, g_t \\ "
                 r"D_t = \beta_2 D_{t-1} + (1-\beta_2)\, \Delta_t^2 \\ "
                 r"w_{t+1} = w_t - \alpha\, \Delta_t",
                 "torch multiplies the step by α (default 1.0: the cheat sheet's step); β₂ "
                 "is torch's rho (default 0.9)."),
    # Adam: the same rule as the cheat sheet's (its function, and its in-place form)
    "adam": (adam_update, AdamState, {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
             _MV + r" \\ " + _HAT_M + r", \quad \hat v_t = \frac{v_t}{1-\beta_2^t} \\ "
             r"w_{t+1} = w_t - \frac{\alpha\, \hat m_t}{\sqrt{\hat v_t} + \epsilon}",
             "The same rule."),
    "adamax": (adamax_update, AdamState, {"lr": 2e-3, "beta1": 0.9, "beta2": 0.999,
                                          "eps": 1e-8},
               r"m_t = \beta_1 m_{t-1} + (1-\beta_1)\, g_t \\ "
               r"u_t = \max(\beta_2 u_{t-1}, |g_t| + \epsilon) \\ "
               r"w_{t+1} = w_t - \frac{\alpha}{1-\beta_1^t}\, \frac{m_t}{u_t}",
               "torch adds ε to |g| inside the max (the cheat sheet has no ε), so u is "
               "never 0; otherwise the same rule."),
    "nadam": (nadam_update, NAdamState, {"lr": 2e-3, "beta1": 0.9, "beta2": 0.999,
                                         "eps": 1e-8},
              r"\mu_t = \beta_1 \left(1 - \tfrac12\, 0.96^{t \psi}\right) \\ " + _MV + r" \\ "
              r"\hat m_t = \frac{\mu_{t+1} m_t}{1 - \prod_{i=1}^{t+1} \mu_i} + "
              r"\frac{(1 - \mu_t)\, g_t}{1 - \prod_{i=1}^{t} \mu_i}, \quad "
              r"\hat v_t = \frac{v_t}{1-\beta_2^t} \\ "
              r"w_{t+1} = w_t - \frac{\alpha\, \hat m_t}{\sqrt{\hat v_t} + \epsilon}",
              "torch's momentum β₁ is warmed up by the schedule μ_t (ψ = 0.004): μ starts "
              "at 0.45 and nears β₁ only after some thousand steps."),
    "amsgrad": (amsgrad_update, AMSGradState, {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999,
                                               "eps": 1e-8},
                _MV + r" \\ v^{\max}_t = \max(v^{\max}_{t-1}, v_t) \\ " + _HAT_M
                + r", \quad \hat v_t = \frac{v^{\max}_t}{1-\beta_2^t} \\ "
                r"w_{t+1} = w_t - \frac{\alpha\, \hat m_t}{\sqrt{\hat v_t} + \epsilon}",
                "torch corrects both moments for their zero start: its first steps are "
                "α long, not the 3.2–6.6 α of the uncorrected form."),
    "radam": (radam_update, AdamState, {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999,
                                        "eps": 1e-8},
              _MV + r" \\ " + _HAT_M + r", \quad "
              r"\rho_t = \rho_\infty - \frac{2 t \beta_2^t}{1-\beta_2^t} \\ "
              r"\rho_t > 5:\ w_{t+1} = w_t - \alpha\, r_t\, \hat m_t "
              r"\frac{\sqrt{1-\beta_2^t}}{\sqrt{v_t} + \epsilon} \\ "
              r"\text{else: } w_{t+1} = w_t - \alpha\, \hat m_t",
              "torch switches the adaptive step on at ρ_t > 5 (the paper: > 4), one step "
              "later at β₂ 0.999, and adds ε to √v."),
    "adamw": (adamw_update, AdamState, {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999,
                                        "eps": 1e-8, "weight_decay": 1e-2},
              r"w'_t = w_t - \alpha \lambda\, w_t \\ " + _MV + r" \\ " + _HAT_M
              + r", \quad \hat v_t = \frac{v_t}{1-\beta_2^t} \\ "
              r"w_{t+1} = w'_t - \frac{\alpha\, \hat m_t}{\sqrt{\hat v_t} + \epsilon}",
              "The same rule, the decay applied first: w − αλw − α m̂/(√v̂ + ε) either way."),
    "newton": (newton_update, NoState, {"lr": 1.0},
               CHEAT_SHEET["newton"].latex, "Not in torch.optim: the same rule."),
    "saddle_free_newton": (saddle_free_newton_update, NoState, {"lr": 1.0, "eps": 1e-3},
                           CHEAT_SHEET["saddle_free_newton"].latex,
                           "Not in torch.optim: the same rule."),
}  # fmt: skip


def _catalogue() -> dict[str, Optimizer]:
    out = {}
    for name, (update, state, defaults, latex, note) in RULES.items():
        base = CHEAT_SHEET[name]
        out[name] = Optimizer(
            name=name, title=base.title, year=base.year,
            citation=f"{base.citation}; torch.optim", latex=latex,
            hyperparams=tuple(h for h in HYPERPARAMETERS if h in defaults),
            defaults=MappingProxyType(dict(defaults)),
            init=nadam_init if state is NAdamState else _zeros(state),
            # a rule the cheat sheet shares keeps its hand-written in-place form
            update=update, note=note, update_into=base.update_into if update is base.update
            else into_from_update(update),
            convention="pytorch",
        )  # fmt: skip
    return out


OPTIMIZERS: Mapping[str, Optimizer] = MappingProxyType(_catalogue())
