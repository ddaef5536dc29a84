r"""Nadam (Dozat (2015)): the cheat sheet's rule, its in-place form,
and torch.optim's (``NAdam(lr, betas, eps)``: momentum decay ψ = 0.004)."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._base import (
    EMA,
    EMA2,
    HATS,
    TORCH_MV,
    AdamState,
    adam_step_into,
    adam_step_size,
    define,
    divide_for,
    ema_into,
    ema_square_into,
    safe_divide,
    torch_form,
)


def nadam_update(grad, w, state, t, hp):
    """m, v, m̂, v̂ as Adam;  w ← w − α / (√v̂ + ε) · (β₁ m̂ + (1 − β₁) / (1 − β₁ᵗ) · g)"""
    g = grad(w)
    m = hp.beta1 * state.m + (1 - hp.beta1) * g
    v = hp.beta2 * state.v + (1 - hp.beta2) * (g * g)
    m_hat = m / (1 - np.power(hp.beta1, t))
    v_hat = v / (1 - np.power(hp.beta2, t))
    direction = hp.beta1 * m_hat + (1 - hp.beta1) / (1 - np.power(hp.beta1, t)) * g
    w = w - hp.lr * divide_for(hp.eps)(direction, np.sqrt(v_hat) + hp.eps)
    return w, AdamState(m, v), g


def nadam_into(grad_into, w, state, t, hp, out):
    grad_into(w, out.g)
    ema_into(hp.beta1, state.m, out.g, out.state.m, out.a)
    ema_square_into(hp.beta2, state.v, out.g, out.state.v, out.a)
    np.divide(out.state.m, 1 - np.power(hp.beta1, t), out=out.a)
    np.multiply(out.a, hp.beta1, out=out.a)
    np.multiply(out.g, (1 - hp.beta1) / (1 - np.power(hp.beta1, t)), out=out.b)
    np.add(out.a, out.b, out=out.a)  # the direction
    np.divide(out.state.v, 1 - np.power(hp.beta2, t), out=out.b)
    adam_step_into(out.a, out.b, w, hp, out)


# ---------------------------------------------------------------- torch.optim's form


NADAM_MOMENTUM_DECAY = 0.004  # torch.optim.NAdam's momentum_decay ψ


class NAdamState(NamedTuple):
    m: np.ndarray  # shape=w.shape, average of gradients
    v: np.ndarray  # shape=w.shape, average of squared gradients
    mu_product: np.ndarray  # shape=w.shape, μ₁ μ₂ … μ_t (1 before the first step)


def nadam_init(w: np.ndarray) -> NAdamState:
    w = np.asarray(w, dtype=float)
    return NAdamState(np.zeros_like(w), np.zeros_like(w), np.ones_like(w))


def _mu(beta1, t):
    """NAdam's momentum at step t: β₁ (1 − ½ · 0.96^(t ψ))."""
    return beta1 * (1 - 0.5 * np.power(0.96, t * NADAM_MOMENTUM_DECAY))


def nadam_torch_update(grad, w, state, t, hp):
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


CHEATSHEET = define("nadam", "Nadam", 2015, "Dozat (2015)",
    EMA + r" \\ " + EMA2 + r" \\ " + HATS
    + r" \\ w_{t+1} = w_t - \frac{\alpha}{\sqrt{\hat v_t} + \epsilon}"
    r"\left(\beta_1 \hat m_t + \frac{1-\beta_1}{1-\beta_1^t}\, g_t\right)",
    {"lr": 0.002, "beta1": 0.9, "beta2": 0.999, "eps": 1e-7}, AdamState, nadam_update,
    "Constant β₁; Keras and PyTorch add a momentum-decay schedule.",
    update_into=nadam_into,
    look=("#999933", "pentagon", "diamond-open"),
    step_size=adam_step_size,
)  # fmt: skip

PYTORCH = torch_form(
    CHEATSHEET, nadam_torch_update, NAdamState, {"lr": 2e-3, "beta1": 0.9, "beta2": 0.999,
    "eps": 1e-8},
    r"\mu_t = \beta_1 \left(1 - \tfrac12\, 0.96^{t \psi}\right) \\ " + TORCH_MV + r" \\ "
    r"\hat m_t = \frac{\mu_{t+1} m_t}{1 - \prod_{i=1}^{t+1} \mu_i} + "
    r"\frac{(1 - \mu_t)\, g_t}{1 - \prod_{i=1}^{t} \mu_i}, \quad "
    r"\hat v_t = \frac{v_t}{1-\beta_2^t} \\ "
    r"w_{t+1} = w_t - \frac{\alpha\, \hat m_t}{\sqrt{\hat v_t} + \epsilon}",
    "torch's momentum β₁ is warmed up by the schedule μ_t (ψ = 0.004): μ starts "
    "at 0.45 and nears β₁ only after some thousand steps.", init=nadam_init,
)  # fmt: skip
