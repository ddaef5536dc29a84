"""Delay-tolerant AdaGrad (McMahan & Streeter 2014, AdaptiveRevision) beside plain
AdaGrad under the same stale gradients: optim_core.delay_tolerant against a plain
per-coordinate loop of the paper's algorithm, τ = 0 and the plain form against the
runner's AdaGrad bit for bit, the stability probe against single runs."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import optim_core
import surfaces
from optim_core import delay_tolerant as dt

BOWL = surfaces.get("quadratic", kappa=1)


def _reference(surface, start, steps, lr, eps, delays, form="revision"):
    """The paper's AdaptiveRevision, transcribed per coordinate with Python floats: the
    server keeps w, z, z' and the gradient sum ḡ; update t reads the parameters (and ḡ)
    of step r = max(0, t − 1 − τ_t) and is applied on top of update t − 1."""
    path = [[float(v) for v in start]]
    sums = [[0.0, 0.0]]  # ḡ_k, k = 0, 1, …
    z, z_max = [0.0, 0.0], [0.0, 0.0]
    for t in range(1, steps + 1):
        read = max(0, t - 1 - delays[t - 1])
        g = [float(v) for v in surface.grad(np.array(path[read]))]
        w = list(path[-1])
        new_sum = list(sums[-1])
        for i in range(2):
            back = sums[t - 1][i] - sums[read][i]  # g^bck: applied since the read
            if form == "adagrad":
                z[i] = z[i] + g[i] * g[i]
                old, z_max[i] = z_max[i], z[i]
            else:
                z[i] = z[i] + g[i] ** 2 + 2 * g[i] * back
                old, z_max[i] = z_max[i], max(z_max[i], z[i])
            eta_old, eta = lr / math.sqrt(old + eps), lr / math.sqrt(z_max[i] + eps)
            w[i] = w[i] - eta * g[i]
            if form == "revision":
                w[i] = w[i] + (eta_old - eta) * back
            new_sum[i] += g[i]
        path.append(w)
        sums.append(new_sum)
    return np.array(path)


def _runner_delays(steps, delay=None, delay_max=None, seed=0):
    """τ_t as the runner's docstring says it draws them, written out here."""
    if delay is not None:
        return [delay] * steps
    rng = np.random.default_rng([seed, 2])
    return [int(rng.integers(0, delay_max + 1)) for _ in range(steps)]


@settings(max_examples=60, deadline=None)
@given(
    surface=st.sampled_from(["bowl", "ravine", "linear_regression"]),
    form=st.sampled_from(dt.FORMS),
    tau=st.integers(0, 6),
    random=st.booleans(),
    seed=st.integers(0, 10**6),
    lr=st.floats(1e-3, 3.0),
    eps=st.sampled_from([1e-8, 1e-7, 1e-3]),
    x=st.floats(-0.9, 0.9),
    y=st.floats(-0.9, 0.9),
)
def test_each_form_is_the_papers_rule_step_by_step(surface, form, tau, random, seed, lr, eps,
                                                    x, y):  # fmt: skip
    surf = BOWL if surface == "bowl" else surfaces.get(surface)
    (x0, x1), (y0, y1) = surf.domain
    start = ((x0 + x1) / 2 + x * (x1 - x0) / 2, (y0 + y1) / 2 + y * (y1 - y0) / 2)
    steps = 60
    kw = {"delay_max": tau, "seed": seed} if random else {"delay": tau}
    run = dt.run_delay_tolerant(surf, start, steps, form=form, lr=lr, eps=eps, **kw)
    expected = _reference(surf, start, steps, lr, eps, _runner_delays(steps, **kw), form)
    assert run.diverged_step == -1
    np.testing.assert_allclose(run.path, expected, rtol=1e-9, atol=1e-12)


def test_the_revision_takes_the_applied_gradients_back_to_the_new_rate():
    # τ = 1 on the bowl ½|w|² from (1, 0): g₁ = 1 (read at w₀), z'₁ = 1, w₁ = 1 − α;
    # update 2 was read at w₀ too (r = 0), so g₂ = 1 and g^bck = g₁ = 1:
    # z₂ = 1 + 1 + 2 = 4, η₂ = α/2, w₂ = w₁ − η₂ g₂ + (η₁ − η₂) g^bck = 1 − α − α/2 + α/2
    run = dt.run_delay_tolerant(BOWL, (1.0, 0.0), 2, lr=0.1, eps=0.0, delay=1)
    np.testing.assert_allclose(run.path[:, 0], [1.0, 0.9, 0.9], rtol=1e-15)
    np.testing.assert_allclose(run.state["z"][:, 0], [0.0, 1.0, 4.0])
    no_revision = dt.run_delay_tolerant(BOWL, (1.0, 0.0), 2, form="accumulator", lr=0.1,
                                        eps=0.0, delay=1)  # fmt: skip
    np.testing.assert_allclose(no_revision.path[:, 0], [1.0, 0.9, 0.85], rtol=1e-15)
    plain = dt.run_delay_tolerant(BOWL, (1.0, 0.0), 2, form="adagrad", lr=0.1, eps=0.0,
                                  delay=1)  # fmt: skip
    np.testing.assert_allclose(plain.path[:, 0], [1.0, 0.9, 0.9 - 0.1 / math.sqrt(2)])


