"""The analysis pages through AppTest: each runs, answers its controls, keeps its view in
its link, and turns bad input into a message."""

import json

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import optim_core
import scenes

TIMEOUT = 120


def _page(page: str, query=None) -> AppTest:
    at = AppTest.from_file("../app.py", default_timeout=TIMEOUT)
    at.switch_page(f"app_pages/{page}.py")
    for key, value in (query or {}).items():
        at.query_params[key] = value
    return at.run()


def _chart(at, key):
    return json.loads(next(c for c in at.get("plotly_chart") if c.key == key).proto.spec)


def _table(at):
    return at.dataframe[0].value


# ---------------------------------------------------------------- saddle escape


def test_escape_page_counts_escape_steps_at_one_alpha():
    at = _page("escape")
    assert not at.exception
    captions = " ".join(c.value for c in at.caption)
    assert "same α = 0.05" in captions and "EMA form" in captions  # what one α means
    table = _table(at).set_index("optimizer")
    assert list(table.index) == ["SGD", "Momentum", "NAG", "AdaGrad", "Adadelta", "RMSprop"]
    steps = {name: int(table.loc[name, "escape step"]) for name in table.index}
    assert max(steps["AdaGrad"], steps["Adadelta"], steps["RMSprop"]) < min(
        steps["SGD"], steps["Momentum"], steps["NAG"])  # fmt: skip
    bars = _chart(at, "escape_bars")
    assert [b["x"][0] for b in bars["data"]] == list(table.index)
    assert {"escape_bars", "escape_sizes", "escape_distance"} <= {c.key for c in at.get("plotly_chart")}


@pytest.mark.slow
@pytest.mark.parametrize("title", list(scenes.ESCAPE_CLAIMS))
def test_every_claim_shows_its_measured_steps_and_a_verdict(title):
    at = _page("escape")
    next(b for b in at.button if b.label == title).click().run()
    assert not at.exception
    claim = scenes.ESCAPE_CLAIMS[title]
    boxes = [e.value for e in (*at.success, *at.warning) if "**Claim:**" in e.value]
    assert len(boxes) == 1 and claim.text in boxes[0] and "Measured escape steps" in boxes[0]
    assert at.query_params["surface"] == claim.scene.surface


def test_the_claims_that_fail_are_shown_failing():
    verdicts = {}
    for title in scenes.ESCAPE_CLAIMS:
        at = _page("escape")
        next(b for b in at.button if b.label == title).click().run()
        verdicts[title] = bool(at.success)
    assert verdicts == {
        "The seed's claim, one α for all": True,
        "Each at its own default α": False,  # AdaGrad 1263, RMSprop 952, Adam 626 vs SGD 349
        "One small α: AdaGrad's shrinking steps": False,  # AdaGrad 1263 vs SGD 349
        "Beale's saddle": False,
        "The flat monkey saddle": True,
        "The flat monkey saddle, 10× closer": False,  # RMSprop stalls like SGD
    }


def test_escape_step_per_decade_on_x2_minus_y2():
    at = _page("escape", {"opt": "sgd,adam", "lr": "0.01", "offset": "0.001", "steps": "5000"})
    table = _table(at).set_index("optimizer")
    assert table.loc["SGD", "escape step"] == "349"
    assert abs(float(table.loc["SGD", "extra steps per decade of δ (10⁻³ … 10⁻⁸)"]) - 116.4) < 1
    assert float(table.loc["Adam", "extra steps per decade of δ (10⁻³ … 10⁻⁸)"]) < 3


def test_random_offsets_report_a_median_and_range():
    at = _page("escape", {"opt": "sgd,rmsprop", "dir": "random", "count": "50"})
    assert not at.exception
    cell = _table(at).set_index("optimizer").loc["SGD", "escape step"]
    assert cell.startswith("median ") and "–" in cell


