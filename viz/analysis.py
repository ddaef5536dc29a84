"""Plotly figures of the analyses: escape steps, basin maps and hyperparameter sweeps."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from optim_core import BasinMap, Escapes, Sweep, divergence_threshold, get_optimizer
from surfaces import Surface

from .figures import Grid
from .style import color, symbol

_LAYOUT = dict(margin=dict(l=10, r=10, t=40, b=10), font=dict(size=14))
_OUTCOME_COLOURS = ("#E69F00", "#56B4E9", "#009E73", "#CC79A7", "#0072B2", "#D55E00",
                    "#882255", "#999933")  # fmt: skip
# greys, which none of the outcome colours or Viridis use
_DIVERGED, _STALLED = "#7a7a7a", "#cdcdcd"
LOSS_FLOOR = 1e-16  # f − f* at or below this is drawn here on log axes
_AWAY = "#56B4E9"  # ran off downhill, where that is the way out (no minimum)


def _title(name: str) -> str:
    return get_optimizer(name).title


def _escape_arrays(found) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Escape steps, blow-ups and divergence steps of an ``Escapes`` record (or of an
    array of escape steps: no blow-ups)."""
    if isinstance(found, Escapes):
        return (np.atleast_1d(found.escape_step), np.atleast_1d(found.blew_up),
                np.atleast_1d(found.diverged_step))  # fmt: skip
    steps = np.atleast_1d(found)
    return steps, np.zeros(steps.shape, dtype=bool), np.full(steps.shape, -1)


def escape_bar_figure(escapes: Mapping[str, Escapes | np.ndarray], steps: int,
                      height: int = 380) -> go.Figure:  # fmt: skip
    """Escape step per optimizer: the bar is the median over the offsets that escaped
    (whiskers: the fastest and slowest). An optimizer whose runs all blew up (diverged
    on a surface bounded below) gets a hatched bar to the median divergence step; one
    that never escaped a grey bar to ``steps``, marked "still within r after N steps"."""
    fig = go.Figure()
    for name, found in escapes.items():
        found, blew_up, diverged = _escape_arrays(found)
        escaped = found[(found >= 0) & ~blew_up]
        if len(escaped) == 0:
            if blew_up.any():
                at = float(np.median(diverged[blew_up]))
                text = f"diverged (step {at:,.0f})"
                fig.add_bar(x=[_title(name)], y=[at], marker=dict(
                    color="white", line=dict(color=color(name), width=2),
                    pattern=dict(shape="/", fgcolor=color(name))), text=[text],
                    textposition="outside", name=_title(name), showlegend=False,
                    cliponaxis=False)  # fmt: skip
            else:
                fig.add_bar(x=[_title(name)], y=[steps], marker_color="#cccccc",
                            text=[f"still within r after {steps:,} steps"], textposition="inside",
                            name=_title(name), showlegend=False)  # fmt: skip
            continue
        median = float(np.median(escaped))
        error = None
        if len(found) > 1:
            error = dict(type="data", symmetric=False, array=[escaped.max() - median],
                         arrayminus=[median - escaped.min()], color="#444")  # fmt: skip
        missing = int(np.sum(found < 0))
        notes = [f"{missing} of {len(found)} still within r"] if missing else []
        if blew_up.any():
            notes.append(f"{int(blew_up.sum())} of {len(found)} diverged")
        label = f"{median:,.0f}" + (f" ({', '.join(notes)})" if notes else "")
        fig.add_bar(x=[_title(name)], y=[median], marker_color=color(name), error_y=error,
                    text=[label], textposition="outside", name=_title(name),
                    showlegend=False, cliponaxis=False)  # fmt: skip
    fig.update_layout(height=height, yaxis_title="escape step", **_LAYOUT)
    return fig


