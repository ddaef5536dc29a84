"""The race page's schedules, gradient noise and mini-batches, through AppTest: each
control reaches the runs (checked against the core) and the link, and links come back."""

from __future__ import annotations

import json

import numpy as np
import pytest

import optim_core
import scenes
from tests.test_app import _app, _figure_keys, _race
from tests.test_viz import plotly_array


def _start(at):
    return (at.session_state.start_x, at.session_state.start_y)


def _figure(at, key):
    return next(json.loads(json.loads(c.proto.json)["figure"]) for c in at.get("bidi_component")
                if json.loads(c.proto.json).get("figure_key") and key in c.proto.id)  # fmt: skip


def _path(at, label, coordinate="x"):
    trace = next(t for t in _race(at)["runs"]["plane"] if t.get("name") == label)
    return plotly_array(_race(at)["runs"]["paths"][trace["path"]][coordinate])


# ---------------------------------------------------------------- schedules


def test_a_schedule_reaches_the_run_the_chart_and_the_link():
    at = _app({"opt": "sgd,adam", "steps": "200"})
    assert "lr_schedule" not in _figure_keys(at)  # constant α: no chart
    assert not at.toggle(key="schedules_on").value and "sgd.sched" not in [
        s.key for s in at.selectbox]  # fmt: skip
    at.toggle(key="schedules_on").set_value(True).run()
    at.selectbox(key="sgd.sched").set_value("cosine").run()
    at.number_input(key="sgd.sched.period").set_value(120).run()
    at.number_input(key="sgd.sched.floor").set_value(0.1).run()
    assert not at.exception
    assert at.query_params["sgd.sched"] == "cosine"
    assert at.query_params["sgd.sched.period"] == "120"
    assert at.query_params["sgd.sched.floor"] == "0.1"
    assert "adam.sched" not in at.query_params  # constant: nothing to say
    schedule = optim_core.schedule("cosine", period=120, floor=0.1)
    lr = at.session_state["sgd.lr"]
    tr = optim_core.run("sgd", "beale", _start(at), 200, lr=lr, schedule=schedule)
    np.testing.assert_allclose(_path(at, "SGD"), tr.path[:, 0], rtol=1e-6)
    # the chart: α·s(t) for SGD, Adam's α flat
    figure = _figure(at, "lr_schedule")
    lines = {t["name"]: plotly_array(t["y"]) for t in figure["data"]}
    np.testing.assert_allclose(lines["SGD"], lr * schedule(np.arange(1, 201)), rtol=1e-6)
    np.testing.assert_allclose(lines["Adam"], at.session_state["adam.lr"], rtol=1e-6)
    captions = " ".join(c.value for c in at.caption)
    assert "SGD: cosine annealing (period T 120, floor r 0.1)" in captions
    assert any("cosine annealing" in x.value for x in at.latex)
    again = _app(dict(at.query_params))
    assert again.toggle(key="schedules_on").value  # a link with a schedule shows them
    assert again.selectbox(key="sgd.sched").value == "cosine"
    assert again.number_input(key="sgd.sched.period").value == 120
    np.testing.assert_allclose(_path(again, "SGD"), tr.path[:, 0], rtol=1e-6)
    # switched off: constant α for all (the choices kept for when it comes back)
    at.toggle(key="schedules_on").set_value(False).run()
    assert "sgd.sched" not in at.query_params and "lr_schedule" not in _figure_keys(at)
    at.toggle(key="schedules_on").set_value(True).run()
    assert at.query_params["sgd.sched"] == "cosine" and at.query_params["sgd.sched.period"] == "120"


