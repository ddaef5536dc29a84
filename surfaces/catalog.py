r"""The analytic surfaces: each defined once, with its derivatives and what is known of it.

Every ``f`` / ``grad`` / ``hessian`` takes points shaped ``(..., 2)``. Gradients fill
a preallocated array coordinate by coordinate (``np.stack`` costs more than the
arithmetic for one point, and the optimizer loop calls ``grad`` every step), and use
only elementwise operations, so a point gives the same bits alone or in a batch.
"""

from __future__ import annotations

import math
import threading

import numpy as np

from .base import Surface

TAU = 2 * np.pi


def _xy(xy):
    xy = np.asarray(xy, dtype=float)
    return xy, xy[..., 0], xy[..., 1]


def _pair(xy, gx, gy):
    out = np.empty(np.shape(xy))
    out[..., 0] = gx
    out[..., 1] = gy
    return out


def _matrix(xx, xy_, yy, shape):
    out = np.empty((*shape, 2, 2))
    out[..., 0, 0] = xx
    out[..., 0, 1] = xy_
    out[..., 1, 0] = xy_
    out[..., 1, 1] = yy
    return out


_SCRATCH = threading.local()  # per thread: the page runs sessions in threads


def _scratch(shape: tuple, count: int) -> list[np.ndarray]:
    """``count`` scratch arrays of ``shape`` for in-place gradients, kept per thread."""
    arrays = getattr(_SCRATCH, "arrays", {})
    _SCRATCH.arrays = arrays
    key = (shape, count)
    if key not in arrays:
        arrays[key] = [np.empty(shape) for _ in range(count)]
    return arrays[key]


def _jacobian(rows) -> np.ndarray:
    """``(..., M, 2)`` from M rows of (∂rₖ/∂x, ∂rₖ/∂y), each array shaped like x."""
    return np.stack([np.stack(row, -1) for row in rows], -2)


def _points(*rows) -> np.ndarray:
    return np.array(rows, dtype=float).reshape(-1, 2)


# ---------------------------------------------------------------- Rosenbrock


def rosenbrock(a: float = 1.0, b: float = 100.0) -> Surface:
    r"""f(x, y) = (a − x)² + b (y − x²)²; minimum 0 at (a, a²), at the end of a
    curved, flat-bottomed valley along y = x²."""

    def f(xy):
        _, x, y = _xy(xy)
        return (a - x) ** 2 + b * (y - x * x) ** 2

    def grad(xy):
        xy, x, y = _xy(xy)
        valley = y - x * x
        return _pair(xy, -2 * (a - x) - 4 * b * x * valley, 2 * b * valley)

    def grad_into(xy, out):
        # grad's operations in its order, into out (its x and y columns)
        x, y, gx, gy = xy[..., 0], xy[..., 1], out[..., 0], out[..., 1]
        valley, term = _scratch(x.shape, 2)
        np.multiply(x, x, out=valley)
        np.subtract(y, valley, out=valley)
        np.subtract(a, x, out=gx)
        np.multiply(gx, -2, out=gx)
        np.multiply(x, 4 * b, out=term)
        np.multiply(term, valley, out=term)
        np.subtract(gx, term, out=gx)
        np.multiply(valley, 2 * b, out=gy)

    def hessian(xy):
        xy, x, y = _xy(xy)
        return _matrix(2 - 4 * b * y + 12 * b * x * x, -4 * b * x, 2 * b + 0 * x, x.shape)

    # The classic box, widened where a moves the minimizer out of it.
    x_low, x_high = min(-2.0, a - 1), max(2.0, a + 1)
    y_low, y_high = min(-1.0, a * a - 1), max(3.0, a * a + 1)
    def residuals(xy):
        # f = r₁² + r₂²: r = (a − x, √b (y − x²))
        xy, x, y = _xy(xy)
        root_b = np.sqrt(b)
        r = np.stack([a - x, root_b * (y - x * x)], -1)
        J = _jacobian([(-1.0 + 0 * x, 0 * x), (-2 * root_b * x, root_b + 0 * x)])
        return r, J

    return Surface(
        name="rosenbrock",
        title="Rosenbrock",
        latex=rf"f(x, y) = ({a:g} - x)^2 + {b:g}\,(y - x^2)^2",
        f=f,
        grad=grad,
        hessian=hessian,
        domain=((x_low, x_high), (y_low, y_high)),
        minimizers=_points(a, a * a),
        min_value=0.0,
        saddles=_points(),
        starts=_points((-1.5, 2.0), (-1.2, 1.0), (0.5, -0.5)),
        log_scale=True,
        description="A curved, nearly flat valley: finding it is easy, following it is slow.",
        citation="Rosenbrock (1960)",
        params={"a": a, "b": b},
        grad_into=grad_into,
        residuals=residuals,
    )


