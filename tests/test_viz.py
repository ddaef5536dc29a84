"""Figures: what is drawn, what moves, and how the size grows with steps."""

import base64
import json
import math

import numpy as np
import pytest

import optim_core
import surfaces
import viz


def _runs(surface, names, steps, **hp):
    return [viz.Run(n, optim_core.get_optimizer(n).title,
                    optim_core.run(n, surface, surface.default_start, steps, **hp.get(n, {})))
            for n in names]  # fmt: skip


def plotly_array(spec) -> np.ndarray:
    """A plotly.js array of the JSON sent: a list (None: a gap) or a typed-array spec."""
    if isinstance(spec, dict):
        return np.frombuffer(base64.b64decode(spec["bdata"]), dtype=spec["dtype"]).astype(float)
    return np.array([np.nan if v is None else v for v in spec], dtype=float)


def _view(surface, runs):
    """The race view's data as the browser gets it (through JSON)."""
    return json.loads(json.dumps(viz.race_view(surface, runs).data()))


def test_the_race_view_has_both_views_the_loss_and_moving_traces():
    surface = surfaces.get("beale")
    runs = _runs(surface, ["sgd", "adam"], 120)
    data = _view(surface, runs)
    static, moving = data["static"], data["runs"]["moving"]
    assert [t["type"] for t in static["scene"]["data"]] == ["surface"]
    surface_z = static["scene"]["data"][0]["z"]  # a matrix: flattened, plotly.js draws nothing
    assert surface_z["shape"] == "121,121" and len(plotly_array(surface_z)) == 121 * 121
    assert static["plane"]["layout"]["images"][0]["source"].startswith("data:image/png;base64,")
    assert static["plane"]["layout"]["xaxis"]["range"] == [-4.5, 4.5]  # the domain
    # what moves: a tail and a head per run in 2-D, a head in 3-D, the loss cursor
    assert [(t["path"], t["moving"]) for t in moving["plane"]] == [
        (0, "tail"),
        (0, "head"),
        (1, "tail"),
        (1, "head"),
    ]
    assert [(t["type"], t["path"]) for t in moving["scene"]] == [("scatter3d", 0), ("scatter3d", 1)]
    assert [t["name"] for t in moving["loss"]] == ["shown step"]
    assert data["runs"]["shown"] == list(range(121))
    # each path crosses the network once, as float32, and is the trajectory
    paths = data["runs"]["paths"]
    for run, path in zip(runs, paths, strict=True):
        np.testing.assert_allclose(plotly_array(path["x"]), run.trajectory.path[:, 0], rtol=1e-6)
        np.testing.assert_allclose(plotly_array(path["y"]), run.trajectory.path[:, 1], rtol=1e-6)
    # the same colour for an optimizer in every trace
    sgd = [t for part in ("plane", "scene") for t in data["runs"][part] + moving[part]
           if t.get("path") == 0 and "line" in t and "halo" not in t["name"]]  # fmt: skip
    assert {t["line"]["color"] for t in sgd} == {viz.color("sgd")}
    # the axes carry their titles (plotly.js 3 reads only title.text)
    assert static["plane"]["layout"]["xaxis"]["title"] == {"text": "x"}
    assert data["runs"]["loss"]["layout"]["yaxis"]["title"] == {"text": "f − f*"}


def test_a_slider_move_sends_the_runs_not_the_surface_and_grows_linearly_with_steps():
    surface = surfaces.get("rosenbrock")
    hp = {"sgd": {"lr": 1e-3}}
    names = ["sgd", "momentum", "nag", "rmsprop", "adam"]
    views = {s: viz.race_view(surface, _runs(surface, names, s, **hp)) for s in (1000, 2000)}
    size = {s: len(json.dumps(v.data(with_static=False))) for s, v in views.items()}
    assert size[2000] <= 2.05 * size[1000], size
    first = len(json.dumps(views[1000].data()))
    assert first - size[1000] > 100_000  # the surface's pictures: sent once, not per move
    assert views[1000].key == views[2000].key  # the browser keeps them under one key
    assert first < 500_000  # 5 optimizers x 1,000 steps, surface included


