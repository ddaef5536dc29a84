r"""AdaGrad (Duchi et al. (2011)): the cheat sheet's rule, its in-place form,
and torch.optim's (``Adagrad(lr, eps)``: ε outside the root)."""

from __future__ import annotations

import numpy as np

from ._base import (
    SquareState,
    define,
    descend_into,
    divide_for,
    root_step_size,
    safe_divide,
    scaled_by_root_into,
    torch_form,
    torch_root_step_size,
)


def adagrad_update(grad, w, state, t, hp):
    """v ← v + g²;  w ← w − α g / √(v + ε)"""
    g = grad(w)
    v = state.v + g * g
    w = w - hp.lr * divide_for(hp.eps)(g, np.sqrt(v + hp.eps))
    return w, SquareState(v), g


def adagrad_into(grad_into, w, state, t, hp, out):
    grad_into(w, out.g)
    np.multiply(out.g, out.g, out=out.a)
    np.add(state.v, out.a, out=out.state.v)
    descend_into(w, hp.lr, scaled_by_root_into(out.state.v, out.g, hp, out), out.w, out.b)


# ---------------------------------------------------------------- torch.optim's form


def adagrad_torch_update(grad, w, state, t, hp):
    """v ← v + g²;  w ← w − α g / (√v + ε)"""
    g = grad(w)
    v = state.v + g * g
    return w - hp.lr * safe_divide(g, np.sqrt(v) + hp.eps), SquareState(v), g


CHEATSHEET = define("adagrad", "AdaGrad", 2011, "Duchi et al. (2011)",
    r"v_t = v_{t-1} + g_t^2 \\ w_{t+1} = w_t - \frac{\alpha}{\sqrt{v_t + \epsilon}}\, g_t",
    {"lr": 0.01, "eps": 1e-7}, SquareState, adagrad_update,
    "ε inside the square root (PyTorch adds it outside).",
    update_into=adagrad_into,
    look=("#CC79A7", "x", "x"),
    step_size=root_step_size,
)  # fmt: skip

PYTORCH = torch_form(
    CHEATSHEET, adagrad_torch_update, SquareState, {"lr": 1e-2, "eps": 1e-10},
    r"v_t = v_{t-1} + g_t^2 \\ "
    r"w_{t+1} = w_t - \frac{\alpha\, g_t}{\sqrt{v_t} + \epsilon}",
    "ε outside the root: where v is tiny (a flat start, a saddle) the step "
    "is α·g/(|g| + ε) ≈ α, against α·g/√ε for ε inside.",
    step_size=torch_root_step_size,
)  # fmt: skip
