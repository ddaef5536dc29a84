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
    # (Prodigy keeps its α 1: α scales its own estimate d, and at 1e-2 d barely grows)
    lr = {"lr": 1e-2} if "lr" in optim_core.get_optimizer(name).hyperparams else {}
    lr = {} if name == "prodigy" else lr
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


# ------------------------------------------------------- the runner in D dimensions

import math  # noqa: E402

import surfaces  # noqa: E402
from optim_core import runner  # noqa: E402


def _moons():
    return surfaces.network("moons", hidden=(8,), n=60)  # D = 2·8 + 8 + 8·2 + 2 = 42


def test_a_network_run_of_adam_is_a_plain_loop_of_its_formula():
    """optim_core.run on D = 42 weights, step by step against Adam's formula written
    coordinate by coordinate in plain Python floats (the cheat sheet's bias-corrected
    form)."""
    net = _moons()
    theta0 = net.init_params()
    lr, b1, b2, eps = 0.01, 0.9, 0.999, 1e-8
    run = optim_core.run("adam", net, theta0, 30, lr=lr, beta1=b1, beta2=b2, eps=eps)
    w = [float(v) for v in theta0]
    m, v = [0.0] * net.D, [0.0] * net.D
    for t in range(1, 31):
        g = [float(x) for x in net.grad(np.array(w))]
        for i in range(net.D):
            m[i] = b1 * m[i] + (1 - b1) * g[i]
            v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i]
            m_hat = m[i] / (1 - b1**t)
            v_hat = v[i] / (1 - b2**t)
            w[i] = w[i] - lr * m_hat / (math.sqrt(v_hat) + eps)
        np.testing.assert_allclose(run.path[t], w, rtol=1e-12, atol=1e-14)
    assert run.path.shape == (31, net.D) and run.grads.shape == (30, net.D)
    np.testing.assert_allclose(run.loss, net.loss(run.path), rtol=1e-15)
    assert run.final_loss < run.loss[0]


def test_many_network_starts_are_their_single_runs_and_points_drop_only_the_state():
    net = _moons()
    starts = np.stack([net.init_params(s) for s in range(3)])
    many = optim_core.run("rmsprop", net, starts, 20, record="path")
    points = optim_core.run("rmsprop", net, starts, 20, record="points")
    assert points.state == {} and set(many.state) == {"v"}
    np.testing.assert_array_equal(points.path, many.path)
    np.testing.assert_array_equal(points.grads, many.grads)
    for i, start in enumerate(starts):
        one = optim_core.run("rmsprop", net, start, 20, record="final")
        np.testing.assert_array_equal(one.final_point, many.path[-1, i])
    assert many.path.shape == (21, 3, net.D) and many.state["v"].shape == (21, 3, net.D)


def test_mini_batches_on_a_network_are_the_batch_gradients_of_the_shuffled_epochs():
    net = _moons()
    theta0, lr, B = net.init_params(), 0.3, 16
    run = optim_core.run("sgd", net, theta0, 12, lr=lr, batch_size=B, seed=4)
    w, batches = theta0.copy(), runner.batch_indices(net.n_train, B, 4)
    for t in range(1, 13):
        w = w - lr * net.batch_grad(w, next(batches))
        np.testing.assert_allclose(run.path[t], w, rtol=1e-13, atol=1e-15)
    full = optim_core.run("sgd", net, theta0, 12, lr=lr, batch_size=net.n_train)
    np.testing.assert_array_equal(full.path, optim_core.run("sgd", net, theta0, 12, lr=lr).path)


