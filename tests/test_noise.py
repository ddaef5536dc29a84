"""Gradient noise: N(0, σ_t² I) with σ_t² = η/(1 + t)^γ added to every gradient, each start
its own draw, reproducible from its seed."""

import numpy as np
import pytest

import optim_core
import surfaces


def _noise(traj, surface):
    """The noise each step's gradient carried: recorded gradient − exact gradient."""
    exact = surface.grad(traj.path[:-1])
    return traj.grads - exact


def test_noise_variance_follows_eta_over_one_plus_t_to_the_gamma():
    surface = surfaces.get("quadratic")
    starts = np.random.default_rng(1).uniform(-1, 1, size=(20_000, 2))
    eta, gamma = 0.5, 0.55
    traj = optim_core.run("sgd", surface, starts, 10, lr=1e-3, noise_eta=eta,
                          noise_gamma=gamma, seed=7)  # fmt: skip
    xi = _noise(traj, surface)  # (10, 20000, 2)
    for t in (1, 5, 10):
        assert xi[t - 1].var() == pytest.approx(eta / (1 + t) ** gamma, rel=0.03)
        assert abs(xi[t - 1].mean()) < 0.02
    # independent across starts and coordinates
    flat = xi.reshape(10, -1)
    assert abs(np.corrcoef(xi[:, :, 0].ravel(), xi[:, :, 1].ravel())[0, 1]) < 0.02
    assert abs(np.corrcoef(xi[:, 0::2, 0].ravel(), xi[:, 1::2, 0].ravel())[0, 1]) < 0.02
    assert flat.shape == (10, 40_000)


def test_the_same_seed_gives_the_same_run_and_another_seed_another():
    kw = dict(lr=0.01, noise_eta=0.3, seed=3)
    a = optim_core.run("adam", "saddle", [-1.5, 0.0], 50, **kw)
    b = optim_core.run("adam", "saddle", [-1.5, 0.0], 50, **kw)
    c = optim_core.run("adam", "saddle", [-1.5, 0.0], 50, **{**kw, "seed": 4})
    np.testing.assert_array_equal(a.path, b.path)
    assert not np.allclose(a.path, c.path)
    assert a.noise == (0.3, 0.55, 3)
    # noise moves a start sitting exactly on the saddle's stable line off it
    assert abs(a.path[-1, 1]) > 0 and optim_core.run("adam", "saddle", [-1.5, 0.0], 50,
                                                      lr=0.01).path[-1, 1] == 0  # fmt: skip


def test_no_noise_is_the_plain_run_and_bad_noise_is_a_clear_error():
    plain = optim_core.run("nag", "beale", [1.0, 1.4], 30)
    for eta in (None, 0.0):
        same = optim_core.run("nag", "beale", [1.0, 1.4], 30, noise_eta=eta, seed=5)
        np.testing.assert_array_equal(same.path, plain.path)
    with pytest.raises(ValueError, match=r"noise_eta must be a finite number >= 0; got -1"):
        optim_core.run("sgd", "beale", [1, 1], 5, noise_eta=-1)
    with pytest.raises(ValueError, match=r"noise_gamma must be a finite number >= 0"):
        optim_core.run("sgd", "beale", [1, 1], 5, noise_eta=0.1, noise_gamma=float("nan"))
    with pytest.raises(ValueError, match=r"seed must be an integer >= 0; got 1.5"):
        optim_core.run("sgd", "beale", [1, 1], 5, noise_eta=0.1, seed=1.5)
