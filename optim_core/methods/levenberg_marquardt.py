r"""Levenberg–Marquardt (Levenberg 1944; Marquardt 1963) with Nielsen's rule for the
damping λ (Nielsen 1999; Madsen, Nielsen & Tingleff 2004, Algorithm 3.16), written for
f = Σₖ rₖ(w)² (the surfaces' sums of squares):

* the step h solves (JᵀJ + λI) h = −Jᵀr: Gauss–Newton's for small λ, a short step
  along −∇f = −2Jᵀr for large λ;
* the gain ratio ϱ = (f(w) − f(w + h)) / (L(0) − L(h)), the actual decrease over the
  decrease of the linear model L(h) = ‖r + J h‖², where L(0) − L(h) = hᵀ(λh − Jᵀr);
* ϱ > 0: the step is taken, λ ← λ·max(1/3, 1 − (2ϱ − 1)³), ν ← 2;
  otherwise the point stays, λ ← λν, ν ← 2ν.

λ starts at ``damping`` (λ₀, default 1e-3). A step is one trial: a rejected trial is a
step that does not move (the record says which). torch.optim has none: the pytorch
convention runs the same rule. Each step evaluates r and J once, at its trial point
(the first also at the start).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._base import define, torch_form, with_lead
from .gauss_newton import normal_equations
from .newton import newton_step


class LMState(NamedTuple):
    lam: np.ndarray  # (...,) the damping λ the next step uses (0 before the first step)
    nu: np.ndarray  # (...,) ν, λ's factor after a rejected trial
    gain: np.ndarray  # (...,) ϱ of the last trial
    accepted: np.ndarray  # (...,) 1 where the last trial was taken
    f_evals: np.ndarray  # (...,) evaluations of r the last step took
    g_evals: np.ndarray  # (...,) evaluations of J the last step took


def lm_init(w: np.ndarray) -> LMState:
    lead = np.asarray(w).shape[:-1]
    return LMState(*(np.zeros(lead) for _ in range(6)))


def lm_update(grad, w, state, t, hp):
    r"""(JᵀJ + λI) h = −Jᵀr;  ϱ = (f(w) − f(w + h)) / hᵀ(λh − Jᵀr);  ϱ > 0: w ← w + h,
    λ ← λ·max(1/3, 1 − (2ϱ − 1)³), ν ← 2;  else λ ← λν, ν ← 2ν"""
    lead = w.shape[:-1]
    flat = w.reshape(-1, w.shape[-1])
    n = len(flat)
    if t == 1:
        lam = np.broadcast_to(np.asarray(hp.damping, dtype=float).reshape(-1), (n,)).copy()
        nu = np.full(n, 2.0)
    else:
        lam, nu = state.lam.reshape(n).copy(), state.nu.reshape(n).copy()
    A, Jr, f = normal_equations(grad.residuals, flat)
    damped = A + lam[:, None, None] * np.eye(w.shape[-1])
    h = -newton_step(damped, Jr)
    r_new, _ = grad.residuals(flat + h)
    f_new = np.sum(r_new * r_new, axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        predicted = np.sum(h * (lam[:, None] * h - Jr), axis=1)
        gain = (f - f_new) / predicted
    gain = np.where(np.isfinite(gain), gain, 0.0)  # h = 0 (a stationary point): no gain
    taken = gain > 0
    w_new = np.where(taken[:, None], flat + h, flat)
    lam = np.where(taken, lam * np.maximum(1 / 3, 1 - (2 * gain - 1) ** 3), lam * nu)
    nu = np.where(taken, 2.0, 2 * nu)
    evals = np.full(n, 2.0 if t == 1 else 1.0)
    new = LMState(lam, nu, gain, taken.astype(float), evals, evals)
    return w_new.reshape(w.shape), with_lead(new, lead), (2 * Jr).reshape(w.shape)


CHEATSHEET = define(
    "levenberg_marquardt", "Levenberg–Marquardt", 1944,
    "Levenberg (1944); Marquardt (1963); Nielsen (1999)",
    r"(J_t^\top J_t + \lambda_t I)\, h_t = -J_t^\top r_t, \quad "
    r"\varrho_t = \frac{f(w_t) - f(w_t + h_t)}{h_t^\top (\lambda_t h_t - J_t^\top r_t)} \\ "
    r"\varrho_t > 0:\ w_{t+1} = w_t + h_t,\ "
    r"\lambda_{t+1} = \lambda_t \max\!\left(\tfrac13, 1 - (2\varrho_t - 1)^3\right),\ \nu = 2 \\ "
    r"\text{else: } w_{t+1} = w_t,\ \lambda_{t+1} = \nu\lambda_t,\ \nu \leftarrow 2\nu",
    {"damping": 1e-3}, LMState, lm_update,
    "For sums of squares only: Gauss–Newton with a damping λ that it adapts by how well "
    "the linear model predicted the last step's decrease (Nielsen's rule): near "
    "Gauss–Newton where the model is good, short gradient steps where it is not. A "
    "rejected trial is a step that stays put while λ grows. λ₀ is the first λ.",
    init=lm_init, look=("#7570B3", "octagon", "circle-open"), needs=("residuals",),
)  # fmt: skip

PYTORCH = torch_form(
    CHEATSHEET, lm_update, LMState, {"damping": 1e-3}, CHEATSHEET.latex,
    "Not in torch.optim: the same rule.", init=lm_init,
)  # fmt: skip
