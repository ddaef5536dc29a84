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


__all__ = ["KEPT_SYMBOL", "STOP_SYMBOL", "order_figure", "validation_figure"]
