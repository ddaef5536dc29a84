"""Plotly figures of optimizer runs: the surface grid, the loss, step-length and
saddle-distance plots, and what every figure shares (runs, exits, heights). The race
view itself (contour + 3-D + loss, animated in the browser) is in ``viz.race``.
"""

from __future__ import annotations

import base64
import dataclasses
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass

import contourpy
import numpy as np
import plotly.graph_objects as go
from PIL import Image

from optim_core import (
    NEAR_FRACTION,
    Trajectory,
    divergence_box,
    effective_step_sizes,
    evaluations,
    left_view_step,
    line_search_failed_step,
    saddle_visit,
)
from surfaces import Surface

from .style import color, symbol

# where a run leaves (diverges, blows up, leaves the view): a crossed circle, which no
# optimizer's marker is (AdaGrad's is a plain ✕)
EXIT_SYMBOL = "circle-x-open"  # drawn with lines: give it a line width
# Greys for the landscape, so that no optimizer's colour blends into it (blue-green
# paths vanished on the blue-green map this used to be): low is light, high is dark.
COLORSCALE = [[0.0, "#fbfbfb"], [0.5, "#c8c8c8"], [1.0, "#7a7a7a"]]
_BG_STOPS = np.array([[253, 253, 253], [222, 222, 222], [178, 178, 178]], dtype=float)


@dataclass(frozen=True)
class Run:
    """One optimizer's trajectory as the figures show it."""

    name: str  # optimizer name: picks the colour and the symbol (and the legend's group)
    label: str  # legend text
    trajectory: Trajectory
    colour: str | None = None  # instead of the optimizer's
    faint: bool = False  # drawn thin and light, behind the others (a worker's local copy)


def run_color(run: Run) -> str:
    """The run's colour: its own, else its optimizer's."""
    return run.colour or color(run.name)


COMPANION_POINTS = ("z", "y")  # Schedule-Free's other two points, kept in its state


def with_companions(surface: Surface, runs: Sequence[Run]) -> list[Run]:
    """The runs, and before them (drawn behind) each Schedule-Free run's other two points,
    z (the base iterate) and y (where its gradient is taken), as faint paths in its
    colour under one legend entry "<label> z, y"; the run itself is x, the point
    evaluated. Runs without a z and a y in their recorded state have none."""
    companions = []
    for run in runs:
        state = run.trajectory.state
        if not all(k in state for k in COMPANION_POINTS):
            continue
        for k in COMPANION_POINTS:
            path = np.asarray(state[k])
            with np.errstate(all="ignore"):
                loss = surface.f(path)
            traj = dataclasses.replace(run.trajectory, path=path, loss=loss, state={},
                                       final_point=path[-1], final_loss=loss[-1])  # fmt: skip
            companions.append(Run(f"{run.name} z, y", f"{run.label} z, y", traj,
                                  colour=run_color(run), faint=True))  # fmt: skip
    return [*companions, *runs]


def d_figure(runs: Sequence[Run], height: int = 260) -> go.Figure:
    """Prodigy's step size estimate d against the step, one line per run that keeps a d
    (log scale: it grows from d₀ by orders of magnitude). Row 0 of the state is 0 (no
    estimate yet): the line starts at step 1, d₀."""
    fig = go.Figure()
    for run in runs:
        if "d" not in run.trajectory.state or np.ndim(run.trajectory.state["d"]) != 1:
            continue
        d = np.asarray(run.trajectory.state["d"], dtype=float)
        steps = np.arange(len(d))
        fig.add_trace(go.Scatter(
            x=steps[1:], y=d[1:], mode="lines", name=run.label, legendgroup=run.name,
            line=dict(color=run_color(run), width=2.5),
            hovertemplate="step %{x}: d = %{y:.4~g}<extra>" + run.label + "</extra>",
        ))  # fmt: skip
    fig.update_layout(
        height=height, margin=dict(l=60, r=20, t=20, b=40), template="plotly_white",
        xaxis=dict(title="step"), yaxis=dict(title="d", type="log", exponentformat="power"),
        showlegend=True,
    )  # fmt: skip
    return fig


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
        if _undefined_there(surface, trajectory, k):
            return Exit(k, UNDEFINED)
        return Exit(k, "blew up uphill" if uphill else "left the view")
    k = int(trajectory.diverged_step)
    if _undefined_there(surface, trajectory, k):
        return Exit(k, UNDEFINED)
    if k >= 0:
        return Exit(k, "diverged")
    # Not diverged, yet far outside the view at the end (it stalled out there, or was
    # coming back too slowly): it leaves the picture, at the start of that excursion.
    path = np.asarray(trajectory.path)
    low, high = divergence_box(surface)
    if not np.all((path[-1] >= low) & (path[-1] <= high)):
        (x0, x1), (y0, y1) = surface.domain
        x, y = path[:, 0], path[:, 1]
        inside = np.flatnonzero((x >= x0) & (x <= x1) & (y >= y0) & (y <= y1))
        return Exit(int(inside[-1]) + 1 if len(inside) else 0, LEFT_VIEW)
    return None


