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
    # frames carry only the moving traces: 3 per optimizer
    assert all(len(f["data"]) == 6 and len(f["traces"]) == 6 for f in frames)
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
    marks = [t for t in fig["data"] if t.get("name") == "diverged"]
    assert len(marks) == 1
    assert marks[0]["text"][0].split("<br>") == [
        "SGD diverged at step 1",
        "Momentum diverged at step 1",
        "NAG diverged at step 1",
    ]
