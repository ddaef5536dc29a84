"""The runner: shapes, batches, divergence, convergence, memory and every bad input."""

import dataclasses
import json
import math
import tracemalloc
import warnings
from typing import NamedTuple

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import optim_core
import surfaces
from optim_core import line_search, runner
from optim_core.methods._base import into_from_update
from tests.reference import skip_without_residuals

ALL = optim_core.optimizer_names()


def _starts(surface, n, seed=0):
    rng = np.random.default_rng(seed)
    (x0, x1), (y0, y1) = surface.domain
    return np.column_stack([rng.uniform(x0, x1, n), rng.uniform(y0, y1, n)])


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("surface_name", ["rosenbrock", "rastrigin", "ackley", "himmelblau"])
def test_a_batch_equals_single_runs_exactly(name, surface_name):
    surface = surfaces.get(surface_name)
    skip_without_residuals(name, surface)
    starts = _starts(surface, 7)
    batch = optim_core.run(name, surface, starts, 60)
    for i, start in enumerate(starts):
        single = optim_core.run(name, surface, start, 60)
        np.testing.assert_array_equal(batch.path[:, i], single.path)
        np.testing.assert_array_equal(batch.loss[:, i], single.loss)
        assert batch.converged_step[i] == single.converged_step
        assert batch.diverged_step[i] == single.diverged_step


@pytest.mark.parametrize("record", ["path", "final"])
def test_blocks_of_starts_change_no_number(record, monkeypatch):
    # Starts are stepped in blocks; with blocks of 3, seven starts cross two boundaries,
    # and some of them diverge (lr = 0.003 on Rosenbrock).
    surface = surfaces.get("rosenbrock")
    starts = _starts(surface, 7, seed=3)
    whole = optim_core.run("sgd", surface, starts, 80, lr=0.003, record=record)
    monkeypatch.setattr(runner, "_BLOCK_STARTS", 3)
    blocked = optim_core.run("sgd", surface, starts, 80, lr=0.003, record=record)
    assert 0 < np.sum(whole.diverged_step > 0) < 7
    np.testing.assert_array_equal(blocked.final_point, whole.final_point)
    np.testing.assert_array_equal(blocked.diverged_step, whole.diverged_step)
    np.testing.assert_array_equal(blocked.converged_step, whole.converged_step)
    if record == "path":
        np.testing.assert_array_equal(blocked.path, whole.path)
        np.testing.assert_array_equal(blocked.grads, whole.grads)


def test_shapes_for_one_start_and_a_batch():
    one = optim_core.run("adam", "rosenbrock", [-1.5, 2.0], 10)
    assert one.path.shape == (11, 2) and one.loss.shape == (11,)
    assert one.grads.shape == (10, 2)
    assert one.state["m"].shape == (11, 2) and one.state["v"].shape == (11, 2)
    assert one.final_point.shape == (2,) and one.final_loss.shape == ()
    assert one.converged_step.shape == () and one.diverged_step.shape == ()
    np.testing.assert_array_equal(one.path[0], [-1.5, 2.0])
    np.testing.assert_array_equal(one.final_point, one.path[-1])

    many = optim_core.run("adam", "rosenbrock", np.zeros((5, 2)), 10)
    assert many.path.shape == (11, 5, 2) and many.loss.shape == (11, 5)
    assert many.grads.shape == (10, 5, 2) and many.converged_step.shape == (5,)


def test_loss_and_gradients_are_those_of_the_path():
    surface = surfaces.get("beale")
    traj = optim_core.run("momentum", surface, [1.0, 1.5], 50)
    np.testing.assert_array_equal(traj.loss, surface.f(traj.path))
    np.testing.assert_array_equal(traj.grads, surface.grad(traj.path[:-1]))


