"""Standardized inputs on the data surfaces: mean 0 and variance 1, the same examples,
the loss and its derivatives from the standardized inputs, and the condition number of
the Hessian at the minimizer, before and after."""

from __future__ import annotations

import numpy as np
import pytest

import surfaces
from tests.test_batches import plain_grad, plain_loss, random_points

DATA = surfaces.data_names()
SIZES = [(40, 0), (7, 3), (200, 11)]


@pytest.mark.parametrize("name", DATA)
@pytest.mark.parametrize(("n", "seed"), SIZES)
def test_standardized_inputs_have_mean_0_and_variance_1(name, n, seed):
    raw = surfaces.get(name, n=n, seed=seed).data
    std = surfaces.get(name, n=n, seed=seed, standardize=1).data
    assert std.inputs.shape == raw.inputs.shape
    np.testing.assert_allclose(std.inputs.mean(axis=0), 0.0, atol=1e-14)
    np.testing.assert_allclose(std.inputs.var(axis=0), 1.0, rtol=1e-13)  # ddof 0
    # the same examples: each input column moved and scaled, the targets untouched
    expected = (raw.inputs - raw.inputs.mean(axis=0)) / raw.inputs.std(axis=0)
    np.testing.assert_allclose(std.inputs, expected, rtol=1e-15, atol=1e-15)
    np.testing.assert_array_equal(std.targets, raw.targets)


@pytest.mark.parametrize("name", DATA)
def test_the_standardized_loss_and_gradients_are_the_standardized_datas(name):
    surface = surfaces.get(name, n=25, seed=4, standardize=1)
    everyone = np.arange(surface.data.n)
    for w in random_points(surface):
        assert float(surface.f(w)) == pytest.approx(plain_loss(surface, w), rel=1e-12)
        np.testing.assert_allclose(surface.grad(w), plain_grad(surface, w, everyone),
                                   rtol=1e-10, atol=1e-12)  # fmt: skip
        # all examples in one batch: the full gradient
        np.testing.assert_allclose(surface.data.batch_grad(w[None], everyone)[0],
                                   surface.grad(w), rtol=1e-12, atol=1e-13)  # fmt: skip
        np.testing.assert_allclose(surface.data.batch_grad(w[None], everyone[:5])[0],
                                   plain_grad(surface, w, everyone[:5]), rtol=1e-10,
                                   atol=1e-12)  # fmt: skip


@pytest.mark.parametrize("name", DATA)
def test_standardized_gradient_and_hessian_match_differences(name):
    surface = surfaces.get(name, standardize=1)
    h = 1e-6
    for w in random_points(surface, seed=2):
        numeric = [(surface.f(w + e) - surface.f(w - e)) / (2 * h) for e in h * np.eye(2)]
        np.testing.assert_allclose(surface.grad(w), numeric, rtol=1e-6, atol=1e-7)
        numeric = np.stack([(surface.grad(w + e) - surface.grad(w - e)) / (2 * h)
                            for e in h * np.eye(2)])  # fmt: skip
        np.testing.assert_allclose(surface.hessian(w), numeric, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", DATA)
def test_the_minimizer_domain_and_starts_follow_the_standardized_data(name):
    surface = surfaces.get(name, standardize=1)
    best = surface.minimizers[0]
    np.testing.assert_allclose(surface.grad(best), 0.0, atol=1e-12)
    assert surface.min_value == float(surface.f(best))
    (x0, x1), (y0, y1) = surface.domain
    assert x0 < best[0] < x1 and y0 < best[1] < y1
    for start in surface.starts:
        assert x0 <= start[0] <= x1 and y0 <= start[1] <= y1
    assert surface.params["standardize"] == 1.0
    assert "Standardized" in surface.description and r"\tilde x" in surface.latex


def test_standardized_regression_is_the_same_lines_reparametrized():
    """ŷ = w̃ (x − x̄)/s + b̃ is the line of slope w̃/s and intercept b̃ − w̃ x̄/s: the
    same loss there, and the same best line."""
    raw, std = surfaces.get("linear_regression"), surfaces.get("linear_regression", standardize=1)
    xs = raw.data.inputs
    mean, s = xs.mean(), xs.std()
    for w, b in random_points(std):
        assert float(std.f([w, b])) == pytest.approx(float(raw.f([w / s, b - w * mean / s])),
                                                     rel=1e-12)  # fmt: skip
    w, b = std.minimizers[0]
    np.testing.assert_allclose([w / s, b - w * mean / s], raw.minimizers[0], rtol=1e-12)
    assert std.min_value == pytest.approx(raw.min_value, rel=1e-12)
    assert b == pytest.approx(raw.data.targets.mean(), rel=1e-12)  # x̃ has mean 0


@pytest.mark.parametrize("spec", [*DATA, *(f"{n}(standardize=1)" for n in DATA),
                                  "linear_regression(n=7,seed=3,standardize=1)",
                                  "logistic_regression(n=200,seed=5,standardize=1)", "rosenbrock",
                                  "quadratic(kappa=30,angle=35)"])  # fmt: skip
def test_the_condition_number_is_the_hessians_at_the_minimizer(spec):
    surface = surfaces.get(spec)
    low, high = np.linalg.eigvalsh(surface.hessian(surface.minimizers[0]))
    assert surfaces.condition_number(surface) == pytest.approx(high / low, rel=1e-12)


def test_the_regression_ravine_turns_round():
    raw, std = surfaces.get("linear_regression"), surfaces.get("linear_regression", standardize=1)
    assert surfaces.condition_number(raw) == pytest.approx(32.356, abs=1e-3)  # the docstring's
    np.testing.assert_allclose(std.hessian(std.minimizers[0]), 2 * np.eye(2), atol=1e-14)
    assert surfaces.condition_number(std) == pytest.approx(1.0, abs=1e-13)
    assert surfaces.condition_number(surfaces.get("quadratic", kappa=30)) == pytest.approx(30)


def test_the_condition_number_needs_a_minimizer_and_positive_curvature():
    with pytest.raises(ValueError, match="saddle has no minimizer"):
        surfaces.condition_number(surfaces.get("saddle"))


@pytest.mark.parametrize("value", [2, 0.5, -1, float("nan")])
@pytest.mark.parametrize("name", DATA)
def test_standardize_is_0_or_1(name, value):
    with pytest.raises(ValueError, match=rf"{name} parameter standardize must be 0 or 1; got "):
        surfaces.get(name, standardize=value)
    with pytest.raises(ValueError, match=r"standardize must be 0 or 1; got 2\.0"):
        surfaces.get(f"{name}(standardize=2)")


def test_the_spec_names_standardize_only_when_on():
    assert surfaces.spec("linear_regression", n=40, seed=0, standardize=0) == "linear_regression"
    spec = surfaces.spec("linear_regression", n=40, seed=0, standardize=1)
    assert spec == "linear_regression(standardize=1.0)"
    assert surfaces.get(spec).params["standardize"] == 1.0
