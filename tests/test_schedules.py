"""Learning-rate schedules: each against its formula at sampled steps, and inside run."""

import math

import numpy as np
import pytest

import optim_core
import surfaces

T = [1, 2, 3, 7, 10, 11, 29, 30, 31, 100, 1000]
CASES = [
    (("constant", {}), lambda t: 1.0),
    (("step", {"every": 10, "factor": 0.5}), lambda t: 0.5 ** ((t - 1) // 10)),
    (("exponential", {"rate": 0.01}), lambda t: math.exp(-0.01 * (t - 1))),
    (("inverse_time", {"rate": 0.1}), lambda t: 1 / (1 + 0.1 * (t - 1))),
    (("cosine", {"period": 30, "floor": 0.1}),
     lambda t: 0.1 + 0.9 * (1 + math.cos(math.pi * min(t - 1, 30) / 30)) / 2),
    (("noam", {"d_model": 64, "warmup": 10}),
     lambda t: 64**-0.5 * min(t**-0.5, t * 10**-1.5)),
]  # fmt: skip


def _sgdr(t, period, mult, floor):
    """Walk the cycles one by one."""
    s, start, length = t - 1, 0, period
    while s >= start + length:
        start, length = start + length, length * mult
    return floor + (1 - floor) * (1 + math.cos(math.pi * (s - start) / length)) / 2


@pytest.mark.parametrize(("spec", "formula"), CASES)
def test_each_schedule_is_its_formula(spec, formula):
    name, params = spec
    s = optim_core.schedule(name, **params)
    for t in T:
        assert s(t) == pytest.approx(formula(t), rel=1e-12)
    np.testing.assert_allclose(s(np.array(T)), [formula(t) for t in T], rtol=1e-12)


@pytest.mark.parametrize("mult", [1, 2, 3])
def test_sgdr_restarts_at_the_end_of_each_longer_cycle(mult):
    s = optim_core.schedule("sgdr", period=10, mult=mult, floor=0.05)
    t = np.arange(1, 400)
    np.testing.assert_allclose(s(t), [_sgdr(k, 10, mult, 0.05) for k in t], rtol=1e-12)
    starts = [1 + sum(10 * mult**i for i in range(c)) for c in range(3)]  # each cycle's first
    assert all(s(k) == 1.0 for k in starts)


def test_warmup_rises_then_hands_over():
    then = optim_core.schedule("exponential", rate=0.1)
    s = optim_core.schedule("warmup", steps=5, then=then)
    assert [s(t) for t in range(1, 6)] == pytest.approx([0.2, 0.4, 0.6, 0.8, 1.0])
    assert [s(t) for t in (6, 7, 20)] == pytest.approx([then(1), then(2), then(15)])


def test_run_steps_with_alpha_times_the_schedule():
    surface = surfaces.get("rosenbrock")
    s = optim_core.schedule("cosine", period=50, floor=0.0)
    traj = optim_core.run("sgd", surface, [-1.5, 2.0], 80, lr=1e-3, schedule=s)
    w = np.array([-1.5, 2.0])
    for t in range(1, 81):  # a plain loop: w ← w − α·s(t)·∇f(w)
        w = w - 1e-3 * s(t) * surface.grad(w)
        np.testing.assert_allclose(traj.path[t], w, rtol=1e-12)
    assert traj.schedule is s
    # past the period the cosine is at its floor, 0: the run stands still
    np.testing.assert_array_equal(traj.path[51], traj.path[-1])
    # and an adaptive optimizer: the whole batch, per-start values, both conventions
    starts = np.array([[-1.5, 2.0], [0.5, 0.5]])
    for convention in optim_core.CONVENTIONS:
        steady = optim_core.run("adam", surface, starts, 40, lr=0.01, convention=convention)
        decayed = optim_core.run("adam", surface, starts, 40, lr=0.01, convention=convention,
                                 schedule=optim_core.schedule("step", every=20, factor=0.1))
        np.testing.assert_array_equal(decayed.path[:21], steady.path[:21])  # same up to 20
        assert not np.allclose(decayed.path[21:], steady.path[21:])


def test_bad_schedules_are_clear_errors():
    with pytest.raises(ValueError, match=r"schedule must be one of \['constant', 'step'"):
        optim_core.schedule("linear")
    with pytest.raises(ValueError, match=r"step: factor must be a number in \(0, 1\]; got 2"):
        optim_core.schedule("step", every=10, factor=2)
    with pytest.raises(ValueError, match=r"cosine: period must be an integer in \[1, ∞\); got 0"):
        optim_core.schedule("cosine", period=0, floor=0.1)
    with pytest.raises(ValueError, match="exponential: missing parameter 'rate'"):
        optim_core.schedule("exponential")
    with pytest.raises(ValueError, match=r"unknown parameter\(s\) \['decay'\]"):
        optim_core.schedule("exponential", rate=0.1, decay=2)
    with pytest.raises(ValueError, match="t must be integers >= 1"):
        optim_core.schedule("constant")(0)
    s = optim_core.schedule("exponential", rate=0.1)
    with pytest.raises(ValueError, match="adadelta has no learning rate α to schedule"):
        optim_core.run("adadelta", "beale", [1, 1], 5, schedule=s)
    optim_core.run("adadelta", "beale", [1, 1], 5, schedule=s, convention="pytorch")  # has α
    with pytest.raises(ValueError, match="schedule must be an optim_core.schedule"):
        optim_core.run("sgd", "beale", [1, 1], 5, schedule=lambda t: 1.0)