@pytest.mark.parametrize("name", ALL)
def test_final_record_matches_the_full_path(name, monkeypatch):
    # Small blocks, so that convergence is checked across many block boundaries.
    monkeypatch.setattr(runner, "_CHUNK_POINTS", 64)
    surface = surfaces.get("quadratic")
    starts = _starts(surface, 4, seed=1)
    hp = {"lr": 0.05} if "lr" in optim_core.get_optimizer(name).hyperparams else {}
    full = optim_core.run(name, surface, starts, 700, **hp)
    final = optim_core.run(name, surface, starts, 700, record="final", **hp)
    assert final.path is None and final.loss is None and final.state == {}
    np.testing.assert_array_equal(final.final_point, full.path[-1])
    np.testing.assert_array_equal(final.final_loss, full.loss[-1])
    np.testing.assert_array_equal(final.converged_step, full.converged_step)
    np.testing.assert_array_equal(final.first_converged_step, full.first_converged_step)
    np.testing.assert_array_equal(final.diverged_step, full.diverged_step)


@pytest.mark.parametrize("name", ["momentum", "nag", "adam", "sgd"])
def test_final_record_finds_the_same_convergence_steps_for_crowds_and_loners(name):
    # Himmelblau, a 30 x 30 grid of starts: many linger near a minimizer at once, come
    # and go (only the starts whose moves used up their budget are looked at again),
    # and two starts, one near a minimizer (then every start is looked at each time).
    surface = surfaces.get("himmelblau")
    grid = np.stack(np.meshgrid(np.linspace(-5, 5, 30), np.linspace(-5, 5, 30)), -1)
    for starts in (grid.reshape(-1, 2), np.array([[3.004, 2.003], [-1.0, 0.5]])):
        full = optim_core.run(name, surface, starts, 400, lr=0.01)
        final = optim_core.run(name, surface, starts, 400, lr=0.01, record="final")
        np.testing.assert_array_equal(final.converged_step, full.converged_step)
        np.testing.assert_array_equal(final.first_converged_step, full.first_converged_step)
        np.testing.assert_array_equal(final.final_point, full.path[-1])
    assert np.sum(full.converged_step >= 0) >= 1


@settings(max_examples=40, deadline=None)
@given(
    name=st.sampled_from(ALL),
    convention=st.sampled_from(optim_core.CONVENTIONS),
    surface=st.sampled_from(["himmelblau", "booth", "quadratic", "beale", "rosenbrock"]),
    lr=st.sampled_from([0.001, 0.01, 0.05]),
    seed=st.integers(0, 10),
)
def test_final_record_equals_the_path_for_any_optimizer_surface_and_convention(
    name, convention, surface, lr, seed
):
    # record="final" finds arrivals from the optimizer's own gradients where it can (a
    # step late) and looks again only at starts whose moves used up their budget; the
    # path is checked afterwards, all at once: the two must agree step for step.
    surf = surfaces.get(surface)
    starts = _starts(surf, 60, seed=seed)
    hp = {"lr": lr} if "lr" in optim_core.get_optimizer(name, convention).hyperparams else {}
    full = optim_core.run(name, surf, starts, 300, convention=convention, **hp)
    final = optim_core.run(name, surf, starts, 300, convention=convention, record="final", **hp)
    np.testing.assert_array_equal(final.converged_step, full.converged_step)
    np.testing.assert_array_equal(final.first_converged_step, full.first_converged_step)
    np.testing.assert_array_equal(final.diverged_step, full.diverged_step)
    np.testing.assert_array_equal(final.final_point, full.path[-1])


def test_final_record_memory_does_not_grow_with_steps():
    starts = _starts(surfaces.get("rosenbrock"), 2000)

    def peak(steps):
        tracemalloc.start()
        optim_core.run("adam", "rosenbrock", starts, steps, record="final")
        peak_bytes = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return peak_bytes

    short, long = peak(100), peak(2000)
    assert long < 1.5 * short, (short, long)
    assert long < 40 * starts.nbytes  # O(N): a path would be 2001 x starts.nbytes