def test_the_escape_link_round_trips_and_bad_values_warn():
    query = {"surface": "himmelblau", "saddle": "2", "opt": "adam,sgd", "offset": "0.0001",
             "dir": "angle", "angle": "30.0", "steps": "2000", "lr": "0.02", "hyper": "same",
             "r": "0.5"}  # fmt: skip
    at = _page("escape", query)
    assert not at.exception and not at.warning
    for key, value in query.items():
        assert at.query_params[key] == value, key
    at = _page("escape", {"surface": "rosenbrock", "offset": "0", "dir": "up", "saddle": "9"})
    text = " ".join(w.value for w in at.warning)
    for needle in ("surface = ` rosenbrock `", "offset = ` 0 `", "dir = ` up `", "saddle = ` 9 `"):
        assert needle in text
    assert not at.exception and _table(at) is not None


def test_an_offset_as_large_as_the_radius_is_refused_and_the_last_figures_stay():
    at = _page("escape")
    before = _table(at)
    at.select_slider(key="escape.radius").set_value(1e-5).run()
    assert not at.exception
    assert any("must be shorter than the escape radius" in e.value for e in at.error)
    assert _table(at).equals(before)  # the last good result is still shown
    assert "escape_bars" in {c.key for c in at.get("plotly_chart")}


def test_a_run_that_blows_up_at_a_saddle_is_not_called_an_escape():
    at = _page("escape", {"surface": "himmelblau", "opt": "sgd,adam", "lr": "2",
                          "offset": "0.01"})  # fmt: skip
    assert not at.exception
    table = _table(at).set_index("optimizer")
    assert table.loc["SGD", "escape step"].startswith("blew up at step")
    assert any("SGD" in w.value and "blew up" in w.value for w in at.warning)


def test_the_escape_radius_cannot_reach_past_the_next_critical_point():
    at = _page("escape", {"surface": "beale", "r": "9"})
    assert any("using the surface's r = 1.521" in w.value for w in at.warning)
    box = at.select_slider(key="escape.radius")
    assert box.options[-1] == f"{scenes.max_escape_radius('beale', 0):.4g}" == "2.737"  # 0.9 × 3.041
    assert box.value == pytest.approx(1.521, abs=1e-3)


def test_random_offsets_at_the_degenerate_monkey_saddle_work():
    at = _page("escape", {"surface": "monkey_saddle", "dir": "random", "count": "20",
                          "opt": "sgd,adam"})  # fmt: skip
    assert not at.exception
    assert {"escape_bars", "escape_sizes", "escape_distance"} <= {c.key for c in at.get("plotly_chart")}


def test_a_basin_link_below_the_sliders_range_warns_instead_of_failing():
    at = _page("basins", {"res": "5"})
    assert not at.exception
    assert any("res = ` 5 `" in w.value for w in at.warning)


def test_the_hessian_free_monkey_saddle_says_it_has_no_unstable_direction():
    at = _page("escape", {"surface": "monkey_saddle", "opt": "adam", "steps": "500"})
    assert any("no unstable direction" in i.value for i in at.info)


def test_the_escape_page_can_use_the_race_page_values():
    at = AppTest.from_file("../app.py", default_timeout=TIMEOUT)
    at.query_params["opt"] = "sgd"
    at.query_params["sgd.lr"] = "0.02"
    at.run()
    at.switch_page("app_pages/escape.py").run()
    at.radio(key="escape.hyper").set_value("race").run()
    at.multiselect(key="escape.optimizers").set_value(["sgd"]).run()
    assert not at.exception
    assert _table(at).iloc[0]["hyperparameters"] == "α=0.02"


