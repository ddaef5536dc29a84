"""The page through Streamlit's AppTest: wiring, presets, links and bad links."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

import optim_core
import scenes
import surfaces
from tests.test_viz import plotly_array

TIMEOUT = 60


def _app(query=None):
    at = AppTest.from_file("../app.py", default_timeout=TIMEOUT)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    return at.run()


def _race(at):
    """The race view's data, as sent to the browser (``static`` only when the browser
    does not have it yet)."""
    views = [json.loads(c.proto.json) for c in at.get("bidi_component")]
    views = [v for v in views if "runs" in v]
    assert len(views) == 1
    return views[0]


def _figure_keys(at):
    """The keys of the page's other figures (drawn by the race view's plotly.js)."""
    return [c.proto.id.rsplit("-", 1)[-1] for c in at.get("bidi_component")
            if "figure" in json.loads(c.proto.json)]  # fmt: skip


def _path_x(data, label):
    trace = next(t for t in data["runs"]["plane"] if t.get("name") == label)
    return data["runs"]["paths"][trace["path"]]["x"]


def _texts(data):
    return [(t.get("text") or [""])[0] for t in data["runs"]["plane"]]


def test_the_default_page_runs_and_has_every_control():
    at = _app()
    assert not at.exception
    assert [s.label for s in at.selectbox] == ["Surface"]  # (schedules: switched off)
    assert [m.label for m in at.multiselect] == ["Optimizers"]
    assert {n.label for n in at.number_input} == {"Start x", "Start y"}
    assert "Noise η (0: none)" in [s.label for s in at.select_slider]  # (γ, seed: with noise)
    assert "Batch size (examples a step)" not in [s.label for s in at.select_slider]  # no data
    assert "Steps" in [s.label for s in at.slider]
    assert "Speed" in [s.label for s in at.select_slider]
    assert [t.label for t in at.toggle] == ["Presentation mode", "All columns",  # (results)
                                          "Insides: arrows and step sizes",
                                          "Same values for all", "α schedules"]
    assert set(at.multiselect[0].value) == set(scenes.DEFAULT_OPTIMIZERS)
    labels = [s.label for s in at.slider] + [s.label for s in at.select_slider]
    for needed in ("α (lr)", "β₁", "β₂", "ε"):
        assert needed in labels
    assert not at.get("plotly_chart") and _figure_keys(at) == ["step_length"]
    data = _race(at)  # the loss below the views, with a cursor on the shown step
    assert data["runs"]["loss"]["layout"]["yaxis"]["title"]["text"] == "f − f*"
    assert [t["name"] for t in data["runs"]["moving"]["loss"]] == ["shown step"]
    assert data["runs"]["shown"] == list(range(301)) and data["frame_ms"] == 50
    assert (
        len(data["runs"]["paths"]) == 5 and data["static"]["scene"]["data"][0]["type"] == "surface"
    )
    assert [b.proto.label for b in at.get("download_button")] == [
        "Trajectories (CSV)", "Trajectories (JSON)", "The race as one HTML file"]  # fmt: skip
    assert len(at.dataframe) == 1 and len(at.dataframe[0].value) == 5
    assert len(at.latex) >= 1 + 5  # the surface formula and each update rule


def test_sliders_show_only_the_hyperparameters_an_optimizer_uses():
    at = _app({"opt": "sgd,adadelta"})
    labels = [s.label for s in at.slider if s.key and "." in s.key]
    labels += [s.label for s in at.select_slider if s.key and "." in s.key]
    keys = sorted(s.key for s in [*at.slider, *at.select_slider] if s.key and "." in s.key)
    assert keys == ["adadelta.beta2", "adadelta.eps", "sgd.lr"]


def test_changing_alpha_changes_the_drawn_trajectory():
    at = _app({"opt": "sgd", "surface": "quadratic"})
    before = _race(at)
    at.select_slider(key="sgd.lr").set_value(0.1).run()
    assert not at.exception
    after = _race(at)
    assert _path_x(before, "SGD") != _path_x(after, "SGD")
    assert at.query_params["sgd.lr"] == "0.1"


@pytest.mark.parametrize("title", list(scenes.PRESETS))
def test_every_preset_applies_and_renders(title):
    at = _app()
    next(b for b in at.button if b.label == title).click().run()
    assert not at.exception
    preset = scenes.PRESETS[title]
    assert at.selectbox(key="surface").value == scenes.surface_base(preset.surface)
    assert at.session_state["race_surface"] == preset.surface  # (with its parameters)
    assert tuple(at.multiselect(key="optimizers").value) == preset.optimizers
    assert (
        at.number_input(key="start_x").value,
        at.number_input(key="start_y").value,
    ) == preset.start_point()
    assert len(_race(at)["runs"]["shown"]) > 1
    for name in preset.optimizers:
        for h, v in preset.hyperparams(name).items():
            assert at.session_state[f"{name}.{h}"] == v


def test_query_parameters_round_trip():
    query = {"surface": "himmelblau", "opt": "adam,nag", "start": "-0.5,-4.0", "steps": "150",
             "adam.lr": "0.05", "nag.lr": "0.002", "nag.beta1": "0.8", "speed": "2.0"}  # fmt: skip
    at = _app(query)
    assert not at.exception and not at.warning
    assert at.selectbox(key="surface").value == "himmelblau"
    assert at.multiselect(key="optimizers").value == ["adam", "nag"]
    assert at.slider(key="steps").value == 150
    for key, value in query.items():
        assert at.query_params[key] == value, key


def test_bad_query_parameters_warn_and_fall_back():
    at = _app({"opt": "adam,adabelief", "adam.lr": "abc", "steps": "1000000000",
               "surface": "rosenbrock", "start": "50,50"})  # fmt: skip
    assert not at.exception
    text = " ".join(w.value for w in at.warning)
    for needle in ("` adabelief `", "adam.lr = ` abc `", "` 1000000000 `", "` 50,50 `"):
        assert needle in text
    assert at.multiselect(key="optimizers").value == ["adam"]
    assert at.select_slider(key="adam.lr").value == scenes.race_defaults("adam")["lr"]
    assert at.slider(key="steps").value == scenes.MAX_PAGE_STEPS  # over the cap: the cap
    assert (at.number_input(key="start_x").value, at.number_input(key="start_y").value) == (
        -1.5,
        2.0,
    )


def test_sgd_with_alpha_one_on_rosenbrock_diverges_visibly():
    at = _app({"surface": "rosenbrock", "opt": "sgd,adam", "sgd.lr": "1.0"})
    assert not at.exception
    table = at.dataframe[0].value
    row = table[table["optimizer"] == "SGD"].iloc[0]
    k = row["diverged at step"]
    assert k != "—"
    assert any(f"SGD diverged at step {k}" in w.value for w in at.warning)
    assert any(f"SGD diverged at step {k}" in text for text in _texts(_race(at)))


def test_same_values_for_all_sets_one_alpha_for_everyone():
    at = _app({"opt": "sgd,adam,adadelta"})
    at.toggle(key="same_for_all").set_value(True).run()
    at.select_slider(key="all.lr").set_value(0.05).run()
    assert not at.exception
    assert at.query_params["same"] == "1" and at.query_params["all.lr"] == "0.05"
    rows = at.dataframe[0].value.set_index("optimizer")["hyperparameters"]
    assert "α=0.05" in rows["SGD"] and "α=0.05" in rows["Adam"] and "α" not in rows["Adadelta"]


def test_no_optimizer_selected_shows_a_message_not_an_error():
    at = _app()
    first = _race(at)
    at.multiselect(key="optimizers").set_value([]).run()
    assert not at.exception
    assert any("at least one optimizer" in i.value for i in at.info)
    data = _race(at)  # the surface is still drawn, in both views: the one sent first
    assert data["key"] == first["key"] and data["runs"]["paths"] == []
    assert first["static"]["plane"]["layout"]["images"]


def test_the_surface_crosses_the_network_once_and_a_new_surface_is_sent():
    at = _app()
    first = _race(at)
    assert first["static"] is not None
    at.select_slider(key="adam.lr").set_value(0.02).run()
    moved = _race(at)  # a slider move: new paths, the surface left out
    assert moved["static"] is None and moved["key"] == first["key"]
    assert moved["runs"]["revision"] != first["runs"]["revision"]
    # and of the runs, only Adam's path, the one that changed
    sent = [p for p in moved["runs"]["paths"] if "x" in p]
    assert len(sent) == 1 and sent[0]["id"] not in {p["id"] for p in first["runs"]["paths"]}
    assert len(json.dumps(moved)) < 0.1 * len(json.dumps(first))
    at.select_slider(key="speed").set_value(2.0).run()  # nothing to draw anew but the pace
    assert all(p.keys() == {"id"} for p in _race(at)["runs"]["paths"])
    figures = [json.loads(c.proto.json) for c in at.get("bidi_component")]
    assert [f["figure"] for f in figures if "figure_key" in f] == [None]  # step lengths kept
    at.selectbox(key="surface").set_value("himmelblau").run()
    other = _race(at)
    assert other["static"] is not None and other["key"] != first["key"]


def test_changing_the_surface_moves_the_start_to_its_default():
    at = _app()
    at.selectbox(key="surface").set_value("himmelblau").run()
    assert not at.exception
    assert (at.number_input(key="start_x").value, at.number_input(key="start_y").value) == (
        -0.5,
        -4.0,
    )


def test_moving_one_slider_recomputes_one_trajectory(monkeypatch):
    """…and its run in the other convention, for the update rules' comparison line."""
    st.cache_resource.clear()
    calls = []
    real_run = optim_core.run

    def counting_run(optimizer, *args, **kwargs):
        calls.append((optimizer, kwargs.get("convention")))
        return real_run(optimizer, *args, **kwargs)

    monkeypatch.setattr(optim_core, "run", counting_run)
    at = _app()
    assert sorted(calls) == sorted((n, c) for n in scenes.DEFAULT_OPTIMIZERS
                                   for c in ("cheatsheet", "pytorch"))  # fmt: skip
    calls.clear()
    at.select_slider(key="adam.lr").set_value(0.02).run()
    assert sorted(calls) == [("adam", "cheatsheet"), ("adam", "pytorch")]
    calls.clear()
    at.slider(key="momentum.beta1").set_value(0.5).run()
    assert sorted(calls) == [("momentum", "cheatsheet"), ("momentum", "pytorch")]


