"""Plain-loop reference implementations of the cheat sheet, written independently of
optim_core: Python floats, one coordinate at a time, no NumPy in the update."""

from __future__ import annotations

import math

import numpy as np

from tests import reference_sf_prodigy_muon as recent
from tests import reference_sophia_shampoo_soap as curvature
from tests.reference_optax_rules import OPTAX_RULES, optax_rule_run, torch_adafactor_reference


def _div(a: float, b: float) -> float:
    # The core's documented convention: a zero denominator gives a zero step.
    return 0.0 if b == 0 else a / b


def _solve(h, g):
    """H⁻¹ g for a 2 × 2 matrix given as nested lists, by Cramer's rule."""
    (a, b), (c, d) = h
    det = a * d - b * c
    return [(d * g[0] - b * g[1]) / det, (a * g[1] - c * g[0]) / det]


def _saddle_free(h, g, damping):
    """(|H| + δI)⁻¹ g for a symmetric 2 × 2 H: Σ (vᵢ·g) vᵢ / (|λᵢ| + δ) over H's
    eigenpairs, found in closed form."""
    (a, b), (_, d) = h
    if b == 0:  # diagonal: the axes
        pairs = [(a, [1.0, 0.0]), (d, [0.0, 1.0])]
    else:
        mean, radius = (a + d) / 2, math.hypot((a - d) / 2, b)
        pairs = []
        for lam in (mean + radius, mean - radius):
            n = math.hypot(lam - d, b)
            pairs.append((lam, [(lam - d) / n, b / n]))
    out = [0.0, 0.0]
    for lam, v in pairs:
        k = (v[0] * g[0] + v[1] * g[1]) / (abs(lam) + damping)
        out = [out[0] + k * v[0], out[1] + k * v[1]]
    return out


def listed_residuals(surface):
    """``surface.residuals`` on lists, returning lists (None where it has none)."""
    if surface.residuals is None:
        return None

    def residuals(w):
        r, J = surface.residuals(np.array(w, dtype=float))
        return r.tolist(), J.tolist()

    return residuals


def skip_without_residuals(name, surface):
    """Skip a case whose optimizer cannot run on ``surface`` (Gauss–Newton, LM without
    residuals), saying why."""
    import pytest

    import optim_core

    reason = optim_core.unavailable(name, surface)
    if reason:
        pytest.skip(reason)


def reference_rtol(name: str) -> float:
    """How close a run must stay to its reference over 300 steps: 1e-9, or 1e-6 for
    the line-search methods, whose directions carry the last bits of each step's
    rounding (NumPy's sums against Python's, φ'(0) against scipy's dot) on (BFGS: through
    H), ~1e-7 on Rosenbrock before both converge."""
    if name == "prodigy":  # (its d amplifies the last bits: ~1e-8 where a coordinate
        return 1e-7  # crosses 0 on Rosenbrock; optax's and prodigyopt's own loops differ so)
    return 1e-6 if name in ("bfgs", "cg", "lbfgs") else 1e-9


def _wolfe(f, grad, w, p, g, fw, before, c2):
    """scipy's strong Wolfe line search along p (c₁ = 1e-4): ``(α, f(w + α p))``, or
    None where it fails, does not converge (10 doublings) or takes more than 20 values."""
    import warnings

    import scipy.optimize

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        alpha, fc, _, f_new, _, _ = scipy.optimize.line_search(
            lambda x: f(list(x)), lambda x: np.array(grad(list(x))), np.array(w),
            np.array(p), np.array(g), fw, before, c1=1e-4, c2=c2)
    if alpha is None or fc > 20 or any("did not converge" in str(c.message) for c in caught):
        return None
    return float(alpha), f_new


