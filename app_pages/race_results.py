"""The race page's numbers under the views: the results table, the downloads and the
update rules with what the other convention does here. Functions of the race page's
values (app_pages/race.py calls them in order)."""

from __future__ import annotations

import numpy as np
import streamlit as st

import optim_core
import scenes
import viz
from app_pages import common
from app_pages.race_view import standalone_html

# The results' columns a 1024 px screen holds; the others (settings, gradient norms, f
# evaluations, the saddle's details) on demand.
SHORT_COLUMNS = ("optimizer", "final loss", "distance to minimizer", "converged at step",
                 "converged at ∇f evaluation", "∇f evaluations", "left the view at step",
                 "escaped at step")  # fmt: skip


def results(surface, runs, exits, visits, radius, x_axis: str = "steps") -> None:
    """Each run's outcome, the columns a 1024 px screen holds first. ``x_axis`` "evals":
    when it converged (or was first within tolerance) counts ∇f evaluations, not steps."""
    counts = {r.name: optim_core.evaluations(r.trajectory) for r in runs}
    failed = {r.name: int(optim_core.line_search_failed_step(r.trajectory)) for r in runs}
    at = "step" if x_axis == "steps" else "∇f evaluation"

    def _step(value) -> str:
        return "—" if value < 0 else str(int(value))

    def _evaluations_at(r: viz.Run, step) -> str:
        """The ∇f evaluations the run had taken after ``step`` steps ("—": never)."""
        return "—" if step < 0 else str(int(counts[r.name].grad[int(step)]))

    def _at(r: viz.Run, step) -> str:
        """A step, or the ∇f evaluations the run had taken by then (x_axis "evals")."""
        return _step(step) if x_axis == "steps" else _evaluations_at(r, step)


    def _escape(visit: optim_core.SaddleVisit) -> str:
        if not visit.came_near:
            return "— kept clear of it"
        return "— still within r" if visit.escape_step < 0 else str(visit.escape_step)


    def _row(r: viz.Run) -> dict[str, str]:
        tr = r.trajectory
        settings = [common.describe(tr.hyperparams)]
        if tr.schedule is not None:  # (a warm-up wraps the schedule that follows it)
            then = tr.schedule.params.get("then") if tr.schedule.name == "warmup" else None
            kind = scenes.SCHEDULE_TITLES.get((then or tr.schedule).name, "constant")
            settings.append(f"α {kind}" + (" after a warm-up" if tr.schedule.name == "warmup"
                                             else ""))  # fmt: skip
        if tr.noise is not None:
            settings.append(f"noise η={tr.noise[0]:g}, γ={tr.noise[1]:g}")
        if tr.batch is not None:
            settings.append(f"batch {tr.batch[0]}")
        if tr.noise is not None or tr.batch is not None:
            settings.append(f"seed {(tr.noise or tr.batch)[-1]}")
        row = {"optimizer": r.label, "hyperparameters": "; ".join(settings)}
        if surface.bounded_below:
            row["final loss"] = f"{float(tr.final_loss):.4g}"
            row["distance to minimizer"] = (f"{float(tr.distance_to_minimizer()):.3g}"
                                            if len(surface.minimizers) else "— (none marked)")
            # with the distance, why a run close to the minimum may still not count as converged
            row["final gradient norm"] = f"{float(np.hypot(*surface.grad(tr.final_point))):.3g}"
            row[f"converged at {at}"] = _at(r, tr.converged_step)
            if any(int(o.trajectory.first_converged_step) != int(o.trajectory.converged_step)
                   for o in runs):  # fmt: skip
                row[f"first within tolerance at {at}"] = _at(r, tr.first_converged_step)
            row["∇f evaluations"] = _evaluations_at(r, tr.steps)
            if x_axis == "steps":  # (against evaluations, "converged at" says it)
                row["∇f evaluations to convergence"] = _evaluations_at(r, tr.converged_step)
            row["diverged at step"] = _step(tr.diverged_step)
        else:
            way_out = exits[r.name]
            row["left the view at step"] = _step(way_out.step if way_out else -1)
            row["∇f evaluations"] = _evaluations_at(r, tr.steps)
        row["f evaluations"] = str(int(counts[r.name].f[-1]))
        row["line search failed at step"] = _step(failed[r.name])
        if visits:
            visit = visits[r.name]
            sx, sy = surface.saddles[visit.saddle]
            row["closest saddle"] = f"({sx:.3g}, {sy:.3g})"
            row["closest distance"] = f"{visit.closest_distance:.3g}"
            row[f"steps within {optim_core.NEAR_FRACTION * radius:.3g}"] = str(visit.near_steps)
            row["escaped at step"] = _escape(visit)
        return row

    st.subheader("Results")
    rows = [_row(r) for r in runs]
    searching = [r.label for r in runs if "g_evals" in r.trajectory.state]
    first_shown = {
        # where they say more than the steps do: some run has a line search
        "∇f evaluations": bool(searching),
        "diverged at step": any(r.trajectory.diverged_step >= 0 for r in runs),
        # a search that failed after its run converged is benign: said in a note
        "line search failed at step": any(k >= 0 and not 0 <= r.trajectory.converged_step < k
                                          for r, k in zip(runs, failed.values(), strict=True)),
    }  # fmt: skip
    short = [c for c in rows[0] if first_shown.get(c, c in SHORT_COLUMNS)]
    every = len(short) == len(rows[0]) or st.toggle(
        "All columns", key="results_all_columns", help="Also each run's settings, its final "
        "gradient norm, when it was first within tolerance, its evaluations of f, and its "
        "closest saddle.")
    st.dataframe(rows, hide_index=True, width="stretch", column_order=None if every else short)
    notes = []
    if surface.bounded_below:
        notes.append(
            f"Converged: from that step on, within {optim_core.CONVERGED_DIST_TOL:g} of a "
            f"minimizer (and there with gradient norm ≤ {optim_core.CONVERGED_GRAD_TOL:g}) "
            "until the last step; a run that came that close and left again has not converged "
            '("first within tolerance" gives its first visit). Diverged: left the box '
            f"{optim_core.DIVERGENCE_FACTOR:g}× the domain, or overflowed."
            + (" Converged at ∇f evaluation n: the run had taken n gradients by the step it "
               "converged at." if x_axis == "evals" else "")
        )  # fmt: skip
    else:
        notes.append("Left the view: the first step outside the plotted domain.")
    if "∇f evaluations" in (rows[0] if every else short):
        notes.append(
            "∇f evaluations: the gradients each run took, in all"
            + (" (and, under all the columns, until it converged)"
               if surface.bounded_below and x_axis == "steps" else "") + ": one a step"
            + (f", except {' and '.join(searching)}, whose line searches take several and also "
               "evaluate f (the first step counts f and ∇f at the start too)" if searching else "")
            + "; none after a failed line search or once a diverged run is stopped."
        )  # fmt: skip
    if visits:
        notes.append(
            f"Saddles: the one each run came closest to and how close; the steps it spent "
            f"within {optim_core.NEAR_FRACTION * radius:.3g} of it (r/10); and the step at "
            f"which, after its closest approach, it was first farther than the escape radius "
            f'r = {radius:.3g}. "Kept clear of it": the run never came within r, so there '
            'was nothing to escape from; "still within r": it had not left by the last step.'
        )
    st.caption(" ".join(notes))