def test_the_speed_control_sets_the_frame_duration():
    at = _app()
    duration = _race(at)["frame_ms"]
    at.select_slider(key="speed").set_value(2.0).run()
    faster = _race(at)["frame_ms"]
    assert faster == duration // 2 and at.query_params["speed"] == "2.0"


def test_link_warnings_are_shown_once_then_the_link_is_valid():
    at = _app({"opt": "adam,adabelief"})
    assert any("` adabelief `" in w.value for w in at.warning)
    assert at.query_params["opt"] == "adam"  # rewritten with what is shown
    at.slider(key="steps").set_value(50).run()
    assert not any("` adabelief `" in w.value for w in at.warning)


def test_switching_controls_off_and_on_again_keeps_the_page_working():
    at = _app({"opt": "sgd,adam"})
    at.toggle(key="same_for_all").set_value(True).run()
    at.toggle(key="same_for_all").set_value(False).run()
    at.toggle(key="same_for_all").set_value(True).run()
    assert not at.exception
    at.toggle(key="same_for_all").set_value(False).run()
    at.multiselect(key="optimizers").set_value(["sgd"]).run()
    at.multiselect(key="optimizers").set_value(["sgd", "adam"]).run()
    assert not at.exception
    assert at.select_slider(key="adam.lr").value == scenes.race_defaults("adam")["lr"] == 0.01


