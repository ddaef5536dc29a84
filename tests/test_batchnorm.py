"""Batch normalization on the network surface (surfaces.network(..., batchnorm=True)):
its forward pass against a plain per-example loop, its gradients and Hessian-vector
products against differences, its running averages against a plain loop of torch's
rule, the layout of θ, bad values, and a net without it unchanged."""

import math
import statistics

import numpy as np
import pytest

import optim_core
from optim_core import landscape
from optim_core.runner import batch_indices
from surfaces import network
from surfaces.mlp import BN_EPS, BN_MOMENTUM, BNStats

PHI = {"tanh": math.tanh, "relu": lambda z: max(z, 0.0),
       "sigmoid": lambda z: 1.0 / (1.0 + math.exp(-z))}  # fmt: skip


def _point(net, seed=1, spread=0.3):
    return net.init_params() + spread * np.random.default_rng(seed).standard_normal(net.D)


def _plain_forward(net, theta, x, stats=None):
    """The logits and each normalized layer's (μ, biased σ²), by plain loops over units
    and examples: z_j = Σ_k W_jk a_k; a batch-normalized layer's ẑ_j = (z_j − μ_j) /
    √(σ²_j + ε) over the batch x (or with ``stats``: a list of (means, variances)),
    then φ(γ_j ẑ_j + β_j); the output layer W a + b."""
    theta = [float(t) for t in theta]
    acts = [[float(v) for v in row] for row in x]  # per example
    moments = []
    for at, layer in enumerate(net.layers):
        W = [[theta[layer.w_start + j * layer.inp + k] for k in range(layer.inp)]
             for j in range(layer.out)]  # fmt: skip
        b = [theta[layer.b_start + j] for j in range(layer.out)]
        z = [[sum(W[j][k] * a[k] for k in range(layer.inp)) for j in range(layer.out)]
             for a in acts]  # fmt: skip
        if at == len(net.layers) - 1:
            return [[z_i[j] + b[j] for j in range(layer.out)] for z_i in z], moments
        if layer.bn:
            gamma = [theta[layer.g_start + j] for j in range(layer.out)]
            if stats is None:
                mu = [statistics.fmean(z_i[j] for z_i in z) for j in range(layer.out)]
                var = [statistics.pvariance([z_i[j] for z_i in z], mu[j]) for j in range(layer.out)]
            else:
                mu, var = stats[len(moments)]
            moments.append((mu, var))
            y = [[gamma[j] * (z_i[j] - mu[j]) / math.sqrt(var[j] + BN_EPS) + b[j]
                  for j in range(layer.out)] for z_i in z]  # fmt: skip
        else:
            y = [[z_i[j] + b[j] for j in range(layer.out)] for z_i in z]
        acts = [[PHI[net.activation](v) for v in y_i] for y_i in y]


def _plain_loss(net, theta, x, y):
    logits, _ = _plain_forward(net, theta, x)
    total = 0.0
    for z, label in zip(logits, y, strict=True):
        top = max(z)
        total += top + math.log(sum(math.exp(v - top) for v in z)) - z[label]
    return total / len(y) + net.l2 / 2 * sum(float(t) ** 2 for t in theta)


BN_NETS = {
    "moons tanh, 1 layer": dict(data="moons", hidden=(5,), activation="tanh", l2=0.01, n=40),
    "moons relu, 1 layer": dict(data="moons", hidden=(6,), activation="relu", n=40),
    "moons sigmoid, 1 layer": dict(data="moons", hidden=(4,), activation="sigmoid", n=40),
    "spirals tanh, 2 layers": dict(data="spirals", hidden=(4, 3), activation="tanh", n=40),
    "moons relu, 2 layers": dict(data="moons", hidden=(5, 4), activation="relu", l2=0.001,
                                 n=40),
    "moons sigmoid, 2 layers": dict(data="moons", hidden=(3, 4), activation="sigmoid", n=40),
    "digits tanh, 1 layer": dict(data="digits", hidden=(3,), activation="tanh", n=60),
}  # fmt: skip


# ------------------------------------------------------------------ forward


@pytest.mark.parametrize("name", ["moons tanh, 1 layer", "spirals tanh, 2 layers",
                                  "moons relu, 2 layers", "digits tanh, 1 layer"])  # fmt: skip
