"""The Real network page: its link, its presets' claims (measured), its work, and the
page itself through AppTest."""

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import optim_core
import scenes
from app_pages import network_work as work

TIMEOUT = 180


def _page(query=None) -> AppTest:
    at = AppTest.from_file("../app.py", default_timeout=TIMEOUT)
    at.switch_page("app_pages/network.py")
    for key, value in (query or {}).items():
        at.query_params[key] = value
    return at.run()


# ---------------------------------------------------------------- the link


def test_the_link_carries_the_whole_scene():
    scene = scenes.NetworkScene(data="moons", width=8, activation="relu",
                                optimizers=("adam", "sgd"), lrs={"adam": 0.02}, steps=123,
                                batch=32, plane="hessian", centre="mean", resolution=21,
                                seed=5, sharp_flat=True, sharp_optimizer="momentum",
                                sharp_lr=0.3, saddle=True)  # fmt: skip
    query = scenes.network_to_query(scene)
    assert query["lr.adam"] == "0.02" and "lr.sgd" not in query  # SGD at the page's default
    back, warnings = scenes.network_from_query(query)
    assert warnings == []
    assert scenes.network_to_query(back) == query
    assert back.lr("sgd") == scenes.NETWORK_LR["sgd"] and back.lr("adam") == 0.02
    assert back.sharp_alpha() == 0.3 and query["sharp"] == "momentum"


def test_the_link_carries_batch_normalization_and_its_section():
    scene = scenes.NetworkScene(data="moons", width=8, optimizers=("sgd", "adam"),
                                batchnorm=True, stable=True, batch=32)  # fmt: skip
    query = scenes.network_to_query(scene)
    assert query["bn"] == "1" and query["stable"] == "1"
    back, warnings = scenes.network_from_query(query)
    assert warnings == [] and back.batchnorm and back.stable
    assert scenes.network_to_query(back) == query
    plain = scenes.network_to_query(scenes.NetworkScene())
    assert "bn" not in plain and "stable" not in plain  # off: not in the link
    assert not scenes.network_from_query(plain)[0].batchnorm


def test_bad_batch_norm_link_values_are_named_and_replaced():
    scene, warnings = scenes.network_from_query({"bn": "yes", "stable": "2"})
    text = " ".join(warnings)
    assert "bn = ` yes ` in the link is not one of 0, 1; using '0'." in text
    assert "stable = ` 2 ` in the link is not one of 0, 1; using '0'." in text
    assert not scene.batchnorm and not scene.stable


def test_bad_link_values_are_refused_with_a_warning_each():
    scene, warnings = scenes.network_from_query({
        "data": "mnist", "width": "1000", "steps": "999999", "res": "99", "plane": "svd",
        "opt": "adam,nope", "lr.adam": "-1", "batch": "3"})  # fmt: skip
    d = scenes.NetworkScene()
    assert (scene.data, scene.width, scene.plane, scene.batch) == (d.data, d.width, d.plane,
                                                                     d.batch)  # fmt: skip
    assert scene.steps == scenes.MAX_NETWORK_STEPS and scene.resolution == d.resolution
    assert scene.optimizers == ("adam",) and scene.lr("adam") == scenes.NETWORK_LR["adam"]
    text = " ".join(warnings)
    for words in ("data = ` mnist `", "width = ` 1000 ` in the link is not one of 2, 4, 8, 16, "
                  "32, 64; using 16.", "steps = ` 999999 ` in the link is over the cap",
                  "res = ` 99 `", "plane = ` svd `", "` nope `", "lr.adam = ` -1 `",
                  "batch = ` 3 `"):  # fmt: skip
        assert words in text, words


def test_a_link_that_asks_what_the_page_does_not_offer_is_told_so():
    scene, warnings = scenes.network_from_query({"sharp": "lbfgs", "saddle": "yes"})
    text = " ".join(warnings)
    assert "sharp = ` lbfgs ` in the link is not one of sgd, momentum" in text
    assert "saddle = ` yes ` in the link is not one of 0, 1" in text
    assert scene.sharp_flat and scene.sharp_optimizer == "sgd" and not scene.saddle


# ---------------------------------------------------------------- the presets' claims


