"""The step sizes inside each step: read from the recorded state, they times each
optimizer's direction give back the step it took, in both conventions."""

import numpy as np
import pytest

import optim_core


def _direction(traj, k):
    """What step k's step size multiplies (k = 1..steps), from the recorded run."""
    name, hp, torch = traj.optimizer, traj.hyperparams, traj.convention == "pytorch"
    g = traj.grads[k - 1]
    if name in ("sgd", "adagrad", "rmsprop", "adadelta", "sgd_armijo"):
        return g
    m = traj.state["m"][k]
    if name == "momentum_armijo":  # along −m, or −g where −m pointed uphill (a restart)
        return g if traj.state["restarted"][k] else m
    if name in ("momentum", "nag"):
        return (g + hp["beta1"] * m) if (torch and name == "nag") else m
    b1 = hp["beta1"]
    m_hat = m / (1 - b1**k)
    if name == "amsgrad" and not torch:
        return m
    if name == "nadam" and not torch:
        return b1 * m_hat + (1 - b1) / (1 - b1**k) * g
    if name == "nadam":  # torch: μ-weighted m̂ from the recorded product of μ
        def mu(t):
            return b1 * (1 - 0.5 * 0.96 ** (t * 0.004))

        product = traj.state["mu_product"][k]
        return mu(k + 1) * m / (1 - product * mu(k + 1)) + (1 - mu(k)) * g / (1 - product)
    return m_hat  # adam, adamw, adamax, radam, torch's amsgrad


CASES = [(n, c) for c in optim_core.CONVENTIONS for n in optim_core.optimizer_names()
         if optim_core.get_optimizer(n, c).step_size is not None]  # fmt: skip


@pytest.mark.parametrize(("name", "convention"), CASES)
def test_step_size_times_direction_is_the_step_taken(name, convention):
    lr = {"lr": 0.01} if name != "adadelta" or convention == "pytorch" else {}
    traj = optim_core.run(name, "beale", [1.0, 1.4], 60, convention=convention, **lr)
    size = optim_core.effective_step_sizes(traj)
    assert size.shape == (60, 2)
    last = int(traj.diverged_step) if traj.diverged_step >= 0 else 61  # (frozen after)
    assert last > 5
    for k in range(1, last):
        step = traj.path[k] - traj.path[k - 1]
        if name == "adamw":  # the decay's pull is outside the normalised step
            hp = traj.hyperparams
            step = step + hp["lr"] * hp["weight_decay"] * traj.path[k - 1]
        np.testing.assert_allclose(-size[k - 1] * _direction(traj, k), step, rtol=1e-9,
                                   atol=1e-15)  # fmt: skip


def test_adagrads_steps_only_shrink_and_rmsprops_recover():
    ada = optim_core.effective_step_sizes(optim_core.run("adagrad", "booth", [-8, 8], 300,
                                                         lr=0.1))  # fmt: skip
    assert np.all(np.diff(ada, axis=0) <= 0)
    rms = optim_core.effective_step_sizes(optim_core.run("rmsprop", "booth", [-8, 8], 300,
                                                         lr=0.1))  # fmt: skip
    assert np.any(np.diff(rms, axis=0) > 0) and rms[-1].min() > 10 * ada[-1].max()


def test_newtons_methods_have_no_per_coordinate_step_size_and_finals_are_refused():
    assert optim_core.effective_step_sizes(optim_core.run("newton", "booth", [1, 1], 3)) is None
    with pytest.raises(ValueError, match="record='path'"):
        optim_core.effective_step_sizes(optim_core.run("adam", "booth", [1, 1], 3,
                                                       record="final"))  # fmt: skip