def test_loss_equals_a_plain_per_example_loop(name):
    net = network(**BN_NETS[name], batchnorm=True)
    thetas = np.stack([_point(net, seed) for seed in (1, 2)])
    batched = net.loss(thetas)
    for theta, value in zip(thetas, batched, strict=True):
        expected = _plain_loss(net, theta, net.x_train, net.y_train)
        assert value == pytest.approx(expected, rel=1e-12)
        assert net.loss(theta) == pytest.approx(expected, rel=1e-12)


def test_a_one_unit_net_equals_a_hand_computation():
    """2-1-2 tanh with batch norm on 8 moons (6 training examples): every number by hand."""
    net = network("moons", hidden=(1,), activation="tanh", n=8, batchnorm=True)
    assert net.D == 2 + 1 + 1 + 2 * 1 + 2  # W₁ (1 × 2), β₁, γ₁, W₂ (2 × 1), b₂
    w1, w2 = (0.7, -1.3), (1.5, -0.5)
    beta, gamma, b2 = 0.2, 1.7, (0.1, -0.3)
    theta = np.array([*w1, beta, gamma, *w2, *b2])
    z = [w1[0] * x0 + w1[1] * x1 for x0, x1 in net.x_train]
    mu = sum(z) / len(z)
    var = sum((v - mu) ** 2 for v in z) / len(z)  # biased, over the full batch
    loss = 0.0
    for v, label in zip(z, net.y_train, strict=True):
        a = math.tanh(gamma * (v - mu) / math.sqrt(var + 1e-5) + beta)
        logits = (w2[0] * a + b2[0], w2[1] * a + b2[1])
        loss += math.log(math.exp(logits[0]) + math.exp(logits[1])) - logits[label]
    assert net.loss(theta) == pytest.approx(loss / len(z), rel=1e-13)
    stats = net.batch_stats(theta)
    assert stats.mean[0][0] == pytest.approx(mu, rel=1e-13)
    assert stats.var[0][0] == pytest.approx(var, rel=1e-13)


def test_normalized_weights_are_scale_invariant():
    """The loss depends on a normalized layer's rows of W only through their direction
    (up to ε): each row times 10 leaves f as it was, to ~ε/σ²."""
    net = network("moons", hidden=(5,), activation="tanh", batchnorm=True)
    theta = _point(net)
    scaled = theta.copy()
    layer = net.layers[0]
    scaled[layer.w_start : layer.b_start] *= 10.0
    assert net.loss(scaled) == pytest.approx(net.loss(theta), rel=1e-4)
    assert net.loss(scaled) != net.loss(theta)


# ------------------------------------------------------------------ derivatives


def _central(net, theta, fn, h=1e-6):
    steps = h * np.eye(net.D)
    return np.array([(fn(theta + s) - fn(theta - s)) / (2 * h) for s in steps])


@pytest.mark.parametrize("name", list(BN_NETS))
def test_gradient_equals_central_differences(name):
    net = network(**BN_NETS[name], batchnorm=True)
    thetas = np.stack([_point(net, seed) for seed in (1, 2, 3)])  # N = 3 at once
    grads = net.grad(thetas)
    index = np.array([0, 3, 4, 9, 17, 20])
    batch = net.batch_grad(thetas, index)
    x, y = net.x_train[index], net.y_train[index]
    for theta, g, gb in zip(thetas, grads, batch, strict=True):
        expected = _central(net, theta, net.loss)
        assert np.linalg.norm(g - expected) <= 1e-7 * np.linalg.norm(expected)
        np.testing.assert_array_equal(net.grad(theta), g)  # one vector = its row
        # the batch's loss: its own statistics, its own mean (the L2 term as in f)
        def batch_loss(t, x=x, y=y):
            return _plain_loss(net, t, x, y)
        expected_b = _central(net, theta, batch_loss)
        assert np.linalg.norm(gb - expected_b) <= 1e-7 * np.linalg.norm(expected_b)


def test_the_full_batch_gradient_is_batch_grad_over_all_examples():
    net = network(**BN_NETS["moons relu, 2 layers"], batchnorm=True)
    theta = _point(net)
    np.testing.assert_allclose(net.batch_grad(theta, np.arange(net.n_train)), net.grad(theta),
                               rtol=1e-13, atol=1e-15)  # fmt: skip