def test_long_runs_are_shown_in_at_most_max_frames():
    shown = viz.frame_steps(2000)
    assert len(shown) <= viz.MAX_FRAMES + 1 and shown[0] == 0 and shown[-1] == 2000


def test_divergence_is_marked_on_the_plot():
    surface = surfaces.get("rosenbrock")
    runs = _runs(surface, ["sgd"], 50, sgd={"lr": 1.0})
    k = int(runs[0].trajectory.diverged_step)
    texts = [t.get("text", [""])[0] for t in _view(surface, runs)["runs"]["plane"] if t.get("text")]
    assert f"SGD diverged at step {k}" in texts
    loss = viz.loss_figure(runs, surface).to_dict()
    assert any(f"diverged at step {k}" in (t.get("text") or [""])[0] for t in loss["data"])
    assert loss["layout"]["yaxis"]["type"] == "log"


def test_log_scale_heights_follow_the_surface_flag():
    assert viz.surface_grid(surfaces.get("rosenbrock")).height_label.startswith("log")
    grid = viz.surface_grid(surfaces.get("saddle"))
    assert grid.height_label == "f"
    np.testing.assert_array_equal(grid.height, grid.f)
    lines = grid.contours
    assert len(lines) >= 10 and all(np.isnan(p).any() for _, p in lines)


def test_runs_leaving_at_the_same_point_share_one_readable_marker():
    surface = surfaces.get("goldstein_price")
    runs = _runs(surface, ["sgd", "momentum", "nag"], 20)
    assert all(r.trajectory.diverged_step == 1 for r in runs)
    plane = _view(surface, runs)["runs"]["plane"]
    marks = [t for t in plane if t.get("name") == "diverged"]
    assert len(marks) == 1
    assert marks[0]["text"][0].split("<br>") == [
        "SGD diverged at step 1",
        "Momentum diverged at step 1",
        "NAG diverged at step 1",
    ]


# ---------------------------------------------------------------- analysis figures


def test_saddle_distance_labels_sit_on_their_lines_and_long_runs_are_thinned():
    surface = surfaces.get("saddle")
    runs = _runs(surface, ["sgd"], 20_000, sgd={"lr": 1e-4})
    fig = viz.saddle_distance_figure(runs, surface, 1.0, max_points=500)
    # on a log axis an annotation's y is the exponent of the line it names
    ys = sorted(a.y for a in fig.layout.annotations)
    assert np.allclose(ys, [-1.0, 0.0])
    line = fig.data[0]
    assert len(line.x) <= 503 and line.x[-1] == 20_000


def test_a_blow_up_at_a_saddle_is_marked_as_divergence_not_escape():
    surface = surfaces.get("himmelblau")
    start = surface.saddles[0] + [0.01, 0.0]
    traj = optim_core.run("sgd", surface, start, 50, lr=2.0)
    fig = viz.saddle_distance_figure([viz.Run("sgd", "SGD", traj)], surface, 0.9)
    names = [t.name for t in fig.data]
    assert "SGD diverged" in names and "SGD escaped" not in names
    escapes = optim_core.escape_runs("sgd", surface, 0, [0.01, 0.0], 50, 0.9, lr=2.0)
    bars = viz.escape_bar_figure({"sgd": escapes}, 50)
    assert "diverged" in bars.data[0].text[0] and bars.data[0].marker.pattern.shape == "/"


def test_basin_maps_side_by_side_share_one_step_colour_scale():
    grid = viz.surface_grid(surfaces.get("himmelblau"), 41)
    maps = [optim_core.basin_map(n, "himmelblau", 15, 300, lr=0.01) for n in ("sgd", "adam")]
    lo, hi = viz.basin_step_range(maps)
    for result in maps:
        heat = viz.basin_figure(result, grid, "steps", step_range=(lo, hi)).data[0]
        assert (heat.zmin, heat.zmax) == (lo, hi)
        assert all(lo - 1e-9 <= t <= hi + 1e-9 for t in heat.colorbar.tickvals)