LEFT_VIEW = "left the view"


COINCIDE_SHARE = 0.01  # paths this close (a share of the domain's larger side) look one


def coinciding(surface: Surface, runs: Sequence[Run]) -> list[tuple[Run, Run]]:
    """Pairs of runs whose paths stay within COINCIDE_SHARE of the domain's larger side
    of each other at every step, so that their lines look like one in every view:
    ``(under, over)``, the later run's line drawn over the earlier's."""
    (x0, x1), (y0, y1) = surface.domain
    near = COINCIDE_SHARE * max(x1 - x0, y1 - y0)
    pairs = []
    for i, under in enumerate(runs):
        for over in runs[i + 1 :]:
            a, b = np.asarray(under.trajectory.path), np.asarray(over.trajectory.path)
            if a.shape == b.shape and np.all(np.hypot(*(a - b).T) <= near):
                pairs.append((under, over))
    return pairs


UNDEFINED = "stepped where f is undefined"  # a typed surface's log(x) left of the axis


def _undefined_there(surface: Surface, trajectory: Trajectory, step: int) -> bool:
    """Whether the run stopped at ``step`` because f or its gradient is undefined where
    it stands (a typed surface's log(x) left of the axis), not by an overflow or a jump."""
    if not surface.found_numerically or step < 0 or trajectory.path is None:
        return False
    point = np.asarray(trajectory.path[min(step, trajectory.steps)], dtype=float)
    with np.errstate(all="ignore"):
        return not (np.isfinite(surface.f(point)) and np.all(np.isfinite(surface.grad(point))))


def height_of(surface: Surface, f: np.ndarray) -> np.ndarray:
    """The displayed height: log10(1 + f − f*) where the surface asks for a log scale."""
    f = np.asarray(f, dtype=float)
    if surface.log_scale:
        with np.errstate(invalid="ignore"):
            return np.log10(1.0 + np.maximum(f - surface.min_value, 0.0))
    return f


def gap_name(surface: Surface) -> str:
    """What a log axis of the loss shows: f − f*, or f itself where 0 bounds it and no
    minimizer is known (a network's loss)."""
    return "f" if len(surface.minimizers) == 0 and surface.min_value == 0 else "f − f*"


def surface_grid(surface: Surface, resolution: int = 121) -> Grid:
    (x0, x1), (y0, y1) = surface.domain
    x = np.linspace(x0, x1, resolution)
    y = np.linspace(y0, y1, resolution)
    X, Y = np.meshgrid(x, y)
    f = surface.f(np.stack([X, Y], -1))
    label = f"log₁₀(1 + {gap_name(surface)})" if surface.log_scale else "f"
    height = height_of(surface, f)
    height = np.where(np.isfinite(height), height, np.nan)  # undefined: no colour, no line
    return Grid(x, y, f, height, label, contour_lines(x, y, height), _background_png(height))


def _levels(height: np.ndarray, count: int) -> np.ndarray:
    # Quantiles put lines where the surface is, not where its extremes are.
    levels = np.unique(np.nanquantile(height, np.linspace(0.01, 0.97, count)))
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
    """The filled colour map as a PNG data URI (rows flipped: images start at the top);
    white where f is undefined (a typed log(x) left of the y axis)."""
    undefined = ~np.isfinite(h)
    lo, hi = (float(np.min(h[~undefined])), float(np.max(h[~undefined]))) if (
        ~undefined).any() else (0.0, 1.0)  # fmt: skip
    h = np.where(undefined, lo, h)
    t = np.clip((h - lo) / (hi - lo if hi > lo else 1.0), 0, 1) * (len(_BG_STOPS) - 1)
    i = np.minimum(t.astype(int), len(_BG_STOPS) - 2)
    frac = (t - i)[..., None]
    rgb = _BG_STOPS[i] * (1 - frac) + _BG_STOPS[i + 1] * frac
    rgb[undefined] = 255
    image = Image.fromarray(rgb[::-1].astype(np.uint8), "RGB")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


