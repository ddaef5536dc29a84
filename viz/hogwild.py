"""Hogwild! against serial SGD on sparse and dense data: the shared vector's path on each
landscape beside serial SGD's, f − f* against the gradients used, a table and a sentence
(all measured from the comparisons given: :func:`optim_core.hogwild.compare`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from optim_core.hogwild import TOL_FACTOR, Comparison

from .figures import Grid, landscape_background, minimum_and_square_axes

HEIGHT = 430
HOGWILD, SERIAL = "#D55E00", "#0072B2"  # Okabe-Ito vermillion and blue
DASHES = ("solid", "dash")


@dataclass(frozen=True)
class Panel:
    """One data set: its name ("sparse", "dense"), the comparison on it and the grid of
    its landscape."""

    name: str
    comparison: Comparison
    grid: Grid

    @property
    def label(self) -> str:
        density = self.comparison.run.surface.params["density"]
        return f"{self.name} (density {density:g})"


SMOOTHING = 25  # the loss panel's running mean spans 1/25 of the run


def running_mean(values: np.ndarray, parts: int = SMOOTHING) -> np.ndarray:
    """The mean of each point and the ⌊len/parts⌋ − 1 before it (fewer at the start):
    constant-step SGD's f − f* jumps by decades from one example to the next."""
    values = np.asarray(values, dtype=float)
    window = max(1, len(values) // parts)
    total = np.concatenate([[0.0], np.cumsum(values)])
    ends = np.arange(1, len(values) + 1)
    begins = np.maximum(0, ends - window)
    return (total[ends] - total[begins]) / (ends - begins)


def hogwild_figure(panels: Sequence[Panel], height: int = HEIGHT) -> go.Figure:
    """Each data set's landscape with the shared vector's path (a point a round) and
    serial SGD's at the same gradient counts, the workers' last reads (×); and f − f*
    of all of them against the gradients used (log scale, a running mean over 1/25 of
    the run: :func:`running_mean`)."""
    fig = make_subplots(rows=1, cols=len(panels) + 1, horizontal_spacing=0.07,
                        subplot_titles=[p.label for p in panels] + ["f − f* (running mean) against "
                                                                     "gradients"])
    images = []
    for col, (panel, dash) in enumerate(zip(panels, DASHES, strict=False), start=1):
        c, grid = panel.comparison, panel.grid
        surface, K = c.run.surface, c.run.workers
        images.append(landscape_background(fig, surface, grid, col))
        serial = np.asarray(c.serial.path, dtype=float)[c.counts]
        shared = c.run.path[: c.run.rounds_run + 1]
        for name, path, colour in ((f"serial SGD, {panel.name}", serial, SERIAL),
                                   (f"Hogwild! K = {K}, {panel.name}", shared, HOGWILD)):
            fig.add_scatter(x=path[:, 0], y=path[:, 1], mode="lines", name=name,
                            legendgroup=name, showlegend=False,
                            line=dict(color=colour, width=1.6 if colour == SERIAL else 2),
                            hovertemplate=name + ": (%{x:.4g}, %{y:.4g})<extra></extra>",
                            row=1, col=col)  # fmt: skip
        reads = c.run.last_read
        fig.add_scatter(x=reads[:, 0], y=reads[:, 1], mode="markers",
                        name="each worker's last read", legendgroup="reads",
                        showlegend=col == 1,
                        marker=dict(symbol="x-thin", size=9, color="black",
                                    line=dict(width=1.5, color="black")),
                        hovertemplate="a worker's last read (%{x:.4g}, %{y:.4g})<extra></extra>",
                        row=1, col=col)  # fmt: skip
        minimum_and_square_axes(fig, surface, col, size=14)
        last = len(panels) + 1
        for name, excess, colour in ((f"serial SGD, {panel.name}", c.serial_excess, SERIAL),
                                     (f"Hogwild! K = {K}, {panel.name}", c.excess, HOGWILD)):
            shown = running_mean(np.where(np.isfinite(excess), excess, np.nan))
            fig.add_scatter(x=c.counts, y=shown, mode="lines", name=name, legendgroup=name,
                            line=dict(color=colour, width=1.5, dash=dash),
                            hovertemplate=name + ": %{y:.3g} after %{x} gradients<extra></extra>",
                            row=1, col=last)  # fmt: skip
    fig.update_yaxes(type="log", title_text="f − f*", row=1, col=len(panels) + 1)
    fig.update_xaxes(title_text="gradients used", row=1, col=len(panels) + 1)
    fig.update_layout(height=height, images=images, plot_bgcolor="white", font=dict(size=13),
                      margin=dict(l=50, r=10, t=40, b=90), hovermode="closest",
                      legend=dict(orientation="h", x=0, y=-0.2, yanchor="top"))  # fmt: skip
    return fig


def _count(value: int) -> str:
    return "never" if value < 0 else f"{value:,}"


def hogwild_rows(panels: Sequence[Panel]) -> list[dict[str, str]]:
    """Per data set, Hogwild! and serial SGD: gradients used, conflicts (and their share
    of the writes), the gradients to reach twice serial SGD's floor, the floor (mean
    f − f* over the last quarter) and f − f* at the end."""
    rows = []
    for panel in panels:
        c = panel.comparison
        run = c.run
        share = run.conflict_count / run.write_count if run.write_count else 0.0
        rows.append({"data": panel.label, "method": f"Hogwild!, K = {run.workers}",
                     "gradients": f"{run.gradients:,}",
                     "conflicts": f"{run.conflict_count:,} of {run.write_count:,} writes "
                                  f"({share:.0%})",
                     "gradients to tol": _count(c.to_tol) + (" (diverged)" if run.diverged
                                                             else ""),
                     "floor f − f*": f"{c.floor:.3g}", "final f − f*": f"{c.excess[-1]:.3g}"})
        rows.append({"data": panel.label, "method": "serial SGD, batch 1",
                     "gradients": f"{int(c.counts[-1]):,}", "conflicts": "—",
                     "gradients to tol": _count(c.serial_to_tol),
                     "floor f − f*": f"{c.serial_floor:.3g}",
                     "final f − f*": f"{c.serial_excess[-1]:.3g}"})  # fmt: skip
    return rows


def _verdict(c: Comparison) -> str:
    run = c.run
    if run.diverged:
        return f"diverged after {run.gradients:,} gradients (round {run.diverged_step})"
    share = run.conflict_count / run.write_count
    return (f"ends on a floor {c.floor_ratio:.2f}× serial SGD's at equal gradients "
            f"({c.floor:.3g} against {c.serial_floor:.3g}), {share:.0%} of its writes racing "
            "another")


def hogwild_summary(panels: Sequence[Panel]) -> str:
    """The sentence under the table, every number from the comparisons."""
    first = panels[0].comparison
    words = [f"With K = {first.run.workers} workers at α = {first.run.params['lr']:g}, over "
             f"{int(first.counts[-1]):,} gradients:"]
    for panel in panels:
        c = panel.comparison
        words.append(f"on the {panel.label} data Hogwild! {_verdict(c)};")
    sparse, dense = panels[0].comparison, panels[-1].comparison
    if len(panels) > 1 and not (sparse.run.diverged or dense.run.diverged):
        if sparse.floor_ratio < dense.floor_ratio:
            words.append(f"the sparse examples lose {sparse.floor_ratio:.2f}× where the dense "
                         f"ones lose {dense.floor_ratio:.2f}×.")
        else:
            words.append(f"here the sparse examples lose as much or more "
                         f"({sparse.floor_ratio:.2f}× against {dense.floor_ratio:.2f}×).")
    else:
        words[-1] = words[-1].rstrip(";") + "."
    words.append(f"(Tolerance: {TOL_FACTOR:g}× serial SGD's floor on the same data.)")
    return " ".join(words)


__all__ = ["Panel", "hogwild_figure", "hogwild_rows", "hogwild_summary", "running_mean"]