def bfgs_reference(f, grad, w, steps):
    """BFGS written out for one start: H₀ = I, p = −H g, α by scipy's strong Wolfe
    line search (scipy.optimize.line_search, c₁ = 1e-4, c₂ = 0.9, the previous value
    for its first guess, f₀ + ‖g₀‖/2 before the first step, as scipy's BFGS), then
    H ← (I − ρ s yᵀ) H (I − ρ y sᵀ) + ρ s sᵀ where sᵀy > 0. A failed search stays put
    (and so on). Returns the points [w_0, ..., w_steps]."""
    w = [float(w[0]), float(w[1])]
    H = [[1.0, 0.0], [0.0, 1.0]]
    g = grad(w)
    fw = f(w)
    before = fw + math.hypot(*g) / 2
    failed = False
    points = [list(w)]
    for _ in range(steps):
        p = [-(H[0][0] * g[0] + H[0][1] * g[1]), -(H[1][0] * g[0] + H[1][1] * g[1])]
        if failed or p == [0.0, 0.0]:
            points.append(list(w))
            continue
        found = _wolfe(f, grad, w, p, g, fw, before, 0.9)
        if found is None:
            failed = True
            points.append(list(w))
            continue
        alpha, f_new = found
        s = [alpha * p[0], alpha * p[1]]
        w_new = [w[0] + s[0], w[1] + s[1]]
        g_new = grad(w_new)
        y = [g_new[0] - g[0], g_new[1] - g[1]]
        sy = s[0] * y[0] + s[1] * y[1]
        if sy > 0:
            rho = 1.0 / sy
            A = [[(i == j) - rho * s[i] * y[j] for j in range(2)] for i in range(2)]
            B = [[(i == j) - rho * y[i] * s[j] for j in range(2)] for i in range(2)]
            AH = [[sum(A[i][k] * H[k][j] for k in range(2)) for j in range(2)] for i in range(2)]
            H = [[sum(AH[i][k] * B[k][j] for k in range(2)) + rho * s[i] * s[j]
                  for j in range(2)] for i in range(2)]  # fmt: skip
        before, fw, w, g = fw, f_new, w_new, g_new
        points.append(list(w))
    return points


def cg_reference(f, grad, w, steps, beta_rule="PR+"):
    """Polak–Ribière+ conjugate gradient written out for one start: β = max(0,
    gᵀ(g − g_prev)/g_prevᵀg_prev), p = −g + β p_prev (−g where that is not downhill),
    α by scipy's strong Wolfe line search with c₂ = 0.1 (the previous value for its
    first guess, f₀ + ‖g₀‖/2 before the first step). Returns [w_0, ..., w_steps]."""
    w = [float(w[0]), float(w[1])]
    g = grad(w)
    fw = f(w)
    before = fw + math.hypot(*g) / 2
    p, g_prev, failed = None, None, False
    points = [list(w)]
    for _ in range(steps):
        if p is None:
            p = [-g[0], -g[1]]
        else:
            denominator = g_prev[0] * g_prev[0] + g_prev[1] * g_prev[1]
            if beta_rule == "FR":  # Fletcher–Reeves
                beta = (g[0] * g[0] + g[1] * g[1]) / denominator if denominator else 0.0
            else:
                beta = ((g[0] * (g[0] - g_prev[0]) + g[1] * (g[1] - g_prev[1])) / denominator
                        if denominator else 0.0)  # fmt: skip
            beta = max(beta, 0.0) if math.isfinite(beta) else 0.0
            p = [-g[0] + beta * p[0], -g[1] + beta * p[1]]
            if g[0] * p[0] + g[1] * p[1] >= 0:
                p = [-g[0], -g[1]]
        if failed or p == [0.0, 0.0]:
            g_prev = g
            points.append(list(w))
            continue
        found = _wolfe(f, grad, w, p, g, fw, before, 0.1)
        if found is None:
            failed = True
            g_prev = g
            points.append(list(w))
            continue
        alpha, f_new = found
        w = [w[0] + alpha * p[0], w[1] + alpha * p[1]]
        before, fw, g_prev, g = fw, f_new, g, grad(w)
        points.append(list(w))
    return points


def _two_loop(g, pairs, gamma):
    """−H g by N&W's Algorithm 7.4 over ``pairs`` [(s, y, ρ)], oldest first, H₀ = γ I."""
    q = [g[0], g[1]]
    a = [0.0] * len(pairs)
    for i in range(len(pairs) - 1, -1, -1):
        s, y, rho = pairs[i]
        a[i] = rho * (s[0] * q[0] + s[1] * q[1])
        q = [q[0] - a[i] * y[0], q[1] - a[i] * y[1]]
    r = [gamma * q[0], gamma * q[1]]
    for i, (s, y, rho) in enumerate(pairs):
        b = rho * (y[0] * r[0] + y[1] * r[1])
        r = [r[0] + s[0] * (a[i] - b), r[1] + s[1] * (a[i] - b)]
    return [-r[0], -r[1]]


