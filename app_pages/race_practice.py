"""The race page's training practices on the data surfaces: the order of the examples,
the loss a plateau schedule watches, the validation loss and early stopping — their
controls in the sidebar and their sections under the race."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import streamlit as st

import optim_core
import scenes
import surfaces
import viz
from app_pages import common
from app_pages.race_view import figure_view
from optim_core import batches


def plateau_monitor(container, name: str, surface) -> str:
    """A plateau schedule's choice of the loss it watches (the validation loss only
    where the surface holds examples out)."""
    key = f"{name}.sched.monitor"
    state = st.session_state
    if state.get(key) not in scenes.PLATEAU_MONITORS:
        state[key] = "train"
    held_out = surface.data is not None and surface.data.val_loss is not None
    value = container.radio(
        "It watches", list(scenes.PLATEAU_MONITORS), key=key, horizontal=True,
        format_func=scenes.PLATEAU_MONITORS.get, disabled=not held_out,
        help="The loss whose plateau cuts α: the training loss (over the examples the "
        "steps see) or the validation loss (over the examples held out). Part of the link.",
    )  # fmt: skip
    if not held_out and surface.data is not None:
        container.caption("To watch a validation loss, hold examples out with the slider "
                          "under the surface.")  # fmt: skip
    return value


def order_controls(box, data, batch: int) -> tuple[str, str]:
    """The order of the examples and a curriculum's difficulty (in the mini-batches'
    box): ``(order, difficulty)``."""
    state = st.session_state
    state.setdefault("order", "reshuffle")
    state.setdefault("difficulty", "start")
    order = box.selectbox(
        "Order of the examples", list(optim_core.ORDERS), key="order",
        format_func=scenes.ORDER_TITLES.get,
        help="Which examples each step's batch holds. Reshuffled: a new random order every "
        "epoch. One fixed shuffle: the same random order every epoch. Sorted: the order the "
        "data arrive in (by x; by class), every epoch. Curriculum: the easiest third first, "
        "then two thirds, then all, each stage 5 epochs. Mixed: that curriculum with a "
        "quarter of the harder examples mixed into every epoch. Part of the link.",
    )  # fmt: skip
    difficulty = state.difficulty
    if order in batches.STAGED:
        difficulty = box.radio("Easy first, by", list(scenes.DIFFICULTY_TITLES),
                               key="difficulty", format_func=scenes.DIFFICULTY_TITLES.get,
                               help="An example's difficulty: its own loss at the race's "
                               "start, or its distance from the best fit of all the data "
                               "(the line; how far on the wrong side of the boundary). "
                               "Part of the link.")  # fmt: skip
    elif order != "reshuffle" and batch >= data.n:
        box.caption("With all the examples in every step, the order changes nothing: each "
                    "step takes the full gradient.")  # fmt: skip
    return order, difficulty


def epoch_words(order, n: int, batch: int) -> str:
    """How many steps an epoch takes, in words; a curriculum's shorter epochs first."""
    whole = f"{math.ceil(n / batch)} steps an epoch of all {n}"
    if order is None or not order.staged:
        return whole
    sizes, starts = batches.epoch_sizes(n, order), batches.stage_starts(n, batch, order)
    stages = ", ".join(f"{math.ceil(k / batch)} steps an epoch of {k} from step {s0}"
                       for k, s0 in zip(sizes, [1, *starts[:-1]], strict=True))  # fmt: skip
    return f"{stages}, then {whole} from step {starts[-1]}"


def batch_cap_words(runs) -> str:
    """Where the race draws only its first distinct batches (a long reshuffled race), the
    step from which the batch's lines are no longer drawn, in words; "" otherwise."""
    taken = runs[0].trajectory.taken if runs else None
    if not taken:
        return ""
    index = viz.race.batch_index(taken)
    beyond = np.flatnonzero(index < 0)
    if not len(beyond):
        return ""
    return (f" (Drawn for the first {viz.race.MAX_BATCHES} different batches: from step "
            f"{beyond[0] + 1} on, the batch's lines are not drawn.)")


