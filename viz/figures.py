"""Plotly figures of optimizer runs: the animated race (contour + 3-D) and the loss plot.

Animation design, checked in a real browser: every static picture (contour lines,
the filled background, the 3-D surface, the full paths) is drawn once; each frame
carries only the traces that move (a head marker and a short tail per optimizer),
so the figure grows linearly with the number of steps. The filled 2-D background is
a layout image, not a Contour/Heatmap trace: plotly.js drops trace-based fills beside
a 3-D scene while frames play (plotly.js #4596); contour lines are Scatter lines made
with contourpy, which stay.
"""

from __future__ import annotations

import base64
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass

import contourpy
import numpy as np
import plotly.graph_objects as go
from PIL import Image

from optim_core import NEAR_FRACTION, Trajectory, left_view_step, saddle_visit
from surfaces import Surface

from .style import color, short_name, symbol, symbol_3d

MAX_FRAMES = 300
# where a run leaves (diverges, blows up, leaves the view): a crossed circle, which no
# optimizer's marker is (AdaGrad's is a plain ✕)
EXIT_SYMBOL = "circle-x-open"  # drawn with lines: give it a line width
TAIL_STEPS = 12
# Greys for the landscape, so that no optimizer's colour blends into it (blue-green
# paths vanished on the blue-green map this used to be): low is light, high is dark.
COLORSCALE = [[0.0, "#fbfbfb"], [0.5, "#c8c8c8"], [1.0, "#7a7a7a"]]
_BG_STOPS = np.array([[253, 253, 253], [222, 222, 222], [178, 178, 178]], dtype=float)


@dataclass(frozen=True)
class Run:
    """One optimizer's trajectory as the figures show it."""

    name: str  # optimizer name: picks the colour and the symbol
    label: str  # legend text
    trajectory: Trajectory


@dataclass(frozen=True)
class Grid:
    """The surface sampled on a regular grid over its domain."""

    x: np.ndarray  # (nx,)
    y: np.ndarray  # (ny,)
    f: np.ndarray  # (ny, nx)
    height: np.ndarray  # (ny, nx), what colours and 3-D heights show
    height_label: str
    contours: list[tuple[float, np.ndarray]]  # (level, (n, 2) line points, nan-separated)
    background: str  # the filled colour map as a PNG data URI


@dataclass(frozen=True)
class Exit:
    """Where a run stops being shown: it diverged (a bounded surface) or, on a surface
    unbounded below, left the view downhill, which is the expected way out, or uphill
    (higher than it started), which is a blow-up."""

    step: int
    verb: str  # "diverged", "left the view" or "blew up uphill"

    def text(self, label: str) -> str:
        return f"{label} {self.verb} at step {self.step}"


def run_exit(surface: Surface, trajectory: Trajectory) -> Exit | None:
    """The run's exit, or None if it stays. On a surface unbounded below leaving the
    domain is reported (never as a failure); elsewhere the runner's divergence."""
    if not surface.bounded_below:
        path = np.asarray(trajectory.path)
        k, jumped = left_view_step(surface, path), int(trajectory.diverged_step)
        point = path[k] if k >= 0 else None
        if k < 0 and jumped >= 0:  # out of the box in one step: frozen inside the view
            k, point = jumped, np.asarray(trajectory.diverged_point)
        if k < 0:
            return None
        # leaving higher than it started is a blow-up, not the way out (nan: overflow)
        with np.errstate(all="ignore"):
            uphill = not float(surface.f(point)) < float(surface.f(path[0]))
        return Exit(k, "blew up uphill" if uphill else "left the view")
    k = int(trajectory.diverged_step)
    return Exit(k, "diverged") if k >= 0 else None


def height_of(surface: Surface, f: np.ndarray) -> np.ndarray:
    """The displayed height: log10(1 + f − f*) where the surface asks for a log scale."""
    f = np.asarray(f, dtype=float)
    if surface.log_scale:
        with np.errstate(invalid="ignore"):
            return np.log10(1.0 + np.maximum(f - surface.min_value, 0.0))
    return f


def surface_grid(surface: Surface, resolution: int = 121) -> Grid:
    (x0, x1), (y0, y1) = surface.domain
    x = np.linspace(x0, x1, resolution)
    y = np.linspace(y0, y1, resolution)
    X, Y = np.meshgrid(x, y)
    f = surface.f(np.stack([X, Y], -1))
    label = "log₁₀(1 + f − f*)" if surface.log_scale else "f"
    height = height_of(surface, f)
    return Grid(x, y, f, height, label, contour_lines(x, y, height), _background_png(height))