def test_the_saddle_preset_reports_escapes_not_failures():
    at = _app()
    next(b for b in at.button if b.label == "Saddle: who escapes first").click().run()
    assert not at.exception
    # no failure story: no warning, no "diverged", no advice to shrink α
    assert not at.warning
    data = _race(at)
    texts = " ".join(_texts(data))
    assert "diverged" not in texts and "SGD left the view at step" in texts
    table = at.dataframe[0].value.set_index("optimizer")
    assert "distance to minimizer" not in table.columns and "final loss" not in table.columns
    assert table.loc[["SGD", "Momentum", "NAG"], "escaped at step"].tolist() == [
        "145",
        "226",
        "216",
    ]
    assert table.loc[["SGD", "Momentum", "NAG"], "steps within 0.1"].tolist() == [
        "95",
        "145",
        "138",
    ]
    for name in ("RMSprop", "Adam", "AdaGrad"):
        assert table.loc[name, "escaped at step"] == "— kept clear of it"
        assert float(table.loc[name, "closest distance"]) > 1.0
    assert table.loc["SGD", "left the view at step"] == "153"
    caption = " ".join(c.value for c in at.caption)
    assert "r = 1" in caption and "not a failure" in caption
    # the loss plot stops where a run leaves the view: its axis is not flattened
    paths = data["runs"]["paths"]  # the preset's runs are new: sent with their arrays
    drawn = [y for t in data["runs"]["loss"]["data"] if t.get("coords") == "loss"
             for y in _numbers(paths[t["path"]]["loss"])]  # fmt: skip
    assert len(drawn) > 100
    assert min(drawn) >= -4.0 - 1e-6  # f ≥ −4 inside the domain [−2, 2]²
    assert "saddle_distance" in _figure_keys(at)


def _numbers(array_spec):
    """The finite numbers of a plotly array from the JSON spec."""
    values = plotly_array(array_spec)
    return values[np.isfinite(values)].tolist()


def test_divergence_on_a_bounded_surface_still_warns_with_advice():
    at = _app({"surface": "beale", "opt": "sgd", "sgd.lr": "1.0"})
    assert any("Try a smaller α" in w.value for w in at.warning)


def test_a_run_that_comes_close_and_leaves_is_not_called_converged():
    at = _app({"surface": "booth", "opt": "rmsprop,adam", "start": "-8.0,8.0", "steps": "300",
               "rmsprop.lr": "0.5"})  # fmt: skip
    assert not at.exception
    table = at.dataframe[0].value.set_index("optimizer")
    assert table.loc["RMSprop", "converged at step"] == "—"
    assert table.loc["RMSprop", "first within tolerance at step"] == "40"
    assert "came that close and left again" in " ".join(c.value for c in at.caption)


def test_same_for_all_starts_at_an_alpha_that_suits_everyone_and_gives_values_back():
    at = _app()  # Beale: SGD, Momentum, NAG, RMSprop, Adam
    at.select_slider(key="adam.lr").set_value(1.0).run()
    at.select_slider(key="sgd.lr").set_value(0.02).run()
    at.toggle(key="same_for_all").set_value(True).run()
    lr, reason = scenes.suited_shared_lr("beale", scenes.DEFAULT_OPTIMIZERS, (1.0, 1.4), 300)
    assert (
        at.select_slider(key="all.lr").value == lr == 0.03 and at.query_params["all.lr"] == "0.03"
    )
    assert any(reason in c.value for c in at.caption)
    at.slider(key="steps").set_value(150).run()  # the reason no longer applies: gone
    assert not any(reason in c.value for c in at.caption)
    at.slider(key="steps").set_value(300).run()
    # everyone moves visibly at that α: at least a decade of f − f* each, no divergence
    table = at.dataframe[0].value.set_index("optimizer")
    assert (table["diverged at step"] == "—").all()
    f0 = float(surfaces.get("beale").f(np.array([1.0, 1.4])))
    assert (table["final loss"].astype(float) < f0 / 10).all()
    at.toggle(key="same_for_all").set_value(False).run()
    assert at.select_slider(key="adam.lr").value == 1.0 and at.query_params["adam.lr"] == "1.0"
    assert at.select_slider(key="sgd.lr").value == 0.02 and at.query_params["sgd.lr"] == "0.02"
    assert "same" not in at.query_params


def test_suited_alpha_is_the_best_for_the_slowest_optimizer():
    grid = scenes.SLIDER_VALUES["lr"]
    names, start = ("sgd", "adam"), (-2.0, 2.0)
    lr, _ = scenes.suited_shared_lr("himmelblau", names, start, 300)
    surf = surfaces.get("himmelblau")

    def slowest(alpha):
        runs = [optim_core.run(n, surf, start, 300, lr=alpha) for n in names]
        if any(r.diverged_step >= 0 for r in runs):
            return -np.inf
        return min(np.log10(float(surf.f(np.array(start))) / max(float(r.final_loss), 1e-12))
                   for r in runs)  # fmt: skip

    assert all(slowest(lr) >= slowest(a) - 0.1 for a in grid[::3])