def test_divergence_is_flagged_frozen_and_silent():
    surface = surfaces.get("rosenbrock")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no RuntimeWarning from overflow or nan
        traj = optim_core.run("sgd", surface, [-1.5, 2.0], 100, lr=1.0)
    k = int(traj.diverged_step)
    assert k >= 1
    assert np.all(np.isfinite(traj.path)) and np.all(np.isfinite(traj.loss))
    # step k left the divergence box (the diverged point), never to come back
    low, high = optim_core.divergence_box(surface)
    inside = np.all((traj.path >= low) & (traj.path <= high), axis=1)
    assert inside[k - 1] and not inside[k:].any()
    np.testing.assert_array_equal(traj.path[k], traj.diverged_point)
    # then it left the far box: frozen at its last point before that
    far = optim_core.runner.FAR_FACTOR / optim_core.DIVERGENCE_FACTOR
    j = int(np.flatnonzero(np.all(traj.path == traj.path[-1], axis=1))[0])
    assert j >= k
    jump = traj.path[j] - traj.grads[j]  # the step it took from there
    centre, half = (low + high) / 2, (high - low) / 2
    assert np.any(np.abs(jump - centre) > half * far) and np.all(np.abs(traj.path - centre) <= half * far)
    assert traj.converged_step == -1


def test_a_diverging_start_does_not_disturb_the_others():
    starts = np.array([[-1.5, 2.0], [0.9, 0.8], [1.5, -0.5], [-1.2, 1.0]])
    batch = optim_core.run("sgd", "rosenbrock", starts, 200, lr=1e-3)
    wild = optim_core.run("sgd", "rosenbrock", starts, 200, lr=0.003)
    assert np.all(batch.diverged_step == -1)
    assert np.any(wild.diverged_step > 0) and np.any(wild.diverged_step == -1)
    for i, start in enumerate(starts):
        single = optim_core.run("sgd", "rosenbrock", start, 200, lr=0.003)
        np.testing.assert_array_equal(wild.path[:, i], single.path)


def test_overflow_to_infinity_is_divergence_too():
    traj = optim_core.run("sgd", "goldstein_price", [1.9, 1.9], 5, lr=1e6)
    assert traj.diverged_step == 1
    np.testing.assert_array_equal(traj.final_point, [1.9, 1.9])


def test_converged_step_is_the_first_step_near_a_minimizer_with_small_gradient():
    surface = surfaces.get("quadratic")
    traj = optim_core.run("sgd", surface, [4.0, 3.0], 500, lr=0.05)
    k = int(traj.converged_step)
    assert k > 0

    def ok(point):
        dist = float(optim_core.nearest_minimizer_distance(surface, point))
        gnorm = float(np.linalg.norm(surface.grad(point)))
        return dist <= optim_core.CONVERGED_DIST_TOL and gnorm <= optim_core.CONVERGED_GRAD_TOL

    assert ok(traj.path[k])
    assert not any(ok(p) for p in traj.path[:k])


def test_a_surface_without_minimizers_never_converges():
    traj = optim_core.run("adam", "saddle", [-1.5, 1e-3], 200)
    assert traj.converged_step == -1
    assert np.isinf(traj.distance_to_minimizer())


def test_a_start_at_the_minimum_has_converged_at_step_0():
    traj = optim_core.run("adam", "rosenbrock", [1.0, 1.0], 3)
    assert traj.converged_step == 0


def test_hyperparameters_default_and_override():
    traj = optim_core.run("adam", "rosenbrock", [0.0, 0.0], 2, lr=0.01)
    assert traj.hyperparams == {"lr": 0.01, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}


# ---------------------------------------------------------------- bad input


def _raising_surface():
    base = surfaces.get("rosenbrock")

    def boom(xy):
        raise AssertionError("work started before validation")

    return dataclasses.replace(base, f=boom, grad=boom)


