r"""Gauss–Newton (Gauss 1809): for a sum of squares f = Σₖ rₖ(w)², the step that
minimizes the linear model ‖r + J h‖² — Newton's method with the Hessian 2JᵀJ, which
leaves out the residuals' own curvature Σ rₖ ∇²rₖ (small near a minimum where the
residuals are small). It runs only on surfaces that declare their residuals r and
Jacobian J (``surface.residuals``). torch.optim has none: the pytorch convention runs
the same rule.

Each step evaluates r and J once, at the point it stands on.
"""

from __future__ import annotations

import numpy as np

from ._base import NoState, define, torch_form
from .newton import newton_step


def normal_equations(residuals, w):
    """``(JᵀJ, Jᵀr, f)`` at the points ``w`` (..., D): the Gauss–Newton matrix, half the
    gradient and f = Σ r²."""
    r, J = residuals(w)
    A = np.einsum("...ki,...kj->...ij", J, J)
    Jr = np.einsum("...ki,...k->...i", J, r)
    return A, Jr, np.sum(r * r, axis=-1)


def gauss_newton_update(grad, w, state, t, hp):
    r"""h = −(JᵀJ)⁻¹ Jᵀ r;  w ← w + α h  (g = 2 Jᵀ r, the gradient of f = Σ r²)"""
    A, Jr, _ = normal_equations(grad.residuals, w)
    return w - hp.lr * newton_step(A, Jr), state, 2 * Jr


CHEATSHEET = define(
    "gauss_newton", "Gauss–Newton", 1809, "Gauss (1809); Nocedal & Wright (2006), §10.3",
    r"f(w) = \textstyle\sum_k r_k(w)^2, \quad J_t = \partial r / \partial w\,(w_t) \\ "
    r"w_{t+1} = w_t - \alpha\, (J_t^\top J_t)^{-1} J_t^\top r_t",
    {"lr": 1.0}, NoState, gauss_newton_update,
    "For sums of squares only: Newton's method with 2JᵀJ in place of the Hessian — no "
    "second derivatives, and JᵀJ is never indefinite, so its step points downhill (where "
    "Newton's may point up towards a saddle or a maximum); it can still overshoot where "
    "the residuals are large or J is nearly singular (a singular JᵀJ stops the run as "
    "diverged). α = 1 is the full step.",
    look=("#B2182B", "hexagram", "cross"), needs=("residuals",),
)  # fmt: skip

PYTORCH = torch_form(
    CHEATSHEET, gauss_newton_update, NoState, {"lr": 1.0}, CHEATSHEET.latex,
    "Not in torch.optim: the same rule.",
)  # fmt: skip
