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
        # (a number's column is the field's name; a vector's are <name>_x, <name>_y:
        # Schedule-Free's y is y_x, y_y, beside the point's own y)
        columns = [c for c in rows[0] if (c == field and arr[0].size == 1)
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


# ------------------------------------------------------------------ a network (D = 42)


def _net():
    return surfaces.network("moons", hidden=(8,), n=60)


def _net_runs():
    net = _net()
    start = net.init_params()
    return [optim_core.run("adam", net, start, 30, lr=0.05),
            optim_core.run("lbfgs", net, start, 12, memory=5),
            optim_core.run("nag", net, start, 25, record="points", batch_size=8, seed=3)]


def _read_csv(text):
    rows = list(csv.DictReader(io.StringIO(text)))
    return rows, list(rows[0])


def _rerun_csv(mine):
    """The run that a CSV's rows of one optimizer name: its surface, start (row 0's
    point), steps, hyperparameters and options."""
    D = len([c for c in mine[0] if re.fullmatch(r"w\d+", c)])
    first = mine[0]
    options = json.loads(first["options"])
    if "schedule" in options:
        options["schedule"] = optim_core.schedules.from_dict(options["schedule"])
    surface = export.surface_from(first["surface"], json.loads(first["surface_params"]))
    start = np.array([float(first[f"w{i}"]) for i in range(1, D + 1)])
    return optim_core.run(first["optimizer"], surface, start, int(mine[-1]["step"]),
                          **json.loads(first["hyperparams"]), **options)  # fmt: skip


def _assert_same_run(again, t):
    for field in ("path", "loss", "grads", "final_point", "final_loss", "diverged_step"):
        np.testing.assert_array_equal(getattr(again, field), getattr(t, field), err_msg=field)
    assert t.state.keys() <= again.state.keys()  # (a "points" run kept none)
    for name, values in t.state.items():
        np.testing.assert_array_equal(again.state[name], values, err_msg=name)


def test_a_networks_csv_names_its_weights_and_reads_back_and_re_runs_exactly():
    runs = _net_runs()
    D = 42
    assert _net().D == D
    rows, header = _read_csv(export.to_csv(runs))
    weights = [f"w{i}" for i in range(1, D + 1)]
    grads = [f"grad_w{i}" for i in range(1, D + 1)]
    assert header[: 2 * D + 3] == ["optimizer", "step", *weights, "loss", *grads]
    assert list(export.columns(D)) == header[: 2 * D + 3] and "x" not in header
    assert header[-4:] == ["surface", "surface_params", "hyperparams", "options"]
    # Adam's m and v are vectors, L-BFGS's S and Y lists of m = 5 vectors, rho a list of
    # numbers, alpha a number a step
    assert [c for c in header if c.startswith("m_")] == [f"m_{i}" for i in range(1, D + 1)]
    assert [c for c in header if c.startswith("S_")] == [
        f"S_{j}_{i}" for j in range(1, 6) for i in range(1, D + 1)]
    assert [c for c in header if c.startswith("rho")] == [f"rho_{j}" for j in range(1, 6)]
    assert "alpha" in header
    assert len(rows) == sum(t.steps + 1 for t in runs)
    for t in runs:
        mine = [r for r in rows if r["optimizer"] == t.optimizer]
        assert [int(r["step"]) for r in mine] == list(range(t.steps + 1))
        np.testing.assert_array_equal([[float(r[c]) for c in weights] for r in mine], t.path)
        np.testing.assert_array_equal([float(r["loss"]) for r in mine], t.loss)
        np.testing.assert_array_equal([[float(r[c]) for c in grads] for r in mine[:-1]], t.grads)
        assert {mine[-1][c] for c in grads} == {""}
        listed = export._listed(t)
        for name, values in t.state.items():
            names = [name + s for s in export._suffixes(values.shape[1:], name in listed, D)]
            read = np.array([[float(r[c]) for c in names] for r in mine])
            np.testing.assert_array_equal(read, values.reshape(len(values), -1))
        assert mine[0]["surface"] == "network"
        assert json.loads(mine[0]["surface_params"]) == {
            "data": "moons", "hidden": [8], "activation": "tanh", "seed": 0, "l2": 0.0,
            "init": "xavier", "init_scale": 1.0, "n": 60}  # fmt: skip
        _assert_same_run(_rerun_csv(mine), t)
    points = [r for r in rows if r["optimizer"] == "nag"]
    assert json.loads(points[0]["options"]) == {"batch_size": 8, "seed": 3}
    assert {r["m_1"] for r in points} == {""}  # record="points": no state


def test_a_points_run_alone_has_no_state_columns():
    t = _net_runs()[2]
    assert t.state == {}
    rows, header = _read_csv(export.to_csv([t]))
    assert header == [*export.columns(42), "surface", "surface_params", "hyperparams",
                      "options"]  # fmt: skip
    saved = json.loads(export.to_json([t]))["runs"][0]
    assert saved["state"] == {}


def test_a_networks_json_re_runs_exactly():
    runs = _net_runs()
    data = json.loads(export.to_json(runs))
    assert data["surface"] == {"name": "network", "params": {
        "data": "moons", "hidden": [8], "activation": "tanh", "seed": 0, "l2": 0.0,
        "init": "xavier", "init_scale": 1.0, "n": 60}}  # fmt: skip
    for t, saved in zip(runs, data["runs"], strict=True):
        assert "x" not in saved and len(saved["start"]) == 42
        np.testing.assert_array_equal(np.column_stack([saved[f"w{i}"] for i in range(1, 43)]),
                                      t.path)  # fmt: skip
        np.testing.assert_array_equal(
            np.column_stack([saved[f"grad_w{i}"] for i in range(1, 43)]), t.grads)
        assert saved["state"].keys() == t.state.keys()
        for name, values in t.state.items():
            flat = values.reshape(len(values), -1)
            assert len(saved["state"][name]) == flat.shape[1]
            read = np.column_stack([np.array(v, dtype=float)  # (null: nan, the trials)
                                    for v in saved["state"][name].values()])  # fmt: skip
            np.testing.assert_array_equal(read, flat)
        assert list(saved["state"].get("m", {}))[:3] in ([], ["1", "2", "3"])
        assert list(saved["state"].get("S", {}))[:2] in ([], ["1_1", "1_2"])
        surface = export.surface_from(data["surface"]["name"], data["surface"]["params"])
        options = saved["options"]
        again = optim_core.run(saved["optimizer"], surface, np.array(saved["start"]),
                               saved["steps"], convention=saved["convention"],
                               record="path" if t.state else "points",
                               **saved["hyperparams"], **options)  # fmt: skip
        _assert_same_run(again, t)


def test_a_networks_matrix_state_is_d_by_d_columns():
    net = _net()
    t = optim_core.run("bfgs", net, net.init_params(), 4)
    rows, header = _read_csv(export.to_csv([t]))
    names = [c for c in header if c.startswith("H_")]
    assert names == [f"H_{i}_{j}" for i in range(1, 43) for j in range(1, 43)]
    read = np.array([[float(r[c]) for c in names] for r in rows])
    np.testing.assert_array_equal(read, t.state["H"].reshape(5, -1))
    saved = json.loads(export.to_json([t]))["runs"][0]["state"]["H"]
    assert list(saved)[:3] == ["1_1", "1_2", "1_3"] and len(saved) == 42 * 42


def test_exports_take_one_dimension_at_a_time():
    net = _net()
    runs = [optim_core.run("sgd", net, net.init_params(), 3),
            optim_core.run("sgd", "beale", [1.0, 1.0], 3)]  # fmt: skip
    for to in (export.to_csv, export.to_json):
        with pytest.raises(ValueError, match=r"one dimension at a time.*D = \[2, 42\]"):
            to(runs)
