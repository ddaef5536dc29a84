"""Every optimizer against hand-worked first steps and an independent plain loop."""

from math import sqrt

import numpy as np
import pytest

import optim_core
import surfaces
from optim_core.optimizers import Hyperparams, safe_divide
from surfaces import Surface
from tests.reference import (
    listed_residuals,
    reference_rtol,
    reference_run,
    skip_without_residuals,
)


def _bowl() -> Surface:
    """f = x²/2 + 2y², so ∇f = (x, 4y): numbers easy to follow by hand."""

    def f(xy):
        xy = np.asarray(xy, dtype=float)
        return 0.5 * xy[..., 0] ** 2 + 2 * xy[..., 1] ** 2

    def grad(xy):
        xy = np.asarray(xy, dtype=float)
        out = np.empty(xy.shape)
        out[..., 0] = xy[..., 0]
        out[..., 1] = 4 * xy[..., 1]
        return out

    def hessian(xy):
        xy = np.asarray(xy, dtype=float)
        return np.broadcast_to(np.diag([1.0, 4.0]), (*xy.shape[:-1], 2, 2))

    def residuals(xy):  # f = r₁² + r₂², r = (x/√2, √2 y)
        xy = np.asarray(xy, dtype=float)
        r = np.stack([xy[..., 0] / np.sqrt(2), np.sqrt(2) * xy[..., 1]], -1)
        J = np.broadcast_to(np.diag([1 / np.sqrt(2), np.sqrt(2)]), (*xy.shape[:-1], 2, 2))
        return r, J

    return Surface(
        name="bowl", title="Bowl", latex=r"x^2/2 + 2y^2", f=f, grad=grad, hessian=hessian,
        domain=((-2.0, 2.0), (-2.0, 2.0)), minimizers=np.zeros((1, 2)), min_value=0.0,
        saddles=np.zeros((0, 2)), starts=np.array([[1.0, 1.0]]), residuals=residuals,
    )  # fmt: skip


BOWL = _bowl()
LR, B1, B2, EPS, WD, DAMPING = 0.1, 0.5, 0.5, 0.25, 0.2, 0.3


