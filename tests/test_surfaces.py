"""Surfaces: analytic derivatives against finite differences, minimizers, shapes, errors."""

import warnings

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import surfaces

VARIANTS = [(name, {}) for name in surfaces.names()] + [
    ("rosenbrock", {"a": 2.0, "b": 10.0}),
    ("quadratic", {"kappa": 100.0}),
    ("ravine", {"steepness": 10.0}),
    ("rastrigin", {"A": 5.0}),
    ("linear_regression", {"standardize": 1.0}),
    ("logistic_regression", {"standardize": 1.0}),
    ("sparse_regression", {"density": 1.0}),
    ("sparse_regression", {"density": 0.5, "n": 7, "seed": 3}),
]
IDS = [f"{n}{p or ''}" for n, p in VARIANTS]
unit = st.floats(0.02, 0.98)


def _point(surface, u, v):
    (x0, x1), (y0, y1) = surface.domain
    return np.array([x0 + u * (x1 - x0), y0 + v * (y1 - y0)])


def _central_gradient(fn, p, h):
    out = []
    for i in range(2):
        e = np.zeros(2)
        e[i] = h
        out.append((fn(p + e) - fn(p - e)) / (2 * h))
    return np.array(out)


@pytest.mark.parametrize(("name", "params"), VARIANTS, ids=IDS)
@settings(max_examples=40, deadline=None)
@given(u=unit, v=unit)
def test_gradient_and_hessian_match_finite_differences(name, params, u, v):
    surface = surfaces.get(name, **params)
    p = _point(surface, u, v)
    assume(np.linalg.norm(p) > 1e-3 or name != "ackley")  # the cone's tip
    h = 1e-6 * max(1.0, float(np.abs(p).max()))
    grad = surface.grad(p)
    fd_grad = _central_gradient(surface.f, p, h)
    scale = max(1.0, float(np.abs(surface.f(p))), float(np.abs(grad).max()))
    np.testing.assert_allclose(grad, fd_grad, rtol=1e-5, atol=1e-6 * scale)
    hess = surface.hessian(p)
    fd_hess = np.stack(
        [_central_gradient(lambda q, i=i: surface.grad(q)[i], p, h) for i in range(2)]
    )
    hscale = max(1.0, float(np.abs(hess).max()))
    np.testing.assert_allclose(hess, fd_hess, rtol=1e-4, atol=1e-5 * hscale)
    np.testing.assert_array_equal(hess, hess.T)


@pytest.mark.parametrize(("name", "params"), VARIANTS, ids=IDS)
def test_minimizers_are_minima_of_the_stated_value(name, params):
    surface = surfaces.get(name, **params)
    if len(surface.minimizers) == 0:
        assert surface.min_value == -np.inf
        return
    values = surface.f(surface.minimizers)
    np.testing.assert_allclose(values, surface.min_value, rtol=1e-12, atol=1e-12)
    assert np.all(np.linalg.norm(surface.grad(surface.minimizers), axis=-1) <= 1e-8)
    for m in surface.minimizers:
        if name == "ackley":
            continue  # the Hessian is infinite at the cone's tip (tested below)
        assert np.all(np.linalg.eigvalsh(surface.hessian(m)) > 0)
    # nothing on a grid over the domain is lower than the minimum
    grid = _grid(surface, 201)
    assert surface.f(grid).min() >= surface.min_value - 1e-9


@pytest.mark.parametrize("name", surfaces.names())
def test_saddles_are_saddles(name):
    surface = surfaces.get(name)
    for s in surface.saddles:
        assert np.linalg.norm(surface.grad(s)) <= 1e-8
        eig = np.linalg.eigvalsh(surface.hessian(s))
        if name == "monkey_saddle":
            np.testing.assert_array_equal(eig, 0.0)  # degenerate
        else:
            assert eig.min() < 0 < eig.max()


def test_the_saddles_the_issue_names():
    assert surfaces.get("saddle").saddles.tolist() == [[0.0, 0.0]]
    assert surfaces.get("monkey_saddle").saddles.tolist() == [[0.0, 0.0]]
    assert len(surfaces.get("himmelblau").minimizers) == 4
    assert len(surfaces.get("six_hump_camel").minimizers) == 2


def _grid(surface, n):
    (x0, x1), (y0, y1) = surface.domain
    X, Y = np.meshgrid(np.linspace(x0, x1, n), np.linspace(y0, y1, n + 2))
    return np.stack([X, Y], -1)