# ---------------------------------------------------------------- Beale

_BEALE_C = (1.5, 2.25, 2.625)


def beale() -> Surface:
    r"""f = (1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²; minimum 0 at
    (3, 0.5); a saddle at (0, 1) (Hessian eigenvalues ±27.75)."""

    def terms(x, y):
        y2 = y * y
        y3 = y2 * y
        r = (1.5 - x + x * y, 2.25 - x + x * y2, 2.625 - x + x * y3)
        dx = (y - 1, y2 - 1, y3 - 1)
        dy = (x, 2 * x * y, 3 * x * y2)
        return r, dx, dy

    def f(xy):
        _, x, y = _xy(xy)
        r, _, _ = terms(x, y)
        return r[0] * r[0] + r[1] * r[1] + r[2] * r[2]

    def grad(xy):
        xy, x, y = _xy(xy)
        r, dx, dy = terms(x, y)
        gx = 2 * (r[0] * dx[0] + r[1] * dx[1] + r[2] * dx[2])
        gy = 2 * (r[0] * dy[0] + r[1] * dy[1] + r[2] * dy[2])
        return _pair(xy, gx, gy)

    def hessian(xy):
        xy, x, y = _xy(xy)
        r, dx, dy = terms(x, y)
        # second derivatives of the residuals: r_xx = 0, r_xy = i y^(i-1), r_yy = i(i-1) x y^(i-2)
        rxy = (1.0 + 0 * y, 2 * y, 3 * y * y)
        ryy = (0 * x, 2 * x, 6 * x * y)
        hxx = 2 * sum(dx[i] * dx[i] for i in range(3))
        hxy = 2 * sum(dx[i] * dy[i] + r[i] * rxy[i] for i in range(3))
        hyy = 2 * sum(dy[i] * dy[i] + r[i] * ryy[i] for i in range(3))
        return _matrix(hxx, hxy, hyy, x.shape)

    def residuals(xy):
        # f = r₁² + r₂² + r₃², rᵢ = cᵢ − x + x yⁱ
        xy, x, y = _xy(xy)
        r, dx, dy = terms(x, y)
        return np.stack(r, -1), _jacobian(list(zip(dx, dy, strict=True)))

    return Surface(
        name="beale",
        title="Beale",
        latex=r"f(x, y) = (1.5 - x + xy)^2 \\ + (2.25 - x + xy^2)^2 \\ + (2.625 - x + xy^3)^2",
        f=f,
        grad=grad,
        hessian=hessian,
        domain=((-4.5, 4.5), (-4.5, 4.5)),
        minimizers=_points(3.0, 0.5),
        min_value=0.0,
        # Newton-refined; (0, 1) has Hessian eigenvalues ±27.75
        saddles=_points((0.0, 1.0), (0.10053793732415836, -2.6445135850231249)),
        starts=_points((1.0, 1.4), (-1.0, 1.5), (2.0, -2.0)),
        log_scale=True,
        description="Sharp ridges and flat plateaus around a minimum at (3, 0.5); "
        "saddles at (0, 1) and (0.10, −2.64).",
        citation="Beale (1958)",
        residuals=residuals,
    )


# ---------------------------------------------------------------- saddles


def saddle() -> Surface:
    r"""f = x² − y²: a saddle at the origin, unbounded below along y."""

    def f(xy):
        _, x, y = _xy(xy)
        return x * x - y * y

    def grad(xy):
        xy, x, y = _xy(xy)
        return _pair(xy, 2 * x, -2 * y)

    def hessian(xy):
        xy, x, _ = _xy(xy)
        return _matrix(2.0 + 0 * x, 0 * x, -2.0 + 0 * x, x.shape)

    return Surface(
        name="saddle",
        title="Saddle",
        latex=r"f(x, y) = x^2 - y^2",
        f=f,
        grad=grad,
        hessian=hessian,
        domain=((-2.0, 2.0), (-2.0, 2.0)),
        minimizers=_points(),
        min_value=-math.inf,
        saddles=_points(0.0, 0.0),
        starts=_points((-1.5, 1e-3), (-1.5, 0.1), (1.5, -1e-2)),
        description="Attracting along x, repelling along y: a start near y = 0 first "
        "slides to the saddle, then must escape along y.",
        citation="",
    )