@pytest.mark.parametrize("title", list(scenes.PRESETS))
def test_a_preset_says_what_it_shows_until_its_values_change(title):
    at = _app()
    next(b for b in at.button if b.label == title).click().run()
    assert any(scenes.PRESET_NOTES[title] in i.value for i in at.info)
    at.slider(key="steps").set_value(17).run()
    assert not any(scenes.PRESET_NOTES[title] in i.value for i in at.info)
    # the preset's own link shows its note too
    linked = _app(scenes.to_query(scenes.PRESETS[title]))
    assert any(scenes.PRESET_NOTES[title] in i.value for i in linked.info)


def test_a_crafted_link_gets_one_warning_with_its_values_as_code():
    names = ",".join(["![x](https://example.com/x.png)"] + [f"bad{i}" for i in range(199)])
    at = _app({"surface": "**BOLD** [click here](https://example.com)", "opt": names})
    assert not at.exception
    assert len(at.warning) == 1
    text = at.warning[0].value
    assert "` **BOLD** [click here](https://example.c… `" in text
    assert "` ![x](https://example.com/x.png) `" in text and "and 192 more" in text
    assert text.count("` bad") == scenes.MAX_LISTED - 1


def test_an_uphill_blow_up_on_the_saddle_is_called_one():
    at = _app({"surface": "saddle", "opt": "sgd,adam", "start": "-1.5,0.001",
               "sgd.lr": "2.0"})  # fmt: skip
    assert not at.exception
    assert any("SGD blew up uphill at step" in w.value and "smaller α" in w.value
               for w in at.warning)  # fmt: skip
    assert not any("Adam" in w.value for w in at.warning)  # Adam ran off downhill
    table = at.dataframe[0].value.set_index("optimizer")
    assert table.loc["Adam", "left the view at step"] != "—"


def test_a_run_that_jumps_out_of_the_box_uphill_in_one_step_is_a_blow_up():
    # SGD at α 10 on x² − y²: step 1 goes to (28.5, 0.021), f 812 against 2.25
    at = _app({"surface": "saddle", "opt": "sgd,momentum", "sgd.lr": "10",
               "momentum.lr": "0.05"})  # fmt: skip
    assert any("SGD blew up uphill at step 1" in w.value for w in at.warning)
    traj = optim_core.run("sgd", "saddle", scenes.Scene("saddle").start_point(), 300, lr=10.0)
    assert float(surfaces.get("saddle").f(traj.diverged_point)) > 800


def test_the_table_shows_why_a_close_run_has_not_converged():
    at = _app()
    next(b for b in at.button if b.label == "AdaGrad's shrinking steps").click().run()
    table = at.dataframe[0].value.set_index("optimizer")
    # Adam ends 0.00968 away, inside the distance tolerance, with a gradient norm above it
    assert float(table.loc["Adam", "distance to minimizer"]) < optim_core.CONVERGED_DIST_TOL
    assert float(table.loc["Adam", "final gradient norm"]) > optim_core.CONVERGED_GRAD_TOL
    assert table.loc["Adam", "converged at step"] == "—"


def test_plotly_js_is_copied_where_streamlit_serves_it_or_the_reason_is_given(
    tmp_path, monkeypatch
):
    from app_pages import race_view

    target = tmp_path / "static" / "plotly.min.js"
    monkeypatch.setattr(race_view, "PLOTLY_JS", target)
    assert race_view.install_plotly_js() is None
    import plotly

    source = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    assert target.read_bytes() == source.read_bytes()
    assert "plotly.js v" in target.read_text()[:300]
    blocked = tmp_path / "a_file"
    blocked.write_text("not a folder")
    monkeypatch.setattr(race_view, "PLOTLY_JS", blocked / "static" / "plotly.min.js")
    problem = race_view.install_plotly_js()
    assert problem and "could not copy" in problem and "a_file" in problem


# ---------------------------------------------------------------- presentation mode


def _vector(text):
    return np.array([float(v) for v in text.strip("()").split(",")])


def test_presentation_mode_survives_a_link_round_trip_and_draws_for_a_projector():
    at = _app({"present": "1"})
    assert not at.exception and not at.warning
    assert at.toggle(key="present").value is True
    link = dict(at.query_params)
    assert link["present"] == "1"
    big = _race(at)
    assert big["present"] and big["report"]
    at.toggle(key="present").set_value(False).run()
    small = _race(at)
    assert "present" not in at.query_params and not small["present"] and not small["report"]
    assert not [b for b in at.button if b.key == "step_next"]  # no step buttons then
    # drawn larger: type, lines, markers, the views' height
    bs, ss = big["static"] or {}, small["static"]
    if bs:  # (static parts are sent once per key; both keys are new here)
        assert bs["plane"]["layout"]["height"] > ss["plane"]["layout"]["height"]
        assert bs["plane"]["layout"]["font"]["size"] > ss["plane"]["layout"]["font"]["size"]
    head = [t for t in big["runs"]["moving"]["plane"] if t["moving"] == "head"][0]
    small_head = [t for t in small["runs"]["moving"]["plane"] if t["moving"] == "head"][0]
    assert head["marker"]["size"] > small_head["marker"]["size"]
    assert big["runs"]["plane"][-1]["line"]["width"] > small["runs"]["plane"][-1]["line"]["width"]
    again = _app(link)  # the link handed out opens in presentation mode
    assert again.toggle(key="present").value is True and not again.warning
    bad = _app({"present": "yes"})
    assert "present = ` yes ` in the link is not 0 or 1" in bad.warning[0].value
    assert bad.toggle(key="present").value is False