def test_a_map_without_a_minimum_says_ran_off_or_stayed_in_view():
    grid = viz.surface_grid(surfaces.get("saddle"), 41)
    result = optim_core.basin_map("sgd", "saddle", 9, 300, lr=0.005)
    fig = viz.basin_figure(result, grid)
    legend = [t.name for t in fig.data if t.showlegend is not False and t.name]
    assert "ran off downhill" in legend and "stayed in view" in legend
    assert "stalled" not in legend and "diverged" not in legend
    words = set(viz.basin_outcomes(result).ravel())
    assert any(w.startswith("ran off downhill: left the view at step") for w in words)
    assert not any("diverged" in w or "stalled" in w for w in words)


def test_a_sweep_without_a_minimum_shows_how_fast_runs_get_away():
    surface = surfaces.get("saddle")
    lrs = np.logspace(-3, 0, 8)
    result = optim_core.sweep("adam", surface, (-1.5, 1e-6), 300, {"lr": lrs})
    fig = viz.sweep_figure([result], surface)
    assert fig.layout.yaxis.title.text == "step it left the view"
    assert len(fig.data) == 1 and "step converged" not in fig.to_json()
    heat = optim_core.sweep("adam", surface, (-1.5, 1e-6), 300,
                            {"lr": lrs, "beta1": [0.0, 0.5, 0.9]})  # fmt: skip
    assert "left the view" in viz.sweep_heatmap_figure(heat, surface).layout.title.text


def test_every_optimizer_has_its_own_shape_in_both_views():
    from viz import style

    names = optim_core.optimizer_names()
    assert len({style.symbol(n) for n in names}) == len(names)
    assert viz.figures.EXIT_SYMBOL not in {style.symbol(n) for n in names}  # not AdaGrad's ✕
    three_d = {"circle", "circle-open", "cross", "diamond", "diamond-open", "square",
               "square-open", "x"}  # what plotly's Scatter3d draws  # fmt: skip
    assert {style.symbol_3d(n) for n in names} <= three_d
    assert len({style.color(n) for n in names}) == len(names)  # 3-D: colour tells them apart
    surface = surfaces.get("beale")
    moving = _view(surface, _runs(surface, names, 5))["runs"]["moving"]
    heads = [t for t in moving["plane"] if t["moving"] == "head"]
    assert len({t["marker"]["symbol"] for t in heads}) == len(names)
    # no names written in 3-D (they piled up when runs were close): the colours tell
    assert all(t["mode"] == "markers" and "text" not in t for t in moving["scene"])
    assert len({t["marker"]["color"] for t in moving["scene"]}) == len(names)


def test_hovering_the_contour_tells_f():
    surface = surfaces.get("himmelblau")
    plane = _view(surface, _runs(surface, ["sgd"], 5))["static"]["plane"]["data"]
    click = next(t for t in plane if t.get("name") == "click to start here")
    assert click["type"] == "heatmap" and "f = %{z" in click["hovertemplate"]
    assert click["z"]["shape"] == "41,41"  # rows of y, columns of x, as plotly.js reads it
    gx, gy = np.meshgrid(plotly_array(click["x"]), plotly_array(click["y"]))
    f = plotly_array(click["z"]).reshape(41, 41)
    np.testing.assert_allclose(f, surface.f(np.stack([gx, gy], -1)), rtol=1e-5, atol=1e-4)


def test_a_sweep_keeps_the_settings_that_land_exactly_on_the_minimum():
    surface = surfaces.get("booth")
    result = optim_core.sweep("adam", surface, tuple(surface.default_start), 1000,
                              {"lr": np.logspace(-5, 1, 60)})  # fmt: skip
    exact = result.final_loss - surface.min_value <= 0
    assert exact.sum() >= 10  # Booth's minimum is 0, reached exactly
    y = np.asarray(viz.sweep_figure([result], surface).data[0].y, dtype=float)
    assert not np.isnan(y[result.diverged_step < 0]).any() and np.all(y[exact] == 1e-16)


