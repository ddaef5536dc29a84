"""The race view: what the browser draws for the race (static/race_view.js).

Three plotly.js graphs: the contour ("plane"), the 3-D surface ("scene") and the loss
against step ("loss"), with one Play/Pause and one step slider under the two views.

- ``static``: what depends only on the surface (the filled background, contour lines,
  click targets, minimizers and saddles, the 3-D surface, both layouts). The browser
  keeps it under ``key``, so it crosses the network once per surface and session.
- ``runs``: what depends on the runs. Each run's path (x, y, the 3-D height z and the
  loss line, as float32) carries an ``id``, a digest: the browser keeps paths by id,
  and ``RaceView.data`` leaves out the arrays of those it has, so a slider move sends
  the one run that changed. Traces carry ``"path": i`` instead of coordinates and the
  browser fills them in: whole for the drawn paths (``"coords": "loss"``: the loss
  line), a slice at the shown step for the moving ones (``"moving"``: a tail and a
  head in 2-D, a head in 3-D, the loss cursor). Play therefore needs no frames from
  the server: the browser steps through ``shown``.

Everything here is plain JSON (numpy arrays as plotly.js typed-array specs).
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from surfaces import Surface

from .figures import (
    COLORSCALE,
    EXIT_SYMBOL,
    X_AXES,
    Grid,
    Run,
    contour_lines,
    height_of,
    loss_figure,
    run_color,
    run_exit,
)
from .figures import surface_grid as _surface_grid
from .practice import KEPT_SYMBOL
from .style import symbol, symbol_3d

MAX_FRAMES = 300  # Play shows every step up to this many, evenly spaced ones above it
TAIL_STEPS = 12  # the moving tail behind each head, in steps
CLICK_CELLS = 41  # per side: the contour's invisible click (and hover) targets
VIEW_HEIGHT = 440  # px, each of the two views
LOSS_HEIGHT = 250  # px
# Presentation mode (a projector, the back of a room): taller views, larger type,
# thicker lines and bigger markers; see ``for_projector``.
PROJECTOR = {"view_height": 620, "loss_height": 330, "font": 1.45, "line": 2.0,
             "marker": 1.6, "margin": 1.3}  # fmt: skip


@dataclass(frozen=True)
class RaceView:
    """The race as the browser's race view draws it (see the module's doc)."""

    key: str  # a digest of ``static``: the browser keeps static parts under it
    static: dict
    runs: dict

    def data(self, *, frame_ms: float = 50, with_static: bool = True,
             known: frozenset[str] | set[str] = frozenset()) -> dict:  # fmt: skip
        """The component's data: JSON-ready; ``static`` left out when the browser has it,
        and the arrays of the paths whose ids are ``known``."""
        runs = self.runs
        if known:
            paths = [{"id": p["id"]} if p["id"] in known else p for p in runs["paths"]]
            runs = {**runs, "paths": paths}
            if runs.get("batch") and runs["batch"]["id"] in known:
                runs["batch"] = {"id": runs["batch"]["id"]}
        return {"key": self.key, "static": self.static if with_static else None,
                "runs": runs, "frame_ms": float(frame_ms)}  # fmt: skip

    def path_ids(self) -> list[str]:
        """The ids of the parts the browser keeps: the paths, and the batches' grids."""
        batch = self.runs.get("batch")
        return [p["id"] for p in self.runs["paths"]] + ([batch["id"]] if batch else [])


def for_projector(view: RaceView) -> RaceView:
    """``view`` drawn for a projector: every font, line width, marker size and margin
    scaled by ``PROJECTOR``'s factors, the views and the loss plot taller. The paths are
    the same (the browser keeps them); the surface's parts get a key of their own."""

    def scale(node, parent: str = ""):
        if isinstance(node, list):
            return [scale(v, parent) for v in node]
        if not isinstance(node, dict) or "bdata" in node:  # (a typed array: as it is)
            return node
        out = {}
        for key, value in node.items():
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                factor = {("line", "width"): PROJECTOR["line"],
                          ("marker", "size"): PROJECTOR["marker"]}.get((parent, key))  # fmt: skip
                if key == "size" and parent.endswith("font"):
                    factor = PROJECTOR["font"]
                elif parent == "margin":
                    factor = PROJECTOR["margin"]
                elif key == "height":
                    value, factor = (PROJECTOR["loss_height"] if value == LOSS_HEIGHT
                                     else PROJECTOR["view_height"]), 1  # fmt: skip
                out[key] = round(value * factor, 2) if factor else value
            else:
                out[key] = scale(value, key)
        return out

    static = scale(view.static)
    key = hashlib.sha1(json.dumps(static, sort_keys=True).encode()).hexdigest()[:16]
    return RaceView(key, static, {**scale(view.runs), "paths": view.runs["paths"]})


def frame_steps(steps: int, max_frames: int = MAX_FRAMES) -> np.ndarray:
    """The steps Play shows: every step, or evenly spaced ones above ``max_frames``."""
    count = min(steps, max_frames)
    return np.unique(np.round(np.linspace(0, steps, count + 1)).astype(int))


def click_grid(surface: Surface) -> tuple[np.ndarray, np.ndarray]:
    """x and y of the contour's click targets."""
    (x0, x1), (y0, y1) = surface.domain
    return np.linspace(x0, x1, CLICK_CELLS), np.linspace(y0, y1, CLICK_CELLS)


