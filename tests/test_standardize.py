"""Standardized inputs on the data surfaces: mean 0 and variance 1, the same examples,
the loss and its derivatives from the standardized inputs, and the condition number of
the Hessian at the minimizer, before and after."""

from __future__ import annotations

import numpy as np
import pytest

import optim_core
import scenes
import surfaces
import viz
from tests.test_batches import plain_grad, plain_loss, random_points
from tests.test_viz import plotly_array

DATA = [n for n in surfaces.data_names() if "standardize" in surfaces.get(n).params]
SIZES = [(40, 0), (7, 3), (200, 11)]


@pytest.mark.parametrize("name", DATA)
@pytest.mark.parametrize(("n", "seed"), SIZES)
def test_standardized_inputs_have_mean_0_and_variance_1(name, n, seed):
    raw = surfaces.get(name, n=n, seed=seed).data
    std = surfaces.get(name, n=n, seed=seed, standardize=1).data
    assert std.inputs.shape == raw.inputs.shape
    np.testing.assert_allclose(std.inputs.mean(axis=0), 0.0, atol=1e-14)
    np.testing.assert_allclose(std.inputs.var(axis=0), 1.0, rtol=1e-13)  # ddof 0
    # the same examples: each input column moved and scaled, the targets untouched
    expected = (raw.inputs - raw.inputs.mean(axis=0)) / raw.inputs.std(axis=0)
    np.testing.assert_allclose(std.inputs, expected, rtol=1e-15, atol=1e-15)
    np.testing.assert_array_equal(std.targets, raw.targets)


@pytest.mark.parametrize("name", DATA)
def test_the_standardized_loss_and_gradients_are_the_standardized_datas(name):
    surface = surfaces.get(name, n=25, seed=4, standardize=1)
    everyone = np.arange(surface.data.n)
    for w in random_points(surface):
        assert float(surface.f(w)) == pytest.approx(plain_loss(surface, w), rel=1e-12)
        np.testing.assert_allclose(surface.grad(w), plain_grad(surface, w, everyone),
                                   rtol=1e-10, atol=1e-12)  # fmt: skip
        # all examples in one batch: the full gradient
        np.testing.assert_allclose(surface.data.batch_grad(w[None], everyone)[0],
                                   surface.grad(w), rtol=1e-12, atol=1e-13)  # fmt: skip
        np.testing.assert_allclose(surface.data.batch_grad(w[None], everyone[:5])[0],
                                   plain_grad(surface, w, everyone[:5]), rtol=1e-10,
                                   atol=1e-12)  # fmt: skip