def escape_offset_figure(sizes: np.ndarray, escapes: Mapping[str, Escapes | np.ndarray],
                         height: int = 380) -> go.Figure:  # fmt: skip
    """Escape step against the offset's size (log x): plain gradient steps pay a fixed
    number of steps per decade of δ, methods that divide by the gradient's size barely
    any. Offsets that never escaped, or blew up, are left out of the line."""
    fig = go.Figure()
    for name, found in escapes.items():
        found, blew_up, _ = _escape_arrays(found)
        y = np.where((found >= 0) & ~blew_up, found, np.nan).astype(float)
        fig.add_scatter(x=sizes, y=y, mode="lines+markers", name=_title(name),
                        line=dict(color=color(name), width=2.5),
                        marker=dict(symbol=symbol(name), size=8))  # fmt: skip
    fig.update_layout(
        height=height, xaxis_type="log", xaxis_title="offset size δ (distance of the start "
        "from the saddle)", yaxis_title="escape step", xaxis_exponentformat="power",
        xaxis_autorange="reversed", legend=dict(orientation="h", y=1.15), **_LAYOUT,
    )  # fmt: skip
    return fig


def basin_outcomes(result: BasinMap) -> np.ndarray:
    """What happened to every start of the map, in words (an object array shaped like
    the map)."""
    shape = result.minimizer_index.shape
    return np.array([basin_outcome(result, i, j) for i in range(shape[0])
                     for j in range(shape[1])], dtype=object).reshape(shape)  # fmt: skip


def basin_outcome(result: BasinMap, i: int, j: int) -> str:
    """What happened to the start of cell ``[i, j]``, in words."""
    k = int(result.minimizer_index[i, j])
    if k >= 0:
        mx, my = result.surface.minimizers[k]
        return f"reached the minimizer ({mx:.3g}, {my:.3g}) at step {result.converged_step[i, j]}"
    if not result.surface.bounded_below:
        if result.ran_off[i, j]:
            return f"ran off downhill: left the view at step {result.left_view_step[i, j]}"
        if result.blew_up_uphill[i, j]:
            return (f"blew up uphill: left the view at step {result.left_view_step[i, j]} "
                    "higher than it started")  # fmt: skip
        return f"stayed in view for all {result.steps} steps"
    if result.diverged_step[i, j] >= 0:
        return f"diverged at step {result.diverged_step[i, j]}"
    end = result.final[i, j]
    gaps = np.hypot(*(result.surface.minimizers - end).T)
    mx, my = result.surface.minimizers[int(np.argmin(gaps))]
    return (f"not arrived in {result.steps} steps: it ends {gaps.min():.2g} from the "
            f"minimizer ({mx:.3g}, {my:.3g}), short of converging there")


def basin_steps(result: BasinMap) -> np.ndarray:
    """The steps the "steps" colouring shows, nan where none: the step each start
    converged at; on a surface without a minimum, the step it left the view."""
    if result.surface.bounded_below:
        found = (result.minimizer_index >= 0) & (result.converged_step > 0)
        return np.where(found, result.converged_step, np.nan)
    left = result.left_view_step
    return np.where(left > 0, left, np.nan)


def basin_step_range(results: Sequence[BasinMap]) -> tuple[float, float]:
    """log10 of the smallest and largest step (see :func:`basin_steps`) over maps drawn
    side by side, so that one colour means one number of steps in all of them."""
    steps = np.concatenate([basin_steps(r).ravel() for r in results] or [np.empty(0)])
    steps = steps[np.isfinite(steps)]
    if not len(steps):
        return 0.0, 1.0
    lo, hi = math.log10(steps.min()), math.log10(steps.max())
    return lo, max(hi, lo + 0.5)


