r"""AdaMax (Kingma & Ba (2015)): the cheat sheet's rule, its in-place form,
and torch.optim's (``Adamax(lr, betas, eps)``: u ← max(β₂ u, |g| + ε))."""

from __future__ import annotations

import numpy as np

from ._base import (
    EMA,
    AdamState,
    define,
    descend_into,
    divide_into,
    ema_into,
    safe_divide,
    torch_form,
)


def adamax_update(grad, w, state, t, hp):
    """m ← β₁ m + (1 − β₁) g;  v ← max(β₂ v, |g|);  m̂ = m / (1 − β₁ᵗ);  w ← w − α m̂ / v"""
    g = grad(w)
    m = hp.beta1 * state.m + (1 - hp.beta1) * g
    v = np.maximum(hp.beta2 * state.v, np.abs(g))
    m_hat = m / (1 - np.power(hp.beta1, t))
    w = w - hp.lr * safe_divide(m_hat, v)
    return w, AdamState(m, v), g


def adamax_into(grad_into, w, state, t, hp, out):
    grad_into(w, out.g)
    ema_into(hp.beta1, state.m, out.g, out.state.m, out.a)
    np.multiply(state.v, hp.beta2, out=out.state.v)
    np.abs(out.g, out=out.a)
    np.maximum(out.state.v, out.a, out=out.state.v)
    np.divide(out.state.m, 1 - np.power(hp.beta1, t), out=out.a)
    descend_into(w, hp.lr, divide_into(0.0, out.a, out.state.v, out.a), out.w, out.a)


def step_size(state, before, hp, t):
    """α / v (nan before any non-zero gradient; torch's u is kept as v)"""
    return np.where(state["v"] > 0, hp["lr"] / state["v"], np.nan)


# ---------------------------------------------------------------- torch.optim's form


def adamax_torch_update(grad, w, state, t, hp):
    """m ← β₁ m + (1 − β₁) g;  u ← max(β₂ u, |g| + ε);  w ← w − α / (1 − β₁ᵗ) · m / u"""
    g = grad(w)
    m = hp.beta1 * state.m + (1 - hp.beta1) * g
    u = np.maximum(hp.beta2 * state.v, np.abs(g) + hp.eps)
    step = hp.lr / (1 - np.power(hp.beta1, t))
    return w - step * safe_divide(m, u), AdamState(m, u), g


CHEATSHEET = define("adamax", "AdaMax", 2015, "Kingma & Ba (2015)",
    EMA + r" \\ v_t = \max(\beta_2 v_{t-1}, |g_t|) \\ \hat m_t = \frac{m_t}{1-\beta_1^t}"
    r" \\ w_{t+1} = w_t - \frac{\alpha}{v_t}\, \hat m_t",
    {"lr": 0.002, "beta1": 0.9, "beta2": 0.999}, AdamState, adamax_update,
    "Where v = 0 (no non-zero gradient yet) the step is 0.",
    update_into=adamax_into,
    look=("#882255", "hexagon", "square-open"),
    step_size=step_size,
)  # fmt: skip

PYTORCH = torch_form(
    CHEATSHEET, adamax_torch_update, AdamState, {"lr": 2e-3, "beta1": 0.9, "beta2": 0.999,
    "eps": 1e-8},
    r"m_t = \beta_1 m_{t-1} + (1-\beta_1)\, g_t \\ "
    r"u_t = \max(\beta_2 u_{t-1}, |g_t| + \epsilon) \\ "
    r"w_{t+1} = w_t - \frac{\alpha}{1-\beta_1^t}\, \frac{m_t}{u_t}",
    "torch adds ε to |g| inside the max (the cheat sheet has no ε), so u is "
    "never 0; otherwise the same rule.",
)  # fmt: skip