@pytest.mark.parametrize("name", surfaces.names())
def test_shapes_for_a_point_a_batch_and_a_meshgrid(name):
    surface = surfaces.get(name)
    grid = _grid(surface, 7)
    assert surface.f(grid).shape == (9, 7)
    assert surface.grad(grid).shape == (9, 7, 2)
    assert surface.hessian(grid).shape == (9, 7, 2, 2)
    batch = grid.reshape(-1, 2)
    assert surface.f(batch).shape == (63,) and surface.grad(batch).shape == (63, 2)
    assert surface.f([0.5, 0.25]).shape == () and surface.grad([0.5, 0.25]).shape == (2,)
    assert surface.hessian([0.5, 0.25]).shape == (2, 2)
    np.testing.assert_array_equal(surface.f(grid).reshape(-1), surface.f(batch))


@pytest.mark.parametrize("name", surfaces.names())
def test_a_batch_gives_the_same_bits_as_single_points(name):
    surface = surfaces.get(name)
    batch = _grid(surface, 13).reshape(-1, 2)
    f_batch, g_batch = surface.f(batch), surface.grad(batch)
    for i, p in enumerate(batch):
        assert surface.f(p) == f_batch[i]
        np.testing.assert_array_equal(surface.grad(p), g_batch[i])


@pytest.mark.parametrize("name", surfaces.names())
def test_metadata_is_complete_and_consistent(name):
    surface = surfaces.get(name)
    (x0, x1), (y0, y1) = surface.domain
    assert x0 < x1 and y0 < y1
    assert surface.name == name and surface.title and surface.latex.startswith("f(")
    assert surface.description
    for p in np.concatenate([surface.minimizers, surface.saddles, surface.starts]):
        assert x0 <= p[0] <= x1 and y0 <= p[1] <= y1, p
    assert len(surface.starts) >= 1
    if surface.log_scale:
        assert np.isfinite(surface.min_value)
    for arr in (surface.minimizers, surface.saddles, surface.starts):
        assert not arr.flags.writeable


def test_parameters_change_the_surface():
    r = surfaces.get("rosenbrock", a=2.0, b=10.0)
    np.testing.assert_array_equal(r.minimizers, [[2.0, 4.0]])
    assert r.f([2.0, 4.0]) == 0 and r.f([1.0, 2.0]) == (2 - 1) ** 2 + 10 * (2 - 1) ** 2
    (x0, x1), (y0, y1) = r.domain
    assert x0 <= 2 <= x1 and y0 <= 4 <= y1
    q = surfaces.get("quadratic", kappa=100.0)
    np.testing.assert_allclose(np.linalg.eigvalsh(q.hessian([0.3, 0.1])), [1, 100])
    rav = surfaces.get("ravine", steepness=50.0)
    eig = np.linalg.eigvalsh(rav.hessian([1.0, 1.0]))
    assert eig[1] / eig[0] == pytest.approx(50.0)
    assert "50" in rav.description


def test_ravine_is_much_steeper_across_than_along():
    ravine = surfaces.get("ravine")
    eig = np.linalg.eigvalsh(ravine.hessian([0.0, 0.0]))
    assert eig[1] / eig[0] == pytest.approx(100.0)


def test_ackley_at_the_origin_is_defined_and_silent():
    ackley = surfaces.get("ackley")
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        np.testing.assert_array_equal(ackley.grad([0.0, 0.0]), [0.0, 0.0])
        hess = ackley.hessian([0.0, 0.0])
        assert hess[0, 0] == np.inf and hess[1, 1] == np.inf
        assert hess[0, 1] == 0 and hess[1, 0] == 0
        batch = np.array([[0.0, 0.0], [0.5, -0.25], [0.0, 0.0]])
        g = ackley.grad(batch)
        np.testing.assert_array_equal(g[[0, 2]], 0.0)
        np.testing.assert_array_equal(g[1], ackley.grad(batch[1]))
        assert np.all(np.isfinite(ackley.hessian(batch)[1]))
    assert ackley.f([0.0, 0.0]) == pytest.approx(0.0, abs=1e-15)


def test_unknown_surface_lists_the_valid_names():
    with pytest.raises(ValueError, match=r"surface must be one of \[.rosenbrock., .*.sparse_regression.\]"):
        surfaces.get("sphere")