BAD = [
    (dict(optimizer="adabelief"), r"optimizer must be one of \['sgd', .*'amsgrad'.*\]; got 'adabelief'"),
    (dict(optimizer="adamw", weight_decay=-0.1),
     r"weight_decay must be a finite number >= 0; got -0\.1"),
    (dict(optimizer="adam", weight_decay=0.1), r"weight_decay is not a hyperparameter of adam"),
    (dict(surface="sphere"), r"surface must be one of .*rosenbrock.*; got 'sphere'"),
    (dict(lr=0.0), r"lr must be a finite number > 0; got 0\.0"),
    (dict(lr=-1e-3), r"lr must be a finite number > 0; got -0\.001"),
    (dict(lr=float("nan")), r"lr must be a finite number > 0; got nan"),
    (dict(lr=float("inf")), r"lr must be a finite number > 0; got inf"),
    (dict(lr="abc"), r"lr must be a finite number > 0; got 'abc'"),
    (dict(beta1=1.0), r"beta1 must be a number in \[0, 1\); got 1\.0"),
    (dict(beta1=-0.1), r"beta1 must be a number in \[0, 1\); got -0\.1"),
    (dict(beta2=1.5), r"beta2 must be a number in \[0, 1\); got 1\.5"),
    (dict(eps=-1e-8), r"eps must be a finite number >= 0; got -1e-08"),
    (dict(steps=0), r"steps must be an integer in \[1, 100000\]; got 0"),
    (dict(steps=100_001), r"steps must be an integer in \[1, 100000\]; got 100001"),
    (dict(steps=2.5), r"steps must be an integer in \[1, 100000\]; got 2\.5"),
    (dict(start=[1.0, 2.0, 3.0]), r"start must be shaped \(2,\) or \(N, 2\) on rosenbrock; got shape \(3,\)"),
    (dict(start=np.zeros((2, 3))), r"start must be shaped \(2,\) or \(N, 2\) on rosenbrock; got shape \(2, 3\)"),
    (dict(start=np.zeros((2, 2, 2))), r"start must be shaped .*; got shape \(2, 2, 2\)"),
    (dict(start=[float("nan"), 0.0]), r"start must be finite; got the point \[nan, 0\.0\]"),
    (dict(start=[[0, 0], [0, np.inf]]), r"start must be finite; got the point \[0\.0, inf\]"),
    (dict(start=["a", "b"]), r"start must be numbers shaped \(2,\) or \(N, 2\)"),
    (dict(start=[1e6, 0.0]), r"start must lie in the box x in \[-20, 20\], y in \[-19, 21\]"),
    (dict(start=np.zeros((0, 2))), r"start must hold at least one point; got shape \(0, 2\)"),
    (dict(record="all"), r"record must be 'path', 'points' or 'final'; got 'all'"),
    (dict(optimizer="adadelta", lr=0.1), r"lr is not a hyperparameter of adadelta"),
    (dict(optimizer="sgd", beta1=0.9), r"beta1 is not a hyperparameter of sgd"),
    (dict(optimizer="bfgs", lr=0.1),
     r"lr is not a hyperparameter of bfgs \(its line search chooses the step length\); "
     r"it uses \['c1', 'c2'\]"),
    (dict(optimizer="bfgs", c1=0.5, c2=0.4), r"c1 must satisfy 0 < c1 < c2 = 0\.4; got 0\.5"),
    (dict(optimizer="lbfgs", c2=1.0), r"c2 must be a number in \(0, 1\); got 1\.0"),
    (dict(optimizer="sgd_armijo", shrink=1.5), r"shrink must be a number in \(0, 1\); got 1\.5"),
    (dict(optimizer="cg", c1=0.0), r"c1 must be a number in \(0, 1\); got 0\.0"),
    (dict(start=np.zeros((20_001, 2)), steps=1000),
     r"record='path' keeps N\*\(steps\+1\) = 20021001 points, above the cap of 20000000"),
    (dict(optimizer="lbfgs", memory=100, start=np.zeros((1_000, 2)), steps=1000),
     r"record='path' keeps 537 numbers a point for lbfgs on rosenbrock \(D = 2: its point, f, "
     r"gradient and state \(S, Y, rho, gamma, .*\)\), N\*\(steps\+1\)\*537 = 537,537,000, "
     r"above the cap of 200,000,000 \(1\.6 GB\); use record='points' \(no state\)"),
]  # fmt: skip


