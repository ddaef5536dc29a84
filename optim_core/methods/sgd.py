r"""SGD (Robbins & Monro (1951)): the cheat sheet's rule, its in-place form,
and torch.optim's (``SGD(lr)``)."""

from __future__ import annotations

import numpy as np

from ._base import (
    NoState,
    define,
    lr_step_size,
    torch_form,
)


def sgd_update(grad, w, state, t, hp):
    """w ← w − α g"""
    g = grad(w)
    w = w - hp.lr * g
    return w, state, g


def sgd_into(grad_into, w, state, t, hp, out):
    grad_into(w, out.g)
    np.multiply(out.g, hp.lr, out=out.a)
    np.subtract(w, out.a, out=out.w)


# ---------------------------------------------------------------- torch.optim's form


def sgd_torch_update(grad, w, state, t, hp):
    """w ← w − α g"""
    g = grad(w)
    return w - hp.lr * g, state, g


CHEATSHEET = define("sgd", "SGD", 1951, "Robbins & Monro (1951)",
    r"w_{t+1} = w_t - \alpha\, g_t",
    {"lr": 0.01}, NoState, sgd_update,
    "The cheat sheet gives no default α; 0.01 is Keras's.",
    update_into=sgd_into,
    look=("#D55E00", "circle", "circle"),
    step_size=lr_step_size,
)  # fmt: skip

PYTORCH = torch_form(
    CHEATSHEET, sgd_torch_update, NoState, {"lr": 1e-3}, r"w_{t+1} = w_t - \alpha\, g_t",
    "The same rule; torch's default α is 1e-3.",
)  # fmt: skip
