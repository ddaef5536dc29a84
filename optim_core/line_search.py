r"""Line searches along a direction, one per start, all starts at once.

Both work on ``N`` points ``w`` ``(N, D)`` and directions ``p`` ``(N, D)``; along each,
φ(α) = f(w + α p) and φ'(α) = ∇f(w + α p)·p. A start's search stops when its step
length α is found; the others go on, masked; no Python loop runs over starts. Each
search is bounded: at most ``max_evals`` evaluations of f (default 20). A search that
does not find its α within them fails: ``ok`` is False there (the caller says so; it
never passes silently).

* :func:`armijo` — backtracking: α = α₀, ρα₀, ρ²α₀, … until the sufficient decrease
  φ(α) ≤ φ(0) + c₁ α φ'(0) holds.
* :func:`strong_wolfe` — the strong Wolfe conditions, φ(α) ≤ φ(0) + c₁ α φ'(0) and
  |φ'(α)| ≤ c₂ |φ'(0)|, by bracketing and zoom with cubic, then quadratic
  interpolation, then bisection (Nocedal & Wright, *Numerical Optimization*,
  Algorithms 3.5 and 3.6), step by step as ``scipy.optimize.line_search``
  (``scalar_search_wolfe2``) does them, so that both choose the same α.

The counts returned are those the serial algorithm needs: a gradient is counted only
where the algorithm reads φ'(α) (the vectorized code may compute more).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MAX_EVALS = 20
_BRACKET_ITERATIONS = 10  # scipy's scalar_search_wolfe2 default maxiter
_ZOOM_ITERATIONS = 10  # and its zoom's


@dataclass(frozen=True)
class Search:
    """The outcome of one line search per start: arrays ``(N,)`` (``g``: ``(N, D)``).

    ``alpha`` is the step length chosen (nan where the search failed), ``f`` and ``g``
    the value and gradient at ``w + alpha p`` (``g`` nan where it was not computed),
    ``f_evals`` and ``g_evals`` the evaluations it took, ``ok`` whether it found α,
    ``trials`` each α at which it evaluated f, in order (nan after its last)."""

    alpha: np.ndarray
    f: np.ndarray
    g: np.ndarray
    f_evals: np.ndarray
    g_evals: np.ndarray
    ok: np.ndarray
    trials: np.ndarray | None = None  # (N, max_evals): the α of each value of f taken, nan after


def check_constants(c1: float, c2: float | None = None, shrink: float | None = None,
                    max_evals: int = MAX_EVALS) -> None:  # fmt: skip
    """A ValueError naming the value and the valid range: 0 < c₁ < c₂ < 1 (c₁ < 1 for
    Armijo), 0 < shrink < 1, max_evals a whole number ≥ 1."""
    top = 1.0 if c2 is None else c2
    if not (isinstance(c1, (int, float)) and 0 < c1 < top):
        where = "0 < c1 < 1" if c2 is None else f"0 < c1 < c2 = {c2!r}"
        raise ValueError(f"c1 must satisfy {where}; got {c1!r}")
    if c2 is not None and not (isinstance(c2, (int, float)) and c1 < c2 < 1):
        raise ValueError(f"c2 must satisfy c1 = {c1!r} < c2 < 1; got {c2!r}")
    if shrink is not None and not (isinstance(shrink, (int, float)) and 0 < shrink < 1):
        raise ValueError(f"shrink must satisfy 0 < shrink < 1; got {shrink!r}")
    if isinstance(max_evals, bool) or not isinstance(max_evals, int) or max_evals < 1:
        raise ValueError(f"max_evals must be a whole number >= 1; got {max_evals!r}")


def check_wolfe(values) -> None:
    """An optimizer's ``check`` (``optim_core.methods``): its resolved c₁ < c₂."""
    check_constants(values["c1"], values["c2"])


def check_armijo(values) -> None:
    """An optimizer's ``check``: its resolved c₁ and shrink factor."""
    check_constants(values["c1"], shrink=values["shrink"])


