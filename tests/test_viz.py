"""Figures: what is drawn, what moves, and how the size grows with steps."""

import numpy as np
import plotly.io as pio

import optim_core
import surfaces
import viz


def _runs(surface, names, steps, **hp):
    return [viz.Run(n, optim_core.get_optimizer(n).title,
                    optim_core.run(n, surface, surface.default_start, steps, **hp.get(n, {})))
            for n in names]  # fmt: skip


def test_race_figure_has_both_views_one_control_and_moving_frames():
    surface = surfaces.get("beale")
    runs = _runs(surface, ["sgd", "adam"], 120)
    fig = viz.race_figure(surface, runs).to_dict()
    types = [t["type"] for t in fig["data"]]
    assert "surface" in types and "scatter3d" in types and "scatter" in types
    assert len(fig["layout"]["updatemenus"]) == 1 and len(fig["layout"]["sliders"]) == 1
    assert fig["layout"]["images"][0]["source"].startswith("data:image/png;base64,")
    frames = fig["frames"]
    assert [f["name"] for f in frames] == [str(k) for k in range(121)]
    # frames carry only the moving traces: 3 per optimizer, and the loss panel's cursor
    assert all(len(f["data"]) == 7 and len(f["traces"]) == 7 for f in frames)
    assert [f["data"][-1]["x"] for f in frames[:2]] == [[0, 0], [1, 1]]
    moving = frames[0]["traces"]
    assert all(fig["data"][i]["type"] in ("scatter", "scatter3d") for i in moving)
    head = [float(frames[k]["data"][1]["x"][0]) for k in (0, 60, 120)]
    np.testing.assert_allclose(head, runs[0].trajectory.path[[0, 60, 120], 0], rtol=1e-6)
    # the same colour for an optimizer in every trace
    colours = {t["line"]["color"] for t in fig["data"] if t.get("name") == "SGD" and "line" in t}
    assert colours == {viz.color("sgd")}
    # axis ranges come from the domain
    assert fig["layout"]["xaxis"]["range"] == [-4.5, 4.5]


def test_figure_size_grows_linearly_with_steps():
    surface = surfaces.get("rosenbrock")
    hp = {"sgd": {"lr": 1e-3}}
    names = ["sgd", "momentum", "nag", "rmsprop", "adam"]
    size = {s: len(pio.to_json(viz.race_figure(surface, _runs(surface, names, s, **hp))))
            for s in (1000, 2000)}  # fmt: skip
    assert size[2000] <= 2.2 * size[1000], size
    assert size[1000] < 2_000_000


def test_long_runs_are_shown_in_at_most_max_frames():
    shown = viz.frame_steps(2000)
    assert len(shown) <= viz.MAX_FRAMES + 1 and shown[0] == 0 and shown[-1] == 2000


def test_divergence_is_marked_on_the_plot():
    surface = surfaces.get("rosenbrock")
    runs = _runs(surface, ["sgd"], 50, sgd={"lr": 1.0})
    k = int(runs[0].trajectory.diverged_step)
    fig = viz.race_figure(surface, runs).to_dict()
    texts = [t.get("text", [""])[0] for t in fig["data"] if t.get("text")]
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
    fig = viz.race_figure(surface, runs).to_dict()
    marks = [t for t in fig["data"] if t.get("name") == "diverged" and t.get("xaxis") != "x2"]
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
    assert len({(style.symbol_3d(n), style.short_name(n)) for n in names}) == len(names)
    surface = surfaces.get("beale")
    fig = viz.race_figure(surface, _runs(surface, names, 5)).to_dict()
    heads = {t["name"]: t for t in fig["data"] if t["type"] == "scatter" and t.get("mode") == "markers"
             and t.get("name") in {optim_core.get_optimizer(n).title for n in names}}
    assert len({t["marker"]["symbol"] for t in heads.values()}) == len(names)
    labels = [t["text"][0] for t in fig["data"] if t["type"] == "scatter3d" and t.get("text")]
    assert sorted(labels) == sorted(style.short_name(n) for n in names)


def test_hovering_the_contour_tells_f():
    surface = surfaces.get("himmelblau")
    fig = viz.race_figure(surface, _runs(surface, ["sgd"], 5))
    click = next(t for t in fig.data if t.name == "click to start here")
    assert "f = %{customdata" in click.hovertemplate
    points = np.column_stack([click.x, click.y]).astype(float)
    np.testing.assert_allclose(click.customdata, surface.f(points), rtol=1e-5, atol=1e-4)


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
    fig = viz.race_figure(surface, runs)
    lines = {t.name: np.asarray(t.y, dtype=float) for t in fig.data
             if getattr(t, "yaxis", None) == "y2" and t.mode == "lines"
             and t.name in ("SGD", "Adam")}  # fmt: skip
    assert np.flatnonzero(np.isfinite(lines["SGD"])).max() == 1
    assert np.isfinite(lines["Adam"]).sum() > 40


def test_a_click_sets_the_click_targets_exact_point_not_its_float32_copy():
    surface = surfaces.get("beale")
    fig = viz.race_figure(surface, _runs(surface, ["sgd"], 5))
    click = next(t for t in fig.data if t.name == "click to start here")
    sent = (float(np.float32(click.x[3])), float(np.float32(click.y[7 * 41])))  # sent back
    assert sent != (-4.5 + 3 * 9 / 40, -4.5 + 7 * 9 / 40)  # float32 noise
    x, y = viz.clicked_point(surface, *sent)
    assert (x, y) == (float(np.linspace(-4.5, 4.5, 41)[3]), float(np.linspace(-4.5, 4.5, 41)[7]))
    assert repr(x) == "-3.825"
