"""Saddle escapes, basin maps and sweeps (optim_core.analysis) against single runs and
closed forms."""

import math

import numpy as np
import pytest

import optim_core
import scenes
import surfaces
from optim_core.analysis import divergence_threshold, escape_radius, saddle_visit


@pytest.mark.parametrize("lr", [0.01, 0.05])
@pytest.mark.parametrize("delta", [1e-3, 1e-5, 1e-8])
def test_sgd_escape_from_x2_minus_y2_matches_the_closed_form(lr, delta):
    # Along y, SGD multiplies the offset by (1 + 2α) each step: it passes r = 1 at the
    # first k with δ(1 + 2α)^k > 1.
    expected = math.floor(math.log(1 / delta) / math.log(1 + 2 * lr)) + 1
    got = optim_core.escape_steps("sgd", "saddle", 0, [0.0, delta], 100_000, 1.0, lr=lr)
    assert int(got) == expected


def test_escape_steps_equal_single_runs_for_every_offset():
    rng = np.random.default_rng(1)
    offsets = rng.normal(size=(40, 2)) * 10.0 ** rng.uniform(-8, -2, size=(40, 1))
    got = optim_core.escape_steps("adam", "himmelblau", 1, offsets, 3000, 0.5, lr=0.01)
    saddle = surfaces.get("himmelblau").saddles[1]
    for offset, step in zip(offsets, got, strict=True):
        tr = optim_core.run("adam", "himmelblau", saddle + offset, 3000, lr=0.01)
        far = np.flatnonzero(np.hypot(*(tr.path - saddle).T) > 0.5)
        assert step == (far[0] if len(far) else -1)


def test_adaptive_methods_barely_depend_on_the_offset_while_sgd_adds_a_constant_per_decade():
    sizes = np.array([1e-3, 1e-5, 1e-8])
    offsets = optim_core.offsets_along((0.0, 1.0), sizes)
    sgd = optim_core.escape_steps("sgd", "saddle", 0, offsets, 10_000, 1.0, lr=0.01)
    adam = optim_core.escape_steps("adam", "saddle", 0, offsets, 10_000, 1.0, lr=0.01)
    per_decade = np.diff(sgd) / np.diff(-np.log10(sizes))
    assert np.all(np.abs(per_decade - 1 / math.log10(1.02)) < 1.5)  # 116.3 steps a decade
    assert np.ptp(adam) <= 3


def test_escape_steps_reports_never_as_minus_one():
    got = optim_core.escape_steps("sgd", "saddle", 0, [[0.0, 1e-8], [0.0, 1e-2]], 50, 1.0)
    assert got.tolist() == [-1, -1]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(offsets=[0.0, 0.0]), "offsets must be non-zero"),
        (dict(offsets=[[1e-3, 0.0], [0.0, 0.0]]), "exactly \\(0, 0\\)"),
        (dict(radius=0.0), "radius must be a finite number > 0; got 0.0"),
        (dict(radius=-1), "radius must be a finite number > 0; got -1"),
        (dict(saddle=(1.0, 1.0)), "is not a saddle of saddle"),
        (dict(saddle=3), "saddle index must be in \\[0, 0\\]"),
        (dict(offsets=[0.0, 2.0]), "shorter than the radius 1"),
        (dict(steps=0), "steps must be an integer"),
    ],
)
def test_escape_steps_refuses_bad_input_with_a_message(kwargs, message):
    args = dict(saddle=0, offsets=[0.0, 1e-3], steps=100, radius=1.0) | kwargs
    with pytest.raises(ValueError, match=message):
        optim_core.escape_steps("sgd", "saddle", **args)


def test_a_surface_without_saddles_has_none_to_escape():
    with pytest.raises(ValueError, match="its saddles: none"):
        optim_core.escape_steps("sgd", "rosenbrock", 0, [0.0, 1e-3], 10, 0.5)


def test_the_saddle_preset_story_in_numbers():
    """One α, start (−1.5, 1e-6): the EMA methods linger, the adaptive ones leave."""
    visits = {}
    for name in ["sgd", "momentum", "nag", "rmsprop", "adam", "adagrad"]:
        tr = optim_core.run(name, "saddle", [-1.5, 1e-6], 300, lr=0.05)
        visits[name] = saddle_visit(tr.surface, tr.path)
    assert escape_radius(surfaces.get("saddle")) == 1.0
    assert {n: v.escape_step for n, v in visits.items() if v.came_near} == {
        "sgd": 145, "momentum": 226, "nag": 216}  # fmt: skip
    assert [visits[n].near_steps for n in ("sgd", "momentum", "nag")] == [95, 145, 138]
    for name in ("rmsprop", "adam", "adagrad"):
        assert not visits[name].came_near and visits[name].near_steps == 0
        assert visits[name].closest_distance > 1.05


def test_unstable_direction_is_the_negative_curvature_eigenvector():
    np.testing.assert_allclose(np.abs(optim_core.unstable_direction("saddle", 0)), [0, 1])
    assert optim_core.unstable_direction("monkey_saddle", 0) is None
    beale = surfaces.get("beale")
    u = optim_core.unstable_direction(beale, 0)
    assert u @ beale.hessian(beale.saddles[0]) @ u < 0


def test_escape_radius_keeps_other_critical_points_out():
    for name in surfaces.names():
        surface = surfaces.get(name)
        if not len(surface.saddles):
            continue
        r = escape_radius(surface)
        others = np.vstack([surface.saddles, surface.minimizers.reshape(-1, 2)])
        for saddle in surface.saddles:
            gaps = np.hypot(*(others - saddle).T)
            assert np.all(gaps[gaps > 0] >= 2 * r - 1e-12)


# ---------------------------------------------------------------- basin maps


def test_basin_map_on_himmelblau_finds_all_four_minima():
    result = optim_core.basin_map("sgd", "himmelblau", 40, 500, lr=0.01)
    assert result.final.shape == (40, 40, 2)
    assert set(np.unique(result.minimizer_index)) == {0, 1, 2, 3}
    # a start next to a minimizer reaches that one
    minimizers = result.surface.minimizers
    for k, (mx, my) in enumerate(minimizers):
        i, j = np.argmin(np.abs(result.y - my)), np.argmin(np.abs(result.x - mx))
        assert result.minimizer_index[i, j] == k