def armijo(f, w, p, f0, slope0, alpha0=1.0, *, c1=1e-4, shrink=0.5,
           max_evals=MAX_EVALS) -> Search:  # fmt: skip
    """Backtracking from ``alpha0`` (a number or ``(N,)``) by ``shrink`` until
    φ(α) ≤ φ(0) + c₁ α φ'(0); ``f0`` = φ(0) and ``slope0`` = φ'(0) ``(N,)``. A
    direction that does not descend (φ'(0) ≥ 0) fails at once, unless it is 0 (a zero
    gradient: α₀ is taken, the point does not move)."""
    check_constants(c1, shrink=shrink, max_evals=max_evals)
    n = len(w)
    alpha = np.broadcast_to(np.asarray(alpha0, dtype=float), (n,)).copy()
    value = np.full(n, np.nan)
    evals = np.zeros(n, dtype=np.int64)
    trials = np.full((n, max_evals), np.nan)
    ok = np.zeros(n, dtype=bool)
    flat = (slope0 == 0) & np.all(p == 0, axis=1)
    ok[flat], value[flat] = True, f0[flat]
    active = np.flatnonzero(~flat & (slope0 < 0))
    with np.errstate(all="ignore"):
        for _ in range(max_evals):
            if not len(active):
                break
            trial = f(w[active] + alpha[active, None] * p[active])
            trials[active, evals[active]] = alpha[active]
            evals[active] += 1
            good = trial <= f0[active] + c1 * alpha[active] * slope0[active]
            done = active[good]
            ok[done], value[done] = True, trial[good]
            active = active[~good]
            alpha[active] *= shrink
    alpha[~ok] = np.nan
    return Search(alpha, value, np.full(w.shape, np.nan), evals, np.zeros(n, dtype=np.int64), ok,
                  trials)  # fmt: skip


def _cubicmin(a, fa, fpa, b, fb, c, fc):
    """scipy's _cubicmin, elementwise: the minimizer of the cubic through (a, fa),
    (b, fb), (c, fc) with slope fpa at a; nan where there is none."""
    with np.errstate(all="ignore"):
        C = fpa
        db, dc = b - a, c - a
        denom = (db * dc) ** 2 * (db - dc)
        u, v = fb - fa - C * db, fc - fa - C * dc
        A = (dc**2 * u - db**2 * v) / denom
        B = (-(dc**3) * u + db**3 * v) / denom
        radical = B * B - 3 * A * C
        xmin = a + (-B + np.sqrt(radical)) / (3 * A)
        bad = (denom == 0) | ~np.isfinite(denom) | (radical < 0) | (A == 0)
    return np.where(bad | ~np.isfinite(xmin), np.nan, xmin)


def _quadmin(a, fa, fpa, b, fb):
    """scipy's _quadmin, elementwise: the minimizer of the quadratic through (a, fa),
    (b, fb) with slope fpa at a; nan where there is none."""
    with np.errstate(all="ignore"):
        db = b - a
        B = (fb - fa - fpa * db) / (db * db)
        xmin = a - fpa / (2.0 * B)
        bad = (db == 0) | (B == 0)
    return np.where(bad | ~np.isfinite(xmin), np.nan, xmin)


