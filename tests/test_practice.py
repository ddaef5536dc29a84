"""The training practices' core: the validation split, early stopping, the batch orders,
and the plateau schedule watching the validation loss."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import optim_core
import scenes
import surfaces
from optim_core import batches
from tests.test_schedules import _TorchPlateau
from tests.test_viz import plotly_array

DATA = ("linear_regression", "logistic_regression")


# ---------------------------------------------------------------- the validation split


@pytest.mark.parametrize("name", DATA)
def test_the_validation_split_is_disjoint_seeded_and_leaves_the_data_as_drawn(name):
    whole = surfaces.get(name, n=40, seed=3)
    split = surfaces.get(name, n=40, seed=3, val=0.25)
    again = surfaces.get(f"{name}(n=40.0,seed=3.0,val=0.25)")
    other = surfaces.get(name, n=40, seed=4, val=0.25)
    data = split.data
    assert (data.n, data.n_val) == (30, 10)
    # the training and held-out examples are the drawn ones, each exactly once
    rows = lambda x: [tuple(np.atleast_1d(r)) for r in x]  # noqa: E731
    assert sorted(rows(data.inputs) + rows(data.val_inputs)) == sorted(rows(whole.data.inputs))
    assert not set(rows(data.inputs)) & set(rows(data.val_inputs))
    np.testing.assert_array_equal(again.data.val_inputs, data.val_inputs)  # seeded
    assert not np.array_equal(other.data.val_inputs, data.val_inputs)
    # the surface is the loss over the training examples only
    w = np.array([[0.3, -0.7], [1.2, 0.4]])
    np.testing.assert_allclose(split.f(w), data.batch_loss(w, np.arange(data.n)), rtol=1e-12)
    assert whole.data.val_loss is None and whole.data.n_val == 0
    assert "10 of the 40 examples are held out" in split.description


def test_the_validation_loss_is_the_mean_loss_over_the_held_out_examples():
    reg = surfaces.get("linear_regression", val=0.3).data
    w, b = 1.3, -0.4
    x, y = reg.val_inputs, reg.val_targets
    assert math.isclose(reg.val_loss(np.array([w, b])), np.mean((w * x + b - y) ** 2),
                        rel_tol=1e-12)  # fmt: skip
    cls = surfaces.get("logistic_regression", val=0.3).data
    wv = np.array([0.8, -1.1])
    margins = cls.val_targets * (cls.val_inputs @ wv)
    assert math.isclose(cls.val_loss(wv), np.mean(np.log1p(np.exp(-margins))), rel_tol=1e-12)


def test_bad_validation_fractions_are_named():
    with pytest.raises(ValueError, match=r"val must be a fraction in \[0, 0.5\]; got 0.7"):
        surfaces.get("linear_regression", val=0.7)
    with pytest.raises(ValueError, match="leaves 1 to train on; at least 2"):
        surfaces.get("logistic_regression", n=2, val=0.5)
    with pytest.raises(ValueError, match=r"val must be a fraction in \[0, 0.5\]; got 0.9"):
        surfaces.network("moons", val=0.9)


def test_the_networks_validation_comes_from_its_training_part_and_leaves_the_test_set():
    plain, split = surfaces.network("moons"), surfaces.network("moons", val=0.2)
    np.testing.assert_array_equal(plain.x_test, split.x_test)  # the test set is untouched
    assert split.n_val == 30 and split.n_train == plain.n_train - 30
    rows = lambda x: {tuple(r) for r in x}  # noqa: E731
    assert rows(split.x_val) | rows(split.x_train) == rows(plain.x_train)
    assert not rows(split.x_val) & rows(split.x_train)
    theta = split.init_params()
    by_hand = np.mean([-np.log(np.exp(z[y]) / np.exp(z).sum())
                       for z, y in zip(_logits(split, theta, split.x_val), split.y_val,
                                       strict=True)])  # fmt: skip
    assert math.isclose(split.split_loss(theta, "val"), by_hand, rel_tol=1e-10)
    assert split.surface.data.val_loss(theta) == pytest.approx(by_hand, rel=1e-10)
    assert split.arguments["val"] == 0.2 and surfaces.network(**split.arguments).n_val == 30
    np.testing.assert_allclose(split.example_loss(theta).mean(), split.loss(theta), rtol=1e-12)


def _logits(net, theta, x):
    a = x.T
    for at, (W, b) in enumerate(net.unpack(theta)):
        z = W @ a + b[:, None]
        a = z if at == len(net.layers) - 1 else np.tanh(z)
    return a.T


# ---------------------------------------------------------------- early stopping


def _keras(losses, patience, min_delta):
    """Keras's EarlyStopping (mode min, restore_best_weights), a check every step, as a
    plain loop: (stop step or -1, kept step)."""
    best, kept, wait = (losses[0] if np.isfinite(losses[0]) else math.inf), 0, 0
    for t in range(1, len(losses)):
        if losses[t] < best - min_delta:
            best, kept, wait = losses[t], t, 0
        else:
            wait += 1
            if wait >= patience:
                return t, kept
    return -1, kept


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.floats(0, 10), st.just(math.nan)), min_size=1, max_size=60),
       st.integers(1, 8), st.sampled_from([0.0, 0.01, 0.5]))  # fmt: skip
def test_early_stopping_is_the_plain_loop_over_the_recorded_losses(losses, patience, delta):
    verdict = optim_core.early_stopping(np.array(losses), patience, delta)
    stop, kept = _keras(losses, patience, delta)
    assert (int(verdict.stop_step), int(verdict.kept_step)) == (stop, kept)
    np.testing.assert_equal(verdict.kept_loss, losses[kept])
    np.testing.assert_equal(verdict.given_up, losses[-1] - losses[kept])


def test_early_stopping_judges_each_run_on_its_own():
    rng = np.random.default_rng(0)
    losses = np.cumsum(rng.normal(0, 1, (80, 3, 4)), axis=0)
    verdict = optim_core.early_stopping(losses, 5, 0.1)
    for i in range(3):
        for j in range(4):
            assert (verdict.stop_step[i, j], verdict.kept_step[i, j]) == _keras(
                losses[:, i, j], 5, 0.1)  # fmt: skip


def test_early_stopping_on_an_over_fitting_run_keeps_the_turn():
    # the validation loss falls to 1 at step 30, then climbs: patience 10 stops at 40
    losses = np.concatenate([np.linspace(3, 1, 31), np.linspace(1.01, 2, 30)])
    verdict = optim_core.early_stopping(losses, patience=10)
    assert (verdict.stop_step, verdict.kept_step) == (40, 30)
    assert verdict.given_up == pytest.approx(1.0)


def test_bad_patience_and_delta_are_named():
    with pytest.raises(ValueError, match=r"patience must be an integer in \[1, 100000\]; got 0"):
        optim_core.early_stopping([1.0, 2.0], patience=0)
    with pytest.raises(ValueError, match="min_delta must be a finite number >= 0; got -1"):
        optim_core.early_stopping([1.0, 2.0], min_delta=-1)


# ---------------------------------------------------------------- the orders of the batches


def _epochs(order, n, size, seed=0, count=4, **data):
    """The first ``count`` epochs of an unstaged order, each as its concatenated batches."""
    it = batches.batch_indices(n, size, seed, order, **data)
    per_epoch = math.ceil(n / size)
    return [np.concatenate([next(it) for _ in range(per_epoch)]) for _ in range(count)]


@pytest.mark.parametrize("size", [1, 4, 7, 40])
def test_every_order_visits_each_example_once_an_epoch(size):
    n, arrival = 40, np.random.default_rng(9).permutation(40)
    for kind in ("reshuffle", "fixed", "sorted"):
        epochs = _epochs(kind, n, size, arrival=arrival)
        for epoch in epochs:
            assert sorted(epoch) == list(range(n)), kind
        if kind == "fixed":
            assert all(np.array_equal(e, epochs[0]) for e in epochs)
        if kind == "sorted":
            assert all(np.array_equal(e, arrival) for e in epochs)
        if kind == "reshuffle":
            assert not np.array_equal(epochs[0], epochs[1])


def test_the_reshuffled_order_draws_the_batches_it_always_drew():
    rng = np.random.default_rng([5, 1])  # the stream the runner has drawn from since batches
    it = batches.batch_indices(30, 8, 5)
    for _ in range(3):
        order = rng.permutation(30)
        for lo in range(0, 30, 8):
            np.testing.assert_array_equal(next(it), order[lo : lo + 8])


@pytest.mark.parametrize("kind", ["curriculum", "mixed"])
@pytest.mark.parametrize("size", [3, 10, 50])
def test_a_curriculum_grows_its_pool_easiest_first_in_the_stated_stages(kind, size):
    n = 30
    difficulty = np.random.default_rng(2).random(n)
    order = optim_core.Order(kind, stages=3, stage_epochs=2, mix=0.5)
    ranked = np.argsort(difficulty)
    it = batches.batch_indices(n, size, 7, order, difficulty=difficulty)
    starts = batches.stage_starts(n, size, order)
    step = 1
    for k in range(1, 4):
        pool = set(ranked[: math.ceil(k * n / 3)].tolist())
        rest = set(range(n)) - pool
        extra = round(0.5 * len(rest)) if kind == "mixed" else 0
        per_epoch = math.ceil((len(pool) + extra) / size)
        if k > 1:
            assert step == starts[k - 2]  # the stage begins where stage_starts says
        for _ in range(2 if k < 3 else 3):  # the last stage goes on
            epoch = [next(it) for _ in range(per_epoch)]
            step += per_epoch
            seen = np.concatenate(epoch).tolist()
            assert len(seen) == len(set(seen)) == len(pool) + extra  # each at most once
            assert pool <= set(seen)  # the whole pool, once an epoch
            assert len(set(seen) & rest) == extra  # and the mixed-in share of the rest
            assert all(len(b) <= size for b in epoch)


def test_a_run_in_any_order_is_a_plain_sgd_loop_over_the_batches_it_took():
    surface = surfaces.get("logistic_regression", n=30)
    start, lr = np.array([-2.0, 3.0]), 0.5
    for order in (*optim_core.ORDERS, optim_core.Order("curriculum", difficulty="boundary")):
        run = optim_core.run("sgd", surface, start, 50, lr=lr, batch_size=6, order=order)
        w = start.copy()
        for t, index in enumerate(run.taken, start=1):
            w = w - lr * surface.data.batch_grad(w[None], index)[0]
            np.testing.assert_array_equal(run.path[t], w)
    sorted_run = optim_core.run("sgd", surface, start, 5, lr=lr, batch_size=6, order="sorted")
    np.testing.assert_array_equal(np.concatenate(sorted_run.taken), surface.data.arrival)


def test_the_sorted_order_goes_by_class_and_the_curriculum_by_the_stated_difficulty():
    data = surfaces.get("logistic_regression").data
    labels = data.targets[data.arrival]
    assert np.all(np.diff(labels) >= 0)  # class −1 first, then +1
    reg = surfaces.get("linear_regression").data
    assert np.all(np.diff(reg.inputs[reg.arrival]) >= 0)  # by x
    surface = surfaces.get("logistic_regression")
    start = np.array([-2.0, 3.0])
    order = optim_core.Order("curriculum", stages=2, stage_epochs=1)
    run = optim_core.run("sgd", surface, start, 3, lr=0.1, batch_size=40, order=order)
    easiest = np.argsort(data.example_loss(start), kind="stable")[:20]
    assert sorted(run.taken[0].tolist()) == sorted(easiest.tolist())  # stage 1: one batch


def test_bad_orders_are_named():
    with pytest.raises(ValueError, match=r"order must be one of \['reshuffle', 'fixed'"):
        optim_core.run("sgd", "linear_regression", (0, 0), 5, batch_size=4, order="random")
    with pytest.raises(ValueError, match="order 'sorted' orders the mini-batches: give a "):
        optim_core.run("sgd", "linear_regression", (0, 0), 5, order="sorted")
    with pytest.raises(ValueError, match=r"stages must be an integer in \[1, 10\]; got 0"):
        optim_core.Order("curriculum", stages=0)
    with pytest.raises(ValueError, match=r"mix must be a fraction in \[0, 1\]; got 2"):
        optim_core.Order("mixed", mix=2)
    net = surfaces.network("moons")
    with pytest.raises(ValueError, match="difficulty 'boundary' needs a fit of all the data"):
        optim_core.run("sgd", net, net.init_params(), 5, batch_size=8,
                       order=optim_core.Order("curriculum", difficulty="boundary"))  # fmt: skip


# ---------------------------------------------------------------- the plateau, on validation


def test_a_plateau_watching_the_validation_loss_is_a_plain_loop_fed_it():
    surface = surfaces.get("linear_regression", n=20, val=0.25)
    params = {"factor": 0.5, "patience": 3}
    sched = optim_core.schedule("plateau", monitor="validation", **params)
    run = optim_core.run("sgd", surface, (-1.0, 3.0), 120, lr=0.08, batch_size=3,
                         schedule=sched)  # fmt: skip
    reference, w, alphas = _TorchPlateau(0.08, **params), np.array([-1.0, 3.0]), []
    for t, index in enumerate(run.taken, start=1):
        alphas.append(reference.lr)
        w = w - reference.lr * surface.data.batch_grad(w[None], index)[0]
        reference.step(surface.data.val_loss(w))
        np.testing.assert_array_equal(run.path[t], w)
    assert len(set(alphas)) > 1
    np.testing.assert_array_equal(run.lr_used, alphas)
    np.testing.assert_allclose(run.val_loss, surface.data.val_loss(run.path), rtol=1e-12)
    np.testing.assert_allclose(run.loss, surface.f(run.path), rtol=1e-12)  # still training
    with pytest.raises(ValueError, match="watches the validation loss, and linear_regression "
                       "holds no examples out"):  # fmt: skip
        optim_core.run("sgd", "linear_regression", (0, 0), 5, schedule=sched)
    with pytest.raises(ValueError, match="plateau: monitor must be one of"):
        optim_core.schedule("plateau", monitor="test")


# ---------------------------------------------------------------- the presets' claims


def _preset_run(title, name):
    scene = scenes.PRESETS[title]
    return optim_core.run(name, scene.surface, scene.start_point(), scene.steps,
                          **scene.run_kwargs(name))  # fmt: skip


def test_early_stopping_preset_the_validation_loss_turns_while_training_falls():
    title = "Early stopping: the validation loss turns"
    note = scenes.PRESET_NOTES[title]
    for name, kept, stop, low, end in (("sgd", 58, 78, "0.416", "1.478"),
                                       ("adam", 47, 67, "0.349", "1.625")):  # fmt: skip
        run = _preset_run(title, name)
        verdict = optim_core.early_stopping(run.val_loss, scenes.PRESETS[title].stop_patience)
        assert (int(verdict.kept_step), int(verdict.stop_step)) == (kept, stop)
        assert int(np.argmin(run.val_loss)) == kept  # the turn is the lowest point
        assert f"{float(verdict.kept_loss):.3g}" == low and f"{float(run.val_loss[-1]):.3f}" == end
        assert run.loss[-1] < run.loss[kept] / 5  # the training loss keeps falling
        assert f"step {kept}" in note and low in note
    assert "climbs to 1.478" in note and "ends at 1.63" in note and "stops it at step 78" in note
    sgd = _preset_run(title, "sgd")
    assert f"{float(sgd.loss[58]):.3f}" == "1.480" and f"{float(sgd.loss[-1]):.3f}" == "0.200"
    assert "training loss is 1.480" in note and "training loss of 0.200" in note


def test_sorted_preset_sgd_sways_twice_as_much_as_reshuffled():
    from app_pages.race_practice import last_epoch

    title = "Sorted batches: SGD swings class to class"
    scene, note = scenes.PRESETS[title], scenes.PRESET_NOTES[title]
    surface = surfaces.get(scene.surface)
    best = surface.minimizers[0]
    ordered = last_epoch(_preset_run(title, "sgd"), best, 8)
    shuffled = last_epoch(optim_core.run("sgd", surface, scene.start_point(), scene.steps,
                                         lr=1.0, batch_size=5), best, 8)  # fmt: skip
    sway, sway0 = ordered["sway, last epoch"], shuffled["sway, last epoch"]
    assert f"{sway:.2f}" == "0.46" and f"{sway0:.2f}" == "0.21" and f"{sway / sway0:.2g}" == "2.2"
    assert f"{ordered['mean distance, last epoch']:.2f}" == "0.27"
    assert f"{shuffled['mean distance, last epoch']:.2f}" == "0.15"
    peak = ordered["highest loss, last epoch"] - surface.min_value
    peak0 = shuffled["highest loss, last epoch"] - surface.min_value
    assert (f"{peak:.2g}", f"{peak0:.1g}") == ("0.015", "0.005")
    assert round(peak / peak0) == 3 and round(sway / sway0) == 2  # the caption's words
    assert "sways twice as far" in scenes.PRESET_CAPTIONS[title]
    assert "3 times as high" in scenes.PRESET_CAPTIONS[title]
    for words in ("sways 0.46", "2.2 times the 0.21", "0.27 from the", "0.15)", "0.015"):
        assert words in note


def test_plateau_preset_sgd_settles_as_its_alpha_is_cut_and_momentum_sways():
    from app_pages.race_practice import last_epoch

    title = "Cut α on a plateau of the validation loss"
    scene, note = scenes.PRESETS[title], scenes.PRESET_NOTES[title]
    best = surfaces.get(scene.surface).minimizers[0]
    sgd, momentum = _preset_run(title, "sgd"), _preset_run(title, "momentum")
    cuts = np.flatnonzero(np.diff(sgd.lr_used) < 0) + 2
    assert cuts[0] == 17 and set(np.diff(cuts[:6])) == {11}
    low = np.minimum.accumulate(sgd.val_loss)  # its last improvement (torch's rel 1e-4)
    better = [t for t in range(1, len(low)) if sgd.val_loss[t] < low[t - 1] * (1 - 1e-4)]
    assert better[-1] == 5 and f"{sgd.lr_used[99]:.2g}" == "0.0078"
    assert f"{np.linalg.norm(sgd.path[-1] - best):.2g}" == "0.027"
    swayed = last_epoch(momentum, best, 6)
    assert f"{swayed['sway, last epoch']:.2g}" == "0.058"
    assert f"{swayed['ends from the minimum']:.2g}" == "0.17"
    for words in ("improves at step 5", "step 17 and every 11 steps", "0.0078", "0.027",
                  "sways 0.058", "0.17 from it"):
        assert words in note


def test_an_export_carries_the_order_and_re_runs_the_same_path():
    import json

    surface = surfaces.get("logistic_regression", val=0.25)
    order = optim_core.Order("mixed", difficulty="boundary", stages=2, stage_epochs=3, mix=0.5)
    run = optim_core.run("sgd", surface, (-2.0, 3.0), 60, lr=0.5, batch_size=4, order=order)
    saved = json.loads(optim_core.export.to_json([run]))["runs"][0]
    assert saved["options"]["order"] == {"kind": "mixed", "difficulty": "boundary",
                                         "stages": 2, "stage_epochs": 3, "mix": 0.5}
    again = optim_core.run("sgd", optim_core.export.surface_from("logistic_regression",
                                                                 {"val": 0.25}),
                           saved["start"], saved["steps"], **saved["hyperparams"],
                           **saved["options"])  # fmt: skip
    np.testing.assert_array_equal(again.path, run.path)
    plain = optim_core.run("sgd", surface, (-2.0, 3.0), 5, lr=0.5, batch_size=4)
    assert "order" not in optim_core.export.run_options(plain)  # (reshuffled: the default)


@pytest.mark.parametrize("name", DATA)
def test_standardizing_with_held_out_examples_scales_them_by_the_training_ones(name):
    raw = surfaces.get(name, val=0.25)
    scaled = surfaces.get(name, val=0.25, standardize=1)
    x, held = np.asarray(raw.data.inputs), np.asarray(raw.data.val_inputs)
    np.testing.assert_allclose(scaled.data.inputs.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(scaled.data.inputs.std(axis=0), 1, rtol=1e-12)
    np.testing.assert_allclose(scaled.data.val_inputs,
                               (held - x.mean(axis=0)) / x.std(axis=0), rtol=1e-12)  # fmt: skip
    np.testing.assert_array_equal(scaled.data.val_targets, raw.data.val_targets)


def test_the_batch_lines_trace_each_distinct_batch_once_up_to_the_cap():
    import viz

    surface = surfaces.get("linear_regression")
    run = optim_core.run("sgd", surface, (-1.0, 2.5), 30, lr=0.02, batch_size=10, order="fixed")
    found = viz.race.batch_lines(surface, run.taken)
    assert len(found["low"]) == 4  # a fixed shuffle of 40 in tens: four batches, again and again
    np.testing.assert_array_equal(found["index"], np.arange(30) % 4)
    for j in range(4):  # its lowest grid point, and its examples
        members = found["members"][found["offsets"][j] : found["offsets"][j + 1]]
        assert sorted(members.tolist()) == sorted(run.taken[j].tolist())
        (x0, x1), (y0, y1) = surface.domain
        grid = np.stack(np.meshgrid(np.linspace(x0, x1, viz.race.BATCH_CELLS),
                                    np.linspace(y0, y1, viz.race.BATCH_CELLS)), axis=-1)
        f = surface.data.batch_loss(grid, members)
        np.testing.assert_allclose(found["low"][j], grid.reshape(-1, 2)[np.argmin(f)])
    reshuffled = optim_core.run("sgd", surface, (-1.0, 2.5), 30, lr=0.02, batch_size=10)
    capped = viz.race.batch_lines(surface, reshuffled.taken, max_batches=5)
    assert len(capped["low"]) == 5 and capped["index"][5:].tolist().count(-1) > 0


def test_the_batch_minimum_is_marked_only_inside_the_view_and_held_out_examples_are_drawn():
    import viz

    surface = surfaces.get("linear_regression", val=0.25)
    run = optim_core.run("sgd", surface, (-1.0, 2.5), 40, lr=0.02, batch_size=1)
    found = viz.race.batch_lines(surface, run.taken)
    (x0, x1), (y0, y1) = surface.domain
    cells = viz.race.BATCH_CELLS
    grid = np.stack(np.meshgrid(np.linspace(x0, x1, cells), np.linspace(y0, y1, cells)), -1)
    edges = 0
    for j, low in enumerate(found["low"]):
        members = found["members"][found["offsets"][j] : found["offsets"][j + 1]]
        row, col = np.unravel_index(np.argmin(surface.data.batch_loss(grid, members)),
                                    (cells, cells))  # fmt: skip
        on_edge = row in (0, cells - 1) or col in (0, cells - 1)
        edges += on_edge
        assert np.isnan(low).all() == on_edge  # beyond the view: no ×
    assert 0 < edges < len(found["low"])  # (one example a step: some batches' minima are far)
    data = viz.race_runs(surface, [viz.Run("sgd", "SGD", run)])["fit"]["data"]
    held = next(t for t in data if t["name"] == "held out")  # open triangles, beside the loss
    np.testing.assert_allclose(plotly_array(held["x"]), surface.data.val_inputs, rtol=1e-6)
    np.testing.assert_allclose(plotly_array(held["y"]), surface.data.val_targets, rtol=1e-6)