def test_basin_map_cells_equal_single_runs():
    result = optim_core.basin_map("nag", "six_hump_camel", 12, 300, lr=0.05)
    for i, j in [(0, 0), (3, 7), (11, 11), (6, 5)]:
        tr = optim_core.run("nag", "six_hump_camel", [result.x[j], result.y[i]], 300,
                            lr=0.05, record="final")  # fmt: skip
        np.testing.assert_array_equal(result.final[i, j], tr.final_point)
        assert result.converged_step[i, j] == tr.converged_step
        assert result.diverged_step[i, j] == tr.diverged_step


def test_basin_map_marks_divergence_and_reports_progress():
    seen = []
    result = optim_core.basin_map("sgd", "rosenbrock", 20, 50, lr=0.01, progress=seen.append)
    assert result.diverged_step.max() >= 1  # the steep corners of Rosenbrock blow up
    assert np.all(result.minimizer_index[result.diverged_step >= 0] == -1)
    assert seen and seen[-1] == 1.0
    assert np.all(result.stalled == ((result.minimizer_index < 0) & (result.diverged_step < 0)))


@pytest.mark.parametrize("resolution", [1, 201, 2.5, True])
def test_basin_map_refuses_resolutions_out_of_range(resolution):
    with pytest.raises(
        ValueError, match=f"resolution must be an integer in \\[2, 200\\]; got {resolution!r}"
    ):
        optim_core.basin_map("sgd", "booth", resolution, 10)


# ---------------------------------------------------------------- sweeps


def test_sweep_equals_single_runs_at_sampled_settings():
    lrs = np.logspace(-4, 0, 25)
    betas = np.array([0.0, 0.5, 0.9, 0.99])
    result = optim_core.sweep("adam", "rosenbrock", [-1.5, 2.0], 400,
                              {"lr": lrs, "beta1": betas})  # fmt: skip
    assert result.final_loss.shape == (25, 4)
    for i, j in [(0, 0), (12, 2), (24, 3), (20, 1)]:
        tr = optim_core.run("adam", "rosenbrock", [-1.5, 2.0], 400, lr=lrs[i], beta1=betas[j],
                            record="final")  # fmt: skip
        assert result.final_loss[i, j] == tr.final_loss
        assert result.converged_step[i, j] == tr.converged_step
        assert result.diverged_step[i, j] == tr.diverged_step


def test_sweep_over_eps_including_zero_and_over_beta2():
    result = optim_core.sweep("rmsprop", "beale", [1.0, 1.4], 200,
                              {"eps": [0.0, 1e-8, 1e-2], "beta2": [0.5, 0.9]}, lr=0.01)  # fmt: skip
    for i, eps in enumerate([0.0, 1e-8, 1e-2]):
        for j, beta2 in enumerate([0.5, 0.9]):
            tr = optim_core.run("rmsprop", "beale", [1.0, 1.4], 200, lr=0.01, eps=eps,
                                beta2=beta2, record="final")  # fmt: skip
            assert result.final_loss[i, j] == tr.final_loss


def test_sgd_sweep_marks_where_divergence_starts():
    lrs = np.logspace(-5, 1, 60)
    result = optim_core.sweep("sgd", "rosenbrock", [-1.5, 2.0], 300, {"lr": lrs})
    threshold = divergence_threshold(lrs, result.diverged_step)
    assert 1e-3 < threshold < 1e-2
    assert np.all(result.diverged_step[lrs >= threshold] >= 0)
    assert np.all(result.diverged_step[lrs < threshold] < 0)


@pytest.mark.parametrize(
    ("grid", "message"),
    [
        ({"lr": [0.1, -1.0]}, "lr must be a finite number > 0; got -1.0"),
        ({"beta1": [1.0]}, "beta1 must be a number in \\[0, 1\\); got 1.0"),
        ({"lr": []}, "must hold at least one value"),
        ({"lr": np.ones(201), "beta1": np.linspace(0, 0.9, 201)}, "at most 40000"),
        ({"rho": [0.1]}, "not a hyperparameter of adam"),
        ({}, "one or two hyperparameter names"),
    ],
)
def test_sweep_refuses_bad_grids_with_a_message(grid, message):
    with pytest.raises(ValueError, match=message):
        optim_core.sweep("adam", "booth", [1.0, 1.0], 10, grid)


def test_sweep_refuses_an_optimizer_that_cannot_run_on_the_surface():
    # (it stepped into Gauss–Newton's residuals and failed with a TypeError)
    with pytest.raises(ValueError, match="Gauss–Newton needs a sum of squares.*Rastrigin does"):
        optim_core.sweep("gauss_newton", "rastrigin", [1.0, 1.0], 10, {"lr": [0.5, 1.0]})


def test_sweep_refuses_a_value_fixed_twice_and_lr_for_adadelta():
    with pytest.raises(ValueError, match="both in grid and as a fixed value"):
        optim_core.sweep("adam", "booth", [1.0, 1.0], 10, {"lr": [0.1]}, lr=0.2)
    with pytest.raises(ValueError, match="not a hyperparameter of adadelta"):
        optim_core.sweep("adadelta", "booth", [1.0, 1.0], 10, {"lr": [0.1]})


def test_a_sweep_over_a_network_gives_each_lr_the_final_loss_of_run():
    # a start of D = 42 weights; a huge lr diverges, a result and not an exception
    net = surfaces.network("moons", hidden=(8,), n=60)
    start = net.init_params()
    lrs = np.array([0.01, 0.1, 1.0, 10.0, 1e6])
    for surface in (net, net.surface):
        result = optim_core.sweep("sgd", surface, start, 100, {"lr": lrs})
        assert result.final_loss.shape == result.diverged_step.shape == (5,)
        for i, lr in enumerate(lrs):
            tr = optim_core.run("sgd", net, start, 100, lr=lr, record="final")
            assert result.final_loss[i] == tr.final_loss
            assert result.diverged_step[i] == tr.diverged_step
            assert result.converged_step[i] == tr.converged_step == -1  # no known minimizer
        assert result.diverged_step[-1] >= 0 and np.all(result.diverged_step[:-1] == -1)
        assert result.final_loss[2] < result.final_loss[0] < math.log(2)  # lr 1 learns
        # no view beyond 2-D: "left the view" does not apply (-1, False), no minimizer
        assert np.all(result.left_view_step == -1) and not result.left_downhill.any()
        assert np.all(np.isinf(result.final_distance))
        assert result.surface.dim == 42 and result.start.shape == (42,)


