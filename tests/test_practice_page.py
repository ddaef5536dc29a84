"""The race page's training practices through AppTest: the validation slider, early
stopping, the order of the examples and the plateau schedule reach the runs (checked
against the core), the tables and the link; bad link values are named and replaced."""

from __future__ import annotations

import numpy as np
import pytest

import optim_core
import scenes
import surfaces
from app_pages import race_practice
from tests.test_app import _app, _race
from tests.test_stochastic_page import _figure, _start
from tests.test_viz import plotly_array

HELD_OUT = {"surface": "logistic_regression", "surf.val": "0.25", "opt": "sgd,adam",
            "sgd.lr": "0.5", "adam.lr": "0.05", "steps": "200", "batch": "5"}  # fmt: skip


def _table(at, column):
    return next(d.value for d in at.dataframe if column in d.value.columns)


def test_held_out_examples_bring_the_validation_loss_and_early_stopping():
    at = _app({**HELD_OUT, "stop_patience": "15", "stop_delta": "0.001"})
    assert not at.exception
    assert at.slider(key="surf.logistic_regression.val").value == 0.25
    assert (at.number_input(key="stop_patience").value, at.number_input(key="stop_delta").value
            ) == (15, 0.001)  # fmt: skip
    surface = surfaces.get("logistic_regression(val=0.25)")
    table = _table(at, "keeps step")
    figure = _figure(at, "validation")
    for name, lr, row in (("sgd", 0.5, 0), ("adam", 0.05, 1)):
        run = optim_core.run(name, surface, _start(at), 200, lr=lr, batch_size=5)
        verdict = optim_core.early_stopping(run.val_loss, 15, 0.001)
        assert table["keeps step"][row] == verdict.kept_step
        assert table["stops at step"][row] == (verdict.stop_step if verdict.stopped
                                               else race_practice.NEVER)  # fmt: skip
        assert table["given up by running on"][row] == pytest.approx(float(verdict.given_up))
        title = optim_core.get_optimizer(name).title
        line = next(t for t in figure["data"] if t["name"] == f"{title}: validation")
        np.testing.assert_allclose(plotly_array(line["y"]), run.val_loss, rtol=1e-6)
        # the weights it keeps: a diamond on the contour, where the run was at that step
        mark = next(t for t in _race(at)["runs"]["plane"] if t.get("name") == f"{title}: kept")
        np.testing.assert_allclose([mark["x"][0], mark["y"][0]], run.path[verdict.kept_step])
    words = " ".join(c.value for c in at.caption)
    assert "held-out examples" in words and "P = 15" in words and "δ = 0.001" in words
    assert {k: at.query_params[k] for k in ("surf.val", "stop_patience", "stop_delta")} == {
        "surf.val": "0.25", "stop_patience": "15", "stop_delta": "0.001"}


def test_without_held_out_examples_there_is_no_validation_section():
    at = _app({**HELD_OUT, "surf.val": "0"})
    assert not at.exception
    assert "Validation loss and early stopping" not in [s.value for s in at.subheader]
    assert not any(t.get("name", "").endswith(": kept") for t in _race(at)["runs"]["plane"])
    assert "stop_patience" not in at.query_params
    assert [e.label for e in at.expander].count("Early stopping") == 0
    at.slider(key="surf.logistic_regression.val").set_value(0.2).run()
    assert "Validation loss and early stopping" in [s.value for s in at.subheader]
    assert at.query_params["surf.val"] == "0.2"


@pytest.mark.parametrize("order", ["sorted", "curriculum"])
def test_the_order_reaches_the_runs_the_table_and_the_link(order):
    at = _app({**HELD_OUT, "surf.val": "0"})
    at.selectbox(key="order").set_value(order).run()
    assert not at.exception and at.query_params["order"] == order
    if order == "curriculum":  # its difficulty: a choice, in the link
        at.radio(key="difficulty").set_value("boundary").run()
        assert at.query_params["difficulty"] == "boundary"
    difficulty = "boundary" if order == "curriculum" else "start"
    surface = surfaces.get("logistic_regression")
    run = optim_core.run("sgd", surface, _start(at), 200, lr=0.5, batch_size=5,
                         order=optim_core.Order(order, difficulty=difficulty))  # fmt: skip
    trace = next(t for t in _race(at)["runs"]["plane"] if t.get("name") == "SGD")
    path = _race(at)["runs"]["paths"][trace["path"]]
    np.testing.assert_allclose(plotly_array(path["x"]), run.path[:, 0], rtol=1e-6)
    # the table: every order for one optimizer, the numbers of the core's runs
    table = _table(at, "mean distance, last epoch")
    assert len(table) == len(optim_core.ORDERS)
    row = list(table["order"]).index(scenes.ORDER_TITLES[order])
    best = surface.minimizers[0]
    last = run.path[-8:]  # 40 examples in batches of 5: 8 steps an epoch
    assert table["mean distance, last epoch"][row] == pytest.approx(
        np.linalg.norm(last - best, axis=-1).mean())  # fmt: skip
    again = _app(dict(at.query_params))  # the link opens the same scene
    assert again.selectbox(key="order").value == order and not again.warning


def test_a_full_batch_takes_no_order_but_a_curriculum_still_grows_its_pool():
    at = _app({**HELD_OUT, "surf.val": "0", "batch": "40", "order": "sorted"})
    assert "Order of the examples" not in [s.value for s in at.subheader]
    assert "the order changes nothing" in " ".join(c.value for c in at.caption)
    assert "order" not in at.query_params  # the full gradient: nothing to order
    at.selectbox(key="order").set_value("curriculum").run()
    assert "Order of the examples" in [s.value for s in at.subheader]  # its pools are batches
    assert at.query_params["order"] == "curriculum" and at.query_params["batch"] == "40"