def test_the_step_buttons_move_every_optimizer_one_step_and_show_the_cores_numbers():
    steps = 500  # more than the view shows while playing: single steps are exact ones
    at = _app({"present": "1", "steps": str(steps), "surface": "beale"})
    at.button(key="step_back").click().run()  # nothing before step 0
    assert at.session_state.race_step == 0
    start = at.session_state.start_x, at.session_state.start_y
    for _ in range(3):
        at.button(key="step_next").click().run()
    at.button(key="step_back").click().run()
    k = 2
    numbers = _race(at)["numbers"]  # shown by the view, under its controls
    assert at.session_state.race_step == k and numbers["step"] == k
    seek = _race(at)["seek"]
    assert seek["step"] == k and seek["delta"] == -1  # the view is told to show step 2
    rows = pd.DataFrame(numbers["rows"]).set_index("optimizer")
    assert list(rows.index) == [optim_core.get_optimizer(n).title for n in scenes.DEFAULT_OPTIMIZERS]
    surface = surfaces.get("beale")
    for name in scenes.DEFAULT_OPTIMIZERS:
        row = rows.loc[optim_core.get_optimizer(name).title]
        tr = optim_core.run(name, "beale", start, steps, **scenes.race_defaults(name))
        close = dict(rtol=1e-3, atol=1e-9)
        np.testing.assert_allclose(_vector(row["w = (x, y)"]), tr.path[k], **close)
        np.testing.assert_allclose(float(row["f(w)"]), tr.loss[k], **close)
        np.testing.assert_allclose(_vector(row["∇f(w)"]), surface.grad(tr.path[k]), **close)
        for field, title in (("m", "m"), ("v", "v")):
            if field in tr.state:
                np.testing.assert_allclose(_vector(row[title]), tr.state[field][k], **close)
            else:
                assert row[title] == ""
        np.testing.assert_allclose(_vector(row["next step Δw"]), tr.path[k + 1] - tr.path[k],
                                   rtol=1e-3, atol=1e-12)  # fmt: skip


def test_the_step_buttons_stop_at_the_ends_and_the_step_follows_fewer_steps():
    at = _app({"present": "1", "steps": "3"})
    for _ in range(3):
        at.button(key="step_next").click().run()
    at.button(key="step_next").click().run()  # nothing after the last step
    assert at.session_state.race_step == 3
    assert all(r["next step Δw"] == "— (last step)" for r in _race(at)["numbers"]["rows"])
    at.slider(key="steps").set_value(2).run()  # a shorter race: its last step
    assert at.session_state.race_step == 2 and _race(at)["numbers"]["step"] == 2


def test_a_step_told_by_the_view_is_read_as_a_step_of_the_race():
    """The browser says where it stopped (paused, its slider, the arrow keys); the page's
    numbers move there: a step of the race, or nothing for a value that is not one."""
    from app_pages.common import told_step

    assert told_step(57, 200) == 57 and told_step(57.0, 200) == 57
    assert told_step(10_000, 200) == 200 and told_step(-3, 200) == 0
    for junk in ("57; drop", None, True, 2.5, float("nan"), [1], {"step": 1}):
        assert told_step(junk, 200) is None


# ---------------------------------------------------------------- the PyTorch convention


def test_the_pytorch_switch_runs_torchs_rules_keeps_the_values_and_goes_in_the_link():
    at = _app({"opt": "momentum,adadelta", "surface": "beale", "steps": "100"})
    lr = at.select_slider(key="momentum.lr").value
    assert not [s for s in at.select_slider if s.key == "adadelta.lr"]  # the cheat sheet's
    at.radio(key="convention").set_value("pytorch").run()
    assert not at.exception and at.query_params["conv"] == "pytorch"
    assert at.select_slider(key="momentum.lr").value == lr  # kept: only the rule changed
    assert at.select_slider(key="adadelta.lr").value == 1.0  # torch's Adadelta takes α
    start = (at.session_state.start_x, at.session_state.start_y)
    data = _race(at)
    torch = optim_core.run("momentum", "beale", start, 100, convention="pytorch", lr=lr,
                           beta1=at.slider(key="momentum.beta1").value)  # fmt: skip
    np.testing.assert_allclose(plotly_array(_path_x(data, "Momentum")), torch.path[:, 0],
                               rtol=1e-6)  # (float32 on the wire)  # fmt: skip
    formulas = [x.value for x in at.latex]
    assert any(r"b_t = \beta_1 b_{t-1} + g_t" in f for f in formulas)  # torch's formula
    lines = [c.value for c in at.caption if c.value.startswith("Cheat sheet vs PyTorch")]
    assert len(lines) == 2 and all("torch.optim's" in x and "the cheat sheet's form" in x
                                   for x in lines)  # fmt: skip
    again = _app(dict(at.query_params))  # the link opens the same scene
    assert again.radio(key="convention").value == "pytorch" and not again.warning
    assert again.select_slider(key="adadelta.lr").value == 1.0
    bad = _app({"conv": "keras"})
    assert "conv = ` keras `" in bad.warning[0].value
    assert bad.radio(key="convention").value == "cheatsheet"