def _measure(name):
    scene = scenes.preset_scene(name)
    runs = {n: work.train(scene, n) for n in scene.optimizers}
    land = work.lay_plane(scene, runs)
    sharp = {n: work.sharpness_of(scene, r.final_point) for n, r in runs.items()}
    flat = work.sharp_flat(scene) if scene.sharp_flat else None
    plateau = work.saddle_escapes(scene, tuple(runs)) if scene.saddle else None
    stable = ({n: tuple(work.stable_alpha(scene, n, flag) for flag in (False, True))
               for n in work.stable_names(scene)} if scene.stable else None)  # fmt: skip
    values = work.preset_values(name, scene, runs, land, sharp, flat, plateau, stable)
    work.caption(name, values)  # every number its caption states is measured
    return scene, runs, land, sharp, flat, plateau, (stable, values) if stable else values


def _f(text):
    return float(text.rstrip("%")) / (100 if text.endswith("%") else 1)


def test_digits_preset_adam_fits_far_better_than_sgd_yet_holds_out_alike():
    name = "Digits: does Adam beat SGD on a real network?"
    *_, v = _measure(name)
    assert _f(v["adam_loss"]) < 0.2 * _f(v["sgd_loss"])
    assert _f(v["momentum_loss"]) < 0.2 * _f(v["sgd_loss"])
    assert _f(v["lbfgs_loss"]) < 1e-10
    accuracies = [_f(v[f"{n}_acc"]) for n in ("adam", "momentum", "sgd", "lbfgs")]
    assert max(accuracies) - min(accuracies) <= 0.03
    spread = 100 * (max(accuracies) - min(accuracies))  # (from the rounded percentages)
    assert abs(float(v["acc_spread"].split()[0]) - spread) <= 0.11


def test_sharp_or_flat_preset_compares_at_a_matched_training_loss():
    name = "Sharp or flat: batch 8 against the full batch"
    scene, *_, flat, _, v = _measure(name)
    small, full = flat.small, flat.full
    assert not small[0].diverged and not full[0].diverged
    ahead = flat.full if flat.ahead == 0 else flat.small
    behind = flat.small if flat.ahead == 0 else flat.full
    k = flat.matched_step
    # the step at which the run ahead first got down to the other's final loss
    assert ahead[0].loss[k] <= behind[0].final_loss < ahead[0].loss[k - 1]
    net = work.network_of(scene)
    assert flat.matched_accuracy == pytest.approx(net.accuracy(ahead[0].path[k]))
    sentence = v["sentence"]
    assert f"at the same training loss {float(behind[0].final_loss):.3g}" in sentence
    top_s = small[1].top if flat.ahead == 0 else flat.matched.top
    top_f = flat.matched.top if flat.ahead == 0 else full[1].top
    assert f"λ₁ = {top_s:.3g} at batch 8, {top_f:.3g} at the full batch" in sentence
    sharper = "the full batch sat sharper" if top_f > top_s else "batch 8 sat sharper"
    assert sharper in sentence
    assert v["sharp_lr"] == "0.5" == f"{scenes.network.sharp_default_lr('sgd'):g}"


def test_a_diverged_sharp_or_flat_run_is_said_not_compared():
    scene = scenes.NetworkScene(sharp_flat=True, sharp_optimizer="sgd", sharp_lr=2.0)
    flat = work.sharp_flat(scene)  # SGD at α = 2 with batches of 8 blows up
    assert flat.small[0].diverged and flat.matched is None
    assert "diverged at one of the two batch sizes" in work.sharp_flat_sentence(scene, flat)
    rows = work.sharp_flat_rows(scene, flat)
    assert rows[0]["training loss"].endswith("(diverged)") and len(rows) == 2


@pytest.mark.slow
def test_saddle_preset_sgds_wait_grows_with_log_one_over_delta_and_adams_hardly():
    name = "The saddle at the start: a small initialization sits on a plateau"
    *_, plateau, v = _measure(name)
    on_net, on_saddle = plateau
    by = {e.optimizer: e for e in on_net}
    assert np.allclose(by["sgd"].plateau[:4], np.log(10), atol=1e-3)  # at the saddle: log K
    sgd, adam = by["sgd"].escape_step, by["adam"].escape_step
    assert np.all(np.diff(sgd[:7]) < 0)  # every decade nearer the saddle: a longer wait
    assert sgd[0] >= 5 * sgd[6] and adam[0] <= 2 * adam[6]
    assert scenes.SADDLE_SCALES[scenes.SADDLE_LARGE] == pytest.approx(0.1)  # the "10⁻¹"
    assert int(v["sgd_small"]) == sgd[0] and int(v["adam_large"]) == adam[6]
    # and so on the 2-D saddle beside it
    assert on_saddle["sgd"][0] > 2 * on_saddle["sgd"][6]
    assert on_saddle["adam"][0] - on_saddle["adam"][6] <= 0.1 * on_saddle["adam"][0]


