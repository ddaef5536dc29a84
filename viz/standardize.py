"""Before and after standardizing a data surface's inputs: the two landscapes side by
side with every optimizer's path on each, their condition numbers, a table of what each
run reached and a sentence that says it (all measured from the runs given)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from surfaces import Surface, condition_number

from .figures import Grid, Run, landscape_background, minimum_and_square_axes, run_exit
from .style import color, symbol

SIDES = ("raw", "standardized")
HEIGHT = 460


@dataclass(frozen=True)
class Side:
    """One landscape: the surface, its grid and the runs on it (each from the surface's
    own default start)."""

    surface: Surface
    grid: Grid
    runs: Sequence[Run]

    @property
    def kappa(self) -> float:
        return condition_number(self.surface)


def side_title(which: str, side: Side) -> str:
    """A panel's title: which inputs, and κ of the Hessian at the minimum."""
    words = "Raw inputs" if which == "raw" else "Standardized inputs"
    return f"{words}: κ = {side.kappa:.3g}"


def standardize_figure(raw: Side, standardized: Side, height: int = HEIGHT) -> go.Figure:
    """The raw and the standardized landscape side by side, each drawn to scale, with its
    contour lines, minimizer (★), the runs' start (○) and every run's path."""
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.1,
                        subplot_titles=[side_title(w, s) for w, s in
                                        zip(SIDES, (raw, standardized), strict=True)])  # fmt: skip
    images = []
    for col, side in enumerate((raw, standardized), start=1):
        surface, grid = side.surface, side.grid
        images.append(landscape_background(fig, surface, grid, col))
        for run in side.runs:
            path = np.asarray(run.trajectory.path, dtype=np.float32)
            way_out = run_exit(surface, run.trajectory)
            if way_out is not None:  # (not drawn past where it diverged)
                path = path[: way_out.step + 1]
            fig.add_scatter(x=path[:, 0], y=path[:, 1], mode="lines+markers", name=run.label,
                            legendgroup=run.name, showlegend=col == 1,
                            line=dict(color=color(run.name), width=2.5),
                            marker=dict(color=color(run.name), symbol=symbol(run.name), size=5,
                                        maxdisplayed=40),
                            hovertemplate=f"{run.label}: (%{{x:.4g}}, %{{y:.4g}})<extra></extra>",
                            row=1, col=col)  # fmt: skip
        start = surface.default_start
        fig.add_scatter(x=[start[0]], y=[start[1]], mode="markers", name="start",
                        showlegend=col == 1, legendgroup="start",
                        marker=dict(symbol="circle-open", size=13, color="#222",
                                    line=dict(width=2.5)),
                        hovertemplate="start (%{x:.4g}, %{y:.4g})<extra></extra>",
                        row=1, col=col)  # fmt: skip
        minimum_and_square_axes(fig, surface, col)
    fig.update_layout(height=height, images=images, plot_bgcolor="white", font=dict(size=14),
                      margin=dict(l=50, r=10, t=40, b=90), hovermode="closest",
                      legend=dict(orientation="h", x=0, y=-0.2, yanchor="top"))  # fmt: skip
    return fig


def _reached(surface: Surface, run: Run) -> tuple[int, float, float, str | None]:
    """(converged step or −1, f − f* at the end, distance from the minimizer at the end,
    how it left: "diverged", … or None)."""
    tr = run.trajectory
    way_out = run_exit(surface, tr)
    return (int(tr.converged_step), float(tr.final_loss) - surface.min_value,
            float(tr.distance_to_minimizer()), way_out.verb if way_out else None)  # fmt: skip


def standardize_rows(raw: Side, standardized: Side) -> list[dict[str, str]]:
    """Per optimizer (the runs in the same order on both sides): the step it converged
    at and f − f* after the last step, raw against standardized (a run that left: how)."""
    rows = []
    for before, after in zip(raw.runs, standardized.runs, strict=True):
        row = {"optimizer": before.label}
        cells = dict(zip(SIDES, (_reached(raw.surface, before),
                                 _reached(standardized.surface, after)), strict=True))  # fmt: skip
        row.update({f"converged at step ({w})": str(step) if step >= 0 else left or "not converged"
                    for w, (step, _, _, left) in cells.items()})  # fmt: skip
        row.update({f"f − f* at the end ({w})": "—" if left else f"{max(gap, 0.0):.3g}"
                    for w, (_, gap, _, left) in cells.items()})  # fmt: skip
        rows.append(row)
    return rows


def standardize_summary(raw: Side, standardized: Side, steps: int) -> str:
    """What the two landscapes and the runs show, in words, from the numbers measured."""
    k0, k1 = raw.kappa, standardized.kappa
    (l0, h0), (l1, h1) = (np.linalg.eigvalsh(s.surface.hessian(s.surface.minimizers[0]))
                          for s in (raw, standardized))  # fmt: skip
    curvatures = (f"the Hessian's eigenvalues at the minimum {l0:.3g} and {h0:.3g} raw, "
                  f"{l1:.3g} and {h1:.3g} standardized")  # fmt: skip
    if k1 <= k0 / 2:
        shape = ("the long tilted valley turns round" if k1 < 1.5 else "the valley widens")
        words = [f"Standardizing the inputs takes κ from {k0:.3g} to {k1:.3g} ({curvatures}): "
                 f"{shape}, so one α suits both directions."]  # fmt: skip
    else:
        words = [f"Standardizing the inputs changes κ little here, {k0:.3g} → {k1:.3g} "
                 f"({curvatures}): the inputs were on similar scales already, so the "
                 "landscape keeps its shape."]  # fmt: skip
    if raw.runs:
        said = []
        for before, after in zip(raw.runs, standardized.runs, strict=True):
            (s0, g0, _, left0), (s1, g1, _, left1) = (_reached(raw.surface, before),
                                                      _reached(standardized.surface, after))
            if s0 >= 0 and s1 >= 0:
                ratio = s0 / max(s1, 1)
                how = (f", {ratio:.2g}× fewer steps" if ratio >= 1.2 else
                       f", {1 / ratio:.2g}× more" if ratio <= 1 / 1.2 else "")
                said.append(f"{before.label} converged at step {s0} raw and {s1} "
                            f"standardized{how}")  # fmt: skip
            elif s0 < 0 and s1 < 0 and not (left0 or left1):
                said.append(f"{before.label} was still {max(g0, 0.0):.2g} above f* at the end "
                            f"raw and {max(g1, 0.0):.2g} standardized")  # fmt: skip
            else:
                ends = [(f"converged at step {s}" if s >= 0 else left if left else
                         f"ended {max(g, 0.0):.2g} above f*")
                        for s, g, left in ((s0, g0, left0), (s1, g1, left1))]  # fmt: skip
                said.append(f"{before.label} {ends[0]} raw, {ends[1]} standardized")
        words.append(f"In {steps} steps from each landscape's own default start, with the "
                     "race's α and other settings: " + "; ".join(said) + ".")  # fmt: skip
    return " ".join(words)