MACHINE_FLOOR = 1e-16  # f − f* below this is the minimum to machine precision: not drawn
MAX_TICK_LABELS = 8
_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _tick_text(value: float) -> str:
    """A log axis's label: 0.5, 20, 10⁻⁸, 2×10⁻⁸ (what a projector shows legibly)."""
    exponent = math.floor(math.log10(value) + 1e-9)
    mantissa = round(value / 10.0**exponent)
    if -2 <= exponent <= 3:
        return f"{value:g}"
    power = "10" + str(exponent).translate(_SUPERSCRIPT)
    return power if mantissa == 1 else f"{mantissa}×{power}"


def log_axis(values) -> dict:
    """A log axis a reader can read for these values (those > 0 and finite count): its
    range and at least 3, at most MAX_TICK_LABELS labelled ticks — every decade, or every
    k-th when there are many, or 1-2-5 steps inside a decade or two (the range widened
    to the next of those when fewer than 3 fall inside)."""
    v = np.asarray(values, dtype=float).ravel()
    v = v[np.isfinite(v) & (v > 0)]
    lo, hi = (float(v.min()), float(v.max())) if len(v) else (0.1, 10.0)
    a, b = math.log10(lo), math.log10(hi)
    d0, d1 = math.floor(a + 1e-9), math.ceil(b - 1e-9)
    if b - a >= 2:  # two decades or more: decades, every k-th
        d0, d1 = math.ceil(a - 1e-9), math.floor(b + 1e-9)  # the decades inside
        k = math.ceil((d1 - d0 + 1) / MAX_TICK_LABELS)
        first = math.ceil(d0 / k) * k  # multiples of k: 10⁰ labelled when in range
        ticks = [10.0**d for d in range(first, d1 + 1, k)]
        while len(ticks) < 3:  # (k = 1 here: only when the range is barely 2 decades)
            ticks = [ticks[0] / 10, *ticks]
    else:
        grid = [m * 10.0**d for d in range(d0 - 1, d1 + 2) for m in (1, 2, 5)]
        ticks = [t for t in grid if lo * (1 - 1e-9) <= t <= hi * (1 + 1e-9)]
        below = [t for t in grid if t < lo * (1 - 1e-9)]
        above = [t for t in grid if t > hi * (1 + 1e-9)]
        while len(ticks) < 3:  # widen to the neighbouring 1-2-5 ticks, alternately
            if above and (len(ticks) % 2 == 0 or not below):
                ticks.append(above.pop(0))
            else:
                ticks.insert(0, below.pop())
    a, b = min(a, math.log10(ticks[0])), max(b, math.log10(ticks[-1]))
    pad = 0.04 * max(b - a, 0.3)
    return dict(type="log", range=[a - pad, b + pad], tickmode="array", tickvals=ticks,
                ticktext=[_tick_text(t) for t in ticks])


# The x-axis of the loss and step-length plots: steps, or the gradient evaluations each
# run had taken by then (a fair race where one step may cost several: a line search's)
X_AXES = {"steps": "step", "evals": "∇f evaluations"}


def x_positions(run: Run, x_axis: str = "steps") -> np.ndarray:
    """Where each step k = 0 … steps of ``run`` sits on the x-axis ``(steps + 1,)``: k
    itself, or (``"evals"``) the ∇f evaluations it had taken after k steps
    (``optim_core.evaluations``)."""
    if x_axis not in X_AXES:
        raise ValueError(f"x_axis must be one of {', '.join(X_AXES)}; got {x_axis!r}")
    if x_axis == "evals":
        return evaluations(run.trajectory).grad.astype(float)
    return np.arange(run.trajectory.steps + 1, dtype=float)


