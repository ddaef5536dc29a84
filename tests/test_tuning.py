"""Fair tuning (optim_core.tune): every α one batch, each scored by a plain loop of the
same runs; the budget's caps named; the race page's button and section."""

from __future__ import annotations

import math

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import optim_core
import surfaces
from optim_core import tuning

ALPHAS = np.geomspace(1e-3, 3.0, 13)


def _plain_scores(name, surface, start, steps, alphas, objective, tol=1e-6):
    """Each α alone through optim_core.run, scored the stated way."""
    base = surface.min_value
    out = []
    for a in alphas:
        traj = optim_core.run(name, surface, start, steps, lr=float(a))
        gap = np.asarray(traj.loss, dtype=float) - base
        if traj.diverged:
            out.append(math.inf)
        elif objective == "final":
            out.append(float(gap[-1]))
        elif objective == "mean":
            out.append(float(gap[1:].mean()))
        else:
            hit = np.flatnonzero(gap <= tol)
            hit = hit[hit >= 1]
            out.append(float(hit[0]) if len(hit) else math.inf)
    return np.array(out)


@pytest.mark.parametrize("objective", list(tuning.OBJECTIVES))
@pytest.mark.parametrize("name", ["sgd", "momentum", "adam", "rmsprop"])
def test_each_alphas_score_is_its_own_runs_and_the_best_is_chosen(name, objective):
    surface = surfaces.get("rosenbrock")
    found = optim_core.tune(name, surface, (-1.5, 2.0), 400, objective=objective,
                            alphas=ALPHAS)  # fmt: skip
    expected = _plain_scores(name, surface, (-1.5, 2.0), 400, ALPHAS, objective)
    np.testing.assert_allclose(found.score, expected, rtol=1e-9, atol=1e-15)
    assert np.array_equal(found.diverged > 0, np.array(
        [optim_core.run(name, surface, (-1.5, 2.0), 400, lr=float(a)).diverged
         for a in ALPHAS]))  # fmt: skip
    if np.isfinite(expected).any():
        best = int(np.argmin(expected))
        assert found.alpha == ALPHAS[best]
        assert found.value == pytest.approx(expected[best], rel=1e-12)  # (summed in turn)
    else:
        assert math.isnan(found.alpha) and not found.found


def test_several_starts_average_and_any_divergence_rules_an_alpha_out():
    surface = surfaces.get("himmelblau")
    starts = np.array([[0.0, 0.0], [1.0, -1.0], [-2.0, 2.0]])
    found = optim_core.tune("sgd", surface, None, 200, starts=starts, alphas=ALPHAS)
    each = [_plain_scores("sgd", surface, tuple(p), 200, ALPHAS, "final") for p in starts]
    expected = np.where(np.isinf(each).any(axis=0), np.inf, np.mean(each, axis=0))
    np.testing.assert_allclose(found.score, expected, rtol=1e-9, atol=1e-15)
    assert found.repeats == 3


def test_noise_seeds_are_repeats_and_the_same_seeds_give_the_same_choice():
    one = optim_core.tune("adam", "himmelblau", (0.0, 0.0), 200, noise_eta=1.0,
                          seeds=(0, 1, 2, 3), alphas=ALPHAS)  # fmt: skip
    again = optim_core.tune("adam", "himmelblau", (0.0, 0.0), 200, noise_eta=1.0,
                            seeds=(0, 1, 2, 3), alphas=ALPHAS)  # fmt: skip
    assert one.repeats == 4 and one.alpha == again.alpha
    np.testing.assert_array_equal(one.score, again.score)
    first = optim_core.tune("adam", "himmelblau", (0.0, 0.0), 200, noise_eta=1.0,
                            seeds=(0,), alphas=ALPHAS)  # fmt: skip
    assert not np.array_equal(first.score, one.score)  # four draws, not one


def test_the_budget_caps_and_bad_values_are_named():
    with pytest.raises(ValueError, match=r"alphas must hold 1 to 200 values .*; got 201"):
        optim_core.tune("sgd", "beale", (1, 1), 10, alphas=np.geomspace(1e-3, 1, 201))
    with pytest.raises(ValueError, match=r"steps must be a whole number in \[1, 5,000\]; got 5001"):
        optim_core.tune("sgd", "beale", (1, 1), 5001)
    with pytest.raises(ValueError, match="starts × seeds = 9; the tuning budget's cap is 8"):
        optim_core.tune("sgd", "beale", None, 10, starts=np.ones((3, 2)), seeds=(0, 1, 2),
                        noise_eta=0.1)  # fmt: skip
    with pytest.raises(ValueError, match=r"objective must be one of \['final', 'mean'"):
        optim_core.tune("sgd", "beale", (1, 1), 10, objective="best")
    with pytest.raises(ValueError, match="objective 'steps' needs a known minimum"):
        optim_core.tune("sgd", "saddle", (1, 1), 10, objective="steps")
    with pytest.raises(ValueError, match="lr must be a finite number > 0; got -1.0"):
        optim_core.tune("sgd", "beale", (1, 1), 10, alphas=[0.1, -1.0])
    with pytest.raises(ValueError, match="adadelta has no α to tune"):
        optim_core.tune("adadelta", "beale", (1, 1), 10)