def test_a_warm_up_goes_before_the_schedule():
    at = _app({"opt": "adam", "steps": "100", "adam.sched": "step", "adam.sched.every": "40",
               "adam.sched.factor": "0.5", "adam.sched.warmup_steps": "10"})  # fmt: skip
    assert not at.exception and not at.warning
    lr = at.session_state["adam.lr"]
    alpha = plotly_array(_figure(at, "lr_schedule")["data"][0]["y"])
    np.testing.assert_allclose(alpha[:10], lr * np.arange(1, 11) / 10, rtol=1e-6)  # t/W
    np.testing.assert_allclose(alpha[10:50], lr, rtol=1e-6)  # then the step decay from 1
    np.testing.assert_allclose(alpha[50:90], lr / 2, rtol=1e-6)
    assert any("after a warm-up of" in x.value for x in at.latex)


def test_an_optimizer_without_alpha_has_no_schedule_control():
    at = _app({"opt": "adadelta,sgd"})
    at.toggle(key="schedules_on").set_value(True).run()
    assert [s.key for s in at.selectbox if s.key and s.key.endswith(".sched")] == ["sgd.sched"]
    assert any("Adadelta: no α to schedule" in c.value for c in at.caption)
    torch = _app({"opt": "adadelta", "conv": "pytorch"})  # torch's Adadelta has an lr
    torch.toggle(key="schedules_on").set_value(True).run()
    assert [s.key for s in torch.selectbox if s.key and s.key.endswith(".sched")] == [
        "adadelta.sched"]  # fmt: skip


# ---------------------------------------------------------------- noise


def test_noise_reaches_the_run_and_the_link_and_new_draw_draws_again():
    at = _app({"surface": "saddle", "opt": "sgd", "start": "-1.5,0.0", "steps": "150"})
    labels = [w.label for w in (*at.slider, *at.number_input, *at.button)]
    assert not {"Decay γ of the noise", "Seed", "New draw"} & set(labels)  # until η > 0
    # on the stable line plain SGD walks straight into the saddle: y stays 0
    np.testing.assert_array_equal(_path(at, "SGD", "y"), 0.0)
    at.select_slider(key="noise_eta").set_value(0.01).run()
    assert not at.exception
    assert at.query_params["noise"] == "0.01" and at.query_params["noise_gamma"] == "0.55"
    assert at.query_params["seed"] == "0"
    lr = at.session_state["sgd.lr"]
    tr = optim_core.run("sgd", "saddle", (-1.5, 0.0), 150, lr=lr, noise_eta=0.01, seed=0)
    np.testing.assert_allclose(_path(at, "SGD", "y"), tr.path[:, 1], rtol=1e-5, atol=1e-9)
    assert np.abs(tr.path[-1, 1]) > 0.01  # the noise pushed it off the line
    assert any("σ_t² = η/(1 + t)^γ" in c.value for c in at.caption)
    at.button[[b.label for b in at.button].index("New draw")].click().run()
    assert at.session_state.seed == 1 and at.query_params["seed"] == "1"
    other = optim_core.run("sgd", "saddle", (-1.5, 0.0), 150, lr=lr, noise_eta=0.01, seed=1)
    np.testing.assert_allclose(_path(at, "SGD", "y"), other.path[:, 1], rtol=1e-5, atol=1e-9)
    at.slider(key="noise_gamma").set_value(0.3).run()
    assert at.query_params["noise_gamma"] == "0.3"
    again = _app(dict(at.query_params))
    assert again.select_slider(key="noise_eta").value == 0.01
    assert again.slider(key="noise_gamma").value == 0.3 and again.number_input(key="seed").value == 1


# ---------------------------------------------------------------- mini-batches