def test_the_plateau_schedule_on_the_page_watches_the_loss_it_is_told_to():
    at = _app(HELD_OUT)
    at.toggle(key="schedules_on").set_value(True).run()
    at.selectbox(key="sgd.sched").set_value("plateau").run()
    at.number_input(key="sgd.sched.patience").set_value(5).run()
    at.radio(key="sgd.sched.monitor").set_value("validation").run()
    assert not at.exception
    assert at.query_params["sgd.sched"] == "plateau"
    assert at.query_params["sgd.sched.monitor"] == "validation"
    assert "sgd.sched.warmup_steps" not in at.query_params  # (no warm-up for a plateau)
    schedule = optim_core.schedule("plateau", patience=5, monitor="validation")
    run = optim_core.run("sgd", "logistic_regression(val=0.25)", _start(at), 200, lr=0.5,
                         batch_size=5, schedule=schedule)  # fmt: skip
    line = next(t for t in _figure(at, "lr_schedule")["data"] if t["name"] == "SGD")
    np.testing.assert_allclose(plotly_array(line["y"]), run.lr_used, rtol=1e-6)
    cuts = np.flatnonzero(np.diff(run.lr_used) < 0) + 2
    assert len(cuts) and f"SGD's α was cut at step{'s' if len(cuts) > 1 else ''} {cuts[0]}" in (
        " ".join(c.value for c in at.caption))  # fmt: skip
    # no examples held out: it cannot watch them, and the page says so
    at.slider(key="surf.logistic_regression.val").set_value(0.0).run()
    assert at.radio(key="sgd.sched.monitor").disabled
    assert any("watches the training loss" in i.value for i in at.info)


def test_bad_practice_values_in_a_link_are_named_and_replaced():
    at = _app({**HELD_OUT, "order": "random", "difficulty": "hard", "stop_patience": "0",
               "stop_delta": "-1", "sgd.sched": "plateau", "sgd.sched.monitor": "test",
               "surf.val": "0.9"})  # fmt: skip
    assert not at.exception
    text = " ".join(w.value for w in at.warning)
    for words in ("order = ` random `", "difficulty = ` hard `", "stop_patience = ` 0 `",
                  "stop_delta = ` -1 `", "sgd.sched.monitor = ` test `", "surf.val = ` 0.9 `"):
        assert words in text, words
    assert at.selectbox(key="order").value == "reshuffle"
    assert at.radio(key="sgd.sched.monitor").value == "train"


def test_a_line_search_on_mini_batches_fails_and_the_page_says_why():
    at = _app({"surface": "logistic_regression", "opt": "bfgs", "steps": "100", "batch": "5"})
    assert not at.exception
    run = optim_core.run("bfgs", "logistic_regression", _start(at), 100, batch_size=5)
    k = int(optim_core.line_search_failed_step(run))
    assert k > 0
    warning = next(w.value for w in at.warning if "line search failed" in w.value)
    assert f"failed at step {k}" in warning and "a mini-batch's gradient" in warning


def test_the_page_says_when_held_out_examples_are_easier_and_when_a_run_has_frozen():
    at = _app(HELD_OUT)  # 10 held-out examples that happen to be easier than the 30
    surface = surfaces.get("logistic_regression(val=0.25)")
    run = optim_core.run("sgd", surface, _start(at), 200, lr=0.5, batch_size=5)
    assert np.mean(run.val_loss < run.loss) >= 0.9
    words = " ".join(c.value for c in at.caption)
    assert "happen to be easier to fit than the training ones" in words
    title = "Cut α on a plateau of the validation loss"  # SGD's α halved to 3e-8
    next(b for b in at.button if b.label == title).click().run()
    words = " ".join(c.value for c in at.caption)
    assert "it barely moves over its last epoch" in words


def test_stale_gradients_reach_the_runs_the_words_and_the_link():
    query = {"surface": "quadratic", "surf.kappa": "1.0", "opt": "sgd,bfgs", "steps": "400",
             "sgd.lr": "0.97", "start": "1.0,0.5", "delay": "1"}  # fmt: skip
    at = _app(query)
    assert not at.exception and at.select_slider(key="delay").value == 1
    run = optim_core.run("sgd", "quadratic(kappa=1.0)", (1.0, 0.5), 400, lr=0.97, delay=1)
    trace = next(t for t in _race(at)["runs"]["plane"] if t.get("name") == "SGD")
    path = _race(at)["runs"]["paths"][trace["path"]]
    np.testing.assert_allclose(plotly_array(path["x"]), run.path[:, 0], rtol=1e-6)
    assert any("BFGS is not a first-order method" in i.value for i in at.info)  # said, not run
    words = " ".join(c.value for c in at.caption)
    assert "τ = 1 steps before" in words and "2 sin(π/(2(2τ + 1))) = 1 " in words
    assert at.query_params["delay"] == "1" and "delay_random" not in at.query_params
    assert "Stale gradients: where SGD stays stable" in [h.value for h in at.subheader]
    star = next(t for t in _figure(at, "delay_stability")["data"]
                if t.get("name") == "the race's SGD")
    assert (star["x"], star["y"]) == ([0.97], [1])  # the race's α and τ (its row)
    assert "Every run more than 5 % inside the line converged" in words
    at.checkbox(key="delay_random").check().run()  # a random τ each step: seeded
    assert at.query_params["delay_random"] == "1" and at.query_params["seed"] == "0"
    again = _app(dict(at.query_params))
    assert again.checkbox(key="delay_random").value and not again.warning
    outside = _app({**query, "sgd.lr": "1.03"})  # just outside the bound: it diverges
    assert any("SGD" in w.value and "diverged" in w.value for w in outside.warning)
