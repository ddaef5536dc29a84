r"""Adan (Xie et al. 2022, "Adan: Adaptive Nesterov Momentum Algorithm"): Adam's
normalised step along the gradient's EMA plus an EMA of gradient differences (a Nesterov
estimate that needs no second gradient), as optax computes it (``optax.adan``:
``scale_by_adan`` → ``add_decayed_weights`` → ``scale_by_learning_rate``). Not in
torch.optim: the "pytorch" convention is the same rule."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._base import define, same_in_torch

EPS_ROOT = 1e-8  # optax.adan's eps_root: inside the root, beside ε outside it


class AdanState(NamedTuple):
    m: np.ndarray  # shape=w.shape, EMA of gradients (β₁)
    v: np.ndarray  # shape=w.shape, EMA of gradient differences g_t − g_{t−1} (β₂)
    n: np.ndarray  # shape=w.shape, EMA of (g + (1 − β₂)(g_t − g_{t−1}))² (β₃)
    g_prev: np.ndarray  # shape=w.shape, the last gradient


def adan_update(grad, w, state, t, hp):
    """Δ = g − g_prev (0 at t = 1);  m ← β₁ m + (1 − β₁) g;  v ← β₂ v + (1 − β₂) Δ;
    n ← β₃ n + (1 − β₃)(g + (1 − β₂) Δ)²;  m̂, v̂, n̂ = m, v, n over 1 − β₁ᵗ, 1 − β₂ᵗ,
    1 − β₃ᵗ;  u = (m̂ + (1 − β₂) v̂) / (√(n̂ + ε_root) + ε);  w ← w − α (u + λ w)"""
    g = grad(w)
    diff = g - state.g_prev if t > 1 else np.zeros_like(g)
    m = (1 - hp.beta1) * g + hp.beta1 * state.m
    v = (1 - hp.beta2) * diff + hp.beta2 * state.v
    sq = g + (1 - hp.beta2) * diff
    n = (1 - hp.beta3) * (sq * sq) + hp.beta3 * state.n
    m_hat = m / (1 - np.power(hp.beta1, t))
    v_hat = v / (1 - np.power(hp.beta2, t))
    n_hat = n / (1 - np.power(hp.beta3, t))
    u = (m_hat + (1 - hp.beta2) * v_hat) / (np.sqrt(n_hat + EPS_ROOT) + hp.eps)
    w = w - hp.lr * (u + hp.weight_decay * w)
    return w, AdanState(m, v, n, g), g


CHEATSHEET = define("adan", "Adan", 2022, "Xie et al. (2022)",
    r"\Delta_t = g_t - g_{t-1}\ (\Delta_1 = 0) \\ "
    r"m_t = \beta_1 m_{t-1} + (1-\beta_1)\, g_t, \quad "
    r"v_t = \beta_2 v_{t-1} + (1-\beta_2)\, \Delta_t \\ "
    r"n_t = \beta_3 n_{t-1} + (1-\beta_3) \left(g_t + (1-\beta_2) \Delta_t\right)^2 \\ "
    r"\hat m_t, \hat v_t, \hat n_t = \frac{m_t}{1-\beta_1^t}, \frac{v_t}{1-\beta_2^t}, "
    r"\frac{n_t}{1-\beta_3^t} \\ "
    r"u_t = \frac{\hat m_t + (1-\beta_2)\, \hat v_t}{\sqrt{\hat n_t + 10^{-8}} + \epsilon} \\ "
    r"w_{t+1} = w_t - \alpha \left(u_t + \lambda\, w_t\right)",
    {"lr": 1e-3, "beta1": 0.98, "beta2": 0.92, "beta3": 0.99, "eps": 1e-8, "weight_decay": 0.0},
    AdanState, adan_update,
    "optax.adan's rule and defaults: its β's are the EMAs' decays (β₁ = 0.98 keeps 98 % of "
    "m), the paper's are 1 minus these (0.02, 0.08, 0.01); ε_root = 1e-8 inside the root as "
    "optax's default. The weight decay is optax's, added to the step (α λ w, as AdamW); the "
    "paper's Algorithm 1 divides instead, w ← (w − α u) / (1 + α λ): the two agree at the "
    "default λ = 0 and to first order in αλ. α = 0.001 here (optax asks for one).",
    look=("#E7298A", "diamond-tall", "x"),
)  # fmt: skip

PYTORCH = same_in_torch(CHEATSHEET, "Not in torch.optim: the same rule (optax.adan's).")