def basin_figure(result: BasinMap, grid: Grid, colouring: str = "minimizer", height=520,
                 step_range: tuple[float, float] | None = None):  # fmt: skip
    """The map of outcomes over a grid of starts, the contour lines on top.

    ``colouring="minimizer"``: one colour per minimizer reached, grey for diverged,
    light grey for not arrived (on a surface without a minimum: ran off downhill,
    blew up uphill, stayed in view); ``"steps"``: log10 of the step it converged at, over
    ``step_range`` (log10 of the steps; by default this map's own range).
    """
    surface = result.surface
    index = result.minimizer_index
    # without a minimum, running off downhill is the expected way out, not a failure
    left = "diverged" if surface.bounded_below else "ran off downhill"
    stalled = "not arrived" if surface.bounded_below else "stayed in view"
    minimizers = surface.minimizers
    outcome = basin_outcomes(result)
    fig = go.Figure()
    hover = "start (%{x:.3g}, %{y:.3g})<br>%{customdata}<extra></extra>"
    # codes: 0 not arrived / stayed, 1 diverged / ran off downhill, 2 + i minimizer i;
    # without a minimum (and so no minimizer) 2 is a blow-up uphill
    codes = np.where(index >= 0, index + 2, np.where(result.ran_off, 1, 0))
    codes = np.where(result.blew_up_uphill, 2, codes)
    if colouring == "steps":
        lo, hi = step_range or basin_step_range([result])
        z = np.log10(basin_steps(result))
        title = "steps to<br>converge" if surface.bounded_below else "steps to<br>leave the view"
        ticks = [k for k in range(0, 7) if lo - 1e-9 <= k <= hi + 1e-9]
        ticks = ticks if len(ticks) >= 2 else [lo, hi]
        text = {0: "1", 1: "10", 2: "100", 3: "1k", 4: "10k", 5: "100k", 6: "1M"}
        fig.add_heatmap(x=result.x, y=result.y, z=z, colorscale="Viridis", customdata=outcome,
                        zmin=lo, zmax=hi, hovertemplate=hover, name="steps",
                        colorbar=dict(title=title, tickvals=ticks,
                                      ticktext=[text.get(t, f"{10 ** t:.3g}") for t in ticks]),
                        )  # fmt: skip
        grey = np.where(codes == 0, 0.0, np.nan)  # not arrived, or stayed
        if surface.bounded_below:
            grey = np.where(codes == 1, 1.0, grey)  # diverged
        else:
            grey = np.where(codes == 2, 1.0, grey)  # blew up uphill
        fig.add_heatmap(x=result.x, y=result.y, z=grey, showscale=False, customdata=outcome,
                        hovertemplate=hover, colorscale=[[0, _STALLED], [1, _DIVERGED]],
                        zmin=0, zmax=1)  # fmt: skip
    else:
        count = len(minimizers)
        colours = [_OUTCOME_COLOURS[i % len(_OUTCOME_COLOURS)] for i in range(count)]
        # on a surface without a minimum running off downhill is the way out: a colour
        if surface.bounded_below:
            palette = [_STALLED, _DIVERGED, *colours]
        else:
            palette = [_STALLED, _AWAY, _DIVERGED]
        n = len(palette)
        scale = []
        for i, c in enumerate(palette):
            scale += [[i / n, c], [(i + 1) / n, c]]
        fig.add_heatmap(x=result.x, y=result.y, z=codes.astype(float), zmin=-0.5,
                        zmax=n - 0.5, colorscale=scale, showscale=False, customdata=outcome,
                        hovertemplate=hover)  # fmt: skip
        for i, c in enumerate(colours):  # a legend entry per outcome present
            if np.any(index == i):
                mx, my = minimizers[i]
                fig.add_scatter(x=[None], y=[None], mode="markers", name=f"→ ({mx:.3g}, {my:.3g})",
                                marker=dict(symbol="square", size=12, color=c))  # fmt: skip
    legend = [(0, stalled, _STALLED)]
    if surface.bounded_below:
        legend.insert(0, (1, left, _DIVERGED))
    else:
        legend.insert(0, (2, "blew up uphill", _DIVERGED))
        if colouring != "steps":
            legend.insert(0, (1, left, _AWAY))
    for code, label, c in legend:
        if np.any(codes == code):
            fig.add_scatter(x=[None], y=[None], mode="markers", name=label,
                            marker=dict(symbol="square", size=12, color=c,
                                        line=dict(color="#777", width=1)))  # fmt: skip
    for _, pts in grid.contours:
        fig.add_scatter(x=pts[:, 0], y=pts[:, 1], mode="lines", hoverinfo="skip",
                        line=dict(color="rgba(255,255,255,0.55)", width=1), showlegend=False)
    if len(minimizers):
        fig.add_scatter(x=minimizers[:, 0], y=minimizers[:, 1], mode="markers", name="minimizer",
                        marker=dict(symbol="star", size=14, color="gold",
                                    line=dict(color="black", width=1)),
                        hoverinfo="skip")  # fmt: skip
    (x0, x1), (y0, y1) = surface.domain
    title = f"{_title(result.optimizer)} ({_hp_text(result.hyperparams)}), {result.steps} steps"
    fig.update_layout(
        height=height, title=dict(text=title, font=dict(size=15)),
        xaxis=dict(range=[x0, x1], title="start x", constrain="domain"),
        yaxis=dict(range=[y0, y1], title="start y", scaleanchor="x"),
        legend=dict(orientation="h", y=-0.15), plot_bgcolor="white", **_LAYOUT,
    )  # fmt: skip
    return fig


