"""The "Real network" page as plain data: its scene, its link and its presets."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import optim_core
import surfaces
from optim_core import landscape

from .shared import CAPS, MAX_NETWORK_STEPS, SLIDER_VALUES, LinkReader, lr_range

NETWORK_DATA = surfaces.mlp.DATA_SETS
NETWORK_ACTIVATIONS = surfaces.mlp.ACTIVATIONS
NETWORK_WIDTHS = (2, 4, 8, 16, 32, 64)
NETWORK_BATCHES = (0, 8, 16, 32, 64, 128, 256)  # 0: the full batch
PLANE_KINDS = landscape.KINDS
MEAN_CENTRE = "mean"  # the plane through the mean of the runs' final weights
MIN_RESOLUTION, DEFAULT_RESOLUTION = 11, 41
MAX_SEED = 10_000
SADDLE_SCALES = tuple(10.0 ** k for k in (-4, -3.5, -3, -2.5, -2, -1.5, -1, -0.5, 0))
SADDLE_STEPS = 500
SHARP_BATCH = 8  # the small batch of the sharp-or-flat comparison
# α for each optimizer that trains these nets in a few hundred full-batch steps (their
# cheat-sheet defaults, 0.001–0.01, barely move SGD there): a coarse sweep on the digits
# (bench/network.py); any other optimizer starts at its own default.
NETWORK_LR = {"sgd": 0.5, "momentum": 0.1, "nag": 0.1, "adagrad": 0.1, "rmsprop": 0.01,
              "adam": 0.01, "adamax": 0.02, "nadam": 0.01, "amsgrad": 0.01, "radam": 0.01,
              "adamw": 0.01}  # fmt: skip

def default_lr(name: str) -> float | None:
    """The α this page starts ``name`` at (None: it has no α)."""
    opt = optim_core.get_optimizer(name)
    if "lr" not in opt.hyperparams:
        return None
    return NETWORK_LR.get(name, opt.defaults["lr"])


@dataclass
class NetworkScene:
    """What the page trains and shows: the net, the optimizers and their α, the plane."""

    data: str = "digits"
    width: int = 16
    activation: str = "tanh"
    optimizers: tuple[str, ...] = ("sgd", "momentum", "adam", "lbfgs")
    lrs: dict[str, float] = field(default_factory=dict)  # α per optimizer (others: default_lr)
    steps: int = 300
    batch: int = 0  # 0: the full batch
    plane: str = "pca"
    centre: str = "adam"  # whose final weights θ* the plane goes through, or MEAN_CENTRE
    resolution: int = DEFAULT_RESOLUTION
    seed: int = 0
    sharp_flat: bool = False  # the sharp-or-flat comparison (Keskar et al. 2017)
    sharp_optimizer: str = "sgd"
    saddle: bool = False  # the saddle at the start

    def lr(self, name: str) -> float | None:
        return self.lrs.get(name, default_lr(name)) if default_lr(name) is not None else None

    def hyperparams(self, name: str) -> dict[str, float]:
        """Every hyperparameter ``name`` runs with: its α here, its defaults otherwise."""
        values = dict(optim_core.get_optimizer(name).defaults)
        if self.lr(name) is not None:
            values["lr"] = self.lr(name)
        return values


def network_to_query(scene: NetworkScene) -> dict[str, str]:
    query = {"data": scene.data, "width": str(scene.width), "act": scene.activation,
             "opt": ",".join(scene.optimizers), "steps": str(scene.steps),
             "batch": str(scene.batch), "plane": scene.plane, "centre": scene.centre,
             "res": str(scene.resolution), "seed": str(scene.seed)}  # fmt: skip
    for name in scene.optimizers:
        if scene.lr(name) is not None and scene.lr(name) != default_lr(name):
            query[f"lr.{name}"] = repr(scene.lr(name))
    if scene.sharp_flat:
        query["sharp"] = scene.sharp_optimizer
    if scene.saddle:
        query["saddle"] = "1"
    return query


def network_from_query(params: Mapping[str, str]) -> tuple[NetworkScene, list[str]]:
    read, d = LinkReader(params), NetworkScene()
    optimizers = read.optimizers("opt", d.optimizers)
    lrs = {}
    for name in optimizers:
        key = f"lr.{name}"
        if key in read.params and default_lr(name) is not None:
            lrs[name] = read.number(key, *lr_range(), default_lr(name))
    centres = (*optimizers, MEAN_CENTRE)
    sharp = read.params.get("sharp")
    scene = NetworkScene(
        data=read.choice("data", NETWORK_DATA, d.data),
        width=read.choice("width", NETWORK_WIDTHS, d.width),
        activation=read.choice("act", NETWORK_ACTIVATIONS, d.activation),
        optimizers=optimizers, lrs=lrs,
        steps=read.number("steps", 1, MAX_NETWORK_STEPS, d.steps, integer=True,
                          cap=CAPS["network.steps"]),
        batch=read.choice("batch", NETWORK_BATCHES, d.batch),
        plane=read.choice("plane", PLANE_KINDS, d.plane),
        centre=read.choice("centre", centres, centres[0] if d.centre not in centres
                           else d.centre),
        resolution=read.number("res", MIN_RESOLUTION, landscape.MAX_GRID, d.resolution,
                               integer=True),
        seed=read.number("seed", 0, MAX_SEED, d.seed, integer=True),
        sharp_flat=sharp is not None,
        sharp_optimizer=read.choice("sharp", optim_core.optimizer_names(), d.sharp_optimizer)
        if sharp is not None else d.sharp_optimizer,
        saddle=read.params.get("saddle") == "1",
    )  # fmt: skip
    return scene, read.warnings


def lr_options(value: float | None = None) -> list[float]:
    """The α slider's values (and ``value``, if it is not one of them)."""
    return sorted(set(SLIDER_VALUES["lr"]) | ({value} if value is not None else set()))