@pytest.mark.parametrize("form", ["revision", "accumulator"])
@pytest.mark.parametrize("surface", ["rosenbrock", "ravine", "himmelblau", "linear_regression"])
def test_without_delay_each_form_is_adagrad_bit_for_bit(form, surface):
    surf = surfaces.get(surface)
    starts = np.array([surf.default_start, surf.default_start * 0.5, [0.3, -0.2]])
    for lr in (0.05, 1.0):
        plain = optim_core.run("adagrad", surf, starts, 300, lr=lr)
        for kw in ({"delay": 0}, {"delay_max": 0}):
            tolerant = dt.run_delay_tolerant(surf, starts, 300, form=form, lr=lr, **kw)
            np.testing.assert_array_equal(tolerant.path, plain.path)
            np.testing.assert_array_equal(tolerant.converged_step, plain.converged_step)


@pytest.mark.parametrize("kw", [{"delay": 1}, {"delay": 4}, {"delay": 9},
                                {"delay_max": 3, "seed": 0}, {"delay_max": 8, "seed": 11}])
@pytest.mark.parametrize("surface", ["rosenbrock", "ravine", "logistic_regression"])
def test_the_plain_form_is_the_runners_delayed_adagrad_bit_for_bit(kw, surface):
    surf = surfaces.get(surface)
    starts = np.array([surf.default_start, [0.3, -0.2]])
    for lr in (0.1, 30.0):  # (30: Rosenbrock's runs diverge, recorded the same way)
        plain = optim_core.run("adagrad", surf, starts, 400, lr=lr, **kw)
        ours = dt.run_delay_tolerant(surf, starts, 400, form="adagrad", lr=lr, **kw)
        np.testing.assert_array_equal(ours.path, plain.path)
        np.testing.assert_array_equal(ours.diverged_step, plain.diverged_step)
        np.testing.assert_array_equal(ours.converged_step, plain.converged_step)
        np.testing.assert_array_equal(ours.state["z"], plain.state["v"])
        assert ours.delay == plain.delay


def test_the_delays_are_the_runners_draws():
    for kw in ({"delay": 5}, {"delay_max": 6, "seed": 3}, {"delay_max": 1, "seed": 99}):
        assert dt.delay_draws(500, **kw).tolist() == _runner_delays(500, **kw)
    assert dt.delay_draws(10, delay_max=0).tolist() == [0] * 10


def test_many_starts_are_the_single_runs():
    starts = np.array([[-1.5, 2.0], [0.5, -0.5], [1.2, 1.2]])
    batch = dt.run_delay_tolerant("rosenbrock", starts, 300, lr=0.3, delay_max=5, seed=4)
    for i, start in enumerate(starts):
        one = dt.run_delay_tolerant("rosenbrock", start, 300, lr=0.3, delay_max=5, seed=4)
        np.testing.assert_array_equal(batch.path[:, i], one.path)


def test_same_seed_same_run_and_another_seed_another():
    a = dt.run_delay_tolerant("ravine", (-9.0, 2.0), 200, lr=1.0, delay_max=6, seed=5)
    b = dt.run_delay_tolerant("ravine", (-9.0, 2.0), 200, lr=1.0, delay_max=6, seed=5)
    c = dt.run_delay_tolerant("ravine", (-9.0, 2.0), 200, lr=1.0, delay_max=6, seed=6)
    np.testing.assert_array_equal(a.path, b.path)
    assert not np.array_equal(a.path, c.path)


def test_without_eps_a_zero_history_steps_zero_never_nan():
    run = dt.run_delay_tolerant(BOWL, (0.0, 2.0), 100, lr=0.5, eps=0.0, delay=3)
    assert np.all(np.isfinite(run.path))
    assert np.all(run.path[:, 0] == 0.0)  # x has no gradient: it never moves


def test_a_diverging_run_is_recorded_not_raised():
    run = dt.run_delay_tolerant("rosenbrock", (-1.5, 2.0), 500, form="adagrad", lr=100.0,
                                delay=8)  # fmt: skip
    assert run.diverged_step >= 0
    assert np.all(np.isfinite(run.path))


