"""The network surface (surfaces/mlp.py, surfaces.network): its derivatives against
finite differences, its batches against single vectors, its data, inits, training and bad input."""

import re

import numpy as np
import pytest

from surfaces import network
from surfaces.mlp import MAX_D, MAX_HESSIAN_D, MAX_WIDTH


def _point(net, seed=1, spread=0.3):
    """A generic θ: the init plus noise, so no unit is at a symmetric point."""
    return net.init_params() + spread * np.random.default_rng(seed).standard_normal(net.D)


def _central_gradient(net, theta, h=1e-6):
    """(f(θ + h eᵢ) − f(θ − h eᵢ)) / 2h for every i: 2D losses in one batched call."""
    steps = h * np.eye(net.D)
    values = net.loss(np.concatenate([theta + steps, theta - steps]))
    return (values[: net.D] - values[net.D :]) / (2 * h)


def _relative(a, b):
    return np.linalg.norm(a - b) / np.linalg.norm(b)


NETS = {
    "moons tanh": dict(data="moons", hidden=(5,), activation="tanh", l2=0.01),
    "moons sigmoid": dict(data="moons", hidden=(4, 3), activation="sigmoid"),
    "moons relu": dict(data="moons", hidden=(6,), activation="relu", l2=0.001),
    "spirals tanh": dict(data="spirals", hidden=(4, 4), activation="tanh"),
    "digits tanh": dict(data="digits", hidden=(3,), activation="tanh", l2=0.01),
}


# ------------------------------------------------------------------ derivatives


@pytest.mark.parametrize("name", NETS)
def test_gradient_matches_central_differences(name):
    net = network(**NETS[name])
    theta = _point(net)
    assert _relative(net.grad(theta), _central_gradient(net, theta)) < 1e-6


@pytest.mark.parametrize("name", NETS)
def test_hvp_matches_differences_of_gradients_and_the_hessian(name):
    net = network(**NETS[name])
    theta = _point(net)
    v = np.random.default_rng(2).standard_normal(net.D)
    hv = net.hvp(theta, v)
    eps = 1e-5
    differences = (net.grad(theta + eps * v) - net.grad(theta - eps * v)) / (2 * eps)
    assert _relative(hv, differences) < 1e-5
    H = net.hessian(theta)
    assert H.shape == (net.D, net.D)
    assert _relative(H @ v, hv) < 1e-12


@pytest.mark.parametrize("name", NETS)
def test_hessian_is_symmetric(name):
    # built column by column from the R-operator, not symmetrized: a missing cross term
    # (V_lᵀ δ_l, δ_l R{a}ᵀ) shows as asymmetry (a wrong φ'' stays symmetric: the hvp
    # test catches that)
    net = network(**NETS[name])
    H = net.hessian(_point(net))
    assert np.abs(H - H.T).max() <= 1e-12 * np.abs(H).max()
    assert np.abs(H).max() > 0


def test_hessian_of_the_l2_term_is_lambda_times_the_identity():
    plain, decayed = network(hidden=(3,)), network(hidden=(3,), l2=0.5)
    theta = _point(plain)
    assert np.allclose(decayed.hessian(theta) - plain.hessian(theta), 0.5 * np.eye(plain.D),
                       rtol=0, atol=1e-12)  # fmt: skip


def test_the_loss_is_mean_cross_entropy_plus_l2_in_the_documented_layout():
    # a plain loop over examples, reading W (out × in, row-major) then b per layer
    net = network("spirals", hidden=(3, 2), activation="tanh", l2=0.2, n=20)
    theta = _point(net)
    total = 0.0
    for x, y in zip(net.x_train, net.y_train, strict=True):
        a, start = x, 0
        for depth, (inp, out) in enumerate(zip(net.widths[:-1], net.widths[1:], strict=True)):
            W = theta[start : start + out * inp].reshape(out, inp)
            b = theta[start + out * inp : start + out * inp + out]
            start += out * (inp + 1)
            z = W @ a + b
            a = z if depth == len(net.widths) - 2 else np.tanh(z)
        total += -(a[y] - np.log(np.sum(np.exp(a))))
    expected = total / net.n_train + 0.2 / 2 * theta @ theta
    assert start == net.D
    assert net.loss(theta) == pytest.approx(expected, rel=1e-13)