def test_a_diverged_runs_loss_line_ends_where_it_diverged():
    surface = surfaces.get("goldstein_price")
    runs = _runs(surface, ["sgd", "adam"], 50)
    assert runs[0].trajectory.diverged_step == 1 and runs[1].trajectory.diverged_step < 0
    data = _view(surface, runs)["runs"]
    lines = {t["name"]: plotly_array(data["paths"][t["path"]]["loss"])
             for t in data["loss"]["data"] if t.get("coords") == "loss"}  # fmt: skip
    # drawn up to its last point inside the box, the step before it left
    assert np.flatnonzero(np.isfinite(lines["SGD"])).max() == 0
    assert np.isfinite(lines["Adam"]).sum() > 40


def test_a_click_sets_the_click_targets_exact_point_not_its_float32_copy():
    surface = surfaces.get("beale")
    plane = _view(surface, _runs(surface, ["sgd"], 5))["static"]["plane"]["data"]
    click = next(t for t in plane if t.get("name") == "click to start here")
    sent = (float(plotly_array(click["x"])[3]), float(plotly_array(click["y"])[7]))  # sent back
    assert sent != (-4.5 + 3 * 9 / 40, -4.5 + 7 * 9 / 40)  # float32 noise
    x, y = viz.clicked_point(surface, *sent)
    assert (x, y) == (float(np.linspace(-4.5, 4.5, 41)[3]), float(np.linspace(-4.5, 4.5, 41)[7]))
    assert repr(x) == "-3.825"
    # the grid's own float64 noise stays out too: np.linspace gives -1.7999999999999998
    assert viz.clicked_point(surface, -1.7999999523162842, 2.475000047683716) == (-1.8, 2.475)


def test_the_projector_view_is_larger_everywhere_and_keeps_the_same_paths():
    surface = surfaces.get("beale")
    view = viz.race_view(surface, _runs(surface, ["sgd", "adam"], 50))
    big = viz.for_projector(view)
    assert big.key != view.key and big.runs["paths"] is view.runs["paths"]
    assert big.path_ids() == view.path_ids()

    def sizes(node, parent=""):
        """(where, value) of every font size, line width and marker size."""
        if isinstance(node, list):
            return [s for v in node for s in sizes(v, parent)]
        if not isinstance(node, dict) or "bdata" in node:
            return []
        out = []
        for key, value in node.items():
            if (parent.endswith("font") and key == "size") or (parent, key) in (
                    ("line", "width"), ("marker", "size")):  # fmt: skip
                out.append((f"{parent}.{key}", value))
            out += sizes(value, key)
        return out

    for part in ("static", "runs"):
        before, after = sizes(getattr(view, part)), sizes(getattr(big, part))
        assert len(before) == len(after) > 5
        for (where, small), (_, large) in zip(before, after, strict=True):
            factor = {"line.width": 2.0, "marker.size": 1.6}.get(where, 1.45)
            assert large == round(small * factor, 2), where
    for part in ("plane", "scene"):
        assert big.static[part]["layout"]["height"] > view.static[part]["layout"]["height"]
    assert big.runs["loss"]["layout"]["height"] > view.runs["loss"]["layout"]["height"]


def test_the_numbers_at_a_step_are_the_runs_own():
    surface = surfaces.get("booth")
    runs = _runs(surface, ["sgd", "amsgrad", "adadelta"], 5)
    rows = viz.step_numbers(surface, runs, 5)  # the last step: no next step
    assert [r["optimizer"] for r in rows] == [r.label for r in runs]
    assert all(r["next step Δw"] == "— (last step)" for r in rows)
    sgd, ams, ada = rows
    assert sgd["m"] == sgd["v"] == sgd["D"] == sgd["v̂"] == ""  # no state: blank
    tr = runs[1].trajectory
    assert ams["v̂"] == f"({tr.state['v_hat'][5][0]:.4g}, {tr.state['v_hat'][5][1]:.4g})"
    assert ada["D"] != "" and ada["m"] == ""
    assert viz.step_numbers(surface, runs, 99) == rows  # beyond the race: its last step
    first = viz.step_numbers(surface, runs, 0)[0]
    step = runs[0].trajectory.path[1] - runs[0].trajectory.path[0]
    assert first["next step Δw"] == f"({step[0]:.4g}, {step[1]:.4g})"