def strong_wolfe(f, grad, w, p, f0, g0, old_f0=None, *, c1=1e-4, c2=0.9, amax=None,
                 max_evals=MAX_EVALS) -> Search:  # fmt: skip
    """A step length meeting the strong Wolfe conditions along each direction, as
    scipy's ``scalar_search_wolfe2``: the first trial α₁ = min(1, 2.02 (φ(0) −
    old_f0)/φ'(0)) when ``old_f0`` (the previous point's value, as scipy's BFGS passes
    it) is given (1 if that is negative), else 1; doubled while the bracket is not
    found; then zoom. ``f0`` ``(N,)`` and ``g0`` ``(N, D)``: f and ∇f at ``w``. A
    direction that does not descend fails at once."""
    check_constants(c1, c2, max_evals=max_evals)
    n = len(w)
    f0 = np.asarray(f0, dtype=float)
    dphi0 = np.sum(g0 * p, axis=1)
    alpha = np.full(n, np.nan)
    value, gradient = np.full(n, np.nan), np.full(w.shape, np.nan)
    f_evals, g_evals = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64)
    ok = np.zeros(n, dtype=bool)
    trials = np.full((n, max_evals), np.nan)
    with np.errstate(all="ignore"):
        a1 = np.ones(n)
        if old_f0 is not None:
            guess = np.minimum(1.0, 1.01 * 2 * (f0 - old_f0) / dphi0)
            a1 = np.where((dphi0 != 0) & np.isfinite(guess), guess, 1.0)
            a1 = np.where(a1 < 0, 1.0, a1)
        if amax is not None:
            a1 = np.minimum(a1, amax)
    # each start's search: 0 bracketing, 1 zooming, 2 found, 3 failed
    mode = np.where(dphi0 < 0, 0, 3)
    trial = a1.copy()  # the α each active start evaluates next
    # the bracketing phase (scipy's names)
    a0, phi_a0, dphi_a0, it = np.zeros(n), f0.copy(), dphi0.copy(), np.zeros(n, dtype=np.int64)
    # the zoom phase
    lo, hi, phi_lo, phi_hi, dphi_lo = (np.full(n, np.nan) for _ in range(5))
    a_rec, phi_rec, zi = np.zeros(n), f0.copy(), np.zeros(n, dtype=np.int64)

    def zoom_trial(k):
        """The next α of the starts ``k`` in zoom (scipy's _zoom, its top)."""
        d = hi[k] - lo[k]
        a, b = np.minimum(lo[k], hi[k]), np.maximum(lo[k], hi[k])
        cubic = _cubicmin(lo[k], phi_lo[k], dphi_lo[k], hi[k], phi_hi[k], a_rec[k], phi_rec[k])
        cchk = 0.2 * d
        use_quad = (zi[k] == 0) | np.isnan(cubic) | (cubic > b - cchk) | (cubic < a + cchk)
        quad = _quadmin(lo[k], phi_lo[k], dphi_lo[k], hi[k], phi_hi[k])
        qchk = 0.1 * d
        bisect = np.isnan(quad) | (quad > b - qchk) | (quad < a + qchk)
        return np.where(use_quad, np.where(bisect, lo[k] + 0.5 * d, quad), cubic)

    def start_zoom(k, new_lo, new_hi, new_phi_lo, new_phi_hi, new_dphi_lo):
        mode[k] = 1
        lo[k], hi[k], phi_lo[k], phi_hi[k], dphi_lo[k] = (
            new_lo, new_hi, new_phi_lo, new_phi_hi, new_dphi_lo)
        a_rec[k], phi_rec[k], zi[k] = 0.0, f0[k], 0
        trial[k] = zoom_trial(k)

    def found(k, a, phi, g):
        mode[k], ok[k] = 2, True
        alpha[k], value[k], gradient[k] = a, phi, g

    with np.errstate(all="ignore"):
        while True:
            active = np.flatnonzero(mode < 2)
            over = active[f_evals[active] >= max_evals]
            mode[over] = 3
            active = active[f_evals[active] < max_evals]
            if not len(active):
                break
            bad = (trial[active] == 0) | ~np.isfinite(trial[active])  # (scipy: rounding)
            mode[active[bad]] = 3
            active = active[~bad]
            if not len(active):
                break
            tried, was = trial[active].copy(), mode[active].copy()
            points = w[active] + tried[:, None] * p[active]
            phi = f(points)
            g = grad(points)
            dphi = np.sum(g * p[active], axis=1)
            trials[active, f_evals[active]] = tried
            f_evals[active] += 1
            # -------- bracketing (Algorithm 3.5)
            sel = was == 0
            k, a_, ph, dp, gk = active[sel], tried[sel], phi[sel], dphi[sel], g[sel]
            if len(k):
                high = (ph > f0[k] + c1 * a_ * dphi0[k]) | ((ph >= phi_a0[k]) & (it[k] > 0))
                z = k[high]
                if len(z):
                    start_zoom(z, a0[z], a_[high], phi_a0[z], ph[high], dphi_a0[z])
                rest = ~high
                k, a_, ph, dp, gk = k[rest], a_[rest], ph[rest], dp[rest], gk[rest]
                g_evals[k] += 1  # φ'(α₁) read
                wolfe = np.abs(dp) <= -c2 * dphi0[k]
                found(k[wolfe], a_[wolfe], ph[wolfe], gk[wolfe])
                turn = ~wolfe & (dp >= 0)
                z = k[turn]
                if len(z):
                    start_zoom(z, a_[turn], a0[z], ph[turn], phi_a0[z], dp[turn])
                on = ~wolfe & ~turn
                z, a_on, ph_on, dp_on = k[on], a_[on], ph[on], dp[on]
                it[z] += 1
                # no bracket after doubling 10 times: failed (scipy warns, and takes the
                # next α₁ unchecked)
                stop = it[z] >= _BRACKET_ITERATIONS
                mode[z[stop]] = 3
                z, a_on, ph_on, dp_on = z[~stop], a_on[~stop], ph_on[~stop], dp_on[~stop]
                a0[z], phi_a0[z], dphi_a0[z] = a_on, ph_on, dp_on
                trial[z] = 2 * a_on if amax is None else np.minimum(2 * a_on, amax)
            # -------- zoom (Algorithm 3.6), for the starts that were zooming this round
            sel = was == 1
            k, a_, ph, dp, gk = active[sel], tried[sel], phi[sel], dphi[sel], g[sel]
            if len(k):
                high = (ph > f0[k] + c1 * a_ * dphi0[k]) | (ph >= phi_lo[k])
                z = k[high]
                phi_rec[z], a_rec[z] = phi_hi[z], hi[z]
                hi[z], phi_hi[z] = a_[high], ph[high]
                rest = ~high
                z, ar, pr, dr, gr = k[rest], a_[rest], ph[rest], dp[rest], gk[rest]
                g_evals[z] += 1  # φ'(α_j) read
                wolfe = np.abs(dr) <= -c2 * dphi0[z]
                found(z[wolfe], ar[wolfe], pr[wolfe], gr[wolfe])
                z, ar, pr, dr = z[~wolfe], ar[~wolfe], pr[~wolfe], dr[~wolfe]
                flip = dr * (hi[z] - lo[z]) >= 0
                f1, f2 = z[flip], z[~flip]
                phi_rec[f1], a_rec[f1] = phi_hi[f1], hi[f1]
                hi[f1], phi_hi[f1] = lo[f1], phi_lo[f1]
                phi_rec[f2], a_rec[f2] = phi_lo[f2], lo[f2]
                lo[z], phi_lo[z], dphi_lo[z] = ar, pr, dr
                going = k[mode[k] == 1]
                zi[going] += 1
                mode[going[zi[going] > _ZOOM_ITERATIONS]] = 3  # scipy: no conforming α
                going = going[zi[going] <= _ZOOM_ITERATIONS]
                if len(going):
                    trial[going] = zoom_trial(going)
    return Search(alpha, value, gradient, f_evals, g_evals, ok, trials)