def _levels(height: np.ndarray, count: int) -> np.ndarray:
    # Quantiles put lines where the surface is, not where its extremes are.
    levels = np.unique(np.quantile(height, np.linspace(0.01, 0.97, count)))
    return levels


def contour_lines(x, y, height, count: int = 18) -> list[tuple[float, np.ndarray]]:
    """``(level, points)`` per level; points ``(n, 2)`` with nan rows between lines."""
    generator = contourpy.contour_generator(x, y, height)
    out = []
    for level in _levels(height, count):
        pieces = generator.lines(level)
        if not pieces:
            continue
        gap = np.full((1, 2), np.nan)
        out.append((float(level), np.concatenate([np.vstack([p, gap]) for p in pieces])))
    return out


def _background_png(h: np.ndarray) -> str:
    """The filled colour map as a PNG data URI (rows flipped: images start at the top)."""
    lo, hi = np.nanmin(h), np.nanmax(h)
    t = np.clip((h - lo) / (hi - lo if hi > lo else 1.0), 0, 1) * (len(_BG_STOPS) - 1)
    i = np.minimum(t.astype(int), len(_BG_STOPS) - 2)
    frac = (t - i)[..., None]
    rgb = _BG_STOPS[i] * (1 - frac) + _BG_STOPS[i + 1] * frac
    image = Image.fromarray(rgb[::-1].astype(np.uint8), "RGB")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def frame_steps(steps: int, max_frames: int = MAX_FRAMES) -> np.ndarray:
    """The step shown by each frame: every step, or evenly spaced ones above max_frames."""
    count = min(steps, max_frames)
    return np.unique(np.round(np.linspace(0, steps, count + 1)).astype(int))


def _f32(a) -> np.ndarray:
    # float32 arrays travel as base64 typed arrays (4 bytes a number); nan is a gap.
    return np.asarray(a, dtype=np.float32)


class AnimatedFigure(go.Figure):
    """A ``go.Figure`` whose frames stay plain dicts.

    Plotly validates every frame on construction (about 0.5 s for 300 frames, on
    every rerun of the page); these frames are built by this module from a fixed
    recipe, so they skip it. ``to_dict`` (used by ``to_json``, ``write_html``,
    ``show`` and Streamlit) returns them with the rest of the figure.
    """

    def __init__(self, data, layout, frames):
        super().__init__(data=data, layout=layout)
        self._raw_frames = frames

    def to_dict(self):
        fig = super().to_dict()
        fig["frames"] = self._raw_frames
        return fig