def loss_figure(runs: Sequence[Run], surface: Surface, height: int = 360,
                x_axis: str = "steps") -> go.Figure:  # fmt: skip
    """Loss against step (or, ``x_axis="evals"``, against the ∇f evaluations taken by
    then) for every run: f − f* on a log axis where f* is known; on a surface unbounded
    below, f on a linear axis while the run is in view (the loss after it has left the
    picture only says how far it ran). A run whose line search failed gets a bar where
    it did."""
    log = math.isfinite(surface.min_value)
    gap = gap_name(surface) if log else "f"
    bound = log and gap == "f"  # (a network's loss: bounded by 0, no minimizer known)
    title = "loss" if bound else gap
    fig = go.Figure()
    exits: dict[tuple[float, float], list[tuple[Run, Exit]]] = {}
    floors: list[tuple[Run, int, float]] = []  # (run, first step below MACHINE_FLOOR, its x)
    failures: list[tuple[Run, int, float, float]] = []  # (run, step, x, y)
    for run in runs:
        tr = run.trajectory
        xs = x_positions(run, x_axis)
        loss = np.asarray(tr.loss, dtype=float)
        y = loss - surface.min_value if log else loss.copy()
        if log:  # at the minimum to machine precision: nothing to draw on a log axis
            below = np.flatnonzero(y < MACHINE_FLOOR)
            if len(below):
                floors.append((run, int(below[0]), float(xs[below[0]])))
            y = np.where(y >= MACHINE_FLOOR, y, np.nan)
        way_out = run_exit(surface, tr)
        if way_out is not None:  # from it on the run is out of the box (or view): no line
            y[way_out.step :] = np.nan
        fig.add_scatter(
            x=xs, y=y, mode="lines", name=run.label, opacity=0.5 if run.faint else 1.0,
            line=dict(color=run_color(run), width=1.2 if run.faint else 2.5),
            legendgroup=run.name,
        )  # fmt: skip
        if way_out is not None and not run.faint:  # (a faint run's: its strong run's)
            k = max(way_out.step - 1, 0)  # the last point drawn
            exits.setdefault((float(xs[k]), float(y[k])), []).append((run, way_out))
        failed = int(line_search_failed_step(tr))  # (-1: none failed)
        if failed > 0 and np.isfinite(y[failed]):  # (not drawn: below the floor, or gone)
            failures.append((run, failed, float(xs[failed]), float(y[failed])))
    for (xk, yk), left in exits.items():
        c = run_color(left[0][0]) if len(left) == 1 else "#333333"
        text = "<br>".join(way_out.text(run.label) for run, way_out in left)
        # Runs leaving the view all end near the domain's lowest f, where written labels
        # would pile up: there the marker carries the words on hover (the table has them).
        fig.add_scatter(
            x=[xk], y=[yk], mode="markers+text" if log else "markers", cliponaxis=False,
            showlegend=False, text=[text], textposition="top right", hovertemplate=text
            + "<extra></extra>", marker=dict(symbol=EXIT_SYMBOL, size=12, color=c,
                                              line=dict(width=2, color=c)),
            textfont=dict(color=c), name=left[0][1].verb,
        )  # fmt: skip
    floor_text = (f"{title} below {_tick_text(MACHINE_FLOOR)}: "
                  + ("0 to machine precision" if bound else
                     "the minimum to machine precision"))  # fmt: skip
    for run, k, xk in floors:  # said, not plotted: a ▼ on the floor where the line stops
        c = run_color(run)
        text = (f"{run.label} reached " + ("0" if bound else "the minimum")
                + f" to machine precision at step {k}") + (
            f" ({xk:.0f} ∇f evaluations)" if x_axis == "evals" else "")
        fig.add_scatter(
            x=[xk], y=[MACHINE_FLOOR], mode="markers", cliponaxis=False, showlegend=False,
            name="at the minimum", hovertemplate=f"{text}<br>({floor_text})<extra></extra>",
            marker=dict(symbol="triangle-down", size=12, color=c, line=dict(width=1, color=c)),
            legendgroup=run.name,
        )  # fmt: skip
    for run, k, xk, yk in failures:  # a bar across the line where the run stopped
        c = run_color(run)
        text = (f"{run.label}: line search failed at step {k}"
                + (f" ({xk:.0f} ∇f evaluations)" if x_axis == "evals" else "")
                + "; it stays at its last point from there")  # fmt: skip
        fig.add_scatter(
            x=[xk], y=[yk], mode="markers", cliponaxis=False, showlegend=False,
            name="line search failed", hovertemplate=f"{text}<extra></extra>",
            marker=dict(symbol="line-ns-open", size=16, color=c, line=dict(width=3, color=c)),
            legendgroup=run.name,
        )  # fmt: skip
    fig.update_layout(
        height=height, margin=dict(l=10, r=10, t=30, b=10), font=dict(size=14),
        xaxis_title=X_AXES[x_axis], yaxis_title=title if log else "f (while in view)",
        yaxis_type="log" if log else "linear", legend=dict(orientation="h", y=1.12),
    )  # fmt: skip
    if log:
        values = [np.asarray(t.y, dtype=float) for t in fig.data if t.mode == "lines"]
        shown = np.concatenate(values + [np.array([MACHINE_FLOOR] if floors else [])])
        fig.update_layout(yaxis=log_axis(shown))
        if floors:
            fig.add_annotation(text=f"▼ {floor_text}", xref="paper", yref="paper", x=1, y=1,
                               xanchor="right", yanchor="bottom", showarrow=False,
                               font=dict(size=12, color="#555"))  # fmt: skip
    return fig