@pytest.mark.parametrize("surface", ["linear_regression", "logistic_regression"])
def test_the_batch_size_reaches_the_run_and_the_link(surface):
    at = _app({"surface": surface, "opt": "sgd,momentum", "steps": "100"})
    slider = at.select_slider(key="batch")
    assert slider.value == 40 and slider.options == ["1", "2", "5", "10", "20",
                                                      "40 (all: full gradient)"]  # fmt: skip
    at.select_slider(key="batch").set_value(5).run()
    assert not at.exception
    assert at.query_params["batch"] == "5" and at.query_params["seed"] == "0"
    lr = at.session_state["sgd.lr"]
    tr = optim_core.run("sgd", surface, _start(at), 100, lr=lr, batch_size=5, seed=0)
    np.testing.assert_allclose(_path(at, "SGD"), tr.path[:, 0], rtol=1e-6)
    assert any("over 5 of the 40 examples" in c.value for c in at.caption)
    # the data and a model per optimizer, moving with the view
    fit = _race(at)["runs"]["fit"]
    assert fit["layout"]["title"]["text"].startswith("The data")
    # each run's model, after the examples of the batch just taken (ringed)
    assert [t["name"] for t in _race(at)["runs"]["moving"]["fit"]] == [
        "the batch just taken", "SGD", "Momentum"]
    again = _app(dict(at.query_params))
    assert again.select_slider(key="batch").value == 5
    np.testing.assert_allclose(_path(again, "SGD"), tr.path[:, 0], rtol=1e-6)


def test_surfaces_without_data_have_no_batch_control_and_a_link_batch_is_said_unused():
    at = _app({"surface": "beale", "batch": "4"})
    assert "batch" not in [s.key for s in at.select_slider]
    assert "fit" not in _race(at)["runs"] or _race(at)["runs"]["fit"] is None
    assert any("batch in the link is not used: beale is not a data surface" in w.value
               for w in at.warning)  # fmt: skip
    assert "batch" not in at.query_params


# ---------------------------------------------------------------- links


def test_bad_values_in_the_link_are_named_and_replaced():
    at = _app({"surface": "linear_regression", "opt": "sgd", "sgd.sched": "zigzag",
               "noise": "-3", "noise_gamma": "7", "seed": "x", "batch": "400"})  # fmt: skip
    assert not at.exception
    text = at.warning[0].value
    for key in ("sgd.sched", "noise", "noise_gamma", "seed", "batch"):
        assert f"{key} = " in text, key
    assert not at.toggle(key="schedules_on").value
    assert at.select_slider(key="noise_eta").value == 0.0
    assert at.select_slider(key="batch").value == 40


def test_a_preset_resets_schedules_noise_and_batches():
    at = _app({"opt": "sgd,momentum,nag", "sgd.sched": "exponential", "noise": "0.1"})
    title = "Beale: momentum overshoots"
    at.button[[b.label for b in at.button].index(title)].click().run()
    assert not at.toggle(key="schedules_on").value
    assert at.session_state["sgd.sched"] == "constant"
    assert at.select_slider(key="noise_eta").value == 0.0
    assert "noise" not in at.query_params and "sgd.sched" not in at.query_params
    assert any(title in i.value for i in at.info)


@pytest.mark.parametrize("scene", [
    scenes.Scene("linear_regression", ("sgd", "adam"), None, 200, {},
                 schedules={"sgd": {**scenes.default_schedule("sgdr"), "warmup_steps": 5}},
                 noise_eta=0.002, noise_gamma=0.4, seed=7, batch_size=2),
    scenes.Scene("beale", ("adam",), None, 300, {}, schedules={"adam": scenes.default_schedule("noam")}),
    scenes.Scene("logistic_regression", ("momentum",), None, 300, {}, batch_size=1, seed=3),
])  # fmt: skip
def test_links_carry_schedules_noise_and_batches_exactly(scene):
    query = scenes.to_query(scene)
    back, warnings = scenes.from_query(query)
    assert warnings == []
    assert scenes.to_query(back) == query
    for name in scene.optimizers:
        assert back.run_options(name) == scene.run_options(name)