def race_figure(
    surface: Surface,
    runs: Sequence[Run],
    grid: Grid | None = None,
    *,
    frame_ms: int = 50,
    max_frames: int = MAX_FRAMES,
    height: int | None = None,
    clickable: bool = True,
    loss: bool = True,
) -> go.Figure:
    """Contour (left) and 3-D surface (right), with one play/pause and one step slider;
    with ``loss``, the loss against step below them, a cursor on the shown step.

    All runs must have ``record="path"`` and the same number of steps.
    """
    # fractions of the height: the views above, their controls, the loss panel below
    height = height or (820 if loss else 540)
    # (the buttons sit below the contour's x-axis labels and title)
    views_bottom, buttons_y, slider_y = (0.50, 0.435, 0.385) if loss else (0.26, 0.17, 0.10)
    grid = grid or surface_grid(surface)
    steps = runs[0].trajectory.steps if runs else 1
    (x0, x1), (y0, y1) = surface.domain
    z_lo, z_hi = float(np.nanmin(grid.height)), float(np.nanmax(grid.height))
    lift = 0.02 * (z_hi - z_lo)

    def inside(path):
        ok = (path[:, 0] >= x0) & (path[:, 0] <= x1) & (path[:, 1] >= y0) & (path[:, 1] <= y1)
        return ok

    def z_of(path):
        z = height_of(surface, surface.f(path)) + lift
        return np.where(inside(path), np.clip(z, z_lo, z_hi + lift), np.nan)

    data: list[dict] = []
    # ---- static, 2-D
    for level, pts in grid.contours:
        t = (level - z_lo) / (z_hi - z_lo or 1.0)
        data.append(dict(
            type="scatter", x=_f32(pts[:, 0]), y=_f32(pts[:, 1]), mode="lines",
            line=dict(color=f"rgba(60,60,60,{0.25 + 0.35 * t:.2f})", width=1),
            hoverinfo="skip", showlegend=False, xaxis="x", yaxis="y",
        ))  # fmt: skip
    if clickable:
        gx, gy = np.meshgrid(*click_grid(surface))
        gf = surface.f(np.stack([gx.ravel(), gy.ravel()], -1))
        data.append(dict(
            type="scatter", x=_f32(gx.ravel()), y=_f32(gy.ravel()), mode="markers",
            marker=dict(size=12, opacity=0.0, color="black"), name="click to start here",
            customdata=_f32(gf), hovertemplate="(%{x:.3g}, %{y:.3g}), f = %{customdata:.4g}"
            "<br>click to start here<extra></extra>", showlegend=False,
        ))  # fmt: skip
    if len(surface.minimizers):
        data.append(dict(
            type="scatter", x=surface.minimizers[:, 0].tolist(),
            y=surface.minimizers[:, 1].tolist(), mode="markers", name="minimizer",
            marker=dict(symbol="star", size=16, color="gold", line=dict(color="black", width=1)),
            hovertemplate="minimizer (%{x:.4g}, %{y:.4g})<extra></extra>",
        ))  # fmt: skip
    if len(surface.saddles):
        data.append(dict(
            type="scatter", x=surface.saddles[:, 0].tolist(), y=surface.saddles[:, 1].tolist(),
            mode="markers", name="saddle point",
            marker=dict(symbol="x-thin", size=12, color="#444", line=dict(color="#444", width=2)),
            hovertemplate="saddle (%{x:.4g}, %{y:.4g})<extra></extra>",
        ))  # fmt: skip
    if runs:
        start = runs[0].trajectory.start
        data.append(dict(
            type="scatter", x=[float(start[0])], y=[float(start[1])], mode="markers",
            name="start", marker=dict(symbol="circle-open", size=16, color="black",
                                      line=dict(width=2)),
            hovertemplate="start (%{x:.4g}, %{y:.4g})<extra></extra>",
        ))  # fmt: skip
    exits: list[tuple] = []  # (x, y, run, exit) at the last point in view
    for run in runs:
        tr = run.trajectory
        path = np.asarray(tr.path)
        for halo, width, opacity in ((True, 5, 0.9), (False, 2.5, 0.8)):  # a white halo below
            data.append(dict(
                type="scatter", x=_f32(path[:, 0]), y=_f32(path[:, 1]), mode="lines",
                line=dict(color="white" if halo else color(run.name), width=width),
                opacity=opacity, name=f"{run.label} (halo)" if halo else run.label,
                legendgroup=run.name, showlegend=False,
                hoverinfo="skip",
            ))  # fmt: skip
        way_out = run_exit(surface, tr)
        if way_out is not None:
            seen = np.flatnonzero(inside(path[: way_out.step]))
            last = path[seen[-1]] if len(seen) else path[0]
            exits.append((float(last[0]), float(last[1]), run, way_out))
    # runs that leave close together share one marker, their messages stacked
    near = 0.2 * max(x1 - x0, y1 - y0)  # labels closer than this would overlap
    groups: list[list] = []
    for exit_ in exits:
        group = next((g for g in groups if math.dist(g[0][:2], exit_[:2]) <= near), None)
        if group is None:
            groups.append([exit_])
        else:
            group.append(exit_)
    for group in groups:
        ex, ey = group[0][0], group[0][1]
        lines = [way_out.text(run.label) for _, _, run, way_out in group]
        c = color(group[0][2].name) if len(group) == 1 else "#333333"
        side = "right" if ex < (x0 + x1) / 2 else "left"
        level = "bottom" if ey > (y0 + y1) / 2 else "top"
        data.append(dict(
            type="scatter", x=[ex], y=[ey], mode="markers+text",
            marker=dict(symbol=EXIT_SYMBOL, size=14, color=c, line=dict(width=2, color=c)),
            text=["<br>".join(lines)],
            cliponaxis=False, textposition=f"{level} {side}",
            textfont=dict(color=c, size=13), name=group[0][3].verb, showlegend=False,
            hovertemplate="<br>".join(lines) + "<extra></extra>",
        ))  # fmt: skip
    # ---- static, 3-D
    data.append(dict(
        type="surface", x=_f32(grid.x), y=_f32(grid.y),
        z=_f32(grid.height), colorscale=COLORSCALE, opacity=0.85,
        # the colour bar inside the figure, right of the 3-D view: outside, it pushed
        # into the view on narrow screens
        showscale=True, colorbar=dict(title=dict(text=grid.height_label, side="right"),
                                      len=0.7 * (1 - views_bottom),
                                      y=(1 + views_bottom) / 2 - 0.05 * (1 - views_bottom),
                                      yanchor="middle", thickness=10, x=_SCENE_RIGHT + 0.01,
                                      xanchor="left", xpad=0),
        scene="scene", hoverinfo="skip", name="surface",
        contours=dict(z=dict(show=False)),
    ))  # fmt: skip
    # x, y, z of every step of every run, once: the 3-D paths show them whole, the
    # frames take slices
    xyz = []
    for run in runs:
        path = np.asarray(run.trajectory.path)
        xyz.append([_f32(path[:, 0]), _f32(path[:, 1]), _f32(z_of(path))])
    for run, (x, y, z) in zip(runs, xyz, strict=True):
        data.append(dict(
            type="scatter3d", x=x, y=y, z=z,
            mode="lines", line=dict(color=color(run.name), width=5), opacity=0.8,
            name=run.label, legendgroup=run.name, showlegend=False, hoverinfo="skip",
            scene="scene",
        ))  # fmt: skip
    # ---- moving: per run a 2-D tail, a 2-D head and a 3-D head
    if loss and runs:  # ---- static: the loss panel, from loss_figure's traces
        panel = loss_figure(runs, surface)
        for trace in panel.data:  # exits: words on hover (written ones ran into the slider)
            trace = trace.to_plotly_json()
            if trace.get("mode") == "markers+text":
                trace["mode"] = "markers"
            data.append(dict(trace, xaxis="x2", yaxis="y2", showlegend=False))
        panel = panel.layout
        values = np.concatenate([np.asarray(t["y"], dtype=float) for t in data
                                 if t.get("yaxis") == "y2" and t.get("mode") == "lines"])
        values = values[np.isfinite(values) & ((values > 0) | (panel.yaxis.type != "log"))]
        low, high = (float(values.min()), float(values.max())) if len(values) else (0.0, 1.0)
    shown = frame_steps(steps, max_frames)
    stride = int(np.max(np.diff(shown))) if len(shown) > 1 else 1
    tail = max(TAIL_STEPS, stride)
    moving_start = len(data)

    cursor = loss and bool(runs)

    def moving(k: int) -> list[dict]:
        out = []
        for x, y, z in xyz:
            lo = max(0, k - tail)
            out.append(dict(type="scatter", x=x[lo : k + 1], y=y[lo : k + 1]))
            out.append(dict(type="scatter", x=x[k : k + 1], y=y[k : k + 1]))
            out.append(dict(type="scatter3d", x=x[k : k + 1], y=y[k : k + 1], z=z[k : k + 1]))
        if cursor:  # the shown step on the loss panel
            out.append(dict(type="scatter", x=[k, k]))
        return out

    initial = moving(0)
    for i, run in enumerate(runs):
        first = initial[3 * i : 3 * i + 3]
        c, s = color(run.name), symbol(run.name)
        data.append(dict(first[0], mode="lines", line=dict(color=c, width=4),
                         name=run.label, legendgroup=run.name, showlegend=False,
                         hoverinfo="skip"))  # fmt: skip
        data.append(dict(first[1], mode="markers", name=run.label, legendgroup=run.name,
                         marker=dict(color=c, symbol=s, size=13,
                                     line=dict(color="white", width=1.5)),
                         hovertemplate=run.label + _XY_HOVER))  # fmt: skip
        # 3-D markers come in 8 shapes for 10 optimizers: the head also carries a name
        data.append(dict(first[2], mode="markers+text", scene="scene", name=run.label,
                         legendgroup=run.name, showlegend=False, text=[short_name(run.name)],
                         textposition="top center", textfont=dict(color=c, size=13),
                         marker=dict(color=c, symbol=symbol_3d(run.name), size=6,
                                     line=dict(color="white", width=1)),
                         hoverinfo="skip"))  # fmt: skip
    if cursor:
        data.append(dict(initial[-1], y=[low, high], mode="lines", xaxis="x2", yaxis="y2",
                         line=dict(color="#333", width=1.5, dash="dot"), showlegend=False,
                         name="shown step", hoverinfo="skip"))  # fmt: skip
    moving_indices = list(range(moving_start, len(data)))
    frames = [dict(name=str(k), data=moving(int(k)), traces=moving_indices) for k in shown]

    def animate(names, duration):
        return [names, dict(frame=dict(duration=duration, redraw=True), mode="immediate",
                            fromcurrent=True, transition=dict(duration=0))]  # fmt: skip

    layout = dict(
        height=height,
        margin=dict(l=10, r=10, t=30, b=10),
        # one unit is as long on y as on x (a 20 × 6 ravine looks like one), in both views
        xaxis=dict(domain=[0.0, 0.48], range=[x0, x1], title="x", constrain="domain",
                   showgrid=False, zeroline=False),
        yaxis=dict(domain=[views_bottom, 1.0], range=[y0, y1], title="y", scaleanchor="x",
                   scaleratio=1, constrain="domain", showgrid=False, zeroline=False),
        scene=dict(
            domain=dict(x=[0.52, _SCENE_RIGHT], y=[views_bottom, 1.0]),
            xaxis=dict(range=[x0, x1], title="x"), yaxis=dict(range=[y0, y1], title="y"),
            zaxis=dict(range=[z_lo, z_hi + 2 * lift], title=grid.height_label),
            aspectmode="manual", aspectratio=_aspect(x1 - x0, y1 - y0),
            camera=dict(eye=dict(x=-1.5, y=-1.6, z=1.1)),
        ),
        **(dict(
            xaxis2=dict(domain=[0.0, 1.0], anchor="y2", title="step", range=[0, steps],
                        showgrid=True),
            yaxis2=dict(domain=[0.0, 0.27], anchor="x2", type=panel.yaxis.type,
                        title=panel.yaxis.title.text, dtick=panel.yaxis.dtick,
                        exponentformat="power"),
        ) if cursor else {}),
        images=[dict(
            source=grid.background, xref="x", yref="y", x=x0, y=y1,
            sizex=x1 - x0, sizey=y1 - y0, sizing="stretch", layer="below",
        )],
        # above the views, bottom-anchored: the top margin grows as the legend wraps
        legend=dict(orientation="h", x=0.0, y=1.02, yanchor="bottom", font=dict(size=14)),
        font=dict(size=14),
        hovermode="closest",
        plot_bgcolor="white",
        uirevision=surface.name,
        updatemenus=[dict(
            # the buttons on a row of their own, the slider below: nothing overlaps at
            # any width (at 800 px and less Pause used to cover the slider's start)
            type="buttons", direction="left", x=0.0, y=buttons_y, xanchor="left",
            yanchor="top",
            pad=dict(t=0, r=10), showactive=False,
            buttons=[
                dict(label="▶ Play", method="animate", args=animate(None, frame_ms)),
                dict(label="❚❚ Pause", method="animate",
                     args=[[None], dict(frame=dict(duration=0, redraw=False),
                                        mode="immediate", transition=dict(duration=0))]),
            ],
        )],
        sliders=[dict(
            active=0, x=0.0, y=slider_y, len=1.0, xanchor="left", yanchor="top",
            pad=dict(t=0, b=0),
            currentvalue=dict(prefix="step ", xanchor="right", font=dict(size=16, color="#222")),
            font=dict(color="rgba(0,0,0,0)"), ticklen=0, minorticklen=0,  # 300 labels: hide
            transition=dict(duration=0),
            steps=[dict(label=str(k), method="animate", args=animate([str(k)], 0))
                   for k in shown],
        )],
    )  # fmt: skip
    return AnimatedFigure(data, layout, frames)