def line_search_failures(surface, runs) -> None:
    """Says, for each run whose line search failed, at which step, and that the run stays
    at its last point from there: a warning, or, after it had converged (at the minimum
    to machine precision no step lowers f measurably, so a search fails there), a note."""
    settled = []
    for r in runs:
        k = int(optim_core.line_search_failed_step(r.trajectory))
        if k < 0:
            continue
        tr = r.trajectory
        converged = int(tr.converged_step)
        if 0 <= converged < k:
            settled.append(f"{r.label} at step {k} (converged at step {converged})")
            continue
        point = tr.path[k]
        gradient = float(np.hypot(*surface.grad(point)))
        x, y = (float(v) for v in point)
        words = (f"{r.label}: line search failed at step {k} (the run stays at its last "
                 f"point from there): no step length along its direction from ({x:.4g}, "
                 f"{y:.4g}) met the search's conditions (a search stops after at most "
                 f"{optim_core.line_search.MAX_EVALS} evaluations of f).")  # fmt: skip
        if gradient <= optim_core.CONVERGED_GRAD_TOL:
            words += (f" |∇f| is {gradient:.2g} there: a stationary point to within rounding, "
                      "where f cannot decrease measurably.")  # fmt: skip
        elif tr.batch is not None or tr.noise is not None:
            words += (" Its direction came from " + ("a mini-batch's gradient" if tr.batch
                      is not None else "a noisy gradient") + " while the search measures f "
                      "over all the data: the two disagree, so the search finds no step "
                      "(a line search needs the loss its gradient belongs to).")  # fmt: skip
        st.warning(words)
    if settled:
        st.caption(
            "Line search failed after converging: " + "; ".join(settled) + ". At a minimum "
            "to machine precision no step lowers f measurably, so the next search fails; "
            + ("the run stays" if len(settled) == 1 else "each run stays")
            + " at its last point from there."
        )  # fmt: skip


