r"""SGD with an Armijo backtracking line search (Armijo 1966; Nocedal & Wright,
Algorithm 3.1): along −g, the step length α = α₀, ρα₀, ρ²α₀, … until the sufficient
decrease f(w − αg) ≤ f(w) − c₁ α ‖g‖² holds (at most 20 evaluations of f; otherwise the
search fails and the start stays where it is, recorded from that step on). Each step
starts again from α₀ (``lr``). torch.optim has no line search for SGD: the pytorch
convention runs the same rule.

The Armijo test reads the surface's f: with gradient noise or mini-batches the
direction is the noisy one, the decrease is checked on the whole f.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .. import line_search
from ._base import define, torch_form, with_lead

ARMIJO = {"lr": 1.0, "c1": 1e-4, "shrink": 0.5}  # α₀, c₁, ρ (N&W's c₁; halving)


class ArmijoState(NamedTuple):
    f: np.ndarray  # (...,) f at the current point (known from the last accepted trial)
    alpha: np.ndarray  # (...,) the step length the last search chose (0: it stayed)
    f_evals: np.ndarray  # (...,) evaluations of f the last step took
    g_evals: np.ndarray  # (...,) evaluations of ∇f the last step took
    failed: np.ndarray  # (...,) 1 from the step a line search failed on
    direction: np.ndarray  # (..., D) the direction the last step searched along
    trials: np.ndarray  # (..., 20) the step lengths its search tried, in order (nan after)
    LISTED = ("trials",)


def armijo_init(w: np.ndarray) -> ArmijoState:
    w = np.asarray(w, dtype=float)
    lead = w.shape[:-1]
    return ArmijoState(*(np.zeros(lead) for _ in range(5)), np.zeros_like(w),
                       np.full((*lead, line_search.MAX_EVALS), np.nan))


def current_value(grad, flat, state, t):
    """f at the points ``flat`` and the evaluations it took: computed at the first step,
    read from the state after it."""
    n = len(flat)
    if t == 1:
        return grad.f(flat), np.ones(n)
    return state.f.reshape(n), np.zeros(n)


def armijo_record(step, evals, n, p) -> ArmijoState:
    return ArmijoState(step.f, step.alpha, evals + step.f_evals, np.ones(n), step.failed, p,
                       step.trials)  # fmt: skip


def sgd_armijo_update(grad, w, state, t, hp):
    r"""g = ∇f(w);  α = α₀ρᵏ, the first k with f(w − αg) ≤ f(w) − c₁α‖g‖²;  w ← w − αg"""
    lead = w.shape[:-1]
    flat = w.reshape(-1, w.shape[-1])
    n = len(flat)
    g = grad(flat)
    f, evals = current_value(grad, flat, state, t)
    step = line_search.backtrack_along(grad.f, flat, -g, f, g, state.failed.reshape(n), hp.lr,
                                       c1=float(hp.c1), shrink=float(hp.shrink))  # fmt: skip
    w_new = flat - step.alpha[:, None] * g
    return (w_new.reshape(w.shape), with_lead(armijo_record(step, evals, n, -g), lead),
            g.reshape(w.shape))  # fmt: skip


def alpha_step_size(state, before, hp, t):
    """the α the line search chose, for both coordinates"""
    return state["alpha"][..., None]


CHEATSHEET = define(
    "sgd_armijo", "SGD + Armijo", 1966, "Armijo (1966); Nocedal & Wright (2006), Algorithm 3.1",
    r"\alpha_t = \alpha_0 \rho^{k}:\ \text{the first } k \text{ with } "
    r"f(w_t - \alpha_t g_t) \le f(w_t) - c_1 \alpha_t \lVert g_t \rVert^2 \\ "
    r"w_{t+1} = w_t - \alpha_t\, g_t",
    ARMIJO, ArmijoState, sgd_armijo_update,
    "Gradient descent whose step length is backtracked from α₀ (here α) by ρ until f "
    "decreases enough (the Armijo condition, c₁): no step overshoots uphill, whatever α₀ is, "
    "at the price of extra evaluations of f. A search that finds no such step within 20 "
    "tries fails, and the start stays where it is.",
    init=armijo_init, look=("#F4A582", "circle-x", "circle-open"),
    step_size=alpha_step_size, check=line_search.check_armijo,
)  # fmt: skip

PYTORCH = torch_form(
    CHEATSHEET, sgd_armijo_update, ArmijoState, ARMIJO, CHEATSHEET.latex,
    "Not in torch.optim (no line search for SGD): the same rule.", init=armijo_init,
)  # fmt: skip
