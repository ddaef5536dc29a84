"""The "Real network" page's work, without Streamlit: train the scene's runs, lay the
plane, project the paths, measure the numbers and fill the presets' captions. The page
(app_pages/network.py) caches and draws these; the tests call them directly."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
from threadpoolctl import threadpool_limits

import optim_core
import scenes
import surfaces
import viz
from optim_core import landscape
from optim_core.runner import batch_indices
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
                            seed=scene.seed, val=scene.val, batchnorm=scene.batchnorm)  # fmt: skip


def eval_stats(scene: NetworkScene, run: optim_core.Trajectory, batch: int | None = None,
               step: int | None = None) -> surfaces.mlp.BNStats | None:  # fmt: skip
    """A batch-normalized run's running averages (torch's rule) after ``step`` steps
    (None: all it took), along its path and the batches it took: the runner's order,
    ``batch_indices(n, B, seed)`` with the scene's seed, or all examples every step
    (``batch`` 0, the full batch; None: the scene's). None for a net without batch norm."""
    net = network_of(scene)
    if not net.batchnorm:
        return None
    b = scene.batch if batch is None else batch
    path = np.asarray(run.path)
    path = path if step is None else path[: step + 1]
    order = batch_indices(net.n_train, b, scene.seed) if 0 < b < net.n_train else None
    return net.running_stats(path, order)


def held_out(scene: NetworkScene, run: optim_core.Trajectory, batch: int | None = None,
             step: int | None = None, split: str = "test",
             stats: surfaces.mlp.BNStats | None = None) -> float:  # fmt: skip
    """The accuracy on ``split`` at the run's point after ``step`` steps (None: its end);
    with batch normalization, evaluated with the run's running averages (``stats``, or
    :func:`eval_stats`)."""
    net = network_of(scene)
    theta = np.asarray(run.final_point if step is None else run.path[step])
    if net.batchnorm and stats is None:
        stats = eval_stats(scene, run, batch, step)
    return float(net.accuracy(theta, split, stats=stats))


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
                 labels: Mapping[str, str] | None = None,
                 stats: Mapping[str, surfaces.mlp.BNStats | None] | None = None
                 ) -> list[dict]:  # fmt: skip
    """One row per run: what a user compares (see the page's table). With batch
    normalization the held-out accuracy uses each run's running averages (``stats``,
    by name, or computed)."""
    rows = []
    for name, run in runs.items():
        final = np.asarray(run.final_point)
        finite = bool(np.all(np.isfinite(final)))
        s = None if run.diverged else sharp.get(name)  # (at a blown-up point: no lesson)
        hit = first_hit(run.loss)
        row = {
            "optimizer": (labels or {}).get(name) or label(scene, name),
            "training loss": _g(float(run.final_loss)),
            "held-out accuracy": f"{held_out(scene, run, stats=(stats or {}).get(name)):.1%}"
            if finite else "–",
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
                     held_out(scene, run, ahead, step))  # fmt: skip


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
            "held-out accuracy": f"{held_out(scene, run, batch, step):.1%}" if finite else "–",
            "training accuracy": f"{held_out(scene, run, batch, step, 'train'):.1%}"
            if finite else "–",
            **_curvature(s),
        })  # fmt: skip
    return rows


@one_blas_thread
def sharp_flat_sentence(scene: NetworkScene, result: SharpFlat) -> str:
    """What was found, in words: at a matched training loss, which batch sat sharper
    and which held out better."""
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
        top_s, acc_s = result.small[1].top, held_out(scene, result.small[0], small)
    else:
        top_s, acc_s = result.matched.top, result.matched_accuracy
        top_f, acc_f = result.full[1].top, held_out(scene, result.full[0], 0)
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


# ---------------------------------------------------------------- the largest stable α

TRAINS_FRACTION = 0.5  # "trains": the final training loss at most half the start's


def stable_values() -> np.ndarray:
    """The α a largest-stable-α sweep tries: the page's slider values from 10⁻³ to 10
    (those bench/network.py --alphas chose the page's α among)."""
    return np.array([v for v in scenes.SLIDER_VALUES["lr"] if 1e-3 <= v <= 10])


