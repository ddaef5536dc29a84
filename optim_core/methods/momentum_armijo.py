r"""Momentum with an Armijo backtracking line search along −m: the cheat sheet's
exponential average m ← β₁m + (1 − β₁)g gives the direction, and α = α₀, ρα₀, … until
f(w − αm) ≤ f(w) − c₁ α gᵀm. Where −m does not point downhill (gᵀm ≤ 0, after a turn)
the step goes along −g instead (recorded as a restart); m itself is kept. At most 20
evaluations of f a search; a failed search leaves the start where it is. torch.optim
has no line search: the pytorch convention runs the same rule.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .. import line_search
from ._base import define, torch_form, with_lead
from .sgd_armijo import alpha_step_size, current_value

DEFAULTS = {"lr": 1.0, "beta1": 0.9, "c1": 1e-4, "shrink": 0.5}


class MomentumArmijoState(NamedTuple):
    m: np.ndarray  # (..., D) the average of gradients
    f: np.ndarray  # (...,) f at the current point
    alpha: np.ndarray  # (...,) the step length the last search chose (0: it stayed)
    f_evals: np.ndarray  # (...,) evaluations of f the last step took
    g_evals: np.ndarray  # (...,) evaluations of ∇f the last step took
    restarted: np.ndarray  # (...,) 1 where the last step went along −g (−m not downhill)
    failed: np.ndarray  # (...,) 1 from the step a line search failed on
    direction: np.ndarray  # (..., D) the direction the last step searched along
    trials: np.ndarray  # (..., 20) the step lengths its search tried, in order (nan after)
    LISTED = ("trials",)


def momentum_armijo_init(w: np.ndarray) -> MomentumArmijoState:
    w = np.asarray(w, dtype=float)
    return MomentumArmijoState(np.zeros_like(w), *(np.zeros(w.shape[:-1]) for _ in range(6)),
                               np.zeros_like(w),
                               np.full((*w.shape[:-1], line_search.MAX_EVALS), np.nan))


def momentum_armijo_update(grad, w, state, t, hp):
    r"""m ← β₁m + (1 − β₁)g;  p = −m (−g where gᵀm ≤ 0);  α = α₀ρᵏ, the first k with
    f(w + αp) ≤ f(w) + c₁α gᵀp;  w ← w + αp"""
    lead = w.shape[:-1]
    flat = w.reshape(-1, w.shape[-1])
    n = len(flat)
    failed = state.failed.reshape(n)
    g = grad(flat)
    m_old = state.m.reshape(n, w.shape[-1])
    m = np.where(failed[:, None] == 0, hp.beta1 * m_old + (1 - hp.beta1) * g, m_old)
    downhill = np.sum(g * m, axis=1) > 0
    p = np.where(downhill[:, None], -m, -g)
    restarted = (~downhill & np.any(g != 0, axis=1)).astype(float)
    f, evals = current_value(grad, flat, state, t)
    step = line_search.backtrack_along(grad.f, flat, p, f, g, failed, hp.lr,
                                       c1=float(hp.c1), shrink=float(hp.shrink))  # fmt: skip
    w_new = flat + step.alpha[:, None] * p
    new = MomentumArmijoState(m, step.f, step.alpha, evals + step.f_evals, np.ones(n),
                              restarted, step.failed, p, step.trials)  # fmt: skip
    return w_new.reshape(w.shape), with_lead(new, lead), g.reshape(w.shape)


CHEATSHEET = define(
    "momentum_armijo", "Momentum + Armijo", 1966,
    "Polyak (1964); Armijo (1966); Nocedal & Wright (2006), Algorithm 3.1",
    r"m_t = \beta_1 m_{t-1} + (1-\beta_1)\, g_t, \quad p_t = -m_t\ "
    r"(-g_t \text{ if } g_t^\top m_t \le 0) \\ "
    r"\alpha_t = \alpha_0 \rho^{k}:\ f(w_t + \alpha_t p_t) \le f(w_t) + c_1 \alpha_t g_t^\top p_t"
    r", \quad w_{t+1} = w_t + \alpha_t\, p_t",
    DEFAULTS, MomentumArmijoState, momentum_armijo_update,
    "The cheat sheet's momentum (an average of gradients) as the direction, its length "
    "backtracked from α₀ until f decreases enough: the momentum can no longer carry the "
    "point uphill past a valley floor. Where the average points uphill (after a turn) the "
    "step follows −g instead.",
    init=momentum_armijo_init, look=("#92C5DE", "square-x", "square-open"),
    step_size=alpha_step_size, check=line_search.check_armijo,
)  # fmt: skip

PYTORCH = torch_form(
    CHEATSHEET, momentum_armijo_update, MomentumArmijoState, DEFAULTS, CHEATSHEET.latex,
    "Not in torch.optim (no line search for SGD): the cheat sheet's rule, its EMA momentum "
    "included.", init=momentum_armijo_init,
)  # fmt: skip
