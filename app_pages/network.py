"""Real network: the optimizers train a small MLP on real data, and the page shows its
loss landscape (Li et al. 2018) with their paths, projected honestly."""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import replace

import numpy as np
import pandas as pd
import streamlit as st

import optim_core
import scenes
import viz
from app_pages import common, network_practice
from app_pages import network_work as work
from app_pages.race_view import figure_view, preload, race_view
from optim_core import landscape

P = "network."  # this page's widget keys
PLANE_LABELS = {"pca": "PCA of the path (Li et al. §7)",
                "random": "filter-normalized random (§4)",
                "hessian": "top two Hessian eigenvectors"}  # fmt: skip
DATA_LABELS = {"digits": "handwritten digits (8 × 8, 10 classes)", "moons": "two moons",
               "spirals": "two spirals"}  # fmt: skip


def widget_values(scene: scenes.NetworkScene) -> dict:
    """The sidebar's widget values (by key) that show ``scene``."""
    values = dict(data=scene.data, width=scene.width, activation=scene.activation,
                  optimizers=list(scene.optimizers), steps=scene.steps, batch=scene.batch,
                  plane=scene.plane, centre=scene.centre, resolution=scene.resolution,
                  seed=scene.seed, sharp=scene.sharp_flat, saddle=scene.saddle, val=scene.val,
                  stop_patience=scene.stop_patience, stop_delta=scene.stop_delta,
                  batchnorm=scene.batchnorm, stable=scene.stable)  # fmt: skip
    if scene.sharp_flat:  # (their widgets are drawn only then: Streamlit drops the others)
        values.update(sharp_optimizer=scene.sharp_optimizer, sharp_lr=scene.sharp_alpha())
    values = {P + k: v for k, v in values.items()}
    for name in scene.optimizers:
        if scenes.default_lr(name) is not None:
            values[P + "lr." + name] = scene.lr(name)
    return values


def apply(scene: scenes.NetworkScene) -> None:
    st.session_state.update(widget_values(scene))
    for name in optim_core.optimizer_names():  # the others' α back at the page's start
        if scenes.default_lr(name) is not None and name not in scene.optimizers:
            st.session_state[P + "lr." + name] = scenes.default_lr(name)


def apply_preset() -> None:
    name = st.session_state[P + "preset"]
    if name in scenes.NETWORK_PRESETS:
        apply(scenes.preset_scene(name))


common.init_from_link("network", scenes.network_from_query, apply)
# A scene changed since it was picked is no longer that scene: the box says so (and
# picking it again applies it again)
picked = st.session_state.get(P + "preset", "—")
if picked in scenes.NETWORK_PRESETS and any(
        st.session_state.get(k) != v
        for k, v in widget_values(scenes.preset_scene(picked)).items()):  # fmt: skip
    st.session_state[P + "preset"] = "—"
preload()

# ---------------------------------------------------------------- sidebar

sb = st.sidebar
sb.title("Real network")
sb.selectbox("Scene", ["—", *scenes.NETWORK_PRESETS], key=P + "preset", on_change=apply_preset,
             help="One lesson each; its caption's numbers are measured on this page.")
data = sb.selectbox("Data", scenes.NETWORK_DATA, key=P + "data", format_func=DATA_LABELS.get)
width = sb.select_slider("Hidden units (one hidden layer)", scenes.NETWORK_WIDTHS, key=P + "width")
activation = sb.radio("Activation", scenes.NETWORK_ACTIVATIONS, key=P + "activation",
                      horizontal=True)  # fmt: skip
batchnorm = sb.toggle("Batch normalization", key=P + "batchnorm",
                      help="On the hidden layer's pre-activation: each batch's own mean and "
                      "variance in training, γ and β learned; held out, the running averages "
                      "(Ioffe and Szegedy 2015, torch's BatchNorm1d).")  # fmt: skip
chosen = sb.multiselect("Optimizers", optim_core.optimizer_names(), key=P + "optimizers",
                        format_func=lambda n: optim_core.get_optimizer(n).title)  # fmt: skip
lrs = {}
for name in chosen:
    if scenes.default_lr(name) is None:
        continue
    key = P + "lr." + name
    st.session_state.setdefault(key, scenes.default_lr(name))
    lrs[name] = sb.select_slider(f"α, {optim_core.get_optimizer(name).title}",
                                 scenes.network.lr_options(st.session_state[key]), key=key,
                                 format_func=lambda v: f"{v:g}")  # fmt: skip