def step_length_figure(runs: Sequence[Run], height: int = 320, max_points: int = 2000,
                       x_axis: str = "steps") -> go.Figure:  # fmt: skip
    """Length of every step, |w_k − w_{k−1}|, against k (or, ``x_axis="evals"``, the
    ∇f evaluations taken after step k) (log y), one line per run; a run that diverged
    ends where it left the box. Longer lines are drawn at evenly spaced steps."""
    fig = go.Figure()
    for run in runs:
        path = np.asarray(run.trajectory.path)
        length = np.hypot(*np.diff(path, axis=0).T)
        end = int(run.trajectory.diverged_step)
        if end >= 0:  # frozen after it: no steps to show
            length = length[: max(end - 1, 0)]
        length = np.where(length > 0, length, np.nan)
        every = max(1, math.ceil(len(length) / max_points))
        line = dict(color=run_color(run), width=2.5)
        if x_axis == "steps":  # steps as x0 + i·dx and lengths as float32: a quarter of the bytes
            fig.add_scatter(x0=1, dx=every, y=length[::every].astype(np.float32), mode="lines",
                            name=run.label, line=line,
                            hovertemplate=f"{run.label}: step %{{x}} moved %{{y:.3g}}"
                            "<extra></extra>")  # fmt: skip
            continue
        k = np.arange(1, len(length) + 1)[::every]
        fig.add_scatter(x=x_positions(run, x_axis)[k].astype(np.float32),
                        y=length[k - 1].astype(np.float32), customdata=k, mode="lines",
                        name=run.label, line=line,
                        hovertemplate=f"{run.label}: step %{{customdata}} (after %{{x}} ∇f "
                        "evaluations) moved %{y:.3g}<extra></extra>")  # fmt: skip
    x_title = "step k" if x_axis == "steps" else "∇f evaluations after step k"
    return _log_against_step(fig, height, x_title, "|wₖ − wₖ₋₁|")


def lr_figure(runs: Sequence[Run], height: int = 300) -> go.Figure:
    """α at every step t = 1 … steps, α·schedule(t), one line per run that has an α
    (log y): a constant α is a flat line. The hover tells the schedule."""
    fig = go.Figure()
    for run in runs:
        tr = run.trajectory
        if "lr" not in tr.hyperparams:
            continue
        t = np.arange(1, tr.steps + 1)
        if tr.lr_used is not None:  # a schedule that watched the loss: the α it chose
            alpha = np.asarray(tr.lr_used, dtype=float)
        else:
            alpha = tr.hyperparams["lr"] * (tr.schedule(t) if tr.schedule else np.ones(len(t)))
        alpha = np.where(alpha > 0, alpha, np.nan)  # (a cosine down to 0: off the log axis)
        fig.add_scatter(x0=1, dx=1, y=alpha.astype(np.float32), mode="lines", name=run.label,
                        line=dict(color=run_color(run), width=2.5),
                        hovertemplate=f"{run.label}: α = %{{y:.3g}} at step %{{x}}"
                        "<extra></extra>")  # fmt: skip
    return _log_against_step(fig, height, "step t", "α at step t")