def test_a_two_way_sweep_over_a_network_equals_its_runs():
    net = surfaces.network("moons", hidden=(8,), n=60)
    lrs, betas = np.array([0.01, 0.1]), np.array([0.0, 0.9, 0.99])
    result = optim_core.sweep("adam", net, net.init_params(), 40, {"lr": lrs, "beta1": betas})
    assert result.final_loss.shape == (2, 3)
    for i, j in [(0, 0), (1, 2), (0, 1)]:
        tr = optim_core.run("adam", net, net.init_params(), 40, lr=lrs[i], beta1=betas[j],
                            record="final")  # fmt: skip
        assert result.final_loss[i, j] == tr.final_loss


def test_a_network_sweep_refuses_bad_starts_and_too_many_numbers():
    net = surfaces.network("moons", hidden=(8,), n=60)
    with pytest.raises(ValueError, match=r"start must be shaped \(42,\) or \(N, 42\).*\(2,\)"):
        optim_core.sweep("sgd", net, [0.0, 0.0], 10, {"lr": [0.1]})
    with pytest.raises(ValueError, match=r"start must be one point of the D = 42 weights .*"
                                         r"shaped \(42,\); got shape \(3, 42\)"):
        optim_core.sweep("sgd", net, np.zeros((3, 42)), 10, {"lr": [0.1]})
    big = surfaces.network("digits", hidden=(16,))  # D = 1,210
    with pytest.raises(ValueError, match=r"2000 settings of a start of D = 1,210 weights, "
                                         r"settings x D = 2,420,000 numbers; at most 2,000,000"):
        optim_core.sweep("sgd", big, big.init_params(), 10, {"lr": np.linspace(0.01, 1, 2000)})
    with pytest.raises(ValueError, match="Gauss–Newton needs a sum of squares"):
        optim_core.sweep("gauss_newton", net, net.init_params(), 10, {"lr": [1.0]})


# ---------------------------------------------------------------- escapes that blow up


def test_escape_runs_tell_a_blow_up_from_an_escape():
    radius = escape_radius("himmelblau")
    blown = optim_core.escape_runs("sgd", "himmelblau", 0, [0.01, 0.0], 300, radius, lr=2.0)
    single = optim_core.run("sgd", "himmelblau", surfaces.get("himmelblau").saddles[0] + [0.01, 0],
                            300, lr=2.0)  # fmt: skip
    assert blown.blew_up and blown.escape_step >= 0
    assert blown.diverged_step == single.diverged_step >= 0
    calm = optim_core.escape_runs("sgd", "himmelblau", 0, [0.01, 0.0], 3000, radius, lr=0.02)
    assert not calm.blew_up and calm.escape_step == 9
    assert calm.converged_step == optim_core.run(
        "sgd", "himmelblau", surfaces.get("himmelblau").saddles[0] + [0.01, 0], 3000, lr=0.02
    ).converged_step >= 0  # followed until it converged, to be sure it did not blow up
    # the escape step is the same whether or not the run is followed afterwards
    assert optim_core.escape_steps("sgd", "himmelblau", 0, [0.01, 0.0], 300, radius, lr=2.0) == \
        blown.escape_step  # fmt: skip


def test_on_a_surface_without_a_minimum_leaving_the_box_is_an_escape():
    out = optim_core.escape_runs("sgd", "saddle", 0, [[0.0, 1e-3], [0.0, -1e-5]], 5000, 1.0,
                                 lr=0.5)  # fmt: skip
    assert np.all(out.escape_step >= 0) and not out.blew_up.any()


# ---------------------------------------------------------------- escapes with gradient noise


def _same_escapes(a, b):
    for field in ("escape_step", "diverged_step", "converged_step", "blew_up"):
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field), err_msg=field)


def test_noisy_escapes_are_reproducible_from_their_seed():
    offsets = optim_core.offsets_along((1.0, 1.0), np.logspace(-8, -2, 12))
    kw = dict(lr=0.05, noise_eta=0.01, noise_gamma=0.3)
    a = optim_core.escape_runs("momentum", "saddle", 0, offsets, 3000, 1.0, seed=4, **kw)
    b = optim_core.escape_runs("momentum", "saddle", 0, offsets, 3000, 1.0, seed=4, **kw)
    c = optim_core.escape_runs("momentum", "saddle", 0, offsets, 3000, 1.0, seed=5, **kw)
    _same_escapes(a, b)
    assert a.noise == (0.01, 0.3, 4) and not np.array_equal(a.escape_step, c.escape_step)
    steps = optim_core.escape_steps("momentum", "saddle", 0, offsets, 3000, 1.0, seed=4, **kw)
    np.testing.assert_array_equal(steps, a.escape_step)


def test_a_noisy_escape_is_the_noisy_single_runs_escape():
    saddle = surfaces.get("himmelblau").saddles[2]
    radius = escape_radius("himmelblau")
    kw = dict(lr=0.01, noise_eta=0.1, seed=9)
    got = optim_core.escape_runs("adam", "himmelblau", 2, [1e-6, 0.0], 2000, radius, **kw)
    tr = optim_core.run("adam", "himmelblau", saddle + [1e-6, 0.0], 2000, **kw)
    far = np.flatnonzero(np.hypot(*(tr.path - saddle).T) > radius)
    assert got.escape_step == far[0] > 0


def test_no_noise_is_bit_for_bit_the_escapes_without_it():
    rng = np.random.default_rng(2)
    offsets = rng.normal(size=(30, 2)) * 10.0 ** rng.uniform(-8, -2, size=(30, 1))
    plain = optim_core.escape_runs("rmsprop", "himmelblau", 1, offsets, 2000, 0.5, lr=0.01)
    for eta in (None, 0.0, 0):
        same = optim_core.escape_runs("rmsprop", "himmelblau", 1, offsets, 2000, 0.5, lr=0.01,
                                      noise_eta=eta, noise_gamma=0.9, seed=17)  # fmt: skip
        _same_escapes(same, plain)
        assert same.noise is None


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(noise_eta=-0.1), "noise_eta must be a finite number >= 0; got -0.1"),
        (dict(noise_eta=float("inf")), "noise_eta must be a finite number >= 0; got inf"),
        (dict(noise_eta="0.1"), "noise_eta must be a finite number >= 0; got '0.1'"),
        (dict(noise_eta=0.1, noise_gamma=-1), "noise_gamma must be a finite number >= 0; got -1"),
        (dict(noise_eta=0.1, noise_gamma=None), "noise_gamma must be a finite number >= 0"),
        (dict(noise_eta=0.1, seed=-1), "seed must be an integer >= 0; got -1"),
        (dict(noise_eta=0.1, seed=2.0), "seed must be an integer >= 0; got 2.0"),
        (dict(noise_eta=0.1, seed=True), "seed must be an integer >= 0; got True"),
    ],
)
def test_escapes_refuse_bad_noise_as_a_run_does(kwargs, message):
    with pytest.raises(ValueError, match=message):
        optim_core.escape_runs("sgd", "saddle", 0, [0.0, 1e-3], 100, 1.0, **kwargs)
    with pytest.raises(ValueError, match=message):
        optim_core.escape_steps("sgd", "saddle", 0, [0.0, 1e-3], 100, 1.0, **kwargs)
    with pytest.raises(ValueError, match=message):
        optim_core.run("sgd", "saddle", [0.0, 1e-3], 100, **kwargs)