def lbfgs_reference(f, grad, w, steps, memory):
    """L-BFGS written out for one start (Nocedal & Wright, Algorithms 7.4 and 7.5): p by
    the two loops over the last ``memory`` pairs (H₀ = γ I, γ = sᵀy/yᵀy of the newest;
    I before one), α by scipy's strong Wolfe line search (c₂ = 0.9, the previous value
    for its first guess, f₀ + ‖g₀‖/2 before the first step), a pair kept where sᵀy > 0.
    Returns [w_0, ..., w_steps]."""
    w = [float(w[0]), float(w[1])]
    g, fw = grad(w), f(w)
    before = fw + math.hypot(*g) / 2
    pairs, gamma, failed = [], 1.0, False
    points = [list(w)]
    for _ in range(steps):
        p = _two_loop(g, pairs, gamma)
        if failed or p == [0.0, 0.0]:
            points.append(list(w))
            continue
        found = _wolfe(f, grad, w, p, g, fw, before, 0.9)
        if found is None:
            failed = True
            points.append(list(w))
            continue
        alpha, f_new = found
        s = [alpha * p[0], alpha * p[1]]
        w_new = [w[0] + s[0], w[1] + s[1]]
        g_new = grad(w_new)
        y = [g_new[0] - g[0], g_new[1] - g[1]]
        sy = s[0] * y[0] + s[1] * y[1]
        if sy > 0:
            pairs = (pairs + [(s, y, 1.0 / sy)])[-int(memory):]
            gamma = sy / (y[0] * y[0] + y[1] * y[1])
        before, fw, w, g = fw, f_new, w_new, g_new
        points.append(list(w))
    return points


def _torch_cubic(x1, f1, g1, x2, f2, g2, bounds=None):
    """torch's _cubic_interpolate (torch/optim/lbfgs.py), on floats."""
    if bounds is not None:
        xmin_bound, xmax_bound = bounds
    else:
        xmin_bound, xmax_bound = (x1, x2) if x1 <= x2 else (x2, x1)
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    d2_square = d1**2 - g1 * g2
    if d2_square >= 0:
        d2 = math.sqrt(d2_square)
        if x1 <= x2:
            min_pos = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
        else:
            min_pos = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
        return min(max(min_pos, xmin_bound), xmax_bound)
    return (xmin_bound + xmax_bound) / 2.0


def _torch_strong_wolfe(obj_func, t, d, f, g, gtd, c1=1e-4, c2=0.9, tolerance_change=1e-9,
                        max_ls=25):  # fmt: skip
    """torch's _strong_wolfe (torch/optim/lbfgs.py at 045a976c), on floats and lists:
    ``obj_func(t)`` gives (f, g) at x + t d. Returns (f_new, g_new, t, evaluations)."""
    def dot(a, b):  # (a tensor in torch: IEEE division by 0, no exception)
        return np.float64(a[0] * b[0] + a[1] * b[1])

    d_norm = max(abs(d[0]), abs(d[1]))
    t, f, gtd = np.float64(t), np.float64(f), np.float64(gtd)
    f_new, g_new = obj_func(t)
    ls_func_evals = 1
    gtd_new = dot(g_new, d)
    t_prev, f_prev, g_prev, gtd_prev = 0, f, g, gtd
    done = False
    ls_iter = 0
    while ls_iter < max_ls:
        if f_new > (f + c1 * t * gtd) or (ls_iter > 1 and f_new >= f_prev):
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new], [gtd_prev, gtd_new]
            break
        if abs(gtd_new) <= -c2 * gtd:
            bracket, bracket_f, bracket_g = [t], [f_new], [g_new]
            done = True
            break
        if gtd_new >= 0:
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new], [gtd_prev, gtd_new]
            break
        min_step = t + 0.01 * (t - t_prev)
        max_step = t * 10
        tmp = t
        t = _torch_cubic(t_prev, f_prev, gtd_prev, t, f_new, gtd_new, bounds=(min_step, max_step))
        t_prev, f_prev, g_prev, gtd_prev = tmp, f_new, g_new, gtd_new
        f_new, g_new = obj_func(t)
        ls_func_evals += 1
        gtd_new = dot(g_new, d)
        ls_iter += 1
    if ls_iter == max_ls:
        bracket, bracket_f, bracket_g = [0, t], [f, f_new], [g, g_new]
    insuf_progress = False
    low_pos, high_pos = (0, 1) if bracket_f[0] <= bracket_f[-1] else (1, 0)
    while not done and ls_iter < max_ls:
        if abs(bracket[1] - bracket[0]) * d_norm < tolerance_change:
            break
        t = _torch_cubic(bracket[0], bracket_f[0], bracket_gtd[0], bracket[1], bracket_f[1],
                         bracket_gtd[1])  # fmt: skip
        eps = 0.1 * (max(bracket) - min(bracket))
        if min(max(bracket) - t, t - min(bracket)) < eps:
            if insuf_progress or t >= max(bracket) or t <= min(bracket):
                t = (max(bracket) - eps if abs(t - max(bracket)) < abs(t - min(bracket))
                     else min(bracket) + eps)  # fmt: skip
                insuf_progress = False
            else:
                insuf_progress = True
        else:
            insuf_progress = False
        f_new, g_new = obj_func(t)
        ls_func_evals += 1
        gtd_new = dot(g_new, d)
        ls_iter += 1
        if f_new > (f + c1 * t * gtd) or f_new >= bracket_f[low_pos]:
            bracket[high_pos], bracket_f[high_pos] = t, f_new
            bracket_g[high_pos], bracket_gtd[high_pos] = g_new, gtd_new
            low_pos, high_pos = (0, 1) if bracket_f[0] <= bracket_f[1] else (1, 0)
        else:
            if abs(gtd_new) <= -c2 * gtd:
                done = True
            elif gtd_new * (bracket[high_pos] - bracket[low_pos]) >= 0:
                bracket[high_pos], bracket_f[high_pos] = bracket[low_pos], bracket_f[low_pos]
                bracket_g[high_pos] = bracket_g[low_pos]
                bracket_gtd[high_pos] = bracket_gtd[low_pos]
            bracket[low_pos], bracket_f[low_pos] = t, f_new
            bracket_g[low_pos], bracket_gtd[low_pos] = g_new, gtd_new
    t = bracket[low_pos]
    return bracket_f[low_pos], bracket_g[low_pos], t, ls_func_evals


