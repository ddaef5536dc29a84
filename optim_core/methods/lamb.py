r"""LAMB (You et al. 2020, "Large Batch Optimization for Deep Learning: Training BERT in
76 minutes"): Adam's step, plus weight decay, rescaled to the length α‖w‖ by the trust
ratio ‖w‖ / ‖u‖, as optax computes it (``optax.lamb``: ``scale_by_adam`` →
``add_decayed_weights`` → ``scale_by_trust_ratio`` → ``scale_by_learning_rate``). Here
the "layer" is the whole point (x, y): one ratio per start of a batch. Not in
torch.optim: the "pytorch" convention is the same rule."""

from __future__ import annotations

import numpy as np

from ._base import AdamState, define, divide_for, same_in_torch


def _norm(a: np.ndarray) -> np.ndarray:
    """‖a‖ over the last axis (one point's coordinates), kept as a length-1 axis."""
    return np.sqrt(np.sum(a * a, axis=-1, keepdims=True))


def lamb_update(grad, w, state, t, hp):
    """m, v, m̂, v̂ as Adam;  u = m̂ / (√v̂ + ε) + λ w;  r = ‖w‖ / ‖u‖ (1 where either
    is 0);  w ← w − α r u"""
    g = grad(w)
    m = (1 - hp.beta1) * g + hp.beta1 * state.m
    v = (1 - hp.beta2) * (g * g) + hp.beta2 * state.v
    m_hat = m / (1 - np.power(hp.beta1, t))
    v_hat = v / (1 - np.power(hp.beta2, t))
    u = divide_for(hp.eps)(m_hat, np.sqrt(v_hat) + hp.eps) + hp.weight_decay * w
    w_norm, u_norm = _norm(w), _norm(u)
    zero = (w_norm == 0) | (u_norm == 0)
    ratio = np.where(zero, 1.0, w_norm / np.where(zero, 1.0, u_norm))
    return w - hp.lr * (u * ratio), AdamState(m, v), g


CHEATSHEET = define("lamb", "LAMB", 2020, "You et al. (2020)",
    r"m_t = \beta_1 m_{t-1} + (1-\beta_1)\, g_t, \quad "
    r"v_t = \beta_2 v_{t-1} + (1-\beta_2)\, g_t^2 \\ "
    r"\hat m_t = \frac{m_t}{1-\beta_1^t}, \quad \hat v_t = \frac{v_t}{1-\beta_2^t} \\ "
    r"u_t = \frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon} + \lambda\, w_t \\ "
    r"w_{t+1} = w_t - \alpha\, \frac{\lVert w_t \rVert}{\lVert u_t \rVert}\, u_t",
    {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-6, "weight_decay": 0.0},
    AdamState, lamb_update,
    "optax.lamb's rule and defaults (ε = 1e-6, λ = 0). The trust ratio ‖w‖/‖u‖ makes every "
    "step exactly α‖w‖ long, in Adam's direction: in 2-D the step depends on where the "
    "origin is. Far from (0, 0) it strides, near it it crawls (at w = 0 the ratio is taken "
    "as 1, optax's rule); moving the surface moves the path. LAMB's layers are a network's "
    "weight matrices, whose scale is meaningful; a point on a plane has none. The norms are "
    "per start. α = 0.001 here (optax asks for one).",
    look=("#E31A1C", "arrow-up", "circle"),
)  # fmt: skip

PYTORCH = same_in_torch(CHEATSHEET, "Not in torch.optim: the same rule (optax.lamb's).")
