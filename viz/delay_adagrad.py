"""Delay-tolerant AdaGrad beside plain AdaGrad under the same stale gradients: the loss
against step of each form, the measured stability against the delay τ, the tables and
the sentences that say what they show (computed from the numbers)."""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from optim_core import DelayStability, Trajectory
from optim_core.delay_tolerant import FORM_TITLES, LOOKS

from .figures import MACHINE_FLOOR, log_axis

FORM_DASH = {"adagrad": "solid", "revision": "solid", "accumulator": "dash"}
SHORT = {"adagrad": "AdaGrad", "revision": "delay-tolerant AdaGrad",
         "accumulator": "the delay-tolerant rate without the revision"}  # fmt: skip


def _gap(trajectory: Trajectory) -> np.ndarray:
    """f − f* along the path (f where f* is unknown)."""
    floor = trajectory.surface.min_value
    loss = np.asarray(trajectory.loss, dtype=float)
    return loss - floor if np.isfinite(floor) else loss


def loss_figure(runs: Mapping[str, Trajectory], height: int = 420) -> go.Figure:
    """f − f* against step for each form (``runs`` by form name, one start each) on a
    log axis; a ● where a run converged, a ✕ where it diverged; values below
    MACHINE_FLOOR (the minimum to machine precision) are not drawn."""
    fig, shown = go.Figure(), []
    for form, run in runs.items():
        gap = _gap(run)
        drawn = np.where(gap >= MACHINE_FLOOR, gap, np.nan)
        shown.append(drawn)
        c = LOOKS[form][0]
        fig.add_scatter(x0=0, dx=1, y=drawn, mode="lines", name=FORM_TITLES[form],
                        legendgroup=form, line=dict(color=c, width=2.5 if form == "revision"
                                                    else 2, dash=FORM_DASH[form]),
                        hovertemplate=f"{FORM_TITLES[form]}: f − f* %{{y:.3g}} at step %{{x}}"
                        "<extra></extra>")  # fmt: skip
        for step, symbol, word in ((int(run.converged_step), "circle", "converged"),
                                   (int(run.diverged_step), "x", "diverged")):  # fmt: skip
            if step >= 0:
                fig.add_scatter(x=[step], y=[max(gap[step], MACHINE_FLOOR)], mode="markers",
                                legendgroup=form, showlegend=False,
                                marker=dict(symbol=symbol, size=11, color=c),
                                hovertemplate=f"{FORM_TITLES[form]}: {word} at step {step}"
                                "<extra></extra>")  # fmt: skip
    values = np.concatenate(shown) if shown else np.array([1.0])
    fig.update_layout(
        height=height, margin=dict(l=80, r=10, t=40, b=55), font=dict(size=14),
        xaxis_title="step", yaxis=dict(title="f − f*", **log_axis(values)),
        legend=dict(orientation="h", y=1.16),
    )  # fmt: skip
    return fig


def stability_figure(found: DelayStability, height: int = 420) -> go.Figure:
    """Against the fixed delay τ: left, the largest α of the grid with no divergence (an
    open marker where no α of the grid diverged: a lower bound); right, the fewest steps
    to converge at the best α of the grid (none: not drawn)."""
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.16,
                        subplot_titles=("largest stable α", "fewest steps"))  # fmt: skip
    taus = [int(t) for t in found.taus]
    for i, form in enumerate(found.forms):
        c, marker = LOOKS[form][0], LOOKS[form][1]
        largest, bound = found.largest_stable[i], found.all_stable[i]
        fig.add_scatter(
            x=taus, y=largest, mode="lines+markers", name=FORM_TITLES[form], legendgroup=form,
            line=dict(color=c, dash=FORM_DASH[form]),
            marker=dict(symbol=[marker + ("-open" if b else "") for b in bound], size=12,
                        color=c, line=dict(color=c, width=2)),
            customdata=np.where(bound, "≥ (no α of the grid diverged)", ""),
            hovertemplate=f"{FORM_TITLES[form]}, τ = %{{x}}: α %{{customdata}} %{{y:.3g}}"
                          "<extra></extra>",
            row=1, col=1,
        )  # fmt: skip
        fastest = np.where(found.fastest[i] >= 0, found.fastest[i], np.nan).astype(float)
        fig.add_scatter(
            x=taus, y=fastest, mode="lines+markers", legendgroup=form, showlegend=False,
            line=dict(color=c, dash=FORM_DASH[form]), marker=dict(symbol=marker, size=11, color=c),
            customdata=found.fastest_alpha[i],
            hovertemplate=f"{FORM_TITLES[form]}, τ = %{{x}}: %{{y}} steps at α %{{customdata:.3g}}"
                          "<extra></extra>",
            row=1, col=2,
        )  # fmt: skip
    alphas = found.alphas
    fig.update_xaxes(title_text="delay τ (steps)", tickmode="array", tickvals=taus)
    fig.update_yaxes(row=1, col=1, title_text="α without divergence",
                     **log_axis([alphas[0], alphas[-1]]))  # fmt: skip
    fig.update_yaxes(row=1, col=2, title_text="steps to converge (best α)", rangemode="tozero")
    if not (found.fastest >= 0).any():
        fig.add_annotation(text="no run converged<br>at any α of the grid", showarrow=False,
                           xref="x2 domain", yref="y2 domain", x=0.5, y=0.5,
                           font=dict(size=14, color="#555555"))  # fmt: skip
    fig.update_layout(height=height, margin=dict(l=70, r=10, t=40, b=120), font=dict(size=14),
                      legend=dict(orientation="h", x=0, y=-0.32, yanchor="top"))  # fmt: skip
    return fig