def test_the_comparison_line_tells_each_conventions_outcome_on_this_surface():
    at = _app({"opt": "momentum", "surface": "rosenbrock", "steps": "300",
               "momentum.lr": "0.001", "momentum.beta1": "0.9"})  # fmt: skip
    start = (at.session_state.start_x, at.session_state.start_y)
    line = next(c.value for c in at.caption if c.value.startswith("Cheat sheet vs PyTorch"))
    ema = optim_core.run("momentum", "rosenbrock", start, 300, lr=0.001, beta1=0.9)
    torch = optim_core.run("momentum", "rosenbrock", start, 300, lr=0.001, beta1=0.9,
                           convention="pytorch")  # fmt: skip
    assert f"the cheat sheet's form ends at f = {float(ema.final_loss):.3g}" in line
    assert f"torch.optim's ends at f = {float(torch.final_loss):.3g}" in line


def test_the_insides_toggle_draws_each_optimizers_step_sizes_and_goes_in_the_link():
    at = _app({"opt": "adagrad,rmsprop,newton", "surface": "booth", "steps": "100"})
    assert "step_sizes" not in _figure_keys(at)
    at.toggle(key="insides").set_value(True).run()
    assert not at.exception and at.query_params["insides"] == "1"
    assert "step_sizes" in _figure_keys(at)
    figure = next(json.loads(json.loads(c.proto.json)["figure"]) for c in at.get("bidi_component")
                  if json.loads(c.proto.json).get("figure_key") and "step_sizes" in c.proto.id)
    names = [t["name"] for t in figure["data"]]
    assert names == ["AdaGrad, x", "AdaGrad, y", "RMSprop, x", "RMSprop, y"]  # no Newton
    start = (at.session_state.start_x, at.session_state.start_y)
    tr = optim_core.run("adagrad", "booth", start, 100, **scenes.race_defaults("adagrad"))
    np.testing.assert_allclose(plotly_array(figure["data"][0]["y"]),
                               optim_core.effective_step_sizes(tr)[:, 0], rtol=1e-6)
    assert any("Newton: no per-coordinate step size" in c.value for c in at.caption)
    again = _app(dict(at.query_params))
    assert again.toggle(key="insides").value is True


def test_adamw_has_a_weight_decay_slider_that_reaches_the_run_and_the_link():
    at = _app({"opt": "adamw", "steps": "50"})
    assert at.slider(key="adamw.weight_decay").value == 0.01  # the cheat sheet's default
    before = plotly_array(_path_x(_race(at), "AdamW"))
    at.slider(key="adamw.weight_decay").set_value(0.5).run()
    assert not at.exception and at.query_params["adamw.weight_decay"] == "0.5"
    start = (at.session_state.start_x, at.session_state.start_y)
    hp = {h: at.session_state[f"adamw.{h}"] for h in ("lr", "beta1", "beta2", "eps")}
    tr = optim_core.run("adamw", "beale", start, 50, weight_decay=0.5, **hp)
    after = plotly_array(_path_x(_race(at), "AdamW"))
    np.testing.assert_allclose(after, tr.path[:, 0], rtol=1e-6)
    assert not np.allclose(after, before)
    again = _app(dict(at.query_params))
    assert again.slider(key="adamw.weight_decay").value == 0.5


def test_the_link_carries_the_start_the_fields_show_not_binary_noise():
    at = _app()
    at.number_input(key="start_y").set_value(2.2 + 0.2).run()  # as + on 2.2 in steps of 0.2
    assert 2.2 + 0.2 == 2.4000000000000004
    assert at.number_input(key="start_y").value == 2.4
    assert at.query_params["start"].split(",")[1] == "2.4"
    assert _race(at)["runs"] is not None


def test_presets_are_one_line_each_with_what_to_watch_on_hover():
    at = _app()
    sidebar = at.sidebar
    buttons = [b for b in sidebar.button if b.label in scenes.PRESETS]
    assert [b.label for b in buttons] == list(scenes.PRESETS)
    assert all(b.help == scenes.PRESET_CAPTIONS[b.label] for b in buttons)
    captions = " ".join(c.value for c in sidebar.caption)
    assert not any(text in captions for text in scenes.PRESET_CAPTIONS.values())


def test_the_second_order_family_gets_its_sliders_and_its_link():
    at = _app({"opt": "lbfgs,levenberg_marquardt,gauss_newton", "surface": "rosenbrock"})
    assert not at.exception
    assert at.slider(key="lbfgs.memory").value == 10
    assert at.select_slider(key="levenberg_marquardt.damping").value == 1e-3
    labels = {s.key: s.label for s in [*at.slider, *at.select_slider] if s.key and "." in s.key}
    assert labels["lbfgs.memory"] == "m (pairs kept)"
    assert labels["levenberg_marquardt.damping"] == "λ₀ (first damping)"
    assert labels["gauss_newton.lr"] == "α (lr)"
    before = _path_x(_race(at), "L-BFGS")
    at.slider(key="lbfgs.memory").set_value(2).run()
    assert not at.exception
    assert at.query_params["lbfgs.memory"] == "2.0"
    assert _path_x(_race(at), "L-BFGS") != before  # m = 2 is another method from step 4
    names = [t["name"] for t in _race(at)["runs"]["plane"] if t.get("name")]
    assert {"L-BFGS", "Gauss–Newton", "Levenberg–Marquardt"} <= set(names)
    assert not at.info


