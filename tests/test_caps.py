"""Caps on the work one request can ask for: the core refuses more than its caps with a
ValueError that names the parameter, its value and the cap; the pages stop at their own,
smaller caps and say why, whether a control or a link reached them."""

import numpy as np
import pytest

import optim_core
import scenes
from tests.test_pages import _page

CORE = [
    (lambda: optim_core.run("sgd", "beale", (1, 1), optim_core.MAX_STEPS + 1, record="final"),
     r"steps must be an integer in \[1, 100000\]; got 100001"),
    (lambda: optim_core.run("sgd", "beale", np.zeros((optim_core.MAX_STARTS + 1, 2)), 1,
                            record="final"),
     r"start holds 1000001 points; at most 1000000"),
    (lambda: optim_core.run("sgd", "beale", np.zeros((20_001, 2)), 1_000),
     r"20001.*20000000|20000000.*20001|cap of 20000000"),
    (lambda: optim_core.escape_runs("sgd", "saddle", 0, np.full((optim_core.MAX_OFFSETS + 1, 2),
                                                                1e-3), 10, 0.5),
     r"offsets holds 100001 points; at most 100000"),
    (lambda: optim_core.basin_map("sgd", "himmelblau", optim_core.MAX_MAP_RESOLUTION + 1, 10),
     r"resolution must be an integer in \[2, 200\]; got 201"),
    (lambda: optim_core.sweep("sgd", "beale", (1, 1), 10,
                              {"lr": np.geomspace(1e-4, 1, optim_core.MAX_SWEEP_SETTINGS + 1)}),
     r"at most 40000"),
]  # fmt: skip


@pytest.mark.parametrize(("call", "message"), CORE)
def test_every_core_cap_is_a_clear_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_page_caps_are_below_the_cores():
    assert scenes.MAX_PAGE_STEPS <= scenes.MAX_ESCAPE_STEPS <= optim_core.MAX_STEPS
    assert scenes.MAX_ANALYSIS_STEPS * optim_core.MAX_MAP_RESOLUTION**2 <= 1e9
    assert scenes.MAX_RANDOM_OFFSETS <= optim_core.MAX_OFFSETS
    assert scenes.MAX_SWEEP_VALUES * scenes.MAX_HEATMAP_BETAS <= optim_core.MAX_SWEEP_SETTINGS
    # the largest race the page allows is one it can record
    assert len(optim_core.optimizer_names()) * (scenes.MAX_PAGE_STEPS + 1) <= (
        optim_core.MAX_PATH_POINTS)


PAGES = [  # page, link value over the cap, the widget's key, the cap
    ("race", {"steps": "100000"}, "steps", "race.steps"),
    ("escape", {"dir": "random", "count": "5000"}, "escape.count", "escape.count"),
    ("escape", {"steps": "999999"}, "escape.steps", "escape.steps"),
    ("basins", {"res": "1000"}, "basins.resolution", "basins.res"),
    ("basins", {"steps": "100000"}, "basins.steps", "basins.steps"),
    ("sweeps", {"steps": "100000"}, "sweeps.steps", "sweeps.steps"),
    ("sweeps", {"count": "1000"}, "sweeps.count", "sweeps.count"),
    ("sweeps", {"betas": "1000"}, "sweeps.betas", "sweeps.betas"),
]


@pytest.mark.parametrize(("page", "query", "key", "cap"), PAGES)
def test_a_link_over_a_cap_gets_the_cap_and_the_page_says_why(page, query, key, cap):
    at = _page(page, query) if page != "race" else _race(query)
    assert not at.exception
    text = scenes.CAPS[cap].text()
    value = list(query.values())[-1]  # (the value over the cap comes last)
    warnings = " ".join(w.value for w in at.warning)
    assert f"= ` {value} ` in the link is over the cap." in warnings and text in warnings
    assert at.session_state[key] == scenes.CAPS[cap].value
    assert f"⚠️ {text}" in [c.value for c in at.sidebar.caption]  # under the control too


def _race(query):
    from tests.test_app import _app

    return _app(query)


def test_a_control_below_its_cap_says_nothing_of_it():
    at = _race({"steps": "1999"})
    assert not any("is the most this page runs" in c.value for c in at.sidebar.caption)
    at.slider(key="steps").set_value(scenes.MAX_PAGE_STEPS).run()
    assert any("2,000 steps is the most this page runs" in c.value for c in at.sidebar.caption)