def test_unpack_follows_the_layout():
    net = network(hidden=(3,))
    (W1, b1), (W2, b2) = net.unpack(np.arange(net.D, dtype=float))
    assert W1.tolist() == [[0, 1], [2, 3], [4, 5]] and b1.tolist() == [6, 7, 8]
    assert W2.tolist() == [[9, 10, 11], [12, 13, 14]] and b2.tolist() == [15, 16]
    assert net.D == 17


# ------------------------------------------------------------------ batches


@pytest.mark.parametrize("name", ["moons tanh", "digits tanh"])
def test_a_batch_of_vectors_equals_the_vectors_one_at_a_time(name):
    net = network(**NETS[name])
    thetas = _point(net) + np.random.default_rng(3).standard_normal((7, net.D))
    v = np.random.default_rng(4).standard_normal((7, net.D))
    loss, grad, hvp = net.loss(thetas), net.grad(thetas), net.hvp(thetas, v)
    assert loss.shape == (7,) and grad.shape == hvp.shape == (7, net.D)
    for k, theta in enumerate(thetas):
        assert loss[k] == pytest.approx(net.loss(theta), rel=1e-12, abs=0)
        assert np.allclose(grad[k], net.grad(theta), rtol=0, atol=1e-12)
        assert np.allclose(hvp[k], net.hvp(theta, v[k]), rtol=0, atol=1e-12)
    accuracy = net.accuracy(thetas, "train")
    assert accuracy.tolist() == [net.accuracy(theta, "train") for theta in thetas]


def test_a_plane_of_2601_vectors_is_one_call_in_chunks():
    net = network("digits", hidden=(16,))
    thetas = _point(net) + 0.1 * np.random.default_rng(5).standard_normal((2601, net.D))
    loss = net.loss(thetas)
    assert loss.shape == (2601,) and np.isfinite(loss).all()
    for k in (0, 1300, 2600):  # first, middle and last chunk
        assert loss[k] == pytest.approx(net.loss(thetas[k]), rel=1e-12, abs=0)


def test_many_directions_at_one_point_share_the_forward_pass():
    net = network(hidden=(4,))
    theta = _point(net)
    v = np.random.default_rng(6).standard_normal((5, net.D))
    together = net.hvp(theta, v)
    assert together.shape == (5, net.D)
    for k in range(5):
        assert np.allclose(together[k], net.hvp(theta, v[k]), rtol=0, atol=1e-12)


@pytest.mark.parametrize("name", ["moons tanh", "digits tanh"])
def test_batch_grad_over_all_examples_is_the_gradient(name):
    net = network(**NETS[name])
    theta = _point(net)
    every = np.arange(net.n_train)
    assert np.allclose(net.batch_grad(theta, every), net.grad(theta), rtol=0, atol=1e-12)
    shuffled = np.random.default_rng(7).permutation(net.n_train)
    assert np.allclose(net.batch_grad(theta, shuffled), net.grad(theta), rtol=0, atol=1e-12)


def test_batch_grad_is_the_mean_over_its_examples():
    net = network(hidden=(4,), l2=0.1)
    theta = _point(net)
    index = np.array([3, 17, 17, 40])
    singles = np.array([net.batch_grad(theta, np.array([i])) for i in index])
    assert np.allclose(net.batch_grad(theta, index), singles.mean(axis=0), rtol=0, atol=1e-12)
    assert not np.allclose(singles[0], singles[1])  # the examples differ
    batched = net.batch_grad(np.stack([theta, 2 * theta]), index)
    assert np.allclose(batched[1], net.batch_grad(2 * theta, index), rtol=0, atol=1e-12)


# ------------------------------------------------------------------ training, data, init


