"""BFGS and CG (optim_core/methods) against scipy.optimize and their own promises:
they reach the minimum like scipy's, a batch is its single runs, and what each step
cost is recorded."""

import numpy as np
import pytest
import scipy.optimize

import optim_core
import surfaces


def _steps_to(path, point, tol=1e-6):
    close = np.hypot(*(path - point).T) < tol
    return int(np.argmax(close)) if close.any() else None


def _rosenbrock_race(name, method, steps):
    """Our run from (−1.2, 1), the step it is within 1e-6 of (1, 1), and scipy's result
    with the same method from there."""
    surface = surfaces.get("rosenbrock")
    traj = optim_core.run(name, surface, [-1.2, 1.0], steps)
    result = scipy.optimize.minimize(lambda x: float(surface.f(x)), [-1.2, 1.0],
                                     jac=surface.grad, method=method, options={"gtol": 1e-9})
    assert result.success and np.allclose(result.x, 1.0, atol=1e-6)
    ours = _steps_to(traj.path, [1.0, 1.0])
    assert ours is not None and ours <= 1.5 * result.nit, (ours, result.nit)
    assert traj.converged_step >= 0
    # what it cost: one f and one ∇f at the start, then its line searches' evaluations
    f_evals, g_evals = traj.state["f_evals"][1:], traj.state["g_evals"][1:]
    assert f_evals[0] >= 2 and np.all(f_evals[:ours] >= 1)
    assert g_evals[0] >= 2 and np.all(g_evals[:ours] >= 1)
    assert np.all(traj.state["alpha"][1 : ours + 1] > 0)
    return traj, ours, result


def _batch_is_single_runs(name, surface, starts):
    batch = optim_core.run(name, surface, starts, 40)
    for i, start in enumerate(starts):
        one = optim_core.run(name, surface, start, 40)
        np.testing.assert_array_equal(batch.path[:, i], one.path)
        for key in one.state:
            np.testing.assert_array_equal(batch.state[key][:, i], one.state[key])


def test_bfgs_reaches_rosenbrocks_minimum_like_scipys_bfgs():
    traj, _, result = _rosenbrock_race("bfgs", "BFGS", 100)
    assert int(traj.state["f_evals"].sum()) <= 3 * result.nfev
    assert not traj.state["skipped"].any()


def test_a_batch_of_bfgs_runs_is_its_single_runs():
    _batch_is_single_runs("bfgs", "himmelblau", np.random.default_rng(0).uniform(-5, 5, (12, 2)))


def test_a_failed_line_search_is_recorded_and_the_start_stays():
    # at a minimum to machine precision the next search cannot decrease f (the camel's
    # gradient there is ~1e-10): it fails, the start stays, the record says from when
    traj = optim_core.run("bfgs", "six_hump_camel", [1.0, 0.5], 30)
    failed = traj.state["failed"]
    assert failed[-1] == 1.0
    k = int(np.argmax(failed == 1.0))
    np.testing.assert_array_equal(traj.path[k:], np.broadcast_to(traj.path[k - 1], traj.path[k:].shape))
    assert traj.converged_step >= 0  # (and it did converge: both are shown)


def test_a_bfgs_basin_map_runs_vectorized():
    m = optim_core.basin_map("bfgs", "himmelblau", 30, 60)
    reached = m.minimizer_index >= 0
    assert reached.mean() > 0.9
    assert len(np.unique(m.minimizer_index[reached])) == 4


def test_at_an_exact_stationary_point_bfgs_stays_without_a_failure():
    traj = optim_core.run("bfgs", "booth", [-8.0, 8.0], 30)  # g = 0 exactly at (1, 3)
    np.testing.assert_allclose(traj.path[-1], [1.0, 3.0], atol=1e-12)
    assert np.all(traj.state["g"][-1] == 0.0) and not traj.state["failed"].any()


def test_conjugate_gradient_reaches_rosenbrocks_minimum_like_scipys_cg():
    traj, ours, _ = _rosenbrock_race("cg", "CG", 200)
    # restarts (β = 0) happen, and are recorded; the first step is one
    restarted = traj.state["restarted"][1 : ours + 1]
    assert restarted[0] == 1.0 and 0 < restarted.sum() < ours


def test_a_batch_of_cg_runs_is_its_single_runs():
    _batch_is_single_runs("cg", "beale", np.random.default_rng(1).uniform(-3, 3, (10, 2)))


def test_lbfgs_reaches_rosenbrocks_minimum_like_scipys_lbfgs():
    traj, ours, result = _rosenbrock_race("lbfgs", "L-BFGS-B", 100)
    assert int(traj.state["f_evals"].sum()) <= 3 * result.nfev