_SCENE_RIGHT = 0.88  # the 3-D view's right edge; its colour bar to the right of it


CLICK_CELLS = 41  # per side: the contour's invisible click targets


def click_grid(surface: Surface) -> tuple[np.ndarray, np.ndarray]:
    """x and y of the contour's click targets (sent as float32)."""
    (x0, x1), (y0, y1) = surface.domain
    return np.linspace(x0, x1, CLICK_CELLS), np.linspace(y0, y1, CLICK_CELLS)


def clicked_point(surface: Surface, x: float, y: float) -> tuple[float, float]:
    """The click target a click reports: its float64 coordinates (the browser sends
    float32 ones, so −1.8 arrives as −1.7999999523162842)."""
    gx, gy = click_grid(surface)
    return float(gx[np.argmin(np.abs(gx - x))]), float(gy[np.argmin(np.abs(gy - y))])


def _aspect(width: float, height: float) -> dict[str, float]:
    """3-D box proportions: x and y to scale (the longer side 1), z 0.6."""
    longest = max(width, height)
    return dict(x=width / longest, y=height / longest, z=0.6)


_XY_HOVER = "<br>(%{x:.4g}, %{y:.4g})<extra></extra>"


def loss_figure(runs: Sequence[Run], surface: Surface, height: int = 360) -> go.Figure:
    """Loss against step for every run: f − f* on a log axis where f* is known; on a
    surface unbounded below, f on a linear axis while the run is in view (the loss
    after it has left the picture only says how far it ran)."""
    log = math.isfinite(surface.min_value)
    fig = go.Figure()
    exits: dict[tuple[int, float], list[tuple[Run, Exit]]] = {}
    for run in runs:
        tr = run.trajectory
        loss = np.asarray(tr.loss, dtype=float)
        y = loss - surface.min_value if log else loss.copy()
        if log:
            y = np.where(y > 0, y, np.nan)  # exactly at the minimum: nothing to draw on a log axis
        way_out = run_exit(surface, tr)
        if way_out is not None:  # after it the run is frozen (or out of view): no line
            y[way_out.step + (1 if log else 0) :] = np.nan
        fig.add_scatter(
            x=np.arange(len(y)), y=y, mode="lines", name=run.label,
            line=dict(color=color(run.name), width=2.5), legendgroup=run.name,
        )  # fmt: skip
        if way_out is not None:
            k = way_out.step if log else way_out.step - 1  # the last point drawn
            exits.setdefault((k, float(y[k])), []).append((run, way_out))
    for (k, yk), left in exits.items():
        c = color(left[0][0].name) if len(left) == 1 else "#333333"
        text = "<br>".join(way_out.text(run.label) for run, way_out in left)
        # Runs leaving the view all end near the domain's lowest f, where written labels
        # would pile up: there the marker carries the words on hover (the table has them).
        fig.add_scatter(
            x=[k], y=[yk], mode="markers+text" if log else "markers", cliponaxis=False,
            showlegend=False, text=[text], textposition="top right", hovertemplate=text
            + "<extra></extra>", marker=dict(symbol=EXIT_SYMBOL, size=12, color=c,
                                              line=dict(width=2, color=c)),
            textfont=dict(color=c), name=left[0][1].verb,
        )  # fmt: skip
    fig.update_layout(
        height=height, margin=dict(l=10, r=10, t=30, b=10), font=dict(size=14),
        xaxis_title="step", yaxis_title="f − f*" if log else "f (while in view)",
        yaxis_type="log" if log else "linear", legend=dict(orientation="h", y=1.12),
        yaxis_dtick=1 if log else None, yaxis_exponentformat="power",
    )  # fmt: skip
    return fig