@dataclass(frozen=True, eq=False)
class StableAlpha:
    """One optimizer's sweep over ``values`` of α (one optim_core.sweep), with or
    without batch normalization, at ``batch`` (0: the full batch), from the scene's
    initialization (the same W's either way). A setting *trains* when its final
    training loss is finite, it did not diverge by the runner's rule (its loss did not
    end above its start), and its final loss is at most TRAINS_FRACTION of the start's."""

    optimizer: str
    batchnorm: bool
    batch: int
    steps: int
    values: np.ndarray
    start_loss: float
    final_loss: np.ndarray
    diverged_step: np.ndarray

    @property
    def trains(self) -> np.ndarray:
        return (np.isfinite(self.final_loss) & (self.diverged_step < 0)
                & (self.final_loss <= TRAINS_FRACTION * self.start_loss))  # fmt: skip

    @property
    def largest(self) -> float | None:
        """The largest α that trains (None: none does)."""
        ok = np.flatnonzero(self.trains)
        return float(self.values[ok[-1]]) if len(ok) else None

    @property
    def blew_up(self) -> float | None:
        """The smallest α above :attr:`largest` that does not train (None: none)."""
        largest = self.largest
        above = [v for v, t in zip(self.values, self.trains, strict=True)
                 if not t and (largest is None or v > largest)]  # fmt: skip
        return float(above[0]) if above else None


def stable_names(scene: NetworkScene) -> list[str]:
    """The scene's optimizers with an α that run here, with and without batch norm,
    but Newton's methods: their α damps a step solved with the exact Hessian, one a
    step for every α of the sweep (17 starts × 300 steps on the moons net took ~2 min
    without batch norm and ~9 min with it, whose Hessian is differences of gradients)."""
    refused = {**unavailable(replace(scene, batchnorm=False)),
               **unavailable(replace(scene, batchnorm=True))}  # fmt: skip
    return [n for n in scene.optimizers if scene.lr(n) is not None and n not in refused
            and "hessian" not in optim_core.get_optimizer(n).needs]  # fmt: skip


@one_blas_thread
def stable_alpha(scene: NetworkScene, name: str, batchnorm: bool,
                 progress: Callable[[float], None] | None = None,
                 values: Sequence[float] | None = None) -> StableAlpha:  # fmt: skip
    """``name``'s sweep over ``values`` of α (None: :func:`stable_values`) for the
    scene's net with or without batch normalization, at the scene's batch size and
    steps, its other hyperparameters at their defaults."""
    s = replace(scene, batchnorm=batchnorm)
    net = network_of(s)
    values = stable_values() if values is None else np.asarray(values, dtype=float)
    hp = s.hyperparams(name)
    hp.pop("lr")
    start = net.init_params()
    sweep = optim_core.sweep(name, net, start, s.steps, {"lr": values}, progress=progress,
                             batch_size=s.batch or None, seed=s.seed, **hp)  # fmt: skip
    return StableAlpha(name, batchnorm, s.batch, s.steps, values, float(net.loss(start)),
                       np.asarray(sweep.final_loss), np.asarray(sweep.diverged_step))


def _alpha_words(value: float | None) -> str:
    return "none" if value is None else f"{value:g}"


def ratio_words(a: float | None, b: float | None, top: float) -> str:
    """BN's largest α over the plain net's: "≥" where BN's is the largest tried (it may
    train beyond), "≤" where the plain net's is; "–" where both are, or either is none."""
    if not a or not b or a == b == top:
        return "–"
    return f"{'≥ ' if b == top else '≤ ' if a == top else ''}{b / a:.3g}×"


def stable_rows(results: Mapping[str, tuple[StableAlpha, StableAlpha]]) -> list[dict]:
    """One row per optimizer: (without, with) batch normalization's largest α that
    trains, the next α up (which does not), and the ratio."""
    rows = []
    top = float(stable_values()[-1])
    for name, (plain, bn) in results.items():
        a, b = plain.largest, bn.largest
        ratio = ratio_words(a, b, top)
        rows.append({
            "optimizer": optim_core.get_optimizer(name).title,
            "largest α, no BN": _alpha_words(a) + (" (largest tried)" if a == top else ""),
            "first α above it that fails": _alpha_words(plain.blew_up),
            "largest α, BN": _alpha_words(b) + (" (largest tried)" if b == top else ""),
            "first α above it that fails, BN": _alpha_words(bn.blew_up),
            "BN / no BN": ratio,
        })  # fmt: skip
    return rows


