r"""Momentum (Polyak (1964)): the cheat sheet's rule, its in-place form,
and torch.optim's (``SGD(lr, momentum=β₁)``: b ← β₁ b + g (b₁ = g₁); w ← w − α b)."""

from __future__ import annotations

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


def momentum_update(grad, w, state, t, hp):
    """m ← β₁ m + (1 − β₁) g;  w ← w − α m"""
    g = grad(w)
    m = hp.beta1 * state.m + (1 - hp.beta1) * g
    w = w - hp.lr * m
    return w, MomentState(m), g


def momentum_into(grad_into, w, state, t, hp, out):
    grad_into(w, out.g)
    ema_into(hp.beta1, state.m, out.g, out.state.m, out.a)
    descend_into(w, hp.lr, out.state.m, out.w, out.a)


# ---------------------------------------------------------------- torch.optim's form


def momentum_torch_update(grad, w, state, t, hp):
    """b ← β₁ b + g;  w ← w − α b"""
    g = grad(w)
    b = hp.beta1 * state.m + g
    return w - hp.lr * b, MomentState(b), g


CHEATSHEET = define("momentum", "Momentum", 1964, "Polyak (1964)",
    EMA + r" \\ w_{t+1} = w_t - \alpha\, m_t",
    {"lr": 0.01, "beta1": 0.9}, MomentState, momentum_update,
    "EMA momentum: with a steady gradient m → g, so at the same α its steps are as "
    "long as SGD's. PyTorch's SGD(momentum=β) accumulates m ← βm + g instead, steps "
    "1/(1 − β) = 10× longer at β 0.9: compare α across the two forms with that in mind.",
    update_into=momentum_into,
    look=("#0072B2", "square", "square"),
    step_size=lr_step_size,
)  # fmt: skip

PYTORCH = torch_form(
    CHEATSHEET, momentum_torch_update, MomentState, {"lr": 1e-3, "beta1": 0.9},
    TORCH_B + r" \\ w_{t+1} = w_t - \alpha\, b_t",
    "torch accumulates b ← β₁b + g (no 1 − β₁): with a steady gradient its "
    "step is 1/(1 − β₁) = 10× the EMA form's at β₁ 0.9.",
)  # fmt: skip