def step_length_figure(runs: Sequence[Run], height: int = 320,
                       max_points: int = 2000) -> go.Figure:  # fmt: skip
    """Length of every step, |w_{k+1} − w_k|, against k (log y), one line per run; a
    run that diverged ends where it left the box. Longer lines are drawn at evenly
    spaced steps."""
    fig = go.Figure()
    for run in runs:
        path = np.asarray(run.trajectory.path)
        length = np.hypot(*np.diff(path, axis=0).T)
        end = int(run.trajectory.diverged_step)
        if end >= 0:  # frozen after it: no steps to show
            length = length[: max(end - 1, 0)]
        length = np.where(length > 0, length, np.nan)
        k = np.arange(1, len(length) + 1)
        every = max(1, math.ceil(len(k) / max_points))
        fig.add_scatter(x=k[::every], y=length[::every], mode="lines", name=run.label,
                        line=dict(color=color(run.name), width=2.5),
                        hovertemplate=f"{run.label}: step %{{x}} moved %{{y:.3g}}<extra></extra>")
    return _log_against_step(fig, height, "step k", "|w_k − w_{k−1}|")


def saddle_distance_figure(
    runs: Sequence[Run], surface: Surface, radius: float, height: int = 360,
    max_points: int = 2000,
) -> go.Figure:
    """Distance from the saddle each run came closest to, against step (log axis),
    with the escape radius r and the "near" band r/10 drawn, each escape marked, and,
    on a surface bounded below, each blow-up. Lines longer than ``max_points`` are
    drawn at evenly spaced steps (the closest approach, the escape and the last step
    always among them)."""
    fig = go.Figure()
    for run in runs:
        tr = run.trajectory
        path = np.asarray(tr.path)
        visit = saddle_visit(surface, path, radius)
        if visit.saddle < 0:
            continue
        distance = np.hypot(*(path - surface.saddles[visit.saddle]).T)
        # at the saddle itself (a start on its stable line ends there): off the log axis
        distance = np.where(distance > 1e-12 * radius, distance, np.nan)
        # a blow-up: diverged with a minimum to go to, or uphill (above the saddle) without
        saddle_f = float(surface.f(surface.saddles[visit.saddle]))
        blew_up = int(tr.diverged_step) >= 0 and (
            surface.bounded_below or float(surface.f(path[-1])) > saddle_f
        )
        if int(tr.diverged_step) >= 0:  # the path stays frozen after it: the line ends
            distance = distance[: int(tr.diverged_step) + 1]
        shown = np.arange(0, len(distance), max(1, math.ceil(len(distance) / max_points)))
        marks = [visit.closest_step, visit.escape_step, len(distance) - 1]
        shown = np.union1d(shown, [k for k in marks if 0 <= k < len(distance)])
        fig.add_scatter(
            x=shown, y=distance[shown], mode="lines", name=run.label,
            line=dict(color=color(run.name), width=2.5), legendgroup=run.name,
        )  # fmt: skip
        # the escape, in the run's own symbol: the step it got beyond r, or, out of the
        # box in one jump (frozen at its last point inside), that point
        mark = None
        if not blew_up and visit.escape_step >= 0:
            mark = (visit.escape_step, f"escaped at step {visit.escape_step}")
        elif not blew_up and int(tr.diverged_step) >= 0 and visit.came_near:
            mark = (len(distance) - 1, f"escaped: out of the box at step {tr.diverged_step}")
        if mark is not None:
            fig.add_scatter(
                x=[mark[0]], y=[distance[mark[0]]], mode="markers", showlegend=False,
                legendgroup=run.name, name=f"{run.label} escaped",
                marker=dict(symbol=symbol(run.name), size=11, color=color(run.name),
                            line=dict(color="white", width=1)),
                hovertemplate=f"{run.label} {mark[1]}<extra></extra>",
            )  # fmt: skip
        if blew_up:
            k = int(tr.diverged_step)
            last = int(np.flatnonzero(np.isfinite(distance))[-1])
            fig.add_scatter(
                # no written label: several blow-ups pile up at the top of the plot (the
                # warning and the table say who and when; hover says it here)
                x=[last], y=[distance[last]], mode="markers", showlegend=False,
                legendgroup=run.name,
                marker=dict(symbol=EXIT_SYMBOL, size=13, color=color(run.name),
                            line=dict(width=2, color=color(run.name))),
                name=f"{run.label} diverged", hovertemplate=f"{run.label} blew up at step {k}"
                "<extra></extra>",
            )  # fmt: skip
    for level, text, anchor in (
        (radius, f"escape radius r = {radius:.3g}", "bottom"),
        (NEAR_FRACTION * radius, f"near: r/10 = {NEAR_FRACTION * radius:.3g}", "top"),
    ):
        fig.add_hline(y=level, line=dict(color="#777", dash="dash", width=1))
        # on a log axis an annotation's y is the exponent (add_hline's own label is not)
        fig.add_annotation(x=0, xref="paper", xanchor="left", y=math.log10(level), yref="y",
                           yanchor=anchor, text=text, showarrow=False,
                           font=dict(size=12, color="#555"))  # fmt: skip
    return _log_against_step(fig, height, "step", "distance from the saddle")


def _log_against_step(fig: go.Figure, height: int, x_title: str, y_title: str) -> go.Figure:
    """The layout of a per-step quantity on a log axis, legend on top."""
    fig.update_layout(
        height=height, margin=dict(l=10, r=10, t=30, b=10), font=dict(size=14),
        xaxis_title=x_title, yaxis_title=y_title, yaxis_type="log",
        yaxis_exponentformat="power", legend=dict(orientation="h", y=1.12),
    )  # fmt: skip
    return fig