def _hand(name):
    """Points after steps 1 and 2 from (1, 1) on the bowl, worked out by hand."""
    if name == "sgd":  # g0 = (1, 4); g1 = (0.9, 2.4)
        return [(0.9, 0.6), (0.81, 0.36)]
    if name == "momentum":  # m1 = (0.5, 2); g1 = (0.95, 3.2); m2 = (0.725, 2.6)
        return [(0.95, 0.8), (0.8775, 0.54)]
    if name == "nag":  # look-ahead at step 2: (0.95, 0.8) - 0.1 (0.5, 2) = (0.9, 0.6)
        return [(0.95, 0.8), (0.88, 0.58)]  # g = (0.9, 2.4); m2 = (0.7, 2.2)
    if name == "adagrad":  # v1 = (1, 16)
        x1, y1 = 1 - 0.1 / sqrt(1.25), 1 - 0.4 / sqrt(16.25)
        gx, gy = x1, 4 * y1
        vx, vy = 1 + gx**2, 16 + gy**2
        return [(x1, y1), (x1 - 0.1 * gx / sqrt(vx + 0.25), y1 - 0.1 * gy / sqrt(vy + 0.25))]
    if name == "rmsprop":  # v1 = 0.5 g0² = (0.5, 8)
        x1, y1 = 1 - 0.1 / sqrt(0.75), 1 - 0.4 / sqrt(8.25)
        gx, gy = x1, 4 * y1
        vx, vy = 0.25 + 0.5 * gx**2, 4 + 0.5 * gy**2
        return [(x1, y1), (x1 - 0.1 * gx / sqrt(vx + 0.25), y1 - 0.1 * gy / sqrt(vy + 0.25))]
    if name == "adadelta":  # D0 = 0: Δw1 = -√0.25 / √(v1 + 0.25) g0 with v1 = (0.5, 8)
        dx, dy = -0.5 / sqrt(0.75) * 1, -0.5 / sqrt(8.25) * 4
        x1, y1 = 1 + dx, 1 + dy
        Dx, Dy = 0.5 * dx**2, 0.5 * dy**2
        gx, gy = x1, 4 * y1
        vx, vy = 0.25 + 0.5 * gx**2, 4 + 0.5 * gy**2
        dx2 = -sqrt(Dx + 0.25) / sqrt(vx + 0.25) * gx
        dy2 = -sqrt(Dy + 0.25) / sqrt(vy + 0.25) * gy
        return [(x1, y1), (x1 + dx2, y1 + dy2)]
    # The Adam family at t = 1: m̂1 = g0 and v̂1 = g0², so the step is about α sign(g0).
    if name == "adam":
        x1, y1 = 1 - 0.1 * 1 / (1 + 0.25), 1 - 0.1 * 4 / (4 + 0.25)
        gx, gy = x1, 4 * y1
        mx, my = 0.25 + 0.5 * gx, 1 + 0.5 * gy  # m1 = (0.5, 2)
        vx, vy = 0.25 + 0.5 * gx**2, 4 + 0.5 * gy**2  # v1 = (0.5, 8)
        return [(x1, y1), (x1 - 0.1 * (mx / 0.75) / (sqrt(vx / 0.75) + 0.25),
                           y1 - 0.1 * (my / 0.75) / (sqrt(vy / 0.75) + 0.25))]  # fmt: skip
    if name == "adamax":  # v1 = max(0, |g0|) = (1, 4): m̂1 / v1 = (1, 1)
        x1, y1 = 0.9, 0.9
        gx, gy = 0.9, 3.6
        mx, my = 0.25 + 0.5 * gx, 1 + 0.5 * gy
        vx, vy = max(0.5 * 1, gx), max(0.5 * 4, gy)  # (0.9, 3.6)
        return [(x1, y1), (x1 - 0.1 * (mx / 0.75) / vx, y1 - 0.1 * (my / 0.75) / vy)]
    if name == "nadam":  # step 1: β₁ m̂1 + (1-β₁)/(1-β₁) g0 = 0.5 g0 + g0 = 1.5 g0
        x1, y1 = 1 - 0.1 * 1.5 / (1 + 0.25), 1 - 0.1 * 6 / (4 + 0.25)
        gx, gy = x1, 4 * y1
        mx, my = 0.25 + 0.5 * gx, 1 + 0.5 * gy
        vx, vy = 0.25 + 0.5 * gx**2, 4 + 0.5 * gy**2
        dx = 0.5 * mx / 0.75 + 0.5 / 0.75 * gx
        dy = 0.5 * my / 0.75 + 0.5 / 0.75 * gy
        return [(x1, y1), (x1 - 0.1 * dx / (sqrt(vx / 0.75) + 0.25),
                           y1 - 0.1 * dy / (sqrt(vy / 0.75) + 0.25))]  # fmt: skip
    if name == "amsgrad":  # no bias correction: m1 = (0.5, 2), v̂1 = v1 = (0.5, 8)
        x1, y1 = 1 - 0.1 * 0.5 / (sqrt(0.5) + 0.25), 1 - 0.1 * 2 / (sqrt(8) + 0.25)
        gx, gy = x1, 4 * y1
        mx, my = 0.25 + 0.5 * gx, 1 + 0.5 * gy
        vx, vy = 0.25 + 0.5 * gx**2, 4 + 0.5 * gy**2
        vhx, vhy = max(0.5, vx), max(8, vy)
        return [(x1, y1), (x1 - 0.1 * mx / (sqrt(vhx) + 0.25),
                           y1 - 0.1 * my / (sqrt(vhy) + 0.25))]  # fmt: skip
    if name == "radam":  # β₂ 0.5: ρ∞ = 2/0.5 − 1 = 3 ≤ 4, never rectified: w ← w − α m̂
        return [(0.9, 0.6), (0.9 - 0.1 * 0.7 / 0.75, 0.6 - 0.1 * 2.2 / 0.75)]  # m2 (0.7, 2.2)
    if name == "adamw":  # Adam's step plus α λ w, λ = WD
        x1 = 1 - 0.1 * (1 / (1 + 0.25) + WD * 1)
        y1 = 1 - 0.1 * (4 / (4 + 0.25) + WD * 1)
        gx, gy = x1, 4 * y1
        mx, my = 0.25 + 0.5 * gx, 1 + 0.5 * gy
        vx, vy = 0.25 + 0.5 * gx**2, 4 + 0.5 * gy**2
        return [(x1, y1), (x1 - 0.1 * ((mx / 0.75) / (sqrt(vx / 0.75) + 0.25) + WD * x1),
                           y1 - 0.1 * ((my / 0.75) / (sqrt(vy / 0.75) + 0.25) + WD * y1))]
    if name == "newton":  # H = diag(1, 4): H⁻¹ g = (x, y), so w ← (1 − α) w
        return [(0.9, 0.9), (0.81, 0.81)]
    if name == "bfgs":  # H₀ = I: p₀ = −g₀ = −(1, 4); scipy's first trial 1.01/‖g₀‖
        a1 = 1.01 / sqrt(17)  # φ'(α) = 65α − 17: |φ'(a1)| ≤ 0.9·17 and Armijo hold
        x1, y1 = 1 - a1, 1 - 4 * a1
        s, y = (-a1, -4 * a1), (x1 - 1, 4 * y1 - 4)  # y = g₁ − g₀
        rho = 1 / (s[0] * y[0] + s[1] * y[1])
        A = [[(i == j) - rho * s[i] * y[j] for j in range(2)] for i in range(2)]
        H = [[sum(A[i][k] * A[j][k] for k in range(2)) + rho * s[i] * s[j] for j in range(2)]
             for i in range(2)]  # (I − ρsyᵀ) I (I − ρysᵀ) + ρssᵀ  # fmt: skip
        g1 = (x1, 4 * y1)
        p = (-(H[0][0] * g1[0] + H[0][1] * g1[1]), -(H[1][0] * g1[0] + H[1][1] * g1[1]))
        f0, f1 = 0.5 + 2, 0.5 * x1**2 + 2 * y1**2
        slope = g1[0] * p[0] + g1[1] * p[1]
        a2 = min(1.0, 1.01 * 2 * (f1 - f0) / slope)  # the first trial (it meets both)
        return [(x1, y1), (x1 + a2 * p[0], y1 + a2 * p[1])]
    if name == "lbfgs":  # step 1 as BFGS's; then one pair, H₀ = γ I, γ = sᵀy / yᵀy
        a1 = 1.01 / sqrt(17)
        x1, y1 = 1 - a1, 1 - 4 * a1
        s, y = (-a1, -4 * a1), (x1 - 1, 4 * y1 - 4)
        sy = s[0] * y[0] + s[1] * y[1]
        gamma, rho = sy / (y[0] ** 2 + y[1] ** 2), 1 / sy
        g1 = (x1, 4 * y1)
        a = rho * (s[0] * g1[0] + s[1] * g1[1])  # the two loops, written out
        q = (g1[0] - a * y[0], g1[1] - a * y[1])
        r = (gamma * q[0], gamma * q[1])
        b = rho * (y[0] * r[0] + y[1] * r[1])
        p = (-(r[0] + s[0] * (a - b)), -(r[1] + s[1] * (a - b)))
        f0, f1 = 2.5, 0.5 * x1**2 + 2 * y1**2
        a2 = min(1.0, 1.01 * 2 * (f1 - f0) / (g1[0] * p[0] + g1[1] * p[1]))
        return [(x1, y1), (x1 + a2 * p[0], y1 + a2 * p[1])]
    if name == "cg":  # step 1 as BFGS's (p₀ = −g₀, |φ'| ≤ 0.1·17 holds at 1.01/√17)
        a1 = 1.01 / sqrt(17)
        x1, y1 = 1 - a1, 1 - 4 * a1
        g1 = (x1, 4 * y1)
        beta = max(0.0, (g1[0] * (g1[0] - 1) + g1[1] * (g1[1] - 4)) / 17)  # (0 here)
        p = (-g1[0] - beta, -g1[1] - 4 * beta)
        f0, f1 = 2.5, 0.5 * x1**2 + 2 * y1**2
        a2 = min(1.0, 1.01 * 2 * (f1 - f0) / (g1[0] * p[0] + g1[1] * p[1]))  # meets both
        return [(x1, y1), (x1 + a2 * p[0], y1 + a2 * p[1])]
    if name == "gauss_newton":  # JᵀJ = diag(1/2, 2), Jᵀr = (x/2, 2y): the step is −w
        return [(0.9, 0.9), (0.81, 0.81)]  # w ← w − α w
    if name == "levenberg_marquardt":  # λ₀ = DAMPING; (JᵀJ + λI) h = −Jᵀr
        lam = DAMPING
        points, (x, y) = [], (1.0, 1.0)
        for _ in range(2):
            hx, hy = -(x / 2) / (0.5 + lam), -(2 * y) / (2 + lam)
            f0 = 0.5 * x**2 + 2 * y**2
            f1 = 0.5 * (x + hx) ** 2 + 2 * (y + hy) ** 2
            gain = (f0 - f1) / (hx * (lam * hx - x / 2) + hy * (lam * hy - 2 * y))
            assert gain > 0  # (a quadratic: the model is exact, ϱ = 1 − …, taken)
            x, y = x + hx, y + hy
            lam = lam * max(1 / 3, 1 - (2 * gain - 1) ** 3)
            points.append((x, y))
        return points
    if name == "sgd_armijo":  # α₀ = LR = 0.1: f(w − αg) ≤ f(w) − c₁α‖g‖² at once
        x1, y1 = 1 - 0.1 * 1, 1 - 0.1 * 4  # (f 2.5 → 0.405 + 0.72 = 1.125: accepted)
        return [(x1, y1), (x1 - 0.1 * x1, y1 - 0.1 * 4 * y1)]  # (1.125 → 0.6548: accepted)
    if name == "momentum_armijo":  # m = (1 − B1) g at first; α₀ = LR accepted both times
        mx, my = 0.5 * 1, 0.5 * 4
        x1, y1 = 1 - 0.1 * mx, 1 - 0.1 * my
        mx, my = 0.5 * mx + 0.5 * x1, 0.5 * my + 0.5 * 4 * y1
        return [(x1, y1), (x1 - 0.1 * mx, y1 - 0.1 * my)]
    if name == "saddle_free_newton":  # |H| + εI = diag(1.25, 4.25)
        x1, y1 = 1 - 0.1 * 1 / 1.25, 1 - 0.1 * 4 / 4.25
        return [(x1, y1), (x1 - 0.1 * x1 / 1.25, y1 - 0.1 * 4 * y1 / 4.25)]
    if name == "lion":  # c = (0.5, 2), then (0.69, 2.76): sign (1, 1) both times
        x1 = 1 - 0.1 * (1 + WD * 1)  # 0.88: each coordinate steps α (1 + λw)
        return [(x1, x1), (x1 - 0.1 * (1 + WD * x1),) * 2]
    if name == "adan":  # Δ₁ = 0: m̂₁ = g₀, v̂₁ = 0, n̂₁ = g₀² (β₃ = 0.99 by default)
        b3 = 0.99
        x1 = 1 - 0.1 * (1 / (sqrt(1 + 1e-8) + EPS) + WD)
        y1 = 1 - 0.1 * (4 / (sqrt(16 + 1e-8) + EPS) + WD)
        out = [(x1, y1)]
        g0, g1, w1 = (1.0, 4.0), (x1, 4 * y1), (x1, y1)
        step2 = []
        for i in range(2):
            d = g1[i] - g0[i]
            m = 0.25 * g0[i] + 0.5 * g1[i]  # β₁ (1 − β₁) g₀ + (1 − β₁) g₁
            v = 0.5 * d
            n = b3 * (1 - b3) * g0[i] ** 2 + (1 - b3) * (g1[i] + 0.5 * d) ** 2
            u = (m / 0.75 + 0.5 * v / 0.75) / (sqrt(n / (1 - b3**2) + 1e-8) + EPS)
            step2.append(w1[i] - 0.1 * (u + WD * w1[i]))
        return out + [tuple(step2)]
    if name == "ademamix":  # m̂₁ = g₀, v̂₁ = g₀², m_slow = (1 − β₃) g₀ (β₃ = 0.9999, a = 5)
        b3, a = 0.9999, 5.0
        x1 = 1 - 0.1 * ((1 + a * (1 - b3) * 1) / (1 + EPS) + WD)
        y1 = 1 - 0.1 * ((4 + a * (1 - b3) * 4) / (4 + EPS) + WD)
        g0, g1, w1 = (1.0, 4.0), (x1, 4 * y1), (x1, y1)
        step2 = []
        for i in range(2):
            m_hat = (0.25 * g0[i] + 0.5 * g1[i]) / 0.75
            slow = b3 * (1 - b3) * g0[i] + (1 - b3) * g1[i]
            v_hat = (0.25 * g0[i] ** 2 + 0.5 * g1[i] ** 2) / 0.75
            step2.append(w1[i] - 0.1 * ((m_hat + a * slow) / (sqrt(v_hat) + EPS) + WD * w1[i]))
        return [(x1, y1), tuple(step2)]
    if name == "adopt":  # step 1 only sets v = g₀² (clip ±0); step 2: g₀ / √v = (1, 1)
        return [(1.0, 1.0), (1 - 0.1 * 0.5, 1 - 0.1 * 0.5)]  # m = (1 − β₁)·1
    if name == "lamb":  # u = m̂/(√v̂ + ε) + λw; the step is α ‖w‖ along u
        def lamb_step(w, u):
            r = sqrt(w[0] ** 2 + w[1] ** 2) / sqrt(u[0] ** 2 + u[1] ** 2)
            return (w[0] - 0.1 * r * u[0], w[1] - 0.1 * r * u[1])

        w1 = lamb_step((1.0, 1.0), (1 / 1.25 + WD, 4 / 4.25 + WD))
        g0, g1 = (1.0, 4.0), (w1[0], 4 * w1[1])
        u = [(0.25 * g0[i] + 0.5 * g1[i]) / 0.75
             / (sqrt((0.25 * g0[i] ** 2 + 0.5 * g1[i] ** 2) / 0.75) + EPS) + WD * w1[i]
             for i in range(2)]  # fmt: skip
        return [w1, lamb_step(w1, u)]
    if name == "adafactor":  # ε₁ = EPS; d = 1, ε₂ = 1e-3, c = 0.8; RMS(w₀) = 1
        v = (1 + EPS, 16 + EPS)  # β̂₁ = 0: v = g₀² + ε₁
        u = (1 / sqrt(v[0]), 4 / sqrt(v[1]))  # RMS(u) ≈ 0.94 < d: not clipped
        w1 = (1 - 0.1 * u[0], 1 - 0.1 * u[1])
        beta = 1 - 2**-0.8
        g1 = (w1[0], 4 * w1[1])
        v = tuple(beta * v[i] + (1 - beta) * (g1[i] ** 2 + EPS) for i in range(2))
        u = (g1[0] / sqrt(v[0]), g1[1] / sqrt(v[1]))
        clip = max(1.0, sqrt((u[0] ** 2 + u[1] ** 2) / 2))
        scale = sqrt((w1[0] ** 2 + w1[1] ** 2) / 2)
        return [w1, (w1[0] - 0.1 * u[0] / clip * scale, w1[1] - 0.1 * u[1] / clip * scale)]
    if name == "sophia":  # h₀ = 0: max(γ·0, ε) = ε = 0.25, m̂/ε ≥ 4 clipped to ρ = 1
        x1 = 1 - 0.1 * (1 + WD * 1)  # m̂1 = g0 = (1, 4); u = (1, 1); h1 = 0.5·(1, 4)
        # g1 = (0.88, 3.52); m2 = (0.69, 2.76), m̂2 = m2/0.75; γh1 = (0.005, 0.02) < ε:
        # clipped again
        return [(x1, x1), (x1 - 0.1 * (1 + WD * x1), x1 - 0.1 * (1 + WD * x1))]
    if name == "shampoo":  # (g gᵀ + εI)^(−1/2) g = g / √(‖g‖² + ε) at step 1
        x1, y1 = 1 - 0.1 / sqrt(17.25), 1 - 0.4 / sqrt(17.25)
        g1 = np.array([x1, 4 * y1])  # step 2: H = εI + g0g0ᵀ + g1g1ᵀ, by its eigenpairs
        lam, vec = np.linalg.eigh(0.25 * np.eye(2) + np.outer([1, 4], [1, 4]) + np.outer(g1, g1))
        step = vec @ ((vec.T @ g1) / np.sqrt(lam))
        return [(x1, y1), (x1 - 0.1 * step[0], y1 - 0.1 * step[1])]
    if name == "soap":  # step 1 only builds G = 0.5 g0g0ᵀ, Q = (ĝ0, ĝ0⊥): w ← w − αλw
        x1 = 1 - 0.1 * WD
        # g1 = 0.98 g0 lies along ĝ0: g' = (0.98√17, 0), m = 0.5 g', v = 0.5 g'²; the
        # bias correction at s = 1 is √0.5 / 0.5 = √2
        size = sqrt(2) * 0.49 * sqrt(17) / (0.98 * sqrt(17) * sqrt(0.5) + 0.25)
        ux, uy = size / sqrt(17), 4 * size / sqrt(17)
        return [(x1, x1), (x1 - 0.1 * (ux + WD * x1), x1 - 0.1 * (uy + WD * x1))]
    return _hand_2024(name)