def torch_lbfgs_reference(grad, w, steps, lr, memory, line_search="none", f=None):
    """torch.optim.LBFGS(lr, history_size=memory, max_iter=1, line_search_fn=None)
    transcribed from torch/optim/lbfgs.py (pytorch/pytorch at 045a976c): one .step() per
    step, plain floats. Returns [w_0, ..., w_steps]."""
    w = [float(w[0]), float(w[1])]
    state = {"n_iter": 0}
    points = [list(w)]
    for _ in range(steps):
        g = grad(w)  # orig_loss = closure(); flat_grad
        if max(abs(g[0]), abs(g[1])) <= 1e-7:  # opt_cond: return orig_loss
            points.append(list(w))
            continue
        d, t = state.get("d"), state.get("t")
        old_dirs, old_stps, ro = state.get("old_dirs"), state.get("old_stps"), state.get("ro")
        H_diag, prev_flat_grad = state.get("H_diag"), state.get("prev_flat_grad")
        state["n_iter"] += 1
        if state["n_iter"] == 1:
            d = [-g[0], -g[1]]
            old_dirs, old_stps, ro, H_diag = [], [], [], 1
        else:
            y = [g[0] - prev_flat_grad[0], g[1] - prev_flat_grad[1]]
            s = [d[0] * t, d[1] * t]
            ys = y[0] * s[0] + y[1] * s[1]
            if ys > 1e-10:
                if len(old_dirs) == memory:
                    old_dirs.pop(0)
                    old_stps.pop(0)
                    ro.pop(0)
                old_dirs.append(y)
                old_stps.append(s)
                ro.append(1.0 / ys)
                H_diag = ys / (y[0] * y[0] + y[1] * y[1])
            num_old = len(old_dirs)
            al = [None] * num_old
            q = [-g[0], -g[1]]
            for i in range(num_old - 1, -1, -1):
                al[i] = (old_stps[i][0] * q[0] + old_stps[i][1] * q[1]) * ro[i]
                q = [q[0] - al[i] * old_dirs[i][0], q[1] - al[i] * old_dirs[i][1]]
            r = [q[0] * H_diag, q[1] * H_diag]
            for i in range(num_old):
                be_i = (old_dirs[i][0] * r[0] + old_dirs[i][1] * r[1]) * ro[i]
                r = [r[0] + (al[i] - be_i) * old_stps[i][0], r[1] + (al[i] - be_i) * old_stps[i][1]]
            d = r
        prev_flat_grad = list(g)
        t = min(1.0, 1.0 / (abs(g[0]) + abs(g[1]))) * lr if state["n_iter"] == 1 else lr
        state.update(d=d, t=t, old_dirs=old_dirs, old_stps=old_stps, ro=ro, H_diag=H_diag,
                     prev_flat_grad=prev_flat_grad)  # fmt: skip
        gtd = g[0] * d[0] + g[1] * d[1]
        if not gtd > -1e-9:
            if line_search == "strong_wolfe":
                x = list(w)

                def obj_func(step, x=x, d=d):
                    point = [x[0] + step * d[0], x[1] + step * d[1]]
                    return f(point), grad(point)

                _, _, t, _ = _torch_strong_wolfe(obj_func, t, d, f(w), g, gtd)
                state["t"] = t
            w = [w[0] + t * d[0], w[1] + t * d[1]]
        points.append(list(w))
    return points