def test_gauss_newton_off_a_sum_of_squares_stays_chosen_and_the_page_says_why():
    at = _app({"opt": "adam,gauss_newton,levenberg_marquardt", "surface": "saddle"})
    assert not at.exception
    assert at.multiselect[0].value == ["adam", "gauss_newton", "levenberg_marquardt"]
    text = at.info[0].value
    assert text.startswith("Not racing here: Gauss–Newton needs a sum of squares")
    assert "Levenberg–Marquardt needs a sum of squares" in text and "Saddle does not" in text
    names = [t["name"] for t in _race(at)["runs"]["plane"] if t.get("name")]
    assert "Adam" in names and "Gauss–Newton" not in names
    # back on a sum of squares they race again, and with noise they are left out again
    at.selectbox(key="surface").set_value("rosenbrock").run()
    assert not at.info and "Gauss–Newton" in [t.get("name") for t in _race(at)["runs"]["plane"]]
    at.select_slider(key="noise_eta").set_value(0.1).run()
    assert "gradient noise does not apply" in at.info[0].value


@pytest.mark.parametrize(("value", "shown"), [("2.5", "2.5"), ("0", "0"), ("x", "x")])
def test_a_bad_memory_in_a_link_is_named_and_replaced(value, shown):
    at = _app({"opt": "lbfgs", "surface": "rosenbrock", "lbfgs.memory": value})
    assert not at.exception
    warning = at.warning[0].value
    assert "lbfgs.memory" in warning and "not a whole number in [1, 100]" in warning
    assert at.slider(key="lbfgs.memory").value == 10


def test_line_search_constants_have_sliders_and_a_bad_pair_keeps_the_last_race():
    at = _app({"opt": "bfgs,sgd_armijo", "surface": "rosenbrock"})
    assert not at.exception
    assert at.select_slider(key="bfgs.c1").value == 1e-4
    assert at.slider(key="bfgs.c2").value == 0.9
    assert at.slider(key="sgd_armijo.shrink").value == 0.5
    assert {s.key for s in at.slider if s.key and s.key.startswith("sgd_armijo")} == {
        "sgd_armijo.shrink"}  # (α₀ and c₁ are log sliders)
    def bfgs_path(at):  # its id: sent again only when the path changed
        data = _race(at)
        trace = next(t for t in data["runs"]["plane"] if t.get("name") == "BFGS")
        return data["runs"]["paths"][trace["path"]]["id"]

    before = bfgs_path(at)
    at.slider(key="bfgs.c2").set_value(0.1).run()  # a tighter search: another path
    moved = bfgs_path(at)
    assert moved != before and not at.error
    at.select_slider(key="bfgs.c1").set_value(0.2).run()  # c₁ 0.2 ≥ c₂ 0.1: refused
    assert not at.exception
    message = at.error[0].value
    assert "c1 must satisfy 0 < c1 < c2 = 0.1; got 0.2" in message
    assert "The race keeps c₁ (sufficient decrease) = 0.0001, c₂ (curvature) = 0.1" in message
    assert bfgs_path(at) == moved  # the last race that ran stays


def test_cg_s_beta_rule_is_a_choice_in_the_sidebar_and_the_link():
    at = _app({"opt": "cg", "surface": "rosenbrock"})
    radio = at.radio(key="cg.beta_rule")
    assert radio.value == "PR+" and radio.options == ["Polak–Ribière+", "Fletcher–Reeves"]
    radio.set_value("FR").run()
    assert not at.exception and at.query_params["cg.beta_rule"] == "FR"
    table = at.dataframe[0].value
    assert table.shape[0] == 1
    # a link with it opens on it; a bad one is named and replaced
    assert _app({"opt": "cg", "surface": "rosenbrock", "cg.beta_rule": "FR"}).radio(
        key="cg.beta_rule").value == "FR"
    at = _app({"opt": "cg", "surface": "rosenbrock", "cg.beta_rule": "HS"})
    assert "cg.beta_rule" in at.warning[0].value and "not one of PR+, FR" in at.warning[0].value
    assert at.radio(key="cg.beta_rule").value == "PR+"


def test_torchs_lbfgs_offers_its_line_search_fn():
    at = _app({"opt": "lbfgs", "surface": "rosenbrock", "conv": "pytorch"})
    radio = at.radio(key="lbfgs.line_search")
    assert radio.value == "none" and radio.options == ["none (fixed step α)", "strong Wolfe"]
    assert at.slider(key="lbfgs.memory").value == 100  # torch's history_size
    radio.set_value("strong_wolfe").run()
    assert not at.exception and at.query_params["lbfgs.line_search"] == "strong_wolfe"


def _figure(at, key):
    """The figure sent this run under ``key`` (None: the browser has it already)."""
    spec = next(json.loads(c.proto.json) for c in at.get("bidi_component")
                if c.proto.id.endswith(key) and "figure_key" in json.loads(c.proto.json))  # fmt: skip
    return spec["figure"] and json.loads(spec["figure"])