HYPER_SYMBOLS = {"lr": "α", "beta1": "β₁", "beta2": "β₂", "eps": "ε", "weight_decay": "λ",
                 "memory": "m", "damping": "λ₀", "c1": "c₁", "c2": "c₂", "shrink": "ρ",
                 "beta_rule": "β", "line_search": "line search", "beta3": "β₃", "mix": "α₃",
                 "warmup": "warm-up", "lr_power": "p", "d0": "d₀", "clip": "ρ", "every": "k",
                 "eps2": "ε₂", "decay": "c", "ns_steps": "NS steps"}  # fmt: skip


def _hp_text(values: Mapping[str, float]) -> str:
    return ", ".join(f"{HYPER_SYMBOLS[h]}={v if isinstance(v, str) else format(v, 'g')}"
                     for h, v in values.items())  # fmt: skip


def sweep_figure(sweeps: Sequence[Sweep], surface: Surface, height: int = 420) -> go.Figure:
    """Against α (log x), one line per optimizer. On a surface bounded below: the final
    loss (f − f* on a log axis where f* is known) and the step converged; diverged
    settings are left out of the lines and the α from which each optimizer diverges is
    marked. On a surface without a minimum the final loss only says how far a run got,
    so the one panel is the step at which each run left the view (got away)."""
    from plotly.subplots import make_subplots

    if not surface.bounded_below:
        fig = go.Figure()
        for result in sweeps:  # only exits downhill are getaways; uphill ones blew up
            left = np.where(result.left_downhill, result.left_view_step, -1)
            c, name = color(result.optimizer), _title(result.optimizer)
            fig.add_scatter(x=result.values[0], y=np.where(left >= 0, left, np.nan).astype(float),
                            mode="lines+markers", name=name, line=dict(color=c, width=2.5),
                            marker=dict(symbol=symbol(result.optimizer), size=6))  # fmt: skip
        fig.update_xaxes(type="log", title="α", exponentformat="power", dtick=1)
        fig.update_yaxes(type="log", title="step it left the view", exponentformat="power")
        fig.update_layout(height=height, legend=dict(orientation="h", y=1.12), **_LAYOUT)
        return fig
    bounded = math.isfinite(surface.min_value)
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.08, subplot_titles=(
        "final loss" + (" − f*" if bounded else ""), "step converged"))  # fmt: skip
    for result in sweeps:
        lr = result.values[0]
        diverged = result.diverged_step >= 0
        loss = result.final_loss - (surface.min_value if bounded else 0.0)
        if bounded:  # exactly at the minimum (f − f* ≤ 0 in floating point): at the floor
            loss = np.maximum(loss, LOSS_FLOOR)
        loss = np.where(diverged, np.nan, loss)
        conv = np.where(result.converged_step >= 0, result.converged_step, np.nan).astype(float)
        c, name = color(result.optimizer), _title(result.optimizer)
        fig.add_scatter(x=lr, y=loss, mode="lines+markers", name=name, legendgroup=name,
                        line=dict(color=c, width=2.5),
                        marker=dict(symbol=symbol(result.optimizer), size=6),
                        row=1, col=1)  # fmt: skip
        fig.add_scatter(x=lr, y=conv, mode="lines+markers", name=name, legendgroup=name,
                        line=dict(color=c, width=2.5), showlegend=False,
                        marker=dict(symbol=symbol(result.optimizer), size=6),
                        row=1, col=2)  # fmt: skip
        onset = divergence_threshold(lr, result.diverged_step)
        if math.isfinite(onset):
            for col in (1, 2):  # the table below the figure gives the value
                fig.add_vline(x=onset, line=dict(color=c, dash="dot", width=2), row=1, col=col)
    fig.update_xaxes(type="log", title="α", exponentformat="power", dtick=1)
    fig.update_yaxes(type="log" if bounded else "linear", exponentformat="power", row=1, col=1)
    fig.update_yaxes(type="log", exponentformat="power", row=1, col=2)
    fig.update_layout(height=height, legend=dict(orientation="h", y=1.18), **_LAYOUT)
    return fig