def test_random_plane_preset_the_start_is_farther_from_it_than_from_the_pca_plane():
    name = "A random plane hides the path"
    *_, v = _measure(name)
    assert _f(v["adam_distance"]) > 2 * _f(v["adam_pca"])


def test_moons_preset_adam_arrives_at_right_angles_to_the_sharpest_directions():
    name = "Two moons: the sharpest directions"
    _, runs, land, *_, v = _measure(name)
    net = work.network_of(scenes.preset_scene(name))
    assert land.plane.eigenvalues[0] >= land.plane.eigenvalues[1] > 0
    baseline = np.sqrt(2 / net.D)
    assert v["arrival_baseline"] == f"{baseline:.0%}"
    assert _f(v["adam_arrival"]) < baseline / 3
    # the share is what a least-squares projection of the last tenth keeps
    path = np.asarray(runs["adam"].path)
    move = path[-1] - path[-1 - round(0.1 * (len(path) - 1))]
    kept = np.linalg.lstsq(land.plane.directions.T, move, rcond=None)[0]
    share = np.linalg.norm(land.plane.directions.T @ kept) / np.linalg.norm(move)
    assert v["adam_arrival"] == f"{share:.1%}"
    assert _f(v["adam_loss"]) < 0.5 * _f(v["adam_first"])


@pytest.mark.slow
def test_batch_norm_preset_states_the_largest_alphas_measured():
    name = "Batch normalization: does it allow a larger α?"
    scene, runs, *_, (stable, v) = _measure(name)
    assert scene.batchnorm and work.network_of(scene).batchnorm
    for n in ("sgd", "momentum", "adam"):
        plain, bn = stable[n]
        assert not plain.batchnorm and bn.batchnorm and plain.batch == bn.batch == 0
        assert v[f"{n}_plain"] == f"{plain.largest:g}" and v[f"{n}_bn"] == f"{bn.largest:g}"
        # the α it names trains, the next one up on the grid does not (or it is the last)
        k = int(np.flatnonzero(bn.values == bn.largest)[0])
        assert bn.trains[k] and (k == len(bn.values) - 1 or bn.blew_up is not None)
        stats = work.eval_stats(scene, runs[n])
        net = work.network_of(scene)
        assert v[f"{n}_acc"] == f"{net.accuracy(runs[n].final_point, stats=stats):.1%}"
    # measured on the default digits net, 300 full-batch steps (bench/batchnorm.py): SGD's
    # largest α rises with batch normalization
    assert float(v["sgd_bn"]) > float(v["sgd_plain"])
    assert "raised the largest α that trains for SGD" in v["stable_sentence"]


# ---------------------------------------------------------------- the work


def test_a_batch_normalized_runs_held_out_accuracy_uses_its_running_averages():
    scene = scenes.NetworkScene(data="moons", width=8, optimizers=("sgd",), steps=60,
                                batch=16, batchnorm=True)  # fmt: skip
    run = work.train(scene, "sgd")
    net = work.network_of(scene)
    rows = work.numbers_rows(scene, {"sgd": run}, None, {"sgd": None})
    from optim_core.runner import batch_indices

    stats = net.running_stats(np.asarray(run.path), batch_indices(net.n_train, 16, scene.seed))
    assert stats.steps == 60
    assert rows[0]["held-out accuracy"] == f"{net.accuracy(run.final_point, stats=stats):.1%}"
    assert work.held_out(scene, run) == net.accuracy(run.final_point, stats=stats)


