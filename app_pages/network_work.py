"""The "Real network" page's work, without Streamlit: train the scene's runs, lay the
plane, project the paths, measure the numbers and fill the presets' captions. The page
(app_pages/network.py) caches and draws these; the tests call them directly."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from threadpoolctl import threadpool_limits

import optim_core
import scenes
import surfaces
import viz
from optim_core import landscape
from scenes.network import NetworkScene

SADDLE_RADIUS = 2.0  # the 2-D saddle's escape: this far from it (its view's edge)
TARGET_LOSS = 0.1  # "steps to a training loss of 0.1"
TRACE_SAMPLES = 100


def one_blas_thread(work):
    """Run ``work`` with BLAS on one thread: these nets' products are small, and on a
    busy machine (2 cores, another session or process computing) OpenBLAS's threads
    wait on each other: 300 digits steps took 1.3–2.5 s that way, 0.2 s on one thread
    (bench/network.py measures both)."""

    @functools.wraps(work)
    def wrapped(*args, **kwargs):
        with threadpool_limits(1, user_api="blas"):
            return work(*args, **kwargs)

    return wrapped


def network_of(scene: NetworkScene) -> surfaces.NetworkSurface:
    return surfaces.network(scene.data, hidden=(scene.width,), activation=scene.activation,
                            seed=scene.seed, val=scene.val)  # fmt: skip


def label(scene: NetworkScene, name: str, batch: int | None = None) -> str:
    title = optim_core.get_optimizer(name).title
    lr = scene.lr(name)
    parts = [f"α = {lr:g}"] if lr is not None else []
    if batch is not None:
        parts.append(f"B = {batch}" if batch else "full batch")
    return f"{title} ({', '.join(parts)})" if parts else title


def unavailable(scene: NetworkScene) -> dict[str, str]:
    """The scene's optimizers that cannot train this net, and why."""
    net = network_of(scene)
    out = {}
    for name in scene.optimizers:
        reason = optim_core.unavailable(name, net, batches=scene.batch > 0)
        if reason is None and "hessian" in optim_core.get_optimizer(name).needs and \
                net.D > MAX_NEWTON_D:  # fmt: skip
            reason = (f"{optim_core.get_optimizer(name).title} solves with the exact "
                      f"{net.D:,} × {net.D:,} Hessian every step (0.5 s a step at D = 1,210 "
                      f"here); this page runs it up to D = {MAX_NEWTON_D}")  # fmt: skip
        if reason is None and scene.batch and "c1" in optim_core.get_optimizer(name).hyperparams:
            reason = (f"{optim_core.get_optimizer(name).title}'s line search compares the "
                      "whole training set's loss with a mini-batch's gradient: its searches "
                      "fail and it stops within a few steps (it runs on the full batch)")
        if reason is None and name == "bfgs" and net.D > MAX_BFGS_D:
            reason = (f"BFGS updates a {net.D:,} × {net.D:,} matrix every step (~35 ms a step "
                      f"at D = 1,210 here); this page runs it up to D = {MAX_BFGS_D} "
                      f"(L-BFGS keeps m pairs instead)")  # fmt: skip
        if reason:
            out[name] = reason
    return out


MAX_NEWTON_D = 400  # the exact Hessian a step: 0.5 s a step at D = 1,210 (measured)
MAX_BFGS_D = 600  # a D × D matrix a step: 35 ms a step at D = 1,210 (measured)


@one_blas_thread
def train(scene: NetworkScene, name: str, batch: int | None = None,
          lr: float | None = None) -> optim_core.Trajectory:  # fmt: skip
    """``name`` on the scene's net from its seeded initialization, at the scene's α and
    batch size (``batch``, ``lr`` override them; batch 0: the full batch), every point
    kept."""
    net = network_of(scene)
    batch = scene.batch if batch is None else batch
    hp = scene.hyperparams(name)
    if lr is not None:
        hp["lr"] = lr
    return optim_core.run(name, net, net.init_params(), scene.steps, record="points",
                          batch_size=batch or None, seed=scene.seed, **hp)  # fmt: skip


@dataclass(frozen=True, eq=False)
class Landscape:
    """The plane the page draws and the runs on it."""

    plane: landscape.Plane
    surface: surfaces.Surface  # the loss over the plane's box, 2-D
    grid: viz.Grid
    projections: dict[str, landscape.Projection]
    centre_label: str