def delay_controls(box) -> tuple[int, bool]:
    """Stale gradients, as an asynchronous parameter server gives them: ``(τ, random)``."""
    state = st.session_state
    state.setdefault("delay", 0)
    state.setdefault("delay_random", False)
    delay = box.select_slider(
        "Stale gradients: τ steps old (0: fresh)", scenes.DELAYS, key="delay",
        help="Each step takes the gradient at the parameters of τ steps before, as a worker "
        "of an asynchronous parameter server does (Downpour, Hogwild!): first-order "
        "optimizers only. Part of the link.",
    )  # fmt: skip
    random = state.delay_random
    if delay:
        random = box.checkbox("A random τ each step, from 0 to it", key="delay_random",
                              help="Each step's τ drawn from 0 … τ (the seed below): "
                              "workers of uneven speed. Part of the link.")  # fmt: skip
    return int(delay), bool(random)


def delay_words(scene: scenes.Scene) -> str:
    """The stale gradients, in words, with delayed SGD's stability bound on a bowl."""
    tau = scene.delay
    bound = 2 * math.sin(math.pi / (2 * (2 * tau + 1)))
    how = (f"a τ drawn from 0 to {tau} each step (seed {scene.seed}, the same draws for "
           "every optimizer)" if scene.delay_random else f"τ = {tau} steps")
    return (f"Stale gradients: each step takes the gradient at the parameters of {how} "
            "before, as an asynchronous parameter server's workers do (simulated: one "
            "process, a seeded schedule). The old gradient still points where the path "
            "was, so a step can overshoot: on a round bowl ½L|w|² plain SGD with a fixed "
            f"τ = {tau} is stable only while αL < 2 sin(π/(2(2τ + 1))) = {bound:.3g} "
            "(2 with fresh gradients).")


def delay_section(scene: scenes.Scene, chosen) -> None:
    """With stale gradients: where delayed SGD stays stable on a round bowl, every τ of
    the slider against α, with the exact bound (and the race's SGD, when it races there)."""
    if not scene.delay:
        return
    st.subheader("Stale gradients: where SGD stays stable")
    taus, outcome, bound = common.cached_delay_stability()
    marks = []
    if "sgd" in chosen and scene.surface.startswith("quadratic(") and \
            surfaces.get(scene.surface).params.get("kappa") == 1.0:  # fmt: skip
        marks = [(scene.hyperparams("sgd")["lr"], scene.delay, "the race's SGD", viz.color("sgd"))]
    figure_view(viz.delay_stability_figure(taus, common.DELAY_ALPHAS, outcome, bound,
                                           marks).to_json(), key="delay_stability")  # fmt: skip
    agree = all(
        np.all(outcome[i][common.DELAY_ALPHAS < 0.95 * b] == 1)
        and np.all(outcome[i][common.DELAY_ALPHAS > 1.05 * b] == -1)
        for i, b in enumerate(bound))  # fmt: skip
    st.caption(
        "Plain SGD with a fixed delay τ on the round bowl ½|w|² (L = 1; the surface "
        "“Ill-conditioned quadratic” at κ = 1), from (1, 0.5), 2,000 steps: light, it "
        "converged; dark, it diverged; between, neither yet. Its step w_t = w_{t−1} − α "
        "w_{t−1−τ} is stable exactly while the roots of z^(τ+1) − z^τ + α lie inside the "
        "unit circle, α < 2 sin(π/(2(2τ + 1))) (red): 2 with fresh gradients, 1 at τ = 1, "
        "0.618 at τ = 2, 0.347 at τ = 4 — the staler the gradient, the smaller the step "
        "that stays safe. "
        + ("Every run more than 5 % inside the line converged and every run more than 5 % "
           "outside it diverged (nearer it, runs are slow either way)." if agree else
           "Some runs near the line disagree with it within the steps (slow convergence "
           "or growth).")
        + (" The star: the race's SGD." if marks else " Race SGD on the “Ill-conditioned "
           "quadratic” at κ = 1 to see it as a star here.")
    )  # fmt: skip


