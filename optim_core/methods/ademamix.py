r"""AdEMAMix (Pagliardini, Ablin & Grangier 2024, "The AdEMAMix Optimizer: Better,
Faster, Older"): Adam whose numerator mixes a fast EMA of the gradients with a slow one,
as optax computes it (``optax.contrib.ademamix``: ``scale_by_ademamix`` →
``add_decayed_weights`` → ``scale_by_learning_rate``). Not in torch.optim: the "pytorch"
convention is the same rule."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._base import define, divide_for, same_in_torch


class AdEMAMixState(NamedTuple):
    m: np.ndarray  # shape=w.shape, the fast EMA of gradients (β₁)
    m_slow: np.ndarray  # shape=w.shape, the slow EMA of gradients (β₃), never bias-corrected
    v: np.ndarray  # shape=w.shape, EMA of squared gradients (β₂)


def ademamix_update(grad, w, state, t, hp):
    """m ← β₁ m + (1 − β₁) g;  m_slow ← β₃ m_slow + (1 − β₃) g;  v ← β₂ v + (1 − β₂) g²;
    m̂ = m / (1 − β₁ᵗ);  v̂ = v / (1 − β₂ᵗ);  w ← w − α ((m̂ + a m_slow) / (√v̂ + ε) + λ w)"""
    g = grad(w)
    m = (1 - hp.beta1) * g + hp.beta1 * state.m
    m_slow = (1 - hp.beta3) * g + hp.beta3 * state.m_slow
    v = (1 - hp.beta2) * (g * g) + hp.beta2 * state.v
    m_hat = m / (1 - np.power(hp.beta1, t))
    v_hat = v / (1 - np.power(hp.beta2, t))
    u = divide_for(hp.eps)(m_hat + hp.mix * m_slow, np.sqrt(v_hat) + hp.eps)
    w = w - hp.lr * (u + hp.weight_decay * w)
    return w, AdEMAMixState(m, m_slow, v), g


CHEATSHEET = define("ademamix", "AdEMAMix", 2024, "Pagliardini, Ablin & Grangier (2024)",
    r"m_t = \beta_1 m_{t-1} + (1-\beta_1)\, g_t \\ "
    r"m^{\mathrm{slow}}_t = \beta_3 m^{\mathrm{slow}}_{t-1} + (1-\beta_3)\, g_t \\ "
    r"v_t = \beta_2 v_{t-1} + (1-\beta_2)\, g_t^2 \\ "
    r"\hat m_t = \frac{m_t}{1-\beta_1^t}, \quad \hat v_t = \frac{v_t}{1-\beta_2^t} \\ "
    r"w_{t+1} = w_t - \alpha \left(\frac{\hat m_t + a\, m^{\mathrm{slow}}_t}"
    r"{\sqrt{\hat v_t} + \epsilon} + \lambda\, w_t\right)",
    {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.0,
     "beta3": 0.9999, "mix": 5.0},
    AdEMAMixState, ademamix_update,
    "optax.contrib.ademamix's rule and defaults (β₃ = 0.9999, the slow EMA's weight a = 5). "
    "The slow EMA is not bias-corrected, so it fills slowly: after t steps it holds "
    "1 − β₃ᵗ of a steady gradient (3 % after 300 steps at β₃ = 0.9999; the paper suggests "
    "β₃ = 0.999 for short runs). The paper warms a and β₃ up with schedulers; optax takes "
    "them as constants by default, and so does this app: no schedulers. α = 0.001 here "
    "(optax asks for one).",
    look=("#66A61E", "diamond-wide", "circle-open"),
)  # fmt: skip

PYTORCH = same_in_torch(CHEATSHEET, "Not in torch.optim: the same rule (optax.contrib.ademamix's).")
