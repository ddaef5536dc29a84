"""Learning-rate schedules: each against its formula at sampled steps, and inside run."""

import math

import numpy as np
import pytest

import optim_core
import surfaces
import viz

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


# ---------------------------------------------------------------- plateau (ReduceLROnPlateau)


class _TorchPlateau:
    """torch.optim.lr_scheduler.ReduceLROnPlateau, mode "min", one parameter group,
    transcribed from its documented algorithm (torch is not a dependency)."""

    def __init__(self, lr, factor=0.1, patience=10, threshold=1e-4, threshold_mode="rel",
                 cooldown=0, min_lr=0.0, eps=1e-8):  # fmt: skip
        self.lr, self.factor, self.patience = lr, factor, patience
        self.threshold, self.threshold_mode = threshold, threshold_mode
        self.cooldown, self.min_lr, self.eps = cooldown, min_lr, eps
        self.best, self.num_bad_epochs, self.cooldown_counter = float("inf"), 0, 0

    def is_better(self, a, best):
        if self.threshold_mode == "rel":
            return a < best * (1.0 - self.threshold)
        return a < best - self.threshold

    def step(self, metrics):
        current = float(metrics)
        if self.is_better(current, self.best):
            self.best = current
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0
        if self.num_bad_epochs > self.patience:
            new_lr = max(self.lr * self.factor, self.min_lr)
            if self.lr - new_lr > self.eps:
                self.lr = new_lr
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0


PLATEAU_CASES = [
    {},
    {"factor": 0.5, "patience": 3},
    {"factor": 0.5, "patience": 2, "cooldown": 4},
    {"factor": 0.3, "patience": 1, "threshold": 0.05, "threshold_mode": "abs"},
    {"factor": 0.5, "patience": 0, "min_lr": 0.02},
    {"factor": 0.9, "patience": 1, "eps": 0.05},
]


@pytest.mark.parametrize("params", PLATEAU_CASES)
def test_plateau_cuts_alpha_exactly_as_reduce_lr_on_plateau(params):
    rng = np.random.default_rng(3)
    # falling, then flat with noise, a rise, a nan: every branch of the algorithm
    losses = np.concatenate([np.linspace(5, 1, 20), 1 + 0.01 * rng.standard_normal(40),
                             np.linspace(1, 2, 10), [np.nan], 0.5 + 0.001 * rng.random(30)])
    plateau = optim_core.schedule("plateau", **params).start([0.1, 0.1])
    reference = _TorchPlateau(0.1, **params)
    cuts = 0
    for loss in losses:
        plateau.observe([loss, loss])
        reference.step(loss)
        assert plateau.lr.tolist() == [reference.lr, reference.lr]
        cuts += plateau.lr[0] < 0.1
    if params.get("eps") == 0.05:  # 0.1 → 0.09 changes α by 0.01 <= eps: never cut
        assert cuts == 0
    else:
        assert cuts > 0


def test_a_run_with_plateau_is_a_plain_loop_fed_its_loss_after_every_step():
    surface = surfaces.get("rosenbrock")  # α 0.002: the valley's crawl stalls the loss
    start, lr = surface.default_start, 0.002
    params = {"factor": 0.5, "patience": 5, "cooldown": 2}
    run = optim_core.run("sgd", surface, start, 300, lr=lr,
                         schedule=optim_core.schedule("plateau", **params))  # fmt: skip
    w, reference, alphas = np.array(start, dtype=float), _TorchPlateau(lr, **params), []
    for t in range(1, 301):
        alphas.append(reference.lr)
        w = w - reference.lr * surface.grad(w)
        reference.step(surface.f(w))
        np.testing.assert_array_equal(run.path[t], w)
    assert len(set(alphas)) > 1  # it did cut α
    np.testing.assert_array_equal(run.lr_used, alphas)  # the run says which α each step used
    np.testing.assert_array_equal(run.loss, surface.f(run.path))  # (the loss it watched)
    figure = viz.lr_figure([viz.Run("sgd", "SGD", run)])
    np.testing.assert_allclose(figure.data[0].y, np.array(alphas, dtype=np.float32))


def test_plateau_gives_each_start_its_own_alpha():
    surface = surfaces.get("rosenbrock")
    starts = np.array([[-1.2, 1.0], [0.5, 0.5], [1.5, 2.0]])
    sched = optim_core.schedule("plateau", factor=0.5, patience=3)
    many = optim_core.run("adam", surface, starts, 200, lr=0.05, schedule=sched)
    for i, start in enumerate(starts):
        one = optim_core.run("adam", surface, start, 200, lr=0.05, schedule=sched)
        np.testing.assert_array_equal(many.path[:, i], one.path)


def test_plateau_is_not_a_function_of_t_and_its_bad_values_are_named():
    sched = optim_core.schedule("plateau")
    assert dict(sched.params) == {"factor": 0.1, "patience": 10, "threshold": 1e-4,
                                  "threshold_mode": "rel", "cooldown": 0, "min_lr": 0.0,
                                  "eps": 1e-8, "monitor": "train"}  # torch's defaults  # fmt: skip
    with pytest.raises(ValueError, match="plateau: α depends on the run's losses"):
        sched(np.arange(1, 5))
    with pytest.raises(ValueError, match=r"plateau: factor must be a number in \(0, 1\]"):
        optim_core.schedule("plateau", factor=0)
    with pytest.raises(ValueError, match="plateau: factor must be a number in \\(0, 1\\); got 1"):
        optim_core.schedule("plateau", factor=1)
    with pytest.raises(ValueError, match="threshold_mode must be 'rel' or 'abs'; got 'max'"):
        optim_core.schedule("plateau", threshold_mode="max")
    with pytest.raises(ValueError, match=r"patience must be an integer in \[0, ∞\)"):
        optim_core.schedule("plateau", patience=-1)
    with pytest.raises(ValueError, match=r"unknown parameter\(s\) \['mode'\]"):
        optim_core.schedule("plateau", mode="max")
