r"""Newton (Newton–Raphson, damped): the cheat sheet's rule, its in-place form,
and torch.optim's ()."""

from __future__ import annotations

import numpy as np

from ._base import (
    NoState,
    define,
    torch_form,
)


def newton_step(h: np.ndarray, g: np.ndarray) -> np.ndarray:
    """H⁻¹ g for 2 × 2 matrices ``h`` (..., 2, 2) and vectors ``g`` (..., 2), by the
    explicit inverse: a singular H gives inf or nan (the run then stops as diverged)."""
    a, b, c, d = h[..., 0, 0], h[..., 0, 1], h[..., 1, 0], h[..., 1, 1]
    det = a * d - b * c
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.stack([(d * g[..., 0] - b * g[..., 1]) / det,
                         (a * g[..., 1] - c * g[..., 0]) / det], axis=-1)  # fmt: skip


def newton_update(grad, w, state, t, hp):
    """w ← w − α H⁻¹ g  (H: the surface's Hessian at w)"""
    g = grad(w)
    return w - hp.lr * newton_step(grad.hessian(w), g), state, g


# ---------------------------------------------------------------- torch.optim's form


CHEATSHEET = define("newton", "Newton", 1669, "Newton–Raphson, damped",
    r"H_t = \nabla^2 f(w_t) \\ w_{t+1} = w_t - \alpha\, H_t^{-1} g_t",
    {"lr": 1.0}, NoState, newton_update,
    "Uses the surface's exact Hessian. It jumps to where the quadratic model is flat: "
    "a minimum, but just as well a saddle or a maximum (it is attracted to them); a "
    "singular H stops the run as diverged.",
    look=("#117733", "bowtie", "cross"),
)  # fmt: skip

PYTORCH = torch_form(
    CHEATSHEET, newton_update, NoState, {"lr": 1.0},
    CHEATSHEET.latex, "Not in torch.optim: the same rule.",
)  # fmt: skip