@pytest.mark.parametrize("name", ["moons tanh, 1 layer", "spirals tanh, 2 layers",
                                  "moons sigmoid, 2 layers"])  # fmt: skip
def test_hvp_equals_differences_of_gradients(name):
    net = network(**BN_NETS[name], batchnorm=True)
    theta = _point(net)
    rng = np.random.default_rng(4)
    vs = rng.standard_normal((3, net.D))
    hv = net.hvp(theta, vs)
    for v, got in zip(vs, hv, strict=True):
        h = 1e-4
        expected = (net.grad(theta + h * v) - net.grad(theta - h * v)) / (2 * h)
        assert np.linalg.norm(got - expected) <= 1e-5 * np.linalg.norm(expected)
        np.testing.assert_allclose(net.hvp(theta, v), got, rtol=1e-12, atol=1e-12)
    # N weight vectors with their own v, and the Hessian: symmetric, its rows the hvp's
    thetas = np.stack([theta, _point(net, 2)])
    both = net.hvp(thetas, vs[:2])
    np.testing.assert_allclose(both[1], net.hvp(thetas[1], vs[1]), rtol=1e-12, atol=1e-12)
    H = net.hessian(theta)
    np.testing.assert_array_equal(H, H.T)
    np.testing.assert_allclose(H @ vs[0], hv[0], rtol=1e-6, atol=1e-6 * np.abs(hv[0]).max())


def test_sharpness_the_hessian_plane_and_newton_run_on_a_bn_net():
    net = network("moons", hidden=(4,), activation="tanh", batchnorm=True)
    theta = _point(net)
    s = landscape.sharpness(net, theta, samples=10, seed=0)
    top = np.linalg.eigvalsh(net.hessian(theta))[-1]
    assert s.top == pytest.approx(top, rel=1e-5)
    plane = landscape.plane(net, "hessian", theta, seed=0)
    assert plane.eigenvalues[0] == pytest.approx(top, rel=1e-5)
    run = optim_core.run("newton", net, theta, 5)
    assert np.all(np.isfinite(run.loss))
    random = landscape.plane(net, "random", theta, seed=0)
    for d in random.directions:  # β and γ unperturbed, as the biases are
        for layer in net.layers:
            assert not np.any(d[layer.b_start : layer.end])


# ------------------------------------------------------------------ running averages


def _torch_rule(net, path, batches):
    """torch.nn.BatchNorm1d's running averages, transcribed: mean 0, var 1, then at each
    step (1 − m) running + m batch stat, the variance unbiased (B / (B − 1)); the batch
    statistics by the plain loop, at the weights the step's gradient was taken at."""
    m = 0.1
    sizes = [layer.out for layer in net.layers if layer.bn]
    mean, var = [[0.0] * d for d in sizes], [[1.0] * d for d in sizes]
    for t in range(len(path) - 1):
        x = net.x_train[batches[t]]
        _, moments = _plain_forward(net, path[t], x)
        for k, (mu, v) in enumerate(moments):
            for j in range(sizes[k]):
                mean[k][j] = (1 - m) * mean[k][j] + m * mu[j]
                var[k][j] = (1 - m) * var[k][j] + m * v[j] * len(x) / (len(x) - 1)
    return mean, var