def test_the_insides_arrows_point_where_the_run_goes_and_grow_linearly_with_steps():
    surface = surfaces.get("beale")
    runs = _runs(surface, ["sgd", "momentum", "adam"], 100, sgd={"lr": 0.01})
    data = json.loads(json.dumps(viz.race_view(surface, runs, insides=True).data()))
    arrows = [t for t in data["runs"]["moving"]["plane"] if t["moving"] == "arrow"]
    assert [(t["name"], t["arrow"]) for t in arrows] == [
        ("SGD", "step"), ("SGD", "grad"), ("Momentum", "step"), ("Momentum", "grad"),
        ("Momentum", "mom"), ("Adam", "step"), ("Adam", "grad"), ("Adam", "mom")]  # fmt: skip
    span = viz.race.ARROW_SHARE * 9.0  # Beale's domain is 9 wide
    for run, p in zip(runs, data["runs"]["paths"], strict=True):
        tr = run.trajectory
        step = np.column_stack([plotly_array(p["arrows"]["step"][c]) for c in "xy"])
        taken = np.diff(tr.path, axis=0)
        cos = np.sum(step[:-1] * taken, axis=1) / (np.hypot(*step[:-1].T) * np.hypot(*taken.T))
        np.testing.assert_allclose(cos, 1.0, atol=1e-5)  # the direction of the step taken
        assert np.nanmax(np.hypot(*step.T)) == pytest.approx(span, rel=1e-5)
        grad = np.column_stack([plotly_array(p["arrows"]["grad"][c]) for c in "xy"])
        g = -surface.grad(tr.path)
        cos = np.sum(grad * g, axis=1) / (np.hypot(*grad.T) * np.hypot(*g.T))
        np.testing.assert_allclose(cos, 1.0, atol=1e-5)  # downhill
    # the payload stays linear in steps
    sizes = [len(json.dumps(viz.race_runs(surface, _runs(surface, ["adam"], n), insides=True)))
             for n in (500, 1000)]  # fmt: skip
    assert 1.8 < sizes[1] / sizes[0] < 2.1


def test_the_numbers_say_where_a_run_diverged_instead_of_a_zero_step():
    surface = surfaces.get("rosenbrock")
    runs = _runs(surface, ["sgd"], 50)  # α 0.01 from (−1.5, 2): out of the box at step 4
    gone = int(runs[0].trajectory.diverged_step)
    assert gone == 4
    before = viz.step_numbers(surface, runs, gone - 2)[0]["next step Δw"]
    assert before.startswith("(") and before != "(0, 0)"
    for k in (gone - 1, gone, 49):
        assert viz.step_numbers(surface, runs, k)[0]["next step Δw"] == (
            f"— diverged at step {gone}")


@pytest.mark.parametrize("low, high", [(1e-31, 1e3), (1e-16, 1e3), (3, 30), (9.5, 10.5),
                                       (0.5, 200), (1e-5, 2e-4), (1.2, 1.3), (1.0, 1.0),
                                       (1e-300, 1e300), (2e-3, 7e4)])  # fmt: skip
def test_log_axes_get_three_to_eight_labels_that_cover_the_values(low, high):
    axis = viz.figures.log_axis([low, high, np.nan, 0.0, -1.0])
    ticks = np.array(axis["tickvals"])
    assert 3 <= len(ticks) <= viz.figures.MAX_TICK_LABELS
    assert np.all(np.diff(np.log10(ticks)) > 0) and len(set(axis["ticktext"])) == len(ticks)
    a, b = axis["range"]
    assert a <= math.log10(low) and b >= math.log10(high)  # every value on the axis
    assert a <= math.log10(ticks[0]) and b >= math.log10(ticks[-1])  # every label shown