def step_size_figure(runs: Sequence[Run], height: int = 340,
                     max_points: int = 2000) -> go.Figure:  # fmt: skip
    """The step size each optimizer applied, per coordinate, against step (log y), from
    its recorded state (``optim_core.effective_step_sizes``): x solid, y dotted. Newton's
    methods have none (their step mixes the coordinates) and are left out."""
    fig = go.Figure()
    for run in runs:
        size = effective_step_sizes(run.trajectory)
        if size is None:
            continue
        end = int(run.trajectory.diverged_step)
        if end >= 0:
            size = size[: max(end - 1, 0)]
        every = max(1, math.ceil(len(size) / max_points))
        for axis, dash in ((0, "solid"), (1, "dot")):
            name = "xy"[axis]
            fig.add_scatter(
                x0=1, dx=every, y=size[::every, axis].astype(np.float32), mode="lines",
                name=f"{run.label}, {name}", legendgroup=run.name,
                line=dict(color=run_color(run), width=2.5, dash=dash),
                hovertemplate=f"{run.label}: step %{{x}}, step size in {name} "
                "%{y:.3g}<extra></extra>",
            )  # fmt: skip
    return _log_against_step(fig, height, "step k", "step size per coordinate")


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
            line=dict(color=run_color(run), width=2.5), legendgroup=run.name,
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
                marker=dict(symbol=symbol(run.name), size=11, color=run_color(run),
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
                marker=dict(symbol=EXIT_SYMBOL, size=13, color=run_color(run),
                            line=dict(width=2, color=run_color(run))),
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
    """The layout of a per-step quantity on a log axis, legend on top; room for the
    axes' labels whatever template draws it (Streamlit's, or none in the race view)."""
    fig.update_layout(
        height=height, margin=dict(l=80, r=10, t=40, b=55), font=dict(size=14),
        xaxis_title=x_title, yaxis_title=y_title, yaxis_type="log",
        yaxis_exponentformat="power", legend=dict(orientation="h", y=1.12),
        xaxis_automargin=True, yaxis_automargin=True,
    )  # fmt: skip
    return fig


def minimum_and_square_axes(fig: go.Figure, surface: Surface, col: int,
                            size: int = 15) -> None:  # fmt: skip
    """In subplot (1, ``col``) of a side-by-side landscape figure: the surface's minimizers
    as gold stars (in the legend once) and its domain on axes with one unit as long on y
    as on x, so a ravine looks like one, a bowl round."""
    (x0, x1), (y0, y1) = surface.domain
    ref = "" if col == 1 else str(col)
    best = surface.minimizers
    fig.add_scatter(x=best[:, 0], y=best[:, 1], mode="markers", name="minimum",
                    showlegend=col == 1, legendgroup="minimum",
                    marker=dict(symbol="star", size=size, color="gold",
                                line=dict(color="black", width=1)),
                    hovertemplate="minimum (%{x:.4g}, %{y:.4g})<extra></extra>",
                    row=1, col=col)  # fmt: skip
    fig.update_xaxes(range=[x0, x1], title_text=surface.axes[0], constrain="domain",
                     showgrid=False, zeroline=False, row=1, col=col)  # fmt: skip
    fig.update_yaxes(range=[y0, y1], title_text=surface.axes[1], scaleanchor=f"x{ref}",
                     scaleratio=1, constrain="domain", showgrid=False, zeroline=False,
                     row=1, col=col)  # fmt: skip


def landscape_background(fig: go.Figure, surface: Surface, grid: Grid, col: int) -> dict:
    """In subplot (1, ``col``): the surface's contour lines, one trace; returns its filled
    picture as a layout image for the caller's ``images`` (under the traces)."""
    (x0, x1), (y0, y1) = surface.domain
    ref = "" if col == 1 else str(col)
    gap = np.full((1, 2), np.nan)  # every contour line in one trace (nan between)
    lines = np.concatenate([np.vstack([p, gap]) for _, p in grid.contours] or [gap])
    lines = lines.astype(np.float32)  # (4 bytes a number: ample for a picture)
    fig.add_scatter(x=lines[:, 0], y=lines[:, 1], mode="lines", hoverinfo="skip",
                    line=dict(color="rgba(90,90,90,0.45)", width=1), showlegend=False,
                    name="contour lines", row=1, col=col)  # fmt: skip
    return dict(source=grid.background, xref=f"x{ref}", yref=f"y{ref}", x=x0, y=y1,
                sizex=x1 - x0, sizey=y1 - y0, sizing="stretch", layer="below")