@dataclass(frozen=True)
class Step:
    """One step of a line-search method, per start (``(n,)``; ``g``: ``(n, D)``): the
    step length (0 where the start did not move), f and ∇f at the new point, the value
    before it (the next search's first guess), the evaluations taken, and ``failed`` (1
    from a failed search on)."""

    alpha: np.ndarray
    f: np.ndarray
    g: np.ndarray
    f_before: np.ndarray
    f_evals: np.ndarray
    g_evals: np.ndarray
    failed: np.ndarray
    trials: np.ndarray  # (n, MAX_EVALS): the α tried, in order (nan after the last)


def current_point(grad, w, state, t):
    """``(g, f, before, evals)`` at the points ``w`` ``(n, D)`` of a line-search method
    whose state keeps ``g``, ``f`` and ``f_before``: evaluated at the first step (one
    evaluation each of f and ∇f; ``before`` is then f + ‖g‖/2, scipy's, which makes the
    first trial 1.01/‖g‖), read from the state after it (none)."""
    n = len(w)
    if t == 1:
        g, f = grad(w), grad.f(w)
        return g, f, f + np.sqrt(np.sum(g * g, axis=1)) / 2, np.ones(n)
    dim = w.shape[-1]
    return state.g.reshape(n, dim), state.f.reshape(n), state.f_before.reshape(n), np.zeros(n)


