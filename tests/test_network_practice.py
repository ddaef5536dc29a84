"""The Real network page's validation split and early stopping: the link, the
over-fitting preset's claims, and the page through AppTest."""

from __future__ import annotations

import numpy as np
import pytest

import optim_core
import scenes
from app_pages import network_work as work
from tests.test_network_page import _f, _measure, _page

OVERFIT = "Over-fitting: early stopping keeps the turn"


def test_the_link_carries_the_split_and_early_stopping_and_names_bad_values():
    scene = scenes.NetworkScene(data="moons", val=0.2, stop_patience=40, stop_delta=0.01)
    query = scenes.network_to_query(scene)
    assert (query["val"], query["stop_patience"], query["stop_delta"]) == ("0.2", "40", "0.01")
    back, warnings = scenes.network_from_query(query)
    assert warnings == [] and scenes.network_to_query(back) == query
    assert "val" not in scenes.network_to_query(scenes.NetworkScene())  # none held out
    bad, warnings = scenes.network_from_query({"val": "0.25", "stop_patience": "0",
                                               "stop_delta": "-1"})  # fmt: skip
    text = " ".join(warnings)
    assert "val = 0.25 in the link is not one of 0, 0.1, 0.2, 0.3; using 0." in text
    assert "stop_patience = ` 0 `" in text and "stop_delta = ` -1 `" in text
    assert (bad.val, bad.stop_patience, bad.stop_delta) == (0.0, 100, 0.0)


def test_overfitting_preset_training_falls_while_validation_turns_and_its_caption_says_so():
    scene, runs, land, sharp, flat, plateau, values = _measure(OVERFIT)
    net = work.network_of(scene)
    assert (net.n_train, net.n_val, len(net.y_test)) == (105, 45, 50)
    found = work.stopping(scene, runs)
    for name, v in found.items():  # each run: its own verdict on its own validation loss
        verdict = optim_core.early_stopping(runs[name].val_loss, 100)
        assert (v.kept_step, v.stop_step) == (verdict.kept_step, verdict.stop_step)
    momentum = found["momentum"]
    kept = int(momentum.kept_step)
    assert kept == int(np.argmin(runs["momentum"].val_loss))  # the turn is the lowest point
    assert momentum.final_loss > 5 * momentum.kept_loss  # it climbs far back up
    assert runs["momentum"].loss[-1] < runs["momentum"].loss[kept] / 10  # training falls on
    assert _f(values["momentum_kept_acc"]) > _f(values["momentum_acc"])  # and the test score
    assert _f(values["adam_kept_acc"]) > _f(values["adam_acc"])
    caption = work.caption(OVERFIT, values)
    assert f"lowest at step {kept}" in caption and "{" not in caption


def test_the_page_draws_the_validation_loss_and_the_test_accuracy_kept():
    at = _page({"data": "moons", "width": "16", "opt": "sgd,adam", "steps": "300",
                "val": "0.2", "stop_patience": "30"})  # fmt: skip
    assert not at.exception, at.exception
    assert "Validation loss and early stopping" in [s.value for s in at.subheader]
    table = next(d.value for d in at.dataframe if "keeps step" in d.value.columns)
    scene = scenes.NetworkScene(data="moons", width=16, optimizers=("sgd", "adam"), steps=300,
                                val=0.2, stop_patience=30)  # fmt: skip
    net = work.network_of(scene)
    for row, name in enumerate(("sgd", "adam")):
        run = work.train(scene, name)
        verdict = optim_core.early_stopping(run.val_loss, 30)
        assert table["keeps step"][row] == verdict.kept_step
        assert table["test accuracy, kept"][row] == (
            f"{net.accuracy(run.path[int(verdict.kept_step)]):.1%}")  # fmt: skip
    assert at.select_slider(key="network.val").value == 0.2
    assert at.number_input(key="network.stop_patience").value == 30
    at.select_slider(key="network.val").set_value(0.0).run()  # none held out: no section
    assert "Validation loss and early stopping" not in [s.value for s in at.subheader]
    assert "val" not in at.query_params


@pytest.mark.slow
def test_the_overfitting_preset_opens_with_its_caption_measured():
    at = _page({"data": "moons", "width": "8", "opt": "adam", "steps": "50"})
    at.selectbox(key="network.preset").set_value(OVERFIT).run()
    assert not at.exception, at.exception
    box = next(i.value for i in at.info if OVERFIT in i.value)
    assert "early stopping (patience 100) stops it at step" in box and "{" not in box
    assert at.query_params["val"] == "0.3"
