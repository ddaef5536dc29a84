r"""BFGS (Broyden, Fletcher, Goldfarb, Shanno 1970): a quasi-Newton method that builds
an estimate H of the inverse Hessian from the steps it takes, and a strong Wolfe line
search along −H g (``optim_core.line_search``, c₁ = 1e-4, c₂ = 0.9, as
``scipy.optimize.minimize(method="BFGS")``'s). torch.optim has no BFGS (its L-BFGS is
its own method): the pytorch convention runs the same rule.

Each step records what it cost and chose: the step length α, the evaluations of f and
∇f its line search took, whether the curvature condition sᵀy > 0 failed (the update of H
is then skipped) and whether the line search failed (the start then stays where it is
from that step on: ``failed``, the step it happened at is the first with it set).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .. import line_search
from ._base import define, torch_form, with_lead

C1, C2 = 1e-4, 0.9  # the strong Wolfe constants quasi-Newton methods use (N&W)


class BFGSState(NamedTuple):
    H: np.ndarray  # (..., D, D) the inverse-Hessian estimate (I to begin with)
    g: np.ndarray  # (..., D) ∇f at the current point (known from the last line search)
    f: np.ndarray  # (...,) f at the current point
    f_before: np.ndarray  # (...,) f at the point before (the line search's first guess)
    alpha: np.ndarray  # (...,) the step length the last line search chose
    f_evals: np.ndarray  # (...,) evaluations of f the last step took
    g_evals: np.ndarray  # (...,) evaluations of ∇f the last step took
    skipped: np.ndarray  # (...,) 1 where the last step skipped H's update (sᵀy ≤ 0)
    failed: np.ndarray  # (...,) 1 from the step a line search failed on
    direction: np.ndarray  # (..., D) the direction the last step searched along
    trials: np.ndarray  # (..., 20) the step lengths its search tried, in order (nan after)
    LISTED = ("trials",)


def bfgs_init(w: np.ndarray) -> BFGSState:
    w = np.asarray(w, dtype=float)
    lead = w.shape[:-1]
    dim = w.shape[-1]
    eye = np.broadcast_to(np.eye(dim), (*lead, dim, dim)).copy()
    zeros = [np.zeros(lead) for _ in range(7)]
    return BFGSState(eye, np.zeros_like(w), *zeros, np.zeros_like(w),
                     np.full((*lead, line_search.MAX_EVALS), np.nan))


def bfgs_update(grad, w, state, t, hp):
    r"""p = −H g;  α by the strong Wolfe line search along p;  s = α p,  w ← w + s;
    y = ∇f(w + s) − g;  if sᵀy > 0 (ρ = 1/sᵀy): H ← (I − ρ s yᵀ) H (I − ρ y sᵀ) + ρ s sᵀ"""
    lead = w.shape[:-1]
    dim = w.shape[-1]
    flat = w.reshape(-1, dim)
    n = len(flat)
    H = state.H.reshape(n, dim, dim)
    g, f, before, evals = line_search.current_point(grad, flat, state, t)
    p = -np.einsum("nij,nj->ni", H, g)
    step = line_search.step_along(grad, flat, p, f, g, before, state.failed.reshape(n),
                                  c1=float(hp.c1), c2=float(hp.c2))  # fmt: skip
    alpha, g_new = step.alpha, step.g
    H_new = H.copy()
    j, s, y, sy, skipped = line_search.curvature_pairs(step, p, g)
    if len(j):
        rho = 1.0 / sy
        eye = np.eye(dim)
        left = eye - rho[:, None, None] * s[:, :, None] * y[:, None, :]  # I − ρ s yᵀ
        right = eye - rho[:, None, None] * y[:, :, None] * s[:, None, :]  # I − ρ y sᵀ
        H_new[j] = left @ H[j] @ right + rho[:, None, None] * s[:, :, None] * s[:, None, :]
    w_new = flat + alpha[:, None] * p
    new = BFGSState(H_new, g_new, step.f, step.f_before, alpha, evals + step.f_evals,
                    evals + step.g_evals, skipped, step.failed, p, step.trials)  # fmt: skip
    return w_new.reshape(w.shape), with_lead(new, lead), g.reshape(w.shape)


CHEATSHEET = define(
    "bfgs", "BFGS", 1970, "Broyden, Fletcher, Goldfarb & Shanno (1970); Nocedal & Wright (2006)",
    r"p_t = -H_t\, g_t, \quad \alpha_t:\ \text{strong Wolfe along } p_t \\ "
    r"s_t = \alpha_t p_t, \quad w_{t+1} = w_t + s_t, \quad y_t = g_{t+1} - g_t \\ "
    r"H_{t+1} = (I - \rho_t s_t y_t^\top) H_t (I - \rho_t y_t s_t^\top) + \rho_t s_t s_t^\top,"
    r" \quad \rho_t = \frac{1}{s_t^\top y_t}",
    {"c1": C1, "c2": C2}, BFGSState, bfgs_update,
    "A quasi-Newton method: H estimates the inverse Hessian from the steps taken (H₀ = I, "
    "as scipy's), and each step's length comes from a strong Wolfe line search (c₁ = 1e-4, "
    "c₂ = 0.9 by default, as scipy's), so one step may cost several evaluations of f and "
    "∇f. The update is skipped where sᵀy ≤ 0 (the line search makes that rare).",
    init=bfgs_init, look=("#8C510A", "triangle-left", "square-open"),
    check=line_search.check_wolfe,
)  # fmt: skip

PYTORCH = torch_form(
    CHEATSHEET, bfgs_update, BFGSState, {"c1": C1, "c2": C2}, CHEATSHEET.latex,
    "Not in torch.optim (its L-BFGS is the limited-memory method): the same rule.",
    init=bfgs_init,
)  # fmt: skip