def stable_sentence(results: Mapping[str, tuple[StableAlpha, StableAlpha]]) -> str:
    """What was measured, in words: for how many optimizers batch normalization raised,
    kept or lowered the largest α that trains."""
    if not results:
        return "No optimizer with an α is chosen: nothing to sweep."
    higher, same, lower, both = [], [], [], []
    top = float(stable_values()[-1])
    for name, (plain, bn) in results.items():
        title = optim_core.get_optimizer(name).title
        a, b = plain.largest or 0.0, bn.largest or 0.0
        (both if a == b == top else higher if b > a else lower if b < a else same).append(title)
    first = next(iter(results.values()))[0]
    setting = (f"{first.steps} steps, " + (f"batches of {first.batch}" if first.batch
                                            else "the full batch"))  # fmt: skip
    clauses = []
    if higher:
        clauses.append(f"raised the largest α that trains for {', '.join(higher)}")
    if same:
        clauses.append(f"left it where it was for {', '.join(same)}" if clauses else
                       f"left the largest α that trains where it was for {', '.join(same)}")
    if lower:
        clauses.append(f"lowered it for {', '.join(lower)}" if clauses else
                       f"lowered the largest α that trains for {', '.join(lower)}")
    parts = ["batch normalization " + "; ".join(clauses)] if clauses else []
    if both:
        parts.append(f"{', '.join(both)} trained at every α up to the largest tried with and "
                     "without it (no difference to see in this range)")  # fmt: skip
    claim = "Ioffe and Szegedy's claim, that it allows larger learning rates,"
    if higher and not same and not lower:
        verdict = (f"{claim} holds here wherever the range tried can tell." if both else
                   f"{claim} holds here for every one of them.")
    elif higher:
        verdict = f"{claim} holds here for some of them, not all."
    else:
        verdict = f"{claim} is not seen here."
    return (f"Measured on this net ({setting}, α over the slider's values from "
            f"{stable_values()[0]:g} to {stable_values()[-1]:g}): " + "; ".join(parts)
            + f". {verdict} (Trains: final training loss finite, not above its start, and at "
            f"most {TRAINS_FRACTION:.0%} of it.)")


# ---------------------------------------------------------------- the presets' captions


def preset_values(preset: str, scene: NetworkScene, runs, land, sharp, sharp_flat_result,
                  plateau, stable=None, stats=None) -> dict[str, str]:  # fmt: skip
    """The numbers a preset's caption states, from what the page measured (``stable``:
    the largest-stable-α sweeps, :func:`stable_alphas`; ``stats``: the runs' running
    averages by name, with batch normalization)."""
    net = network_of(scene)
    values: dict[str, str] = {}
    accuracies = []  # as shown: percentages to one decimal
    for name, run in runs.items():
        values[f"{name}_loss"] = f"{float(run.final_loss):.3g}"
        if np.all(np.isfinite(run.final_point)):
            values[f"{name}_acc"] = f"{held_out(scene, run, stats=(stats or {}).get(name)):.1%}"
            accuracies.append(float(values[f"{name}_acc"].rstrip("%")))
    if accuracies:
        values["acc_spread"] = f"{max(accuracies) - min(accuracies):.1f} points"
    if sharp_flat_result is not None:
        values["sentence"] = sharp_flat_sentence(scene, sharp_flat_result)
        values["sharp_lr"] = f"{scene.sharp_alpha():g}"
    if stable is not None:
        for name, (plain, bn) in stable.items():
            values[f"{name}_plain"] = _alpha_words(plain.largest)
            values[f"{name}_bn"] = _alpha_words(bn.largest)
        values["stable_sentence"] = stable_sentence(stable)
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
            kept = int(v.kept_step)
            kept_acc = held_out(scene, runs[name], step=kept)
            values.update({f"{name}_kept": str(kept), f"{name}_stop": str(int(v.stop_step)),
                           f"{name}_kept_loss": f"{float(v.kept_loss):.3g}",
                           f"{name}_val_end": f"{float(v.final_loss):.3g}",
                           f"{name}_kept_train": f"{float(runs[name].loss[kept]):.3g}",
                           f"{name}_kept_acc": f"{kept_acc:.1%}"})  # fmt: skip
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
    last step, by run name (with batch normalization, with the run's running averages
    up to that step)."""
    return {name: {
        "test accuracy, kept": f"{held_out(scene, runs[name], step=int(v.kept_step)):.1%}",
        "test accuracy, last step": f"{held_out(scene, runs[name]):.1%}",
    } for name, v in found.items()}  # fmt: skip


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
           "stopping_columns", "train", "unavailable", "StableAlpha", "eval_stats", "held_out",
           "stable_alpha", "stable_names", "stable_rows", "stable_sentence", "stable_values"]