@pytest.mark.parametrize("batch", [None, 16])
def test_running_averages_equal_a_plain_loop_of_torchs_rule(batch):
    net = network("moons", hidden=(4, 3), activation="tanh", n=60, batchnorm=True)
    run = optim_core.run("sgd", net, net.init_params(), 12, lr=0.5, record="points",
                         batch_size=batch, seed=7)  # fmt: skip
    path = np.asarray(run.path)
    if batch is None:
        batches = [np.arange(net.n_train)] * 12
        stats = net.running_stats(path)
    else:
        it = batch_indices(net.n_train, batch, 7)
        batches = [next(it) for _ in range(12)]
        stats = net.running_stats(path, batch_indices(net.n_train, batch, 7))
    assert stats.steps == 12
    mean, var = _torch_rule(net, path, batches)
    for k in range(2):
        np.testing.assert_allclose(stats.mean[k], mean[k], rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(stats.var[k], var[k], rtol=1e-12, atol=1e-14)
    assert BN_MOMENTUM == 0.1 and BN_EPS == 1e-5
    # N runs at once: each its own averages
    both = net.running_stats(np.stack([path, path[::-1]], axis=1), batches)
    np.testing.assert_allclose(both.mean[0][0], stats.mean[0], rtol=1e-12)
    alone = net.running_stats(path[::-1], batches)
    np.testing.assert_allclose(both.var[1][1], alone.var[1], rtol=1e-12)


def test_evaluation_uses_the_given_statistics_example_by_example():
    net = network("moons", hidden=(5,), activation="relu", batchnorm=True)
    theta = _point(net)
    stats = net.running_stats(np.stack([theta] * 4))
    logits, _ = _plain_forward(net, theta, net.x_test,
                               [(list(stats.mean[0]), list(stats.var[0]))])  # fmt: skip
    expected = np.mean(np.argmax(logits, axis=1) == net.y_test)
    assert net.accuracy(theta, stats=stats) == expected
    # one example at a time gives the same: nothing is shared between them
    total = 0.0
    for z, label in zip(logits, net.y_test, strict=True):
        top = max(z)
        total += top + math.log(sum(math.exp(v - top) for v in z)) - z[label]
    assert net.split_loss(theta, "test", stats) == pytest.approx(total / len(logits), rel=1e-12)
    # the default: the training set's statistics at θ, those f normalizes with
    assert net.accuracy(theta) == net.accuracy(theta, stats=net.batch_stats(theta))
    assert net.split_loss(theta, "train") == pytest.approx(net.loss(theta), rel=1e-13)
    # before any step: torch's start, mean 0 and variance 1
    start = net.running_stats(theta[None])
    assert start.steps == 0
    np.testing.assert_array_equal(start.mean[0], 0.0)
    np.testing.assert_array_equal(start.var[0], 1.0)
    # N vectors with N sets of statistics
    thetas = np.stack([theta, _point(net, 2)])
    s2 = net.batch_stats(thetas)
    np.testing.assert_array_equal(net.accuracy(thetas, stats=s2), net.accuracy(thetas))


# ------------------------------------------------------------------ layout, values


def test_layout_of_theta_and_initialization():
    net = network("digits", hidden=(16, 8), batchnorm=True)
    plain = network("digits", hidden=(16, 8))
    assert net.D == plain.D + 16 + 8
    assert [layer.bn for layer in net.layers] == [True, True, False]
    for layer in net.layers:
        assert layer.b_start == layer.w_start + layer.out * layer.inp
        assert layer.g_start == layer.b_start + layer.out
        assert layer.end == layer.g_start + (layer.out if layer.bn else 0)
    assert [layer.w_start for layer in net.layers[1:]] == [layer.end for layer in net.layers[:-1]]
    theta = net.init_params()
    (W1, beta1), (W2, beta2), (W3, b3) = net.unpack(theta)
    g1, g2, g3 = net.gammas(theta)
    assert g3 is None and b3.shape == (10,)
    for g, b in ((g1, beta1), (g2, beta2)):
        np.testing.assert_array_equal(g, 1.0)
        np.testing.assert_array_equal(b, 0.0)
    # the W's from the same stream as without batch norm
    for (W, _), (Wp, _) in zip(net.unpack(theta), plain.unpack(plain.init_params()), strict=True):
        np.testing.assert_array_equal(W, Wp)
    small = network("moons", init="scale", init_scale=1e-3, batchnorm=True)
    (W, beta), _ = small.unpack(small.init_params())
    np.testing.assert_array_equal(small.gammas(small.init_params())[0], 1.0)  # not scaled
    np.testing.assert_array_equal(beta, 0.0)
    assert 0 < np.abs(W).max() < 1e-2
    assert net.arguments["batchnorm"] is True
    assert network(**net.arguments).arguments == net.arguments
    assert "batch norm" in net.title and "batch normalization" in net.description


@pytest.mark.parametrize("bad", ["yes", 1, None, 0.0, "True"])
def test_bad_batchnorm_is_named(bad):
    with pytest.raises(ValueError, match=r"batchnorm must be True or False; got " + repr(bad)
                       .replace("(", r"\(").replace(".", r"\.")):  # fmt: skip
        network("moons", batchnorm=bad)


def test_bad_running_stats_and_eval_arguments_are_named():
    net = network("moons", hidden=(3,), batchnorm=True)
    plain = network("moons", hidden=(3,))
    theta = net.init_params()
    with pytest.raises(ValueError, match="running_stats is for a network with batch norm"):
        plain.running_stats(plain.init_params()[None])
    with pytest.raises(ValueError, match="stats is for a network with batch normalization"):
        plain.accuracy(plain.init_params(), stats=net.batch_stats(theta))
    with pytest.raises(ValueError, match=r"path must be shaped \(T \+ 1, 20\)"):
        net.running_stats(theta)
    with pytest.raises(ValueError, match=r"momentum must be a finite number in \[0, 1\]; got 2"):
        net.running_stats(theta[None], momentum=2)
    with pytest.raises(ValueError, match="batches ran out after 1 batches"):
        net.running_stats(np.stack([theta] * 3), [np.arange(4)])
    with pytest.raises(ValueError, match="batch 0 has 1 example"):
        net.running_stats(np.stack([theta] * 2), [np.array([3])])
    with pytest.raises(ValueError, match="stats must be a BNStats"):
        net.accuracy(theta, stats={"mean": 0})
    with pytest.raises(ValueError, match=r"d_l = \[3\]"):
        net.accuracy(theta, stats=BNStats((np.zeros(4),), (np.ones(4),)))


# Recorded from the code before batch normalization existed (commit 0ea7ecd): a net
# without it gives these numbers (bit for bit on the machine that recorded them; 1e-12
# allows another BLAS's summation order)
BEFORE = {
    ("moons", (5, 3), "tanh"): ['0x1.47dfedaff6b75p-1', '0x1.07d3710e52286p-3',
                                '0x1.3c6744f15bb6fp-3', '0x1.5edacd8cd82c1p+2',
                                '0x1.5c28f5c28f5c3p-1', '0x1.69d0369d0369dp-1'],
    ("digits", (8,), "relu"): ['0x1.41b596cfe74adp+1', '-0x1.f2fb6d6101ccep-1',
                               '-0x1.3140c3ad1c681p+0', '0x1.67917e6bb4971p+4',
                               '0x1.63c6fc0247d6fp-4', '0x1.482a8a4154521p-4'],
    ("spirals", (4,), "sigmoid"): ['0x1.85f5d741979edp-1', '-0x1.5dd31e3a4a4b4p-2',
                                   '-0x1.5e8a21e686362p-2', '0x1.363b49b241509p+0',
                                   '0x1.eb851eb851eb8p-2', '0x1.0369d0369d037p-1'],
}  # fmt: skip


@pytest.mark.parametrize("key", list(BEFORE))
def test_a_net_without_batch_norm_gives_the_same_numbers_as_before(key):
    data, hidden, activation = key
    net = network(data, hidden=hidden, activation=activation, seed=3, l2=0.01)
    assert network(data, hidden=hidden, activation=activation, seed=3, l2=0.01,
                   batchnorm=False) is net  # fmt: skip
    theta = net.init_params() + 0.1 * np.random.default_rng(5).standard_normal(net.D)
    v = np.random.default_rng(6).standard_normal(net.D)
    index = np.arange(0, net.n_train, 3)
    got = [net.loss(theta), net.grad(theta) @ v, net.batch_grad(theta, index) @ v,
           net.hvp(theta, v) @ v, net.accuracy(theta), net.accuracy(theta, "train")]  # fmt: skip
    expected = [float.fromhex(h) for h in BEFORE[key]]
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=0)


def test_a_sweep_with_mini_batches_is_each_setting_run_alone():
    net = network("moons", hidden=(6,), batchnorm=True)
    values = np.array([0.05, 0.5, 5.0])
    sweep = optim_core.sweep("adam", net, net.init_params(), 40, {"lr": values},
                             batch_size=16, seed=4)  # fmt: skip
    for k, lr in enumerate(values):
        run = optim_core.run("adam", net, net.init_params(), 40, lr=lr, batch_size=16, seed=4,
                             record="final")  # fmt: skip
        assert sweep.final_loss[k] == pytest.approx(float(run.final_loss), rel=1e-12)
        assert sweep.diverged_step[k] == run.diverged_step
    with pytest.raises(ValueError, match=r"batch_size must be an integer in \[1, 150\]"):
        optim_core.sweep("sgd", net, net.init_params(), 5, {"lr": values}, batch_size=0)