@pytest.mark.parametrize("call, match", [
    (lambda: dt.run_delay_tolerant(BOWL, (1, 1), 10, form="adaptive", delay=1),
     r"form must be one of \['revision', 'accumulator', 'adagrad'\]; got 'adaptive'"),
    (lambda: dt.run_delay_tolerant(BOWL, (1, 1), 10, delay=1, delay_max=2),
     "give delay .* or delay_max .*, not both"),
    (lambda: dt.run_delay_tolerant(BOWL, (1, 1), 10), "give delay .* or delay_max"),
    (lambda: dt.run_delay_tolerant(BOWL, (1, 1), 10, delay=-1),
     r"delay must be an integer in \[0, 100\]; got -1"),
    (lambda: dt.run_delay_tolerant(BOWL, (1, 1), 10, delay_max=101),
     r"delay_max must be an integer in \[0, 100\]; got 101"),
    (lambda: dt.run_delay_tolerant(BOWL, (1, 1), 10, delay=2.5),
     r"delay must be an integer in \[0, 100\]; got 2.5"),
    (lambda: dt.run_delay_tolerant(BOWL, (1, 1), 0, delay=1),
     r"steps must be an integer in \[1, 100000\]; got 0"),
    (lambda: dt.run_delay_tolerant(BOWL, (1, 1), 10, lr=0.0, delay=1),
     r"lr must be a finite number > 0; got 0.0"),
    (lambda: dt.run_delay_tolerant(BOWL, (1, 1), 10, eps=-1.0, delay=1),
     r"eps must be a finite number >= 0; got -1.0"),
    (lambda: dt.run_delay_tolerant(BOWL, (1, 1), 10, delay_max=3, seed=-2),
     r"seed must be"),
    (lambda: dt.stability(BOWL, (1, 1), 10, [1, 200], [0.1, 1.0]),
     r"taus must be an integer in \[0, 100\]; got 200"),
    (lambda: dt.stability(BOWL, (1, 1), 10, list(range(13)), [0.1]),
     r"taus must hold 1 to 12 delays; got 13"),
    (lambda: dt.stability(BOWL, (1, 1), 10, [1], [1.0, 0.1]),
     r"alphas must be 1 to 100 finite numbers > 0, increasing; got \[1.0, 0.1\]"),
    (lambda: dt.stability(BOWL, (1, 1), 10, [1], [0.1], forms=("sgd",)),
     r"forms must be among \['revision', 'accumulator', 'adagrad'\]; got 'sgd'"),
    (lambda: dt.delay_tolerant_adagrad([1, -1]), r"taus must be delays in \[0, 100\]"),
])  # fmt: skip
def test_bad_arguments_are_named(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_the_stability_probe_is_the_single_runs():
    alphas = np.geomspace(1.0, 100.0, 9)
    found = dt.stability("rosenbrock", (-1.5, 2.0), 500, [1, 4], alphas,
                         forms=("adagrad", "revision"))  # fmt: skip
    assert found.diverged_step.shape == (2, 2, 9)
    for i, form in enumerate(found.forms):
        for j, tau in enumerate(found.taus):
            for k, alpha in enumerate(alphas):
                one = dt.run_delay_tolerant("rosenbrock", (-1.5, 2.0), 500, form=form,
                                            lr=float(alpha), delay=int(tau), record="final")
                assert found.diverged_step[i, j, k] == one.diverged_step
                assert found.converged_step[i, j, k] == one.converged_step
            largest = found.largest_stable[i, j]
            k = int(np.flatnonzero(alphas == largest)[0])
            assert np.all(found.diverged_step[i, j, : k + 1] < 0)
            assert found.all_stable[i, j] == (k == len(alphas) - 1)
            if k + 1 < len(alphas):
                assert found.diverged_step[i, j, k + 1] >= 0
    # measured: on Rosenbrock plain AdaGrad diverges from α = 31.6 at τ = 4, the
    # delay-tolerant form at no α of the grid
    assert found.largest_stable[0, 1] < found.largest_stable[1, 1]
    assert found.all_stable[1].all()


def test_the_probe_finds_the_fastest_alpha():
    alphas = np.array([0.5, 1.0, 2.0, 4.0])
    found = dt.stability(BOWL, (-4.5, 3.0), 300, [2], alphas, forms=("revision",))
    runs = [dt.run_delay_tolerant(BOWL, (-4.5, 3.0), 300, lr=a, delay=2, record="final")
            for a in alphas]  # fmt: skip
    steps = [r.converged_step for r in runs]
    best = min(s for s in steps if s >= 0)
    assert found.fastest[0, 0] == best
    assert found.fastest_alpha[0, 0] == alphas[steps.index(best)]
    assert found.best_loss[0, 0] == min(r.final_loss for r in runs)