def _normal_equations(residuals, w):
    """JᵀJ (nested lists), Jᵀr and Σ r² at w, one sum at a time."""
    r, J = residuals(w)
    A = [[sum(J[k][i] * J[k][j] for k in range(len(r))) for j in range(2)] for i in range(2)]
    Jr = [sum(J[k][i] * r[k] for k in range(len(r))) for i in range(2)]
    return A, Jr, sum(rk * rk for rk in r)


def gauss_newton_reference(residuals, w, steps, lr):
    """Gauss–Newton written out: h = (JᵀJ)⁻¹ Jᵀr (Cramer's rule), w ← w − α h."""
    w = [float(w[0]), float(w[1])]
    points = [list(w)]
    for _ in range(steps):
        A, Jr, _ = _normal_equations(residuals, w)
        h = _solve(A, Jr)
        w = [w[0] - lr * h[0], w[1] - lr * h[1]]
        points.append(list(w))
    return points


def levenberg_marquardt_reference(residuals, w, steps, damping):
    """Levenberg–Marquardt with Nielsen's rule, written out from Madsen, Nielsen &
    Tingleff (2004), Algorithm 3.16, for f = Σ r² (so that g = 2Jᵀr and the model's
    decrease is hᵀ(λh − Jᵀr)): λ = λ₀, ν = 2; (JᵀJ + λI) h = −Jᵀr; ϱ > 0 takes the step
    and λ ← λ max(1/3, 1 − (2ϱ − 1)³), ν ← 2; else λ ← λν, ν ← 2ν."""
    w = [float(w[0]), float(w[1])]
    lam, nu = damping, 2.0
    points = [list(w)]
    for _ in range(steps):
        A, Jr, f = _normal_equations(residuals, w)
        step = _solve([[A[0][0] + lam, A[0][1]], [A[1][0], A[1][1] + lam]], Jr)
        h = [-step[0], -step[1]]
        r_new, _ = residuals([w[0] + h[0], w[1] + h[1]])
        f_new = sum(rk * rk for rk in r_new)
        predicted = h[0] * (lam * h[0] - Jr[0]) + h[1] * (lam * h[1] - Jr[1])
        gain = (f - f_new) / predicted if predicted else 0.0
        if not math.isfinite(gain):
            gain = 0.0
        if gain > 0:
            w = [w[0] + h[0], w[1] + h[1]]
            lam, nu = lam * max(1 / 3, 1 - (2 * gain - 1) ** 3), 2.0
        else:
            lam, nu = lam * nu, 2 * nu
        points.append(list(w))
    return points


def armijo_reference(f, grad, w, steps, lr, c1, shrink, beta1=None):
    """SGD (``beta1`` None) or the cheat sheet's momentum (m ← β₁m + (1 − β₁)g, along −m,
    or −g where gᵀm ≤ 0) with Armijo backtracking written out: α = α₀, ρα₀, … up to 20
    trials until f(w + αp) ≤ f(w) + c₁ α gᵀp; a search that finds none stays, and so on.
    Returns [w_0, ..., w_steps]."""
    w = [float(w[0]), float(w[1])]
    m = [0.0, 0.0]
    failed = False
    points = [list(w)]
    for _ in range(steps):
        if failed:
            points.append(list(w))
            continue
        g = grad(w)
        if beta1 is None:
            p = [-g[0], -g[1]]
        else:
            m = [beta1 * m[i] + (1 - beta1) * g[i] for i in range(2)]
            p = [-m[0], -m[1]] if g[0] * m[0] + g[1] * m[1] > 0 else [-g[0], -g[1]]
        slope = g[0] * p[0] + g[1] * p[1]
        if p == [0.0, 0.0] and slope == 0:
            points.append(list(w))
            continue
        fw, alpha, found = f(w), lr, False
        for _ in range(20):
            if slope >= 0:
                break
            if f([w[0] + alpha * p[0], w[1] + alpha * p[1]]) <= fw + c1 * alpha * slope:
                found = True
                break
            alpha *= shrink
        if not found:
            failed = True
            points.append(list(w))
            continue
        w = [w[0] + alpha * p[0], w[1] + alpha * p[1]]
        points.append(list(w))
    return points