def sweep_heatmap_figure(result: Sweep, surface: Surface, height: int = 460) -> go.Figure:
    """Over α × β for one optimizer: the final loss (log colour; diverged cells grey)
    on a surface bounded below, the step it left the view (log colour; cells that
    stayed in view grey) on a surface without a minimum."""
    lr, beta = result.values
    label = {"beta1": "β₁", "beta2": "β₂"}[result.names[1]]
    if surface.bounded_below:
        bounded = math.isfinite(surface.min_value)
        loss = result.final_loss - (surface.min_value if bounded else 0.0)
        z = np.log10(np.maximum(loss, LOSS_FLOOR)) if bounded else loss
        grey = result.diverged_step >= 0
        text = np.where(grey, np.char.add("diverged at step ", result.diverged_step.astype(str)),
                        np.char.add("final loss ", np.char.mod("%.4g", result.final_loss)))
        colorbar, grey_name = ("log₁₀(f − f*)" if bounded else "f"), "diverged"
        title = f"{_title(result.optimizer)}: final loss after {result.steps} steps"
        scale = "Viridis_r"
    else:
        left = result.left_view_step
        grey = ~result.left_downhill
        z = np.log10(np.maximum(left, 1)).astype(float)
        text = np.where(left < 0, f"stayed in view for all {result.steps} steps",
                        np.char.add(np.where(grey, "blew up uphill: left the view at step ",
                                             "ran off downhill: left the view at step "),
                                    left.astype(str)))  # fmt: skip
        colorbar, grey_name = "log₁₀ step it<br>left the view", "stayed in view or blew up uphill"
        title = f"{_title(result.optimizer)}: the step it left the view (got away)"
        scale = "Viridis"
    z = np.where(grey, np.nan, z)
    fig = go.Figure()
    # log α is drawn on evenly spaced cells: a heatmap on a log axis needs its edges
    fig.add_heatmap(x=lr, y=beta, z=z.T, colorscale=scale, customdata=text.T,
                    hovertemplate="α %{x:.3g}, " + label + " %{y:.4g}<br>%{customdata}"
                    "<extra></extra>", colorbar=dict(title=colorbar))  # fmt: skip
    fig.add_heatmap(x=lr, y=beta, z=np.where(grey, 1.0, np.nan).T, showscale=False,
                    colorscale=[[0, _DIVERGED], [1, _DIVERGED]], customdata=text.T,
                    hovertemplate="α %{x:.3g}, " + label + " %{y:.4g}<br>%{customdata}"
                    "<extra></extra>")  # fmt: skip
    if grey.any():
        fig.add_scatter(x=[None], y=[None], mode="markers", name=grey_name,
                        marker=dict(symbol="square", size=12, color=_DIVERGED))  # fmt: skip
    fig.update_layout(
        height=height, xaxis=dict(type="log", title="α", exponentformat="power", dtick=1),
        yaxis=dict(title=label), legend=dict(orientation="h", y=1.12),
        title=dict(text=title, font=dict(size=15)), **_LAYOUT,
    )  # fmt: skip
    return fig
