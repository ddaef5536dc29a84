r"""Adam (Kingma & Ba (2014)): the cheat sheet's rule, its in-place form,
and torch.optim's (``Adam(lr, betas=(β₁, β₂), eps)``)."""

from __future__ import annotations

import numpy as np

from ._base import (
    EMA,
    EMA2,
    HATS,
    TORCH_HAT_M,
    TORCH_MV,
    AdamState,
    adam_step_into,
    adam_step_size,
    define,
    divide_for,
    ema_into,
    ema_square_into,
    torch_form,
)


def adam_update(grad, w, state, t, hp):
    """m ← β₁ m + (1 − β₁) g;  v ← β₂ v + (1 − β₂) g²;  m̂ = m / (1 − β₁ᵗ);
    v̂ = v / (1 − β₂ᵗ);  w ← w − α m̂ / (√v̂ + ε)"""
    g = grad(w)
    m = hp.beta1 * state.m + (1 - hp.beta1) * g
    v = hp.beta2 * state.v + (1 - hp.beta2) * (g * g)
    m_hat = m / (1 - np.power(hp.beta1, t))
    v_hat = v / (1 - np.power(hp.beta2, t))
    w = w - hp.lr * divide_for(hp.eps)(m_hat, np.sqrt(v_hat) + hp.eps)
    return w, AdamState(m, v), g


def adam_into(grad_into, w, state, t, hp, out):
    grad_into(w, out.g)
    ema_into(hp.beta1, state.m, out.g, out.state.m, out.a)
    ema_square_into(hp.beta2, state.v, out.g, out.state.v, out.a)
    np.divide(out.state.m, 1 - np.power(hp.beta1, t), out=out.a)
    np.divide(out.state.v, 1 - np.power(hp.beta2, t), out=out.b)
    adam_step_into(out.a, out.b, w, hp, out)


# ---------------------------------------------------------------- torch.optim's form


CHEATSHEET = define("adam", "Adam", 2014, "Kingma & Ba (2014)",
    EMA + r" \\ " + EMA2 + r" \\ " + HATS
    + r" \\ w_{t+1} = w_t - \frac{\alpha\, \hat m_t}{\sqrt{\hat v_t} + \epsilon}",
    {"lr": 0.001, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}, AdamState, adam_update,
    update_into=adam_into,
    look=("#000000", "star", "circle"),
    step_size=adam_step_size,
)  # fmt: skip

PYTORCH = torch_form(
    CHEATSHEET, adam_update, AdamState, {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
    TORCH_MV + r" \\ " + TORCH_HAT_M + r", \quad \hat v_t = \frac{v_t}{1-\beta_2^t} \\ "
    r"w_{t+1} = w_t - \frac{\alpha\, \hat m_t}{\sqrt{\hat v_t} + \epsilon}",
    "The same rule.",
)  # fmt: skip