def test_a_run_at_machine_precision_is_said_to_be_there_not_plotted():
    surface = surfaces.get("himmelblau")
    runs = _runs(surface, ["sgd", "momentum", "adam", "rmsprop"], 600)
    figure = viz.loss_figure(runs, surface)
    lines = [np.asarray(t.y, dtype=float) for t in figure.data if t.mode == "lines"]
    assert all(np.nanmin(y) >= viz.figures.MACHINE_FLOOR for y in lines)
    sgd = runs[0].trajectory
    reached = int(np.flatnonzero(sgd.loss - surface.min_value < 1e-16)[0])
    marks = [t for t in figure.data if t.name == "at the minimum"]
    assert any(t.x[0] == reached and "SGD reached the minimum to machine precision at step "
               f"{reached}" in t.hovertemplate for t in marks)  # fmt: skip
    assert "machine precision" in figure.layout.annotations[0].text
    assert 3 <= len(figure.layout.yaxis.tickvals) <= 8


def test_the_3d_height_is_named_once_by_the_colour_bar_not_the_z_axis():
    surface = surfaces.get("beale")
    scene = _view(surface, _runs(surface, ["sgd"], 5))["static"]["scene"]
    zaxis = scene["layout"]["scene"]["zaxis"]
    assert zaxis["title"]["text"] == "" and zaxis["showticklabels"] is False
    bar = scene["data"][0]["colorbar"]["title"]["text"]
    assert bar == viz.surface_grid(surface).height_label and "log" in bar


@pytest.mark.parametrize(("name", "values", "shown"), [
    ("bfgs", {}, "BFGS (c₁=0.0001, c₂=0.9)"),
    ("cg", {"beta_rule": "FR"}, "β=FR"),
    ("lbfgs", {"memory": 3}, "m=3, c₁=0.0001, c₂=0.9"),
    ("levenberg_marquardt", {"damping": 0.5}, "λ₀=0.5"),
])  # fmt: skip
def test_a_basin_maps_title_names_every_hyperparameter_of_its_optimizer(name, values, shown):
    grid = viz.surface_grid(surfaces.get("himmelblau"), 21)
    result = optim_core.basin_map(name, "himmelblau", 6, 40, **values)
    assert shown in viz.basin_figure(result, grid).layout.title.text


def test_every_hyperparameter_has_a_symbol_and_a_label():
    import scenes
    from viz.analysis import HYPER_SYMBOLS

    assert set(HYPER_SYMBOLS) == set(optim_core.HYPERPARAMETERS) == set(scenes.HYPER_LABELS)


def _view_against(surface, runs, x_axis):
    return json.loads(json.dumps(viz.race_view(surface, runs, x_axis=x_axis).data()))


