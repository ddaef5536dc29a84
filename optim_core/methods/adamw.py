r"""AdamW (Loshchilov & Hutter (2019)): the cheat sheet's rule, its in-place form,
and torch.optim's (``AdamW(lr, betas, eps, weight_decay=λ)``)."""

from __future__ import annotations

import numpy as np

from ._base import (
    EMA,
    EMA2,
    HATS,
    TORCH_HAT_M,
    TORCH_MV,
    AdamState,
    adam_step_size,
    define,
    divide_for,
    safe_divide,
    torch_form,
)


def adamw_update(grad, w, state, t, hp):
    """m, v, m̂, v̂ as Adam;  w ← w − α (m̂ / (√v̂ + ε) + λ w)"""
    g = grad(w)
    m = hp.beta1 * state.m + (1 - hp.beta1) * g
    v = hp.beta2 * state.v + (1 - hp.beta2) * (g * g)
    m_hat = m / (1 - np.power(hp.beta1, t))
    v_hat = v / (1 - np.power(hp.beta2, t))
    w = w - hp.lr * (divide_for(hp.eps)(m_hat, np.sqrt(v_hat) + hp.eps) + hp.weight_decay * w)
    return w, AdamState(m, v), g


# ---------------------------------------------------------------- torch.optim's form


def adamw_torch_update(grad, w, state, t, hp):
    """w ← w − α λ w;  m, v, m̂, v̂ as Adam;  w ← w − α m̂ / (√v̂ + ε)"""
    g = grad(w)
    w = w - hp.lr * hp.weight_decay * w
    m = hp.beta1 * state.m + (1 - hp.beta1) * g
    v = hp.beta2 * state.v + (1 - hp.beta2) * (g * g)
    m_hat = m / (1 - np.power(hp.beta1, t))
    v_hat = v / (1 - np.power(hp.beta2, t))
    return w - hp.lr * safe_divide(m_hat, np.sqrt(v_hat) + hp.eps), AdamState(m, v), g


CHEATSHEET = define("adamw", "AdamW", 2019, "Loshchilov & Hutter (2019)",
    EMA + r" \\ " + EMA2 + r" \\ " + HATS
    + r" \\ w_{t+1} = w_t - \alpha \left(\frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon}"
    r" + \lambda\, w_t\right)",
    {"lr": 0.001, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.01},
    AdamState, adamw_update,
    "Decoupled weight decay: λ w pulls w towards 0 outside Adam's normalised step (an "
    "L2 term in f would be divided by √v̂ like the gradient). The minimum it finds is "
    "shifted towards the origin.",
    look=("#AA4499", "hourglass", "x"),
    step_size=adam_step_size,
)  # fmt: skip

PYTORCH = torch_form(
    CHEATSHEET, adamw_torch_update, AdamState, {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999,
    "eps": 1e-8, "weight_decay": 1e-2},
    r"w'_t = w_t - \alpha \lambda\, w_t \\ " + TORCH_MV + r" \\ " + TORCH_HAT_M
    + r", \quad \hat v_t = \frac{v_t}{1-\beta_2^t} \\ "
    r"w_{t+1} = w'_t - \frac{\alpha\, \hat m_t}{\sqrt{\hat v_t} + \epsilon}",
    "The same rule, the decay applied first: w − αλw − α m̂/(√v̂ + ε) either way.",
)  # fmt: skip
