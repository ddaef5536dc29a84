"""Fair tuning's figures: each optimizer's objective against α, the choice marked, and
its table (optim_core.tune's results, as plain data)."""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

import optim_core
from optim_core import tuning

from .style import color, symbol


def tuning_figure(found: dict[str, dict], objective: str, height: int = 380) -> go.Figure:
    """The objective against α for each optimizer, the choice marked."""
    fig = go.Figure()
    for name, t in found.items():
        title, c = optim_core.get_optimizer(name).title, color(name)
        score = np.array(t["score"], dtype=float)
        fig.add_scatter(x=t["alphas"], y=np.where(np.isfinite(score), score, np.nan),
                        mode="lines", name=title, line=dict(color=c, width=2),
                        legendgroup=name)  # fmt: skip
        if math.isfinite(t["alpha"]):
            fig.add_scatter(x=[t["alpha"]], y=[t["value"]], mode="markers", showlegend=False,
                            legendgroup=name, name=f"{title}: chosen",
                            marker=dict(color=c, symbol=symbol(name), size=13,
                                        line=dict(color="white", width=1.5)),
                            hovertemplate=f"{title}: α = %{{x:.3g}}, "
                            f"{tuning.OBJECTIVES[objective]} %{{y:.3g}}<extra></extra>")
    fig.update_layout(
        height=height, margin=dict(l=80, r=10, t=20, b=55), font=dict(size=14),
        xaxis=dict(type="log", title="α", exponentformat="power"),
        yaxis=dict(type="log", title=tuning.OBJECTIVES[objective], exponentformat="power"),
        legend=dict(orientation="h", x=0, y=-0.25, yanchor="top"), hovermode="closest",
    )  # fmt: skip
    return fig



def tuning_rows(found: dict[str, dict], objective: str, convention: str | None = None,
                ) -> list[dict[str, str]]:  # fmt: skip
    """A row an optimizer: its tuned α, the objective there, its default α, and how many
    α's diverged."""
    rows = []
    for name, t in found.items():
        opt = optim_core.get_optimizer(name, convention)
        rows.append({"optimizer": opt.title,
                     "tuned α": f"{t['alpha']:.3g}" if math.isfinite(t["alpha"]) else "none",
                     tuning.OBJECTIVES[objective]: (f"{t['value']:.3g}"
                                                    if math.isfinite(t["value"]) else "—"),
                     "its default α": f"{opt.defaults['lr']:g}",
                     "α's that diverged": f"{int(np.sum(np.array(t['diverged']) > 0))} of "
                                          f"{len(t['alphas'])}"})  # fmt: skip
    return rows


def tuned_data(found: dict) -> dict[str, dict]:
    """optim_core.tune_all's results as plain data (JSON-ready, for a cache)."""
    return {name: {"alphas": t.alphas.tolist(), "score": t.score.tolist(), "alpha": t.alpha,
                   "value": t.value, "repeats": t.repeats, "diverged": t.diverged.tolist()}
            for name, t in found.items()}  # fmt: skip
