"""Exports: the CSV read back equals the trajectories; the JSON re-runs them."""

import csv
import io
import json
import re

import numpy as np
import pytest

import optim_core
import surfaces
from optim_core import export


def _runs():
    surface = surfaces.get("ravine")
    return [optim_core.run(n, surface, surface.default_start, 40, **hp)
            for n, hp in (("sgd", {"lr": 0.05}), ("adam", {"lr": 0.1}), ("nag", {}))] + [
        optim_core.run("nadam", surface, surface.default_start, 40, convention="pytorch"),
        optim_core.run("momentum", surface, surface.default_start, 40, noise_eta=0.1, seed=4,
                       schedule=optim_core.schedule("warmup", steps=5, then=optim_core.schedule(
                           "cosine", period=30, floor=0.1)))]  # fmt: skip


def test_the_json_re_runs_batches_too():
    surface = surfaces.get("logistic_regression", n=30, seed=2)
    t = optim_core.run("adam", surface, surface.default_start, 30, lr=0.1, batch_size=4,
                       seed=5, schedule=optim_core.schedule("step", every=10, factor=0.5))
    data = json.loads(export.to_json([t]))
    saved = data["runs"][0]
    assert saved["options"] == {"batch_size": 4, "seed": 5,
                                "schedule": {"name": "step", "every": 10, "factor": 0.5}}
    again = _rerun(data, saved)
    np.testing.assert_array_equal(again.path, t.path)


def _rerun(data, saved):
    surface = surfaces.get(data["surface"]["name"], **data["surface"]["params"])
    options = dict(saved["options"])
    if "schedule" in options:
        options["schedule"] = optim_core.schedules.from_dict(options["schedule"])
    return optim_core.run(saved["optimizer"], surface, np.array(saved["start"]), saved["steps"],
                          convention=saved["convention"], **saved["hyperparams"], **options)


def test_the_csv_read_back_equals_the_trajectories():
    runs = _runs()
    rows = list(csv.DictReader(io.StringIO(export.to_csv(runs))))
    assert len(rows) == sum(t.steps + 1 for t in runs)
    for t in runs:
        mine = [r for r in rows if r["optimizer"] == t.optimizer]
        assert [int(r["step"]) for r in mine] == list(range(t.steps + 1))
        np.testing.assert_array_equal([[float(r["x"]), float(r["y"])] for r in mine], t.path)
        np.testing.assert_array_equal([float(r["loss"]) for r in mine], t.loss)
        np.testing.assert_array_equal([[float(r["grad_x"]), float(r["grad_y"])]
                                       for r in mine[:-1]], t.grads)  # fmt: skip
        assert mine[-1]["grad_x"] == ""  # no step after the last point
        for name, values in t.state.items():
            np.testing.assert_array_equal(
                [[float(r[f"{name}_x"]), float(r[f"{name}_y"])] for r in mine], values)
        assert json.loads(mine[0]["hyperparams"]) == t.hyperparams
        assert json.loads(mine[0]["options"]) == export.run_options(t)
        assert mine[0]["surface"] == "ravine" and json.loads(mine[0]["surface_params"]) == {
            k: v for k, v in t.surface.params.items()}  # fmt: skip
    assert {r["v_x"] for r in rows if r["optimizer"] == "sgd"} == {""}  # SGD has no v


def test_the_json_holds_what_re_runs_each_trajectory():
    runs = _runs()
    data = json.loads(export.to_json(runs))
    for t, saved in zip(runs, data["runs"], strict=True):
        again = _rerun(data, saved)
        np.testing.assert_array_equal(again.path, t.path)
        np.testing.assert_array_equal(np.column_stack([saved["x"], saved["y"]]), t.path)
        assert saved["state"].keys() == t.state.keys()
        for name, values in t.state.items():
            np.testing.assert_array_equal(saved["state"][name]["x"], values[:, 0])


def test_exports_say_what_they_need():
    surface = surfaces.get("beale")
    batch = optim_core.run("sgd", surface, np.zeros((3, 2)) + 1, 5)
    with pytest.raises(ValueError, match="one start run with record='path'"):
        export.to_csv([batch])
    final = optim_core.run("sgd", surface, surface.default_start, 5, record="final")
    with pytest.raises(ValueError, match="record='path'"):
        export.to_json([final])


def test_the_race_as_one_html_file_holds_everything_and_no_server_address():
    import viz
    from app_pages.race_view import standalone_html

    surface = surfaces.get("beale")
    runs = [viz.Run(n, n.upper(), optim_core.run(n, surface, surface.default_start, 50))
            for n in ("sgd", "adam")]  # fmt: skip
    view = viz.race_view(surface, runs)
    page = standalone_html(view, "Beale: SGD, ADAM <b>")
    assert "plotly.js v" in page[:2_000_000] and len(page) > 4_000_000  # plotly.js inside
    assert all(p["id"] in page and p["x"]["bdata"] in page for p in view.runs["paths"])
    assert view.static["scene"]["data"][0]["z"]["bdata"] in page  # the surface too
    assert "&lt;b&gt;" in page and "<b>" not in page  # the title is text
    for address in ("127.0.0.1", "localhost", "app/static", "_stcore", "race_view.js?"):
        assert address not in page, address  # (the browser test: it asks for nothing)


@pytest.mark.parametrize("name", optim_core.optimizer_names())
def test_every_optimizers_state_exports_and_reads_back(name):
    # L-BFGS keeps lists of m pairs (numbered columns: S_1_x …), BFGS a matrix (H_xx …),
    # the line searches numbers per step; every one round-trips, and the JSON re-runs it
    surface = surfaces.get("rosenbrock")
    values = {"memory": 4} if name == "lbfgs" else {}
    t = optim_core.run(name, surface, [-1.2, 1.0], 12, **values)
    rows = list(csv.DictReader(io.StringIO(export.to_csv([t]))))
    for field, arr in t.state.items():
        columns = [c for c in rows[0] if c == field
                   or re.fullmatch(rf"{field}_(\d+_)?(x|y|xx|xy|yx|yy|\d+)", c)]  # fmt: skip
        assert len(columns) == arr[0].size, (field, columns)
        read = np.array([[float(r[c]) for c in columns] for r in rows])
        np.testing.assert_array_equal(read, arr.reshape(len(arr), -1))
    if name == "lbfgs":
        assert [c for c in rows[0] if c.startswith("rho")] == ["rho_1", "rho_2", "rho_3",
                                                                "rho_4"]  # fmt: skip
    data = json.loads(export.to_json([t]))
    saved = data["runs"][0]
    np.testing.assert_array_equal(_rerun(data, saved).path, t.path)
    for field, arr in t.state.items():
        assert len(saved["state"][field]) == arr[0].size