def stopping_controls(sidebar, data) -> tuple[int, float]:
    """Early stopping's patience P and minimum improvement δ (when examples are held
    out): ``(P, δ)``."""
    state = st.session_state
    state.setdefault("stop_patience", scenes.Scene.stop_patience)
    state.setdefault("stop_delta", scenes.Scene.stop_delta)
    if data is None or data.val_loss is None:
        return int(state.stop_patience), float(state.stop_delta)
    box = sidebar.expander("Early stopping", expanded=True)
    left, right = box.columns(2)
    patience = left.number_input(
        "Patience P (steps)", 1, scenes.MAX_PAGE_STEPS, key="stop_patience", step=1,
        help="Stop once the validation loss has not improved for P steps in a row.",
    )  # fmt: skip
    delta = right.number_input(
        "Minimum gain δ", 0.0, 10.0, key="stop_delta", step=0.001, format="%.4g",
        help="An improvement counts only when the validation loss falls below the best so "
        "far by more than δ.",
    )  # fmt: skip
    box.caption(f"Checked after every step on the {data.n_val} held-out examples; the "
                "weights kept are those of the last step that improved. Part of the link.")
    return int(patience), float(delta)


# ---------------------------------------------------------------- under the race


def verdicts(scene: scenes.Scene, runs) -> dict[str, optim_core.EarlyStop]:
    """Early stopping's verdict on each run that recorded a validation loss."""
    if not scene.validation():
        return {}
    return {r.name: optim_core.early_stopping(r.trajectory.val_loss, scene.stop_patience,
                                              scene.stop_delta)
            for r in runs if r.trajectory.val_loss is not None}  # fmt: skip


def kept_marks(found: dict[str, optim_core.EarlyStop]) -> tuple:
    """(optimizer, kept step) pairs for the contour's diamonds (a cache key)."""
    return tuple(sorted((name, int(v.kept_step)) for name, v in found.items()))


def validation_section(scene: scenes.Scene, runs, found: dict) -> None:
    """The race's training and validation losses with early stopping's marks."""
    if found:
        stopping_section(runs, found, surfaces.get(scene.surface).data.n_val, scene.stop_patience,
                         scene.stop_delta, contour=True)  # fmt: skip


NEVER = "— (never P steps without a gain)"


def stopping_section(runs, found: dict, n_val: int, patience: int, delta: float, *,
                     contour: bool = False, extra: dict | None = None,
                     key: str = "validation") -> None:  # fmt: skip
    """The training and validation losses with early stopping's marks, and its table
    (``extra``: more columns by run name); ``contour``: the kept weights are also marked
    on the contour (the data surfaces)."""
    st.subheader("Validation loss and early stopping")
    figure_view(viz.validation_figure(runs, found).to_json(), key=key)
    rows = []
    for r in runs:
        v = found.get(r.name)
        if v is None:
            continue
        rows.append({
            "optimizer": r.label,
            "stops at step": int(v.stop_step) if v.stopped else NEVER,
            "keeps step": int(v.kept_step),
            "validation loss kept": float(v.kept_loss),
            "at the last step": float(v.final_loss),
            "given up by running on": float(v.given_up),
            **(extra or {}).get(r.name, {}),
        })  # fmt: skip
    numeric = [k for k in rows[0] if k not in ("optimizer", "stops at step", "keeps step")
               and isinstance(rows[0][k], float)] if rows else []  # fmt: skip
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch",
                 column_config={k: st.column_config.NumberColumn(format="%.4g")
                                for k in numeric})  # fmt: skip
    lost = [r for r in rows if r["given up by running on"] > 0]
    st.caption(
        f"Early stopping watches the loss over the {n_val} held-out examples (thick, "
        "dashed) after every step and stops once it has not fallen below its best by more "
        f"than δ = {delta:g} for P = {patience} steps in a row (×), keeping the weights of "
        "the last step that did (◆" + (", also on the contour" if contour else "") + "). "
        "“Given up by running on”: the validation loss at the last step minus the one kept"
        " — " + (", ".join(f"{r['optimizer']} ran on to a validation loss "
                          f"{r['given up by running on']:.3g} higher" for r in lost)
                 + "; " if lost else "")
        + ("negative where running on still helped." if len(lost) < len(rows) else
           "every run ended worse than where early stopping would have left it.")
        + " The training loss (thin) is over the examples the steps see, and includes the "
        "penalty term where there is one; the validation loss does not."
        + (" Here the validation loss stays below the training loss nearly all the way: "
           "the held-out examples happen to be easier to fit than the training ones."
           if easier(runs, found) else "")
    )  # fmt: skip