def monkey_saddle() -> Surface:
    r"""f = x³ − 3xy²: a degenerate saddle at the origin (zero Hessian), three valleys."""

    def f(xy):
        _, x, y = _xy(xy)
        return x * x * x - 3 * x * y * y

    def grad(xy):
        xy, x, y = _xy(xy)
        return _pair(xy, 3 * x * x - 3 * y * y, -6 * x * y)

    def hessian(xy):
        xy, x, y = _xy(xy)
        return _matrix(6 * x, -6 * y, -6 * x, x.shape)

    return Surface(
        name="monkey_saddle",
        title="Monkey saddle",
        latex=r"f(x, y) = x^3 - 3xy^2",
        f=f,
        grad=grad,
        hessian=hessian,
        domain=((-1.5, 1.5), (-1.5, 1.5)),
        minimizers=_points(),
        min_value=-math.inf,
        saddles=_points(0.0, 0.0),
        starts=_points((1.0, 0.05), (0.8, -0.5), (1.2, 1e-3)),
        description="A flat, degenerate saddle (the Hessian vanishes): gradients die "
        "out near it, which stalls plain SGD.",
    )


# ---------------------------------------------------------------- Himmelblau


def himmelblau() -> Surface:
    r"""f = (x² + y − 11)² + (x + y² − 7)²; four minima of value 0, four saddles and a
    local maximum at (−0.2708, −0.9230)."""

    def f(xy):
        _, x, y = _xy(xy)
        a = x * x + y - 11
        b = x + y * y - 7
        return a * a + b * b

    def grad(xy):
        xy, x, y = _xy(xy)
        a = x * x + y - 11
        b = x + y * y - 7
        return _pair(xy, 4 * x * a + 2 * b, 2 * a + 4 * y * b)

    def grad_into(xy, out):
        # grad's operations in its order, into out (its x and y columns)
        x, y, gx, gy = xy[..., 0], xy[..., 1], out[..., 0], out[..., 1]
        a, b, term = _scratch(x.shape, 3)
        np.multiply(x, x, out=a)
        np.add(a, y, out=a)
        np.subtract(a, 11, out=a)
        np.multiply(y, y, out=b)
        np.add(x, b, out=b)
        np.subtract(b, 7, out=b)
        np.multiply(x, 4, out=gx)
        np.multiply(gx, a, out=gx)
        np.multiply(b, 2, out=term)
        np.add(gx, term, out=gx)
        np.multiply(a, 2, out=gy)
        np.multiply(y, 4, out=term)
        np.multiply(term, b, out=term)
        np.add(gy, term, out=gy)

    def hessian(xy):
        xy, x, y = _xy(xy)
        return _matrix(12 * x * x + 4 * y - 42, 4 * x + 4 * y, 4 * x + 12 * y * y - 26, x.shape)

    def residuals(xy):
        # f = r₁² + r₂²: r = (x² + y − 11, x + y² − 7)
        xy, x, y = _xy(xy)
        r = np.stack([x * x + y - 11, x + y * y - 7], -1)
        return r, _jacobian([(2 * x, 1.0 + 0 * x), (1.0 + 0 * x, 2 * y)])

    return Surface(
        name="himmelblau",
        title="Himmelblau",
        latex=r"f(x, y) = (x^2 + y - 11)^2 + (x + y^2 - 7)^2",
        f=f,
        grad=grad,
        hessian=hessian,
        domain=((-5.0, 5.0), (-5.0, 5.0)),
        # Newton-refined to full double precision.
        minimizers=_points(
            (3.0, 2.0),
            (-2.805118086952745, 3.131312518250573),
            (-3.779310253377747, -3.283185991286169),
            (3.5844283403304917, -1.8481265269644034),
        ),
        min_value=0.0,
        saddles=_points(
            (0.08667750455539634, 2.884254701174776),
            (-3.0730257507643897, -0.08135304428796751),
            (3.385154183607021, 0.07385187983774928),
            (-0.12796134673068005, -1.9537149802445766),
        ),
        starts=_points((-0.5, -4.0), (0.0, 0.0), (-0.27, -0.92)),
        log_scale=True,
        grad_into=grad_into,
        residuals=residuals,
        description="Four equal minima: which one a run reaches depends on the start "
        "and on the optimizer.",
        citation="Himmelblau (1972)",
    )