def centre_of(scene: NetworkScene, runs: Mapping[str, optim_core.Trajectory]):
    """θ*: the chosen run's final weights, or the mean of the finite finals; with the
    words for it, and the paths a PCA plane is fitted to."""
    if scene.centre != scenes.MEAN_CENTRE and scene.centre in runs:
        run = runs[scene.centre]
        return (np.asarray(run.final_point), f"{optim_core.get_optimizer(scene.centre).title}'s "
                "final weights", [np.asarray(run.path)])  # fmt: skip
    finals = [np.asarray(r.final_point) for r in runs.values()
              if np.all(np.isfinite(r.final_point))]  # fmt: skip
    if not finals:
        raise ValueError("every run diverged: there are no final weights to centre a plane on")
    return (np.mean(finals, axis=0), "the mean of the runs' final weights",
            [np.asarray(r.path) for r in runs.values()])  # fmt: skip


@one_blas_thread
def lay_plane(scene: NetworkScene, runs: Mapping[str, optim_core.Trajectory],
              progress: Callable[[float], None] | None = None) -> Landscape:  # fmt: skip
    net = network_of(scene)
    centre, words, fitted = centre_of(scene, runs)
    path = np.concatenate(fitted) if scene.plane == "pca" else None
    if path is not None:
        path = path[np.all(np.isfinite(path), axis=1)]
    plane = landscape.plane(net, scene.plane, centre, path, seed=scene.seed)
    paths = [np.asarray(r.path) for r in runs.values()]
    if scene.plane == "random":  # Li et al.'s view: a unit of each direction either way
        radius = 1.0
    elif scene.plane == "hessian":  # the scale the path it is laid through travelled
        radius = max(float(np.nanmax(np.linalg.norm(p - centre, axis=1))) for p in fitted)
    else:
        radius = 0.0
    # the box: around the path(s) the plane is laid through (a run that goes elsewhere
    # leaves it, and is said to)
    kept = [p for p in fitted if np.all(np.isfinite(p))] or paths[:1]
    domain = landscape.extent_of(plane, kept, radius=radius)
    title = f"{net.title}: {landscape.KIND_TITLES[scene.plane]} through {words}"
    surface = landscape.plane_surface(net, plane, domain, title=title)
    if progress:
        progress(0.3)
    grid = viz.surface_grid(surface, resolution=scene.resolution)
    if progress:
        progress(0.9)
    projections = {name: landscape.project(run, plane, surface) for name, run in runs.items()}
    return Landscape(plane, surface, grid, projections, words)


def first_hit(loss, target: float = TARGET_LOSS) -> int:
    return int(landscape.first_below(np.asarray(loss), target))


@one_blas_thread
def sharpness_of(scene: NetworkScene, theta) -> landscape.Sharpness | None:
    if not np.all(np.isfinite(theta)):
        return None
    return landscape.sharpness(network_of(scene), theta, samples=TRACE_SAMPLES, seed=scene.seed)


@one_blas_thread
def numbers_rows(scene: NetworkScene, runs: Mapping[str, optim_core.Trajectory],
                 land: Landscape | None, sharp: Mapping[str, landscape.Sharpness | None],
                 labels: Mapping[str, str] | None = None) -> list[dict]:  # fmt: skip
    """One row per run: what a user compares (see the page's table)."""
    net = network_of(scene)
    rows = []
    for name, run in runs.items():
        final = np.asarray(run.final_point)
        finite = bool(np.all(np.isfinite(final)))
        s = None if run.diverged else sharp.get(name)  # (at a blown-up point: no lesson)
        hit = first_hit(run.loss)
        row = {
            "optimizer": (labels or {}).get(name) or label(scene, name),
            "training loss": _g(float(run.final_loss)),
            "held-out accuracy": f"{net.accuracy(final):.1%}" if finite else "–",
            f"steps to loss {TARGET_LOSS:g}": str(hit) if hit >= 0 else "not reached",
            **_curvature(s),
            "distance travelled": _g(landscape.travelled(run.path)),
            "distance from the start": _g(float(np.linalg.norm(final - np.asarray(run.start)))),
        }
        if land is not None and name in land.projections:
            p = land.projections[name]
            row["from the plane: start, end"] = f"{_g(p.distance[0])}, {_g(p.distance[-1])}"
            row["left the grid"] = f"step {p.left_grid}" if p.left_grid >= 0 else "no"
        if run.diverged:
            row["training loss"] += (f" (diverged: above its start from step "
                                     f"{int(run.diverged_step)})")  # fmt: skip
        rows.append(row)
    return rows


def _curvature(s: landscape.Sharpness | None) -> dict[str, str]:
    """A table's sharpness cells (dashes where there is none)."""
    return {"top eigenvalue λ₁": _g(s.top) if s else "–",
            "trace of H": f"{s.trace:.4g} ± {s.trace_error:.2g}" if s else "–"}  # fmt: skip