def _hand_2024(name):
    """The first two steps of the optimizers of 2024 (same bowl, start and values)."""
    if name == "sf_sgd":  # c₁ = 1 (x = z), c₂ = α²/(α² + α²) = 1/2; gradients at y, + λ y
        z1 = (1 - 0.1 * (1 + WD), 1 - 0.1 * (4 + WD))  # (0.88, 0.58) = x1 = y1
        z2 = (z1[0] - 0.1 * (z1[0] + WD * z1[0]), z1[1] - 0.1 * (4 * z1[1] + WD * z1[1]))
        return [z1, (0.5 * z1[0] + 0.5 * z2[0], 0.5 * z1[1] + 0.5 * z2[1])]
    if name == "sf_adamw":  # γₜ = α √(1 − β₂ᵗ); c₂ = γ₂² / (γ₁² + γ₂²) = 0.75 / 1.25
        g1, v1 = (1, 4), (0.5, 8)
        z1 = tuple(1 - 0.1 * sqrt(0.5) * (g1[i] / (sqrt(v1[i]) + 0.25) + WD) for i in range(2))
        g2 = (z1[0], 4 * z1[1])  # y1 = x1 = z1
        v2 = tuple(0.5 * v1[i] + 0.5 * g2[i] ** 2 for i in range(2))
        z2 = tuple(z1[i] - 0.1 * sqrt(0.75) * (g2[i] / (sqrt(v2[i]) + 0.25) + WD * z1[i])
                   for i in range(2))  # fmt: skip
        return [z1, tuple(0.4 * z1[i] + 0.6 * z2[i] for i in range(2))]
    if name == "prodigy":  # d = d₀ = 1e-6 at step 1
        d, b3 = 1e-6, sqrt(0.999)
        dlr1 = d * 0.1 * sqrt(0.5) / 0.5
        # dm = (1 − β₁) d g, dv = (1 − β₂) d² g²: d cancels in dm / (√dv + d ε); and
        # w₀ − w₁ = 0 at step 1: r = 0, the estimate stays d₀
        w1 = tuple(1 - WD * dlr1 - dlr1 * 0.5 * g / (sqrt(0.5) * g + 0.25) for g in (1, 4))
        g2 = (w1[0], 4 * w1[1])
        dlr2 = d * 0.1 * sqrt(0.75) / 0.75
        r = dlr2 * (g2[0] * (1 - w1[0]) + g2[1] * (1 - w1[1]))  # (d/d₀ = 1)
        s = [b3 * dlr1 * g + dlr2 * g2[i] for i, g in enumerate((1, 4))]
        d2 = max(d, r / (abs(s[0]) + abs(s[1])))
        dm = [0.5 * 0.5 * d * g + 0.5 * d * g2[i] for i, g in enumerate((1, 4))]
        dv = [0.25 * d * d * g * g + 0.5 * d * d * g2[i] ** 2 for i, g in enumerate((1, 4))]
        w2 = tuple(w1[i] - WD * dlr2 * w1[i] - dlr2 * dm[i] / (sqrt(dv[i]) + d2 * 0.25)
                   for i in range(2))  # fmt: skip
        return [w1, w2]
    if name == "muon":  # Newton–Schulz on a 1 × 2 matrix only maps the norm: σ ↦ p(σ)

        def step(w, u):
            norm = sqrt(u[0] ** 2 + u[1] ** 2)
            sigma = norm / (norm + EPS)  # X₀ = u / (‖u‖ + ε)
            for _ in range(5):
                sigma = 3.4445 * sigma - 4.7750 * sigma**3 + 2.0315 * sigma**5
            return tuple(w[i] * (1 - 0.1 * WD) - 0.1 * sigma * u[i] / norm for i in range(2))

        m1 = (0.5, 2.0)  # (1 − β₁) g₁
        w1 = step((1.0, 1.0), (0.75, 3.0))  # u = β₁ m + (1 − β₁) g
        g2 = (w1[0], 4 * w1[1])
        m2 = (0.5 * m1[0] + 0.5 * g2[0], 0.5 * m1[1] + 0.5 * g2[1])
        return [w1, step(w1, (0.5 * m2[0] + 0.5 * g2[0], 0.5 * m2[1] + 0.5 * g2[1]))]
    raise KeyError(name)