# ---------------------------------------------------------------- presets
# One lesson each; the numbers in their captions are recomputed by tests/test_network_page.py.

NETWORK_PRESETS: dict[str, NetworkScene] = {
    "Digits: does Adam beat SGD on a real network?": NetworkScene(),
    "Sharp or flat: batch 8 against the full batch": NetworkScene(
        optimizers=("sgd", "adam"), steps=300, sharp_flat=True, sharp_optimizer="sgd"),
    "The saddle at the start: a small initialization sits on a plateau": NetworkScene(
        optimizers=("sgd", "momentum", "adam", "rmsprop"), saddle=True),
    "A random plane hides the path": NetworkScene(
        optimizers=("sgd", "adam"), plane="random", centre="adam"),
    "Two moons: the sharpest directions": NetworkScene(
        data="moons", width=16, optimizers=("sgd", "adam", "lbfgs"), steps=500,
        plane="hessian", centre="adam"),
}  # fmt: skip

NETWORK_CAPTIONS = {
    "Digits: does Adam beat SGD on a real network?": (
        "A 64-16-10 tanh net on scikit-learn's handwritten digits, 300 full-batch steps, "
        "each optimizer at an α that trains it. Adam ends at a training loss of {adam_loss} "
        "({adam_acc} held out), SGD at {sgd_loss} ({sgd_acc}), Momentum at {momentum_loss} "
        "({momentum_acc}), L-BFGS at {lbfgs_loss} ({lbfgs_acc}): Adam ahead of SGD, as on "
        "the 2-D surfaces, and L-BFGS fits the training set to rounding error without "
        "holding out better than Adam."),
    "Sharp or flat: batch 8 against the full batch": (
        "SGD at α = 0.5, 300 steps, with batches of 8 and with the full batch (the table "
        "below the views). As measured here: batch 8 ends with top Hessian eigenvalue "
        "{small_top} and {small_acc} held-out accuracy, the full batch with {full_top} "
        "and {full_acc}."),
    "The saddle at the start: a small initialization sits on a plateau": (
        "Every weight drawn from N(0, δ²): at small δ the net starts next to the saddle at "
        "the origin (all hidden units alike, loss log 10 = 2.30). SGD needs {sgd_small} "
        "steps to leave the plateau from δ = 10⁻⁴ and {sgd_large} from δ = 10⁻¹; Adam "
        "{adam_small} and {adam_large}: like the 2-D saddle beside it, SGD's wait grows "
        "with log(1/δ), Adam's hardly at all."),
    "A random plane hides the path": (
        "Filter-normalized random directions (Li et al. 2018) show the landscape's shape "
        "near θ*, not the path: Adam's start is {adam_distance} from this plane and "
        "{adam_pca} from the PCA plane of its own path."),
    "Two moons: the sharpest directions": (
        "A 2-16-2 net on two moons, the plane of the two sharpest directions at Adam's "
        "end (eigenvalues {top1} and {top2}). The common start is {adam_distance} from "
        "this plane and {adam_travel} from θ*: the runs arrived almost at right angles to "
        "the sharpest directions, so their projections barely move while the loss they "
        "had fell from {adam_first} to {adam_loss}."),
}


def preset_scene(name: str) -> NetworkScene:
    return replace(NETWORK_PRESETS[name], lrs=dict(NETWORK_PRESETS[name].lrs))