def reference_run(name, grad, w, steps, lr=None, beta1=None, beta2=None, eps=None,
                  weight_decay=None, memory=None, damping=None, c1=None, c2=None, shrink=None,
                  beta_rule=None, line_search=None, hessian=None, f=None,
                  residuals=None, **more):  # fmt: skip
    """Return the list of points [w_0, ..., w_steps] as lists of two floats. (``more``:
    the later optimizers' hyperparameters, beta3 … ns_steps, None where unused.)

    ``grad`` maps a list [x, y] to a list [gx, gy]; ``hessian`` (Newton's methods) to
    [[hxx, hxy], [hyx, hyy]]; ``f`` (BFGS's line search) to a float; ``residuals``
    (Gauss–Newton, Levenberg–Marquardt) to ``(r, J)`` as lists.
    """
    if name in OPTAX_RULES:  # Lion … Adafactor (issue 24): optax's rules
        return optax_rule_run(name, grad, w, steps, lr=lr, beta1=beta1, beta2=beta2, eps=eps,
                              weight_decay=weight_decay, **more)  # fmt: skip
    if name in recent.NAMES:  # Schedule-Free SGD and AdamW, Prodigy, Muon
        return recent.recent_reference(name, grad, w, steps, lr=lr, beta1=beta1, beta2=beta2,
                                       eps=eps, weight_decay=weight_decay, **more)
    if name == "bfgs":
        return bfgs_reference(f, grad, w, steps)
    if name == "cg":
        return cg_reference(f, grad, w, steps, beta_rule)
    if name == "lbfgs":
        return lbfgs_reference(f, grad, w, steps, memory)
    if name == "sgd_armijo":
        return armijo_reference(f, grad, w, steps, lr, c1, shrink)
    if name == "momentum_armijo":
        return armijo_reference(f, grad, w, steps, lr, c1, shrink, beta1)
    if name == "gauss_newton":
        return gauss_newton_reference(residuals, w, steps, lr)
    if name == "levenberg_marquardt":
        return levenberg_marquardt_reference(residuals, w, steps, damping)
    if name in curvature.NAMES:
        return curvature.curvature_reference_run(name, grad, w, steps, lr=lr, beta1=beta1,
                                                 beta2=beta2, eps=eps,
                                                 weight_decay=weight_decay, hessian=hessian,
                                                 **more)  # fmt: skip
    w = [float(w[0]), float(w[1])]
    m = [0.0, 0.0]
    v = [0.0, 0.0]
    D = [0.0, 0.0]
    v_hat = [0.0, 0.0]
    points = [list(w)]
    for t in range(1, steps + 1):
        if name == "nag":
            g = grad([w[i] - lr * m[i] for i in range(2)])
        else:
            g = grad(w)
        if name in ("newton", "saddle_free_newton"):
            h = hessian(w)
            step = _solve(h, g) if name == "newton" else _saddle_free(h, g, eps)
            w = [w[0] - lr * step[0], w[1] - lr * step[1]]
            points.append(list(w))
            continue
        for i in range(2):
            if name == "sgd":
                w[i] = w[i] - lr * g[i]
            elif name in ("momentum", "nag"):
                m[i] = beta1 * m[i] + (1 - beta1) * g[i]
                w[i] = w[i] - lr * m[i]
            elif name == "adagrad":
                v[i] = v[i] + g[i] * g[i]
                w[i] = w[i] - lr * _div(g[i], math.sqrt(v[i] + eps))
            elif name == "rmsprop":
                v[i] = beta2 * v[i] + (1 - beta2) * (g[i] * g[i])
                w[i] = w[i] - lr * _div(g[i], math.sqrt(v[i] + eps))
            elif name == "adadelta":
                v[i] = beta2 * v[i] + (1 - beta2) * (g[i] * g[i])
                delta = -_div(math.sqrt(D[i] + eps), math.sqrt(v[i] + eps)) * g[i]
                w[i] = w[i] + delta
                D[i] = beta2 * D[i] + (1 - beta2) * (delta * delta)
            elif name == "radam":
                m[i] = beta1 * m[i] + (1 - beta1) * g[i]
                v[i] = beta2 * v[i] + (1 - beta2) * (g[i] * g[i])
                m_hat = m[i] / (1 - beta1**t)
                rho_inf = 2 / (1 - beta2) - 1
                rho = rho_inf - 2 * t * beta2**t / (1 - beta2**t)
                if rho > 4:
                    r = math.sqrt((rho - 4) * (rho - 2) * rho_inf
                                  / ((rho_inf - 4) * (rho_inf - 2) * rho))  # fmt: skip
                    w[i] = w[i] - lr * r * m_hat * _div(math.sqrt(1 - beta2**t), math.sqrt(v[i]))
                else:
                    w[i] = w[i] - lr * m_hat
            elif name == "adamw":
                m[i] = beta1 * m[i] + (1 - beta1) * g[i]
                v[i] = beta2 * v[i] + (1 - beta2) * (g[i] * g[i])
                m_hat, v_hat_i = m[i] / (1 - beta1**t), v[i] / (1 - beta2**t)
                w[i] = w[i] - lr * (_div(m_hat, math.sqrt(v_hat_i) + eps) + weight_decay * w[i])
            elif name in ("adam", "nadam", "amsgrad", "adamax"):
                m[i] = beta1 * m[i] + (1 - beta1) * g[i]
                if name == "adamax":
                    v[i] = max(beta2 * v[i], abs(g[i]))
                else:
                    v[i] = beta2 * v[i] + (1 - beta2) * (g[i] * g[i])
                m_hat = m[i] / (1 - beta1**t)
                if name == "adam":
                    v_hat_i = v[i] / (1 - beta2**t)
                    w[i] = w[i] - lr * _div(m_hat, math.sqrt(v_hat_i) + eps)
                elif name == "nadam":
                    v_hat_i = v[i] / (1 - beta2**t)
                    direction = beta1 * m_hat + (1 - beta1) / (1 - beta1**t) * g[i]
                    w[i] = w[i] - lr * _div(direction, math.sqrt(v_hat_i) + eps)
                elif name == "amsgrad":
                    v_hat[i] = max(v_hat[i], v[i])
                    w[i] = w[i] - lr * _div(m[i], math.sqrt(v_hat[i]) + eps)
                else:
                    w[i] = w[i] - lr * _div(m_hat, v[i])
            else:
                raise KeyError(name)
        points.append(list(w))
    return points