def test_the_x_axis_switch_puts_the_loss_against_gradient_evaluations_and_goes_in_the_link():
    at = _app({"surface": "rosenbrock", "opt": "adam,bfgs,cg", "steps": "120"})
    assert at.radio(key="x_axis").value == "steps" and "xaxis" not in at.query_params
    data = _race(at)
    assert data["runs"]["loss"]["layout"]["xaxis"]["title"]["text"] == "step"
    start = (at.session_state.start_x, at.session_state.start_y)
    runs = {n: optim_core.run(n, "rosenbrock", start, 120, **scenes.race_defaults(n))
            for n in ("adam", "bfgs", "cg")}  # fmt: skip
    counts = {n: optim_core.evaluations(tr).grad for n, tr in runs.items()}
    table = at.dataframe[0].value.set_index("optimizer")
    k = int(runs["bfgs"].converged_step)
    assert k > 0 and table.loc["BFGS", "converged at step"] == str(k)
    assert table.loc["BFGS", "∇f evaluations to convergence"] == str(counts["bfgs"][k])
    at.radio(key="x_axis").set_value("evals").run()
    assert not at.exception and at.query_params["xaxis"] == "evals"
    data = _race(at)
    assert data["runs"]["loss"]["layout"]["xaxis"]["title"]["text"] == "∇f evaluations"
    by_label = {t["name"]: data["runs"]["paths"][t["path"]] for t in data["runs"]["moving"]["loss"]}
    for name, title in (("adam", "Adam"), ("bfgs", "BFGS"), ("cg", "CG (PR+)")):
        np.testing.assert_array_equal(plotly_array(by_label[title]["evals"]), counts[name])
    # the table: when each converged, in evaluations; how many it took in all
    table = at.dataframe[0].value.set_index("optimizer")
    assert table.loc["BFGS", "converged at ∇f evaluation"] == str(counts["bfgs"][k])
    assert table.loc["BFGS", "∇f evaluations"] == str(counts["bfgs"][-1])
    assert table.loc["Adam", "∇f evaluations"] == "120"  # one a step
    assert "converged at step" not in table.columns
    lengths = _figure(at, "step_length")  # the step lengths against the same counts
    assert lengths["layout"]["xaxis"]["title"]["text"] == "∇f evaluations after step k"
    # the link opens on it; a bad value is replaced, with a warning
    again = _app(dict(at.query_params))
    assert again.radio(key="x_axis").value == "evals" and not again.warning
    assert _race(again)["runs"]["loss"]["layout"]["xaxis"]["title"]["text"] == "∇f evaluations"
    bad = _app({**dict(at.query_params), "xaxis": "seconds"})
    assert bad.radio(key="x_axis").value == "steps"
    assert "xaxis = ` seconds ` in the link is not one of steps, evals" in bad.warning[0].value
    assert "xaxis" not in bad.query_params  # the link rewritten with what is shown
    # the switch is how the page looks: a preset keeps it
    preset = next(b for b in at.sidebar.button if b.label == next(iter(scenes.PRESETS)))
    preset.click().run()
    assert at.radio(key="x_axis").value == "evals" and at.query_params["xaxis"] == "evals"


def test_a_failed_line_search_is_said_in_the_table_and_on_the_page():
    # |x| + |y| from (1.5, −2): BFGS's second search meets the kink and fails
    query = {"surface": "custom", "f": "abs(x)+abs(y)", "domain": "-3.0,3.0,-3.0,3.0",
             "start": "1.5,-2.0", "opt": "adam,bfgs", "steps": "60"}  # fmt: skip
    at = _app(query)
    assert not at.exception
    spec = scenes.custom_spec("abs(x)+abs(y)", ((-3, 3), (-3, 3)))
    k = int(optim_core.line_search_failed_step(optim_core.run("bfgs", spec, [1.5, -2.0], 60)))
    assert k > 0
    warning = next(w.value for w in at.warning if "line search" in w.value)
    assert warning.startswith(f"BFGS: line search failed at step {k} (the run stays at its "
                              "last point from there)")  # fmt: skip
    table = at.dataframe[0].value.set_index("optimizer")
    assert table.loc["BFGS", "line search failed at step"] == str(k)
    assert table.loc["Adam", "line search failed at step"] == "—"
    assert "line search failed at step" in at.dataframe[0].proto.column_order  # shown first
    # one that converged first (CG on Rosenbrock, at the minimum to machine precision):
    # said too, as a note, with both steps
    at = _app({"surface": "rosenbrock", "opt": "cg"})
    start = (at.session_state.start_x, at.session_state.start_y)
    cg = optim_core.run("cg", "rosenbrock", start, 300)
    k, converged = int(optim_core.line_search_failed_step(cg)), int(cg.converged_step)
    assert 0 <= converged < k
    assert not any("line search" in w.value for w in at.warning)
    assert any(f"Line search failed after converging: CG (PR+) at step {k} (converged at step "
               f"{converged})" in c.value for c in at.caption)  # fmt: skip
    assert "line search failed at step" not in at.dataframe[0].proto.column_order  # on demand
    assert at.dataframe[0].value.set_index("optimizer").loc["CG (PR+)",
                                                            "line search failed at step"] == str(k)


def test_the_evaluations_column_is_shown_first_only_where_it_says_more_than_the_steps():
    first_order = _app({"opt": "sgd,adam"})
    assert "∇f evaluations" not in first_order.dataframe[0].proto.column_order  # = the steps
    assert first_order.dataframe[0].value["∇f evaluations"].tolist() == ["300", "300"]
    with_bfgs = _app({"opt": "sgd,bfgs"})
    assert "∇f evaluations" in with_bfgs.dataframe[0].proto.column_order


def test_the_optimizers_of_2023_to_2026_race_and_their_link_round_trips():
    new = ["lion", "adan", "ademamix", "adopt", "lamb", "adafactor"]
    at = _app({"opt": ",".join(new), "surface": "rosenbrock"})
    assert not at.exception and not at.warning
    names = [t.get("name") for t in _race(at)["runs"]["plane"]]
    for name in new:
        assert optim_core.get_optimizer(name).title in names
    assert at.select_slider(key="adafactor.eps").value == 1e-30  # optax's ε₁, in the link too
    again = _app(dict(at.query_params))
    assert not again.exception and not again.warning
