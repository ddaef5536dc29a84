"""The vectorized line searches against scipy.optimize.line_search (strong Wolfe,
scipy's scalar_search_wolfe2) and the Armijo rule written as a plain loop."""

import warnings

import numpy as np
import pytest
import scipy.optimize

import surfaces
from optim_core import line_search

SURFACES = ["rosenbrock", "beale", "himmelblau", "booth", "six_hump_camel", "ackley"]


def _problem(name, n, seed, direction):
    surface = surfaces.get(name)
    (x0, x1), (y0, y1) = surface.domain
    rng = np.random.default_rng(seed)
    w = np.column_stack([rng.uniform(x0, x1, n), rng.uniform(y0, y1, n)])
    g = surface.grad(w)
    if direction == "gradient":
        p = -g
    else:  # a descent direction off the gradient, of another length (as BFGS's are)
        angle = rng.uniform(-1.2, 1.2, n)
        c, s = np.cos(angle), np.sin(angle)
        p = -np.column_stack([c * g[:, 0] - s * g[:, 1], s * g[:, 0] + c * g[:, 1]])
        p *= rng.uniform(0.01, 3.0, (n, 1))
    return surface, w, g, p


def _wolfe(surface, w, g, p, alpha, c1=1e-4, c2=0.9):
    slope0 = float(np.dot(g, p))
    x = w + alpha * p
    return (surface.f(x) <= surface.f(w) + c1 * alpha * slope0
            and abs(float(np.dot(surface.grad(x), p))) <= c2 * abs(slope0) * (1 + 1e-9))


@pytest.mark.parametrize("name", SURFACES)
@pytest.mark.parametrize("direction", ["gradient", "turned"])
@pytest.mark.parametrize("with_old", [False, True])
def test_strong_wolfe_chooses_scipys_step_with_its_evaluations(name, direction, with_old):
    # The same trials, the same α, the same counts as scipy's line_search, search by
    # search; where the last bit of φ'(0) differs (NumPy's dot against a product and a
    # sum) an interpolation on an exactly quadratic φ may branch the other way: then
    # both must still meet the strong Wolfe conditions, and that must be rare.
    surface, w, g, p = _problem(name, 40, 3, direction)
    f0 = surface.f(w)
    old = f0 + np.random.default_rng(4).uniform(0.0, 5.0, len(w)) if with_old else None
    ours = line_search.strong_wolfe(surface.f, surface.grad, w, p, f0, g, old, c2=0.9)
    same = other = 0
    for i in range(len(w)):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            alpha, fc, gc, new_f, _, _ = scipy.optimize.line_search(
                lambda x: float(surface.f(x)), lambda x: surface.grad(x), w[i], p[i], g[i],
                float(f0[i]), None if old is None else float(old[i]), c1=1e-4, c2=0.9)
        unconverged = any("did not converge" in str(c.message) for c in caught)
        if alpha is None or unconverged or fc > line_search.MAX_EVALS:
            # scipy failed, or took an unchecked α after 10 doublings, or took more than
            # 20 evaluations: here the search fails
            assert not ours.ok[i], (i, alpha, fc)
            continue
        assert ours.ok[i], (i, alpha)
        if ours.alpha[i] == pytest.approx(alpha, rel=1e-12):
            assert ours.f[i] == pytest.approx(new_f, rel=1e-12, abs=1e-300)
            assert (ours.f_evals[i], ours.g_evals[i]) == (fc, gc)
            same += 1
        else:
            assert _wolfe(surface, w[i], g[i], p[i], ours.alpha[i]), i
            other += 1
    assert same >= 10 and other <= max(1, (same + other) // 10), (same, other)


def test_strong_wolfes_step_meets_both_conditions():
    surface, w, g, p = _problem("rosenbrock", 200, 5, "turned")
    f0 = surface.f(w)
    out = line_search.strong_wolfe(surface.f, surface.grad, w, p, f0, g, c1=1e-4, c2=0.1)
    assert out.ok.mean() > 0.9
    k = out.ok
    slope0 = np.sum(g[k] * p[k], axis=1)
    assert np.all(out.f[k] <= f0[k] + 1e-4 * out.alpha[k] * slope0)
    assert np.all(np.abs(np.sum(out.g[k] * p[k], axis=1)) <= 0.1 * np.abs(slope0) * (1 + 1e-12))
    assert np.all(out.f_evals <= line_search.MAX_EVALS)


def test_armijo_backtracks_like_the_plain_loop():
    surface, w, g, p = _problem("beale", 100, 7, "gradient")
    f0, slope0 = surface.f(w), np.sum(g * p, axis=1)
    out = line_search.armijo(surface.f, w, p, f0, slope0, 1.0, c1=1e-4, shrink=0.5)
    for i in range(len(w)):  # the rule, one start at a time
        alpha, evals = 1.0, 0
        while evals < line_search.MAX_EVALS:
            evals += 1
            value = surface.f(w[i] + alpha * p[i])
            if value <= f0[i] + 1e-4 * alpha * slope0[i]:
                break
            alpha *= 0.5
        else:
            assert not out.ok[i] and out.f_evals[i] == line_search.MAX_EVALS
            continue
        assert out.ok[i] and out.alpha[i] == alpha and out.f[i] == value
        assert out.f_evals[i] == evals


def test_a_direction_uphill_fails_and_a_zero_gradient_stays():
    surface = surfaces.get("booth")
    w = np.array([[0.0, 0.0], [1.0, 3.0]])  # (1, 3) is the minimum: g = 0
    g = surface.grad(w)
    p = np.array(g)  # uphill at the first, zero at the second
    f0 = surface.f(w)
    a = line_search.armijo(surface.f, w, p, f0, np.sum(g * p, axis=1))
    assert a.ok.tolist() == [False, True] and a.f_evals.tolist() == [0, 0]
    s = line_search.strong_wolfe(surface.f, surface.grad, w, p, f0, g)
    assert not s.ok[0] and s.f_evals[0] == 0


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"c1": 0.0}, "c1 must satisfy 0 < c1 < c2 = 0.9; got 0.0"),
    ({"c1": 0.5, "c2": 0.4}, "c1 must satisfy 0 < c1 < c2 = 0.4; got 0.5"),
    ({"c2": 1.0}, r"c2 must satisfy c1 = 0.0001 < c2 < 1; got 1.0"),
    ({"max_evals": 0}, "max_evals must be a whole number >= 1; got 0"),
])  # fmt: skip
def test_bad_constants_are_refused_with_the_range(kwargs, message):
    surface, w, g, p = _problem("booth", 3, 0, "gradient")
    with pytest.raises(ValueError, match=message):
        line_search.strong_wolfe(surface.f, surface.grad, w, p, surface.f(w), g, **kwargs)
    if "c2" not in kwargs:
        armijo = {k: v for k, v in kwargs.items()}
        with pytest.raises(ValueError, match=message.replace(" < c2 = 0.9", " < 1")):
            line_search.armijo(surface.f, w, p, surface.f(w), np.sum(g * p, axis=1), **armijo)
    with pytest.raises(ValueError, match=r"shrink must satisfy 0 < shrink < 1; got 1.5"):
        line_search.armijo(surface.f, w, p, surface.f(w), np.sum(g * p, axis=1), shrink=1.5)
