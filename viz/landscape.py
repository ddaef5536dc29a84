"""Figures for a network's landscape (optim_core.landscape): what a projection hides,
and the saddle at the start."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from optim_core import get_optimizer
from optim_core.landscape import PLATEAU_DROP, PlateauEscape, Projection

from .style import color

_FONT = dict(size=14)


def gap_figure(projections: Mapping[str, Projection], labels: Mapping[str, str],
               height: int = 560) -> go.Figure:  # fmt: skip
    """Per run, against the step: its true training loss (solid) and the loss of the
    plane under its projected point (dotted), and below, its distance from the plane.
    Where the distance is large the two losses part: the contour under a projected path
    is not the loss the path had."""
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08,
                        row_heights=[0.6, 0.4],
                        subplot_titles=("training loss: the run's own (solid) and the plane's "
                                        "under its projection (dotted)",
                                        "distance from the plane |θ − projection|"))  # fmt: skip
    for name, p in projections.items():
        steps = np.arange(len(p.distance))
        c, label = color(name), labels.get(name, name)
        fig.add_trace(go.Scatter(x=steps, y=np.asarray(p.trajectory.loss), mode="lines",
                                 line=dict(color=c, width=2.5), name=f"{label}: its loss",
                                 legendgroup=name), row=1, col=1)  # fmt: skip
        fig.add_trace(go.Scatter(x=p.plane_steps, y=p.plane_loss, mode="lines",
                                 line=dict(color=c, width=2, dash="dot"),
                                 name=f"{label}: the plane under it", legendgroup=name,
                                 showlegend=True), row=1, col=1)  # fmt: skip
        fig.add_trace(go.Scatter(x=steps, y=p.distance, mode="lines",
                                 line=dict(color=c, width=2), name=f"{label}: distance",
                                 legendgroup=name, showlegend=False), row=2, col=1)  # fmt: skip
        if p.left_grid >= 0:
            fig.add_trace(go.Scatter(
                x=[p.left_grid], y=[float(p.distance[p.left_grid])], mode="markers+text",
                marker=dict(symbol="x-thin-open", size=12, color=c, line=dict(width=2)),
                text=[f"{label} leaves the grid"], textposition="top right",
                textfont=dict(color=c), showlegend=False, legendgroup=name,
            ), row=2, col=1)  # fmt: skip
    fig.update_yaxes(type="log", title_text="loss", exponentformat="power", row=1, col=1)
    fig.update_yaxes(title_text="distance", rangemode="tozero", row=2, col=1)
    fig.update_xaxes(title_text="step", row=2, col=1)
    fig.update_layout(height=height, margin=dict(l=80, r=10, t=40, b=10), font=_FONT,
                      legend=dict(orientation="h", yanchor="top", y=-0.16),
                      hovermode="x unified")  # fmt: skip
    return fig


def plateau_figure(escapes: Sequence[PlateauEscape], saddle: Mapping[str, np.ndarray],
                   labels: Mapping[str, str], height: int = 420) -> go.Figure:  # fmt: skip
    """Left: on the network, the step at which each optimizer's loss first falls
    PLATEAU_DROP below its start against the initial scale δ; right: on the 2-D saddle
    x² − y², the step at which it leaves, against its distance δ from the saddle (the
    ``saddle`` mapping: name → steps per δ, -1 for never). Never: not drawn."""
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.1, subplot_titles=(
        f"network: loss {PLATEAU_DROP:.0%} below its start at step",
        "2-D saddle x² − y²: leaves at step"))  # fmt: skip
    for e in escapes:
        c, label = color(e.optimizer), labels.get(e.optimizer, e.optimizer)
        y = np.where(e.escape_step >= 0, e.escape_step, np.nan).astype(float)
        fig.add_trace(go.Scatter(x=e.scales, y=y, mode="lines+markers", name=label,
                                 line=dict(color=c, width=2.5), legendgroup=e.optimizer,
                                 hovertemplate=f"{label}: δ = %{{x:.1e}}, step %{{y}}"
                                 "<extra></extra>"), row=1, col=1)  # fmt: skip
        if e.optimizer in saddle:
            steps = np.asarray(saddle[e.optimizer], dtype=float)
            fig.add_trace(go.Scatter(x=e.scales, y=np.where(steps >= 0, steps, np.nan),
                                     mode="lines+markers", name=label, showlegend=False,
                                     line=dict(color=c, width=2.5, dash="dash"),
                                     legendgroup=e.optimizer,
                                     hovertemplate=f"{label}: δ = %{{x:.1e}}, step %{{y}}"
                                     "<extra></extra>"), row=1, col=2)  # fmt: skip
    for col in (1, 2):
        fig.update_xaxes(type="log", title_text="δ, the distance from the saddle"
                         if col == 2 else "δ, the initial scale", exponentformat="power",
                         row=1, col=col)  # fmt: skip
        fig.update_yaxes(title_text="step", rangemode="tozero", row=1, col=col)
    fig.update_layout(height=height, margin=dict(l=60, r=10, t=40, b=10), font=_FONT,
                      legend=dict(orientation="h", yanchor="top", y=-0.28))  # fmt: skip
    return fig


def stable_alpha_figure(results: Mapping[str, tuple], fraction: float,
                        height: int = 380) -> go.Figure:  # fmt: skip
    """Each optimizer's final training loss over its start's against α (log axes),
    without batch normalization (solid) and with it (dashed); an α that did not train
    (non-finite, above its start, or above ``fraction``: the dotted line) is an open
    cross. ``results``: name → (without, with), each with ``values``, ``final_loss``,
    ``start_loss`` and ``trains`` (app_pages.network_work.StableAlpha)."""
    fig = go.Figure()
    for name, pair in results.items():
        c = color(name)
        for sweep, dash, words in zip(pair, ("solid", "dash"), ("no BN", "BN"), strict=True):
            ratio = np.asarray(sweep.final_loss, dtype=float) / sweep.start_loss
            shown = np.where(np.isfinite(ratio), ratio, np.nan)
            label = f"{get_optimizer(name).title}, {words}"
            symbols = np.where(sweep.trains, "circle", "x-thin-open").tolist()
            fig.add_trace(go.Scatter(
                x=sweep.values, y=shown, mode="lines+markers", name=label,
                line=dict(color=c, width=2.5, dash=dash), legendgroup=name,
                marker=dict(symbol=symbols, size=9, color=c, line=dict(width=2, color=c)),
                hovertemplate=f"{label}: α = %{{x:g}}, final / start %{{y:.3g}}"
                "<extra></extra>"))  # fmt: skip
    fig.add_hline(y=fraction, line=dict(color="#888", width=1.5, dash="dot"))
    fig.update_xaxes(type="log", title_text="α", exponentformat="power")
    fig.update_yaxes(type="log", title_text="final training loss / start's", dtick=1,
                     exponentformat="power")  # fmt: skip (a label a decade)
    fig.update_layout(height=height, margin=dict(l=70, r=10, t=20, b=10), font=_FONT,
                      legend=dict(orientation="h", yanchor="top", y=-0.25))  # fmt: skip
    return fig


__all__ = ["gap_figure", "plateau_figure", "stable_alpha_figure"]