def test_noise_gets_sgd_off_the_saddles_stable_line():
    # On x² − y², a start on the x axis has no y gradient: SGD slides into the saddle and
    # stays on the axis. Noise pushes it off, and the unstable direction does the rest.
    on_axis = optim_core.offsets_along((1.0, 0.0), np.logspace(-8, -2, 10))
    offsets = np.concatenate([on_axis, -on_axis])  # 20 starts on the stable line
    plain = optim_core.escape_runs("sgd", "saddle", 0, offsets, 5000, 1.0, lr=0.05)
    assert np.all(plain.escape_step == -1)
    for seed in range(20):
        noisy = optim_core.escape_runs("sgd", "saddle", 0, offsets, 5000, 1.0, lr=0.05,
                                       noise_eta=0.01, seed=seed)  # fmt: skip
        assert np.all(noisy.escape_step >= 0) and not noisy.blew_up.any(), seed
    for seed in range(20):
        one = optim_core.escape_runs("sgd", "saddle", 0, [1e-3, 0.0], 5000, 1.0, lr=0.05,
                                     noise_eta=0.01, seed=seed)  # fmt: skip
        assert one.escape_step >= 0, seed


def test_noise_speeds_sgd_away_from_a_start_very_close_to_the_saddle():
    # 1e-8 along the unstable direction: without noise SGD needs 194 steps at α 0.05
    # (the offset grows 1.1× a step); a kick of σ ~ 0.1 starts it much farther out.
    plain = optim_core.escape_steps("sgd", "saddle", 0, [0.0, 1e-8], 5000, 1.0, lr=0.05)
    assert plain == 194
    for seed in range(20):
        noisy = optim_core.escape_steps("sgd", "saddle", 0, [0.0, 1e-8], 5000, 1.0, lr=0.05,
                                        noise_eta=0.01, seed=seed)  # fmt: skip
        assert 0 <= noisy < plain, seed


# ---------------------------------------------------------------- leaving the view


def test_basin_map_and_sweep_record_when_each_start_left_the_view():
    result = optim_core.basin_map("sgd", "saddle", 9, 300, lr=0.005)
    for i, j in [(0, 0), (4, 1), (4, 4), (8, 3), (2, 7), (5, 5)]:
        start = (result.x[j], result.y[i])
        path = optim_core.run("sgd", "saddle", start, 300, lr=0.005).path
        assert result.left_view_step[i, j] == optim_core.left_view_step(surfaces.get("saddle"), path)
    # slow runs that left the view but not the 10x box ran off downhill: not "stalled"
    slow = (result.diverged_step < 0) & (result.left_view_step >= 0)
    assert slow.any() and not result.stalled[slow].any()
    assert result.stalled[4].all()  # starts on the saddle's stable line y = 0 stay in view
    assert result.stalled.sum() == 9
    lrs = np.logspace(-3, 1, 9)
    for name in ("adam", "sgd"):
        swept = optim_core.sweep(name, "saddle", (-1.5, 1e-6), 300, {"lr": lrs})
        for lr, left in zip(lrs, swept.left_view_step, strict=True):
            run = optim_core.run(name, "saddle", (-1.5, 1e-6), 300, lr=lr)
            # a run that leaves the 10x box is frozen inside it: that step it left the view
            seen = optim_core.left_view_step(surfaces.get("saddle"), run.path)
            assert left == (seen if seen >= 0 else run.diverged_step)
    assert swept.left_view_step[-1] == 1  # SGD at α = 10 leaves the box at its first step


def test_on_a_bounded_surface_a_map_calls_only_divergence_running_off():
    result = optim_core.basin_map("sgd", "himmelblau", 20, 100, lr=0.05)
    assert np.array_equal(result.ran_off, result.diverged_step >= 0)


@pytest.mark.parametrize(("name", "surface", "lr"), [
    ("sgd", "saddle", 2.0), ("adagrad", "saddle", 2.0), ("adam", "saddle", 2.0),
    ("rmsprop", "saddle", 10.0), ("sgd", "himmelblau", 0.02), ("adam", "goldstein_price", 0.05),
    ("momentum", "six_hump_camel", 0.05),
])  # fmt: skip
def test_escape_steps_are_the_race_pages_escape_steps(name, surface, lr):
    # One definition everywhere: the first step beyond r after the closest approach,
    # leaving the divergence box included; overshoots that come back don't count.
    surf = surfaces.get(surface)
    radius = escape_radius(surf)
    rng = np.random.default_rng(5)
    angles = rng.uniform(0, 2 * np.pi, 12)
    offsets = 1e-3 * np.column_stack([np.cos(angles), np.sin(angles)])
    offsets[0] = (1e-3, 0.0)  # on x² − y²'s stable axis: it never escapes
    out = optim_core.escape_runs(name, surf, 0, offsets, 400, radius, lr=lr)
    for k, offset in enumerate(offsets):
        traj = optim_core.run(name, surf, surf.saddles[0] + offset, 400, lr=lr)
        path = traj.path.copy()
        if traj.diverged_step >= 0:  # it left the box there: put it outside
            path[int(traj.diverged_step):] = np.inf
        distance = np.hypot(*(path - surf.saddles[0]).T)
        first = int(np.argmin(distance))
        beyond = np.flatnonzero(distance[first:] > radius)
        expected = first + int(beyond[0]) if len(beyond) else -1
        assert out.escape_step[k] == expected, (k, offset)


def test_uphill_blow_ups_on_the_saddle_are_not_escapes():
    # SGD at α 2 along x² − y²'s attracting axis: |x| grows ×3 each step, f rises
    out = optim_core.escape_runs("sgd", "saddle", 0, [[1e-3, 1e-9], [1e-9, 1e-3]], 400, 1.0,
                                 lr=2.0)  # fmt: skip
    assert out.blew_up.tolist() == [True, False] and out.diverged_step[0] >= 0