# ---------------------------------------------------------------- multimodal


def rastrigin(A: float = 10.0) -> Surface:
    r"""f = 2A + Σ (xᵢ² − A cos 2πxᵢ); global minimum 0 at the origin among a regular
    lattice of local minima."""

    def f(xy):
        _, x, y = _xy(xy)
        return 2 * A + (x * x - A * np.cos(TAU * x)) + (y * y - A * np.cos(TAU * y))

    def grad(xy):
        xy, x, y = _xy(xy)
        return _pair(xy, 2 * x + TAU * A * np.sin(TAU * x), 2 * y + TAU * A * np.sin(TAU * y))

    def hessian(xy):
        xy, x, y = _xy(xy)
        return _matrix(
            2 + TAU * TAU * A * np.cos(TAU * x), 0 * x, 2 + TAU * TAU * A * np.cos(TAU * y), x.shape
        )

    return Surface(
        name="rastrigin",
        title="Rastrigin",
        latex=rf"f(x, y) = {2 * A:g} + \sum_{{i}} \left(x_i^2 - {A:g}\cos 2\pi x_i\right)",
        f=f,
        grad=grad,
        hessian=hessian,
        domain=((-5.12, 5.12), (-5.12, 5.12)),
        minimizers=_points(0.0, 0.0),
        min_value=0.0,
        saddles=_points(),
        starts=_points((3.2, -2.6), (0.6, 0.4), (-4.5, 4.5)),
        description="A bowl covered in regular bumps: local methods stop in the nearest dip.",
        citation="Rastrigin (1974)",
        params={"A": A},
    )


def ackley() -> Surface:
    r"""f = −20 exp(−0.2 √(½(x² + y²))) − exp(½(cos 2πx + cos 2πy)) + e + 20; minimum 0
    at the origin, where the first term is a cone.

    At the origin the gradient is undefined; ``grad`` returns (0, 0) there (0 is in
    the subdifferential: it is the minimizer). The cone's curvature grows like 1/r,
    so ``hessian`` returns +inf on the diagonal and 0 off it there.
    """

    def parts(x, y):
        r = np.hypot(x, y) * math.sqrt(0.5)  # x*x + y*y would underflow to 0 near 1e-154
        cone = np.exp(-0.2 * r)
        ripple = np.exp(0.5 * (np.cos(TAU * x) + np.cos(TAU * y)))
        return r, cone, ripple

    def f(xy):
        _, x, y = _xy(xy)
        _, cone, ripple = parts(x, y)
        return -20 * cone - ripple + math.e + 20

    def grad(xy):
        xy, x, y = _xy(xy)
        r, cone, ripple = parts(x, y)
        at_origin = r == 0
        # 2 e^{-0.2 r} / r, taken as 0 at the origin (no division by zero there)
        scale = np.divide(2 * cone, r, out=np.zeros_like(r), where=~at_origin)
        return _pair(
            xy,
            scale * x + np.pi * ripple * np.sin(TAU * x),
            scale * y + np.pi * ripple * np.sin(TAU * y),
        )

    def hessian(xy):
        xy, x, y = _xy(xy)
        r, cone, ripple = parts(x, y)
        at_origin = r == 0
        safe_r = np.where(at_origin, 1.0, r)
        # cone: 2 e^{-0.2r} [δij / r − 0.1 xi xj / r² − 0.5 xi xj / r³]
        k = 0.1 / safe_r**2 + 0.5 / safe_r**3

        def cone_part(xi, xj, delta):
            return 2 * cone * (delta / safe_r - k * xi * xj)

        # ripple: π² e [2 δij cos 2πxi − sin 2πxi sin 2πxj]
        sx, sy = np.sin(TAU * x), np.sin(TAU * y)
        hxx = cone_part(x, x, 1) + np.pi**2 * ripple * (2 * np.cos(TAU * x) - sx * sx)
        hxy = cone_part(x, y, 0) - np.pi**2 * ripple * sx * sy
        hyy = cone_part(y, y, 1) + np.pi**2 * ripple * (2 * np.cos(TAU * y) - sy * sy)
        hxx = np.where(at_origin, np.inf, hxx)
        hyy = np.where(at_origin, np.inf, hyy)
        hxy = np.where(at_origin, 0.0, hxy)
        return _matrix(hxx, hxy, hyy, x.shape)

    return Surface(
        name="ackley",
        title="Ackley",
        latex=r"f(x, y) = -20\,e^{-0.2\sqrt{(x^2+y^2)/2}} \\ - e^{(\cos 2\pi x + \cos 2\pi y)/2}"
        r" + e + 20",
        f=f,
        grad=grad,
        hessian=hessian,
        domain=((-5.0, 5.0), (-5.0, 5.0)),
        minimizers=_points(0.0, 0.0),
        min_value=0.0,
        saddles=_points(),
        starts=_points((3.5, -2.7), (1.2, 0.8), (-4.0, 4.0)),
        description="A nearly flat plain full of small dips around a deep funnel; the "
        "gradient is undefined at the minimum (taken as 0 there).",
        citation="Ackley (1987)",
    )