def test_the_largest_stable_alpha_rows_and_sentence_say_what_the_sweeps_found():
    scene = scenes.NetworkScene(data="moons", width=8, optimizers=("sgd", "lbfgs"), steps=60)
    assert work.stable_names(scene) == ["sgd"]  # L-BFGS has no α
    results = {"sgd": tuple(work.stable_alpha(scene, "sgd", flag) for flag in (False, True))}
    plain, bn = results["sgd"]
    assert plain.start_loss == pytest.approx(work.network_of(scene).loss(
        work.network_of(scene).init_params()))  # fmt: skip
    # trains: finite, not diverged, at most half the start's loss
    expected = (np.isfinite(bn.final_loss) & (bn.diverged_step < 0)
                & (bn.final_loss <= 0.5 * bn.start_loss))  # fmt: skip
    np.testing.assert_array_equal(bn.trains, expected)
    # each cell is the single run at that α
    k = len(bn.values) // 2
    one = optim_core.run("sgd", work.network_of(scenes.NetworkScene(
        data="moons", width=8, batchnorm=True)), work.network_of(scenes.NetworkScene(
            data="moons", width=8, batchnorm=True)).init_params(), 60, lr=bn.values[k],
        record="final")  # fmt: skip
    assert float(one.final_loss) == pytest.approx(bn.final_loss[k], rel=1e-12)
    row = work.stable_rows(results)[0]
    assert row["largest α, no BN"].startswith(f"{plain.largest:g}")
    assert row["largest α, BN"].startswith(f"{bn.largest:g}")
    sentence = work.stable_sentence(results)
    assert sentence.startswith("Measured on this net (60 steps, the full batch")
    # a made-up pair: the sentence follows the numbers
    from dataclasses import replace as dc_replace

    lower = dc_replace(bn, final_loss=np.where(bn.values >= 0.1, np.inf, bn.final_loss))
    said = work.stable_sentence({"sgd": (plain, lower)})
    assert "lowered the largest α that trains for SGD" in said and "not seen here" in said
    higher = dc_replace(plain, final_loss=np.where(plain.values >= 0.1, np.inf,
                                                   plain.final_loss))  # fmt: skip
    said = work.stable_sentence({"sgd": (higher, bn)})
    if bn.largest > 0.05:
        assert "raised the largest α that trains for SGD" in said
        assert "holds here for every one of them" in said




def test_numbers_rows_say_what_the_runs_did():
    scene = scenes.NetworkScene(data="moons", width=8, optimizers=("sgd", "adam"), steps=200)
    runs = {n: work.train(scene, n) for n in scene.optimizers}
    land = work.lay_plane(scene, runs)
    sharp = {n: work.sharpness_of(scene, r.final_point) for n, r in runs.items()}
    rows = {r["optimizer"]: r for r in work.numbers_rows(scene, runs, land, sharp)}
    adam = rows["Adam (α = 0.2)"]
    run = runs["adam"]
    assert adam["training loss"] == f"{float(run.final_loss):.4g}"
    hit = int(np.argmax(run.loss <= work.TARGET_LOSS)) if np.any(run.loss <= 0.1) else -1
    assert adam["steps to loss 0.1"] == (str(hit) if hit >= 0 else "not reached")
    assert adam["top eigenvalue λ₁"] == f"{sharp['adam'].top:.4g}"
    assert adam["from the plane: start, end"].endswith(", 0")  # the plane is through its end
    net = work.network_of(scene)
    assert adam["held-out accuracy"] == f"{net.accuracy(run.final_point):.1%}"


def test_newton_and_bfgs_are_not_run_on_a_big_net_and_say_why():
    scene = scenes.NetworkScene(optimizers=("newton", "bfgs", "adam"))
    refused = work.unavailable(scene)
    assert set(refused) == {"newton", "bfgs"}
    assert "1,210 × 1,210 Hessian" in refused["newton"] and "D = 400" in refused["newton"]
    small = scenes.NetworkScene(data="moons", width=8, optimizers=("newton", "bfgs"))
    assert work.unavailable(small) == {}


# ---------------------------------------------------------------- the page


def test_the_page_trains_draws_and_keeps_its_link():
    at = _page({"data": "moons", "width": "8", "opt": "sgd,adam", "steps": "150"})
    assert not at.exception, at.exception
    assert [e.value for e in at.error] == []
    table = at.dataframe[0].value.set_index("optimizer")
    assert list(table.index) == ["SGD (α = 2)", "Adam (α = 0.2)"]
    assert at.query_params["data"] == "moons" and at.query_params["steps"] == "150"
    assert any("The plane" in m.value and "explains" in m.value for m in at.markdown)


def test_a_preset_fills_its_caption_with_the_numbers_measured_on_the_page():
    at = _page({"data": "moons", "width": "8", "opt": "adam", "steps": "50"})
    name = "A random plane hides the path"
    at.selectbox(key="network.preset").set_value(name).run()
    assert not at.exception, at.exception
    box = next(i.value for i in at.info if name in i.value)
    assert "from this plane" in box and "{" not in box
    assert at.query_params["plane"] == "random"