def test_critical_points_include_the_local_ones():
    kinds = {name: sorted(optim_core.critical_points(surfaces.get(name)).kinds)
             for name in ("goldstein_price", "himmelblau", "six_hump_camel")}  # fmt: skip
    assert kinds["goldstein_price"].count("minimum") == 4
    assert kinds["himmelblau"].count("maximum") == 1
    assert kinds["six_hump_camel"].count("minimum") == 6
    gp = surfaces.get("goldstein_price")
    for saddle in gp.saddles:  # no other critical point within 2 r of any saddle
        assert optim_core.nearest_critical_distance(gp, saddle) >= 2 * escape_radius(gp) - 1e-12


def test_maps_and_sweeps_tell_running_off_downhill_from_blowing_up_uphill():
    surf = surfaces.get("saddle")
    result = optim_core.basin_map("sgd", surf, 20, 300, lr=2.0)
    assert result.ran_off.any() and result.blew_up_uphill.any()
    for i, j in [(0, 0), (10, 3), (9, 15), (19, 19), (3, 10)]:
        start = np.array([result.x[j], result.y[i]])
        run = optim_core.run("sgd", surf, start, 300, lr=2.0)
        k = optim_core.left_view_step(surf, run.path)
        point = run.path[k] if k >= 0 else run.diverged_point  # out of the box in one step
        if k < 0 and run.diverged_step < 0:
            continue
        uphill = not float(surf.f(point)) < float(surf.f(start))
        assert result.blew_up_uphill[i, j] == uphill and result.ran_off[i, j] == (not uphill)
    swept = optim_core.sweep("sgd", surf, (-1.5, 1e-3), 300, {"lr": np.logspace(-3, 1, 9)})
    assert swept.left_downhill.tolist() == [False] * 3 + [True] * 4 + [False] * 2


# ---------------------------------------------------------------- what the analyses accept

OFF = optim_core.offsets_along((0.0, 1.0), [1e-3])


@pytest.mark.parametrize("call", [
    lambda **k: optim_core.escape_steps("momentum", "saddle", 0, OFF, 5000, 1.0, **k),
    lambda **k: optim_core.escape_runs("momentum", "saddle", 0, OFF, 5000, 1.0, **k),
    lambda **k: optim_core.basin_map("momentum", "himmelblau", 4, 50, **k),
    lambda **k: optim_core.sweep("momentum", "himmelblau", (1, 1), 50, {"lr": [0.01]}, **k),
])  # fmt: skip
@pytest.mark.parametrize("name, hint", [("beta", "did you mean beta1"),
                                        ("learning_rate", "the hyperparameters are lr")])
def test_the_analyses_refuse_names_they_do_not_use(call, name, hint):
    with pytest.raises(ValueError, match=rf"{name}=0.5 is not a hyperparameter.*{hint}"):
        call(**{name: 0.5})


def test_escapes_take_the_pytorch_convention_as_run_does():
    kwargs = dict(lr=0.01, beta1=0.9)
    cheat = optim_core.escape_steps("momentum", "saddle", 0, OFF, 5000, 1.0, **kwargs)
    torch = optim_core.escape_steps("momentum", "saddle", 0, OFF, 5000, 1.0,
                                    convention="pytorch", **kwargs)  # fmt: skip
    saddle = surfaces.get("saddle").saddles[0]
    tr = optim_core.run("momentum", "saddle", saddle + OFF[0], 5000, convention="pytorch",
                        **kwargs)  # fmt: skip
    far = np.flatnonzero(np.hypot(*(tr.path - saddle).T) > 1.0)
    assert int(torch[0]) == far[0] and torch[0] < cheat[0] / 3  # 72 against 409 steps


def test_basin_maps_and_sweeps_take_the_pytorch_convention():
    kwargs = dict(lr=0.05, beta1=0.9)
    got = optim_core.basin_map("momentum", "himmelblau", 5, 200, convention="pytorch", **kwargs)
    start = (got.x[1], got.y[3])
    tr = optim_core.run("momentum", "himmelblau", start, 200, convention="pytorch", **kwargs)
    np.testing.assert_array_equal(got.final[3, 1], tr.final_point)
    swept = optim_core.sweep("momentum", "himmelblau", start, 200, {"lr": [0.05]},
                             convention="pytorch", beta1=0.9)  # fmt: skip
    assert swept.final_loss[0] == tr.final_loss


def test_adadelta_refuses_eps_zero_and_says_why():
    with pytest.raises(ValueError, match=r"eps must be > 0 for Adadelta; got 0.*never moves"):
        optim_core.run("adadelta", "rosenbrock", (0, 0), 10, eps=0.0)
    with pytest.raises(ValueError, match=r"eps must be > 0 for Adadelta"):
        optim_core.run("adadelta", "rosenbrock", (0, 0), 10, eps=0.0, convention="pytorch")
    with pytest.raises(ValueError, match=r"eps must be > 0 for Adadelta"):
        optim_core.sweep("adadelta", "rosenbrock", (0, 0), 10, {"eps": [0.0, 1e-6]})
    optim_core.run("adam", "rosenbrock", (0, 0), 10, eps=0.0)  # Adam's ε may be 0


