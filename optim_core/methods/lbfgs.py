r"""L-BFGS (Liu & Nocedal 1989; Nocedal 1980): BFGS that keeps no matrix, only its last
m pairs of steps and gradient changes (sᵢ, yᵢ), and applies their inverse-Hessian
estimate to the gradient by the two-loop recursion (Nocedal & Wright, Algorithm 7.4).

The cheat sheet's convention (the textbook's): H₀ = γ I with γ = sᵀy / yᵀy of the newest
pair (N&W 7.20; I before the first), a strong Wolfe line search along −H g (c₁ = 1e-4,
c₂ = 0.9, scipy's first guess, as BFGS here), a pair kept only where sᵀy > 0 (the
step records the skip). ``memory`` is m (default 10).

The pytorch convention: ``torch.optim.LBFGS(lr, history_size=m, max_iter=1,
line_search_fn=None)`` — one iteration per step, the fixed step t = lr (the first step
min(1, 1/‖g‖₁)·lr), a pair kept where yᵀs > 1e-10, H₀ = (yᵀs / yᵀy) I of the newest;
no move where max|g| ≤ 1e-7 (``tolerance_grad``) or where the direction is not downhill
by more than 1e-9 (``tolerance_change``: torch then keeps that direction and t for the
next pair, which this rule copies). ``line_search="strong_wolfe"`` is torch's
``line_search_fn="strong_wolfe"``: its own search from t (``line_search.torch_strong_wolfe``,
as torch's ``_strong_wolfe``: up to 25 more evaluations, its bound, not this app's 20).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .. import line_search
from ._base import define, torch_form, with_lead

C1, C2 = 1e-4, 0.9
MEMORY = 10  # the textbook's m (N&W: 3 to 20 usually suffice)
TORCH_MEMORY = 100  # torch.optim.LBFGS's history_size
TOLERANCE_GRAD, TOLERANCE_CHANGE = 1e-7, 1e-9  # torch's defaults


def _memory(hp, default: int) -> int:
    return default if hp is None else int(hp.memory)


class LBFGSState(NamedTuple):
    LISTED = ("S", "Y", "rho", "trials")  # lists (the exports number them)
    S: np.ndarray  # (..., m, D) the last m steps s = w_{t+1} − w_t, oldest first (0: empty)
    Y: np.ndarray  # (..., m, D) the gradient changes y = g_{t+1} − g_t that go with them
    rho: np.ndarray  # (..., m) 1 / sᵀy (0 in an empty slot)
    gamma: np.ndarray  # (...,) H₀ = γ I: sᵀy / yᵀy of the newest pair (1 before one)
    g: np.ndarray  # (..., D) ∇f at the current point (known from the last line search)
    f: np.ndarray  # (...,) f at the current point
    f_before: np.ndarray  # (...,) f at the point before (the line search's first guess)
    alpha: np.ndarray  # (...,) the step length the last line search chose
    f_evals: np.ndarray  # (...,) evaluations of f the last step took
    g_evals: np.ndarray  # (...,) evaluations of ∇f the last step took
    skipped: np.ndarray  # (...,) 1 where the last step kept no pair (sᵀy ≤ 0)
    failed: np.ndarray  # (...,) 1 from the step a line search failed on
    direction: np.ndarray  # (..., D) the direction the last step searched along
    trials: np.ndarray  # (..., 20) the step lengths its search tried, in order (nan after)


def lbfgs_init(w: np.ndarray, hp=None) -> LBFGSState:
    w = np.asarray(w, dtype=float)
    lead, m = w.shape[:-1], _memory(hp, MEMORY)
    pairs = [np.zeros((*lead, m, w.shape[-1])) for _ in range(2)]
    return LBFGSState(*pairs, np.zeros((*lead, m)), np.ones(lead), np.zeros_like(w),
                      *(np.zeros(lead) for _ in range(7)), np.zeros_like(w),
                      np.full((*lead, line_search.MAX_EVALS), np.nan))  # fmt: skip


def _dot(a, b):
    """Row-wise aᵀb; two coordinates added in place (the 2-D fast path), else a sum."""
    if a.shape[1] == 2:
        return a[:, 0] * b[:, 0] + a[:, 1] * b[:, 1]
    return np.sum(a * b, axis=1)


def two_loop(g, S, Y, rho, gamma):
    r"""H g by the two-loop recursion over the stored pairs, newest last (an empty slot,
    ρ = 0, changes nothing), H₀ = γ I:  q ← g; for i newest → oldest: aᵢ = ρᵢ sᵢᵀq,
    q ← q − aᵢ yᵢ;  r ← γ q; for i oldest → newest: b = ρᵢ yᵢᵀr, r ← r + sᵢ (aᵢ − b)."""
    m = S.shape[1]
    q = g.copy()
    a = np.zeros((len(g), m))
    # slots empty in every start change nothing: the oldest ones, early in a run
    used = [i for i in range(m) if np.any(rho[:, i])]
    for i in reversed(used):
        s, y = S[:, i], Y[:, i]
        a[:, i] = rho[:, i] * _dot(s, q)
        q -= a[:, i, None] * y
    r = gamma[:, None] * q
    for i in used:
        s, y = S[:, i], Y[:, i]
        b = rho[:, i] * _dot(y, r)
        r += s * (a[:, i] - b)[:, None]
    return r


def _pairs(state, n):
    """Copies of the stored pairs S, Y ``(n, m, D)`` and their ρ ``(n, m)``."""
    m, dim = state.S.shape[-2:]
    return (state.S.reshape(n, m, dim).copy(), state.Y.reshape(n, m, dim).copy(),
            state.rho.reshape(n, m).copy())  # fmt: skip


def _push(S, Y, rho, j, s, y, rho_new):
    """Keep the pair (s, y) as the newest of the starts ``j``, dropping the oldest."""
    S[j, :-1], Y[j, :-1], rho[j, :-1] = S[j, 1:], Y[j, 1:], rho[j, 1:]
    S[j, -1], Y[j, -1], rho[j, -1] = s, y, rho_new


def lbfgs_update(grad, w, state, t, hp):
    r"""p = −H g (two loops over the last m pairs, H₀ = γ I);  α by the strong Wolfe line
    search along p;  s = α p,  w ← w + s,  y = ∇f(w + s) − g;  where sᵀy > 0 keep
    (s, y, 1/sᵀy) as the newest pair (the oldest drops out) and γ = sᵀy / yᵀy"""
    lead, dim = w.shape[:-1], w.shape[-1]
    flat = w.reshape(-1, dim)
    n = len(flat)
    S, Y, rho = _pairs(state, n)
    gamma = state.gamma.reshape(n).copy()
    g, f, before, evals = line_search.current_point(grad, flat, state, t)
    # a start whose line search failed stays, one at a stationary point too: no loops
    p = np.zeros_like(g)
    live = np.flatnonzero((state.failed.reshape(n) == 0) & np.any(g != 0, axis=1))
    p[live] = -two_loop(g[live], S[live], Y[live], rho[live], gamma[live])
    step = line_search.step_along(grad, flat, p, f, g, before, state.failed.reshape(n),
                                  c1=float(hp.c1), c2=float(hp.c2))  # fmt: skip
    alpha, g_new = step.alpha, step.g
    j, s, y, sy, skipped = line_search.curvature_pairs(step, p, g)
    if len(j):
        _push(S, Y, rho, j, s, y, 1.0 / sy)
        gamma[j] = sy / np.sum(y * y, axis=1)
    w_new = flat + alpha[:, None] * p
    new = LBFGSState(S, Y, rho, gamma, g_new, step.f, step.f_before, alpha,
                     evals + step.f_evals, evals + step.g_evals, skipped, step.failed, p,
                     step.trials)  # fmt: skip
    return w_new.reshape(w.shape), with_lead(new, lead), g.reshape(w.shape)


# ---------------------------------------------------------------- torch.optim's form


class TorchLBFGSState(NamedTuple):
    LISTED = ("S", "Y", "rho", "trials")
    S: np.ndarray  # (..., m, D) old_stps, oldest first (0: empty)
    Y: np.ndarray  # (..., m, D) old_dirs
    rho: np.ndarray  # (..., m) ro = 1 / yᵀs (0 in an empty slot)
    H_diag: np.ndarray  # (...,) yᵀs / yᵀy of the newest pair (1 at first)
    d: np.ndarray  # (..., D) the last direction
    prev_g: np.ndarray  # (..., D) the gradient the last direction was computed from
    n_iter: np.ndarray  # (...,) iterations done (a step at max|g| ≤ 1e-7 does none)
    alpha: np.ndarray  # (...,) t of the last iteration (kept even where gᵀd > −1e-9 held it)
    f_evals: np.ndarray  # (...,) evaluations of f the last step took (the closure: 1,
    #                       and its line search's)
    g_evals: np.ndarray  # (...,) evaluations of ∇f (torch takes both together)
    failed: np.ndarray  # (...,) never set: this form has no line search to fail
    trials: np.ndarray  # (..., 26) the steps t tried (one without a search), nan after


def torch_lbfgs_init(w: np.ndarray, hp=None) -> TorchLBFGSState:
    w = np.asarray(w, dtype=float)
    lead, m = w.shape[:-1], _memory(hp, TORCH_MEMORY)
    pairs = [np.zeros((*lead, m, w.shape[-1])) for _ in range(2)]
    return TorchLBFGSState(*pairs, np.zeros((*lead, m)), np.ones(lead), np.zeros_like(w),
                           np.zeros_like(w), *(np.zeros(lead) for _ in range(5)),
                           np.full((*lead, line_search.TORCH_MAX_LS + 1), np.nan))  # fmt: skip


def lbfgs_torch_update(grad, w, state, t, hp):
    r"""torch.optim.LBFGS.step with max_iter = 1: g = ∇f(w); nothing where max|g| ≤ 1e-7;
    at its first iteration d = −g, else y = g − g_prev, s = t_prev d_prev, and where
    yᵀs > 1e-10 the pair is kept (H_diag = yᵀs / yᵀy), d = −H g (two loops);
    t = min(1, 1/‖g‖₁)·lr at the first iteration, else lr; w ← w + t d unless gᵀd > −1e-9"""
    lead, dim = w.shape[:-1], w.shape[-1]
    flat = w.reshape(-1, dim)
    n = len(flat)
    S, Y, rho = _pairs(state, n)
    H_diag = state.H_diag.reshape(n).copy()
    d, prev_g = state.d.reshape(n, dim).copy(), state.prev_g.reshape(n, dim).copy()
    t_prev = state.alpha.reshape(n)
    n_iter = state.n_iter.reshape(n).copy()
    g = grad(flat)
    searching = hp.line_search == "strong_wolfe"
    f = grad.f(flat) if searching else None  # (the closure's loss: the search starts there)
    active = np.max(np.abs(g), axis=1) > TOLERANCE_GRAD  # else: opt_cond, return at once
    n_iter[active] += 1
    first = np.flatnonzero(active & (n_iter == 1))
    later = np.flatnonzero(active & (n_iter > 1))
    if len(later):
        y = g[later] - prev_g[later]
        s = d[later] * t_prev[later, None]
        ys = np.sum(y * s, axis=1)
        keep = ys > 1e-10
        j = later[keep]
        _push(S, Y, rho, j, s[keep], y[keep], 1.0 / ys[keep])
        H_diag[j] = ys[keep] / np.sum(y[keep] * y[keep], axis=1)
        d[later] = -two_loop(g[later], S[later], Y[later], rho[later], H_diag[later])
    d[first] = -g[first]
    H_diag[first] = 1.0
    prev_g[active] = g[active]
    lr = np.broadcast_to(np.asarray(hp.lr, dtype=float).reshape(-1), (n,))
    step = t_prev.copy()
    step[later] = lr[later]
    with np.errstate(divide="ignore"):
        step[first] = np.minimum(1.0, 1.0 / np.sum(np.abs(g[first]), axis=1)) * lr[first]
    gtd = np.sum(g * d, axis=1)
    moves = active & ~(gtd > -TOLERANCE_CHANGE)
    evals = np.ones(n)  # the closure: f and ∇f at w
    trials = np.full((n, line_search.TORCH_MAX_LS + 1), np.nan)
    k = np.flatnonzero(moves)
    trials[k, 0] = step[k]  # (without a search: the one step it takes)
    if searching and len(k):  # torch's own strong Wolfe search from t along d
        step[k], _, _, ls_evals, trials[k] = line_search.torch_strong_wolfe(
            grad.f, grad, flat[k], d[k], step[k], f[k], g[k], gtd[k])
        evals[k] += ls_evals
    w_new = flat.copy()
    w_new[moves] = flat[moves] + step[moves, None] * d[moves]
    # torch keeps t as its state whether or not it moved (the next pair's s = t d)
    new = TorchLBFGSState(S, Y, rho, H_diag, d, prev_g, n_iter, step, evals, evals.copy(),
                          np.zeros(n), trials)  # fmt: skip
    return w_new.reshape(w.shape), with_lead(new, lead), g.reshape(w.shape)


CHEATSHEET = define(
    "lbfgs", "L-BFGS", 1989, "Nocedal (1980); Liu & Nocedal (1989); Nocedal & Wright (2006)",
    r"p_t = -H_t g_t:\ \text{two loops over } (s_i, y_i)_{i = t-m}^{t-1},"
    r"\ H^0_t = \frac{s_{t-1}^\top y_{t-1}}{y_{t-1}^\top y_{t-1}} I \\ "
    r"\alpha_t:\ \text{strong Wolfe along } p_t, \quad w_{t+1} = w_t + \alpha_t p_t \\ "
    r"s_t = w_{t+1} - w_t, \quad y_t = g_{t+1} - g_t\ \text{kept if } s_t^\top y_t > 0",
    {"memory": MEMORY, "c1": C1, "c2": C2}, LBFGSState, lbfgs_update,
    "BFGS without the matrix: it keeps the last m steps and gradient changes and applies "
    "their inverse-Hessian estimate to g with two loops (H₀ = γI, γ = sᵀy/yᵀy of the newest "
    "pair), so its memory is 2m vectors — what makes it train models with millions of "
    "weights. The strong Wolfe search (c₁ = 1e-4, c₂ = 0.9) chooses each step's length. "
    "In 2-D, m ≥ 2 already spans the plane.",
    init=lbfgs_init, init_reads_hp=True, look=("#BF812D", "star-diamond", "x"),
    check=line_search.check_wolfe,
)  # fmt: skip

PYTORCH = torch_form(
    CHEATSHEET, lbfgs_torch_update, TorchLBFGSState,
    {"lr": 1.0, "memory": TORCH_MEMORY, "line_search": "none"},
    r"d_t = -H_t g_t:\ \text{two loops over the last } m\ (s_i, y_i),\ "
    r"H^0_t = \frac{y^\top s}{y^\top y} I \\ "
    r"\tau_t = \alpha\ (\tau_1 = \min(1, 1/\lVert g_1 \rVert_1)\, \alpha), \quad "
    r"w_{t+1} = w_t + \tau_t d_t\ (\text{or } \tau_t \text{ by torch's strong Wolfe search})",
    "torch.optim.LBFGS(lr, history_size = m) with max_iter = 1, so that a step is one "
    "iteration. With line_search_fn = None: a fixed step of length α along −H g (the "
    "first one α·min(1, 1/‖g‖₁)); with strong_wolfe: torch's own search from there (cubic "
    "interpolation, up to 25 more evaluations; it never fails: at worst it stays). Pairs "
    "are kept where yᵀs > 1e-10; no step where max|g| ≤ 1e-7 or gᵀd > −1e-9 (torch's "
    "tolerances). torch's history_size defaults to 100.",
    init=torch_lbfgs_init, check=None,
)  # fmt: skip