def test_plain_gradient_descent_learns_the_moons():
    net = network("moons", hidden=(16,))
    theta = net.init_params()
    start = net.accuracy(theta)
    losses = [net.loss(theta)]
    for _ in range(300):
        theta = theta - 0.5 * net.grad(theta)
        losses.append(net.loss(theta))
    assert losses[-1] < 0.5 * losses[0]
    assert net.accuracy(theta) >= 0.9  # chance is 0.5; a line gets about 0.85
    assert net.accuracy(theta) > start


def test_the_data_are_seeded_and_split_a_quarter_held_out():
    a, b, c = network(n=200), network(n=200), network(n=200, seed=1)
    assert np.array_equal(a.x_train, b.x_train) and np.array_equal(a.y_test, b.y_test)
    assert not np.array_equal(a.x_train, c.x_train)
    assert len(a.y_test) == 50 and len(a.y_train) == 150
    both = np.concatenate([a.x_train, a.x_test])
    assert len(np.unique(both, axis=0)) == 200  # no example in both parts
    assert np.bincount(np.concatenate([a.y_train, a.y_test])).tolist() == [100, 100]
    spirals = network("spirals", n=41)
    assert spirals.x_train.shape == (31, 2) and len(spirals.y_test) == 10
    assert np.abs(spirals.x_train).max() < 1.2  # radius ≤ 1 plus noise


@pytest.mark.parametrize("args", [dict(), dict(data="spirals", hidden=[4, 3], seed=2, l2=0.01,
                                                 activation="relu", init="scale", init_scale=0.5),
                                  dict(data="digits", hidden=(3,), n=40, init="he")])
def test_the_surface_params_are_the_arguments_that_build_the_network_again(args):
    # (an export records them: the runner's Surface of a network is named "network")
    net = network(**args)
    params = net.surface.params
    assert params == net.arguments and set(params) == {
        "data", "hidden", "activation", "seed", "l2", "init", "init_scale", "n"}
    again = network(**params)  # n: the examples in all (200 or 1,797 when n was None)
    for a, b in ((again.x_train, net.x_train), (again.y_train, net.y_train),
                 (again.x_test, net.x_test), (again.y_test, net.y_test),
                 (again.init_params(), net.init_params())):  # fmt: skip
        assert np.array_equal(a, b)
    assert again.widths == net.widths and again.activation == net.activation


def test_the_digits_are_scikit_learns_scaled_to_one():
    net = network("digits", hidden=(8,))
    assert net.n_train + len(net.y_test) == 1797
    assert net.x_train.shape[1] == 64 and net.n_classes == 10
    assert net.x_train.min() == 0.0 and net.x_train.max() == 1.0
    assert sorted(set(net.y_train)) == list(range(10))
    subset = network("digits", hidden=(8,), n=100, seed=3)
    assert subset.n_train + len(subset.y_test) == 100
    assert not net.x_train.flags.writeable  # shared through the cache


def test_init_is_seeded_and_its_scale_is_right():
    net = network("digits", hidden=(256,))
    theta = net.init_params()
    assert np.array_equal(theta, net.init_params(0)) and np.array_equal(theta, net.init_params())
    assert not np.array_equal(theta, net.init_params(1))
    (W1, b1), (W2, b2) = net.unpack(theta)
    assert W1.std() == pytest.approx(np.sqrt(2 / (64 + 256)), rel=0.03)
    assert W2.std() == pytest.approx(np.sqrt(2 / (256 + 10)), rel=0.05)
    assert not b1.any() and not b2.any()
    he = network("digits", hidden=(256,), init="he").init_params()
    assert he[: W1.size].std() == pytest.approx(np.sqrt(2 / 64), rel=0.03)
    glorot = network("digits", hidden=(256,), init="glorot").init_params()
    assert np.array_equal(glorot, theta)
    scaled = network("digits", hidden=(256,), init="xavier", init_scale=0.1).init_params()
    assert np.allclose(scaled, 0.1 * theta, rtol=1e-15, atol=0)
    small = network("digits", hidden=(256,), init="scale", init_scale=1e-3).init_params()
    assert small.std() == pytest.approx(1e-3, rel=0.03) and abs(small.mean()) < 1e-4
    (_, b_small), _ = network("digits", hidden=(256,), init="scale").unpack(small)
    assert b_small.all()  # "scale" draws the biases too