def test_ten_optimizers_share_one_budget():
    names = ["sgd", "momentum", "nag", "adagrad", "rmsprop", "adam", "adamax", "nadam",
             "amsgrad", "radam", "adadelta"]  # (the cheat sheet's Adadelta: no α, left out)
    found = optim_core.tune_all(names, "rosenbrock", (-1.5, 2.0), 300)
    assert list(found) == names[:-1]
    assert {t.steps for t in found.values()} == {300}
    assert all(len(t.alphas) == 61 for t in found.values())
    # tuned, Adam reaches a lower final loss than at its default α
    default = optim_core.run("adam", "rosenbrock", (-1.5, 2.0), 300)
    assert found["adam"].value < default.final_loss - 1.0


# ---------------------------------------------------------------- the race page


def _race(query=None) -> AppTest:
    at = AppTest.from_file("../app.py", default_timeout=120)
    for key, value in (query or {"surface": "rosenbrock"}).items():
        at.query_params[key] = value
    return at.run()


def test_the_button_tunes_each_optimizer_writes_its_alpha_and_the_link_reproduces_it():
    at = _race()
    at.button(key="tune.button").click().run()
    assert not at.exception, at.exception
    assert "Tuned α: each optimizer at its best" in [s.value for s in at.subheader]
    start = (float(at.query_params["start"].split(",")[0]),
             float(at.query_params["start"].split(",")[1]))
    steps = int(at.query_params["steps"])
    names = at.query_params["opt"].split(",")
    found = optim_core.tune_all(names, "rosenbrock", start, steps)
    table = next(d.value for d in at.dataframe if "tuned α" in d.value.columns)
    for name in names:
        alpha = found[name].alpha
        assert float(at.query_params[f"{name}.lr"]) == pytest.approx(alpha, rel=1e-12)
        row = list(table["optimizer"]).index(optim_core.get_optimizer(name).title)
        assert table["tuned α"][row] == f"{alpha:.3g}"
    assert at.query_params["tune"] == "final.one"
    assert any("compares tuned optimizers, not their defaults" in c.value for c in at.caption)
    # the link alone: the same α's and the same section, without pressing anything
    again = _race(dict(at.query_params))
    assert not again.exception
    assert "Tuned α: each optimizer at its best" in [s.value for s in again.subheader]
    assert not any("Moved since the tuning" in c.value for c in again.caption)


def test_a_bad_tune_value_in_the_link_is_named():
    at = _race({"surface": "rosenbrock", "tune": "best.ten"})
    assert not at.exception
    assert any("tune = ` best.ten ` in the link" in w.value for w in at.warning)
    assert "Tuned α: each optimizer at its best" not in [s.value for s in at.subheader]


def test_the_sweeps_page_marks_each_optimizers_tuned_alpha_from_its_link():
    at = AppTest.from_file("../app.py", default_timeout=120)
    at.switch_page("app_pages/sweeps.py")
    for key, value in {"surface": "rosenbrock", "opt": "sgd,adam", "steps": "300",
                       "count": "30", "tune": "mean"}.items():  # fmt: skip
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    assert at.radio(key="sweeps.tune").value == "mean"
    table = next(d.value for d in at.dataframe if "tuned α" in d.value.columns)
    lrs = np.logspace(-5, 1, 30)
    found = optim_core.tune_all(["sgd", "adam"], "rosenbrock", (-1.5, 2.0), 300, alphas=lrs,
                                objective="mean")  # fmt: skip
    assert list(table["tuned α"]) == [f"{found[n].alpha:.3g}" for n in ("sgd", "adam")]
    assert at.query_params["tune"] == "mean"
    at.radio(key="sweeps.tune").set_value("").run()
    assert "tune" not in at.query_params
    assert not any("tuned α" in d.value.columns for d in at.dataframe)
    bad = AppTest.from_file("../app.py", default_timeout=120)
    bad.switch_page("app_pages/sweeps.py")
    bad.query_params["tune"] = "best"
    bad.run()
    assert any("tune = ` best `" in w.value for w in bad.warning)