def test_the_escape_page_measures_the_seeds_claim_at_every_saddle():
    at = _page("escape", {"claim_steps": "40", "claim_offset": "0.001"})
    assert not at.exception and at.query_params["claim_steps"] == "40"
    verdicts = next(m.value for m in at.markdown if m.value.startswith("- **Newton**:"))
    verdicts = verdicts.replace("**", "").split("\n")
    assert [line[2:].split(":")[0] for line in verdicts] == [
        "Newton", "Saddle-free Newton", "Gauss–Newton", "Levenberg–Marquardt", "BFGS",
        "L-BFGS", "CG (PR+)", "SGD", "Adam"]  # fmt: skip
    by_name = {line[2:].split(":")[0]: line for line in verdicts}
    # the numbers are the core's, from the sidebar's δ in the page's random directions
    offsets = scenes.random_offsets(1e-3, scenes.CLAIM_DIRECTIONS)
    saddles = scenes.every_saddle()
    bfgs = [optim_core.saddle_outcomes(["bfgs"], s, i, offsets, 40)["bfgs"] for s, i in saddles]
    at_saddle = np.concatenate([o.at for o in bfgs])
    assert 0.2 < at_saddle.mean() < 0.5  # (a share to check, neither none nor all)
    assert by_name["BFGS"].startswith(f"- BFGS: {at_saddle.mean():.0%}".replace("%", " %"))
    assert verdicts[0].startswith("- Newton: 100 % of the starts within 0.01 of their saddle "
                                  "at step 40")  # fmt: skip
    sgd = optim_core.saddle_outcomes(["sgd"], "saddle", 0, offsets, 40,
                                     hyperparams={"sgd": {"lr": 0.05}})["sgd"]  # fmt: skip
    table = at.dataframe[1].value.set_index("surface")
    assert len(table) == len(saddles) == 19
    cells = [f"{100 * sgd.share(k):.0f}" for k in ("at", "near", "left")]
    assert table.loc["Saddle", "SGD"] == " · ".join(cells) and cells[1] != "0"
    on_saddle = bfgs[saddles.index(("saddle", 0))]
    stopped = int((on_saddle.at & on_saddle.stopped).sum())
    assert stopped > 0 and table.loc["Saddle", "BFGS"].endswith(f"({stopped} stopped)")
    assert any("200 starts δ = 0.001 from it" in c.value for c in at.caption)


def _distance_escapes(at) -> dict[str, str]:
    """The escapes marked on the distance plot: optimizer → hover text."""
    spec = _chart(at, "escape_distance")
    return {t["name"].removesuffix(" escaped"): t["hovertemplate"].split("<")[0]
            for t in spec["data"] if t.get("name", "").endswith(" escaped")}  # fmt: skip


def test_gradient_noise_adds_the_noise_free_column_and_goes_into_the_link():
    at = _page("escape", {"opt": "sgd,adam,momentum"})
    assert "escape step" in _table(at).columns and "noise" not in at.query_params
    assert not [s for s in at.slider if s.key == "escape.noise_gamma"]  # shown with noise only
    at.select_slider(key="escape.noise").set_value(0.01).run()
    assert not at.exception
    table = _table(at).set_index("optimizer")
    plain, noisy = "escape step, no noise", "escape step, noise η=0.01"
    assert list(table.columns[1:3]) == [plain, noisy]
    assert (at.query_params["noise"], at.query_params["noise_gamma"], at.query_params["seed"]) == (
        "0.01", "0.55", "0")  # fmt: skip
    for name in ("sgd", "adam", "momentum"):
        title = optim_core.get_optimizer(name).title
        args = ("saddle", 0, [0.0, 1e-5], 5000, 1.0)  # the default offset, up the y axis
        without = optim_core.escape_runs(name, *args, lr=0.05)
        with_noise = optim_core.escape_runs(name, *args, lr=0.05, noise_eta=0.01, seed=0)
        assert table.loc[title, plain] == str(without.escape_step), name
        assert table.loc[title, noisy] == str(with_noise.escape_step), name
        # the distance plot follows the same noisy run
        assert _distance_escapes(at)[title] == f"{title} escaped at step {with_noise.escape_step}"
    assert int(table.loc["SGD", noisy]) < int(table.loc["SGD", plain])  # 62 < 121
    captions = " ".join(c.value for c in at.caption)
    assert "σ_t² = η/(1+t)^γ" in captions and "Each start draws its own noise" in captions
    assert "only noise lets it escape" in captions and "these are the noisy runs" in captions
    at.slider(key="escape.noise_gamma").set_value(0.2).run()
    at.number_input(key="escape.seed").set_value(3).run()
    assert (at.query_params["noise_gamma"], at.query_params["seed"]) == ("0.2", "3")
    with_noise = optim_core.escape_runs("sgd", "saddle", 0, [0.0, 1e-5], 5000, 1.0, lr=0.05,
                                        noise_eta=0.01, noise_gamma=0.2, seed=3)  # fmt: skip
    assert _table(at).set_index("optimizer").loc["SGD", noisy] == str(with_noise.escape_step)
    at.select_slider(key="escape.noise").set_value(0.0).run()
    assert list(_table(at).columns[2:3]) == ["escape step"] and "noise" not in at.query_params