@pytest.mark.parametrize(
    ("name", "params", "message"),
    [
        ("rosenbrock", {"b": 0.0}, r"rosenbrock parameter b must be a finite number > 0; got 0\.0"),
        ("rosenbrock", {"a": float("nan")}, r"parameter a must be a finite number; got nan"),
        ("quadratic", {"kappa": 0.5}, r"parameter kappa must be a finite number >= 1; got 0\.5"),
        ("ravine", {"steepness": -1}, r"parameter steepness must be .* >= 1; got -1"),
        ("rastrigin", {"A": -1.0}, r"parameter A must be a finite number >= 0; got -1\.0"),
        ("rastrigin", {"A": "ten"}, r"parameter A must be a finite number >= 0; got 'ten'"),
        ("beale", {"a": 1.0}, r"beale has no parameter 'a'; its parameters are none"),
        ("rosenbrock", {"c": 1.0}, r"rosenbrock has no parameter 'c'; its parameters are \['a', 'b'\]"),
    ],
)  # fmt: skip
def test_bad_parameters_are_named(name, params, message):
    with pytest.raises(ValueError, match=message):
        surfaces.get(name, **params)


def test_known_saddles_are_listed():
    assert len(surfaces.get("beale").saddles) == 2
    assert len(surfaces.get("goldstein_price").saddles) == 4
    assert len(surfaces.get("six_hump_camel").saddles) == 7


def test_ackley_gradient_is_right_at_tiny_but_nonzero_points():
    # The cone's gradient has norm 2·√2·e^(-0.2 r) → 2√2 near the origin, even at 1e-160.
    g = surfaces.get("ackley").grad([1e-160, 1e-160])
    assert np.linalg.norm(g) == pytest.approx(2 * np.sqrt(2), rel=1e-6)


# ---------------------------------------------------------------- sums of squares

SUMS_OF_SQUARES = ("rosenbrock", "beale", "himmelblau", "booth", "quadratic", "linear_regression",
                   "sparse_regression")


def test_the_sums_of_squares_declare_their_residuals_and_the_others_do_not():
    declared = {n for n in surfaces.names() if surfaces.get(n).residuals is not None}
    assert declared == set(SUMS_OF_SQUARES)


@pytest.mark.parametrize("spec", [*SUMS_OF_SQUARES, "rosenbrock(a=2, b=5)",
                                  "quadratic(kappa=30, angle=35)",
                                  "linear_regression(n=7, seed=3)",
                                  "linear_regression(n=7, seed=3, standardize=1)"])  # fmt: skip
def test_residuals_square_to_f_and_their_jacobian_gives_the_gradient(spec):
    surface = surfaces.get(spec)
    (x0, x1), (y0, y1) = surface.domain
    rng = np.random.default_rng(1)
    points = np.column_stack([rng.uniform(x0, x1, 50), rng.uniform(y0, y1, 50)])
    r, J = surface.residuals(points)
    assert r.ndim == 2 and J.shape == (*r.shape, 2)
    np.testing.assert_allclose(np.sum(r * r, axis=-1), surface.f(points), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(2 * np.einsum("nmi,nm->ni", J, r), surface.grad(points),
                               rtol=1e-10, atol=1e-9)  # fmt: skip
    # J against central differences of r
    h = 1e-6
    for axis in range(2):
        step = np.zeros(2)
        step[axis] = h
        numeric = (surface.residuals(points + step)[0] - surface.residuals(points - step)[0]) / (2 * h)
        np.testing.assert_allclose(J[..., axis], numeric, rtol=1e-5, atol=1e-5)
    # one point and a grid alike
    r1, J1 = surface.residuals(points[0])
    np.testing.assert_allclose(r1, r[0])
    np.testing.assert_allclose(J1, J[0])
    grid = np.stack(np.meshgrid(np.linspace(x0, x1, 4), np.linspace(y0, y1, 3)), -1)
    rg, Jg = surface.residuals(grid)
    assert rg.shape[:2] == (3, 4) and Jg.shape == (*rg.shape, 2)
    # zero residual at a zero-value minimizer: there the Hessian is 2JᵀJ (Gauss–Newton's)
    if surface.min_value == 0.0:
        m = surface.minimizers[0]
        rm, Jm = surface.residuals(m)
        np.testing.assert_allclose(rm, 0.0, atol=1e-12)
        np.testing.assert_allclose(2 * Jm.T @ Jm, surface.hessian(m), rtol=1e-10, atol=1e-10)