def _g(value: float) -> str:
    return f"{value:.4g}" if math.isfinite(value) else str(value)


# ---------------------------------------------------------------- the two comparisons


@dataclass(frozen=True, eq=False)
class SharpFlat:
    """One optimizer at batch SHARP_BATCH (``small``) and at the full batch (``full``),
    each ``(run, sharpness at its end)``; and the comparison at a matched training loss:
    the run that got lower (``ahead``: its batch) taken at ``matched_step``, the first
    step its loss was at most the other's final loss, with its sharpness and held-out
    accuracy there (None when either run diverged)."""

    small: tuple[optim_core.Trajectory, landscape.Sharpness | None]
    full: tuple[optim_core.Trajectory, landscape.Sharpness | None]
    ahead: int | None = None
    matched_step: int | None = None
    matched: landscape.Sharpness | None = None
    matched_accuracy: float | None = None


@one_blas_thread
def sharp_flat(scene: NetworkScene) -> SharpFlat:
    """The scene's sharp-or-flat optimizer at batch SHARP_BATCH and at the full batch
    (Keskar et al. 2017): the same α and steps, and the two compared where their
    training losses match (equal steps are not equal training: batch 8 has seen a few
    epochs when the full batch has taken 300 steps)."""
    net = network_of(scene)
    runs = {}
    for batch in (scenes.SHARP_BATCH, 0):
        run = train(scene, scene.sharp_optimizer, batch, scene.sharp_alpha())
        runs[batch] = (run, sharpness_of(scene, run.final_point))
    small, full = runs[scenes.SHARP_BATCH], runs[0]
    if small[0].diverged or full[0].diverged or small[1] is None or full[1] is None:
        return SharpFlat(small, full)
    ahead = 0 if float(full[0].final_loss) <= float(small[0].final_loss) else scenes.SHARP_BATCH
    behind = scenes.SHARP_BATCH if ahead == 0 else 0
    run = runs[ahead][0]
    step = int(landscape.first_below(run.loss, float(runs[behind][0].final_loss)))
    theta = np.asarray(run.path[step])
    return SharpFlat(small, full, ahead, step, sharpness_of(scene, theta),
                     float(net.accuracy(theta)))  # fmt: skip


@one_blas_thread
def saddle_escapes(scene: NetworkScene, names: Sequence[str]):
    """The saddle at the start, for each of ``names`` that has a gradient step here: on
    the net (PlateauEscape over scenes.SADDLE_SCALES) and on the 2-D saddle x² − y²
    (the escape step from δ along its unstable direction: the first step SADDLE_RADIUS
    away from the saddle)."""
    net = surfaces.network(scene.data, hidden=(scene.width,), activation=scene.activation,
                           seed=scene.seed, init="scale")  # fmt: skip
    saddle = surfaces.get("saddle")
    scales = np.asarray(scenes.SADDLE_SCALES)
    offsets = optim_core.offsets_along(np.pi / 2, scales)  # along y: x² − y² curves down
    on_net, on_saddle = [], {}
    for name in names:
        hp = scene.hyperparams(name)
        on_net.append(landscape.plateau_escape(net, name, scales, scenes.SADDLE_STEPS,
                                               seed=scene.seed, **hp))  # fmt: skip
        if optim_core.unavailable(name, saddle) is None:
            on_saddle[name] = optim_core.escape_steps(name, saddle, 0, offsets,
                                                      scenes.SADDLE_STEPS, SADDLE_RADIUS,
                                                      **hp)  # fmt: skip
    return on_net, on_saddle


def _batch_words(batch: int) -> str:
    return f"batch {batch}" if batch else "the full batch"


@one_blas_thread
def sharp_flat_rows(scene: NetworkScene, result: SharpFlat) -> list[dict]:
    net = network_of(scene)
    rows = []
    entries = [(scenes.SHARP_BATCH, *result.small, None), (0, *result.full, None)]
    if result.matched is not None:  # the run that got lower, where it matched the other
        run = (result.full if result.ahead == 0 else result.small)[0]
        entries.append((result.ahead, run, result.matched, result.matched_step))
    for batch, run, s, step in entries:
        theta = np.asarray(run.final_point if step is None else run.path[step])
        finite = bool(np.all(np.isfinite(theta)))
        loss = float(run.final_loss if step is None else run.loss[step])
        epochs = (run.steps if step is None else step) * (batch or net.n_train) / net.n_train
        diverged = " (diverged)" if run.diverged and step is None else ""
        rows.append({
            "batch": _batch_words(batch) + ("" if step is None else f", at step {step}"),
            "epochs": f"{epochs:.3g}",
            "training loss": _g(loss) + diverged,
            "held-out accuracy": f"{net.accuracy(theta):.1%}" if finite else "–",
            "training accuracy": f"{net.accuracy(theta, 'train'):.1%}" if finite else "–",
            **_curvature(s),
        })  # fmt: skip
    return rows