# ---------------------------------------------------------------- polynomials


def booth() -> Surface:
    r"""f = (x + 2y − 7)² + (2x + y − 5)²; a quadratic bowl with minimum 0 at (1, 3)."""

    def f(xy):
        _, x, y = _xy(xy)
        p = x + 2 * y - 7
        q = 2 * x + y - 5
        return p * p + q * q

    def grad(xy):
        xy, x, y = _xy(xy)
        p = x + 2 * y - 7
        q = 2 * x + y - 5
        return _pair(xy, 2 * p + 4 * q, 4 * p + 2 * q)

    def hessian(xy):
        xy, x, _ = _xy(xy)
        return _matrix(10.0 + 0 * x, 8.0 + 0 * x, 10.0 + 0 * x, x.shape)

    def residuals(xy):
        # f = r₁² + r₂²: r = (x + 2y − 7, 2x + y − 5), a linear least-squares problem
        xy, x, y = _xy(xy)
        r = np.stack([x + 2 * y - 7, 2 * x + y - 5], -1)
        one = 1.0 + 0 * x
        return r, _jacobian([(one, 2 * one), (2 * one, one)])

    return Surface(
        name="booth",
        residuals=residuals,
        title="Booth",
        latex=r"f(x, y) = (x + 2y - 7)^2 + (2x + y - 5)^2",
        f=f,
        grad=grad,
        hessian=hessian,
        domain=((-10.0, 10.0), (-10.0, 10.0)),
        minimizers=_points(1.0, 3.0),
        min_value=0.0,
        saddles=_points(),
        starts=_points((-8.0, 8.0), (8.0, -8.0), (-6.0, -9.0)),
        log_scale=True,
        description="A tilted quadratic bowl (condition number 9): an easy baseline.",
        citation="Booth (test function collection)",
    )


