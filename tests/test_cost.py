"""optim_core.cost: what each run cost in evaluations of f and ∇f, step by step, and
where a line search failed; checked against scipy's own counts of its line searches."""

import dataclasses

import numpy as np
import pytest
import scipy.optimize

import optim_core
import scenes
import surfaces
from tests.reference import bfgs_reference, cg_reference

ONE_GRADIENT_A_STEP = [n for n in optim_core.optimizer_names()
                       if "g_evals" not in optim_core.get_optimizer(n).state_fields]  # fmt: skip
KINK = scenes.custom_spec("abs(x)+abs(y)", ((-3, 3), (-3, 3)))  # |x| + |y|: a kink at 0


@pytest.mark.parametrize("name", ONE_GRADIENT_A_STEP)
def test_an_optimizer_without_a_line_search_takes_one_gradient_a_step_and_no_f(name):
    starts = np.array([[0.5, -0.5], [-3.0, 2.0], [4.0, 4.0]])
    traj = optim_core.run(name, "himmelblau", starts, 40, **({"lr": 1e-3} if name in
                          ("sgd", "momentum", "nag") else {}))  # fmt: skip
    assert not traj.diverged.any()
    counts = optim_core.evaluations(traj)
    assert counts.grad.shape == counts.f.shape == traj.loss.shape == (41, 3)
    np.testing.assert_array_equal(counts.grad, np.broadcast_to(np.arange(41)[:, None], (41, 3)))
    assert not counts.f.any()
    assert (optim_core.line_search_failed_step(traj) == -1).all()


def _scipy_counts(monkeypatch, reference, surface, start, steps):
    """Run the plain-loop reference (tests/reference.py) on scipy's line search and
    return, per step, the evaluations of f and ∇f that scipy's searches report
    (fc, gc): one search a step here (no step fails or stands still)."""
    searches = []
    line_search = scipy.optimize.line_search

    def counting(*args, **kwargs):
        result = line_search(*args, **kwargs)
        searches.append(result[1:3])  # (alpha, fc, gc, ...)
        return result

    monkeypatch.setattr(scipy.optimize, "line_search", counting)
    points = reference(lambda w: float(surface.f(np.array(w, dtype=float))),
                       lambda w: surface.grad(np.array(w, dtype=float)).tolist(),
                       start, steps)  # fmt: skip
    assert len(searches) == steps  # (every step searched)
    fc, gc = np.array(searches).T
    return np.array(points), fc, gc


@pytest.mark.parametrize("name, reference, surface, start, steps", [
    ("bfgs", bfgs_reference, "rosenbrock", [-1.2, 1.0], 25),
    ("bfgs", bfgs_reference, "beale", [1.0, 1.5], 12),
    ("bfgs", bfgs_reference, "himmelblau", [0.5, -0.5], 6),
    ("cg", cg_reference, "rosenbrock", [-1.2, 1.0], 20),
])  # fmt: skip
def test_the_counts_are_scipys_for_the_same_line_searches(monkeypatch, name, reference, surface,
                                                          start, steps):
    """By hand: one f and one ∇f at the start, then each step's line search as scipy's
    ``line_search`` counts it (fc, gc), summed step by step."""
    surf = surfaces.get(surface)
    points, fc, gc = _scipy_counts(monkeypatch, reference, surf, start, steps)
    traj = optim_core.run(name, surf, start, steps)
    np.testing.assert_allclose(traj.path, points, rtol=1e-6, atol=1e-9)  # the same searches
    counts = optim_core.evaluations(traj)
    np.testing.assert_array_equal(counts.grad, np.concatenate([[0], 1 + np.cumsum(gc)]))
    np.testing.assert_array_equal(counts.f, np.concatenate([[0], 1 + np.cumsum(fc)]))
    assert counts.grad[-1] > steps  # (a line search costs more than a gradient a step)


