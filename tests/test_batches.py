"""Data surfaces and real mini-batches: the losses against plain per-example loops, batch
gradients against the full gradient, and runs against a plain loop over the batches."""

from __future__ import annotations

import math

import numpy as np
import pytest

import optim_core
import surfaces
from optim_core.runner import batch_indices
from surfaces.data import L2

DATA = surfaces.data_names()


# ---------------------------------------------------------------- plain per-example loops


def plain_loss(surface, w):
    data, total = surface.data, 0.0
    for x, y in zip(data.inputs.tolist(), data.targets.tolist(), strict=True):
        if data.kind == "sparse_regression":  # ŷ = w·x
            total += (w[0] * x[0] + w[1] * x[1] - y) ** 2
        elif data.kind == "regression":  # a line: ŷ = w x + b
            total += (w[0] * x + w[1] - y) ** 2
        else:
            total += math.log1p(math.exp(-y * (w[0] * x[0] + w[1] * x[1])))
    loss = total / data.n
    return loss if data.kind != "classification" else loss + L2 / 2 * (w[0] ** 2 + w[1] ** 2)


def plain_grad(surface, w, examples):
    """The gradient of the mean loss over ``examples`` (indices), one example at a time."""
    data, gx, gy = surface.data, 0.0, 0.0
    for i in examples:
        x, y = data.inputs[i].tolist(), float(data.targets[i])
        if data.kind == "sparse_regression":  # ŷ = w·x
            r = w[0] * x[0] + w[1] * x[1] - y
            gx, gy = gx + 2 * r * x[0], gy + 2 * r * x[1]
        elif data.kind == "regression":  # a line: ŷ = w x + b
            r = w[0] * x + w[1] - y
            gx, gy = gx + 2 * r * x, gy + 2 * r
        else:
            s = 1 / (1 + math.exp(y * (w[0] * x[0] + w[1] * x[1])))  # σ(−y w·x)
            gx, gy = gx - s * y * x[0], gy - s * y * x[1]
    g = [gx / len(examples), gy / len(examples)]
    if data.kind == "classification":
        g = [g[0] + L2 * w[0], g[1] + L2 * w[1]]
    return g


def random_points(surface, k=6, seed=0):
    (x0, x1), (y0, y1) = surface.domain
    rng = np.random.default_rng(seed)
    return np.column_stack([rng.uniform(x0, x1, k), rng.uniform(y0, y1, k)])


@pytest.mark.parametrize("name", DATA)
def test_loss_gradient_and_hessian_match_the_data(name):
    surface = surfaces.get(name, n=25, seed=4)
    assert surface.data.n == 25
    everyone = range(surface.data.n)
    for w in random_points(surface).tolist():
        assert surface.f(w) == pytest.approx(plain_loss(surface, w), rel=1e-12)
        np.testing.assert_allclose(surface.grad(w), plain_grad(surface, w, everyone),
                                   rtol=1e-10, atol=1e-12)  # fmt: skip
        h = 1e-5  # the Hessian: central differences of the exact gradient
        columns = [(surface.grad(np.add(w, d)) - surface.grad(np.subtract(w, d))) / (2 * h)
                   for d in ([h, 0], [0, h])]  # fmt: skip
        np.testing.assert_allclose(surface.hessian(w), np.column_stack(columns), rtol=1e-6,
                                   atol=1e-8)  # fmt: skip


@pytest.mark.parametrize("name", DATA)
def test_the_marked_minimizer_is_the_minimum(name):
    surface = surfaces.get(name)
    best = surface.minimizers[0]
    assert np.hypot(*surface.grad(best)) < 1e-10
    assert surface.min_value == surface.f(best)
    assert np.all(np.linalg.eigvalsh(surface.hessian(best)) > 0)
    assert np.all(surface.f(random_points(surface, 200)) > surface.min_value)


