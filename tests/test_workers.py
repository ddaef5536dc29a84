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