steps = sb.number_input("Steps", 1, scenes.MAX_NETWORK_STEPS, key=P + "steps", step=100)
common.cap_note(sb, steps, "network.steps")
batch = sb.select_slider("Batch size", scenes.NETWORK_BATCHES, key=P + "batch",
                         format_func=lambda b: f"{b}" if b else "full",
                         help="Examples per step; full: the whole training set.")  # fmt: skip
val, stop_patience, stop_delta = network_practice.validation_controls(sb, P)
n_train = len(work.network_of(scenes.NetworkScene(data=data, seed=int(
    st.session_state[P + "seed"]), val=val)).y_train)  # fmt: skip
sb.caption(f"{int(steps):,} steps of {batch or n_train} of the {n_train} training examples: "
           f"{int(steps) * (batch or n_train) / n_train:.3g} epochs"
           + (" (a batch larger than the training set is refused)" if batch > n_train else ""))
plane_kind = sb.radio("Plane", scenes.PLANE_KINDS, key=P + "plane", format_func=PLANE_LABELS.get)
centres = [*chosen, scenes.MEAN_CENTRE]
if st.session_state.get(P + "centre") not in centres:
    st.session_state[P + "centre"] = centres[0]
centre = sb.selectbox("Through the final weights of", centres, key=P + "centre",
                      format_func=lambda n: "the mean of the runs" if n == scenes.MEAN_CENTRE
                      else optim_core.get_optimizer(n).title)  # fmt: skip
resolution = sb.slider("Grid points per side", scenes.network.MIN_RESOLUTION,
                       landscape.MAX_GRID, key=P + "resolution")  # fmt: skip
seed = sb.number_input("Seed (data split, initialization, directions)", 0,
                       scenes.network.MAX_SEED, key=P + "seed")  # fmt: skip
sharp = sb.toggle("Sharp or flat? (batch 8 against the full batch)", key=P + "sharp")
sharp_optimizer = st.session_state.get(P + "sharp_optimizer", "sgd")
sharp_lr = st.session_state.get(P + "sharp_lr")
if sharp:
    st.session_state.setdefault(P + "sharp_optimizer", sharp_optimizer)
    sharp_optimizer = sb.selectbox(
        "… with", scenes.network.SHARP_OPTIMIZERS, key=P + "sharp_optimizer",
        format_func=lambda n: optim_core.get_optimizer(n).title,
        on_change=lambda: st.session_state.update({P + "sharp_lr": scenes.network.sharp_default_lr(
            st.session_state[P + "sharp_optimizer"])}),
    )  # fmt: skip
    if st.session_state.get(P + "sharp_lr") is None:
        st.session_state[P + "sharp_lr"] = scenes.network.sharp_default_lr(sharp_optimizer)
    sharp_lr = sb.select_slider(
        "… at α (its own: batches of 8 blow up at the full batch's best α)",
        scenes.network.lr_options(st.session_state[P + "sharp_lr"]), key=P + "sharp_lr",
        format_func=lambda v: f"{v:g}")  # fmt: skip
saddle = sb.toggle("The saddle at the start (small initializations)", key=P + "saddle")
stable = sb.toggle("Largest stable α, with and without BN", key=P + "stable")

scene = scenes.NetworkScene(
    data=data, width=int(width), activation=activation, optimizers=tuple(chosen),
    lrs={n: float(v) for n, v in lrs.items()}, steps=int(steps), batch=int(batch),
    plane=plane_kind, centre=centre, resolution=int(resolution), seed=int(seed),
    sharp_flat=bool(sharp), sharp_optimizer=sharp_optimizer,
    sharp_lr=None if sharp_lr is None else float(sharp_lr), saddle=bool(saddle),
    val=float(val), stop_patience=int(stop_patience), stop_delta=float(stop_delta),
    batchnorm=bool(batchnorm), stable=bool(stable),
)  # fmt: skip
st.query_params.from_dict(scenes.network_to_query(scene))
preset = st.session_state.get(P + "preset", "—")

# ---------------------------------------------------------------- the work (cached)


