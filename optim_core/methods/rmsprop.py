r"""RMSprop (Hinton et al. (2012)): the cheat sheet's rule, its in-place form,
and torch.optim's (``RMSprop(lr, alpha=β₂, eps)``: ε outside the root)."""

from __future__ import annotations

import numpy as np

from ._base import (
    EMA2,
    SquareState,
    define,
    descend_into,
    divide_for,
    ema_square_into,
    root_step_size,
    safe_divide,
    scaled_by_root_into,
    torch_form,
    torch_root_step_size,
)


def rmsprop_update(grad, w, state, t, hp):
    """v ← β₂ v + (1 − β₂) g²;  w ← w − α g / √(v + ε)"""
    g = grad(w)
    v = hp.beta2 * state.v + (1 - hp.beta2) * (g * g)
    w = w - hp.lr * divide_for(hp.eps)(g, np.sqrt(v + hp.eps))
    return w, SquareState(v), g


def rmsprop_into(grad_into, w, state, t, hp, out):
    grad_into(w, out.g)
    ema_square_into(hp.beta2, state.v, out.g, out.state.v, out.a)
    descend_into(w, hp.lr, scaled_by_root_into(out.state.v, out.g, hp, out), out.w, out.b)


# ---------------------------------------------------------------- torch.optim's form


def rmsprop_torch_update(grad, w, state, t, hp):
    """v ← β₂ v + (1 − β₂) g²;  w ← w − α g / (√v + ε)"""
    g = grad(w)
    v = hp.beta2 * state.v + (1 - hp.beta2) * (g * g)
    return w - hp.lr * safe_divide(g, np.sqrt(v) + hp.eps), SquareState(v), g


CHEATSHEET = define("rmsprop", "RMSprop", 2012, "Hinton et al. (2012)",
    EMA2 + r" \\ w_{t+1} = w_t - \frac{\alpha}{\sqrt{v_t + \epsilon}}\, g_t",
    {"lr": 0.001, "beta2": 0.9, "eps": 1e-6}, SquareState, rmsprop_update,
    "ε inside the square root (PyTorch adds it outside).",
    update_into=rmsprop_into,
    look=("#E69F00", "cross", "cross"),
    step_size=root_step_size,
)  # fmt: skip

PYTORCH = torch_form(
    CHEATSHEET, rmsprop_torch_update, SquareState, {"lr": 1e-2, "beta2": 0.99, "eps": 1e-8},
    r"v_t = \beta_2 v_{t-1} + (1-\beta_2)\, g_t^2 \\ "
    r"w_{t+1} = w_t - \frac{\alpha\, g_t}{\sqrt{v_t} + \epsilon}",
    "ε outside the root, β₂ is torch's alpha (default 0.99).",
    step_size=torch_root_step_size,
)  # fmt: skip
