"""Many workers, first step: stale gradients (run(..., delay=τ) and delay_max=τ_max), as
an asynchronous parameter server gives them."""

import math

import numpy as np
import pytest

import optim_core
import surfaces

FIRST_ORDER = ["sgd", "momentum", "nag", "adagrad", "rmsprop", "adadelta", "adam", "adamax",
               "nadam", "amsgrad", "radam", "adamw"]  # fmt: skip


@pytest.mark.parametrize("name", FIRST_ORDER)
def test_a_delay_of_zero_is_the_ordinary_run_bit_for_bit(name):
    starts = np.array([[-1.2, 1.0], [0.5, 2.0]])
    lr = {} if name == "adadelta" else {"lr": 1e-3}  # (the cheat sheet's Adadelta has no α)
    plain = optim_core.run(name, "rosenbrock", starts, 200, **lr)
    for kw in ({"delay": 0}, {"delay_max": 0}):
        again = optim_core.run(name, "rosenbrock", starts, 200, **lr, **kw)
        np.testing.assert_array_equal(again.path, plain.path)
        assert again.delay is None


def _stale_sgd(surface, start, steps, lr, delays):
    """Plain loop: w_t = w_{t−1} − α ∇f(w_{max(0, t−1−τ_t)})."""
    path = [np.array(start, dtype=float)]
    for t in range(1, steps + 1):
        old = path[max(0, t - 1 - delays[t - 1])]
        path.append(path[-1] - lr * surface.grad(old))
    return np.array(path)


def _stale_adam(surface, start, steps, lr, delays, b1=0.9, b2=0.999, eps=1e-8):
    w, m, v, path = np.array(start, dtype=float), 0.0, 0.0, [np.array(start, dtype=float)]
    for t in range(1, steps + 1):
        g = surface.grad(path[max(0, t - 1 - delays[t - 1])])
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        w = w - lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps)
        path.append(w)
    return np.array(path)


@pytest.mark.parametrize("tau", [1, 3])
def test_a_fixed_delay_is_a_plain_loop_over_stale_parameters(tau):
    surface = surfaces.get("beale")
    start = (1.0, 1.4)
    run = optim_core.run("sgd", surface, start, 150, lr=0.01, delay=tau)
    np.testing.assert_allclose(run.path, _stale_sgd(surface, start, 150, 0.01, [tau] * 150),
                               rtol=1e-13, atol=1e-15)  # fmt: skip
    adam = optim_core.run("adam", surface, start, 150, lr=0.01, delay=tau)
    np.testing.assert_allclose(adam.path, _stale_adam(surface, start, 150, 0.01, [tau] * 150),
                               rtol=1e-12, atol=1e-14)  # fmt: skip
    assert run.delay == (tau, None, 0)


def test_a_random_delay_draws_each_steps_tau_from_the_seed_the_same_for_every_start():
    surface = surfaces.get("himmelblau")
    starts = np.array([[0.0, 0.0], [1.0, -2.0], [-3.0, 2.5]])
    rng = np.random.default_rng([7, 2])  # the stream the runner draws the delays from
    delays = [int(rng.integers(0, 5)) for _ in range(120)]
    assert len(set(delays)) == 5
    many = optim_core.run("sgd", surface, starts, 120, lr=0.005, delay_max=4, seed=7)
    for i, start in enumerate(starts):
        np.testing.assert_allclose(many.path[:, i], _stale_sgd(surface, start, 120, 0.005,
                                                               delays), rtol=1e-13)  # fmt: skip
        one = optim_core.run("sgd", surface, start, 120, lr=0.005, delay_max=4, seed=7)
        np.testing.assert_array_equal(one.path, many.path[:, i])
    other = optim_core.run("sgd", surface, starts, 120, lr=0.005, delay_max=4, seed=8)
    assert not np.array_equal(other.path, many.path)