def goldstein_price() -> Surface:
    r"""f = [1 + (x+y+1)² P] [30 + (2x−3y)² Q] with P = 19 − 14x + 3x² − 14y + 6xy + 3y²
    and Q = 18 − 32x + 12x² + 48y − 36xy + 27y²; minimum 3 at (0, −1)."""

    def parts(x, y):
        s = x + y + 1
        d = 2 * x - 3 * y
        P = 19 - 14 * x + 3 * x * x - 14 * y + 6 * x * y + 3 * y * y
        Q = 18 - 32 * x + 12 * x * x + 48 * y - 36 * x * y + 27 * y * y
        Pd = -14 + 6 * x + 6 * y  # dP/dx = dP/dy
        Qx = -32 + 24 * x - 36 * y
        Qy = 48 - 36 * x + 54 * y
        A = 1 + s * s * P
        B = 30 + d * d * Q
        Ax = 2 * s * P + s * s * Pd
        Bx = 4 * d * Q + d * d * Qx
        By = -6 * d * Q + d * d * Qy
        return s, d, P, Q, Pd, Qx, Qy, A, B, Ax, Bx, By

    def f(xy):
        _, x, y = _xy(xy)
        s, d = x + y + 1, 2 * x - 3 * y
        P = 19 - 14 * x + 3 * x * x - 14 * y + 6 * x * y + 3 * y * y
        Q = 18 - 32 * x + 12 * x * x + 48 * y - 36 * x * y + 27 * y * y
        return (1 + s * s * P) * (30 + d * d * Q)

    def grad(xy):
        xy, x, y = _xy(xy)
        *_, A, B, Ax, Bx, By = parts(x, y)
        return _pair(xy, Ax * B + A * Bx, Ax * B + A * By)  # Ay = Ax

    def hessian(xy):
        xy, x, y = _xy(xy)
        s, d, P, Q, Pd, Qx, Qy, A, B, Ax, Bx, By = parts(x, y)
        Axx = 2 * P + 4 * s * Pd + 6 * s * s  # = Axy = Ayy
        Bxx = 8 * Q + 8 * d * Qx + 24 * d * d
        Bxy = -12 * Q + 4 * d * Qy - 6 * d * Qx - 36 * d * d
        Byy = 18 * Q - 12 * d * Qy + 54 * d * d
        hxx = Axx * B + 2 * Ax * Bx + A * Bxx
        hxy = Axx * B + Ax * By + Ax * Bx + A * Bxy
        hyy = Axx * B + 2 * Ax * By + A * Byy
        return _matrix(hxx, hxy, hyy, x.shape)

    return Surface(
        name="goldstein_price",
        title="Goldstein-Price",
        latex=r"f(x, y) = \big[1 + (x+y+1)^2 \\ (19 - 14x + 3x^2 - 14y + 6xy + 3y^2)\big] \\"
        r" \times \big[30 + (2x-3y)^2 \\ (18 - 32x + 12x^2 + 48y - 36xy + 27y^2)\big]",
        f=f,
        grad=grad,
        hessian=hessian,
        domain=((-2.0, 2.0), (-2.0, 2.0)),
        minimizers=_points(0.0, -1.0),
        min_value=3.0,
        # exact: f factors as a(x + y + 1) b(2x − 3y), whose critical points these are
        saddles=_points((0.6, 0.4), (1.2, -0.2), (-0.4, -0.6), (1.4, 0.6)),
        starts=_points((-1.5, 1.5), (1.5, 1.5), (-0.5, -0.2)),
        log_scale=True,
        description="Values spanning six orders of magnitude and several local minima "
        "around the global one at (0, −1).",
        citation="Goldstein & Price (1971)",
    )


def six_hump_camel() -> Surface:
    r"""f = (4 − 2.1x² + x⁴/3) x² + xy + (−4 + 4y²) y²; two global minima
    ±(0.0898, −0.7127) of value −1.0316, and four local ones."""

    def f(xy):
        _, x, y = _xy(xy)
        x2, y2 = x * x, y * y
        return (4 - 2.1 * x2 + x2 * x2 / 3) * x2 + x * y + (-4 + 4 * y2) * y2

    def grad(xy):
        xy, x, y = _xy(xy)
        x2 = x * x
        return _pair(xy, 8 * x - 8.4 * x2 * x + 2 * x2 * x2 * x + y, x - 8 * y + 16 * y * y * y)

    def hessian(xy):
        xy, x, y = _xy(xy)
        x2 = x * x
        return _matrix(8 - 25.2 * x2 + 10 * x2 * x2, 1.0 + 0 * x, -8 + 48 * y * y, x.shape)

    return Surface(
        name="six_hump_camel",
        title="Six-hump camel",
        latex=r"f(x, y) = \left(4 - 2.1x^2 + \tfrac{x^4}{3}\right)x^2 \\ + xy + (-4 + 4y^2)\,y^2",
        f=f,
        grad=grad,
        hessian=hessian,
        domain=((-3.0, 3.0), (-2.0, 2.0)),
        minimizers=_points(
            (0.08984201310031807, -0.7126564030207396),
            (-0.08984201310031807, 0.7126564030207396),
        ),
        min_value=-1.0316284534898774,
        saddles=_points(  # Newton-refined
            (0.0, 0.0),
            (1.1092053368047865, -0.76826809250953987),
            (-1.1092053368047865, 0.76826809250953987),
            (1.6380679841897785, 0.22867406904439408),
            (-1.6380679841897785, -0.22867406904439408),
            (1.2960702671671092, 0.60508438803865849),
            (-1.2960702671671092, -0.60508438803865849),
        ),
        starts=_points((-2.0, 1.5), (2.0, -1.5), (1.5, 1.0)),
        log_scale=True,
        description="Two global and four local minima in a small box.",
        citation="Dixon & Szegő (1978)",
    )


# ---------------------------------------------------------------- quadratic bowls