def test_a_network_diverges_by_its_loss_not_by_the_size_of_its_weights():
    net = _moons()
    for lr in (50.0, 500.0):  # the loss ends far above where it started
        run = optim_core.run("adam", net, net.init_params(), 200, lr=lr)
        final = optim_core.run("adam", net, net.init_params(), 200, lr=lr, record="final")
        k = int(run.diverged_step)
        assert run.final_loss > run.loss[0] and k >= 1
        assert run.loss[k] > run.loss[0] and run.loss[k - 1] <= run.loss[0]  # its last rise
        assert np.all(run.loss[k:] > run.loss[0])
        np.testing.assert_array_equal(run.diverged_point, run.path[k])
        assert final.diverged_step == k  # without the path, the same step
        np.testing.assert_array_equal(final.diverged_point, run.diverged_point)
    quiet = optim_core.run("adam", net, net.init_params(), 200)
    assert not quiet.diverged and not quiet.converged  # no minimizer is known: never converges
    # L-BFGS on two moons with two hidden units: its loss only falls while its weights
    # grow past a thousand (separable data): a result, not a divergence
    tiny = surfaces.network("moons", hidden=(2,))
    run = optim_core.run("lbfgs", tiny, tiny.init_params(), 300, record="points")
    assert np.all(np.diff(run.loss) <= 1e-12) and np.abs(run.final_point).max() > 1000
    assert not run.diverged


def test_the_caps_count_coordinates():
    net = surfaces.network("digits", hidden=(16,))  # D = 1,210
    with pytest.raises(ValueError, match=r"start holds N x D = 2000 x 1210 = 2,420,000 "
                                         r"numbers; at most 2,000,000"):
        optim_core.run("sgd", net, np.zeros((2000, net.D)), 1, record="final")
    with pytest.raises(ValueError, match=r"record='path' keeps 1,4[\d,]+ numbers a point for "
                                         r"bfgs on network \(D = 1210.*use record='points'"):
        optim_core.run("bfgs", net, net.init_params(), 1000)
    with pytest.raises(ValueError, match=r"start must be shaped \(1210,\) or \(N, 1210\) on "
                                         r"network; got shape \(2,\)"):
        optim_core.run("sgd", net, [0.0, 0.0], 1)
    with pytest.raises(ValueError, match=r"coordinate 3 in \[-1e\+06, 1e\+06\]; got 5e\+06 "):
        optim_core.run("sgd", net, np.where(np.arange(net.D) == 3, 5e6, 0.0), 1)


def test_newton_is_refused_beyond_the_exact_hessians_cap_and_runs_below_it():
    big = surfaces.network("digits", hidden=(64,))  # D = 4,810
    reason = optim_core.unavailable("newton", big)
    assert "D = 4,810 weights, above 2,000" in reason
    with pytest.raises(ValueError, match="exact D × D Hessian"):
        optim_core.run("saddle_free_newton", big, big.init_params(), 1)
    net = surfaces.network("moons", hidden=(8,), n=60, l2=0.1)  # (λ: H well conditioned)
    run = optim_core.run("newton", net, net.init_params(), 3, lr=0.5)
    g, h = net.grad(net.init_params()), net.hessian(net.init_params())
    np.testing.assert_allclose(run.path[1], net.init_params() - 0.5 * np.linalg.solve(h, g),
                               rtol=1e-9, atol=1e-12)  # fmt: skip


def test_the_state_kept_for_many_starts_is_capped_too():
    net = surfaces.network("digits", hidden=(16,))  # BFGS: a 1,210 × 1,210 H a start
    with pytest.raises(ValueError, match=r"bfgs keeps 1,4[\d,]+ numbers of state a start at "
                                         r"D = 1,210 .*: 200 starts hold .* above the cap"):
        optim_core.run("bfgs", net, np.tile(net.init_params(), (200, 1)), 1, record="final")


def test_the_analyses_in_the_plane_refuse_a_network_by_name():
    net = surfaces.network("moons", hidden=(8,), n=60)
    with pytest.raises(ValueError, match=r"basin_map works on 2-D surfaces .* has D = 42"):
        optim_core.basin_map("adam", net, 10, 10)
    with pytest.raises(ValueError, match=r"escape_runs works on 2-D surfaces"):
        optim_core.escape_runs("adam", net, 0, np.zeros((1, 42)), 10, 1.0)