def _outcome(run: Trajectory) -> str:
    if run.diverged_step >= 0:
        return f"diverges at step {int(run.diverged_step)}"
    if run.converged_step >= 0:
        return f"converges at step {int(run.converged_step)}"
    return f"ends at f − f* = {_gap(run)[-1]:.3g} after {run.steps} steps without converging"


def run_rows(runs: Mapping[str, Trajectory]) -> list[dict]:
    """The table of the runs: each form's converged and diverged steps (— for never)
    and its last f − f*."""
    rows = []
    for form, run in runs.items():
        rows.append({
            "rule": FORM_TITLES[form],
            "converged at step": str(int(run.converged_step)) if run.converged_step >= 0
            else "—",
            "diverged at step": str(int(run.diverged_step)) if run.diverged_step >= 0 else "—",
            "f − f* at the end": f"{_gap(run)[-1]:.3g}",
        })  # fmt: skip
    return rows


def stability_rows(found: DelayStability) -> list[dict]:
    """The stability chart as a table: per τ, each form's largest α without divergence
    ("≥" where none of the grid diverged) and fewest steps to converge (at which α)."""
    rows = []
    for j, tau in enumerate(found.taus):
        row = {"τ": int(tau)}
        for i, form in enumerate(found.forms):
            row[f"{SHORT[form]}: largest α"] = _alpha_text(found, i, j)
            row[f"{SHORT[form]}: fewest steps"] = _fastest_text(found, i, j)
        rows.append(row)
    return rows


def _alpha_text(found: DelayStability, i: int, j: int) -> str:
    largest = found.largest_stable[i, j]
    if math.isnan(largest):
        return "none"
    return f"≥ {largest:.3g}" if found.all_stable[i, j] else f"{largest:.3g}"


def _fastest_text(found: DelayStability, i: int, j: int) -> str:
    steps = int(found.fastest[i, j])
    return "none" if steps < 0 else f"{steps} (α {found.fastest_alpha[i, j]:.3g})"


def _compare(found: DelayStability, i: int, k: int, j: int) -> tuple[str, str]:
    """Form i against form k at τ index j: (stability, speed) verdicts. Stability:
    "more" (a larger largest α without divergence), "less", "neither" (no α of the grid
    diverged for either) or "same"; speed, the fewest steps to converge over the α's:
    "more" (fewer steps, or converging where k never does), "less", "neither" (neither
    converged at any α) or "same"."""
    a, b = float(found.largest_stable[i, j]), float(found.largest_stable[k, j])
    a, b = (-math.inf if math.isnan(a) else a), (-math.inf if math.isnan(b) else b)
    if found.all_stable[i, j] and found.all_stable[k, j]:
        stable = "neither"
    else:
        stable = "more" if a > b else "less" if a < b else "same"
    s, t = int(found.fastest[i, j]), int(found.fastest[k, j])
    if s < 0 and t < 0:
        speed = "neither"
    else:
        s, t = (math.inf if s < 0 else s), (math.inf if t < 0 else t)
        speed = "more" if s < t else "less" if s > t else "same"
    return stable, speed


STABILITY_WORDS = {"more": "larger at τ = {}", "less": "smaller at τ = {}",
                   "same": "the same at τ = {}",
                   "neither": "no divergence for either at any α at τ = {}"}  # fmt: skip
SPEED_WORDS = {"more": "fewer at τ = {}", "less": "more at τ = {}", "same": "as many at τ = {}",
               "neither": "no convergence for either at τ = {}"}  # fmt: skip


def summary(runs: Mapping[str, Trajectory], found: DelayStability, delay_words: str) -> str:
    """What the figure and tables show, in words from their numbers: each rule's run,
    then, over the fixed delays of the stability chart, where delay-tolerant AdaGrad is
    more stable and faster than AdaGrad, and where it is not (:func:`_compare`)."""
    alpha = runs["adagrad"].hyperparams["lr"]
    words = [f"At α = {alpha:g} with {delay_words}, "
             + "; ".join(f"{SHORT[form]} {_outcome(run)}" for form, run in runs.items())
             + "."]  # fmt: skip
    if "adagrad" in found.forms and "revision" in found.forms:
        i, k = found.forms.index("revision"), found.forms.index("adagrad")
        verdicts = [_compare(found, i, k, j) for j in range(len(found.taus))]
        taus = [int(t) for t in found.taus]

        def said(which: int, phrases: dict) -> str:
            bits = []
            for verdict, phrase in phrases.items():
                at = [str(taus[j]) for j, v in enumerate(verdicts) if v[which] == verdict]
                if at:
                    bits.append(phrase.format(", ".join(at)))
            return ", ".join(bits)

        words.append(
            f"Over the fixed delays τ = {', '.join(map(str, taus))} ({found.steps} steps, α "
            f"from {found.alphas[0]:.3g} to {found.alphas[-1]:.3g}), against AdaGrad, "
            f"delay-tolerant AdaGrad's largest α without divergence: "
            f"{said(0, STABILITY_WORDS)}; its fewest steps to converge (at its best α): "
            f"{said(1, SPEED_WORDS)}."
        )  # fmt: skip
    return " ".join(words)


__all__ = ["loss_figure", "run_rows", "stability_figure", "stability_rows", "summary"]
