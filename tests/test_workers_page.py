"""The Workers page: its presets' captions against the numbers, the link, and the page
through AppTest."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import optim_core
import scenes
import surfaces
import viz
from app_pages import workers_data
from tests.test_viz import plotly_array as _array

TIMEOUT = 120
PRESETS = scenes.WORKERS_PRESETS


def _page(query=None) -> AppTest:
    at = AppTest.from_file("../app.py", default_timeout=TIMEOUT)
    at.switch_page("app_pages/workers.py")
    for key, value in (query or {}).items():
        at.query_params[key] = value
    return at.run()


def _run(scene: scenes.WorkersScene, **changes):
    return optim_core.run_workers(**dataclasses.replace(scene, **changes).run_args())


def _gap(run):
    return float(run.center_loss[-1] - run.surface.min_value)


# ---------------------------------------------------------------- the presets' claims


def _tail(surface, loss):
    return optim_core.workers.tail_gap(surface, loss)


def test_downpour_presets_stale_pushes_diverge_where_fresh_ones_settle():
    stale = PRESETS["Downpour: stale pushes diverge"]
    fresh = PRESETS["Downpour: pushing every step"]
    assert dataclasses.replace(stale, push=1, fetch=1) == fresh  # "the next preset"
    run = _run(stale)
    assert (run.workers, run.params["batch_size"], run.surface.data.n) == (8, 5, 40)
    assert run.diverged_step == 88 and run.extra["diverged_worker"] == -1  # the server
    caption = scenes.WORKERS_CAPTIONS["Downpour: stale pushes diverge"]
    assert "the server diverges at step 88" in caption
    ok = _run(fresh)
    assert not ok.diverged
    serial = optim_core.workers.serial(ok)
    assert serial.steps == 2400 and serial.optimizer == "sgd" and not serial.diverged
    mine, theirs = _tail(ok.surface, ok.center_loss), _tail(serial.surface, serial.loss)
    words = scenes.WORKERS_CAPTIONS["Downpour: pushing every step"]
    assert f"averages {mine:.2g} over its last 30 steps" in words
    assert f"same 2,400 gradients averages {theirs:.2g} over its last 240" in words
    assert "a step of 8 α = 0.08" in words
    # per gradient one process does better, for every seed, not one lucky step
    for seed in range(4):
        again = _run(fresh, seed=seed)
        alone = optim_core.workers.serial(again)
        assert _tail(alone.surface, alone.loss) < _tail(again.surface, again.center_loss) / 2


def test_adagrad_server_preset_holds_where_an_sgd_server_diverges():
    scene = PRESETS["Downpour: an AdaGrad server"]
    assert dataclasses.replace(scene, server="sgd", lr=0.01) == PRESETS[
        "Downpour: stale pushes diverge"]  # "the first preset's stale pushes"
    ada = _run(scene)
    assert not ada.diverged and np.abs(ada.paths).max() < 5  # the copies stay near too
    serial = optim_core.workers.serial(ada)
    assert serial.optimizer == "adagrad" and not serial.diverged
    sgd = _run(scene, server="sgd")
    caption = scenes.WORKERS_CAPTIONS["Downpour: an AdaGrad server"]
    assert f"averages {_tail(ada.surface, ada.center_loss):.2g} over its last 30" in caption
    assert f"same 2,400 gradients: {_tail(serial.surface, serial.loss):.2g})" in caption
    assert sgd.diverged_step == 8 and "diverge at step 8" in caption


def test_easgd_presets_explore_apart_under_a_weak_pull_and_meet_under_a_strong_one():
    weak = PRESETS["EASGD: the workers explore, the center sits between"]
    run = _run(weak)
    ends = run.paths[-1]

    def basins(points):
        return [int(np.argmin(np.linalg.norm(run.surface.minimizers - p, axis=1)))
                for p in points]  # fmt: skip

    assert len(set(basins(ends))) == 2  # "two different minima"
    assert basins(_run(weak, rho=0.0).paths[-1]) == basins(ends)  # "with ρ 0, the same"
    assert {tuple(np.round(p, 2)) for p in ends} == {(-2.78, 3.12), (3.57, -1.8)}
    assert run.loss[-1].max() < 0.045
    assert tuple(np.round(run.center[-1], 2)) == (0.39, 0.66)
    assert round(float(run.center_loss[-1])) == 142  # "where f is 142"
    assert run.center_loss[-1] > run.loss[-1].max()  # worse than any worker's
    strong = _run(weak, rho=20.0)
    np.testing.assert_allclose(strong.paths[-1], np.tile([3.0, 2.0], (4, 1)), atol=1e-6)
    assert strong.converged_step == 26
    assert "converges at step 26" in scenes.WORKERS_CAPTIONS[
        "EASGD: a strong pull keeps them together"]


# ---------------------------------------------------------------- the link


def test_the_link_carries_the_whole_scene_and_names_bad_values():
    scene = scenes.WorkersScene(scheme="eamsgd", surface="himmelblau", workers=5, steps=222,
                                lr=0.02, rho=3.0, momentum=0.8, starts="scattered",
                                start=(1.0, -2.0), noise=0.5, seed=7, tau=4)  # fmt: skip
    query = scenes.workers_to_query(scene)
    back, warnings = scenes.workers_from_query(query)
    assert warnings == [] and back == scene
    bad, warnings = scenes.workers_from_query(
        {"scheme": "hogwild", "k": "17", "push": "0", "server": "adam", "start": "9,9",
         "tau": "5"})  # fmt: skip
    text = " ".join(warnings)
    for word in ("scheme = ` hogwild `", "k = ` 17 `", "push = ` 0 `", "server = ` adam `",
                 "tau = ` 5 `"):
        assert word in text, text
    assert "outside" in text or "domain" in text  # the start, off the surface
    assert (bad.scheme, bad.workers, bad.push, bad.server, bad.tau) == (
        "downpour", 8, 1, "sgd", 2)


def test_an_elastic_force_the_center_would_overshoot_with_is_named_and_replaced():
    scene, warnings = scenes.workers_from_query({"scheme": "easgd", "k": "8", "lr": "0.1",
                                                 "rho": "5"})  # fmt: skip
    assert len(warnings) == 1 and "rho = 5 in the link is above 1/(K α) = 1.25" in warnings[0]
    assert scene.rho == 1.0 and "using 1." in warnings[0]
    optim_core.run_workers(**scene.run_args())  # runs


# ---------------------------------------------------------------- the page


def test_the_page_runs_the_default_scene_with_its_table_and_sentence():
    at = _page()
    assert not at.exception, at.exception
    scene = scenes.WorkersScene()
    run, serial = workers_data.cached_workers(workers_data.key_of(scene))
    table = at.dataframe[0].value
    assert list(table[""]) == ["the server, 8 workers", "serial SGD, same α"]
    assert list(table["gradients"]) == ["2,400", "2,400"]
    assert table["f − f* at the end"][0] == f"{_gap(run):.3g}"
    assert table["f − f*, mean over the last 10 %"][1] == f"{_tail(serial.surface, serial.loss):.3g}"
    sentence = scenes.workers_summary(run, serial)
    assert sentence in [m.value for m in at.markdown]
    assert sentence.startswith("After 300 steps (2,400 gradients) the server's f − f* averages")
    assert any("not a distributed run" in c.value for c in at.caption)
    assert any("a step of K α = 0.08" in c.value for c in at.caption)
    assert at.query_params["scheme"] == "downpour"
    # each copy is drawn where its own step took it: apart from the server
    assert np.abs(run.paths[1:] - run.center[1:, None]).max() > 0.01


@pytest.mark.parametrize("title", list(PRESETS))
def test_each_preset_shows_its_caption_table_and_sentence_as_measured(title):
    at = _page({"tau": "4"})
    at.selectbox(key="workers.preset").set_value(title).run()
    assert not at.exception, at.exception
    assert [i.value for i in at.info] == [scenes.WORKERS_CAPTIONS[title]]
    assert at.select_slider(key="workers.tau").value == 4  # the section keeps its τ
    run, serial = workers_data.cached_workers(workers_data.key_of(PRESETS[title]))
    assert scenes.workers_summary(run, serial) in [m.value for m in at.markdown]
    table = at.dataframe[0].value
    if run.diverged:
        assert table["diverged"][0] == f"step {run.diverged_step:,} " \
                                       f"({run.diverged_step * run.workers:,} gradients)"
        assert table["f − f* at the end"][0] == "—"
    else:
        assert table["f − f* at the end"][0] == f"{_gap(run):.3g}"
        assert table["f − f*, mean over the last 10 %"][0] == \
            f"{_tail(run.surface, run.center_loss):.3g}"
    at.slider(key="workers.workers").set_value(3).run()  # changed: no longer the preset
    assert not at.info


def test_the_controls_follow_the_scheme_and_the_surface():
    at = _page()
    labels = [n.label for n in at.number_input]
    assert "Push every n steps" in labels and "ρ (elastic force)" not in labels
    assert at.select_slider(key="workers.batch").value == 5
    at.radio(key="workers.scheme").set_value("eamsgd").run()
    labels = [n.label for n in at.number_input]
    assert "ρ (elastic force)" in labels and "Push every n steps" not in labels
    assert at.slider(key="workers.momentum").value == 0.9
    at.selectbox(key="workers.surface").set_value("himmelblau").run()
    assert not at.exception and at.select_slider(key="workers.noise").value == 0.0
    at.radio(key="workers.scheme").set_value("downpour").run()  # push kept while hidden
    assert at.number_input(key="workers.push").value == 1


def test_a_too_strong_pull_on_the_page_is_said_and_run_below_the_limit():
    at = _page({"scheme": "easgd", "surface": "himmelblau", "k": "4", "lr": "0.01"})
    at.number_input(key="workers.rho").set_value(30.0).run()
    assert not at.exception
    (warning,) = [w.value for w in at.warning]
    assert "ρ = 30 with K = 4 and α = 0.01" in warning and "Running with ρ = 24.75" in warning
    assert "K α ρ = 1.2, above 1" in warning
    assert at.query_params["rho"] == "24.75"


@pytest.mark.parametrize("tau", [1, 4, 16])
def test_the_stale_section_runs_just_inside_and_outside_the_bound(tau):
    at = _page({"tau": str(tau)})
    assert not at.exception
    bound, (inside, outside) = workers_data.cached_stale_runs(tau)
    assert bound == pytest.approx(2 * np.sin(np.pi / (2 * (2 * tau + 1))))
    assert inside.trajectory.converged_step >= 0 and not inside.trajectory.diverged
    assert outside.trajectory.diverged
    sentence = next(m.value for m in at.markdown if m.value.startswith("With a delay"))
    assert f"= {bound:.4g}" in sentence
    assert f"converges at step {int(inside.trajectory.converged_step)}" in sentence
    assert f"diverges at step {int(outside.trajectory.diverged_step)}" in sentence


def test_the_view_draws_the_workers_faint_under_the_center():
    scene = PRESETS["EASGD: the workers explore, the center sits between"]
    view = workers_data.cached_view(workers_data.key_of(scene))
    paths = view.runs["paths"]
    assert len(paths) == 5
    run, _ = workers_data.cached_workers(workers_data.key_of(scene))
    np.testing.assert_allclose(_array(paths[-1]["x"]), run.center[:, 0])  # the center: last
    np.testing.assert_allclose(_array(paths[2]["y"]), run.paths[:, 2, 1])
    lines = [t for t in view.runs["plane"] if t.get("mode") == "lines" and "path" in t]
    widths = {t["path"]: t["line"]["width"] for t in lines if t["line"]["color"] != "white"}
    assert widths == {0: 1.2, 1: 1.2, 2: 1.2, 3: 1.2, 4: 2.5}
    heads = [t for t in view.runs["moving"]["plane"] if t.get("moving") == "head"]
    assert [t.get("showlegend", True) for t in heads] == [True, False, False, False, True]
    start = next(t for t in view.runs["plane"] if t.get("name") == "start")
    np.testing.assert_allclose(sorted(start["x"]), sorted(run.paths[0, :, 0]))  # each worker's
    figure = json.loads(viz.delay_stability_figure(*workers_data.stale_map_args(4)).to_json())
    assert figure["layout"]["legend"]["y"] < 0  # below the map: the stars stay visible
    assert surfaces.get(scene.surface).name == "himmelblau"