def _given(name, **values):
    """Only the hyperparameters the optimizer takes."""
    used = optim_core.get_optimizer(name).hyperparams
    return {k: v for k, v in values.items() if k in used}


ALL = optim_core.optimizer_names()


def test_the_ten_of_the_cheat_sheet_and_four_more():
    assert ALL == ["sgd", "momentum", "nag", "adagrad", "rmsprop", "adadelta",
                   "adam", "adamax", "nadam", "amsgrad",
                   "radam", "adamw", "newton", "saddle_free_newton", "bfgs", "lbfgs",
                   "cg", "gauss_newton", "levenberg_marquardt", "sgd_armijo",
                   "momentum_armijo", "lion", "adan", "ademamix", "adopt", "lamb",
                   "adafactor", "sophia", "shampoo", "soap", "sf_sgd", "sf_adamw", "prodigy",
                   "muon"]  # fmt: skip


@pytest.mark.parametrize("name", ALL)
def test_first_two_steps_by_hand(name):
    traj = optim_core.run(name, BOWL, [1.0, 1.0], 2, **_given(
        name, lr=LR, beta1=B1, beta2=B2, eps=EPS, weight_decay=WD, damping=DAMPING))  # fmt: skip
    np.testing.assert_allclose(traj.path[1:], _hand(name), rtol=1e-14, atol=1e-15)