def clicked_point(surface: Surface, x: float, y: float) -> tuple[float, float]:
    """The click target nearest to a click, as the number it is meant to be (the
    browser's numbers are float32 ones, −1.8 arriving as −1.7999999523162842, and the
    grid's own carry float64 noise, −1.7999999999999998)."""
    gx, gy = click_grid(surface)
    return tuple(float(f"{float(g[np.argmin(np.abs(g - v))]):.12g}")
                 for g, v in ((gx, x), (gy, y)))  # fmt: skip


def jsonable(value):
    """``value`` with numpy arrays turned into plotly.js typed-array specs
    (``{"dtype": "f4", "bdata": base64}``: 4 bytes a number; nan is a gap)."""
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "iub":
            array, dtype = np.ascontiguousarray(value, dtype="<i4"), "i4"
        else:
            array, dtype = np.ascontiguousarray(value, dtype="<f4"), "f4"
        spec = {"dtype": dtype, "bdata": base64.b64encode(array.tobytes()).decode()}
        if array.ndim > 1:  # a matrix (a surface's or heatmap's z): rows of columns
            spec["shape"] = ",".join(str(n) for n in array.shape)
        return spec
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None  # (JSON has no nan or inf: a gap, as in the typed arrays)
    return value


def _aspect(width: float, height: float) -> dict[str, float]:
    """3-D box proportions: x and y to scale (the longer side 1), z 0.6."""
    longest = max(width, height)
    return dict(x=width / longest, y=height / longest, z=0.6)


def _z_range(grid: Grid) -> tuple[float, float, float]:
    """The heights' range and the lift that keeps 3-D paths above the surface."""
    z_lo, z_hi = float(np.nanmin(grid.height)), float(np.nanmax(grid.height))
    return z_lo, z_hi, 0.02 * (z_hi - z_lo)