def test_on_the_stable_line_only_the_noisy_runs_escape():
    at = _page("escape", {"opt": "sgd,rmsprop", "dir": "angle", "angle": "0.0", "offset": "0.001",
                          "noise": "0.001", "noise_gamma": "0.5", "seed": "7"})  # fmt: skip
    assert not at.exception and not at.warning
    table = _table(at).set_index("optimizer")
    for name in ("sgd", "rmsprop"):
        title = optim_core.get_optimizer(name).title
        assert table.loc[title, "escape step, no noise"] == "still within r after 5,000"
        noisy = optim_core.escape_runs(name, "saddle", 0, [1e-3, 0.0], 5000, 1.0, lr=0.05,
                                       noise_eta=0.001, noise_gamma=0.5, seed=7)  # fmt: skip
        assert noisy.escape_step >= 0
        assert table.loc[title, "escape step, noise η=0.001"] == str(noisy.escape_step)
    for key, value in {"noise": "0.001", "noise_gamma": "0.5", "seed": "7"}.items():
        assert at.query_params[key] == value


def test_random_offsets_with_noise_report_the_cores_medians():
    at = _page("escape", {"opt": "sgd", "dir": "random", "count": "30", "noise": "0.1"})
    assert not at.exception
    angles = np.random.default_rng(0).uniform(0, 2 * np.pi, 30)  # the page's offsets
    offsets = 1e-5 * np.column_stack([np.cos(angles), np.sin(angles)])
    for column, noise in (("escape step, no noise", {}), ("escape step, noise η=0.1",
                                                           {"noise_eta": 0.1})):  # fmt: skip
        steps = optim_core.escape_runs("sgd", "saddle", 0, offsets, 5000, 1.0, lr=0.05,
                                       **noise).escape_step  # fmt: skip
        expected = f"median {np.median(steps):.0f} ({steps.min()}–{steps.max()})"
        assert _table(at).set_index("optimizer").loc["SGD", column] == expected
    captions = " ".join(c.value for c in at.caption)
    assert "its escape step can differ from the bars'" in captions


def test_bad_noise_values_in_the_escape_link_warn():
    at = _page("escape", {"opt": "sgd", "noise": "lots", "seed": "4"})
    text = " ".join(w.value for w in at.warning)
    assert "noise = ` lots `" in text and "seed = ` 4 ` in the link is not used" in text
    assert "noise" not in at.query_params and "escape step" in _table(at).columns
    at = _page("escape", {"opt": "sgd", "noise": "0.03", "noise_gamma": "-1", "seed": "x"})
    text = " ".join(w.value for w in at.warning)
    assert "using the nearest, 0.02" in text and "noise_gamma = ` -1 `" in text
    assert "seed = ` x `" in text and not at.exception
    assert (at.query_params["noise"], at.query_params["noise_gamma"], at.query_params["seed"]) == (
        "0.02", "0.55", "0")  # fmt: skip


# ---------------------------------------------------------------- basin maps


def test_basin_page_maps_himmelblau_into_four_basins():
    at = _page("basins", {"opt": "sgd", "res": "40"})
    assert not at.exception
    spec = _chart(at, "map_sgd")
    legend = [t["name"] for t in spec["data"] if t.get("name", "").startswith("→")]
    assert len(legend) == 4
    heat = next(t for t in spec["data"] if t["type"] == "heatmap")
    assert "start (%{x:.3g}, %{y:.3g})" in heat["hovertemplate"]
    assert "reached" in " ".join(c.value for c in at.caption)