def curvature_pairs(step: Step, p, g):
    """What a quasi-Newton update learns from a step (BFGS, L-BFGS): for the starts that
    moved, s = α p and y = ∇f(w + s) − g. Returns ``(j, s, y, sy, skipped)``: the starts
    j where the curvature condition sᵀy > 0 holds, their s, y and sᵀy, and ``skipped``
    ``(n,)``, 1 where a start moved with sᵀy ≤ 0 (its update is skipped)."""
    skipped = np.zeros(len(p))
    ok = np.flatnonzero(step.alpha > 0)
    s = step.alpha[ok, None] * p[ok]
    y = step.g[ok] - g[ok]
    sy = np.sum(s * y, axis=1)
    curved = sy > 0
    skipped[ok[~curved]] = 1.0
    return ok[curved], s[curved], y[curved], sy[curved], skipped


def step_along(grad, w, p, f, g, before, failed, *, c1=1e-4, c2=0.9) -> Step:
    """A strong Wolfe search along ``p`` ``(n, D)`` from each start ``w`` (value ``f``,
    gradient ``g``, the value before ``before`` for the first guess), for the starts
    that can move: not ``failed`` already, and ``p`` not 0 (a stationary point stays).
    ``grad.f`` is f. A start whose search fails stays, with ``failed`` set."""
    n = len(w)
    failed = failed.copy()
    alpha, f_new, g_new = np.zeros(n), f.copy(), g.copy()
    f_evals, g_evals = np.zeros(n), np.zeros(n)
    trials = np.full((n, MAX_EVALS), np.nan)
    k = np.flatnonzero((failed == 0) & np.any(p != 0, axis=1))
    if len(k):
        search = strong_wolfe(grad.f, grad, w[k], p[k], f[k], g[k], before[k], c1=c1, c2=c2)
        f_evals[k], g_evals[k], trials[k] = search.f_evals, search.g_evals, search.trials
        failed[k[~search.ok]] = 1.0
        ok = k[search.ok]
        alpha[ok] = search.alpha[search.ok]
        f_new[ok], g_new[ok] = search.f[search.ok], search.g[search.ok]
    return Step(alpha, f_new, g_new, np.where(alpha > 0, f, before), f_evals, g_evals, failed,
                trials)  # fmt: skip


def backtrack_along(f, w, p, f0, g, failed, alpha0, *, c1=1e-4, shrink=0.5) -> Step:
    """An Armijo backtracking search along ``p`` ``(n, D)`` from each start ``w`` (value
    ``f0``, gradient ``g``), from ``alpha0`` (a number or ``(n,)``), for the starts not
    ``failed`` already. A start whose search fails (not downhill, or no sufficient
    decrease within the evaluations) stays, with ``failed`` set; a zero direction
    stays without failing. ``g`` of the result is nan (backtracking reads no gradient)."""
    n = len(w)
    failed = failed.copy()
    alpha, f_new = np.zeros(n), f0.copy()
    f_evals = np.zeros(n)
    trials = np.full((n, MAX_EVALS), np.nan)
    k = np.flatnonzero(failed == 0)
    if len(k):
        first = np.broadcast_to(np.asarray(alpha0, dtype=float).reshape(-1), (n,))[k]
        slope = np.sum(g[k] * p[k], axis=1)
        search = armijo(f, w[k], p[k], f0[k], slope, first, c1=c1, shrink=shrink)
        f_evals[k], trials[k] = search.f_evals, search.trials
        failed[k[~search.ok]] = 1.0
        ok = k[search.ok]
        moved = ok[np.any(p[ok] != 0, axis=1)]
        alpha[moved] = search.alpha[search.ok][np.any(p[ok] != 0, axis=1)]
        f_new[ok] = search.f[search.ok]
    return Step(alpha, f_new, np.full(w.shape, np.nan), f0, f_evals, np.zeros(n), failed, trials)


# ---------------------------------------------------------------- torch's strong Wolfe
#
# torch.optim.LBFGS(line_search_fn="strong_wolfe") has a search of its own (torch's
# _strong_wolfe, ported from minFunc's lswolfe): the bracket grows by cubic
# interpolation within [t + 0.01(t − t_prev), 10t], the zoom interpolates cubically
# with a safeguard 0.1 of the bracket from its ends, it stops after max_ls = 25 more
# evaluations or when the bracket is shorter than 1e-9 / max|d|, and it never fails: it
# returns the lowest end of its bracket (t = 0 possible). Written here step by step as
# torch does it, all starts at once.