def test_a_failed_line_search_counts_its_trials_and_nothing_after():
    # |x| + |y| from (1.5, −2): the first step crosses to the other side of a kink, the
    # second search finds no α with |φ'| small (φ' jumps from −2 to +2 at the kink)
    for name in ("bfgs", "cg"):
        traj = optim_core.run(name, KINK, [1.5, -2.0], 30)
        assert int(optim_core.line_search_failed_step(traj)) == 2
        counts = optim_core.evaluations(traj)
        g_evals, f_evals = traj.state["g_evals"], traj.state["f_evals"]
        assert counts.grad[1] == g_evals[1] and counts.f[1] == f_evals[1]
        assert counts.grad[2] - counts.grad[1] == g_evals[2] > 0  # the failed search's trials
        assert counts.f[2] - counts.f[1] == f_evals[2] > 0
        assert (counts.grad[2:] == counts.grad[2]).all() and (counts.f[2:] == counts.f[2]).all()
        np.testing.assert_array_equal(traj.path[2:], np.broadcast_to(traj.path[1], (29, 2)))


def test_a_run_frozen_where_it_diverged_counts_nothing_from_the_thrown_away_step():
    # SGD at α = 0.05 on Rosenbrock overflows: the runner keeps its last finite point
    traj = optim_core.run("sgd", "rosenbrock", [-1.5, 2.0], 60, lr=0.05)
    moved = np.flatnonzero(np.any(np.diff(traj.path, axis=0) != 0, axis=1)) + 1
    last_move = int(moved[-1])
    assert traj.diverged and last_move < 60  # frozen from step last_move + 1 on
    counts = optim_core.evaluations(traj)
    np.testing.assert_array_equal(counts.grad, np.minimum(np.arange(61), last_move))
    # a line-search method frozen there: its state rows after it repeat the last step's,
    # which must not be summed again
    bfgs = optim_core.run("bfgs", "ravine", surfaces.get("ravine").default_start, 80)
    moved = np.flatnonzero(np.any(np.diff(bfgs.path, axis=0) != 0, axis=1)) + 1
    assert bfgs.diverged and moved[-1] < 80
    counts = optim_core.evaluations(bfgs)
    assert counts.grad[-1] == bfgs.state["g_evals"][: moved[-1] + 1].sum()
    assert (counts.grad[moved[-1]:] == counts.grad[-1]).all()


def test_the_state_fields_are_read_by_name_whatever_the_optimizer():
    """A future line-search method (SGD + Armijo, L-BFGS) records the same fields: they
    are what counts, not the optimizer's name."""
    sgd = optim_core.run("sgd", "booth", [-8.0, 8.0], 5, lr=0.01)
    recorded = dict(g_evals=np.array([0, 3, 1, 2, 0, 0.0]), f_evals=np.array([0, 4, 2, 5, 7, 7.0]),
                    failed=np.array([0, 0, 0, 0, 1, 1.0]))  # fmt: skip
    counts = optim_core.evaluations(dataclasses.replace(sgd, state=recorded))
    np.testing.assert_array_equal(counts.grad, [0, 3, 4, 6, 6, 6])
    np.testing.assert_array_equal(counts.f, [0, 4, 6, 11, 18, 18])  # step 4's trials count
    assert int(optim_core.line_search_failed_step(dataclasses.replace(sgd, state=recorded))) == 4


def test_a_batch_counts_as_its_single_runs():
    starts = np.array([[1.5, -2.0], [2.0, 1.0], [-0.3, 2.9]])
    batch = optim_core.evaluations(optim_core.run("bfgs", KINK, starts, 20))
    failed = optim_core.line_search_failed_step(optim_core.run("bfgs", KINK, starts, 20))
    for i, start in enumerate(starts):
        one = optim_core.run("bfgs", KINK, start, 20)
        np.testing.assert_array_equal(batch.grad[:, i], optim_core.evaluations(one).grad)
        np.testing.assert_array_equal(batch.f[:, i], optim_core.evaluations(one).f)
        assert failed[i] == optim_core.line_search_failed_step(one)


def test_a_run_that_kept_only_its_final_point_is_refused_with_the_reason():
    traj = optim_core.run("bfgs", "rosenbrock", [-1.2, 1.0], 10, record="final")
    with pytest.raises(ValueError, match="record='path'"):
        optim_core.evaluations(traj)
    with pytest.raises(ValueError, match="record='path'"):
        optim_core.line_search_failed_step(traj)