_TORCH_NAMES = ("sgd", "momentum", "nag", "adagrad", "rmsprop", "adadelta", "adam", "adamax",
                "nadam", "amsgrad", "radam", "adamw", "lbfgs")


def torch_reference_run(name, grad, w, steps, lr=None, beta1=None, beta2=None, eps=None,
                        weight_decay=None, memory=None, damping=None, c1=None, c2=None,
                        shrink=None, beta_rule=None, line_search=None, hessian=None, f=None,
                        residuals=None, **more):  # fmt: skip
    """torch.optim's documented algorithms (SGD, SGD with momentum and nesterov,
    Adagrad, RMSprop, Adadelta, Adam, Adamax, NAdam, Adam with amsgrad), other options
    at their defaults, transcribed from the pseudo-code of the torch.optim docs: plain
    floats, one coordinate at a time. Returns [w_0, ..., w_steps]."""
    w = [float(w[0]), float(w[1])]
    b = [0.0, 0.0]  # SGD's momentum buffer
    m = [0.0, 0.0]
    v = [0.0, 0.0]
    u = [0.0, 0.0]  # Adadelta's accumulated updates; Adamax's infinity norm
    v_max = [0.0, 0.0]
    psi = 0.004  # NAdam's momentum_decay
    mu_product = 1.0
    points = [list(w)]
    if name == "lbfgs":
        return torch_lbfgs_reference(grad, w, steps, lr, memory, line_search, f)
    if name == "adafactor":
        return torch_adafactor_reference(grad, w, steps, lr, eps,
                                         more["clip"], more["eps2"], more["decay"])
    if name in curvature.NAMES:  # not in torch.optim: the same rules
        return curvature.curvature_reference_run(name, grad, w, steps, lr=lr, beta1=beta1,
                                                 beta2=beta2, eps=eps,
                                                 weight_decay=weight_decay, hessian=hessian,
                                                 **more)  # fmt: skip
    if name in recent.NAMES:
        return recent.recent_reference(name, grad, w, steps, torch=True, lr=lr, beta1=beta1,
                                       beta2=beta2, eps=eps, weight_decay=weight_decay, **more)
    if name not in _TORCH_NAMES:  # not in torch.optim: the cheat sheet's rules
        return reference_run(name, grad, w, steps, lr=lr, beta1=beta1, beta2=beta2, eps=eps,
                             weight_decay=weight_decay, memory=memory, damping=damping,
                             c1=c1, c2=c2, shrink=shrink, beta_rule=beta_rule,
                             hessian=hessian, f=f, residuals=residuals, **more)  # fmt: skip
    for t in range(1, steps + 1):
        g = grad(w)
        if name == "nadam":
            mu_t = beta1 * (1 - 0.5 * 0.96 ** (t * psi))
            mu_next = beta1 * (1 - 0.5 * 0.96 ** ((t + 1) * psi))
            mu_product = mu_product * mu_t
        for i in range(2):
            if name == "sgd":
                w[i] = w[i] - lr * g[i]
            elif name in ("momentum", "nag"):
                # "if t > 1: b_t = μ b_{t-1} + (1 − τ) g_t else b_t = g_t", τ = 0
                b[i] = beta1 * b[i] + g[i] if t > 1 else g[i]
                step = g[i] + beta1 * b[i] if name == "nag" else b[i]
                w[i] = w[i] - lr * step
            elif name == "adagrad":
                v[i] = v[i] + g[i] * g[i]  # state_sum
                w[i] = w[i] - lr * g[i] / (math.sqrt(v[i]) + eps)
            elif name == "rmsprop":
                v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i]
                w[i] = w[i] - lr * g[i] / (math.sqrt(v[i]) + eps)
            elif name == "adadelta":
                v[i] = v[i] * beta2 + g[i] * g[i] * (1 - beta2)
                dx = math.sqrt(u[i] + eps) / math.sqrt(v[i] + eps) * g[i]
                u[i] = u[i] * beta2 + dx * dx * (1 - beta2)
                w[i] = w[i] - lr * dx
            elif name == "adamax":
                m[i] = beta1 * m[i] + (1 - beta1) * g[i]
                u[i] = max(beta2 * u[i], abs(g[i]) + eps)
                w[i] = w[i] - lr * m[i] / ((1 - beta1**t) * u[i])
            elif name == "nadam":
                m[i] = beta1 * m[i] + (1 - beta1) * g[i]
                v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i]
                m_hat = (mu_next * m[i] / (1 - mu_product * mu_next)
                         + (1 - mu_t) * g[i] / (1 - mu_product))  # fmt: skip
                v_hat = v[i] / (1 - beta2**t)
                w[i] = w[i] - lr * m_hat / (math.sqrt(v_hat) + eps)
            elif name == "radam":
                m[i] = beta1 * m[i] + (1 - beta1) * g[i]
                v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i]
                m_hat = m[i] / (1 - beta1**t)
                rho_inf = 2 / (1 - beta2) - 1
                rho_t = rho_inf - 2 * t * beta2**t / (1 - beta2**t)
                if rho_t > 5:
                    l_t = math.sqrt(1 - beta2**t) / (math.sqrt(v[i]) + eps)
                    r_t = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf
                                    / ((rho_inf - 4) * (rho_inf - 2) * rho_t))  # fmt: skip
                    w[i] = w[i] - lr * m_hat * r_t * l_t
                else:
                    w[i] = w[i] - lr * m_hat
            elif name == "adamw":
                w[i] = w[i] - lr * weight_decay * w[i]  # "θ_t ← θ_{t−1} − γλθ_{t−1}"
                m[i] = beta1 * m[i] + (1 - beta1) * g[i]
                v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i]
                m_hat, v_hat = m[i] / (1 - beta1**t), v[i] / (1 - beta2**t)
                w[i] = w[i] - lr * m_hat / (math.sqrt(v_hat) + eps)
            elif name in ("adam", "amsgrad"):
                m[i] = beta1 * m[i] + (1 - beta1) * g[i]
                v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i]
                m_hat = m[i] / (1 - beta1**t)
                if name == "amsgrad":
                    v_max[i] = max(v_max[i], v[i])
                    v_hat = v_max[i] / (1 - beta2**t)
                else:
                    v_hat = v[i] / (1 - beta2**t)
                w[i] = w[i] - lr * m_hat / (math.sqrt(v_hat) + eps)
            else:
                raise KeyError(name)
        points.append(list(w))
    return points