def easier(runs, found: dict) -> bool:
    """Whether every run's validation loss is below its training loss at 90 % of its
    steps or more (held-out examples that happen to be easier)."""
    shares = [np.mean(np.asarray(r.trajectory.val_loss) < np.asarray(r.trajectory.loss))
              for r in runs if r.name in found]  # fmt: skip
    return bool(shares) and min(shares) >= 0.9


def _epoch_steps(n: int, batch: int) -> int:
    return math.ceil(n / batch)


def order_section(scene: scenes.Scene, surface, chosen) -> None:
    """Every order of the examples for one optimizer: the loss curves and a table of
    how far each ends from the minimum of all the data."""
    if scene.batch() is None or not chosen:
        return
    data = surface.data
    st.subheader("Order of the examples")
    titles = {n: optim_core.get_optimizer(n).title for n in chosen}
    name = st.selectbox("Optimizer", chosen, key="order_optimizer", format_func=titles.get)
    runs = {}
    for order in optim_core.ORDERS:
        variant = dataclasses.replace(scene, order=order)
        if variant.batch() is None:
            continue
        key = (name, tuple(sorted(variant.hyperparams(name).items())), variant.convention,
               variant.run_options(name))  # fmt: skip
        runs[order] = viz.Run(name, titles[name], common.cached_run(
            name, scene.surface, scene.start_point(), scene.steps, *key[1:]))  # fmt: skip
    figure_view(viz.order_figure(runs, scenes.ORDER_TITLES, surface).to_json(), key="orders")
    best = surface.minimizers[0]
    epoch = _epoch_steps(data.n, scene.batch())
    rows, numbers = [], {}
    for order, run in runs.items():
        numbers[order] = last_epoch(run.trajectory, best, epoch)
        rows.append({"order": scenes.ORDER_TITLES[order], **numbers[order]})
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch",
                 column_config={k: st.column_config.NumberColumn(format="%.4g")
                                for k in rows[0] if k != "order"})  # fmt: skip
    st.caption(order_words(titles[name], scene, data.n, epoch, numbers))


LAST_EPOCH_COLUMNS = ("ends from the minimum", "mean distance, last epoch",
                      "sway, last epoch", "loss at the end", "lowest loss, last epoch",
                      "highest loss, last epoch")  # fmt: skip


def last_epoch(tr, best, epoch: int) -> dict[str, float]:
    """How a run ends: its distance from the minimum of all the data at the end and on
    average over its last epoch of steps, its sway (the largest distance of those points
    from their mean), and the loss over all the data at the end and over the epoch."""
    last = slice(max(0, tr.steps - epoch + 1), tr.steps + 1)  # the last epoch's points
    points = np.asarray(tr.path[last], dtype=float)
    distance = np.linalg.norm(points - best, axis=-1)
    sway = np.linalg.norm(points - points.mean(axis=0), axis=-1).max()
    loss = np.asarray(tr.loss[last], dtype=float)
    values = (distance[-1], distance.mean(), sway, tr.loss[-1], loss.min(), loss.max())
    return dict(zip(LAST_EPOCH_COLUMNS, map(float, values), strict=True))


