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
    """H⁻¹ g for matrices ``h`` (..., D, D) and vectors ``g`` (..., D): for D = 2 by the
    explicit inverse, beyond by LU (``np.linalg.solve``); a singular H gives inf or nan
    (the run then stops as diverged)."""
    if g.shape[-1] != 2:
        return _solve(h, g)
    a, b, c, d = h[..., 0, 0], h[..., 0, 1], h[..., 1, 0], h[..., 1, 1]
    det = a * d - b * c
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.stack([(d * g[..., 0] - b * g[..., 1]) / det,
                         (a * g[..., 1] - c * g[..., 0]) / det], axis=-1)  # fmt: skip


def newton_update(grad, w, state, t, hp):
    """w ← w − α H⁻¹ g  (H: the surface's Hessian at w)"""
    g = grad(w)
    return w - hp.lr * newton_step(grad.hessian(w), g), state, g


def _solve(h, g):
    """H⁻¹ g by LU for each matrix; a singular one gives nan (as the 2 × 2 inverse's 0/0)."""
    h, g = np.broadcast_arrays(h, g[..., None])
    try:
        return np.linalg.solve(h, g)[..., 0]
    except np.linalg.LinAlgError:  # some are singular: one at a time
        out = np.full(g.shape[:-1], np.nan)
        for i in np.ndindex(h.shape[:-2]):
            try:
                out[i] = np.linalg.solve(h[i], g[i])[:, 0]
            except np.linalg.LinAlgError:
                pass
        return out


# ---------------------------------------------------------------- torch.optim's form


CHEATSHEET = define("newton", "Newton", 1669, "Newton–Raphson, damped",
    r"H_t = \nabla^2 f(w_t) \\ w_{t+1} = w_t - \alpha\, H_t^{-1} g_t",
    {"lr": 1.0}, NoState, newton_update,
    "Uses the surface's exact Hessian. It jumps to where the quadratic model is flat: "
    "a minimum, but just as well a saddle or a maximum (it is attracted to them); a "
    "singular H stops the run as diverged.",
    look=("#117733", "bowtie", "cross"), needs=("hessian",),
)  # fmt: skip

PYTORCH = torch_form(
    CHEATSHEET, newton_update, NoState, {"lr": 1.0},
    CHEATSHEET.latex, "Not in torch.optim: the same rule.",
)  # fmt: skip