@pytest.mark.parametrize("call, message", [
    (lambda: surfaces.get(["x"]), r"surface must be one of .*; got \['x'\]"),
    (lambda: optim_core.run("sgd", {"a": 1}, (0, 0), 5), r"surface must be one of .*\{'a': 1\}"),
    (lambda: optim_core.run({"a": 1}, "booth", (0, 0), 5), r"optimizer must be one of"),
    (lambda: divergence_threshold([0.1, 0.2, 0.3], [-1, 4]),
     r"of one length; got shapes \(3,\) and \(2,\)"),
    (lambda: divergence_threshold([0.1, np.nan], [-1, 4]), r"values must be finite; got nan"),
    (lambda: divergence_threshold([0.3, 0.1], [-1, 4]), r"values must increase"),
    (lambda: optim_core.offsets_along((0.0, 0.0), [1e-3]), r"non-zero vector; got \[0.0, 0.0\]"),
    (lambda: optim_core.offsets_along((np.nan, 1.0), [1e-3]), r"finite, non-zero vector"),
    (lambda: optim_core.offsets_along(np.nan, [1e-3]), r"finite, non-zero vector"),
    (lambda: optim_core.offsets_along((1.0, 0.0), [[1e-3]]), r"sizes must be a 1-D list"),
    (lambda: optim_core.sweep("sgd", "booth", (0, 0), 5, {"lr": [[0.01, 0.02], [0.03, 0.04]]}),
     r"grid\['lr'\] must be a 1-D list of values .* shaped \(2, 2\)"),
    (lambda: saddle_visit(surfaces.get("saddle"), np.zeros((5, 3))),
     r"path must be shaped \(steps \+ 1, 2\).*got shape \(5, 3\)"),
    (lambda: optim_core.left_view_step(surfaces.get("saddle"), np.zeros(4)),
     r"path must be shaped \(steps \+ 1, 2\).*got shape \(4,\)"),
])  # fmt: skip
def test_bad_arguments_are_value_errors_that_name_the_value(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# ---------------------------------------------------------------- the divergence verdict

KAPPA10 = "quadratic(kappa=10.0)"


def test_heavy_ball_swinging_out_of_the_box_and_back_has_not_diverged():
    # PyTorch-form heavy ball at α 0.37997, β 0.9 (its limit is 2(1 + β)/L = 0.38) swings
    # out to |w| = 52.7, beyond the box's 50, then decays
    tr = optim_core.run("momentum", KAPPA10, (-4.5, 3), 3000, lr=0.37997, beta1=0.9,
                        convention="pytorch")  # fmt: skip
    low, high = optim_core.divergence_box(tr.surface)
    assert np.abs(tr.path).max() > high[0]  # it did leave the box
    assert tr.diverged_step == -1 and np.abs(tr.final_point).max() < 1e-2
    # cut off while it is out there and still swinging wider, it is diverged at its exit
    short = optim_core.run("momentum", KAPPA10, (-4.5, 3), 25, lr=0.37997, beta1=0.9,
                           convention="pytorch")  # fmt: skip
    exit_step = np.flatnonzero(np.abs(tr.path).max(axis=1) > high[0])[0]
    assert short.diverged_step == exit_step


def test_outside_the_box_but_shrinking_at_the_end_is_not_diverged():
    tr = optim_core.run("momentum", KAPPA10, (-4.5, 3), 3000, lr=0.37997, beta1=0.9,
                        convention="pytorch")  # fmt: skip
    far = np.abs(tr.path).max(axis=1)
    out = np.flatnonzero(far > 50)
    peak = int(np.argmax(far))
    stop = next(k for k in out if k > peak + 12)  # outside, well past its farthest point
    cut = optim_core.run("momentum", KAPPA10, (-4.5, 3), int(stop), lr=0.37997, beta1=0.9,
                         convention="pytorch")  # fmt: skip
    assert np.abs(cut.final_point).max() > 50 and cut.diverged_step == -1


@pytest.mark.parametrize("name, convention, beta, low, high, limit", [
    ("sgd", "cheatsheet", None, 0.1, 0.3, 2 / 10),  # 2/L
    ("momentum", "pytorch", 0.9, 0.3, 0.46, 2 * 1.9 / 10),  # 2(1 + β)/L
    ("momentum", "cheatsheet", 0.99, 30.0, 45.0, 2 * 1.99 / (0.01 * 10)),  # EMA: 2(1 + β)/((1 − β)L)
])  # fmt: skip
def test_the_sweeps_divergence_onset_sits_at_the_stability_limit(name, convention, beta, low,
                                                                  high, limit):
    grid = np.linspace(low, high, 2000)
    fixed = {} if beta is None else {"beta1": beta}
    result = optim_core.sweep(name, KAPPA10, (-4.5, 3), 3000, {"lr": grid},
                              convention=convention, **fixed)  # fmt: skip
    diverged = result.diverged_step >= 0
    assert not diverged[grid < limit].any()  # no convergent run called diverged
    onset = divergence_threshold(grid, result.diverged_step)
    spacing = grid[1] - grid[0]
    assert limit <= onset <= limit + 2 * spacing


def test_a_run_that_stalls_far_outside_the_view_is_not_called_diverged():
    # saddle-free Newton on Beale runs out along the valley y → 1 and stands near x = 420
    tr = optim_core.run("saddle_free_newton", "beale", [1.0, 1.5], 300)
    assert tr.final_point[0] > 400 and abs(np.diff(tr.path[-50:, 0])).max() < 0.1
    assert tr.diverged_step == -1


def test_long_analyses_report_progress_as_they_run_and_stop_when_told():
    """A page shows a bar that moves during one long computation and cancels it when
    the user changes something (its callback raises): every analysis reports the share
    done, rising to 1, and an exception from the callback stops the work there."""
    steps = 10 * optim_core.runner.PROGRESS_EVERY
    calls = {
        "escape": lambda p: optim_core.escape_runs(
            "sgd", "saddle", 0, np.array([[1e-9, 1e-9]]), steps, 0.5, lr=1e-6, progress=p),
        "sweep": lambda p: optim_core.sweep("sgd", "rosenbrock", (-1.5, 2.0), steps,
                                            {"lr": np.logspace(-5, -3, 7)}, progress=p),
        "basin map": lambda p: optim_core.basin_map("sgd", "rosenbrock", 10, steps, lr=1e-5,
                                                    progress=p),
        "saddle outcomes": lambda p: optim_core.saddle_outcomes(
            ["sgd", "adam"], "saddle", 0, np.array([[1e-9, 1e-9]]), steps,
            hyperparams={"sgd": {"lr": 1e-6}, "adam": {"lr": 1e-9}}, progress=p),
    }  # fmt: skip
    for name, call in calls.items():
        seen = []
        call(seen.append)
        assert len(seen) >= 10 and seen == sorted(seen) and seen[-1] == 1.0, (name, seen)
        assert 0 < seen[0] < 0.2, (name, seen)  # the first report comes early

        class Stop(Exception):
            pass

        def stop(fraction):
            if fraction > 0.3:
                raise Stop

        with pytest.raises(Stop):
            call(stop)


# ---------------------------------------------------------------- where runs end at a saddle

# On x² − y² (H = diag(2, −2), ∇f = (2x, −2y)) these rules multiply x and y by a constant
# each step: Newton's H⁻¹g is w itself; saddle-free Newton's |H| + εI is (2 + ε)I.
ALPHA, EPS = 0.3, 1e-3
SADDLE_FACTORS = {
    "newton": ({"lr": ALPHA}, (1 - ALPHA, 1 - ALPHA)),
    "sgd": ({"lr": ALPHA / 10}, (1 - 2 * ALPHA / 10, 1 + 2 * ALPHA / 10)),
    "saddle_free_newton": ({"lr": ALPHA, "eps": EPS},
                           (1 - 2 * ALPHA / (2 + EPS), 1 + 2 * ALPHA / (2 + EPS))),
}  # fmt: skip


def _offsets_off_the_axes(count, seed=3):
    """Offsets of sizes 10⁻⁴ … 0.5 at angles at least 10° from either axis."""
    rng = np.random.default_rng(seed)
    angles = rng.uniform(np.radians(10), np.radians(80), count) + rng.integers(0, 4, count) * np.pi / 2
    sizes = 10.0 ** rng.uniform(-4, math.log10(0.5), count)
    return sizes[:, None] * np.column_stack([np.cos(angles), np.sin(angles)])


@pytest.mark.parametrize("name", list(SADDLE_FACTORS))
@pytest.mark.parametrize("steps", [3, 12, 40])
def test_where_runs_end_near_x2_minus_y2_follows_the_closed_form(name, steps):
    hp, (fx, fy) = SADDLE_FACTORS[name]
    offsets = _offsets_off_the_axes(300)
    out = optim_core.saddle_outcomes([name], "saddle", 0, offsets, steps,
                                     hyperparams={name: hp})[name]  # fmt: skip
    end = offsets * np.array([fx, fy]) ** steps
    distance = np.hypot(*end.T)
    assert out.radius == 1.0 and out.at_tolerance == 0.01 and out.skipped == ""
    inside = ~out.diverged
    np.testing.assert_allclose(out.distance[inside], distance[inside], rtol=1e-9)
    assert np.all(distance[out.diverged] > 1.0)  # (left the box, ten times the view)
    np.testing.assert_array_equal(out.at, distance <= 0.01)
    np.testing.assert_array_equal(out.near, (distance > 0.01) & (distance <= 1.0))
    np.testing.assert_array_equal(out.left, distance > 1.0)
    assert not out.stopped.any() and not out.converged.any()  # (no minimum here)
    assert out.share("at") + out.share("near") + out.share("left") == pytest.approx(1.0)


def test_newton_goes_into_every_saddle_and_saddle_free_newton_leaves_x2_minus_y2():
    """Newton's full step lands on the critical point of the quadratic model: from every
    start off the axes of x² − y² it is at the saddle after one step; saddle-free
    Newton multiplies y by 1.9995 a step and is gone."""
    offsets = _offsets_off_the_axes(200)
    out = optim_core.saddle_outcomes(["newton", "saddle_free_newton"], "saddle", 0, offsets, 40)
    assert out["newton"].share("at") == 1.0 and np.all(out["newton"].distance == 0.0)
    # |y| ≥ 10⁻⁴ sin 10° grows past r = 1 within log(1 / 1.7e-5) / log(1.9995) = 16 steps
    assert out["saddle_free_newton"].share("left") == 1.0
    # on the unbounded saddle, running off downhill is the way out, not a blow-up
    assert out["saddle_free_newton"].diverged.all() and not out["saddle_free_newton"].blew_up.any()


@pytest.mark.parametrize("name", ["bfgs", "cg"])
def test_saddle_outcomes_are_the_runners_paths_at_the_last_step(name):
    """Each start's distance and its failed line search are what the runner's own path
    and state say at step N (Himmelblau's first saddle, 10⁻⁵ away in 40 directions)."""
    surface = surfaces.get("himmelblau")
    saddle = surface.saddles[0]
    angles = np.linspace(0, 2 * np.pi, 40, endpoint=False)
    offsets = 1e-5 * np.column_stack([np.cos(angles), np.sin(angles)])
    out = optim_core.saddle_outcomes([name], surface, 0, offsets, 30)[name]
    tr = optim_core.run(name, surface, saddle + offsets, 30)
    np.testing.assert_array_equal(out.distance, np.hypot(*(tr.path[-1] - saddle).T))
    np.testing.assert_array_equal(out.stopped, tr.state["failed"][-1] > 0)
    np.testing.assert_array_equal(out.converged, tr.converged_step >= 0)
    # what the saddle page reports: the starts still at the saddle are there because their
    # line search failed (a stopped run stays where it is), not because they converged to it
    assert out.at.any() and np.all(out.stopped[out.at])
    for k in np.flatnonzero(out.at):
        failed_at = int(np.argmax(tr.state["failed"][:, k] > 0))
        assert np.all(tr.path[failed_at:, k] == tr.path[-1, k])


@pytest.mark.parametrize("name", ["gauss_newton", "levenberg_marquardt"])
def test_a_method_the_runner_refuses_without_residuals_is_skipped_and_says_why(name):
    """Gauss–Newton and Levenberg–Marquardt run only on sums of squares: off them the
    method is skipped with the runner's words (optim_core.unavailable) and the others
    run; on a sum of squares with a saddle (Himmelblau's) it runs."""
    offsets = 1e-3 * np.array([[1.0, 1.0], [-1.0, 0.5]])
    out = optim_core.saddle_outcomes([name, "adam"], "saddle", 0, offsets, 10)
    assert out[name].skipped == optim_core.unavailable(name, "saddle")
    assert "needs a sum of squares" in out[name].skipped
    assert len(out[name].distance) == 0 and math.isnan(out[name].share("at"))
    assert out["adam"].skipped == "" and len(out["adam"].distance) == 2
    himmelblau = optim_core.saddle_outcomes([name], "himmelblau", 0, offsets, 10)[name]
    assert himmelblau.skipped == "" and len(himmelblau.distance) == 2


@pytest.mark.parametrize("call, message", [
    (lambda: optim_core.saddle_outcomes(["sgd"], "saddle", 0, [[1e-3, 0.0]], 10,
                                        at_tolerance=1.0), r"at_tolerance must be smaller than "
                                                           r"the radius 1; got 1.0"),
    (lambda: optim_core.saddle_outcomes(["sgd"], "saddle", 0, [[0.0, 0.0]], 10),
     r"offsets must be non-zero"),
    (lambda: optim_core.saddle_outcomes(["sgd"], "saddle", 0, [[2.0, 0.0]], 10),
     r"shorter than the radius 1; got one of length 2"),
    (lambda: optim_core.saddle_outcomes(["sgd"], "saddle", 0, [[1e-3, 0.0]], 10,
                                        hyperparams={"adam": {"lr": 0.1}}),
     r"hyperparams names 'adam', which is not among the optimizers \['sgd'\]"),
    (lambda: optim_core.saddle_outcomes(["sgd"], "saddle", 0, [[1e-3, 0.0]], 10,
                                        hyperparams={"sgd": {"lr": -1.0}}), r"lr"),
    (lambda: optim_core.saddle_outcomes(["sgdd"], "saddle", 0, [[1e-3, 0.0]], 10),
     r"optimizer must be one of"),
    (lambda: optim_core.saddle_outcomes(["sgd"], "rosenbrock", 0, [[1e-3, 0.0]], 10),
     r"saddle index must be in \[0, -1\] for rosenbrock"),
    (lambda: optim_core.saddle_outcomes(["sgd"], "saddle", 0, [[1e-3, 0.0]], 0),
     r"steps must be an integer"),
])  # fmt: skip
def test_saddle_outcomes_refuse_bad_input_with_a_message(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def _at_every_saddle(name, offset, steps, **hp):
    offsets = np.asarray(scenes.random_offsets(offset, scenes.CLAIM_DIRECTIONS))
    return {(s, i): optim_core.saddle_outcomes([name], s, i, offsets, steps,
                                               hyperparams={name: hp})[name]
            for s, i in scenes.every_saddle()}  # fmt: skip


def _where_at(outcomes):
    return {key: int(o.at.sum()) for key, o in outcomes.items() if o.at.any()}


def test_the_readmes_verdict_on_the_seeds_sentence():
    """The numbers the README gives for "Do second-order methods settle in saddle
    points?" at the section's defaults (δ 10⁻⁵, 200 starts a saddle, 200 steps)."""
    outcomes = {name: _at_every_saddle(name, 1e-5, 200, **hp) for name, hp in
                [("newton", {}), ("saddle_free_newton", {}), ("bfgs", {}), ("cg", {}),
                 ("sgd", {"lr": 0.05}), ("adam", {"lr": 0.05})]}  # fmt: skip
    share = {n: np.concatenate([o.at for o in v.values()]).mean() for n, v in outcomes.items()}
    assert share["newton"] == 1.0
    # on it to rounding (the saddles' coordinates are rounded too)
    assert max(o.distance.max() for o in outcomes["newton"].values()) < 1e-14
    assert _where_at(outcomes["saddle_free_newton"]) == {("monkey_saddle", 0): 4}  # 0.1 %
    assert (round(100 * share["bfgs"]), round(100 * share["cg"])) == (96, 96)
    assert _where_at(outcomes["sgd"]) == {("monkey_saddle", 0): 200}  # 5 %
    assert _where_at(outcomes["adam"]) == {("goldstein_price", 1): 199}  # 5 %
    surface = surfaces.get("goldstein_price")
    assert surface.saddles[1].tolist() == [1.2, -0.2]
    # every BFGS and CG start at its saddle was stopped there, by a search that failed at
    # one of its first four steps
    offsets = scenes.random_offsets(1e-5, scenes.CLAIM_DIRECTIONS)
    for name in ("bfgs", "cg"):
        for (s, i), out in outcomes[name].items():
            assert np.all(out.stopped[out.at]), (name, s, i)
            saddle = surfaces.get(s).saddles[i]
            failed = optim_core.run(name, s, saddle + offsets[out.at], 6).state["failed"]
            first = np.argmax(failed > 0, axis=0)
            assert np.all(failed[-1] > 0) and 1 <= first.min() and first.max() <= 4
    # δ 10⁻³: 35 % and 47 %, all stopped; most of those that left stopped on the way
    for name, percent in (("bfgs", 35), ("cg", 47)):
        out = _at_every_saddle(name, 1e-3, 200).values()
        at, stopped = (np.concatenate([getattr(o, k) for o in out]) for k in ("at", "stopped"))
        left = np.concatenate([o.left & ~o.converged & ~o.diverged for o in out])
        assert round(100 * at.mean()) == percent and np.all(stopped[at])
        assert stopped[left].mean() > 0.9


def test_the_readmes_verdict_for_lbfgs_gauss_newton_and_levenberg_marquardt():
    """L-BFGS: 96 % at the saddle, every one stopped by a failed search; Gauss–Newton and
    LM: 0 % at their six saddles (Beale's and Himmelblau's), the others skipped."""
    lbfgs = _at_every_saddle("lbfgs", 1e-5, 200)
    at = np.concatenate([o.at for o in lbfgs.values()])
    stopped = np.concatenate([o.stopped for o in lbfgs.values()])
    assert round(100 * at.mean()) == 96 and np.all(stopped[at])
    for name in ("gauss_newton", "levenberg_marquardt"):
        outcomes = _at_every_saddle(name, 1e-5, 200)
        ran = {key for key, o in outcomes.items() if not o.skipped}
        assert {s for s, _ in ran} == {"beale", "himmelblau"} and len(ran) == 6
        assert _where_at({key: outcomes[key] for key in ran}) == {}


def test_scipys_bfgs_leaves_the_saddle_where_ours_stops_on_a_failed_line_search():
    """scipy's BFGS goes on with its last trial step when its line search does not
    converge; ours ends the run there (the README's comparison, Himmelblau's first
    saddle, 200 starts 10⁻³ away)."""
    import warnings

    from scipy.optimize import minimize

    surface = surfaces.get("himmelblau")
    saddle = surface.saddles[0]
    offsets = scenes.random_offsets(1e-3, scenes.CLAIM_DIRECTIONS)
    ours = optim_core.saddle_outcomes(["bfgs"], surface, 0, offsets, 200)["bfgs"]
    assert round(100 * ours.share("at")) == 71 and np.all(ours.stopped[ours.at])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ("the line search algorithm did not converge")
        ends = [minimize(lambda w: float(surface.f(w)), saddle + o, jac=surface.grad,
                         method="BFGS", options={"maxiter": 200}).x for o in offsets]  # fmt: skip
    assert np.all(np.hypot(*(np.array(ends) - saddle).T) > ours.radius)


@pytest.mark.slow
def test_saddle_free_newton_and_adam_have_left_every_saddle_by_step_1000():
    assert _where_at(_at_every_saddle("saddle_free_newton", 1e-5, 1000)) == {}
    assert _where_at(_at_every_saddle("adam", 1e-5, 1000, lr=0.05)) == {}
    assert _where_at(_at_every_saddle("sgd", 1e-5, 1000, lr=0.05)) == {("monkey_saddle", 0): 200}