@pytest.mark.parametrize("name", DATA)
def test_standardized_gradient_and_hessian_match_differences(name):
    surface = surfaces.get(name, standardize=1)
    h = 1e-6
    for w in random_points(surface, seed=2):
        numeric = [(surface.f(w + e) - surface.f(w - e)) / (2 * h) for e in h * np.eye(2)]
        np.testing.assert_allclose(surface.grad(w), numeric, rtol=1e-6, atol=1e-7)
        numeric = np.stack([(surface.grad(w + e) - surface.grad(w - e)) / (2 * h)
                            for e in h * np.eye(2)])  # fmt: skip
        np.testing.assert_allclose(surface.hessian(w), numeric, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", DATA)
def test_the_minimizer_domain_and_starts_follow_the_standardized_data(name):
    surface = surfaces.get(name, standardize=1)
    best = surface.minimizers[0]
    np.testing.assert_allclose(surface.grad(best), 0.0, atol=1e-12)
    assert surface.min_value == float(surface.f(best))
    (x0, x1), (y0, y1) = surface.domain
    assert x0 < best[0] < x1 and y0 < best[1] < y1
    for start in surface.starts:
        assert x0 <= start[0] <= x1 and y0 <= start[1] <= y1
    assert surface.params["standardize"] == 1.0
    assert "Standardized" in surface.description and r"\tilde x" in surface.latex


def test_standardized_regression_is_the_same_lines_reparametrized():
    """ŷ = w̃ (x − x̄)/s + b̃ is the line of slope w̃/s and intercept b̃ − w̃ x̄/s: the
    same loss there, and the same best line."""
    raw, std = surfaces.get("linear_regression"), surfaces.get("linear_regression", standardize=1)
    xs = raw.data.inputs
    mean, s = xs.mean(), xs.std()
    for w, b in random_points(std):
        assert float(std.f([w, b])) == pytest.approx(float(raw.f([w / s, b - w * mean / s])),
                                                     rel=1e-12)  # fmt: skip
    w, b = std.minimizers[0]
    np.testing.assert_allclose([w / s, b - w * mean / s], raw.minimizers[0], rtol=1e-12)
    assert std.min_value == pytest.approx(raw.min_value, rel=1e-12)
    assert b == pytest.approx(raw.data.targets.mean(), rel=1e-12)  # x̃ has mean 0


@pytest.mark.parametrize("spec", [*DATA, *(f"{n}(standardize=1)" for n in DATA),
                                  "linear_regression(n=7,seed=3,standardize=1)",
                                  "logistic_regression(n=200,seed=5,standardize=1)", "rosenbrock",
                                  "quadratic(kappa=30,angle=35)"])  # fmt: skip
def test_the_condition_number_is_the_hessians_at_the_minimizer(spec):
    surface = surfaces.get(spec)
    low, high = np.linalg.eigvalsh(surface.hessian(surface.minimizers[0]))
    assert surfaces.condition_number(surface) == pytest.approx(high / low, rel=1e-12)


def test_the_regression_ravine_turns_round():
    raw, std = surfaces.get("linear_regression"), surfaces.get("linear_regression", standardize=1)
    assert surfaces.condition_number(raw) == pytest.approx(32.356, abs=1e-3)  # the docstring's
    np.testing.assert_allclose(std.hessian(std.minimizers[0]), 2 * np.eye(2), atol=1e-14)
    assert surfaces.condition_number(std) == pytest.approx(1.0, abs=1e-13)
    assert surfaces.condition_number(surfaces.get("quadratic", kappa=30)) == pytest.approx(30)


def test_the_condition_number_needs_a_minimizer_and_positive_curvature():
    with pytest.raises(ValueError, match="saddle has no minimizer"):
        surfaces.condition_number(surfaces.get("saddle"))


@pytest.mark.parametrize("value", [2, 0.5, -1, float("nan")])
@pytest.mark.parametrize("name", DATA)
def test_standardize_is_0_or_1(name, value):
    with pytest.raises(ValueError, match=rf"{name} parameter standardize must be 0 or 1; got "):
        surfaces.get(name, standardize=value)
    with pytest.raises(ValueError, match=r"standardize must be 0 or 1; got 2\.0"):
        surfaces.get(f"{name}(standardize=2)")


def test_the_spec_names_standardize_only_when_on():
    assert surfaces.spec("linear_regression", n=40, seed=0, standardize=0) == "linear_regression"
    spec = surfaces.spec("linear_regression", n=40, seed=0, standardize=1)
    assert spec == "linear_regression(standardize=1.0)"
    assert surfaces.get(spec).params["standardize"] == 1.0


# ---------------------------------------------------------------- the preset and the link

PRESET = "Standardize: the ravine turns round"


def test_the_standardize_presets_numbers_are_measured():
    scene = scenes.PRESETS[PRESET]
    std = surfaces.get(scene.surface)
    assert std.params["standardize"] == 1.0
    raw = surfaces.get(scenes.standardize_pair(scene.surface)[0])
    steps = {}
    for side in (raw, std):  # each from its own default start, as the section runs them
        for name in scene.optimizers:
            tr = optim_core.run(name, side, side.default_start, scene.steps,
                                **scene.run_kwargs(name))  # fmt: skip
            steps[name, side is std] = int(tr.converged_step)
    assert steps == {("sgd", False): 140, ("sgd", True): 31, ("momentum", False): 120,
                     ("momentum", True): 105, ("adam", False): 165, ("adam", True): 124}
    low, high = np.linalg.eigvalsh(raw.hessian(raw.minimizers[0]))
    lr = scene.hyperparams("sgd")["lr"]
    numbers = {f"{low:.3g}", f"{high:.3g}", f"{surfaces.condition_number(raw):.3g}",
               f"{1 - lr * low:.3g}", f"{1 - lr * 2:.3g}", f"{140 / 31:.2g}"}
    assert numbers == {"0.423", "13.7", "32.4", "0.958", "0.8", "4.5"}
    note, caption = scenes.PRESET_NOTES[PRESET], scenes.PRESET_CAPTIONS[PRESET]
    for text in ("0.423 and 13.7", "κ = 32.4", "2I", "κ = 1,", "α (0.1)", "0.958", "by 0.8",
                 "step 140 raw, 31 standardized (4.5× fewer)", "120 → 105", "165 → 124"):
        assert text in note
    for text in ("κ 32.4", "κ 1", "step 31, not 140"):
        assert text in caption


def test_standardize_travels_in_the_link_and_a_bad_value_is_named():
    scene = scenes.Scene("logistic_regression(n=30,standardize=1)", ("sgd",))
    query = scenes.to_query(scene)
    assert query["surface"] == "logistic_regression" and query["surf.standardize"] == "1.0"
    again, warnings = scenes.from_query(query)
    assert warnings == [] and again.surface == surfaces.spec("logistic_regression", n=30,
                                                              standardize=1)  # fmt: skip
    assert "surf.standardize" not in scenes.to_query(scenes.Scene("linear_regression", ("sgd",)))
    for value in ("2", "0.5", "yes", "-1"):
        scene, warnings = scenes.from_query({"surface": "linear_regression",
                                             "surf.standardize": value})  # fmt: skip
        assert scene.surface == "linear_regression"
        assert warnings == [f"surf.standardize = ` {value} ` in the link is not 0 or 1; "
                            "using 0."]  # fmt: skip
    scene, warnings = scenes.from_query({"surface": "beale", "surf.standardize": "1"})
    assert "Beale has no such parameter" in warnings[0]
    # a whole-number parameter in a link: 2.5 examples is named too (it used to raise)
    scene, warnings = scenes.from_query({"surface": "linear_regression", "surf.n": "2.5"})
    assert scene.surface == "linear_regression"
    assert warnings == ["surf.n = ` 2.5 ` in the link is not an integer in [2, 1000]; using 40."]


def test_the_pair_keeps_the_other_parameters():
    assert scenes.standardize_pair("linear_regression(n=7,seed=3,standardize=1)") == (
        "linear_regression(n=7.0,seed=3.0)", "linear_regression(n=7.0,seed=3.0,standardize=1.0)")
    assert scenes.standardize_pair("logistic_regression") == (
        "logistic_regression", "logistic_regression(standardize=1.0)")


# ---------------------------------------------------------------- the pictures and words


def _sides(name, optimizers, lr):
    out = []
    for spec in scenes.standardize_pair(name):
        shape = surfaces.get(spec)
        runs = [viz.Run(n, optim_core.get_optimizer(n).title,
                        optim_core.run(n, shape, shape.default_start, 300, lr=lr))
                for n in optimizers]  # fmt: skip
        out.append(viz.Side(shape, viz.surface_grid(shape), runs))
    return out


def test_the_figure_shows_both_landscapes_to_scale_with_their_condition_numbers():
    raw, std = _sides("linear_regression", ("sgd", "adam"), 0.1)
    fig = viz.standardize_figure(raw, std)
    titles = [a.text for a in fig.layout.annotations]
    assert titles == ["Raw inputs: κ = 32.4", "Standardized inputs: κ = 1"]
    assert fig.layout.yaxis.scaleanchor == "x" and fig.layout.yaxis2.scaleanchor == "x2"
    assert list(fig.layout.xaxis2.range) == list(std.surface.domain[0])
    paths = [t for t in fig.data if t.name in ("SGD", "Adam")]
    assert [(t.name, t.xaxis) for t in paths] == [("SGD", "x"), ("Adam", "x"), ("SGD", "x2"),
                                                  ("Adam", "x2")]  # fmt: skip
    np.testing.assert_allclose(paths[2].x, std.runs[0].trajectory.path[:, 0], rtol=1e-6)
    starts = [t for t in fig.data if t.name == "start"]
    assert [tuple(t.x) + tuple(t.y) for t in starts] == [tuple(raw.surface.default_start),
                                                        tuple(std.surface.default_start)]


def test_the_table_and_the_sentence_say_what_the_runs_did():
    raw, std = _sides("linear_regression", ("sgd", "adam"), 0.1)
    rows = viz.standardize_rows(raw, std)
    assert [r["optimizer"] for r in rows] == ["SGD", "Adam"]
    assert (rows[0]["converged at step (raw)"], rows[0]["converged at step (standardized)"]) == (
        str(int(raw.runs[0].trajectory.converged_step)), "31")
    gap = float(raw.runs[1].trajectory.final_loss) - raw.surface.min_value
    assert rows[1]["f − f* at the end (raw)"] == f"{gap:.3g}"
    summary = viz.standardize_summary(raw, std, 300)
    assert "takes κ from 32.4 to 1 " in summary and "turns round" in summary
    assert "SGD converged at step 140 raw and 31 standardized, 4.5× fewer steps" in summary
    # where it changes little (the classifier's features are on similar scales), it says so
    raw, std = _sides("logistic_regression", ("sgd",), 0.01)
    kappas = f"{raw.kappa:.3g} → {std.kappa:.3g}"
    summary = viz.standardize_summary(raw, std, 300)
    assert f"changes κ little here, {kappas}" in summary and kappas == "1.48 → 1.59"
    gaps = [float(s.runs[0].trajectory.final_loss) - s.surface.min_value for s in (raw, std)]
    assert f"SGD was still {gaps[0]:.2g} above f* at the end raw and {gaps[1]:.2g}" in summary
    assert viz.standardize_rows(raw, std)[0]["converged at step (raw)"] == "not converged"


def test_the_data_panel_says_the_inputs_are_standardized():
    for name, axis in (("linear_regression", "x"), ("logistic_regression", "x₁")):
        for on in (0, 1):
            shape = surfaces.get(name, standardize=on)
            run = viz.Run("sgd", "SGD", optim_core.run("sgd", shape, shape.default_start, 5))
            view = viz.race_view(shape, [run])
            fit = view.runs["fit"]
            assert fit["layout"]["xaxis"]["title"]["text"] == axis + (" (standardized)" * on)
            drawn = plotly_array(fit["data"][0]["x"])  # the inputs drawn: the loss's own
            inputs = shape.data.inputs if name == "linear_regression" else (
                shape.data.inputs[shape.data.targets == 1.0, 0])  # fmt: skip
            np.testing.assert_allclose(drawn, inputs)


# ---------------------------------------------------------------- on the page (AppTest)

SECTION = "Before and after standardizing"


def _app(query):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file("../app.py", default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def _switch(at, base="linear_regression"):
    return at.sidebar.toggle(key=f"surf.{base}.standardize")


def test_the_switch_standardizes_the_race_and_shows_before_and_after():
    at = _app({"surface": "linear_regression", "opt": "sgd,momentum,adam", "sgd.lr": "0.1",
               "momentum.lr": "0.1", "adam.lr": "0.1"})  # fmt: skip
    assert not at.exception and _switch(at).label == "Standardize the inputs"
    assert not _switch(at).value and SECTION not in [s.value for s in at.subheader]
    _switch(at).set_value(True).run()
    assert not at.exception
    std = surfaces.get("linear_regression", standardize=1)
    assert at.query_params["surf.standardize"] == "1.0"
    assert at.session_state["race_surface"] == "linear_regression(standardize=1.0)"
    assert (at.number_input(key="start_x").value, at.number_input(key="start_y").value) == tuple(
        std.default_start)  # the new landscape's default start  # fmt: skip
    assert SECTION in [s.value for s in at.subheader]
    rows = next(d.value for d in at.dataframe if "converged at step (raw)" in d.value.columns)
    assert list(rows["optimizer"]) == ["SGD", "Momentum", "Adam"]
    assert list(rows["converged at step (raw)"]) == ["140", "120", "165"]
    assert list(rows["converged at step (standardized)"]) == ["31", "105", "124"]
    words = " ".join(c.value for c in at.caption)
    assert "0.94 at κ = 32.4, 0 at κ = 1" in words
    assert "takes κ from 32.4 to 1 " in words and "SGD converged at step 140 raw and 31" in words
    # the figure: both landscapes, their κ in the titles
    import json

    figures = [json.loads(c.proto.json) for c in at.get("bidi_component")]
    figure = next(json.loads(f["figure"]) for f in figures if f.get("figure_key")
                  and f.get("figure") and "Standardized inputs" in f["figure"])  # fmt: skip
    titles = [a["text"] for a in figure["layout"]["annotations"]]
    assert titles == ["Raw inputs: κ = 32.4", "Standardized inputs: κ = 1"]
    # switched off again: the raw race, no section, nothing in the link
    _switch(at).set_value(False).run()
    assert "surf.standardize" not in at.query_params
    assert SECTION not in [s.value for s in at.subheader]


def test_the_switch_is_only_on_the_data_surfaces():
    at = _app({"surface": "rosenbrock", "opt": "sgd"})
    assert not [t for t in at.sidebar.toggle if t.label == "Standardize the inputs"]
    at = _app({"surface": "logistic_regression", "opt": "sgd", "surf.standardize": "1"})
    assert not at.exception and not at.warning and _switch(at, "logistic_regression").value
    assert SECTION in [s.value for s in at.subheader]
    assert "changes κ little here, 1.48 → 1.59" in " ".join(c.value for c in at.caption)


def test_a_bad_standardize_in_the_link_is_named_and_replaced():
    at = _app({"surface": "linear_regression", "opt": "sgd", "surf.standardize": "2"})
    assert not at.exception
    assert at.warning[0].value == "surf.standardize = ` 2 ` in the link is not 0 or 1; using 0."
    assert not _switch(at).value and SECTION not in [s.value for s in at.subheader]
    at.sidebar.slider(key="steps").set_value(50).run()  # the next run's link is valid
    assert "surf.standardize" not in at.query_params and not at.warning