TORCH_MAX_LS = 25
TORCH_TOLERANCE_CHANGE = 1e-9


def _torch_cubic(x1, f1, g1, x2, f2, g2, lower=None, upper=None):
    """torch's _cubic_interpolate, elementwise (bounds: [lower, upper], else the two
    points' own interval)."""
    if lower is None:
        lower, upper = np.minimum(x1, x2), np.maximum(x1, x2)
    with np.errstate(all="ignore"):
        d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
        d2_square = d1**2 - g1 * g2
        d2 = np.sqrt(np.maximum(d2_square, 0.0))
        forward = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
        backward = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
        min_pos = np.where(x1 <= x2, forward, backward)
        # Python's min(max(a, lo), hi): a nan a stays nan (its comparisons are False)
        clipped = np.where(np.isnan(min_pos), min_pos,
                           np.minimum(np.maximum(min_pos, lower), upper))  # fmt: skip
    return np.where(d2_square >= 0, clipped, (lower + upper) / 2.0)


def torch_strong_wolfe(f, grad, w, d, t, f0, g0, gtd0, *, c1=1e-4, c2=0.9,
                       max_ls=TORCH_MAX_LS, tolerance_change=TORCH_TOLERANCE_CHANGE):  # fmt: skip
    """torch's ``_strong_wolfe`` along ``d`` ``(n, D)`` from each ``w`` (value ``f0``,
    gradient ``g0``, slope ``gtd0``), first trial ``t`` ``(n,)``: ``(t, f, g, evals,
    trials)``, the step length it returns, f and ∇f there, its evaluations (of f and ∇f
    together) and each t it tried ``(n, max_ls + 1)``, nan after the last."""
    n = len(w)
    d_norm = np.max(np.abs(d), axis=1)

    def evaluate(k, at):
        points = w[k] + at[:, None] * d[k]
        value, gradient = f(points), grad(points)
        return value, gradient, np.sum(gradient * d[k], axis=1)

    t = np.asarray(t, dtype=float).copy()
    everyone = np.arange(n)
    trials = np.full((n, max_ls + 1), np.nan)
    trials[:, 0] = t
    f_new, g_new, gtd_new = evaluate(everyone, t)
    evals = np.ones(n, dtype=np.int64)
    ls_iter = np.zeros(n, dtype=np.int64)
    t_prev, f_prev, g_prev, gtd_prev = np.zeros(n), f0.copy(), g0.copy(), gtd0.copy()
    phase = np.zeros(n, dtype=np.int64)  # 0 bracketing, 1 zooming, 2 finished
    done = np.zeros(n, dtype=bool)
    b = np.zeros((n, 2))  # the bracket's ends, their f, ∇f and slopes
    bf, bg, bgtd = np.zeros((n, 2)), np.zeros((n, 2, w.shape[-1])), np.zeros((n, 2))
    low = np.zeros(n, dtype=np.int64)
    insuf = np.zeros(n, dtype=bool)
    rows = np.arange(n)

    def bracket(k, ends, values, grads, slopes):
        b[k], bf[k], bg[k], bgtd[k] = ends, values, grads, slopes

    while True:
        trial = np.zeros(n, dtype=bool)
        # -------- the bracket phase: the conditions on the last trial
        k = np.flatnonzero((phase == 0) & (ls_iter >= max_ls))
        if len(k):  # out of iterations: the bracket [0, t]
            bracket(k, np.column_stack([np.zeros(len(k)), t[k]]),
                    np.column_stack([f0[k], f_new[k]]), np.stack([g0[k], g_new[k]], 1),
                    np.column_stack([gtd0[k], gtd_new[k]]))  # fmt: skip
            low[k] = np.where(bf[k, 0] <= bf[k, 1], 0, 1)
            phase[k] = 2
        k = np.flatnonzero(phase == 0)
        if len(k):
            high = (f_new[k] > f0[k] + c1 * t[k] * gtd0[k]) | ((ls_iter[k] > 1)
                                                             & (f_new[k] >= f_prev[k]))  # fmt: skip
            wolfe = ~high & (np.abs(gtd_new[k]) <= -c2 * gtd0[k])
            turn = ~high & ~wolfe & (gtd_new[k] >= 0)
            z = k[high | turn]
            bracket(z, np.column_stack([t_prev[z], t[z]]), np.column_stack([f_prev[z], f_new[z]]),
                    np.stack([g_prev[z], g_new[z]], 1),
                    np.column_stack([gtd_prev[z], gtd_new[z]]))  # fmt: skip
            low[z] = np.where(bf[z, 0] <= bf[z, 1], 0, 1)
            insuf[z] = False
            phase[z] = 1
            z = k[wolfe]  # the bracket [t]: found
            b[z, 0], bf[z, 0], bg[z, 0], bgtd[z, 0] = t[z], f_new[z], g_new[z], gtd_new[z]
            low[z], done[z], phase[z] = 0, True, 2
            z = k[~high & ~wolfe & ~turn]  # extrapolate: the next trial
            if len(z):
                step = t[z] - t_prev[z]
                nxt = _torch_cubic(t_prev[z], f_prev[z], gtd_prev[z], t[z], f_new[z], gtd_new[z],
                                   t[z] + 0.01 * step, t[z] * 10)  # fmt: skip
                t_prev[z], f_prev[z], g_prev[z], gtd_prev[z] = t[z], f_new[z], g_new[z], gtd_new[z]
                t[z] = nxt
                trial[z] = True
        # -------- the zoom phase: the next trial of those still zooming
        zooming = np.flatnonzero((phase == 1) & ~done)
        over = zooming[(ls_iter[zooming] >= max_ls)
                       | (np.abs(b[zooming, 1] - b[zooming, 0]) * d_norm[zooming]
                          < tolerance_change)]  # fmt: skip
        phase[over] = 2
        z = zooming[phase[zooming] == 1]
        if len(z):
            nxt = _torch_cubic(b[z, 0], bf[z, 0], bgtd[z, 0], b[z, 1], bf[z, 1], bgtd[z, 1])
            top, bottom = np.max(b[z], axis=1), np.min(b[z], axis=1)
            eps = 0.1 * (top - bottom)
            near = np.minimum(top - nxt, nxt - bottom) < eps
            move = near & (insuf[z] | (nxt >= top) | (nxt <= bottom))
            moved = np.where(np.abs(nxt - top) < np.abs(nxt - bottom), top - eps, bottom + eps)
            t[z] = np.where(move, moved, nxt)
            insuf[z] = near & ~move
            trial[z] = True
        k = np.flatnonzero(trial)
        if not len(k):
            break
        f_new[k], g_new[k], gtd_new[k] = evaluate(k, t[k])
        trials[k, evals[k]] = t[k]
        evals[k] += 1
        ls_iter[k] += 1
        # -------- the zoom phase: what the new trial tells
        z = k[phase[k] == 1]
        if len(z):
            lo_f = bf[z, low[z]]
            worse = (f_new[z] > f0[z] + c1 * t[z] * gtd0[z]) | (f_new[z] >= lo_f)
            hi_idx = 1 - low[z]
            w_ = z[worse]
            h_ = hi_idx[worse]
            b[w_, h_], bf[w_, h_] = t[w_], f_new[w_]
            bg[w_, h_], bgtd[w_, h_] = g_new[w_], gtd_new[w_]
            low[w_] = np.where(bf[w_, 0] <= bf[w_, 1], 0, 1)
            better, h_ = z[~worse], hi_idx[~worse]
            l_ = low[better]
            found = np.abs(gtd_new[better]) <= -c2 * gtd0[better]
            done[better[found]] = True
            swap = ~found & (gtd_new[better] * (b[better, h_] - b[better, l_]) >= 0)
            s_, sh, sl = better[swap], h_[swap], l_[swap]
            b[s_, sh], bf[s_, sh], bg[s_, sh], bgtd[s_, sh] = (
                b[s_, sl], bf[s_, sl], bg[s_, sl], bgtd[s_, sl])
            b[better, l_], bf[better, l_] = t[better], f_new[better]
            bg[better, l_], bgtd[better, l_] = g_new[better], gtd_new[better]
    return b[rows, low], bf[rows, low], bg[rows, low], evals, trials