def race_static(surface: Surface, grid: Grid | None = None,
                clickable: bool = True) -> tuple[str, dict]:  # fmt: skip
    """``(key, static)``: the two views' pictures of the surface, with their layouts.
    ``clickable``: cells that say f on hover and start a run on a click (a network's
    plane has no starts to pick: its hover then tells f at the grid's points)."""
    grid = grid or _surface_grid(surface)
    (x0, x1), (y0, y1) = surface.domain
    z_lo, z_hi, lift = _z_range(grid)
    plane: list[dict] = []
    # contour lines in a few traces, darker ones higher up (one trace a level made the
    # contour's first draw slower: 27 traces on Beale)
    bands = (np.array_split(np.arange(len(grid.contours)), min(4, len(grid.contours)))
             if grid.contours else [])  # (a flat surface has no contour lines)
    for band in (b for b in bands if len(b)):
        pts = np.concatenate([grid.contours[i][1] for i in band])  # each ends in a gap
        t = (grid.contours[band[len(band) // 2]][0] - z_lo) / (z_hi - z_lo or 1.0)
        plane.append(dict(
            type="scatter", x=pts[:, 0], y=pts[:, 1], mode="lines",
            line=dict(color=f"rgba(60,60,60,{0.25 + 0.35 * t:.2f})", width=1),
            hoverinfo="skip", showlegend=False,
        ))  # fmt: skip
    # an invisible grid of cells: hovering one says f, clicking starts there
    if clickable:
        gx, gy = click_grid(surface)
        gf = surface.f(np.stack(np.meshgrid(gx, gy), -1))
    else:
        gx, gy, gf = grid.x, grid.y, grid.f
    plane.append(dict(
        type="heatmap", x=gx, y=gy, z=gf, opacity=0.0, showscale=False,
        name="click to start here" if clickable else "f", zsmooth=False,
        hovertemplate="(%{x:.4~g}, %{y:.4~g}), f = %{z:.4~g}"
        + ("<br>click to start here" if clickable else "") + "<extra></extra>",
    ))  # fmt: skip
    if len(surface.minimizers):
        plane.append(dict(
            type="scatter", x=surface.minimizers[:, 0].tolist(),
            y=surface.minimizers[:, 1].tolist(), mode="markers",
            name="minimizer (found numerically)" if surface.found_numerically else "minimizer",
            marker=dict(symbol="star", size=16, color="gold", line=dict(color="black", width=1)),
            hovertemplate=("minimizer, found numerically" if surface.found_numerically else
                           "minimizer") + " (%{x:.4~g}, %{y:.4~g})<extra></extra>",
        ))  # fmt: skip
    if len(surface.saddles):
        plane.append(dict(
            type="scatter", x=surface.saddles[:, 0].tolist(), y=surface.saddles[:, 1].tolist(),
            mode="markers", name="saddle point",
            marker=dict(symbol="x-thin", size=12, color="#444", line=dict(color="#444", width=2)),
            hovertemplate="saddle (%{x:.4~g}, %{y:.4~g})<extra></extra>",
        ))  # fmt: skip
    plane_layout = dict(
        height=VIEW_HEIGHT, margin=dict(l=50, r=10, t=10, b=45), font=dict(size=14),
        # one unit as long on y as on x (a 20 × 6 ravine looks like one), in both views
        xaxis=dict(range=[x0, x1], title=dict(text=surface.axes[0]), constrain="domain",
                   showgrid=False, zeroline=False),
        yaxis=dict(range=[y0, y1], title=dict(text=surface.axes[1]), scaleanchor="x", scaleratio=1,
                   constrain="domain", showgrid=False, zeroline=False),
        images=[dict(source=grid.background, xref="x", yref="y", x=x0, y=y1, sizex=x1 - x0,
                     sizey=y1 - y0, sizing="stretch", layer="below")],
        # drawn apart, by the race view (a row above both views or a column beside them):
        # here its look only
        showlegend=False, legend=dict(font=dict(size=14), traceorder="normal"),
        hovermode="closest", plot_bgcolor="white", uirevision=surface.name,
    )  # fmt: skip
    scene = [dict(
        type="surface", x=grid.x, y=grid.y, z=grid.height, colorscale=COLORSCALE, opacity=0.85,
        showscale=True, colorbar=dict(title=dict(text=grid.height_label, side="right"),
                                      len=0.75, thickness=10, xpad=0),
        hoverinfo="skip", name="surface", contours=dict(z=dict(show=False)),
    )]  # fmt: skip
    scene_layout = dict(
        height=VIEW_HEIGHT, margin=dict(l=0, r=0, t=10, b=0), font=dict(size=14),
        scene=dict(
            xaxis=dict(range=[x0, x1], title=dict(text=surface.axes[0])),
            yaxis=dict(range=[y0, y1], title=dict(text=surface.axes[1])),
            # the height's scale and formula are the colour bar's: on the z axis its title
            # ran into the ticks (presentation mode) or was clipped at the left edge, and
            # its ticks piled onto the y axis's in large type
            zaxis=dict(range=[z_lo, z_hi + 2 * lift], title=dict(text=""), showticklabels=False),
            aspectmode="manual", aspectratio=_aspect(x1 - x0, y1 - y0),
            camera=dict(eye=dict(x=-1.5, y=-1.6, z=1.1)),
            hovermode=False,
        ),
        showlegend=False, uirevision=surface.name,
    )  # fmt: skip
    static = jsonable({"plane": {"data": plane, "layout": plane_layout},
                       "scene": {"data": scene, "layout": scene_layout}})  # fmt: skip
    key = hashlib.sha1(json.dumps(static, sort_keys=True).encode()).hexdigest()[:16]
    return key, static


ARROW_SHARE = 0.15  # the longest arrow of a kind: this share of the domain's longer side
ARROWS = {  # kind: (what it shows, line width, dash)
    "step": ("the step taken", 3.0, "solid"),
    "grad": ("−∇f, downhill", 1.5, "dot"),
    "mom": ("−m, the momentum's push", 1.5, "dash"),
}


def insides_arrows(surface: Surface, traj) -> dict[str, np.ndarray]:
    """Per step k (0..steps), for the insides view: the step taken next (w_{k+1} − w_k;
    zero at the last step), −∇f(w_k) and −m_k (optimizers with a momentum m), each
    ``(steps + 1, 2)``, scaled so that the longest of a kind is ARROW_SHARE of the
    domain and the others by the cube root of their length (directions exact; small
    ones stay visible)."""
    path = np.asarray(traj.path)
    (x0, x1), (y0, y1) = surface.domain
    span = ARROW_SHARE * max(x1 - x0, y1 - y0)
    vectors = {"step": np.vstack([np.diff(path, axis=0), np.zeros((1, 2))]),
               "grad": -surface.grad(path)}  # fmt: skip
    if "m" in traj.state:
        vectors["mom"] = -np.asarray(traj.state["m"])
    out = {}
    with np.errstate(all="ignore"):
        for kind, v in vectors.items():
            v = np.where(np.isfinite(v), v, np.nan)
            length = np.hypot(v[:, 0], v[:, 1])
            longest = np.nanmax(length) if np.any(length > 0) else 1.0
            scale = np.where(length > 0, span * np.cbrt(length / longest) / length, 0.0)
            out[kind] = v * scale[:, None]
    return out


DIRECTION_FIELDS = ("direction", "p", "d")  # where a line-search method keeps its direction


def insides_trials(traj) -> np.ndarray | None:
    """Per step k (0..steps), for the insides view: the points the line search of the
    next step tried, w_k + αᵢ p (``(steps + 1, T, 2)``, nan where it tried fewer and on
    the last step), true to scale; None for an optimizer without one."""
    state = traj.state
    field = next((f for f in DIRECTION_FIELDS if f in state), None)
    if "trials" not in state or field is None:
        return None
    path = np.asarray(traj.path)
    out = np.full((len(path), state["trials"].shape[-1], 2), np.nan)
    with np.errstate(all="ignore"):
        offsets = state["trials"][1:, :, None] * state[field][1:, None, :]
        out[:-1] = path[:-1, None, :] + offsets
    return np.where(np.isfinite(out), out, np.nan)


def race_runs(surface: Surface, runs: Sequence[Run], grid: Grid | None = None,
              *, max_frames: int = MAX_FRAMES, insides: bool = False,
              x_axis: str = "steps", kept: Mapping[str, int] | None = None) -> dict:  # fmt: skip
    """The runs' traces: paths, exits and the loss plot; the moving traces as templates.
    With ``insides``, arrows at the shown step (``insides_arrows``) move with the heads.
    ``x_axis``: the loss plot's, "steps" or "evals" (each run's ∇f evaluations after
    each step: its path then carries them, ``evals``, and a dot on each line marks the
    shown step instead of one vertical cursor). ``kept``: by run name, the step whose
    weights early stopping keeps, marked on the contour with a diamond."""
    grid = grid or _surface_grid(surface)
    (x0, x1), (y0, y1) = surface.domain
    z_lo, z_hi, lift = _z_range(grid)
    steps = runs[0].trajectory.steps if runs else 0

    def inside(path):
        return (path[:, 0] >= x0) & (path[:, 0] <= x1) & (path[:, 1] >= y0) & (path[:, 1] <= y1)

    loss = _loss_parts(surface, runs, steps, x_axis)
    paths = []
    for run, line, xs in zip(runs, loss.pop("lines"), loss.pop("xs"), strict=True):
        path = np.asarray(run.trajectory.path)
        z = height_of(surface, surface.f(path)) + lift
        z = np.where(inside(path), np.clip(z, z_lo, z_hi + lift), np.nan)
        arrays = jsonable({"x": path[:, 0], "y": path[:, 1], "z": z, "loss": line,
                           **({"evals": xs} if x_axis == "evals" else {})})  # fmt: skip
        if insides:
            arrays["arrows"] = jsonable({kind: {"x": v[:, 0], "y": v[:, 1]}
                                         for kind, v in insides_arrows(surface, run.trajectory).items()})  # noqa: E501
            trials = insides_trials(run.trajectory)
            if trials is not None:  # rows of T points: x and y flat, and T
                arrays["trials"] = {**jsonable({"x": trials[..., 0].ravel(),
                                                "y": trials[..., 1].ravel()}),
                                    "width": int(trials.shape[1])}  # fmt: skip
        paths.append({"id": _digest(arrays), **arrays})

    plane: list[dict] = []
    if runs:  # each distinct start once; with faint runs (workers), theirs: the strong
        # run (their center) starts at their mean, a point nobody chose
        chosen = [r for r in runs if r.faint] or runs
        starts = np.unique(np.array([r.trajectory.start for r in chosen], dtype=float), axis=0)
        plane.append(dict(
            type="scatter", x=starts[:, 0].tolist(), y=starts[:, 1].tolist(), mode="markers",
            name="start", marker=dict(symbol="circle-open", size=16, color="black",
                                      line=dict(width=2)),
            hovertemplate="start (%{x:.4~g}, %{y:.4~g})<extra></extra>",
        ))  # fmt: skip
    for i, run in enumerate(runs):
        lines = ((False, 1.2, 0.45),) if run.faint else ((True, 5, 0.9), (False, 2.5, 0.8))
        for halo, width, opacity in lines:  # a white halo below
            plane.append(dict(
                type="scatter", path=i, mode="lines",
                line=dict(color="white" if halo else run_color(run), width=width),
                opacity=opacity, name=f"{run.label} (halo)" if halo else run.label,
                legendgroup=run.name, showlegend=False, hoverinfo="skip",
            ))  # fmt: skip
    plane += _exit_markers(surface, runs, inside)
    for run in runs:
        if kept and run.name in kept:
            k = int(kept[run.name])
            w = np.asarray(run.trajectory.path[k], dtype=float)
            plane.append(dict(
                type="scatter", x=[float(w[0])], y=[float(w[1])], mode="markers",
                name=f"{run.label}: kept", legendgroup=run.name, showlegend=False,
                marker=dict(symbol=KEPT_SYMBOL, size=15, color=run_color(run),
                            line=dict(color="white", width=2)),
                hovertemplate=f"{run.label}: early stopping keeps these weights, step {k} "
                "(%{x:.4~g}, %{y:.4~g})<extra></extra>",
            ))  # fmt: skip
    scene = [dict(type="scatter3d", path=i, mode="lines",
                  line=dict(color=run_color(run), width=2 if run.faint else 5),
                  opacity=0.4 if run.faint else 0.8, name=run.label,
                  legendgroup=run.name, showlegend=False, hoverinfo="skip")
             for i, run in enumerate(runs)]  # fmt: skip

    moving_plane, moving_scene = [], []
    named: set[str] = set()  # one legend entry a name (K workers: one)
    for i, run in enumerate(runs):
        c = run_color(run)
        moving_plane.append(
            dict(
                type="scatter",
                path=i,
                moving="tail",
                mode="lines",
                line=dict(color=c, width=2 if run.faint else 4),
                opacity=0.6 if run.faint else 1.0,
                name=run.label,
                legendgroup=run.name,
                showlegend=False,
                hoverinfo="skip",
            )
        )
        if insides:  # arrows from the head: drawn before it, so that it sits on top
            if "trials" in paths[i]:  # the points its next line search tried, faint
                moving_plane.append(dict(
                    type="scatter", path=i, moving="trials", mode="markers",
                    marker=dict(color=c, size=7, symbol="circle-open", line=dict(width=1.5)),
                    opacity=0.55, name=run.label, legendgroup=run.name, showlegend=False,
                    hoverinfo="skip",
                ))  # fmt: skip
            kinds = ["step", "grad"] + (["mom"] if "m" in run.trajectory.state else [])
            for kind in kinds:
                _, width, dash = ARROWS[kind]
                moving_plane.append(dict(
                    type="scatter", path=i, moving="arrow", arrow=kind, mode="lines+markers",
                    line=dict(color=c, width=width, dash=dash), name=run.label,
                    marker=dict(symbol="arrow", size=[0, 11], color=c, angleref="previous"),
                    legendgroup=run.name, showlegend=False, hoverinfo="skip",
                ))  # fmt: skip
        # no hover: plotly.js would tell where the head was when last drawn, not now
        moving_plane.append(dict(type="scatter", path=i, moving="head", mode="markers",
                                 name=run.label, legendgroup=run.name,
                                 marker=dict(color=c, symbol=symbol(run.name),
                                             size=8 if run.faint else 13,
                                             line=dict(color="white", width=1.5)),
                                 opacity=0.7 if run.faint else 1.0,
                                 **({"showlegend": False} if run.name in named else {}),
                                 hoverinfo="skip"))  # fmt: skip
        named.add(run.name)
        # 3-D markers come in 8 shapes for more optimizers, but each has its own colour, the
        # legend's. Written beside the heads, names piled into one blob whenever runs were
        # close (the default Beale scene after a few steps); the scene has no hover.
        moving_scene.append(dict(type="scatter3d", path=i, moving="head", mode="markers",
                                 name=run.label, legendgroup=run.name, showlegend=False,
                                 marker=dict(color=c, symbol=symbol_3d(run.name),
                                             size=4 if run.faint else 7,
                                             line=dict(color="white", width=1)),
                                 hoverinfo="skip"))  # fmt: skip
    shown = frame_steps(steps, max_frames) if runs else np.array([0])
    stride = int(np.max(np.diff(shown))) if len(shown) > 1 else 1
    moving = {"plane": moving_plane, "scene": moving_scene, "loss": loss.pop("moving")}
    fit = None
    if surface.data is not None and surface.data.kind in FITS_DRAWN:
        fit = _fit_parts(surface, runs)
        moving["fit"] = fit.pop("moving")
    batch = _batch_parts(surface, runs)
    if batch is not None:  # the loss of the batch just taken, moving with the race
        moving["plane"] = [*BATCH_TRACES, *moving["plane"]]
        if fit is not None:
            moving["fit"] = [BATCH_EXAMPLES, *moving["fit"]]
    return jsonable({
        "steps": steps, "shown": shown.tolist(), "tail": max(TAIL_STEPS, stride),
        "paths": paths, "plane": plane, "scene": scene, "loss": loss, "fit": fit,
        "moving": moving, "batch": batch,
        # what the browser says it has drawn: a digest of the runs
        "revision": _digest([p["id"] for p in paths] + ([batch["id"]] if batch else [])),
    })  # fmt: skip


def race_view(surface: Surface, runs: Sequence[Run], grid: Grid | None = None, *,
              max_frames: int = MAX_FRAMES, insides: bool = False,
              x_axis: str = "steps", clickable: bool = True) -> RaceView:  # fmt: skip
    """The race view's data for ``runs`` (all ``record="path"``, the same steps)."""
    grid = grid or _surface_grid(surface)
    key, static = race_static(surface, grid, clickable)
    return RaceView(key, static, race_runs(surface, runs, grid, max_frames=max_frames,
                                           insides=insides, x_axis=x_axis))  # fmt: skip


def _digest(value) -> str:
    return hashlib.sha1(json.dumps(value, sort_keys=True).encode()).hexdigest()[:12]


def _exit_markers(surface: Surface, runs: Sequence[Run], inside) -> list[dict]:
    """A crossed circle where each run leaves (at its last point in view), with words;
    runs that leave close together share one marker, their messages stacked. (A faint
    run, a worker's copy, gets none: the strong run it follows says it.)"""
    (x0, x1), (y0, y1) = surface.domain
    exits: list[tuple] = []  # (x, y, run, exit) at the last point in view
    for run in runs:
        if run.faint:
            continue
        way_out = run_exit(surface, run.trajectory)
        if way_out is not None:
            path = np.asarray(run.trajectory.path)
            seen = np.flatnonzero(inside(path[: way_out.step]))
            last = path[seen[-1]] if len(seen) else path[0]
            exits.append((float(last[0]), float(last[1]), run, way_out))
    near = 0.2 * max(x1 - x0, y1 - y0)  # labels closer than this would overlap
    groups: list[list] = []
    for exit_ in exits:
        group = next((g for g in groups if math.dist(g[0][:2], exit_[:2]) <= near), None)
        if group is None:
            groups.append([exit_])
        else:
            group.append(exit_)
    out = []
    for group in groups:
        ex, ey = group[0][0], group[0][1]
        lines = [way_out.text(run.label) for _, _, run, way_out in group]
        c = run_color(group[0][2]) if len(group) == 1 else "#333333"
        side = "right" if ex < (x0 + x1) / 2 else "left"
        level = "bottom" if ey > (y0 + y1) / 2 else "top"
        out.append(dict(
            type="scatter", x=[ex], y=[ey], mode="markers+text",
            marker=dict(symbol=EXIT_SYMBOL, size=14, color=c, line=dict(width=2, color=c)),
            text=["<br>".join(lines)], cliponaxis=False, textposition=f"{level} {side}",
            textfont=dict(color=c, size=13), name=group[0][3].verb, showlegend=False,
            hovertemplate="<br>".join(lines) + "<extra></extra>",
        ))  # fmt: skip
    return out


def _loss_parts(surface: Surface, runs: Sequence[Run], steps: int,
                x_axis: str = "steps") -> dict:  # fmt: skip
    """The loss plot (loss_figure's traces and axes), its cursor's template (or, against
    ∇f evaluations, a dot a run), and each run's line (``lines``: its y at every step;
    ``xs``: its x, the step or the evaluations by then; the traces take them from the
    path)."""
    figure = loss_figure(runs, surface, height=LOSS_HEIGHT, x_axis=x_axis)
    data, lines, xs = [], [], []
    for trace in figure.data:  # exits: words on hover (written ones ran into the lines)
        trace = trace.to_plotly_json()
        if trace.get("mode") == "markers+text":
            trace["mode"] = "markers"
        if trace.get("mode") == "lines":  # one a run, in the runs' order
            lines.append(np.asarray(trace.pop("y"), dtype=float))
            xs.append(np.asarray(trace.pop("x"), dtype=float))
            trace = dict(trace, path=len(lines) - 1, coords="loss")
        data.append(dict(trace, showlegend=False))
    axis = figure.layout.yaxis
    values = np.concatenate(lines or [np.zeros(0)])
    values = values[np.isfinite(values) & ((values > 0) | (axis.type != "log"))]
    low, high = (float(values.min()), float(values.max())) if len(values) else (0.0, 1.0)
    right = max([float(np.nanmax(x)) for x in xs if np.isfinite(x).any()] or [steps])
    layout = dict(
        height=LOSS_HEIGHT, margin=dict(l=70, r=10, t=28 if figure.layout.annotations else 10,
                                        b=45), font=dict(size=14),
        xaxis=dict(title=dict(text=X_AXES[x_axis]), range=[0, max(right, 1)], showgrid=True),
        yaxis=dict(type=axis.type, title=dict(text=axis.title.text), exponentformat="power"),
        showlegend=False, hovermode="closest", uirevision="loss",
        annotations=[a.to_plotly_json() for a in figure.layout.annotations],
    )  # fmt: skip
    if axis.type == "log":  # the figure's readable ticks and range
        layout["yaxis"].update(range=list(axis.range), tickmode="array",
                               tickvals=list(axis.tickvals), ticktext=list(axis.ticktext))
    if x_axis == "steps":  # one step for all: a vertical line
        moving = [dict(type="scatter", moving="cursor", y=[low, high], mode="lines",
                       line=dict(color="#333", width=1.5, dash="dot"), showlegend=False,
                       name="shown step", hoverinfo="skip")] if runs else []  # fmt: skip
    else:  # each run at its own count: a dot on its line
        moving = [dict(type="scatter", path=i, moving="head", coords="loss", mode="markers",
                       name=run.label, legendgroup=run.name, showlegend=False, hoverinfo="skip",
                       marker=dict(color=run_color(run), symbol=symbol(run.name), size=10,
                                   line=dict(color="white", width=1)))
                  for i, run in enumerate(runs)]  # fmt: skip
    return {"data": data, "layout": layout, "moving": moving, "lines": lines, "xs": xs}


FIT_HEIGHT = LOSS_HEIGHT
# the data kinds whose model the race draws beside the loss (a line, a boundary); a
# sparse regression's ŷ = w·x over two inputs is a plane: no panel
FITS_DRAWN = ("regression", "classification")
CLASSES = ((1.0, "+1", "circle"), (-1.0, "−1", "square"))  # label, name, marker


BATCH_CELLS = 21  # per side: the grid each distinct batch's loss is traced on
BATCH_LEVELS = 6  # its contour lines
MAX_BATCHES = 400  # distinct batches drawn (a longer reshuffled race: its first ones)
BATCH_COLOR = "#ff1493"  # deep pink: no optimizer's colour
# The moving parts of the batch just taken: its loss's contour lines and its lowest
# point on the contour, its examples ringed beside the loss (race_view.js fills them at
# step k; all scatter traces, moved in the drawing like the heads, no replot)
BATCH_TRACES = (
    dict(type="scatter", moving="batch", mode="lines", name="the batch's loss",
         line=dict(color=BATCH_COLOR, width=1.2, dash="dot"), opacity=0.75,
         hoverinfo="skip", showlegend=False),
    dict(type="scatter", moving="batchmin", mode="markers", name="the batch's minimum",
         marker=dict(symbol="x-thin-open", size=14, color=BATCH_COLOR,
                     line=dict(color=BATCH_COLOR, width=3)),
         hoverinfo="skip", showlegend=False),
)  # fmt: skip
BATCH_EXAMPLES = dict(type="scatter", moving="batchfit", mode="markers",
                      name="the batch just taken", hoverinfo="skip", showlegend=False,
                      marker=dict(size=13, color="rgba(0,0,0,0)",
                                  line=dict(color=BATCH_COLOR, width=2.5)))  # fmt: skip


def batch_lines(surface: Surface, taken, max_batches: int = MAX_BATCHES) -> dict:
    """The loss of each distinct batch in ``taken`` (a run's batches, step by step; the
    first ``max_batches`` distinct ones), traced on a BATCH_CELLS² grid over the domain:
    ``index`` (steps,), which batch each step took (-1: one beyond the cap);
    ``lines`` (points, 2), every batch's contour lines one after another (nan between
    lines; of log₁₀(1 + f_B − min f_B) on a log-scaled surface, else of f_B), batch i's
    from ``starts[i]`` to ``starts[i + 1]``; ``low`` (batches, 2), the grid point where
    f_B is lowest (nan where that is on the grid's edge: the batch's minimum lies beyond
    the view); ``members``/``offsets``, each batch's examples."""
    (x0, x1), (y0, y1) = surface.domain
    xs, ys = np.linspace(x0, x1, BATCH_CELLS), np.linspace(y0, y1, BATCH_CELLS)
    points = np.stack(np.meshgrid(xs, ys), axis=-1)  # (cells, cells, 2): rows are y
    index, seen = _distinct(taken, max_batches)
    lines, starts, low = [], [0], np.empty((len(seen), 2))
    with np.errstate(all="ignore"):
        for i, members in enumerate(seen):
            f = surface.data.batch_loss(points, np.array(members))
            height = np.log10(1 + f - f.min()) if surface.log_scale else f
            traced = [p for _, p in contour_lines(xs, ys, height, BATCH_LEVELS)]
            lines.append(np.concatenate(traced) if traced else np.empty((0, 2)))
            starts.append(starts[-1] + len(lines[-1]))
            row, col = np.unravel_index(np.argmin(f), f.shape)
            inside = 0 < row < BATCH_CELLS - 1 and 0 < col < BATCH_CELLS - 1
            low[i] = points[row, col] if inside else np.nan  # (on the edge: beyond the view)
    members = [np.array(m) for m in seen]
    return {"index": index, "lines": np.concatenate(lines) if lines else
            np.empty((0, 2)), "starts": np.array(starts), "low": low,
            "members": np.concatenate(members) if members else np.empty(0, dtype=int),
            "offsets": np.cumsum([0, *map(len, members)])}  # fmt: skip


def _distinct(taken, max_batches: int) -> tuple[np.ndarray, dict[tuple, int]]:
    """Which distinct batch (as a set of examples) each step took, numbered in order of
    first use; -1 for those beyond the first ``max_batches``."""
    seen: dict[tuple, int] = {}
    index = []
    for b in taken:
        key = tuple(np.sort(b).tolist())
        if key not in seen and len(seen) < max_batches:
            seen[key] = len(seen)
        index.append(seen.get(key, -1))
    return np.array(index, dtype=np.int64), seen


def batch_index(taken, max_batches: int = MAX_BATCHES) -> np.ndarray:
    """Which drawn batch each step took (-1: beyond the first ``max_batches``)."""
    return _distinct(taken, max_batches)[0]


def _batch_parts(surface: Surface, runs: Sequence[Run]) -> dict | None:
    """The batch part of the race's data (every run took the same batches), its arrays
    JSON-ready, with an ``id`` by which the browser keeps it; None without batches."""
    if not runs or surface.data is None or surface.data.batch_loss is None:
        return None
    taken = runs[0].trajectory.taken
    if not taken:
        return None
    found = batch_lines(surface, taken)
    data = surface.data
    inputs = np.asarray(data.inputs, dtype=float)
    ex = (np.column_stack([inputs, data.targets]) if data.kind == "regression" else inputs)
    arrays = jsonable({"index": found["index"], "x": found["lines"][:, 0],
                       "y": found["lines"][:, 1], "starts": found["starts"],
                       "low": found["low"].ravel(), "members": found["members"],
                       "offsets": found["offsets"], "ex": ex.ravel()})  # fmt: skip
    return {"id": _digest(arrays), **arrays}


def _fit_parts(surface: Surface, runs: Sequence[Run]) -> dict:
    """A data surface's examples and, moving with the race, each run's model at the
    shown step: the line ŷ = w x + b (regression) or the boundary w·x = 0 between the
    classes (classification), from the run's point (w, b) or (w₁, w₂); dashed, the
    model at the minimum of the whole data's loss."""
    data = surface.data
    best = surface.minimizers[0]
    grey = "#9aa0a6"
    # the inputs drawn are the ones the loss sees: with standardize, (x − mean)/std
    scaled = " (standardized)" if surface.params.get("standardize") else ""
    held = data.val_targets is not None  # (the axes take in the held-out examples too)
    if data.kind == "regression":
        xs, ys = data.inputs, data.targets
        every_x = np.concatenate([xs, data.val_inputs]) if held else xs
        every_y = np.concatenate([ys, data.val_targets]) if held else ys
        lo, hi = float(every_x.min()), float(every_x.max())
        pad_x, pad_y = 0.05 * (hi - lo), 0.15 * float(np.ptp(every_y))
        shape = dict(fit="line", span=[lo - pad_x, hi + pad_x])
        static = [dict(type="scatter", x=xs, y=ys, mode="markers", name="examples",
                       marker=dict(color=grey, size=7, line=dict(color="white", width=1)),
                       hovertemplate="(%{x:.3g}, %{y:.3g})<extra></extra>")]  # fmt: skip
        best_x = np.array(shape["span"])
        best_y = best[0] * best_x + best[1]
        axes = dict(xaxis=dict(range=shape["span"], title=dict(text="x" + scaled)),
                    yaxis=dict(range=[float(every_y.min()) - pad_y,
                                      float(every_y.max()) + pad_y],
                               title=dict(text="y")))  # fmt: skip
    else:
        xs = data.inputs
        reach = 1.05 * float(np.max(np.abs(np.concatenate([xs, data.val_inputs]) if held
                                            else xs)))
        shape = dict(fit="boundary", span=[reach])
        static = [dict(type="scatter", x=xs[data.targets == label, 0],
                       y=xs[data.targets == label, 1], mode="markers", name=f"class {name}",
                       marker=dict(color=grey if label > 0 else "white", size=7, symbol=mark,
                                   line=dict(color="#5f6368", width=1.2)),
                       hovertemplate=f"class {name}: (%{{x:.3g}}, %{{y:.3g}})<extra></extra>")
                  for label, name, mark in CLASSES]  # fmt: skip
        direction = np.array([-best[1], best[0]]) / np.hypot(*best)
        ends = reach * np.outer([-1.0, 1.0], direction)  # the boundary's ends, ±reach
        best_x, best_y = ends[:, 0], ends[:, 1]
        axes = dict(xaxis=dict(range=[-reach, reach], title=dict(text="x₁" + scaled),
                               constrain="domain"),
                    yaxis=dict(range=[-reach, reach], title=dict(text="x₂" + scaled),
                               scaleanchor="x", constrain="domain"))  # fmt: skip
    if data.val_targets is not None:  # the held-out examples: open triangles, not fitted
        held = np.asarray(data.val_inputs, dtype=float)
        hx, hy = (held, data.val_targets) if data.kind == "regression" else (held[:, 0],
                                                                            held[:, 1])
        static.append(dict(type="scatter", x=hx, y=hy, mode="markers", name="held out",
                           marker=dict(color="#5f6368", size=8, symbol="triangle-up-open",
                                       line=dict(width=1.5)),
                           hovertemplate="held out: (%{x:.3g}, %{y:.3g})<extra></extra>"))
    static.append(dict(type="scatter", x=best_x, y=best_y, mode="lines", name="best fit",
                       line=dict(color="#333", width=1.5, dash="dash"), hoverinfo="skip",
                       showlegend=False))
    moving = [dict(type="scatter", path=i, moving="fit", mode="lines", name=run.label,
                   legendgroup=run.name, showlegend=False, hoverinfo="skip",
                   line=dict(color=run_color(run), width=1.2 if run.faint else 3),
                   opacity=0.45 if run.faint else 1.0, **shape)
              for i, run in enumerate(runs)]  # fmt: skip
    layout = dict(
        height=FIT_HEIGHT, margin=dict(l=55, r=10, t=30, b=45), font=dict(size=14),
        showlegend=False, hovermode="closest", uirevision="fit", **axes,
        title=dict(text="The data; " + ("each path's" if any(r.faint for r in runs) else
                                         "each optimizer's")
                   + (" line" if data.kind == "regression" else " boundary")
                   + " at the step shown", font=dict(size=14), x=0.02),
    )  # fmt: skip
    return {"data": static, "layout": layout, "moving": moving}


# What each optimizer's state field is, in the cheat sheet's symbols (column titles).
STATE_TITLES = {"m": "m", "v": "v", "D": "D", "v_hat": "v̂"}


def _vec(v) -> str:
    return f"({float(v[0]):.4g}, {float(v[1]):.4g})"


def step_numbers(surface: Surface, runs: Sequence[Run], step: int) -> list[dict[str, str]]:
    """Each run at ``step`` (its last step if it is shorter), as the numbers panel shows
    it: the point w, f(w), the gradient ∇f(w) there (and, with gradient noise or
    mini-batches, g: the gradient the next step was given), the optimizer's state after that
    many steps (m, v, …: blank where the optimizer has no such state) and the move the
    next step makes (w_{k+1} − w_k). Four significant digits."""
    fields = [f for f in STATE_TITLES if any(f in r.trajectory.state for r in runs)]
    stochastic = any(r.trajectory.noise or r.trajectory.batch for r in runs)
    rows = []
    for run in runs:
        tr = run.trajectory
        k = min(int(step), tr.steps)
        w = tr.path[k]
        row = {"optimizer": run.label, "w = (x, y)": _vec(w), "f(w)": f"{float(tr.loss[k]):.4g}",
               "∇f(w)": _vec(surface.grad(w))}  # fmt: skip
        if stochastic:  # the gradient the step was given: a batch's, or with noise
            row["g, the step's gradient"] = _vec(tr.grads[k]) if k < tr.steps else "—"
        for f in fields:
            row[STATE_TITLES[f]] = _vec(tr.state[f][k]) if f in tr.state else ""
        gone = int(tr.diverged_step)
        if 0 <= gone <= k + 1:  # it left the box for good there: its steps are not shown
            row["next step Δw"] = f"— diverged at step {gone}"
        else:
            row["next step Δw"] = _vec(tr.path[k + 1] - w) if k < tr.steps else "— (last step)"
        rows.append(row)
    return rows