def order_words(title: str, scene: scenes.Scene, n: int, epoch: int, numbers: dict) -> str:
    """What the order table measured, in words (sorted against reshuffled, as found)."""
    words = (f"{title}, {scene.steps} steps of {scene.batch()} of the {n} examples ({epoch} "
             "steps an epoch of all of them), the same α and seed in every order. “From the "
             "minimum”: the distance from the minimum of the loss over all the training "
             "examples (the dashed line beside the loss); “sway”: how far the last epoch's "
             "points spread from their mean.")
    shuffled, ordered = numbers.get("reshuffle"), numbers.get("sorted")
    frozen = [o for o, v in numbers.items() if v["sway, last epoch"] < 1e-6]
    if frozen:
        words += (" " + ", ".join(scenes.ORDER_TITLES[o] for o in frozen) + ": it barely "
                  "moves over its last epoch (its α has shrunk to almost nothing), so its "
                  "sway says nothing about the order.")
    if shuffled and ordered and not {"reshuffle", "sorted"} & set(frozen):
        d, s = ordered["mean distance, last epoch"], shuffled["mean distance, last epoch"]
        sway, sway0 = ordered["sway, last epoch"], shuffled["sway, last epoch"]
        words += (f" Sorted, each epoch's batches come a class (or a stretch of x) at a "
                  f"time: over the last epoch the path sways {sway:.3g} "
                  f"({_times(sway, sway0)} reshuffled, {sway0:.3g}) and stays {d:.3g} from "
                  f"the minimum on average ({_times(d, s)} reshuffled, {s:.3g}); its loss "
                  "over all the training examples runs from "
                  f"{ordered['lowest loss, last epoch']:.4g} to "
                  f"{ordered['highest loss, last epoch']:.4g} (reshuffled: "
                  f"{shuffled['lowest loss, last epoch']:.4g} to "
                  f"{shuffled['highest loss, last epoch']:.4g}).")  # fmt: skip
    return words


def _times(a: float, b: float) -> str:
    """"2.1 times as much as", "about the same as", "0.4 times" — a against b."""
    if not (b > 0) or not np.isfinite(a / b):
        return "against"
    ratio = a / b
    if 0.9 <= ratio <= 1.1:
        return "about as much as"
    return f"{ratio:.2g} times as much as"


def stochastic_words(scene: scenes.Scene, data, runs) -> list[str]:
    """What the race's stale gradients, noise and mini-batches do, a sentence each."""
    words = []
    if scene.delay:
        words.append(delay_words(scene))
    if scene.noise_eta > 0:
        first, last = (math.sqrt(scene.noise_eta / (1 + t) ** scene.noise_gamma)
                       for t in (1, scene.steps))  # fmt: skip
        words.append(
            f"Gradient noise: every gradient gets N(0, σ_t² I) added, σ_t² = η/(1 + t)^γ "
            f"with η = {scene.noise_eta:g}, γ = {scene.noise_gamma:g} (σ from {first:.3g} at "
            f"step 1 to {last:.3g} at step {scene.steps}); every optimizer gets the same draws "
            "(one seed), so what differs is how each one uses them."
        )
    if scene.batch() is not None:
        b = scene.batch()
        words.append(
            f"Mini-batches: each step takes the exact gradient over {b} of the {data.n} "
            f"examples, {optim_core.Order(scene.order, difficulty=scene.difficulty).describe()}"
            f", {epoch_words(scene.run_order(), data.n, b)}; every optimizer sees "
            "the same batches. The filled contour, the 3-D view and the loss show the loss "
            "over all the training data, so it can go up: a step only goes downhill on its "
            "own batch. The pink dotted lines are the loss of the batch the step shown took "
            "(× its lowest point in the view, none when that lies beyond it)"
            + (", and its examples are ringed in pink beside the loss"
               if data.kind in viz.race.FITS_DRAWN else "")
            + ": each step goes downhill across its own batch's lines (SGD's at right "
            "angles to them), so the path turns as the batches change."
            + (" Open triangles beside the loss: the examples held out for validation, "
               "which no step sees." if data.val_targets is not None else "")
            + batch_cap_words(runs)
        )
    return words