@pytest.mark.parametrize("name", DATA)
def test_the_data_comes_from_n_and_the_seed(name):
    a, b = surfaces.get(name, n=30, seed=1), surfaces.get(name, n=30, seed=1)
    np.testing.assert_array_equal(a.data.inputs, b.data.inputs)
    other = surfaces.get(name, n=30, seed=2)
    assert not np.array_equal(a.data.inputs, other.data.inputs)
    assert surfaces.get(name, n=7).data.n == 7 and surfaces.get(name).params["n"] == 40
    for bad in ({"n": 1}, {"n": 2.5}, {"n": surfaces.MAX_EXAMPLES + 1}, {"seed": -1}):
        with pytest.raises(ValueError, match=f"{name} parameter {next(iter(bad))} must be"):
            surfaces.get(name, **bad)


# ---------------------------------------------------------------- batch gradients


@pytest.mark.parametrize("name", DATA)
def test_a_batch_gradient_is_the_mean_over_its_examples(name):
    surface = surfaces.get(name)
    points = random_points(surface)
    for examples in ([3], [0, 5, 9], list(range(0, 40, 3))):
        got = surface.data.batch_grad(points, np.array(examples))
        want = [plain_grad(surface, w, examples) for w in points.tolist()]
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", DATA)
def test_all_examples_in_one_batch_give_the_full_gradient(name):
    surface = surfaces.get(name)
    points = random_points(surface)
    full = surface.data.batch_grad(points, np.arange(surface.data.n))
    np.testing.assert_allclose(full, surface.grad(points), rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("name", DATA)
@pytest.mark.parametrize("batch_size", [1, 4, 8, 7])
def test_an_epochs_batches_average_to_the_full_gradient(name, batch_size):
    surface = surfaces.get(name)
    n, points = surface.data.n, random_points(surface)
    order = batch_indices(n, batch_size, seed=5)
    epoch = [next(order) for _ in range(math.ceil(n / batch_size))]
    assert sorted(np.concatenate(epoch).tolist()) == list(range(n))  # each example once
    assert [len(b) for b in epoch[:-1]] == [batch_size] * (len(epoch) - 1)
    # weighted by size (the last batch is smaller when B does not divide n)
    mean = sum(len(b) * surface.data.batch_grad(points, b) for b in epoch) / n
    np.testing.assert_allclose(mean, surface.grad(points), rtol=1e-11, atol=1e-12)


def test_every_epoch_is_a_new_shuffle_from_the_seed():
    order = batch_indices(40, 40, seed=0)
    first, second = next(order), next(order)
    assert sorted(first.tolist()) == sorted(second.tolist()) == list(range(40))
    assert not np.array_equal(first, second)
    again = batch_indices(40, 40, seed=0)
    np.testing.assert_array_equal(next(again), first)


# ---------------------------------------------------------------- runs


def plain_run(surface, name, start, steps, batch_size, seed, lr, beta1=0.9, beta2=0.999,
              eps=1e-8):  # fmt: skip
    """SGD or Adam (the cheat sheet's) over the same batches, a plain loop."""
    order = batch_indices(surface.data.n, batch_size, seed)
    w, m, v, path = list(start), [0.0, 0.0], [0.0, 0.0], [list(start)]
    for t in range(1, steps + 1):
        g = plain_grad(surface, w, next(order).tolist())
        for k in range(2):
            if name == "sgd":
                w[k] -= lr * g[k]
            else:
                m[k] = beta1 * m[k] + (1 - beta1) * g[k]
                v[k] = beta2 * v[k] + (1 - beta2) * g[k] ** 2
                mhat, vhat = m[k] / (1 - beta1**t), v[k] / (1 - beta2**t)
                w[k] -= lr * mhat / (math.sqrt(vhat) + eps)
        path.append(list(w))
    return np.array(path)


@pytest.mark.parametrize("name", DATA)
@pytest.mark.parametrize("optimizer,lr", [("sgd", 0.02), ("adam", 0.05)])
@pytest.mark.parametrize("batch_size", [1, 5])
def test_a_batched_run_equals_a_plain_loop_over_the_batches(name, optimizer, lr, batch_size):
    surface = surfaces.get(name)
    start = surface.default_start.tolist()
    tr = optim_core.run(optimizer, name, start, 120, lr=lr, batch_size=batch_size, seed=2)
    want = plain_run(surface, optimizer, start, 120, batch_size, 2, lr)
    np.testing.assert_allclose(tr.path, want, rtol=1e-9, atol=1e-11)
    assert tr.batch == (batch_size, 2)


@pytest.mark.parametrize("name", DATA)
def test_batch_size_n_is_the_full_gradient_exactly(name):
    start = surfaces.get(name).default_start
    full = optim_core.run("momentum", name, start, 200, lr=0.02)
    whole = optim_core.run("momentum", name, start, 200, lr=0.02, batch_size=40, seed=9)
    np.testing.assert_array_equal(whole.path, full.path)
    assert whole.batch is None


def test_the_same_seed_gives_the_same_run_and_every_start_the_same_batches():
    starts = np.array([[-1.0, 2.5], [-1.0, 2.5], [4.0, -4.0]])
    a = optim_core.run("sgd", "linear_regression", starts, 100, lr=0.02, batch_size=3, seed=1)
    b = optim_core.run("sgd", "linear_regression", starts, 100, lr=0.02, batch_size=3, seed=1)
    c = optim_core.run("sgd", "linear_regression", starts, 100, lr=0.02, batch_size=3, seed=2)
    np.testing.assert_array_equal(a.path, b.path)
    np.testing.assert_array_equal(a.path[:, 0], a.path[:, 1])  # one start, one data order
    assert not np.array_equal(a.path, c.path)


def test_sgd_zig_zags_on_small_batches_and_not_on_the_full_data():
    """What a user sees: with one example a step, the full loss goes up again and again
    and the run ends in a cloud around the minimum; on all the data it only goes down."""
    surface = surfaces.get("linear_regression")
    start = surface.default_start
    full = optim_core.run("sgd", surface, start, 400, lr=0.05)
    single = optim_core.run("sgd", surface, start, 400, lr=0.05, batch_size=1, seed=0)
    assert np.all(np.diff(full.loss) <= 0)
    assert np.sum(np.diff(single.loss) > 0) > 50
    assert full.converged_step >= 0
    tail = single.path[300:]  # it wanders around the minimum, it does not settle there
    spread = np.hypot(*(tail - tail.mean(axis=0)).T).mean()
    assert spread > 10 * np.hypot(*(full.path[-1] - surface.minimizers[0]))


def test_batch_size_is_refused_on_surfaces_without_data_and_out_of_range():
    with pytest.raises(ValueError, match="batch_size: beale is not a data surface"):
        optim_core.run("sgd", "beale", (1.0, 1.0), 10, batch_size=4)
    for bad in (0, 41, 2.5, True, "4"):
        with pytest.raises(ValueError, match=r"batch_size must be an integer in \[1, 40\]"):
            optim_core.run("sgd", "linear_regression", (0.0, 0.0), 10, batch_size=bad)
    with pytest.raises(ValueError, match="seed must be an integer >= 0"):
        optim_core.run("sgd", "linear_regression", (0.0, 0.0), 10, batch_size=4, seed=-1)


def test_batches_and_noise_together_are_reproducible_and_differ_from_either():
    kw = dict(lr=0.02, seed=3)
    both = optim_core.run("sgd", "logistic_regression", (-2, 4), 50, batch_size=4,
                          noise_eta=0.1, **kw)  # fmt: skip
    again = optim_core.run("sgd", "logistic_regression", (-2, 4), 50, batch_size=4,
                           noise_eta=0.1, **kw)  # fmt: skip
    batches = optim_core.run("sgd", "logistic_regression", (-2, 4), 50, batch_size=4, **kw)
    np.testing.assert_array_equal(both.path, again.path)
    assert not np.allclose(both.path, batches.path)