@pytest.mark.parametrize("tau", [0, 1, 2, 4])
def test_delayed_sgd_on_a_round_bowl_is_stable_exactly_below_its_bound(tau):
    # f = ½|w|² (L = 1): w_t = w_{t−1} − α w_{t−1−τ} is stable iff the roots of
    # z^(τ+1) − z^τ + α lie inside the unit circle: α < 2 sin(π / (2(2τ + 1)))
    bound = 2 * math.sin(math.pi / (2 * (2 * tau + 1)))
    assert bound == pytest.approx({0: 2.0, 1: 1.0, 2: 0.618034, 4: 0.347296}[tau], abs=1e-6)
    roots = np.roots([1, -1] + [0] * (tau - 1) + [bound]) if tau else np.array([1 - bound])
    assert np.max(np.abs(roots)) == pytest.approx(1.0, abs=1e-9)  # on the boundary
    bowl = surfaces.get("quadratic", kappa=1)
    inside = optim_core.run("sgd", bowl, (1.0, 0.5), 4000, lr=0.97 * bound, delay=tau)
    outside = optim_core.run("sgd", bowl, (1.0, 0.5), 4000, lr=1.03 * bound, delay=tau)
    assert not inside.diverged and np.linalg.norm(inside.final_point) < 1e-6
    assert outside.diverged or np.linalg.norm(outside.final_point) > 1e3


def test_bad_delays_are_named():
    with pytest.raises(ValueError, match=r"delay must be an integer in \[0, 100\]; got -1"):
        optim_core.run("sgd", "beale", (1, 1), 5, delay=-1)
    with pytest.raises(ValueError, match=r"delay_max must be an integer in \[0, 100\]; got 2.5"):
        optim_core.run("sgd", "beale", (1, 1), 5, delay_max=2.5)
    with pytest.raises(ValueError, match="not both"):
        optim_core.run("sgd", "beale", (1, 1), 5, delay=1, delay_max=2)
    for name in ("bfgs", "newton", "sgd_armijo"):
        with pytest.raises(ValueError, match="stale gradients are for the first-order"):
            optim_core.run(name, "beale", (1, 1), 5, delay=1)


def test_an_export_carries_the_delay_and_re_runs_the_same_path():
    import json

    run = optim_core.run("adam", "himmelblau", (0.0, 0.0), 80, lr=0.05, delay_max=3, seed=4)
    saved = json.loads(optim_core.export.to_json([run]))["runs"][0]
    assert {k: saved["options"][k] for k in ("delay_max", "seed")} == {"delay_max": 3, "seed": 4}
    again = optim_core.run("adam", "himmelblau", saved["start"], saved["steps"],
                           **saved["hyperparams"], **saved["options"])  # fmt: skip
    np.testing.assert_array_equal(again.path, run.path)


# ---------------------------------------------------------------- run_workers


def _noise(rng, t, shape, eta, gamma=0.55):
    return math.sqrt(eta / (1 + t) ** gamma) * rng.standard_normal(shape) if eta else 0.0


def _easgd_loop(surface, x, steps, lr, rho, momentum=None):
    """EASGD (momentum None) or EAMSGD without noise, from the paper's rules step by step."""
    a = lr * rho
    x = np.array(x, dtype=float)
    centre, v, out = x.mean(axis=0), np.zeros_like(x), [(x.copy(), x.mean(axis=0))]
    for _ in range(steps):
        new = x.copy()
        for i in range(len(x)):  # worker by worker (the runner: all at once)
            at = x[i] + (momentum * v[i] if momentum is not None else 0.0)
            g = surface.grad(at)
            if momentum is None:
                new[i] = x[i] - lr * g - a * (x[i] - centre)
            else:
                v[i] = momentum * v[i] - lr * g
                new[i] = x[i] + v[i] - a * (x[i] - centre)
        centre = centre + a * (x - centre).sum(axis=0)
        x = new
        out.append((x.copy(), centre.copy()))
    return out


def _downpour_loop(surface, start, K, steps, lr, push, fetch, server, eta, seed, eps=1e-7):
    rng = np.random.default_rng([seed, 3])
    theta = np.array(start, dtype=float)
    local = [theta.copy() for _ in range(K)]
    acc = [np.zeros(2) for _ in range(K)]
    sq, centres, paths = np.zeros(2), [theta.copy()], [np.array(local)]
    for t in range(1, steps + 1):
        noise = _noise(rng, t, (K, 2), eta)
        for k in range(K):  # Dean et al.'s client: a gradient at its copy, a local step
            g = surface.grad(local[k]) + (noise[k] if eta else 0.0)
            local[k] = local[k] - lr * g
            acc[k] = acc[k] + g
        for k in rng.permutation(K):  # the server: each push as it arrives
            if (t - 1 - k) % push == 0:
                if server == "sgd":
                    theta = theta - lr * acc[k]
                else:  # AdaGrad, the race's form: ε inside the root
                    sq = sq + acc[k] ** 2
                    theta = theta - lr * acc[k] / np.sqrt(sq + eps)
                acc[k] = np.zeros(2)
        paths.append(np.array(local))  # a worker's path: its copy before the fetch
        for k in range(K):
            if (t - k) % fetch == 0:
                local[k] = theta.copy()
        centres.append(theta.copy())
    return np.array(centres), np.array(paths)