@pytest.mark.parametrize(("bad", "message"), BAD)
def test_bad_input_is_a_clear_value_error_before_any_work(bad, message):
    args = dict(optimizer="adam", surface=_raising_surface(), start=[-1.5, 2.0], steps=10)
    args.update(bad)
    hyper = {k: args.pop(k) for k in (*optim_core.HYPERPARAMETERS, "record") if k in args}
    with pytest.raises(ValueError, match=message):
        optim_core.run(args["optimizer"], args["surface"], args["start"], args["steps"], **hyper)


def test_too_many_starts_is_refused():
    starts = np.zeros((optim_core.MAX_STARTS + 1, 2))
    with pytest.raises(ValueError, match=r"start holds 1000001 points; at most 1000000"):
        optim_core.run("sgd", "rosenbrock", starts, 1, record="final")


def test_the_same_call_with_good_input_runs():
    # The raising surface proves the validation above stops before any work:
    with pytest.raises(AssertionError, match="work started"):
        optim_core.run("adam", _raising_surface(), [-1.5, 2.0], 10)


def _stays_from(surface, path, diverged_step) -> tuple[int, int]:
    """Plain loops over one path: (the first step within tolerance, the first step
    within tolerance that stays within CONVERGED_DIST_TOL of that minimizer)."""
    tol, gtol = optim_core.CONVERGED_DIST_TOL, optim_core.CONVERGED_GRAD_TOL
    points = [(float(x), float(y)) for x, y in path]
    minimizers = [(float(x), float(y)) for x, y in surface.minimizers]

    def gap(p, m):
        return (p[0] - m[0]) * (p[0] - m[0]) + (p[1] - m[1]) * (p[1] - m[1])

    def within(k):
        g = surface.grad(np.array(points[k]))
        near = min(gap(points[k], m) for m in minimizers) <= tol * tol
        return near and math.sqrt(g[0] * g[0] + g[1] * g[1]) <= gtol

    first = next((k for k in range(len(points)) if within(k)), -1)
    if diverged_step >= 0:
        return first, -1
    for k in range(len(points)):
        if within(k):
            home = min(minimizers, key=lambda m, p=points[k]: gap(p, m))
            if all(gap(p, home) <= tol * tol for p in points[k:]):
                return first, k
    return first, -1


def test_converged_means_it_stays():
    # RMSprop on Booth comes within 0.01 at step 40, then swings out to 1.40 and ends
    # 0.354 away: not converged.
    traj = optim_core.run("rmsprop", "booth", (-8.0, 8.0), 300, lr=0.5)
    assert int(traj.first_converged_step) == 40 and int(traj.converged_step) == -1
    assert abs(float(traj.distance_to_minimizer()) - 0.354) < 1e-3
    final = optim_core.run("rmsprop", "booth", (-8.0, 8.0), 300, lr=0.5, record="final")
    assert int(final.first_converged_step) == 40 and int(final.converged_step) == -1


@pytest.mark.parametrize(("name", "surface", "lr"), [
    ("rmsprop", "booth", 0.5), ("rmsprop", "booth", 0.05), ("adam", "booth", 0.3),
    ("momentum", "himmelblau", 0.02), ("adam", "himmelblau", 0.2), ("sgd", "six_hump_camel", 0.1),
])  # fmt: skip
def test_converged_steps_match_a_plain_loop_in_both_records(name, surface, lr, monkeypatch):
    monkeypatch.setattr(runner, "_CHUNK_POINTS", 96)  # many chunk boundaries
    surf = surfaces.get(surface)
    starts = _starts(surf, 40, seed=3)
    full = optim_core.run(name, surf, starts, 300, lr=lr)
    final = optim_core.run(name, surf, starts, 300, lr=lr, record="final")
    expected = [_stays_from(surf, full.path[:, i], full.diverged_step[i]) for i in range(40)]
    firsts, stays = (np.array(column) for column in zip(*expected, strict=True))
    for traj in (full, final):
        np.testing.assert_array_equal(traj.first_converged_step, firsts)
        np.testing.assert_array_equal(traj.converged_step, stays)
    assert np.any(firsts >= 0)


