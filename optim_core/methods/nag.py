r"""NAG (Sutskever et al. (2013)): the cheat sheet's rule, its in-place form,
and torch.optim's (``SGD(lr, momentum=β₁, nesterov=True)``: w ← w − α (g + β₁ b))."""

from __future__ import annotations

import numpy as np

from ._base import (
    EMA,
    TORCH_B,
    MomentState,
    define,
    descend_into,
    ema_into,
    lr_step_size,
    torch_form,
)


def nag_update(grad, w, state, t, hp):
    """g = ∇f(w − α m_prev);  m ← β₁ m + (1 − β₁) g;  w ← w − α m"""
    w_ahead = w - hp.lr * state.m
    g = grad(w_ahead)
    m = hp.beta1 * state.m + (1 - hp.beta1) * g
    w = w - hp.lr * m
    return w, MomentState(m), g


def nag_into(grad_into, w, state, t, hp, out):
    np.multiply(state.m, hp.lr, out=out.a)
    np.subtract(w, out.a, out=out.a)  # the look-ahead point
    grad_into(out.a, out.g)
    ema_into(hp.beta1, state.m, out.g, out.state.m, out.a)
    descend_into(w, hp.lr, out.state.m, out.w, out.a)


# ---------------------------------------------------------------- torch.optim's form


def nag_torch_update(grad, w, state, t, hp):
    """b ← β₁ b + g;  w ← w − α (g + β₁ b)"""
    g = grad(w)
    b = hp.beta1 * state.m + g
    return w - hp.lr * (g + hp.beta1 * b), MomentState(b), g


CHEATSHEET = define("nag", "NAG", 2013, "Sutskever et al. (2013)",
    r"w^* = w_t - \alpha\, m_{t-1}, \quad g_t = \nabla f(w^*) \\ "
    + EMA + r" \\ w_{t+1} = w_t - \alpha\, m_t",
    {"lr": 0.01, "beta1": 0.9}, MomentState, nag_update,
    "The gradient is taken at the look-ahead point w − α m. EMA form, as Momentum: at "
    "the same α its steps are (1 − β) times PyTorch's (nesterov=True).",
    update_into=nag_into,
    look=("#009E73", "diamond", "diamond"),
    step_size=lr_step_size,
)  # fmt: skip

PYTORCH = torch_form(
    CHEATSHEET, nag_torch_update, MomentState, {"lr": 1e-3, "beta1": 0.9},
    TORCH_B + r" \\ w_{t+1} = w_t - \alpha\, (g_t + \beta_1 b_t)",
    "torch takes the gradient at w, not at a look-ahead point, and adds β₁b to it; "
    "its buffer accumulates (10× the EMA form's steps at β₁ 0.9).",
)  # fmt: skip