@pytest.mark.parametrize(
    ("name", "defaults"),
    [
        ("sgd", {"lr": 0.01}),
        ("momentum", {"lr": 0.01, "beta1": 0.9}),
        ("nag", {"lr": 0.01, "beta1": 0.9}),
        ("adagrad", {"lr": 0.01, "eps": 1e-7}),
        ("rmsprop", {"lr": 0.001, "beta2": 0.9, "eps": 1e-6}),
        ("adadelta", {"beta2": 0.95, "eps": 1e-6}),
        ("adam", {"lr": 0.001, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}),
        ("adamax", {"lr": 0.002, "beta1": 0.9, "beta2": 0.999}),
        ("nadam", {"lr": 0.002, "beta1": 0.9, "beta2": 0.999, "eps": 1e-7}),
        ("amsgrad", {"lr": 0.001, "beta1": 0.9, "beta2": 0.999, "eps": 1e-7}),
    ],
)
def test_cheat_sheet_defaults_and_metadata(name, defaults):
    opt = optim_core.get_optimizer(name)
    assert dict(opt.defaults) == defaults
    assert set(opt.hyperparams) == set(defaults)
    assert opt.title and opt.citation and 1950 < opt.year < 2020
    assert r"w_{t+1}" in opt.latex
    traj = optim_core.run(name, "rosenbrock", [-1.5, 2.0], 3)
    assert traj.hyperparams == defaults


