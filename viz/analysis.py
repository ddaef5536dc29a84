"""Plotly figures of the analyses: escape steps, basin maps and hyperparameter sweeps."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from optim_core import BasinMap, Sweep, divergence_threshold, get_optimizer
from surfaces import Surface

from .figures import Grid
from .style import color, symbol

_LAYOUT = dict(margin=dict(l=10, r=10, t=40, b=10), font=dict(size=14))
_OUTCOME_COLOURS = ("#E69F00", "#56B4E9", "#009E73", "#CC79A7", "#0072B2", "#D55E00",
                    "#882255", "#999933")  # fmt: skip
# greys, which none of the outcome colours or Viridis use
_DIVERGED, _STALLED = "#8c8c8c", "#e8e8e8"


def _title(name: str) -> str:
    return get_optimizer(name).title


def escape_bar_figure(escapes: Mapping[str, np.ndarray], steps: int, height: int = 380):
    """Escape step per optimizer: the bar is the median over the offsets (whiskers: the
    fastest and slowest); an optimizer that never escaped gets a bar to ``steps`` in
    grey marked "not within N steps"."""
    fig = go.Figure()
    for name, found in escapes.items():
        found = np.atleast_1d(found)
        escaped = found[found >= 0]
        if len(escaped) == 0:
            fig.add_bar(x=[_title(name)], y=[steps], marker_color="#cccccc",
                        text=[f"not within {steps:,} steps"], textposition="inside",
                        name=_title(name), showlegend=False)  # fmt: skip
            continue
        median = float(np.median(escaped))
        error = None
        if len(found) > 1:
            error = dict(type="data", symmetric=False, array=[escaped.max() - median],
                         arrayminus=[median - escaped.min()], color="#444")  # fmt: skip
        missing = len(found) - len(escaped)
        label = f"{median:,.0f}" + (f" ({missing} of {len(found)} never)" if missing else "")
        fig.add_bar(x=[_title(name)], y=[median], marker_color=color(name), error_y=error,
                    text=[label], textposition="outside", name=_title(name),
                    showlegend=False, cliponaxis=False)  # fmt: skip
    fig.update_layout(height=height, yaxis_title="escape step", **_LAYOUT)
    return fig


def escape_offset_figure(sizes: np.ndarray, escapes: Mapping[str, np.ndarray], height=380):
    """Escape step against the offset's size (log x): plain gradient steps pay a fixed
    number of steps per decade of δ, methods that divide by the gradient's size barely
    any. Offsets that never escaped are left out of the line."""
    fig = go.Figure()
    for name, found in escapes.items():
        y = np.where(found >= 0, found, np.nan).astype(float)
        fig.add_scatter(x=sizes, y=y, mode="lines+markers", name=_title(name),
                        line=dict(color=color(name), width=2.5),
                        marker=dict(symbol=symbol(name), size=8))  # fmt: skip
    fig.update_layout(
        height=height, xaxis_type="log", xaxis_title="offset size δ (distance of the start "
        "from the saddle)", yaxis_title="escape step", xaxis_exponentformat="power",
        xaxis_autorange="reversed", legend=dict(orientation="h", y=1.15), **_LAYOUT,
    )  # fmt: skip
    return fig


def basin_figure(result: BasinMap, grid: Grid, colouring: str = "minimizer", height=520):
    """The map of outcomes over a grid of starts, the contour lines on top.

    ``colouring="minimizer"``: one colour per minimizer reached, grey for diverged,
    light grey for stalled; ``"steps"``: log10 of the step it converged at.
    """
    surface = result.surface
    index, conv, div = result.minimizer_index, result.converged_step, result.diverged_step
    # without a minimum, running off downhill is the expected way out, not a failure
    left = "diverged" if surface.bounded_below else "ran off downhill"
    minimizers = surface.minimizers
    outcome = np.where(
        index >= 0,
        np.array([f"reached minimizer ({minimizers[i][0]:.3g}, {minimizers[i][1]:.3g}) "
                  f"at step {c}" if i >= 0 else "" for i, c in zip(index.ravel(), conv.ravel(),
                                                                    strict=True)],
                 dtype=object).reshape(index.shape),
        np.where(div >= 0, np.char.add(f"{left} at step ", div.astype(str)).astype(object),
                 f"stalled: neither reached a minimizer nor diverged in {result.steps} steps"),
    )  # fmt: skip
    fig = go.Figure()
    hover = "start (%{x:.3g}, %{y:.3g})<br>%{customdata}<extra></extra>"
    if colouring == "steps":
        z = np.where((index >= 0) & (conv > 0), np.log10(np.maximum(conv, 1)), np.nan)
        fig.add_heatmap(x=result.x, y=result.y, z=z, colorscale="Viridis", customdata=outcome,
                        hovertemplate=hover, name="steps",
                        colorbar=dict(title="steps", tickvals=list(range(0, 6)),
                                      ticktext=["1", "10", "100", "1k", "10k", "100k"]),
                        )  # fmt: skip
        grey = np.where(div >= 0, 1.0, np.where(index < 0, 0.0, np.nan))
        fig.add_heatmap(x=result.x, y=result.y, z=grey, showscale=False, hoverinfo="skip",
                        colorscale=[[0, _STALLED], [1, _DIVERGED]], zmin=0, zmax=1)  # fmt: skip
    else:
        count = len(minimizers)
        colours = [_OUTCOME_COLOURS[i % len(_OUTCOME_COLOURS)] for i in range(count)]
        # codes: 0 stalled, 1 diverged, 2 + i minimizer i
        z = np.where(index >= 0, index + 2, np.where(div >= 0, 1, 0)).astype(float)
        palette = [_STALLED, _DIVERGED, *colours]
        n = len(palette)
        scale = []
        for i, c in enumerate(palette):
            scale += [[i / n, c], [(i + 1) / n, c]]
        fig.add_heatmap(x=result.x, y=result.y, z=z, zmin=-0.5, zmax=n - 0.5, colorscale=scale,
                        showscale=False, customdata=outcome, hovertemplate=hover)  # fmt: skip
        for i, c in enumerate(colours):  # a legend entry per outcome present
            if np.any(index == i):
                mx, my = minimizers[i]
                fig.add_scatter(x=[None], y=[None], mode="markers", name=f"→ ({mx:.3g}, {my:.3g})",
                                marker=dict(symbol="square", size=12, color=c))  # fmt: skip
        for code, label, c in ((1, left, _DIVERGED), (0, "stalled", _STALLED)):
            if np.any(z == code):
                fig.add_scatter(x=[None], y=[None], mode="markers", name=label,
                                marker=dict(symbol="square", size=12, color=c,
                                            line=dict(color="#999", width=1)))  # fmt: skip
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


def basin_outcome(result: BasinMap, i: int, j: int) -> str:
    """What happened to the start of cell ``[i, j]``, in words."""
    k = int(result.minimizer_index[i, j])
    if k >= 0:
        mx, my = result.surface.minimizers[k]
        return f"reached the minimizer ({mx:.3g}, {my:.3g}) at step {result.converged_step[i, j]}"
    if result.diverged_step[i, j] >= 0:
        left = "diverged" if result.surface.bounded_below else "ran off downhill"
        return f"{left} at step {result.diverged_step[i, j]}"
    return f"stalled: neither reached a minimizer nor diverged in {result.steps} steps"


def _hp_text(values: Mapping[str, float]) -> str:
    labels = {"lr": "α", "beta1": "β₁", "beta2": "β₂", "eps": "ε"}
    return ", ".join(f"{labels[h]}={v:g}" for h, v in values.items())


def sweep_figure(sweeps: Sequence[Sweep], surface: Surface, height: int = 420) -> go.Figure:
    """Final loss (f − f* on a log axis where f* is known) and steps to converge against
    α (log x), one line per optimizer; diverged settings are left out of the lines and
    the α from which each optimizer diverges is marked."""
    from plotly.subplots import make_subplots

    bounded = math.isfinite(surface.min_value)
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.08, subplot_titles=(
        "final loss" + (" − f*" if bounded else ""), "step converged"))  # fmt: skip
    for result in sweeps:
        lr = result.values[0]
        diverged = result.diverged_step >= 0
        loss = result.final_loss - (surface.min_value if bounded else 0.0)
        if bounded:
            loss = np.where(loss > 0, loss, np.nan)
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
    """Final loss over α × β for one optimizer (log colour); diverged cells in grey."""
    bounded = math.isfinite(surface.min_value)
    lr, beta = result.values
    loss = result.final_loss - (surface.min_value if bounded else 0.0)
    z = np.log10(np.maximum(loss, 1e-16)) if bounded else loss
    diverged = result.diverged_step >= 0
    z = np.where(diverged, np.nan, z)
    text = np.where(diverged, np.char.add("diverged at step ", result.diverged_step.astype(str)),
                    np.char.add("final loss ", np.char.mod("%.4g", result.final_loss)))  # fmt: skip
    label = {"beta1": "β₁", "beta2": "β₂"}[result.names[1]]
    fig = go.Figure()
    # log α is drawn on evenly spaced cells: a heatmap on a log axis needs its edges
    fig.add_heatmap(x=lr, y=beta, z=z.T, colorscale="Viridis_r", customdata=text.T,
                    hovertemplate="α %{x:.3g}, " + label + " %{y:.4g}<br>%{customdata}"
                    "<extra></extra>",
                    colorbar=dict(title="log₁₀(f − f*)" if bounded else "f"))  # fmt: skip
    fig.add_heatmap(x=lr, y=beta, z=np.where(diverged, 1.0, np.nan).T, showscale=False,
                    colorscale=[[0, _DIVERGED], [1, _DIVERGED]], hoverinfo="skip")  # fmt: skip
    fig.add_scatter(x=[None], y=[None], mode="markers", name="diverged",
                    marker=dict(symbol="square", size=12, color=_DIVERGED))  # fmt: skip
    fig.update_layout(
        height=height, xaxis=dict(type="log", title="α", exponentformat="power", dtick=1),
        yaxis=dict(title=label), legend=dict(orientation="h", y=1.12),
        title=dict(text=f"{_title(result.optimizer)}: final loss after {result.steps} steps",
                   font=dict(size=15)), **_LAYOUT,
    )  # fmt: skip
    return fig