# ------------------------------------------------------------------ bad input


def _raises(message, call, *args, **kwargs):
    with pytest.raises(ValueError, match=re.escape(message)):
        call(*args, **kwargs)


def test_bad_network_arguments_say_what_is_allowed():
    _raises("data must be one of ['moons', 'spirals', 'digits']; got 'mnist'", network, "mnist")
    _raises("activation must be one of ['tanh', 'relu', 'sigmoid']; got 'gelu'",
            network, activation="gelu")  # fmt: skip
    _raises("hidden must have 1 to 4 layers; got ()", network, hidden=())
    _raises("hidden must have 1 to 4 layers; got (2, 2, 2, 2, 2)", network, hidden=(2,) * 5)
    _raises(f"each hidden width must be an integer in [1, {MAX_WIDTH}]; got 0 in hidden=(16, 0)",
            network, hidden=(16, 0))  # fmt: skip
    _raises("each hidden width must be an integer in [1, 256]; got -3 in hidden=(-3,)",
            network, hidden=(-3,))  # fmt: skip
    _raises("each hidden width must be an integer in [1, 256]; got 257 in hidden=(257,)",
            network, hidden=(257,))  # fmt: skip
    _raises("each hidden width must be an integer in [1, 256]; got 2.5 in hidden=(2.5,)",
            network, hidden=(2.5,))  # fmt: skip
    _raises("hidden must be a tuple of layer widths, e.g. (16,); got 16", network, hidden=16)
    _raises(f"the network 64-256-64-10 has D = 33,738 weights; at most {MAX_D:,}",
            network, "digits", hidden=(256, 64))  # fmt: skip
    _raises("init must be one of ['xavier', 'glorot', 'he', 'scale']; got 'orthogonal'",
            network, init="orthogonal")  # fmt: skip
    _raises("init_scale must be a finite number >= 0; got -1", network, init_scale=-1)
    _raises("l2 must be a finite number >= 0; got nan", network, l2=float("nan"))
    _raises("seed must be an integer in [0, 2**32 - 1]; got -1", network, seed=-1)
    _raises("n for moons must be an integer in [8, 5000] or None; got 4", network, n=4)
    _raises("n for digits must be an integer in [8, 1797] or None; got 2000",
            network, "digits", n=2000)  # fmt: skip


def test_bad_calls_say_what_is_allowed():
    net = network(hidden=(3,))  # 150 training examples: indices 0 to 149
    theta = net.init_params()
    _raises("index 150 is out of range: training examples are 0 to 149",
            net.batch_grad, theta, np.array([0, 150]))  # fmt: skip
    _raises("index -1 is out of range: training examples are 0 to 149",
            net.batch_grad, theta, np.array([-1]))  # fmt: skip
    _raises("index must be a non-empty 1-D array of integers; got float64 shaped (2,)",
            net.batch_grad, theta, np.array([0.0, 1.0]))  # fmt: skip
    _raises("index must be a non-empty 1-D array of integers; got int64 shaped (0,)",
            net.batch_grad, theta, np.array([], dtype=np.int64))  # fmt: skip
    _raises("theta must be shaped (17,) or (N, 17) for this network; got shape (16,)",
            net.loss, theta[:-1])  # fmt: skip
    _raises("theta must be shaped (17,) or (N, 17) for this network; got shape (2, 3, 17)",
            net.grad, np.zeros((2, 3, 17)))  # fmt: skip
    _raises("v must be shaped (17,) or (N, 17) with θ's N; got shape (3, 17) with θ (2, 17)",
            net.hvp, np.zeros((2, 17)), np.zeros((3, 17)))  # fmt: skip
    _raises("split must be one of ['train', 'test', 'val']; got 'valid'", net.accuracy, theta, "valid")
    wide = network("digits", hidden=(32,))
    _raises(f"the exact Hessian is for D <= {MAX_HESSIAN_D}; this network has D = 2410",
            wide.hessian, wide.init_params())  # fmt: skip