def ravine(steepness: float = 100.0) -> Surface:
    r"""f = 5 (x² / s + y²) with s = ``steepness``: curvatures 10/s along the valley (x)
    and 10 across it (y), a ratio of s. Plain SGD with α near 2/10 bounces across
    the valley while creeping along it."""

    s = steepness

    def f(xy):
        _, x, y = _xy(xy)
        return 5 * (x * x / s + y * y)

    def grad(xy):
        xy, x, y = _xy(xy)
        return _pair(xy, 10 * x / s, 10 * y)

    def hessian(xy):
        xy, x, _ = _xy(xy)
        return _matrix(10 / s + 0 * x, 0 * x, 10.0 + 0 * x, x.shape)

    return Surface(
        name="ravine",
        title="Ravine",
        latex=rf"f(x, y) = 5\left(\frac{{x^2}}{{{s:g}}} + y^2\right)",
        f=f,
        grad=grad,
        hessian=hessian,
        domain=((-10.0, 10.0), (-3.0, 3.0)),
        minimizers=_points(0.0, 0.0),
        min_value=0.0,
        saddles=_points(),
        starts=_points((-9.0, 2.0), (9.0, -1.0), (-5.0, 2.5)),
        log_scale=True,
        description=f"A long valley {s:g} times steeper across (y) than along (x): "
        "SGD zig-zags across it, momentum averages the zig-zag out.",
        params={"steepness": s},
    )


def quadratic(kappa: float = 10.0, angle: float = 0.0) -> Surface:
    r"""f = ½ wᵀ H w with H = R diag(1, κ) Rᵀ, R the rotation by ``angle`` degrees: a bowl
    with condition number κ whose axes are turned by that angle (at 0, f = ½(x² + κ y²))."""
    turn = math.radians(angle)
    c, s = math.cos(turn), math.sin(turn)
    hxx, hxy, hyy = c * c + kappa * s * s, (1 - kappa) * c * s, s * s + kappa * c * c
    if angle == 0:  # exactly the axis-aligned bowl (cos and sin of 0 are exact anyway)
        hxx, hxy, hyy = 1.0, 0.0, kappa

    def f(xy):
        _, x, y = _xy(xy)
        return 0.5 * (hxx * x * x + 2 * hxy * x * y + hyy * y * y)

    def grad(xy):
        xy, x, y = _xy(xy)
        return _pair(xy, hxx * x + hxy * y, hxy * x + hyy * y)

    def hessian(xy):
        xy, x, _ = _xy(xy)
        return _matrix(hxx + 0 * x, hxy + 0 * x, hyy + 0 * x, x.shape)

    root_half, root_kappa = math.sqrt(0.5), math.sqrt(kappa / 2)
    if angle == 0:
        c, s = 1.0, 0.0

    def residuals(xy):
        # f = r₁² + r₂²: r = diag(√½, √(κ/2)) Rᵀ w, the bowl's own axes
        xy, x, y = _xy(xy)
        r = np.stack([root_half * (c * x + s * y), root_kappa * (c * y - s * x)], -1)
        J = _jacobian([(root_half * c + 0 * x, root_half * s + 0 * x),
                       (-root_kappa * s + 0 * x, root_kappa * c + 0 * x)])  # fmt: skip
        return r, J

    turned = f", turned by {angle:g}°" if angle else ""
    return Surface(
        name="quadratic",
        title="Ill-conditioned quadratic",
        latex=(rf"f(x, y) = \tfrac12\left(x^2 + {kappa:g}\,y^2\right)" if not angle else
               rf"f(w) = \tfrac12\, w^\top R_{{{angle:g}^\circ}}\,\mathrm{{diag}}(1, {kappa:g})"
               rf"\,R_{{{angle:g}^\circ}}^\top w"),  # fmt: skip
        f=f,
        grad=grad,
        hessian=hessian,
        domain=((-5.0, 5.0), (-5.0, 5.0)),
        minimizers=_points(0.0, 0.0),
        min_value=0.0,
        saddles=_points(),
        starts=_points((-4.5, 3.0), (4.0, 4.0), (-1.0, -4.5)),
        log_scale=True,
        description=f"A bowl with condition number {kappa:g}{turned}: gradient descent "
        "converges at a rate set by the ratio of the curvatures"
        + (", and a turned bowl defeats methods that scale each coordinate on its own."
           if angle else "."),  # fmt: skip
        params={"kappa": kappa, "angle": angle},
        residuals=residuals,
    )