def test_two_optimizers_side_by_side_and_steps_colouring():
    at = _page("basins", {"opt": "sgd,nag", "res": "20", "colour": "steps"})
    assert not at.exception
    assert {"map_sgd", "map_nag"} <= {c.key for c in at.get("plotly_chart")}


def test_hovering_a_clickable_cell_tells_its_outcome_and_maps_share_a_colour_scale():
    at = _page("basins", {"opt": "sgd,adam", "res": "20", "colour": "steps", "steps": "300"})
    maps = [_chart(at, "map_sgd"), _chart(at, "map_adam")]
    for spec in maps:
        click = spec["data"][-1]
        assert "click to pick this start" in click["hovertemplate"]
        assert "%{customdata}" in click["hovertemplate"]
        assert any(str(c).startswith("reached the minimizer") for c in click["customdata"])
    ranges = [(m["data"][0]["zmin"], m["data"][0]["zmax"]) for m in maps]
    assert ranges[0] == ranges[1]


def test_a_basin_map_without_a_minimum_does_not_call_running_off_a_failure():
    at = _page("basins", {"surface": "saddle", "opt": "sgd", "res": "20"})
    captions = " ".join(c.value for c in at.caption)
    assert "ran off downhill" in captions and "diverged" not in captions.split("Diverged:")[0]


def test_the_basin_link_round_trips_and_bad_values_warn():
    query = {"surface": "booth", "opt": "adam", "res": "30", "steps": "200", "colour": "steps",
             "lr": "0.1", "hyper": "same"}  # fmt: skip
    at = _page("basins", query)
    assert not at.exception and not at.warning
    for key, value in query.items():
        assert at.query_params[key] == value, key
    at = _page("basins", {"res": "100000", "opt": "adam,sgd,nag"})
    text = " ".join(w.value for w in at.warning)
    assert "res = ` 100000 `" in text and "opt in the link has more than 2: using adam, sgd" in text
    assert not at.exception


# ---------------------------------------------------------------- sweeps


def test_sweep_page_draws_lines_and_a_heatmap_and_marks_divergence():
    at = _page("sweeps", {"count": "30", "betas": "5", "steps": "300"})
    assert not at.exception
    table = _table(at).set_index("optimizer")
    assert 1e-3 < float(table.loc["SGD", "diverges from α"]) < 1e-2
    lines = _chart(at, "sweep_lines")
    assert len([s for s in lines["layout"]["shapes"] if s["line"]["dash"] == "dot"]) >= 2
    heat = _chart(at, "sweep_heatmap")
    assert heat["data"][0]["type"] == "heatmap"


def _race_then(page: str, query: dict) -> AppTest:
    at = AppTest.from_file("../app.py", default_timeout=TIMEOUT)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    return _go(at, page)


def _go(at, page: str) -> AppTest:
    """To another page as the browser's navigation goes: without the old page's link
    (AppTest would keep it)."""
    at.query_params.clear()
    at.switch_page(f"app_pages/{page}.py").run()
    assert not at.exception
    return at


def test_the_analysis_pages_share_the_race_pages_scene_by_default():
    """After the race page, each analysis page opens on its surface, start and
    optimizers (and each optimizer's values there) without a click."""
    race = {"surface": "booth", "start": "1.0,-2.0", "opt": "adam,nag,sgd"}
    at = _race_then("sweeps", {**race, "steps": "300"})
    assert at.query_params["surface"] == "booth" and at.query_params["start"] == "1.0,-2.0"
    assert at.query_params["opt"] == "adam,nag,sgd" and at.query_params["heat"] == "adam"
    assert any("From the race page" in c.value for c in at.sidebar.caption)
    at = _race_then("basins", {**race, "steps": "300"})
    assert at.query_params["surface"] == "booth" and at.query_params["opt"] == "adam,nag"
    assert at.query_params["hyper"] == "race"  # the race's α, β… for each
    at = _race_then("escape", {**race, "surface": "monkey_saddle", "steps": "300"})
    assert at.query_params["surface"] == "monkey_saddle" and at.query_params["hyper"] == "race"
    assert at.query_params["opt"] == "adam,nag,sgd"
    at = _race_then("escape", race)  # Booth has no saddle: the page keeps its own surface
    assert at.query_params["surface"] == scenes.EscapeScene().surface
    assert any("has no saddle" in c.value for c in at.sidebar.caption)


