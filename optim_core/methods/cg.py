r"""Nonlinear conjugate gradient, Polak–Ribière+ (Polak & Ribière 1969; the "+" of
Gilbert & Nocedal 1992): each direction is the negative gradient plus β times the last
one, with β = max(0, gₜ₊₁ᵀ(gₜ₊₁ − gₜ) / gₜᵀgₜ) — β = 0 restarts along −g, as scipy's CG
does — or, with ``beta_rule="FR"``, Fletcher–Reeves's β = gₜ₊₁ᵀgₜ₊₁ / gₜᵀgₜ (Fletcher &
Reeves 1964: no restart of its own; from Rosenbrock's (−1.2, 1) it is within 1e-6 of the
minimum at step 60, PR+ at 25) — and a strong Wolfe line search with c₂ = 0.1 (Nocedal &
Wright's for CG: its directions need an α close to the line's minimum). Where a
direction would not descend, it restarts along −g too. torch.optim has no CG: the
pytorch convention runs the same rule.

Each step records its step length, the evaluations its line search took, whether it
restarted (β = 0 or not downhill), and whether the line search failed (the start then
stays where it is from that step on).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .. import line_search
from ._base import define, torch_form, with_lead

C1, C2 = 1e-4, 0.1


class CGState(NamedTuple):
    p: np.ndarray  # (..., D) the direction of the last step
    g: np.ndarray  # (..., D) ∇f at the current point (known from the last line search)
    g_prev: np.ndarray  # (..., D) ∇f at the point before
    f: np.ndarray  # (...,) f at the current point
    f_before: np.ndarray  # (...,) f at the point before (the line search's first guess)
    alpha: np.ndarray  # (...,) the step length the last line search chose
    f_evals: np.ndarray  # (...,) evaluations of f the last step took
    g_evals: np.ndarray  # (...,) evaluations of ∇f the last step took
    restarted: np.ndarray  # (...,) 1 where the last step went along −g (β = 0)
    failed: np.ndarray  # (...,) 1 from the step a line search failed on
    trials: np.ndarray  # (..., 20) the step lengths its search tried, in order (nan after)
    LISTED = ("trials",)


def cg_init(w: np.ndarray) -> CGState:
    w = np.asarray(w, dtype=float)
    vectors = [np.zeros_like(w) for _ in range(3)]
    return CGState(*vectors, *(np.zeros(w.shape[:-1]) for _ in range(7)),
                   np.full((*w.shape[:-1], line_search.MAX_EVALS), np.nan))


def cg_update(grad, w, state, t, hp):
    r"""β = max(0, gᵀ(g − g_prev) / g_prevᵀg_prev) (PR+; FR: gᵀg / g_prevᵀg_prev; 0 at the
    first step);  p = −g + β p_prev,
    −g where that does not descend;  α by the strong Wolfe line search (c₂ = 0.1);
    w ← w + α p"""
    lead = w.shape[:-1]
    dim = w.shape[-1]
    flat = w.reshape(-1, dim)
    n = len(flat)
    g, f, before, evals = line_search.current_point(grad, flat, state, t)
    if t == 1:
        p = -g
        restarted = np.ones(n)
    else:
        p_prev, g_prev = state.p.reshape(n, dim), state.g_prev.reshape(n, dim)
        with np.errstate(divide="ignore", invalid="ignore"):
            if hp.beta_rule == "FR":  # Fletcher–Reeves: gᵀg / g_prevᵀg_prev
                beta = np.sum(g * g, axis=1) / np.sum(g_prev * g_prev, axis=1)
            else:  # Polak–Ribière+
                beta = np.sum(g * (g - g_prev), axis=1) / np.sum(g_prev * g_prev, axis=1)
        beta = np.where(np.isfinite(beta), np.maximum(beta, 0.0), 0.0)
        p = -g + beta[:, None] * p_prev
        downhill = np.sum(g * p, axis=1) < 0
        p = np.where(downhill[:, None], p, -g)
        restarted = ((beta == 0) | ~downhill).astype(float)
    step = line_search.step_along(grad, flat, p, f, g, before, state.failed.reshape(n),
                                  c1=float(hp.c1), c2=float(hp.c2))  # fmt: skip
    w_new = flat + step.alpha[:, None] * p
    new = CGState(p, step.g, g, step.f, step.f_before, step.alpha, evals + step.f_evals,
                  evals + step.g_evals, restarted, step.failed, step.trials)  # fmt: skip
    return w_new.reshape(w.shape), with_lead(new, lead), g.reshape(w.shape)


CHEATSHEET = define(
    "cg", "CG (PR+)", 1969, "Polak & Ribière (1969); Nocedal & Wright (2006)",
    r"\beta_t = \max\!\left(0, \frac{g_t^\top (g_t - g_{t-1})}{g_{t-1}^\top g_{t-1}}\right)"
    r"\ (\text{FR: } \tfrac{g_t^\top g_t}{g_{t-1}^\top g_{t-1}}),"
    r" \quad p_t = -g_t + \beta_t\, p_{t-1} \\ "
    r"\alpha_t:\ \text{strong Wolfe along } p_t\ (c_2 = 0.1), \quad w_{t+1} = w_t + \alpha_t p_t",
    {"c1": C1, "c2": C2, "beta_rule": "PR+"}, CGState, cg_update,
    "Nonlinear conjugate gradient, Polak–Ribière+: each direction bends the negative "
    "gradient by the last direction, so that successive steps do not undo each other; "
    "β < 0 (or a direction uphill) restarts along −g. Fletcher–Reeves's β (selectable) has "
    "no such restart and can crawl for long stretches. On a quadratic with exact line "
    "searches it ends in 2 steps in 2-D; here the strong Wolfe search (c₂ = 0.1) comes "
    "close. One step may cost several evaluations of f and ∇f.",
    init=cg_init, look=("#01665E", "triangle-right", "diamond-open"),
    check=line_search.check_wolfe,
)  # fmt: skip

PYTORCH = torch_form(
    CHEATSHEET, cg_update, CGState, {"c1": C1, "c2": C2, "beta_rule": "PR+"}, CHEATSHEET.latex,
    "Not in torch.optim: the same rule.", init=cg_init,
)  # fmt: skip