def _key(*parts) -> str:
    return hashlib.sha1(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def _net_key(s: scenes.NetworkScene) -> tuple:
    return (s.data, s.width, s.activation, s.seed, s.val, s.batchnorm)


def trained(s: scenes.NetworkScene, name: str, batch: int | None = None):
    b = s.batch if batch is None else batch
    key = _key(_net_key(s), name, s.hyperparams(name), s.steps, b)
    return common._shared("network_run", key, lambda: work.train(s, name, b))


def laid(s: scenes.NetworkScene, runs, bar) -> work.Landscape:
    key = _key(_net_key(s), [(n, s.hyperparams(n)) for n in runs], s.steps, s.batch, s.plane,
               s.centre, s.resolution)  # fmt: skip
    return common._shared("network_plane", key, lambda: work.lay_plane(s, runs, bar))


def sharpness(s: scenes.NetworkScene, name: str, run, batch: int | None = None):
    b = s.batch if batch is None else batch
    key = _key(_net_key(s), name, s.hyperparams(name), s.steps, b)
    return common._shared("network_sharpness", key,
                          lambda: work.sharpness_of(s, run.final_point))  # fmt: skip


def plane_view(key: str, land: work.Landscape, labels: tuple) -> viz.RaceView:
    """The race view of the plane (how far each path is from it: the figure and the
    table under it). Cached in common's bounded store, not with st.cache_resource: a
    cached function defined in a page's script keeps that run's globals (its runs)
    alive in Streamlit's registry, one set per run."""
    def draw():
        runs = [viz.Run(name, lab, land.projections[name].trajectory) for name, lab in labels]
        return viz.race_view(land.surface, runs, land.grid, clickable=False)

    return common._shared("network_view", key, draw)


def running_averages(s: scenes.NetworkScene, name: str, run):
    """A batch-normalized run's running averages (None without batch norm)."""
    if not s.batchnorm:
        return None
    key = _key(_net_key(s), name, s.hyperparams(name), s.steps, s.batch)
    return common._shared("network_stats", key, lambda: work.eval_stats(s, run))


def stable_alphas(s: scenes.NetworkScene, names: tuple):
    """Each of ``names``' largest-α sweeps, (without, with) batch normalization."""
    key = _key(_net_key(replace(s, batchnorm=False)), [(n, s.hyperparams(n)) for n in names],
               s.steps, s.batch)  # fmt: skip

    def compute():
        bar = common.Progress("Sweeping α…")
        try:
            out = {}
            for i, name in enumerate(names):
                pair = []
                for j, flag in enumerate((False, True)):
                    done = (2 * i + j) / (2 * len(names))
                    label = (f"{optim_core.get_optimizer(name).title}, "
                             f"{'with' if flag else 'without'} BN")  # fmt: skip
                    pair.append(work.stable_alpha(s, name, flag, lambda f, d=done, t=label:
                                                  bar.report(d + f / (2 * len(names)), t)))
                out[name] = tuple(pair)
            return out
        finally:
            bar.done()

    return common._shared("network_stable", key, compute)


def compute(s: scenes.NetworkScene):
    """Everything the page draws for ``s`` (raises ValueError for a scene that can't run)."""
    refused = work.unavailable(s)
    names = [n for n in s.optimizers if n not in refused]
    bar = common.Progress("Training…")
    try:
        runs = {}
        for i, name in enumerate(names):
            bar.report(i / (len(names) + 1), optim_core.get_optimizer(name).title)
            runs[name] = trained(s, name)
        land = None
        if runs:
            bar.report(len(names) / (len(names) + 1), "the plane")
            land = laid(s, runs, lambda f: bar.report((len(names) + f) / (len(names) + 1),
                                                      "the plane"))  # fmt: skip
        sharp = {name: sharpness(s, name, run) for name, run in runs.items()}
        stats = {name: running_averages(s, name, run) for name, run in runs.items()}
    finally:
        bar.done()
    return refused, runs, land, sharp, stats


def sharp_or_flat(s: scenes.NetworkScene):
    key = _key(_net_key(s), s.sharp_optimizer, s.hyperparams(s.sharp_optimizer),
               s.sharp_alpha(), s.steps)
    return common._shared("network_sharp_flat", key, lambda: work.sharp_flat(s))


def escapes(s: scenes.NetworkScene, names: tuple):
    key = _key(_net_key(s), [(n, s.hyperparams(n)) for n in names])
    return common._shared("network_saddle", key, lambda: work.saddle_escapes(s, names))


# ---------------------------------------------------------------- main area


def main(scene: scenes.NetworkScene, preset: str) -> None:
    """The main area. A function, so that its runs, plane and figures are its locals:
    what a page's script leaves in its globals can outlive the session (a session
    Streamlit keeps after its tab closed held its last run's four runs, ~23 MB)."""

    common.show_link_warnings("network")
    net = work.network_of(scene)
    st.header(f"A real network: {net.title}")
    st.caption(f"{net.description} The loss: mean cross-entropy over the training examples. "
               "Every optimizer starts from the same seeded initialization (Glorot, normal)."
               + (" Batch normalization: each hidden unit's pre-activation W a is normalized "
                  "by its batch's mean and variance (ε = 10⁻⁵), then scaled by γ (from 1) "
                  "and shifted by β (from 0), both learned; the loss here, over the whole "
                  "training set, uses that set's own statistics." if scene.batchnorm
                  else ""))  # fmt: skip
    if not scene.optimizers:
        st.info("Choose one or more optimizers in the sidebar.")
        st.stop()

    try:
        refused, runs, land, sharp, stats = compute(scene)
        st.session_state[P + "last_good"] = scene
    except ValueError as error:
        st.error(f"This scene can't run: {error}")
        last = st.session_state.get(P + "last_good")
        if last is None:
            st.stop()
        st.caption("Showing the last scene that ran.")
        scene = last
        refused, runs, land, sharp, stats = compute(scene)
    if refused:
        st.info("Not run here: " + " ".join(f"{r}." for r in refused.values()))
    if not runs:
        st.stop()

    labels = {name: work.label(scene, name) for name in runs}
    caption_slot = st.empty()  # the preset's caption, once its numbers are measured
    if land is not None:
        share = land.plane.explained
        explained = (f" It explains {share[0]:.1%} and {share[1]:.1%} of the path's variance."
                     if share else "")  # fmt: skip
        eigen = (f" Their eigenvalues: {land.plane.eigenvalues[0]:.4g} and "
                 f"{land.plane.eigenvalues[1]:.4g}." if land.plane.eigenvalues else "")
        st.markdown(f"**The plane**: {PLANE_LABELS[scene.plane]}, through {land.centre_label}."
                    f"{explained}{eigen} Colours and contours: the training loss over the plane "
                    f"({scene.resolution} × {scene.resolution} nets) at θ* + a·d₁ + b·d₂; the "
                    "paths are the runs' projections onto it, which is not where they were: "
                    "their distance from the plane is plotted under the views. "
                    + ("d₁ and d₂ are unit vectors: a, b and every distance are Euclidean "
                       "lengths in weight space." if scene.plane != "random" else
                       "d₁ and d₂ are filter-normalized (each row as long as θ*'s): a = 1 is "
                       f"a step of |d₁| = {np.linalg.norm(land.plane.directions[0]):.3g} in "
                       "weight space; distances are Euclidean lengths there."))  # fmt: skip
        left = [f"{labels[n]} leaves the grid at step {p.left_grid}"
                for n, p in land.projections.items() if p.left_grid >= 0]  # fmt: skip
        if left:
            st.warning(". ".join(left) + " (its path goes on out of the picture; the table "
                       "and the figure under the views follow it).")
        view = plane_view(_key(_net_key(scene), scene.steps, scene.batch, scene.plane, scene.centre,
                               scene.resolution, sorted(labels.items()),
                               [(n, scene.hyperparams(n)) for n in runs]),
                          land, tuple(labels.items()))  # fmt: skip
        race_view(view, frame_ms=50, on_click=lambda: None, key=P + "view")
        st.subheader("What the projection hides")
        figure_view(viz.gap_figure(land.projections, labels).to_json(), key=P + "gap")

    st.subheader("The numbers")
    rows = work.numbers_rows(scene, runs, land, sharp, stats=stats)
    st.dataframe(pd.DataFrame(rows), hide_index=True)
    st.caption(f"Held-out accuracy: on the {len(net.y_test)} examples kept out of training"
               + (", each normalized with the run's running averages (from mean 0 and "
                  "variance 1, at every step 0.9 × the average + 0.1 × the batch's mean and "
                  "unbiased variance: torch's rule)" if scene.batchnorm else "") + ". "
               "λ₁: the largest eigenvalue of the Hessian at the end (Lanczos on exact "
               f"Hessian-vector products); trace: Hutchinson's estimate over {work.TRACE_SAMPLES} "
               "random ±1 vectors, ± its standard error.")  # fmt: skip
    network_practice.validation_section(scene, runs, labels, net)


    # ---------------------------------------------------------------- sharp or flat


    sharp_flat = None
    if scene.sharp_flat:
        st.subheader("Sharp or flat? The same optimizer at batch 8 and at the full batch")
        st.caption("Keskar et al. (2017) found that large batches end in sharper minima that "
                   "generalize worse. Here, measured on this net: the same steps and α, and, since "
                   "equal steps are not equal training, the two compared where their training "
                   "losses match (the last row).")  # fmt: skip
        reason = optim_core.unavailable(scene.sharp_optimizer, net, batches=True)
        if reason:
            st.info(reason)
        else:
            sharp_flat = sharp_or_flat(scene)
            flat_rows = work.sharp_flat_rows(scene, sharp_flat)
            st.dataframe(pd.DataFrame(flat_rows), hide_index=True)
            st.markdown(work.sharp_flat_sentence(scene, sharp_flat))

    # ---------------------------------------------------------------- the saddle at the start


    plateau = None
    if scene.saddle:
        st.subheader("The saddle at the start")
        st.caption("Every weight drawn from N(0, δ²): the smaller δ, the nearer the net starts to "
                   "the origin, where every hidden unit computes the same thing and the loss is "
                   f"about log {net.n_classes} = {math.log(net.n_classes):.3f} (a saddle on the "
                   "moons and spirals; a plateau on the digits, whose unequal classes leave the "
                   "output biases a small gradient)."
                   f" Each point: the first step at which the training loss is "
                   f"{landscape.PLATEAU_DROP:.0%} below its start (full batch, "
                   f"{scenes.SADDLE_STEPS} steps at most); beside it the 2-D saddle x² − y², "
                   "started δ from its saddle along the way down, and the step it gets 2 away "
                   "(the edge of its view), with the same α. A point missing: it did not get "
                   "there within the steps (on the 2-D saddle, BFGS's, L-BFGS's and CG's line "
                   "searches fail next to it: see the Saddle escape page)."
                   + (" This measurement is on the net without batch normalization." if
                      scene.batchnorm else ""))  # fmt: skip
        names = tuple(runs)
        with st.spinner("Training from nine initial scales…"):
            plateau = escapes(scene, names)
        figure_view(viz.plateau_figure(plateau[0], plateau[1], labels).to_json(), key=P + "plateau")
        st.markdown(work.plateau_sentence(plateau[0], labels))

    # ---------------------------------------------------------------- the largest stable α


    stable_result = None
    if scene.stable:
        st.subheader("Largest stable α, with and without batch normalization")
        st.caption("Batch normalization, its authors wrote, allows larger learning rates. "
                   "Measured here: for each chosen optimizer with an α, one sweep over the α "
                   f"slider's values from {work.stable_values()[0]:g} to "
                   f"{work.stable_values()[-1]:g} on this net without and one with batch "
                   f"normalization ({scene.steps} steps, "
                   + (f"batches of {scene.batch}" if scene.batch else "the full batch")
                   + ", the same initial W's; the other hyperparameters at their defaults). "
                   "An α trains when the final training loss is finite, not above the start's "
                   f"(the runner's divergence rule) and at most {work.TRAINS_FRACTION:.0%} of "
                   "it. Beside it, the first α above the largest that does not "
                   "train.")  # fmt: skip
        names = tuple(work.stable_names(scene))
        if not names:
            st.info("None of the chosen optimizers has an α that runs here: choose SGD, Adam, …")
        else:
            stable_result = stable_alphas(scene, names)
            st.dataframe(pd.DataFrame(work.stable_rows(stable_result)), hide_index=True)
            figure = viz.stable_alpha_figure(stable_result, work.TRAINS_FRACTION)
            figure_view(figure.to_json(), key=P + "stable_fig")
            st.markdown(work.stable_sentence(stable_result))

    if preset != "—":
        values = work.preset_values(preset, scene, runs, land, sharp, sharp_flat, plateau,
                                    stable_result, stats)  # fmt: skip
        title = preset if preset.endswith(("?", ".")) else preset + "."
        caption_slot.info(f"**{title}** " + work.caption(preset, values))


main(scene, preset)