def test_a_scene_that_cannot_run_says_why_and_the_last_picture_stays():
    at = _page({"data": "moons", "width": "8", "opt": "sgd", "steps": "50"})
    assert not at.exception
    at.select_slider(key="network.batch").set_value(256).run()  # moons: 150 to train on
    assert not at.exception, at.exception
    error = " ".join(e.value for e in at.error)
    assert "batch_size must be an integer in [1, 150]" in error and "got 256" in error
    assert any("last scene that ran" in c.value for c in at.caption)
    assert at.dataframe[0].value["optimizer"].tolist() == ["SGD (α = 2)"]


def test_newton_on_the_digits_net_is_named_not_run():
    at = _page({"opt": "newton,adam", "steps": "20"})
    assert not at.exception, at.exception
    assert any("Not run here" in i.value and "Newton" in i.value for i in at.info)
    assert at.dataframe[0].value["optimizer"].tolist() == ["Adam (α = 0.2)"]


def test_line_searches_are_not_run_on_mini_batches_and_say_why():
    scene = scenes.NetworkScene(data="moons", optimizers=("lbfgs", "cg", "adam"), batch=8)
    refused = work.unavailable(scene)
    assert set(refused) == {"lbfgs", "cg"}
    assert "compares the whole training set's loss with a mini-batch's gradient" in refused["cg"]


def test_the_batch_norm_switch_trains_the_normalized_net():
    at = _page({"data": "moons", "width": "8", "opt": "sgd,adam", "steps": "60"})
    assert not at.exception
    before = at.dataframe[0].value["training loss"].tolist()
    at.toggle(key="network.batchnorm").set_value(True).run()
    assert not at.exception, at.exception
    assert at.query_params["bn"] == "1"
    assert any("with batch norm" in h.value for h in at.header)
    table = at.dataframe[0].value.set_index("optimizer")
    assert table["training loss"].tolist() != before
    scene = scenes.NetworkScene(data="moons", width=8, optimizers=("sgd", "adam"), steps=60,
                                batchnorm=True)  # fmt: skip
    run = work.train(scene, "adam")
    assert table.loc["Adam (α = 0.2)", "training loss"] == f"{float(run.final_loss):.4g}"
    assert table.loc["Adam (α = 0.2)", "held-out accuracy"] == f"{work.held_out(scene, run):.1%}"
    assert any("running averages" in c.value for c in at.caption)
    at.toggle(key="network.batchnorm").set_value(False).run()
    assert "bn" not in at.query_params
    assert at.dataframe[0].value["training loss"].tolist() == before


def test_the_largest_stable_alpha_section_sweeps_with_and_without():
    at = _page({"data": "moons", "width": "8", "opt": "sgd,lbfgs", "steps": "40"})
    assert not at.exception
    assert not any("Largest stable" in s.value for s in at.subheader)  # off by default
    at.toggle(key="network.stable").set_value(True).run()
    assert not at.exception, at.exception
    assert at.query_params["stable"] == "1"
    assert any("Largest stable α" in s.value for s in at.subheader)
    scene = scenes.NetworkScene(data="moons", width=8, optimizers=("sgd", "lbfgs"), steps=40)
    results = {"sgd": tuple(work.stable_alpha(scene, "sgd", f) for f in (False, True))}
    table = at.dataframe[1].value
    assert table["optimizer"].tolist() == ["SGD"]  # L-BFGS has no α
    assert table.to_dict("records") == work.stable_rows(results)
    assert any(m.value == work.stable_sentence(results) for m in at.markdown)


def test_a_changed_preset_is_no_longer_named_and_can_be_picked_again():
    at = _page({"data": "moons", "width": "8", "opt": "adam", "steps": "50"})
    name = "A random plane hides the path"
    at.selectbox(key="network.preset").set_value(name).run()
    assert at.query_params["plane"] == "random" and at.query_params["data"] == "digits"
    at.number_input(key="network.seed").set_value(5).run()
    assert not at.exception, at.exception
    assert at.selectbox(key="network.preset").value == "—"
    assert not any(name in i.value for i in at.info)  # its caption no longer describes it
    at.selectbox(key="network.preset").set_value(name).run()
    assert at.query_params["seed"] == "0" and any(name in i.value for i in at.info)


def test_every_optimizer_trains_the_moons_net():
    scene = scenes.NetworkScene(data="moons", width=4, optimizers=tuple(
        optim_core.optimizer_names()), steps=30)  # fmt: skip
    refused = work.unavailable(scene)
    assert set(refused) == {"gauss_newton", "levenberg_marquardt"}  # no residuals
    for name in scene.optimizers:
        if name not in refused:
            run = work.train(scene, name)
            assert run.path.shape == (31, work.network_of(scene).D)