def test_the_plain_loop_cases_include_runs_that_come_close_and_leave():
    surf = surfaces.get("booth")
    traj = optim_core.run("rmsprop", surf, _starts(surf, 40, seed=3), 300, lr=0.05)
    left = (traj.first_converged_step >= 0) & (traj.converged_step != traj.first_converged_step)
    assert left.sum() >= 20 and np.sum(traj.converged_step >= 0) >= 1


# ---------------------------------------------------------------- states of any shape


class _ArmijoState(NamedTuple):
    alpha: np.ndarray  # (...,) the step length the line search chose
    f_evals: np.ndarray  # (...,) the evaluations of f it took
    outer: np.ndarray  # (..., 2, 2) Σ g gᵀ (a matrix per start)


def _armijo_init(w):
    w = np.asarray(w, dtype=float)
    return _ArmijoState(np.zeros(w.shape[:-1]), np.zeros(w.shape[:-1]), np.zeros(w.shape + (2,)))


def _armijo_update(grad, w, state, t, hp):
    """w ← w − α g, α by backtracking from 1 (the rule reads f through grad.f)."""
    g = grad(w)
    flat_w, flat_g = w.reshape(-1, 2), g.reshape(-1, 2)
    search = line_search.armijo(grad.f, flat_w, -flat_g, grad.f(flat_w),
                                -np.sum(flat_g * flat_g, axis=1), 1.0)  # fmt: skip
    alpha = np.where(search.ok, search.alpha, 0.0).reshape(w.shape[:-1])
    outer = state.outer + g[..., :, None] * g[..., None, :]
    return (w - alpha[..., None] * g,
            _ArmijoState(alpha, search.f_evals.reshape(w.shape[:-1]).astype(float), outer), g)


ARMIJO_SGD = dataclasses.replace(
    optim_core.get_optimizer("sgd"), name="sgd_armijo", hyperparams=(), defaults={},
    init=_armijo_init, update=_armijo_update,
    update_into=into_from_update(_armijo_update),
)  # fmt: skip


def test_a_rule_with_a_line_search_records_states_of_any_shape_and_exports_them():
    surface = surfaces.get("rosenbrock")
    starts = _starts(surface, 5, seed=2)
    full = optim_core.run(ARMIJO_SGD, surface, starts, 40)
    assert full.state["alpha"].shape == (41, 5) and full.state["outer"].shape == (41, 5, 2, 2)
    final = optim_core.run(ARMIJO_SGD, surface, starts, 40, record="final")
    np.testing.assert_array_equal(final.final_point, full.path[-1])
    np.testing.assert_array_equal(final.converged_step, full.converged_step)
    for i, start in enumerate(starts):  # the plain loop: the rule, one start at a time
        w = start.copy()
        for k in range(40):
            g = surface.grad(w)
            alpha, evals = 1.0, 0
            while evals < 20:
                evals += 1
                if surface.f(w - alpha * g) <= surface.f(w) - 1e-4 * alpha * (g @ g):
                    break
                alpha *= 0.5
            else:
                alpha = 0.0
            w = w - alpha * g
            assert full.state["alpha"][k + 1, i] == alpha
            assert full.state["f_evals"][k + 1, i] == evals
            np.testing.assert_array_equal(full.path[k + 1, i], w)
    one = optim_core.run(ARMIJO_SGD, surface, starts[0], 3)
    assert one.state["alpha"].shape == (4,) and one.state["outer"].shape == (4, 2, 2)
    text = optim_core.export.to_csv([one])
    header = text.splitlines()[0].split(",")
    assert {"alpha", "f_evals", "outer_xx", "outer_xy", "outer_yx", "outer_yy"} <= set(header)
    row = dict(zip(header, text.splitlines()[2].split(","), strict=False))
    assert float(row["alpha"]) == one.state["alpha"][1]
    assert float(row["outer_xy"]) == one.state["outer"][1, 0, 1]
    runs = json.loads(optim_core.export.to_json([one]))["runs"][0]["state"]
    assert runs["alpha"]["value"] == one.state["alpha"].tolist()
    assert runs["outer"]["yx"] == one.state["outer"][:, 1, 0].tolist()
