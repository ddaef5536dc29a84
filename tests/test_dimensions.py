"""The update rules beyond two dimensions (issue 21's core): every optimizer steps
points of any dimension D. The runner still takes D = 2 starts; these tests step the
rules themselves, as the runner does, on D-dimensional functions."""

import numpy as np
import pytest

import optim_core
from optim_core.methods._base import Hyperparams

ALL = optim_core.optimizer_names()


class _Grad:
    """A D-dimensional function as the runner hands it to a rule: ∇f, with f, the
    Hessian and the residuals as attributes."""

    def __init__(self, f, grad, hessian=None, residuals=None):
        self.f, self._grad, self.hessian, self.residuals = f, grad, hessian, residuals

    def __call__(self, w):
        return self._grad(w)


def _rosenbrock_pairs(dims):
    """Σ over coordinate pairs (w₂ᵢ, w₂ᵢ₊₁) of Rosenbrock's f: D/2 independent copies."""
    def f(w):
        x, y = w[..., 0::2], w[..., 1::2]
        return np.sum((1 - x) ** 2 + 100 * (y - x * x) ** 2, axis=-1)

    def grad(w):
        x, y = w[..., 0::2], w[..., 1::2]
        out = np.empty(w.shape)
        out[..., 0::2] = -2 * (1 - x) - 400 * x * (y - x * x)
        out[..., 1::2] = 200 * (y - x * x)
        return out

    return _Grad(f, grad)


def _quadratic(dims, seed=0):
    """f = ½ wᵀ A w with A symmetric positive definite, condition number about 100, as
    a sum of squares too: r = L w with LᵀL = A / 2."""
    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(rng.normal(size=(dims, dims)))
    A = q @ np.diag(np.geomspace(1, 100, dims)) @ q.T
    L = np.linalg.cholesky(A / 2).T

    def times(M, w):  # M w row by row, the same sums whatever the batch (unlike BLAS)
        return np.sum(w[..., None, :] * M, axis=-1)

    def residuals(w):
        return times(L, w), np.broadcast_to(L, (*w.shape[:-1], dims, dims))

    return _Grad(lambda w: 0.5 * np.sum(w * times(A, w), axis=-1), lambda w: times(A, w),
                 lambda w: np.broadcast_to(A, (*w.shape[:-1], dims, dims)), residuals), A


def _run(name, grad, w, steps, **values):
    opt = optim_core.get_optimizer(name)
    hp = Hyperparams(**{**opt.defaults, **values})
    state = opt.init_state(w, hp)
    points = [w]
    for t in range(1, steps + 1):
        w, state, _ = opt.update(grad, w, state, t, hp)
        points.append(w)
    return np.array(points), state


ELEMENTWISE = [n for n in ALL if optim_core.get_optimizer(n).step_size is not None
               and n not in ("sgd_armijo", "momentum_armijo")]  # fmt: skip


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_an_elementwise_rule_in_four_dimensions_is_two_runs_in_two(name):
    # on two independent copies of Rosenbrock, coordinate by coordinate the same numbers
    lr = {"lr": 1e-3} if "lr" in optim_core.get_optimizer(name).hyperparams else {}
    four, _ = _run(name, _rosenbrock_pairs(4), np.array([[-1.2, 1.0, 0.5, -0.5]]), 50, **lr)
    a, _ = _run(name, _rosenbrock_pairs(2), np.array([[-1.2, 1.0]]), 50, **lr)
    b, _ = _run(name, _rosenbrock_pairs(2), np.array([[0.5, -0.5]]), 50, **lr)
    np.testing.assert_array_equal(four[:, 0, :2], a[:, 0])
    np.testing.assert_array_equal(four[:, 0, 2:], b[:, 0])


@pytest.mark.parametrize("name", ["bfgs", "lbfgs", "cg"])
def test_with_an_exact_line_search_a_d_dimensional_quadratic_takes_d_steps(name):
    # conjugate directions: with φ'(α) ≈ 0 (c₂ = 1e-6) the minimum after D steps
    dims = 6
    grad, _ = _quadratic(dims)
    w0 = np.full((1, dims), 3.0)
    path, state = _run(name, grad, w0, dims, c1=1e-8, c2=1e-6)
    distance = np.linalg.norm(path[:, 0], axis=1)
    assert distance[dims - 1] > 1e-6 and distance[dims] < 1e-8, distance
    assert not state.failed.any()


@pytest.mark.parametrize("name", ["newton", "gauss_newton"])
def test_newton_and_gauss_newton_solve_a_d_dimensional_quadratic_in_one_step(name):
    grad, _ = _quadratic(7)
    path, _ = _run(name, grad, np.full((3, 7), 2.0), 2)
    np.testing.assert_allclose(path[1], 0.0, atol=1e-12)


def test_levenberg_marquardt_and_saddle_free_newton_reach_a_d_dimensional_minimum():
    grad, _ = _quadratic(5)
    lm, _ = _run("levenberg_marquardt", grad, np.full((1, 5), 2.0), 20)
    sfn, _ = _run("saddle_free_newton", grad, np.full((1, 5), 2.0), 20)
    assert np.linalg.norm(lm[-1]) < 1e-8 and np.linalg.norm(sfn[-1]) < 1e-8


@pytest.mark.parametrize("name", ALL)
def test_a_batch_of_d_dimensional_points_is_its_single_points(name):
    grad, _ = _quadratic(5, seed=3)
    starts = np.random.default_rng(1).normal(size=(4, 5))
    lr = {"lr": 1e-2} if "lr" in optim_core.get_optimizer(name).hyperparams else {}
    batch, _ = _run(name, grad, starts, 15, **lr)
    assert batch.shape == (16, 4, 5)
    for i in range(4):
        one, _ = _run(name, grad, starts[i : i + 1], 15, **lr)
        np.testing.assert_array_equal(batch[:, i], one[:, 0])
    assert np.all(np.isfinite(batch)) and not np.allclose(batch[-1], batch[0])


def test_newton_with_a_singular_d_dimensional_hessian_gives_nan_not_an_error():
    grad = _Grad(lambda w: np.sum(w[..., :2] ** 2, -1), lambda w: np.concatenate(
        [2 * w[..., :2], 0 * w[..., 2:]], -1),
        lambda w: np.broadcast_to(np.diag([2.0, 2.0, 0.0]), (*w.shape[:-1], 3, 3)))  # fmt: skip
    path, _ = _run("newton", grad, np.ones((2, 3)), 1)
    assert np.all(np.isnan(path[1]))
