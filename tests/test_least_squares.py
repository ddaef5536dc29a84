"""Gauss–Newton and Levenberg–Marquardt (optim_core/methods) on the sums of squares:
against scipy.optimize.least_squares, their own promises, and where they refuse to run."""

import numpy as np
import pytest
import scipy.optimize

import optim_core
import surfaces


def _steps_to(path, point, tol=1e-6):
    close = np.hypot(*(path - point).T) < tol
    return int(np.argmax(close)) if close.any() else None


def _scipy_lm(surface, start):
    def residuals(w):
        return surface.residuals(np.asarray(w, dtype=float))[0]

    def jacobian(w):
        return surface.residuals(np.asarray(w, dtype=float))[1]

    return scipy.optimize.least_squares(residuals, start, jac=jacobian, method="lm")


@pytest.mark.parametrize("name", ["gauss_newton", "levenberg_marquardt"])
@pytest.mark.parametrize(("surface_name", "start"), [("rosenbrock", [-1.2, 1.0]),
                                                     ("booth", [-8.0, 8.0])])  # fmt: skip
def test_they_reach_the_minimum_like_scipys_lm(name, surface_name, start):
    surface = surfaces.get(surface_name)
    result = _scipy_lm(surface, start)
    minimizer = surface.minimizers[0]
    np.testing.assert_allclose(result.x, minimizer, atol=1e-6)
    traj = optim_core.run(name, surface, start, 60)
    ours = _steps_to(traj.path, minimizer)
    # one step is one evaluation of r and J (scipy's nfev counts its trials of r)
    assert ours is not None and ours <= 1.5 * result.nfev, (ours, result.nfev)
    assert traj.converged_step >= 0


def test_gauss_newton_solves_a_quadratic_in_one_step():
    # f = ‖r‖² with r linear in w: the Gauss–Newton model is f itself
    surface = surfaces.get("quadratic", kappa=50, angle=30)
    traj = optim_core.run("gauss_newton", surface, [-4.5, 3.0], 3)
    np.testing.assert_allclose(traj.path[1:], 0.0, atol=1e-12)


def test_levenberg_marquardt_rejects_a_bad_trial_stays_and_grows_its_damping():
    # From Rosenbrock's classic start the Gauss–Newton step lands at (1, −3.84), where
    # f is 2,342 (it was 24.2): the trial is rejected, λ grows by ν = 2, then 4, …
    traj = optim_core.run("levenberg_marquardt", "rosenbrock", [-1.2, 1.0], 30)
    accepted, lam = traj.state["accepted"], traj.state["lam"]
    assert accepted[1] == 0.0 and traj.state["gain"][1] < 0
    np.testing.assert_array_equal(traj.path[1], traj.path[0])
    assert lam[1] == pytest.approx(2e-3) and traj.state["nu"][1] == 4.0
    # a taken step: the damping shrinks (ϱ near 1: by 3) and ν returns to 2
    k = int(np.argmax(accepted[1:] == 1.0)) + 1
    assert not np.array_equal(traj.path[k], traj.path[k - 1])
    assert lam[k] < lam[k - 1] and traj.state["nu"][k] == 2.0
    np.testing.assert_array_equal(traj.state["f_evals"][1:3], [2.0, 1.0])


def test_a_batch_of_levenberg_marquardt_runs_is_its_single_runs():
    starts = np.random.default_rng(5).uniform(-4, 4, (9, 2))
    batch = optim_core.run("levenberg_marquardt", "himmelblau", starts, 40, damping=0.5)
    for i, start in enumerate(starts):
        one = optim_core.run("levenberg_marquardt", "himmelblau", start, 40, damping=0.5)
        np.testing.assert_array_equal(batch.path[:, i], one.path)


@pytest.mark.parametrize("name", ["gauss_newton", "levenberg_marquardt"])
def test_they_refuse_surfaces_without_residuals_noise_and_batches(name):
    title = optim_core.get_optimizer(name).title
    with pytest.raises(ValueError, match=f"{title} needs a sum of squares .*Saddle does not "
                                         r"\(those that do: Rosenbrock, "):  # fmt: skip
        optim_core.run(name, "saddle", [-1.0, 0.1], 5)
    with pytest.raises(ValueError, match="gradient noise does not apply"):
        optim_core.run(name, "rosenbrock", [-1.2, 1.0], 5, noise_eta=0.1)
    with pytest.raises(ValueError, match="takes no mini-batches"):
        optim_core.run(name, "linear_regression", [0.0, 0.0], 5, batch_size=5)
    assert optim_core.unavailable(name, "linear_regression") is None
    assert optim_core.unavailable("adam", "saddle", noise=True) is None


@pytest.mark.parametrize("value", [0.0, -1.0, float("inf"), float("nan")])
def test_a_damping_outside_its_range_is_refused_by_name(value):
    with pytest.raises(ValueError, match=r"damping must be a finite number > 0"):
        optim_core.run("levenberg_marquardt", "rosenbrock", [-1.2, 1.0], 5, damping=value)