@one_blas_thread
def sharp_flat_sentence(scene: NetworkScene, result: SharpFlat) -> str:
    """What was found, in words: at a matched training loss, which batch sat sharper
    and which held out better."""
    net = network_of(scene)
    title = optim_core.get_optimizer(scene.sharp_optimizer).title
    if result.matched is None:
        return (f"{title} diverged at one of the two batch sizes (its loss ended above where "
                "it started): nothing to compare. Try a smaller α.")  # fmt: skip
    small = scenes.SHARP_BATCH
    ahead_words = "the full batch" if result.ahead == 0 else f"batch {small}"
    other = result.small if result.ahead == 0 else result.full
    loss = float(other[0].final_loss)
    # at the matched loss: the full batch's numbers and batch 8's
    if result.ahead == 0:
        top_f, acc_f = result.matched.top, result.matched_accuracy
        top_s, acc_s = result.small[1].top, float(net.accuracy(result.small[0].final_point))
    else:
        top_s, acc_s = result.matched.top, result.matched_accuracy
        top_f, acc_f = result.full[1].top, float(net.accuracy(result.full[0].final_point))
    sharper = (f"batch {small} sat sharper" if top_s > top_f else
               "the full batch sat sharper" if top_f > top_s else "both sat as sharp")
    better = (f"batch {small} held out better" if acc_s > acc_f else
              "the full batch held out better" if acc_f > acc_s else "both held out the same")
    if top_f > top_s and acc_s > acc_f:
        verdict = "That is Keskar et al.'s finding, on one small net."
    elif top_f > top_s:
        verdict = ("Sharper at the full batch, as Keskar et al. found, but not worse on held-out "
                   "data: here sharpness alone did not decide it (one small net, one seed, one "
                   "α; try others).")  # fmt: skip
    else:
        verdict = ("Not Keskar et al.'s finding for large networks: one small net, one seed, "
                   "one α; try others.")  # fmt: skip
    return (f"Found here, at the same training loss {loss:.3g} ({ahead_words} got there at "
            f"step {result.matched_step}, the other at its last step): {sharper} (λ₁ = "
            f"{top_s:.3g} at batch {small}, {top_f:.3g} at the full batch) and {better} "
            f"({acc_s:.1%} at batch {small}, {acc_f:.1%} at the full batch). {verdict}")