def test_one_worker_is_sgd_in_every_scheme():
    sgd = optim_core.run("sgd", "himmelblau", (0.0, 0.0), 200, lr=0.01)
    easgd = optim_core.run_workers("easgd", "himmelblau", (0.0, 0.0), 200, workers=1,
                                   lr=0.01, rho=0.0)  # fmt: skip
    downpour = optim_core.run_workers("downpour", "himmelblau", (0.0, 0.0), 200, workers=1,
                                      lr=0.01)  # fmt: skip
    np.testing.assert_allclose(easgd.paths[:, 0], sgd.path, rtol=1e-14)
    np.testing.assert_allclose(downpour.center, sgd.path, rtol=1e-14)


@pytest.mark.parametrize("momentum", [None, 0.9])
def test_easgd_and_eamsgd_follow_their_rules(momentum):
    surface = surfaces.get("himmelblau")
    starts = np.array([[0.0, 0.0], [1.0, 1.0], [-1.0, 2.0], [2.0, -2.0]])
    scheme = "easgd" if momentum is None else "eamsgd"
    run = optim_core.run_workers(scheme, surface, starts, 150, workers=4, lr=0.01, rho=5.0,
                                 momentum=momentum or 0.9)  # fmt: skip
    loop = _easgd_loop(surface, starts, 150, 0.01, 5.0, momentum)
    for t in (1, 2, 50, 150):
        np.testing.assert_allclose(run.paths[t], loop[t][0], rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(run.center[t], loop[t][1], rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("server", ["sgd", "adagrad"])
def test_downpour_follows_its_rule_with_noise_staggered_pushes_and_fetches(server):
    surface = surfaces.get("himmelblau")
    lr = 0.01 if server == "sgd" else 0.05
    run = optim_core.run_workers("downpour", surface, (0.0, 0.0), 120, workers=3, lr=lr,
                                 push=2, fetch=3, server=server, noise_eta=0.5, seed=5)
    assert not run.diverged
    centres, paths = _downpour_loop(surface, (0.0, 0.0), 3, 120, lr, 2, 3, server, 0.5, 5)
    np.testing.assert_allclose(run.center, centres, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(run.paths, paths, rtol=1e-12, atol=1e-14)
    assert np.abs(run.paths[1:] - run.center[1:, None]).max() > 0.01  # the copies apart
    again = optim_core.run_workers("downpour", surface, (0.0, 0.0), 120, workers=3, lr=lr,
                                   push=2, fetch=3, server=server, noise_eta=0.5, seed=5)
    np.testing.assert_array_equal(again.center, run.center)  # same seed, same run
    other = optim_core.run_workers("downpour", surface, (0.0, 0.0), 120, workers=3, lr=lr,
                                   push=2, fetch=3, server=server, noise_eta=0.5, seed=6)
    assert not np.array_equal(other.center, run.center)


def test_easgd_workers_explore_basins_while_the_center_sits_between_them():
    surface = surfaces.get("himmelblau")
    starts = np.array([[0.0, 0.0], [1.0, 1.0], [-1.0, 2.0], [2.0, -2.0]])
    run = optim_core.run_workers("easgd", surface, starts, 300, workers=4, lr=0.01, rho=5.0)
    nearest = optim_core.nearest_minimizer_distance
    assert len({tuple(np.round(p, 1)) for p in run.paths[-1]}) >= 2  # more than one basin
    assert nearest(surface, run.center[-1][None])[0] > 1.0  # the center: between minima
    assert run.center_loss[-1] > run.loss[-1].max()  # at a worse point than every worker


def test_bad_worker_values_are_named():
    with pytest.raises(ValueError, match=r"scheme must be one of \['easgd', 'eamsgd'"):
        optim_core.run_workers("hogwild?", "beale", (1, 1), 5)
    with pytest.raises(ValueError, match=r"workers must be an integer in \[1, 16\]; got 17"):
        optim_core.run_workers("easgd", "beale", (1, 1), 5, workers=17)
    with pytest.raises(ValueError, match=r"push must be an integer in \[1, 100\]; got 0"):
        optim_core.run_workers("downpour", "beale", (1, 1), 5, push=0)
    with pytest.raises(ValueError, match="must be at most 1"):
        optim_core.run_workers("easgd", "beale", (1, 1), 5, workers=4, lr=0.1, rho=5)
    with pytest.raises(ValueError, match=r"start must be one point \(2,\) or one per worker"):
        optim_core.run_workers("easgd", "beale", np.zeros((3, 2)), 5, workers=4)


def test_the_stability_map_of_delayed_sgd_follows_the_exact_bound():
    from optim_core import workers

    taus, alphas = [0, 1, 2, 4, 8], np.geomspace(0.05, 2.5, 30)
    outcome = workers.delay_stability(taus, alphas)
    for row, bound in zip(outcome, workers.delay_bound(taus), strict=True):
        assert np.all(row[alphas < 0.97 * bound] == 1)  # converged inside
        assert np.all(row[alphas > 1.03 * bound] == -1)  # diverged outside


# ---------------------------------------------------------------- the page's core


def _own_batches(n, batch_size, seed, k):
    """Worker k's stream, transcribed: a permutation of the n examples an epoch, from
    its own generator (seed, 4, k), cut into batches of B."""
    rng = np.random.default_rng([seed, 4, k])
    while True:
        epoch = rng.permutation(n)
        for lo in range(0, n, batch_size):
            yield epoch[lo : lo + batch_size]


@pytest.mark.parametrize("surface_name", ["linear_regression", "logistic_regression"])
def test_downpour_workers_take_their_own_mini_batches(surface_name):
    surface = surfaces.get(surface_name)
    data, K, B, lr, T = surface.data, 3, 7, 0.05, 60
    start = surface.starts[0]
    run = optim_core.run_workers("downpour", surface, start, T, workers=K, lr=lr, push=2,
                                 fetch=3, batch_size=B, seed=9)  # fmt: skip
    streams = [_own_batches(data.n, B, 9, k) for k in range(K)]
    theta = np.array(start, dtype=float)
    local = [theta.copy() for _ in range(K)]
    acc = [np.zeros(2) for _ in range(K)]
    order = np.random.default_rng([9, 3])  # the arrival order's stream
    for t in range(1, T + 1):
        for k in range(K):  # each worker: its own batch, at its own copy
            index = next(streams[k])
            x, y = data.inputs[index], data.targets[index]
            w = local[k]
            if data.kind == "regression":  # ∇ mean (w x + b − y)²
                r = w[0] * x + w[1] - y
                g = np.array([2 * np.mean(r * x), 2 * np.mean(r)])
            else:  # ∇ mean log(1 + e^(−y w·x)) + (λ/2)|w|²
                z = y[:, None] * x
                s = 1 / (1 + np.exp(z @ w))
                g = -(s @ z) / len(index) + surfaces.data.L2 * w
            local[k] = w - lr * g
            acc[k] = acc[k] + g
        for k in order.permutation(K):
            if (t - 1 - k) % 2 == 0:
                theta = theta - lr * acc[k]
                acc[k] = np.zeros(2)
        np.testing.assert_allclose(run.paths[t], np.array(local), rtol=1e-12, atol=1e-14)
        for k in range(K):
            if (t - k) % 3 == 0:
                local[k] = theta.copy()
        np.testing.assert_allclose(run.center[t], theta, rtol=1e-12, atol=1e-14)
    again = optim_core.run_workers("downpour", surface, start, T, workers=K, lr=lr, push=2,
                                   fetch=3, batch_size=B, seed=9)  # fmt: skip
    np.testing.assert_array_equal(again.paths, run.paths)
    full = optim_core.run_workers("downpour", surface, start, T, workers=K, lr=lr,
                                  batch_size=data.n)  # B = n: every worker's full gradient
    plain = optim_core.run_workers("downpour", surface, start, T, workers=K, lr=lr)
    np.testing.assert_array_equal(full.center, plain.center)


def test_a_batch_size_needs_a_data_surface_and_a_size_it_has():
    with pytest.raises(ValueError, match="batch_size: beale is not a data surface"):
        optim_core.run_workers("downpour", "beale", (1, 1), 5, batch_size=4)
    with pytest.raises(ValueError, match=r"batch_size must be an integer in \[1, 40\]; got 41"):
        optim_core.run_workers("downpour", "linear_regression", (1, 1), 5, batch_size=41)
    with pytest.raises(ValueError, match="noise_eta .* or batch_size .*, not both"):
        optim_core.run_workers("downpour", "linear_regression", (1, 1), 5, batch_size=4,
                               noise_eta=0.1)  # fmt: skip


@pytest.mark.parametrize("case", [
    ("himmelblau", (0.0, 0.0), {"lr": 0.01}),
    ("rosenbrock", (-1.2, 1.0), {"lr": 1e-3}),  # never arrives in 400 steps
    ("quadratic", (1.0, 0.5), {"lr": 1.9}),  # swings about the minimum, closing in
    ("himmelblau", (0.0, 0.0), {"lr": 0.01, "noise_eta": 0.2, "seed": 3}),  # in and out
])  # fmt: skip
def test_the_workers_verdict_on_a_path_is_the_runners(case):
    name, start, options = case
    traj = optim_core.run("sgd", name, start, 400, **options)
    assert optim_core.workers.converged_step(traj.surface, traj.path) == traj.converged_step


def test_serial_takes_the_same_gradients_in_one_process_by_the_servers_rule():
    run = optim_core.run_workers("downpour", "himmelblau", (0.0, 0.0), 50, workers=4,
                                 lr=0.005, noise_eta=0.3, seed=2)  # fmt: skip
    serial = optim_core.workers.serial(run)
    again = optim_core.run("sgd", "himmelblau", (0.0, 0.0), 200, lr=0.005, noise_eta=0.3,
                           noise_gamma=0.55, seed=2)  # fmt: skip
    assert serial.steps == run.gradients == 200 and serial.optimizer == "sgd"
    np.testing.assert_array_equal(serial.path, again.path)
    center, workers = run.trajectories()
    np.testing.assert_array_equal(center.path, run.center)
    np.testing.assert_array_equal(workers[3].path, run.paths[:, 3])
    assert center.converged_step == run.converged_step
    ada = optim_core.run_workers("downpour", "himmelblau", (0.0, 0.0), 50, workers=4,
                                 lr=0.05, server="adagrad")  # fmt: skip
    assert optim_core.workers.serial(ada).optimizer == "adagrad"


def test_one_worker_with_an_adagrad_server_is_adagrad_and_eamsgd_is_nesterov():
    adagrad = optim_core.run("adagrad", "himmelblau", (0.0, 0.0), 200, lr=0.05)
    one = optim_core.run_workers("downpour", "himmelblau", (0.0, 0.0), 200, workers=1,
                                 lr=0.05, server="adagrad")  # fmt: skip
    np.testing.assert_allclose(one.center, adagrad.path, rtol=1e-13, atol=1e-15)
    # EAMSGD, one worker, no pull: Sutskever's Nesterov, v ← δv − α∇f(x + δv), x ← x + v
    surface = surfaces.get("himmelblau")
    x, v, path = np.zeros(2), np.zeros(2), [np.zeros(2)]
    for _ in range(200):
        v = 0.9 * v - 0.002 * surface.grad(x + 0.9 * v)
        x = x + v
        path.append(x)
    eamsgd = optim_core.run_workers("eamsgd", surface, (0.0, 0.0), 200, workers=1,
                                    lr=0.002, rho=0.0, momentum=0.9)  # fmt: skip
    np.testing.assert_allclose(eamsgd.paths[:, 0], np.array(path), rtol=1e-13, atol=1e-15)


def test_a_worker_copy_that_leaves_the_box_is_a_divergence_the_run_names():
    # AdaGrad's server stays put, but each copy's own SGD step at α 0.5 is unstable here
    run = optim_core.run_workers("downpour", "linear_regression", (0.0, 0.0), 300,
                                 workers=8, lr=0.5, push=4, fetch=4, server="adagrad")
    assert run.diverged and run.extra["diverged_worker"] >= 0
    k, t = run.extra["diverged_worker"], run.diverged_step
    low, high = optim_core.divergence_box(run.surface)
    copy = run.paths[t, k]
    assert np.any((copy < low) | (copy > high))  # that copy is out; the server is not
    assert np.all((run.center[t] >= low) & (run.center[t] <= high))
    np.testing.assert_array_equal(run.paths[-1], run.paths[t])  # nothing moves after


def test_scattered_starts_lie_in_the_domain_and_follow_the_seed():
    surface = surfaces.get("himmelblau")
    a = optim_core.workers.scattered(surface, 16, seed=4)
    (x0, x1), (y0, y1) = surface.domain
    assert a.shape == (16, 2) and np.all((a[:, 0] >= x0) & (a[:, 0] <= x1))
    assert np.all((a[:, 1] >= y0) & (a[:, 1] <= y1))
    np.testing.assert_array_equal(a, optim_core.workers.scattered(surface, 16, seed=4))
    assert not np.array_equal(a, optim_core.workers.scattered(surface, 16, seed=5))