def test_against_gradient_evaluations_each_run_sits_at_its_own_count():
    surface = surfaces.get("rosenbrock")
    runs = _runs(surface, ["adam", "bfgs", "cg"], 200)
    counts = [optim_core.evaluations(r.trajectory).grad for r in runs]
    assert counts[1][-1] < 200 and np.diff(counts[1]).max() > 1  # BFGS: several in a step
    loss = viz.loss_figure(runs, surface, x_axis="evals")
    lines = [t for t in loss.data if t.mode == "lines"]
    for line, count in zip(lines, counts, strict=True):
        np.testing.assert_array_equal(line.x, count)
    assert loss.layout.xaxis.title.text == "∇f evaluations"
    data = _view_against(surface, runs, "evals")["runs"]
    for path, count in zip(data["paths"], counts, strict=True):  # the browser's x for each line
        np.testing.assert_array_equal(plotly_array(path["evals"]), count)
    layout = data["loss"]["layout"]["xaxis"]
    assert layout["title"]["text"] == "∇f evaluations" and layout["range"] == [0, max(c[-1] for c in counts)]
    # no single vertical cursor: a dot on each run's line at the step shown
    dots = data["moving"]["loss"]
    assert [(d["path"], d["moving"], d["coords"], d["legendgroup"]) for d in dots] == [
        (i, "head", "loss", r.name) for i, r in enumerate(runs)]
    # where each run reached the minimum to machine precision: at its count then
    floors = [t for t in loss.data if t.name == "at the minimum"]
    assert floors and all(t.x[0] in {float(c[k]) for c in counts for k in range(201)} for t in floors)
    # the step lengths against the same counts, step k at the count after it
    lengths = viz.step_length_figure(runs, x_axis="evals")
    bfgs = next(t for t in lengths.data if t.name == runs[1].label)
    np.testing.assert_array_equal(bfgs.x, counts[1][bfgs.customdata])
    assert lengths.layout.xaxis.title.text == "∇f evaluations after step k"


def test_against_steps_nothing_changes_and_a_wrong_axis_is_refused():
    surface = surfaces.get("beale")
    runs = _runs(surface, ["sgd", "bfgs"], 50)
    data = _view_against(surface, runs, "steps")["runs"]
    assert all("evals" not in p for p in data["paths"])  # (no bytes for what is not shown)
    assert [t["name"] for t in data["moving"]["loss"]] == ["shown step"]
    assert data["loss"]["layout"]["xaxis"]["title"]["text"] == "step"
    assert _view(surface, runs)["runs"] == data  # the default
    with pytest.raises(ValueError, match="x_axis must be one of steps, evals; got 'time'"):
        viz.loss_figure(runs, surface, x_axis="time")
    with pytest.raises(ValueError, match="x_axis"):
        viz.step_length_figure(runs, x_axis="time")


def test_a_failed_line_search_gets_a_bar_on_the_loss_line_where_it_stopped():
    import scenes

    surface = surfaces.get(scenes.custom_spec("abs(x)+abs(y)", ((-3, 3), (-3, 3))))
    run = viz.Run("bfgs", "BFGS", optim_core.run("bfgs", surface, [1.5, -2.0], 30))
    k = int(optim_core.line_search_failed_step(run.trajectory))
    assert k == 2
    for x_axis, x in (("steps", k), ("evals", optim_core.evaluations(run.trajectory).grad[k])):
        bars = [t for t in viz.loss_figure([run], surface, x_axis=x_axis).data
                if t.name == "line search failed"]  # fmt: skip
        assert len(bars) == 1 and bars[0].x[0] == x
        assert bars[0].y[0] == pytest.approx(float(run.trajectory.loss[k]) - surface.min_value)
        assert "BFGS: line search failed at step 2" in bars[0].hovertemplate


def test_the_insides_trials_are_the_points_each_line_search_tried():
    from viz.race import insides_trials

    traj = optim_core.run("bfgs", "rosenbrock", [-1.2, 1.0], 20)
    points = insides_trials(traj)
    assert points.shape == (21, 20, 2) and np.all(np.isnan(points[-1]))
    for k in range(20):  # from w_k along p of step k + 1; its last one is w_{k+1}
        tried = int(traj.state["f_evals"][k + 1]) - (k == 0)
        assert np.all(np.isfinite(points[k, :tried])) and np.all(np.isnan(points[k, tried:]))
        if traj.state["alpha"][k + 1] > 0:
            np.testing.assert_allclose(points[k, tried - 1], traj.path[k + 1], rtol=1e-12)
    assert insides_trials(optim_core.run("adam", "rosenbrock", [-1.2, 1.0], 5)) is None
    race = viz.race_runs(surfaces.get("rosenbrock"), [viz.Run("bfgs", "BFGS", traj)],
                         insides=True)  # fmt: skip
    assert race["paths"][0]["trials"]["width"] == 20
    assert [t["moving"] for t in race["moving"]["plane"]].count("trials") == 1