def _reference_points(name, surface, start, steps, **hp):
    def grad(w):
        return surface.grad(np.array(w, dtype=float)).tolist()

    def hessian(w):
        return surface.hessian(np.array(w, dtype=float)).tolist()

    def f(w):
        return float(surface.f(np.array(w, dtype=float)))

    opt = optim_core.get_optimizer(name)
    resolved = {k: hp.get(k, opt.defaults.get(k)) for k in optim_core.HYPERPARAMETERS}
    return np.array(reference_run(name, grad, start, steps, hessian=hessian, f=f,
                                  residuals=listed_residuals(surface), **resolved))  # fmt: skip


CASES = [
    ("rosenbrock", {}, [-1.5, 2.0], {"lr": 1e-3}),
    ("beale", {}, [1.0, 1.5], {}),
    ("himmelblau", {}, [0.5, -0.5], {}),
    ("saddle", {}, [-1.5, 1e-3], {}),
    ("ravine", {}, None, {}),
    ("rastrigin", {}, [2.3, -1.7], {"lr": 1e-3}),
]


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize(("surface_name", "params", "start", "hp"), CASES)
def test_matches_plain_loop_for_hundreds_of_steps(name, surface_name, params, start, hp):
    surface = surfaces.get(surface_name, **params)
    skip_without_residuals(name, surface)
    start = surface.default_start if start is None else start
    hp = _given(name, **hp)
    if name == "prodigy":  # (α scales its own estimate d: at 1e-3, d barely starts to grow)
        hp.pop("lr", None)
    traj = optim_core.run(name, surface, start, 300, **hp)
    expected = _reference_points(name, surface, start, 300, **hp)
    # the reference does not freeze, and far outside the view rounding differences grow
    # (a run there is a blow-up or a stall): compare up to the first step out of the box
    expected = expected[: _first_out_of_box(surface, traj.path)]
    rtol = reference_rtol(name)
    np.testing.assert_allclose(traj.path[: len(expected)], expected, rtol=rtol, atol=1e-12)
    # and the run actually moved: a no-op optimizer would fail here
    assert not np.allclose(traj.path[-1], traj.path[0])


@pytest.mark.parametrize("name", ALL)
def test_state_is_recorded_step_by_step(name):
    opt = optim_core.get_optimizer(name)
    traj = optim_core.run(name, BOWL, [1.0, 1.0], 5)
    assert set(traj.state) == set(opt.state_fields)
    # zeros (BFGS's H: the identity; Schedule-Free's z and y, Prodigy's w₀: the start)
    initial = opt.init(np.ones(2))._asdict()
    for key, arr in traj.state.items():
        assert arr.shape == (6, *initial[key].shape)
        np.testing.assert_array_equal(arr[0], initial[key])
    # the recorded m reproduces the EMA of the recorded gradients (Lion's decays by β₂;
    # ADOPT's averages clipped, normalised gradients)
    if "m" in traj.state and name != "adopt":
        b1 = traj.hyperparams["beta2" if name == "lion" else "beta1"]
        m = np.zeros(2)
        for k in range(5):
            m = b1 * m + (1 - b1) * traj.grads[k]
            np.testing.assert_allclose(traj.state["m"][k + 1], m, rtol=1e-15)


def test_nag_gradient_is_taken_at_the_look_ahead_point():
    traj = optim_core.run("nag", BOWL, [1.0, 1.0], 2, lr=LR, beta1=B1)
    ahead = traj.path[1] - LR * traj.state["m"][1]
    np.testing.assert_allclose(traj.grads[1], BOWL.grad(ahead))
    assert not np.allclose(traj.grads[1], BOWL.grad(traj.path[1]))


def test_zero_denominator_gives_a_zero_step_not_nan():
    # At the saddle point the gradient is 0: AdaMax's v stays 0, and with ε = 0 so does
    # every adaptive denominator. The documented convention is a zero step. (Adadelta
    # refuses ε = 0: it would never move anywhere.)
    for name in ("adamax", "adagrad", "rmsprop", "adam", "nadam", "amsgrad"):
        hp = _given(name, eps=0.0)
        traj = optim_core.run(name, "saddle", [0.0, 0.0], 10, **hp)
        np.testing.assert_array_equal(traj.path, 0.0)
        assert traj.diverged_step == -1
    np.testing.assert_array_equal(safe_divide(np.array([1.0, 0.0]), np.array([2.0, 0.0])),
                                  [0.5, 0.0])  # fmt: skip


def _with_hessian(surface):
    """The surface's gradient function, carrying its Hessian (as the runner gives it)."""

    def grad(xy):
        return surface.grad(xy)

    grad.hessian = surface.hessian
    grad.f = surface.f
    grad.residuals = surface.residuals
    return grad


def test_updates_do_not_mutate_their_inputs():
    for name in ALL:
        opt = optim_core.get_optimizer(name)
        w = np.array([[0.3, -0.2]])
        state = opt.init(w)
        hp = Hyperparams(**{k: v for k, v in opt.defaults.items()})
        w_copy, state_copy = w.copy(), [s.copy() for s in state]
        opt.update(_with_hessian(BOWL), w, state, 1, hp)
        np.testing.assert_array_equal(w, w_copy)
        for s, s0 in zip(state, state_copy, strict=True):
            np.testing.assert_array_equal(s, s0)