def test_presentation_numbers_show_the_gradient_each_step_was_given():
    at = _app({"surface": "linear_regression", "opt": "sgd", "batch": "2", "present": "1",
               "steps": "20"})  # fmt: skip
    at.button(key="step_next").click().run()
    table = _numbers(at)
    assert "g, the step's gradient" in table.columns
    tr = optim_core.run("sgd", "linear_regression", _start(at), 20,
                        lr=at.session_state["sgd.lr"], batch_size=2, seed=0)  # fmt: skip
    g = tr.grads[1]
    assert table["g, the step's gradient"].iloc[0] == f"({g[0]:.4g}, {g[1]:.4g})"
    full = tr.surface.grad(tr.path[1])
    assert table["∇f(w)"].iloc[0] == f"({full[0]:.4g}, {full[1]:.4g})"  # the whole data's
    assert any("g is the gradient the next step was given" in c.value for c in at.caption)
    plain = _app({"surface": "linear_regression", "opt": "sgd", "present": "1"})
    assert "g, the step's gradient" not in _numbers(plain).columns


def _numbers(at):
    """Presentation mode's numbers (in the race view, under its controls), as a table."""
    import pandas as pd

    from tests.test_app import _race

    return pd.DataFrame(_race(at)["numbers"]["rows"])


def test_the_number_of_examples_is_a_slider_and_the_batch_follows():
    at = _app({"surface": "linear_regression", "opt": "sgd", "batch": "20", "surf.n": "60"})
    assert at.select_slider(key="batch").value == 20
    at.slider(key="surf.linear_regression.n").set_value(10.0).run()
    assert not at.exception
    assert at.select_slider(key="batch").value == 10  # all of the 10 examples now
    assert at.query_params["surf.n"] == "10.0" and "batch" not in at.query_params


def test_the_page_says_when_alpha_reaches_zero_and_how_to_use_noam():
    at = _app({"opt": "sgd,adam", "steps": "300", "sgd.sched": "cosine",
               "sgd.sched.period": "100", "adam.sched": "noam"})  # fmt: skip
    captions = " ".join(c.value for c in at.caption)
    assert "SGD's α is 0 from step 101 (its line stops there): it stands still" in captions
    peak = 16**-0.5 * 50**-0.5
    assert f"Noam's s(t) peaks at {peak:.3g}" in captions and "set Adam's α to 1" in captions
    table = at.dataframe[0].value
    assert "α cosine annealing" in table["hyperparameters"].iloc[0]
    assert "α Noam (Transformer)" in table["hyperparameters"].iloc[1]


def test_the_results_table_says_the_noise_and_the_batches():
    at = _app({"surface": "linear_regression", "opt": "sgd", "batch": "5", "noise": "0.01",
               "seed": "3"})  # fmt: skip
    table = next(d.value for d in at.dataframe if "hyperparameters" in d.value.columns)
    settings = table["hyperparameters"].iloc[0]
    assert "noise η=0.01, γ=0.55; batch 5; seed 3" in settings


def test_schedule_values_go_in_the_link_exactly():
    scene = scenes.Scene("beale", ("sgd",), None, 300, {},
                         schedules={"sgd": {**scenes.default_schedule("exponential"),
                                            "rate": 0.0123456789}})  # fmt: skip
    query = scenes.to_query(scene)
    assert query["sgd.sched.rate"] == "0.0123456789"
    back, warnings = scenes.from_query(query)
    assert warnings == [] and back.run_options("sgd") == scene.run_options("sgd")


def test_noam_says_the_alpha_the_run_uses():
    at = _app({"opt": "sgd", "sgd.lr": "0.5", "sgd.sched": "noam", "same": "1",
               "all.lr": "0.1"})  # fmt: skip
    at.toggle(key="schedules_on").set_value(True).run()
    assert any("now α = 0.1" in c.value for c in at.caption)


def test_two_runs_that_look_like_one_line_are_said_to():
    # SGD and Momentum on the logistic data, batch 5: within 0.05 of each other on a
    # view 8 wide, one line to the eye
    at = _app({"surface": "logistic_regression", "opt": "sgd,momentum", "batch": "5"})
    assert any(c.value.startswith("SGD's line is under Momentum's") for c in at.caption)
    apart = _app({"surface": "logistic_regression", "opt": "sgd,adam", "batch": "5"})
    assert not any("line is under" in c.value for c in apart.caption)