def test_an_analysis_page_follows_the_race_until_changed_on_it():
    at = _race_then("sweeps", {"surface": "booth", "opt": "adam", "steps": "300"})
    _go(at, "race").selectbox(key="surface").set_value("rosenbrock").run()  # the race changes
    _go(at, "sweeps")
    assert at.query_params["surface"] == "rosenbrock"  # and the page follows it
    at.selectbox(key="sweeps.surface").set_value("himmelblau").run()  # changed here
    _go(at, "race").selectbox(key="surface").set_value("beale").run()
    _go(at, "sweeps")
    assert at.query_params["surface"] == "himmelblau"  # its own, from now on
    next(b for b in at.sidebar.button if b.label.startswith("Take the race page")).click().run()
    assert at.query_params["surface"] == "beale" and not at.exception


def test_a_link_to_an_analysis_page_keeps_its_own_scene():
    at = AppTest.from_file("../app.py", default_timeout=TIMEOUT).run()  # the race first
    at.switch_page("app_pages/sweeps.py")
    at.query_params["surface"] = "himmelblau"
    at.query_params["steps"] = "300"
    at.run()
    assert at.query_params["surface"] == "himmelblau" and not at.exception


def test_an_optimizer_without_the_chosen_beta_switches_axis():
    at = _page("sweeps", {"heat": "rmsprop", "axis": "beta1", "count": "10", "betas": "3"})
    assert not at.exception
    assert at.query_params["axis"] == "beta2"
    assert any("not a hyperparameter of RMSprop" in w.value for w in at.warning)


def test_a_sweep_without_a_minimum_ranks_getaways_not_final_losses():
    at = _page("sweeps", {"surface": "saddle", "start": "-1.5,1e-06", "opt": "sgd,adam",
                          "count": "12", "betas": "3", "steps": "300"})  # fmt: skip
    assert not at.exception
    table = _table(at).set_index("optimizer")
    assert "lowest final loss at α" not in table.columns
    assert table.loc["SGD", "fastest getaway (left the view)"].startswith("step ")
    lines = _chart(at, "sweep_lines")
    assert lines["layout"]["yaxis"]["title"]["text"] == "step it left the view"
    assert "no final loss" in " ".join(c.value for c in at.caption)


def test_a_reversed_alpha_range_is_refused_and_the_last_figures_stay():
    at = _page("sweeps", {"count": "10", "betas": "3", "steps": "100"})
    before = _table(at)
    at.select_slider(key="sweeps.lr_low").set_value(10.0).run()
    assert any("must go from low to high" in e.value for e in at.error)
    assert _table(at).equals(before)


def test_the_sweep_link_round_trips_and_bad_values_warn():
    at = _page("sweeps", {"lr_low": "1", "lr_high": "0.001", "count": "x", "start": "99,99"})
    text = " ".join(w.value for w in at.warning)
    assert "lr_low = 1 is not below lr_high = 0.001" in text and "count = ` x `" in text
    assert "` 99,99 `" in text
    assert not at.exception


@pytest.mark.parametrize(("page", "query"), [
    ("basins", {"surface": "saddle", "opt": "gauss_newton,sgd", "res": "10", "steps": "50"}),
    ("sweeps", {"surface": "saddle", "opt": "gauss_newton,sgd", "steps": "50"}),
    ("escape", {"surface": "saddle", "opt": "levenberg_marquardt,sgd"}),
])  # fmt: skip
def test_the_analysis_pages_say_why_gauss_newton_and_lm_do_not_run_off_sums_of_squares(
        page, query):  # fmt: skip
    at = _page(page, query)
    assert not at.exception
    notes = [i.value for i in at.info if i.value.startswith("Not run here:")]
    assert len(notes) == 1 and "needs a sum of squares" in notes[0]
    assert "Saddle does not" in notes[0]
