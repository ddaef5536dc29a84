"""The Workers page's delay-tolerant AdaGrad section (app_pages/workers_adagrad.py), in
AppTest on a page that draws only it: its words are the core's numbers, its link keys
are dt_*, bad link values are named, a control changes the run; and its scene's link."""

import re

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import surfaces
from optim_core import delay_tolerant as dt
from scenes.delay_adagrad import (
    DT_STABILITY_ALPHAS,
    DT_STABILITY_TAUS,
    DT_SURFACES,
    DelayAdagradScene,
    delay_adagrad_from_query,
    delay_adagrad_to_query,
)
from viz import delay_adagrad as figures

SCRIPT = "delay_adagrad_page_script.py"
KEY = "workers.dt."


def _app(**params) -> AppTest:
    at = AppTest.from_file(SCRIPT, default_timeout=240)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def _measured(scene: DelayAdagradScene):
    spec = scene.surface_spec()
    start = tuple(float(v) for v in surfaces.get(spec).default_start)
    runs = {form: dt.run_delay_tolerant(spec, start, scene.steps, form=form, lr=scene.lr,
                                        **scene.delays())
            for form in ("adagrad", "revision", "accumulator")}  # fmt: skip
    found = dt.stability(spec, start, scene.steps, DT_STABILITY_TAUS, DT_STABILITY_ALPHAS)
    return runs, found


def _param(at: AppTest, key: str) -> str | None:
    value = at.query_params.get(key)
    return value[-1] if isinstance(value, list) else value


def _words(at: AppTest) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("At α ="))


def test_the_section_shows_the_cores_numbers_in_its_words_and_table():
    at = _app()
    assert not at.exception
    assert at.subheader[0].value == "Delay-tolerant AdaGrad"
    scene = DelayAdagradScene()
    runs, found = _measured(scene)
    assert _words(at) == figures.summary(runs, found, "τ = 4")
    table = at.dataframe[0].value
    assert list(table["rule"]) == ["AdaGrad", "Delay-tolerant AdaGrad (AdaptiveRevision)",
                                   "Delay-tolerant rate, no revision"]  # fmt: skip
    for row, run in zip(table.itertuples(), runs.values(), strict=True):
        expected = str(int(run.converged_step)) if run.converged_step >= 0 else "—"
        assert row[2] == expected
    assert "delay-tolerant AdaGrad converges at step 474" in _words(at)  # measured
    assert list(at.dataframe[1].value["τ"]) == list(DT_STABILITY_TAUS)
    assert any("Simulated workers in one process on a seeded schedule" in c.value
               for c in at.caption)  # fmt: skip
    assert _param(at, "dt_tau") == "4" and "dt_tau_max" not in at.query_params


def test_a_link_sets_the_section_and_the_link_keeps_it():
    at = _app(dt_surface="rosenbrock", dt_mode="random", dt_tau_max="6", dt_seed="3",
              dt_lr="20.0", dt_steps="300")  # fmt: skip
    assert not at.exception
    assert at.selectbox(key=KEY + "surface").value == "rosenbrock"
    assert at.slider(key=KEY + "tau_max").value == 6
    words = _words(at)
    assert words.startswith("At α = 20 with a random τ from 0 to 6 each step (seed 3), ")
    scene = DelayAdagradScene("rosenbrock", "random", 4, 6, 3, 20.0, 300)
    runs, found = _measured(scene)
    assert words == figures.summary(runs, found, scene.delay_words())
    gap = runs["adagrad"].loss[-1] - surfaces.get("rosenbrock").min_value
    assert f"AdaGrad ends at f − f* = {gap:.3g} after 300 steps without converging" in words
    assert "dt_tau" not in at.query_params
    assert _param(at, "dt_seed") == "3"


def test_bad_link_values_are_named_and_replaced():
    at = _app(dt_surface="nope", dt_tau="99")
    assert not at.exception
    warning = at.warning[0].value
    assert "dt_surface" in warning and "nope" in warning and "dt_tau" in warning
    assert at.selectbox(key=KEY + "surface").value == "linear_regression"
    assert at.slider(key=KEY + "tau").value == 4


def test_a_control_changes_the_run():
    at = _app(dt_surface="bowl")
    at.slider(key=KEY + "tau").set_value(8).run()
    assert not at.exception
    scene = DelayAdagradScene(surface="bowl", tau=8)
    runs, found = _measured(scene)
    assert _words(at) == figures.summary(runs, found, "τ = 8")
    assert _param(at, "dt_tau") == "8"


def test_the_words_say_what_the_numbers_show():
    alphas = np.array(DT_STABILITY_ALPHAS)
    for surface, expect in (("rosenbrock", "largest α without divergence: larger at τ = 1, 2, 4, 8"),
                            ("bowl", "no divergence for either at any α at τ = 1, 2, 4, 8")):
        spec = DT_SURFACES[surface][0]
        start = tuple(surfaces.get(spec).default_start)
        found = dt.stability(spec, start, 500, DT_STABILITY_TAUS, alphas)
        runs = {f: dt.run_delay_tolerant(spec, start, 500, form=f, lr=2.0, delay=4)
                for f in ("adagrad", "revision")}  # fmt: skip
        words = figures.summary(runs, found, "τ = 4")
        assert expect in words
        adagrad, tolerant = found.forms.index("adagrad"), found.forms.index("revision")
        if surface == "rosenbrock":
            assert np.all(found.largest_stable[tolerant] > found.largest_stable[adagrad])
        else:
            assert found.all_stable.all()
        said = re.search(r"fewest steps to converge \(at its best α\): (.*)\.$", words).group(1)
        for j, tau in enumerate(found.taus):
            a, b = found.fastest[adagrad, j], found.fastest[tolerant, j]
            if 0 <= b < a or (b >= 0 > a):
                assert re.search(rf"fewer at τ = [0-9, ]*\b{tau}\b", said)
            elif 0 <= a < b or (a >= 0 > b):
                assert re.search(rf"more at τ = [0-9, ]*\b{tau}\b", said)


@pytest.mark.parametrize("scene", [DelayAdagradScene(),
                                   DelayAdagradScene("ravine", "random", 2, 12, 77, 0.3, 900)])
def test_the_scene_round_trips_through_its_link(scene):
    query = delay_adagrad_to_query(scene)
    assert all(k.startswith("dt_") for k in query)
    back, warnings = delay_adagrad_from_query(query)
    assert warnings == []
    assert delay_adagrad_to_query(back) == query