# ---------------------------------------------------------------- the in-place forms


def _run_both(opt, surface, w, hp, steps=25):
    """Step the readable update and the in-place one side by side from the same state."""
    from optim_core.runner import _grad_into

    grad_into = _grad_into(surface)
    with np.errstate(all="ignore"):  # Beale overflows from some starts: equal inf/nan too
        _step_both(opt, surface, grad_into, w, hp, steps)


def _step_both(opt, surface, grad_into, w, hp, steps):
    from optim_core.optimizers import Buffers

    state_a = state_b = opt.init_state(w, hp)
    w_a = w_b = w.copy()
    for t in range(1, steps + 1):
        w_a, state_a, g_a = opt.update(_with_hessian(surface), w_a, state_a, t, hp)
        out = Buffers(np.empty_like(w), opt.init_state(w, hp), np.empty_like(w), np.empty_like(w),
                      np.empty_like(w))  # fmt: skip
        before = (w_b.copy(), [s.copy() for s in state_b])
        opt.update_into(grad_into, w_b, state_b, t, hp, out)
        np.testing.assert_array_equal(w_b, before[0])  # inputs untouched
        for s, s0 in zip(state_b, before[1], strict=True):
            np.testing.assert_array_equal(s, s0)
        w_b, state_b = out.w, out.state
        np.testing.assert_array_equal(w_b, w_a)  # bit for bit
        np.testing.assert_array_equal(out.g, g_a)
        for s_a, s_b in zip(state_a, state_b, strict=True):
            np.testing.assert_array_equal(s_b, s_a)


@pytest.mark.parametrize("name", optim_core.optimizer_names())
@pytest.mark.parametrize("surface", ["rosenbrock", "himmelblau", "beale", "saddle"])
def test_in_place_update_equals_the_readable_rule_bit_for_bit(name, surface):
    opt = optim_core.get_optimizer(name)
    surf = surfaces.get(surface)
    skip_without_residuals(name, surf)
    w = np.random.default_rng(3).uniform(-1.5, 1.5, size=(64, 2))
    _run_both(opt, surf, w, Hyperparams(**{k: v for k, v in opt.defaults.items()}))
    # per-start hyperparameters (a sweep) and ε = 0 (the safe division)
    values = {}
    for h in opt.hyperparams:
        if h == "memory":  # (it sizes the state: one value for a whole batch)
            values[h] = 3.0
            continue
        if h in ("c1", "c2", "shrink", *optim_core.CHOICES):  # (one for a whole batch)
            values[h] = opt.defaults[h]
            continue
        if h == "every":  # whole numbers: 1 … 10, each start its own
            values[h] = (np.arange(64) % 10 + 1.0).reshape(-1, 1)
            continue
        if h in ("warmup", "ns_steps"):  # whole numbers, each start its own
            low, high = {"warmup": (0, 20), "ns_steps": (1, 8)}[h]
            values[h] = np.round(np.linspace(low, high, 64)).reshape(-1, 1)
            continue
        values[h] = np.linspace(*{"lr": (1e-3, 0.05), "beta1": (0.0, 0.95),
                                  "beta2": (0.5, 0.999), "eps": (0.0, 1e-6),
                                  "weight_decay": (0.0, 0.1), "damping": (1e-4, 1.0),
                                  "beta3": (0.9, 0.9999), "mix": (0.0, 8.0),
                                  "clip": (0.05, 2.0), "eps2": (0.0, 1e-2),
                                  "decay": (0.5, 1.0), "lr_power": (0.0, 4.0),
                                  "d0": (1e-8, 1e-4)}[h],
                                64).reshape(-1, 1)  # fmt: skip
    _run_both(opt, surf, w, Hyperparams(**values))
    if "eps" in opt.hyperparams:
        zero = Hyperparams(**{**opt.defaults, "eps": 0.0})
        _run_both(opt, surf, np.vstack([w, np.zeros((1, 2))]), zero)


@pytest.mark.parametrize("name", [n for n in surfaces.names()
                                  if surfaces.get(n).grad_into is not None])  # fmt: skip
def test_in_place_gradients_equal_the_gradient_bit_for_bit(name):
    surf = surfaces.get(name)
    (x0, x1), (y0, y1) = surf.domain
    rng = np.random.default_rng(4)
    points = np.column_stack([rng.uniform(x0, x1, 500), rng.uniform(y0, y1, 500)])
    out = np.empty_like(points)
    surf.grad_into(points, out)
    np.testing.assert_array_equal(out, surf.grad(points))
    one = np.empty(2)
    surf.grad_into(points[7], one)
    np.testing.assert_array_equal(one, surf.grad(points[7]))


def test_the_convention_notes_tell_the_step_lengths_they_claim():
    # A steady gradient: a far start on a quadratic bowl, a tiny α.
    start, lr = (5.0, 0.0), 1e-9
    ams = optim_core.run("amsgrad", "quadratic", start, 20, lr=lr)
    lengths = np.hypot(*np.diff(ams.path, axis=0).T) / lr
    assert round(float(lengths[0]), 1) == 3.2 and round(float(lengths.max()), 1) == 6.6
    assert int(np.argmax(lengths)) + 1 == 12
    assert "3.2 α at step 1" in optim_core.get_optimizer("amsgrad").note
    adam = optim_core.run("adam", "quadratic", start, 20, lr=lr)
    assert np.allclose(np.hypot(*np.diff(adam.path, axis=0).T) / lr, 1.0, rtol=1e-3)
    # EMA momentum's steps settle at SGD's length, not 1/(1 − β) of it
    mom = optim_core.run("momentum", "quadratic", start, 200, lr=lr)
    sgd = optim_core.run("sgd", "quadratic", start, 200, lr=lr)
    ratio = np.hypot(*np.diff(mom.path, axis=0).T)[-1] / np.hypot(*np.diff(sgd.path, axis=0).T)[-1]
    assert abs(ratio - 1) < 1e-3