def downloads(runs, view, surface, surface_name: str, names: str, speed: float) -> None:
    st.subheader("Take it with you")
    trajectories = [r.trajectory for r in runs]
    name = f"race-{surface_name}"
    exports = st.columns(3)
    exports[0].download_button(
        "Trajectories (CSV)", lambda: optim_core.export.to_csv(trajectories), f"{name}.csv",
        "text/csv", on_click="ignore", width="stretch",
    )  # fmt: skip
    exports[1].download_button(
        "Trajectories (JSON)", lambda: optim_core.export.to_json(trajectories), f"{name}.json",
        "application/json", on_click="ignore", width="stretch",
    )  # fmt: skip
    exports[2].download_button(
        "The race as one HTML file", lambda: standalone_html(
            view, f"{surface.title}: {names}", frame_ms=50 / speed), f"{name}.html", "text/html",
        on_click="ignore", width="stretch",
    )  # fmt: skip
    st.caption(
        "Every step of every run: the point, f, the gradient that moved it and the "
        "optimizer's state (m, v, …), with the surface, start, steps and hyperparameters "
        "that re-run it. The HTML file plays offline (plotly.js is inside it). The link "
        "button under the race copies this page's address, which holds the whole scene."
    )


def update_rules(runs, chosen, convention: str, scene, surface, surface_name: str) -> None:
    """Each optimizer's rule in LaTeX, its notes, and what the other convention's rule
    does here with the same values."""

    OTHER = {"cheatsheet": "pytorch", "pytorch": "cheatsheet"}
    CONVENTION_NAMES = {"cheatsheet": "the cheat sheet's form", "pytorch": "torch.optim's"}


    def _outcome(tr) -> str:
        """How a run ended, in a few words, for comparing the two conventions."""
        if tr.diverged_step >= 0:
            return f"diverges at step {int(tr.diverged_step)}"
        if surface.bounded_below:
            end = f"ends at f = {float(tr.final_loss):.3g}"
            return end + (f", converged at step {int(tr.converged_step)}"
                          if tr.converged_step >= 0 else "")  # fmt: skip
        way_out = viz.run_exit(surface, tr)
        return (f"leaves the view at step {way_out.step}" if way_out
                else f"ends at f = {float(tr.final_loss):.3g}")  # fmt: skip


    def _difference(run: viz.Run) -> str:
        """One line on the other convention: what its rule does here, at these values."""
        other = OTHER[convention]
        opt = optim_core.get_optimizer(run.name, other)
        values = {h: v for h, v in run.trajectory.hyperparams.items() if h in opt.hyperparams}
        options = tuple((k, v) for k, v in scene.run_options(run.name)
                        if k != "schedule" or "lr" in opt.hyperparams)  # fmt: skip
        tr = common.cached_run(run.name, surface_name, scene.start_point(), scene.steps,
                               tuple(sorted(values.items())), other, options)  # fmt: skip
        missing = [scenes.HYPER_LABELS[h] for h in opt.hyperparams if h not in values]
        defaults = f" ({', '.join(missing)} at its default)" if missing else ""
        return (f"Here, with these values{defaults}: {CONVENTION_NAMES[convention]} "
                f"{_outcome(run.trajectory)}; {CONVENTION_NAMES[other]} {_outcome(tr)}.")

    st.subheader("Update rules" + (" (torch.optim)" if convention == "pytorch" else ""))
    cols = st.columns(min(3, len(chosen)))
    for i, run in enumerate(runs):
        opt = optim_core.get_optimizer(run.name, convention)
        with cols[i % len(cols)]:
            st.markdown(f"**{opt.title}** ({opt.citation})")
            st.latex(r"\begin{gathered}" + opt.latex + r"\end{gathered}")
            if convention == "cheatsheet" and opt.note:  # (torch's note is the line below)
                st.caption(opt.note)
            torch_note = optim_core.get_optimizer(run.name, "pytorch").note
            st.caption(f"Cheat sheet vs PyTorch: {torch_note} {_difference(run)}")


