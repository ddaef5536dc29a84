r"""Saddle-free Newton (Dauphin et al. (2014)): the cheat sheet's rule, its in-place form,
and torch.optim's ()."""

from __future__ import annotations

import numpy as np

from ._base import (
    NoState,
    define,
    torch_form,
)
from .newton import newton_step


def absolute_hessian(h: np.ndarray, damping) -> np.ndarray:
    """|H| + δI: H's eigenvalues replaced by their absolute values plus δ (its
    eigenvectors kept), for symmetric matrices ``h`` (..., D, D)."""
    values, vectors = np.linalg.eigh(h)
    values = np.abs(values) + damping  # (a per-start δ is shaped (N, 1), like values' rows)
    return np.einsum("...ij,...j,...kj->...ik", vectors, values, vectors)


def saddle_free_newton_update(grad, w, state, t, hp):
    """|H| = Q |Λ| Qᵀ for H = Q Λ Qᵀ;  w ← w − α (|H| + ε I)⁻¹ g"""
    g = grad(w)
    return w - hp.lr * newton_step(absolute_hessian(grad.hessian(w), hp.eps), g), state, g


# ---------------------------------------------------------------- torch.optim's form


CHEATSHEET = define("saddle_free_newton", "Saddle-free Newton", 2014, "Dauphin et al. (2014)",
    r"H_t = Q \Lambda Q^\top, \quad |H_t| = Q |\Lambda| Q^\top \\ "
    r"w_{t+1} = w_t - \alpha\, (|H_t| + \epsilon I)^{-1} g_t",
    {"lr": 1.0, "eps": 1e-3}, NoState, saddle_free_newton_update,
    "Newton with the Hessian's negative curvatures made positive: along a direction "
    "that curves down it steps downhill instead of towards the saddle. ε damps "
    "directions of almost no curvature.",
    look=("#777777", "star-square", "diamond-open"), needs=("hessian",),
)  # fmt: skip

PYTORCH = torch_form(
    CHEATSHEET, saddle_free_newton_update, NoState, {"lr": 1.0, "eps": 1e-3},
    CHEATSHEET.latex,
    "Not in torch.optim: the same rule.",
)  # fmt: skip