@pytest.mark.parametrize("convention", optim_core.CONVENTIONS)
def test_a_batch_of_lbfgs_runs_is_its_single_runs(convention):
    starts = np.random.default_rng(2).uniform(-4, 4, (10, 2))
    batch = optim_core.run("lbfgs", "himmelblau", starts, 40, convention=convention,
                           memory=3)  # fmt: skip
    for i, start in enumerate(starts):
        one = optim_core.run("lbfgs", "himmelblau", start, 40, convention=convention, memory=3)
        np.testing.assert_array_equal(batch.path[:, i], one.path)


def test_lbfgs_keeps_its_last_m_steps_and_gradient_changes():
    surface = surfaces.get("beale")
    traj = optim_core.run("lbfgs", surface, [1.0, 1.5], 8, memory=2)
    S, Y = traj.state["S"], traj.state["Y"]
    assert S.shape == (9, 2, 2) and Y.shape == (9, 2, 2)
    assert not traj.state["skipped"].any() and not traj.state["failed"].any()
    steps = np.diff(traj.path, axis=0)  # s_t = w_{t+1} − w_t
    changes = np.diff(surface.grad(traj.path), axis=0)  # y_t = g_{t+1} − g_t
    for t in range(2, 9):  # after step t: the pairs of steps t − 1 and t, oldest first
        np.testing.assert_allclose(S[t], steps[t - 2 : t], rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(Y[t], changes[t - 2 : t], rtol=1e-9, atol=1e-12)
    np.testing.assert_array_equal(S[1, 0], 0.0)  # one pair after the first step
    # a longer memory is a different method from the third step on
    longer = optim_core.run("lbfgs", surface, [1.0, 1.5], 8, memory=10)
    np.testing.assert_array_equal(longer.path[:3], traj.path[:3])
    assert not np.allclose(longer.path[4:], traj.path[4:])


@pytest.mark.parametrize("value", [0, 101, 2.5, -1, float("nan"), True])
def test_a_memory_outside_its_range_is_refused_by_name(value):
    with pytest.raises(ValueError, match=r"memory must be a whole number in \[1, 100\]"):
        optim_core.run("lbfgs", "rosenbrock", [-1.2, 1.0], 5, memory=value)


def test_torchs_lbfgs_takes_no_step_at_a_stationary_point():
    # max|g| ≤ 1e-7 (torch's tolerance_grad): the step returns before it moves
    traj = optim_core.run("lbfgs", "booth", [1.0, 3.0], 5, convention="pytorch")
    np.testing.assert_array_equal(traj.path, np.broadcast_to([1.0, 3.0], (6, 2)))
    assert not traj.state["n_iter"].any()


@pytest.mark.parametrize("name", ["bfgs", "lbfgs", "cg"])
def test_with_an_exact_line_search_a_quadratic_takes_two_steps(name):
    # c₂ = 1e-6 asks for φ'(α) ≈ 0: on a quadratic the zoom's quadratic interpolation
    # finds the line's minimum itself. Then BFGS, L-BFGS and CG end in n = 2 steps
    # (conjugate directions), from a turned, ill-conditioned bowl where one step can't.
    surface = surfaces.get("quadratic", kappa=30, angle=35)
    traj = optim_core.run(name, surface, [-4.5, 3.0], 3, c1=1e-8, c2=1e-6)
    distance = np.hypot(*traj.path.T)
    assert distance[1] > 1.0 and distance[2] < 1e-12, distance
    assert not traj.state["failed"].any()


# ---------------------------------------------------------------- SGD and Momentum + Armijo


@pytest.mark.parametrize("name", ["sgd_armijo", "momentum_armijo"])
def test_armijo_never_lets_f_rise_where_plain_steps_of_that_alpha_diverge(name):
    plain = optim_core.run("sgd", "rosenbrock", [-1.2, 1.0], 300, lr=1.0)
    assert plain.diverged_step >= 0  # α = 1 is far too long for Rosenbrock
    traj = optim_core.run(name, "rosenbrock", [-1.2, 1.0], 300, lr=1.0)
    assert traj.diverged_step < 0
    assert np.all(np.diff(traj.loss) <= 0)  # sufficient decrease, every step
    alpha = traj.state["alpha"][1:]
    moved = alpha > 0
    k = np.log2(1.0 / alpha[moved])  # α = α₀ρᵏ with ρ = ½: whole numbers k
    np.testing.assert_array_equal(k, np.round(k))
    f_evals = traj.state["f_evals"][1:]
    np.testing.assert_array_equal(f_evals[moved], k + 1 + (np.arange(300) == 0)[moved])
    assert traj.loss[-1] < 0.1 * traj.loss[0]


def test_momentum_armijo_follows_minus_g_where_its_average_points_uphill():
    traj = optim_core.run("momentum_armijo", "beale", [1.0, 1.4], 200, lr=0.5)
    restarted = traj.state["restarted"][1:].astype(bool)
    assert 0 < restarted.sum() < 200
    for k in np.flatnonzero(restarted)[:5] + 1:  # the step went along −g
        step = traj.path[k] - traj.path[k - 1]
        g = traj.grads[k - 1]
        np.testing.assert_allclose(step, -traj.state["alpha"][k] * g, rtol=1e-12)


def test_a_failed_armijo_search_leaves_the_start_where_it_is():
    # at Rosenbrock's minimum to machine precision no step decreases f: the search fails
    traj = optim_core.run("momentum_armijo", "rosenbrock", [-1.2, 1.0], 2000, lr=1.0)
    failed = traj.state["failed"]
    assert failed[-1] == 1.0 and traj.converged_step >= 0
    k = int(np.argmax(failed == 1.0))
    np.testing.assert_array_equal(traj.path[k:], np.broadcast_to(traj.path[k - 1],
                                                                 traj.path[k:].shape))  # fmt: skip
    assert np.all(traj.state["f_evals"][k] == 20)


@pytest.mark.parametrize("name", ["sgd_armijo", "momentum_armijo"])
def test_a_batch_of_armijo_runs_is_its_single_runs(name):
    _batch_is_single_runs(name, "himmelblau", np.random.default_rng(4).uniform(-4, 4, (8, 2)))


def test_fletcher_reeves_is_selectable_and_slower_than_pr_plus_on_rosenbrock():
    surface = surfaces.get("rosenbrock")
    start = [-1.2, 1.0]
    pr = optim_core.run("cg", surface, start, 300)
    fr = optim_core.run("cg", surface, start, 300, beta_rule="FR")
    assert pr.hyperparams["beta_rule"] == "PR+" and fr.hyperparams["beta_rule"] == "FR"
    pr_steps, fr_steps = _steps_to(pr.path, [1.0, 1.0]), _steps_to(fr.path, [1.0, 1.0])
    assert pr_steps == 25 and fr_steps == 60  # (the numbers cg.py's docstring states)
    # its plain loop agrees (the same scipy line search, β = gᵀg / g_prevᵀg_prev)
    from tests.reference import cg_reference

    def f(w):
        return float(surface.f(np.array(w)))

    def grad(w):
        return surface.grad(np.array(w)).tolist()

    expected = np.array(cg_reference(f, grad, start, 80, beta_rule="FR"))
    np.testing.assert_allclose(fr.path[:81], expected, rtol=1e-6, atol=1e-12)


def test_an_unknown_choice_is_refused_with_the_choices():
    with pytest.raises(ValueError, match=r"beta_rule must be one of \['PR\+', 'FR'\]; got 'HS'"):
        optim_core.run("cg", "rosenbrock", [-1.2, 1.0], 5, beta_rule="HS")
    with pytest.raises(ValueError, match=r"beta_rule is not a hyperparameter of bfgs"):
        optim_core.run("bfgs", "rosenbrock", [-1.2, 1.0], 5, beta_rule="FR")


def test_a_batch_of_torchs_lbfgs_with_its_line_search_is_its_single_runs():
    starts = np.random.default_rng(6).uniform(-4, 4, (12, 2))
    kwargs = dict(convention="pytorch", line_search="strong_wolfe", memory=5)
    batch = optim_core.run("lbfgs", "himmelblau", starts, 40, **kwargs)
    for i, start in enumerate(starts):
        one = optim_core.run("lbfgs", "himmelblau", start, 40, **kwargs)
        np.testing.assert_array_equal(batch.path[:, i], one.path)
        np.testing.assert_array_equal(batch.state["f_evals"][:, i], one.state["f_evals"])


@pytest.mark.parametrize(("name", "kwargs"), [
    ("bfgs", {}), ("lbfgs", {}), ("cg", {}), ("sgd_armijo", {"lr": 1.0}),
    ("momentum_armijo", {"lr": 1.0}),
    ("lbfgs", {"convention": "pytorch", "line_search": "strong_wolfe"}),
])  # fmt: skip
def test_each_step_records_its_direction_and_the_step_lengths_it_tried(name, kwargs):
    surface = surfaces.get("rosenbrock")
    traj = optim_core.run(name, surface, [-1.2, 1.0], 30, **kwargs)
    trials, alpha = traj.state["trials"], traj.state["alpha"]
    direction = next(traj.state[k] for k in ("direction", "p", "d") if k in traj.state)
    tried = np.sum(~np.isnan(trials), axis=-1)
    own = traj.state["f_evals"] - (kwargs.get("convention") == "pytorch")  # (torch: + closure)
    own[1] -= kwargs.get("convention") != "pytorch"  # (the first step: f at the start too)
    np.testing.assert_array_equal(tried[1:], own[1:])
    assert np.all(np.isnan(trials[0]))
    for k in range(1, 31):
        if alpha[k] > 0:  # the length it chose is the last it tried (torch's: one of
            # them, the low end of its bracket), along its direction
            if kwargs.get("convention") == "pytorch":
                assert alpha[k] in trials[k, : tried[k]]
            else:
                assert trials[k, tried[k] - 1] == alpha[k]
            np.testing.assert_allclose(traj.path[k], traj.path[k - 1] + alpha[k] * direction[k],
                                       rtol=1e-12, atol=1e-14)  # fmt: skip
