"""Figures of the training practices: the validation loss with early stopping's marks,
and the loss under each order of the examples."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from optim_core import EarlyStop
from surfaces import Surface

from .figures import MACHINE_FLOOR, Run, _log_against_step, log_axis
from .style import color

STOP_SYMBOL = "x-thin-open"  # where early stopping would stop
KEPT_SYMBOL = "diamond"  # the weights it would keep (also on the contour)
ORDER_STYLES = {"reshuffle": ("#1f77b4", "solid"), "fixed": ("#2ca02c", "dot"),
                "sorted": ("#d62728", "dash"), "curriculum": ("#9467bd", "dashdot"),
                "mixed": ("#ff7f0e", "longdash")}  # fmt: skip


def validation_figure(runs: Sequence[Run], verdicts: Mapping[str, EarlyStop],
                      height: int = 380) -> go.Figure:  # fmt: skip
    """Each run's training loss (thin) and validation loss (thick) against step on a log
    axis; on its validation line a diamond where early stopping keeps the weights and a
    cross where it would stop (``verdicts`` by run name)."""
    fig = go.Figure()
    values = []
    for run in runs:
        tr, c = run.trajectory, color(run.name)
        train, val = np.asarray(tr.loss, dtype=float), np.asarray(tr.val_loss, dtype=float)
        values += [train, val]
        fig.add_scatter(x0=0, dx=1, y=train.astype(np.float32), mode="lines",
                        name=f"{run.label}: training", legendgroup=run.name,
                        line=dict(color=c, width=1.5), opacity=0.7,
                        hovertemplate=f"{run.label}: training loss %{{y:.4g}} at step %{{x}}"
                        "<extra></extra>")  # fmt: skip
        fig.add_scatter(x0=0, dx=1, y=val.astype(np.float32), mode="lines",
                        name=f"{run.label}: validation", legendgroup=run.name,
                        line=dict(color=c, width=3.5, dash="dash"),
                        hovertemplate=f"{run.label}: validation loss %{{y:.4g}} at step "
                        "%{x}<extra></extra>")  # fmt: skip
        v = verdicts.get(run.name)
        if v is None:
            continue
        kept = int(v.kept_step)
        fig.add_scatter(x=[kept], y=[val[kept]], mode="markers", legendgroup=run.name,
                        showlegend=False, name=f"{run.label}: kept",
                        marker=dict(symbol=KEPT_SYMBOL, size=14, color=c,
                                    line=dict(color="white", width=1.5)),
                        hovertemplate=f"{run.label}: early stopping keeps the weights of "
                        f"step {kept} (validation loss %{{y:.4g}})<extra></extra>")  # fmt: skip
        if v.stopped:
            stop = int(v.stop_step)
            fig.add_scatter(x=[stop], y=[val[stop]], mode="markers", legendgroup=run.name,
                            showlegend=False, name=f"{run.label}: stops",
                            marker=dict(symbol=STOP_SYMBOL, size=16, color=c,
                                        line=dict(color=c, width=3)),
                            hovertemplate=f"{run.label}: early stopping stops at step {stop}"
                            "<extra></extra>")  # fmt: skip
    fig = _log_against_step(fig, height, "step", "loss (thin: training; dashed: validation)")
    fig.update_layout(yaxis=log_axis(np.concatenate(values)) if values else {})
    return fig


def order_figure(runs: Mapping[str, Run], titles: Mapping[str, str], surface: Surface,
                 height: int = 340) -> go.Figure:  # fmt: skip
    """How far the loss over all the training data is above its minimum, f − f*, against
    step (log y) for one optimizer under each order of the examples (``runs`` by order's
    name), a colour and dash pattern per order."""
    fig = go.Figure()
    values = []
    for order, run in runs.items():
        gap = np.asarray(run.trajectory.loss, dtype=float) - surface.min_value
        gap = np.where(gap >= MACHINE_FLOOR, gap, np.nan)
        values.append(gap)
        fig.add_scatter(x0=0, dx=1, y=gap.astype(np.float32), mode="lines",
                        name=titles[order], line=dict(color=ORDER_STYLES[order][0], width=2.5,
                                                      dash=ORDER_STYLES[order][1]),
                        hovertemplate=f"{titles[order]}: f − f* = %{{y:.3g}} at step %{{x}}"
                        "<extra></extra>")  # fmt: skip
    fig = _log_against_step(fig, height, "step", "f − f* (all the training data)")
    fig.update_layout(yaxis=log_axis(np.concatenate(values)) if values else {},
                      legend=dict(orientation="h", y=1.2))  # fmt: skip
    return fig


__all__ = ["KEPT_SYMBOL", "STOP_SYMBOL", "delay_stability_figure", "order_figure",
           "validation_figure"]


def delay_stability_figure(taus, alphas, outcome, bound, marks=(),
                           height: int = 360) -> go.Figure:  # fmt: skip
    """Delayed SGD on the round bowl ½|w|²: each (α, τ) cell converged (light), diverged
    (dark) or neither within the steps (mid grey), α on a log axis; the line is the exact
    bound α = 2 sin(π/(2(2τ + 1))); ``marks``: (α, τ, name, colour) of runs to show on
    it, each a star."""
    taus, alphas = np.asarray(taus), np.asarray(alphas, dtype=float)
    edges = np.sqrt(alphas[:-1] * alphas[1:])  # cells between the α's, geometrically
    x_edges = np.concatenate([[alphas[0] ** 2 / edges[0]], edges, [alphas[-1] ** 2 / edges[-1]]])
    words = {1: "converged", 0: "neither, within the steps", -1: "diverged"}
    fig = go.Figure()
    fig.add_heatmap(x=x_edges, y=np.arange(len(taus) + 1) - 0.5, z=outcome, zmin=-1, zmax=1,
                    colorscale=[[0, "#5f6368"], [0.5, "#b0b4b9"], [1, "#eef0f2"]],
                    showscale=False, customdata=np.vectorize(words.get)(outcome),
                    hovertemplate="τ row %{y}, α %{x:.3g}: %{customdata}<extra></extra>")
    fine = np.linspace(0, len(taus) - 1, 200)
    fig.add_scatter(x=np.interp(fine, np.arange(len(taus)), bound), y=fine, mode="lines",
                    name="the bound 2 sin(π/(2(2τ + 1)))", line=dict(color="#d62728", width=3),
                    hoverinfo="skip")  # fmt: skip
    for alpha, tau, name, colour in marks:
        row = int(np.argmin(np.abs(taus - tau)))
        fig.add_scatter(x=[alpha], y=[row], mode="markers", name=name,
                        marker=dict(symbol="star", size=18, color=colour,
                                    line=dict(color="white", width=1.5)))  # fmt: skip
    fig.update_layout(
        height=height, margin=dict(l=70, r=10, t=20, b=95), font=dict(size=14),
        xaxis=dict(type="log", title="α (L = 1)", exponentformat="power"),
        yaxis=dict(title="delay τ (steps)", tickmode="array", tickvals=list(range(len(taus))),
                   ticktext=[str(t) for t in taus], range=[-0.5, len(taus) - 0.5]),
        # below the map: above it, it covered the top rows (τ = 12, 16) and their stars
        legend=dict(orientation="h", x=0, y=-0.3, yanchor="top"),
    )  # fmt: skip
    return fig