_SUPERSCRIPT = str.maketrans("-0123456789.", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹·")


def power(x: float) -> str:
    """10⁻⁴ for 1e-4: a power of ten as the figures write it (else ``x:g``)."""
    k = math.log10(x)
    return f"10{str(round(k)).translate(_SUPERSCRIPT)}" if abs(k - round(k)) < 1e-9 else f"{x:g}"


def plateau_sentence(escapes, labels: Mapping[str, str]) -> str:
    """Each optimizer's wait at the smallest and the largest δ, in words."""
    parts = []
    for e in escapes:
        small, large = int(e.escape_step[0]), int(e.escape_step[scenes.SADDLE_LARGE])
        if small < 0 or large < 0:
            at = e.scales[0] if small < 0 else e.scales[scenes.SADDLE_LARGE]
            parts.append(f"{labels.get(e.optimizer, e.optimizer)} stays on the plateau from "
                         f"δ = {power(at)} for all {e.steps} steps")  # fmt: skip
            continue
        parts.append(f"{labels.get(e.optimizer, e.optimizer)} leaves the plateau after "
                     f"{small} steps from δ = {power(e.scales[0])} and {large} from "
                     f"δ = {power(e.scales[scenes.SADDLE_LARGE])}")
    return "Measured: " + "; ".join(parts) + "."


# ---------------------------------------------------------------- the presets' captions


def preset_values(preset: str, scene: NetworkScene, runs, land, sharp, sharp_flat_result,
                  plateau) -> dict[str, str]:  # fmt: skip
    """The numbers a preset's caption states, from what the page measured."""
    net = network_of(scene)
    values: dict[str, str] = {}
    accuracies = []  # as shown: percentages to one decimal
    for name, run in runs.items():
        values[f"{name}_loss"] = f"{float(run.final_loss):.3g}"
        if np.all(np.isfinite(run.final_point)):
            values[f"{name}_acc"] = f"{net.accuracy(run.final_point):.1%}"
            accuracies.append(float(values[f"{name}_acc"].rstrip("%")))
    if accuracies:
        values["acc_spread"] = f"{max(accuracies) - min(accuracies):.1f} points"
    if sharp_flat_result is not None:
        values["sentence"] = sharp_flat_sentence(scene, sharp_flat_result)
        values["sharp_lr"] = f"{scene.sharp_alpha():g}"
    if plateau is not None:
        for e in plateau[0]:
            values[f"{e.optimizer}_small"] = str(int(e.escape_step[0]))
            values[f"{e.optimizer}_large"] = str(int(e.escape_step[scenes.SADDLE_LARGE]))
    found = stopping(scene, runs)
    if found:
        values.update(weights=f"{net.D:,}", n_train=str(net.n_train), n_val=str(net.n_val),
                      n_test=str(len(net.y_test)), steps=f"{scene.steps:,}",
                      patience=str(scene.stop_patience))  # fmt: skip
        for name, v in found.items():
            path, kept = runs[name].path, int(v.kept_step)
            values.update({f"{name}_kept": str(kept), f"{name}_stop": str(int(v.stop_step)),
                           f"{name}_kept_loss": f"{float(v.kept_loss):.3g}",
                           f"{name}_val_end": f"{float(v.final_loss):.3g}",
                           f"{name}_kept_train": f"{float(runs[name].loss[kept]):.3g}",
                           f"{name}_kept_acc": f"{net.accuracy(path[kept]):.1%}"})  # fmt: skip
    if land is not None:
        if land.plane.eigenvalues:
            values["top1"], values["top2"] = (f"{v:.3g}" for v in land.plane.eigenvalues)
        for name, p in land.projections.items():
            values[f"{name}_distance"] = f"{p.distance[0]:.3g}"
            values[f"{name}_first"] = f"{float(runs[name].loss[0]):.3g}"
            values[f"{name}_arrival"] = f"{arrival_share(runs[name].path, land.plane):.1%}"
        values["arrival_baseline"] = f"{math.sqrt(2 / net.D):.0%}"
        if "adam" in runs and scene.plane != "pca":
            path = np.asarray(runs["adam"].path)
            pca = landscape.plane(net, "pca", np.asarray(runs["adam"].final_point), path)
            values["adam_pca"] = f"{pca.distance(path[0]):.3g}"
    return values


def stopping(scene: NetworkScene, runs) -> dict[str, optim_core.EarlyStop]:
    """Early stopping's verdict on each run, where the net holds examples out for
    validation (empty otherwise)."""
    return {name: optim_core.early_stopping(run.val_loss, scene.stop_patience,
                                            scene.stop_delta)
            for name, run in runs.items() if run.val_loss is not None}  # fmt: skip


def stopping_columns(scene: NetworkScene, runs, found) -> dict[str, dict[str, str]]:
    """The table's held-out accuracy at the weights early stopping keeps and at the
    last step, by run name."""
    net = network_of(scene)
    return {name: {"test accuracy, kept": f"{net.accuracy(runs[name].path[int(v.kept_step)]):.1%}",
                   "test accuracy, last step": f"{net.accuracy(runs[name].final_point):.1%}"}
            for name, v in found.items()}  # fmt: skip


def arrival_share(path, plane: landscape.Plane, tail: float = 0.1) -> float:
    """How much of the last ``tail`` of a path lies in the plane: |projection of v| / |v|
    for v the move over those steps (a random plane in D dimensions holds about
    √(2/D) of a vector)."""
    path = np.asarray(path)
    v = path[-1] - path[max(0, len(path) - 1 - max(1, round(tail * (len(path) - 1))))]
    length = float(np.linalg.norm(v))
    if length == 0 or not math.isfinite(length):
        return float("nan")
    inside = plane.directions.T @ (plane.coordinates(plane.origin + v))
    return float(np.linalg.norm(inside) / length)


def caption(name: str, values: Mapping[str, object]) -> str:
    return scenes.NETWORK_CAPTIONS[name].format(**values)


__all__ = ["Landscape", "caption", "centre_of", "lay_plane", "label", "network_of",
           "numbers_rows", "plateau_sentence", "preset_values", "saddle_escapes",
           "sharp_flat", "sharp_flat_rows", "sharp_flat_sentence", "sharpness_of", "stopping",
           "stopping_columns", "train", "unavailable"]