def exit_warnings(surface, runs, steps: int) -> dict:
    """How each run left the view (``viz.run_exit`` by name), with a warning for each
    run that diverged, stepped where f is undefined or ended far outside; on a surface
    unbounded below, what running out of the picture means there."""
    exits = {r.name: viz.run_exit(surface, r.trajectory) for r in runs}
    for r in runs:  # a typed formula undefined where the run stepped (sqrt(x) left of the axis)
        if exits[r.name] is not None and exits[r.name].verb == viz.UNDEFINED:
            st.warning(f"{exits[r.name].text(r.label)}: f or its gradient has no value at the "
                       "point it reached, so it was stopped there. Try a smaller α, another "
                       "start, or a formula defined there.")  # fmt: skip
    if surface.bounded_below:
        for r in runs:
            if exits[r.name] is not None and exits[r.name].verb == "diverged":
                st.warning(
                    f"{exits[r.name].text(r.label)}: it left the region "
                    f"{optim_core.DIVERGENCE_FACTOR:g} times as wide and as tall as the view and "
                    "was still moving away at the last step (or overflowed). Try a smaller α."
                )
            elif exits[r.name] is not None and exits[r.name].verb == viz.LEFT_VIEW:
                x, y = (float(v) for v in r.trajectory.final_point)
                st.warning(
                    f"{exits[r.name].text(r.label)} and ended far outside it, at "
                    f"({x:.4g}, {y:.4g}) where f = {float(r.trajectory.final_loss):.4g}: not "
                    "moving away any more (so not diverged), but not back either after "
                    f"{steps:,} steps."
                )
    else:
        st.caption(
            f"{surface.title} has no minimum inside the view: f is lowest at its edge (the "
             "formula may fall without bound, as log(x) does, or reach its minimum outside), "
             "so running out of the picture downhill is how a run gets away here, not a failure."
             if surface.found_numerically else
             f"{surface.title} has no minimum: f falls without bound, so running out of the "
             "picture downhill is how a run gets away, not a failure."
        )  # fmt: skip
        for r in runs:
            if exits[r.name] is not None and exits[r.name].verb == "blew up uphill":
                st.warning(
                    f"{exits[r.name].text(r.label)}: it left the picture higher than it started "
                    "(its step was too long for how the surface curves up there), not down the "
                    "way out. Try a smaller α."
                )
    return exits