# ---------------------------------------------------------------- Newton's methods


def test_newton_with_alpha_one_lands_on_a_quadratics_minimum_in_one_step():
    for start in ([3.0, -2.0], [-4.5, 4.9], [0.1, 0.0]):
        traj = optim_core.run("newton", "quadratic", start, 1)
        np.testing.assert_allclose(traj.path[1], [0.0, 0.0], atol=1e-12)
        assert traj.converged_step == 1


def test_newton_is_pulled_into_the_saddle_and_saddle_free_newton_escapes_it():
    start = [-1.5, 1e-3]
    newton = optim_core.run("newton", "saddle", start, 50)
    free = optim_core.run("saddle_free_newton", "saddle", start, 50)
    np.testing.assert_allclose(newton.path[1], [0.0, 0.0], atol=1e-15)  # one step: the saddle
    np.testing.assert_allclose(newton.path[-1], [0.0, 0.0], atol=1e-15)  # and it stays
    radius = optim_core.escape_radius(surfaces.get("saddle"))
    visit_n = optim_core.saddle_visit(surfaces.get("saddle"), newton.path, radius)
    visit_f = optim_core.saddle_visit(surfaces.get("saddle"), free.path, radius)
    assert visit_n.came_near and visit_n.escape_step < 0  # still at the saddle
    assert visit_f.escape_step > 0  # |y| doubles every step (|H| = 2I, damped by ε)
    y = np.abs(free.path[1:8, 1])
    np.testing.assert_allclose(y[1:] / y[:-1], 1 + 2 / (2 + 1e-3), rtol=1e-9)


def test_a_singular_hessian_is_a_visible_stop_not_a_crash():
    # the monkey saddle's Hessian is 0 at the origin: Newton's step there is 0/0
    traj = optim_core.run("newton", "monkey_saddle", [0.0, 0.0], 10)
    assert traj.diverged_step == 1 and np.all(np.isfinite(traj.path))


def _first_out_of_box(surface, path) -> int:
    """The first step of ``path`` outside the divergence box (its length if none)."""
    low, high = optim_core.divergence_box(surface)
    out = np.flatnonzero(~np.all((path >= low) & (path <= high), axis=1))
    return int(out[0]) if len(out) else len(path)


# ---------------------------------------------------------------- the optimizers of 2023–2026


def test_every_lion_step_is_one_of_eight_moves():
    traj = optim_core.run("lion", "rosenbrock", [-1.5, 2.0], 300, lr=0.01, weight_decay=0.0)
    moves = np.diff(traj.path, axis=0) / 0.01
    np.testing.assert_allclose(moves, np.round(moves), atol=1e-9)
    kinds = {tuple(m) for m in np.round(moves).astype(int)}
    assert kinds <= {(i, j) for i in (-1, 0, 1) for j in (-1, 0, 1)} - {(0, 0)}
    assert len(kinds) >= 3  # not one direction all the way


def test_lambs_step_is_alpha_times_the_distance_from_the_origin():
    traj = optim_core.run("lamb", "rosenbrock", [-1.5, 2.0], 100, lr=0.01)
    lengths = np.linalg.norm(np.diff(traj.path, axis=0), axis=1)
    np.testing.assert_allclose(lengths, 0.01 * np.linalg.norm(traj.path[:-1], axis=1),
                               rtol=1e-12)  # fmt: skip
    # the same bowl, centred elsewhere: the same start relative to it, another path
    near = optim_core.run("lamb", "quadratic", [0.5, 0.5], 30, lr=0.05)
    far = optim_core.run("lamb", "quadratic", [4.5, 4.5], 30, lr=0.05)
    assert np.linalg.norm(far.path[1] - far.path[0]) > 8 * np.linalg.norm(
        near.path[1] - near.path[0])


def test_adopts_first_step_only_measures_the_gradient():
    traj = optim_core.run("adopt", "beale", [1.0, 1.5], 3)
    np.testing.assert_array_equal(traj.path[1], traj.path[0])
    np.testing.assert_array_equal(traj.state["v"][1], traj.grads[0] ** 2)
    assert not np.array_equal(traj.path[2], traj.path[1])


def test_adafactors_step_is_relative_and_clipped_and_its_two_conventions_nearly_agree():
    # at t = 1 the decay is 0: u = g / √(g² + ε₁) = ±1 per coordinate, RMS 1 = d, not clipped
    traj = optim_core.run("adafactor", "beale", [1.0, 1.5], 300)
    rms_w = np.sqrt(np.mean(np.square([1.0, 1.5])))
    np.testing.assert_allclose(traj.path[1] - traj.path[0],
                               -0.01 * rms_w * np.sign(traj.grads[0]), rtol=1e-12)  # fmt: skip
    torch = optim_core.run("adafactor", "beale", [1.0, 1.5], 300, convention="pytorch")
    np.testing.assert_allclose(torch.path, traj.path, rtol=1e-9)  # ε₁ hardly matters here
    big = optim_core.run("adafactor", "beale", [1.0, 1.5], 300, eps=0.5)
    big_t = optim_core.run("adafactor", "beale", [1.0, 1.5], 300, eps=0.5, convention="pytorch")
    assert not np.allclose(big.path, big_t.path)  # added to g², or a floor under v
    with pytest.raises(ValueError, match=r"clip \(Adafactor's clipping threshold d\) must be "
                                         r">= 1; got 0\.5"):  # fmt: skip
        optim_core.run("adafactor", "beale", [1.0, 1.5], 3, clip=0.5)
