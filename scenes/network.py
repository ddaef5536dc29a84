"""The "Real network" page as plain data: its scene, its link and its presets."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import optim_core
import surfaces
from optim_core import landscape

from .shared import CAPS, MAX_NETWORK_STEPS, SLIDER_VALUES, LinkReader, lr_range

NETWORK_DATA = surfaces.mlp.DATA_SETS
# the sharp-or-flat comparison's optimizers: those with an α and no line search (a line
# search checks the whole set's loss against a batch's gradient: it fails and stops)
SHARP_OPTIMIZERS = tuple(
    n for n in optim_core.optimizer_names()
    if "lr" in optim_core.get_optimizer(n).hyperparams
    and "c1" not in optim_core.get_optimizer(n).hyperparams
    and not optim_core.get_optimizer(n).needs)  # fmt: skip
NETWORK_ACTIVATIONS = surfaces.mlp.ACTIVATIONS
NETWORK_WIDTHS = (2, 4, 8, 16, 32, 64)
NETWORK_BATCHES = (0, 8, 16, 32, 64, 128, 256)  # 0: the full batch
NETWORK_VALS = (0.0, 0.1, 0.2, 0.3)  # the share of the training part held out for validation
MAX_STOP_DELTA = 10.0
PLANE_KINDS = landscape.KINDS
MEAN_CENTRE = "mean"  # the plane through the mean of the runs' final weights
MIN_RESOLUTION, DEFAULT_RESOLUTION = 11, 41
MAX_SEED = 10_000
SADDLE_SCALES = tuple(10.0 ** k for k in (-4, -3.5, -3, -2.5, -2, -1.5, -1, -0.5, 0))
SADDLE_STEPS = 500
SADDLE_LARGE = 6  # SADDLE_SCALES[6] = 10⁻¹: the "large δ" the sentences quote
SHARP_BATCH = 8  # the small batch of the sharp-or-flat comparison
# The α each optimizer starts at: among the slider's values from 10⁻³ to 10, the one with
# the lowest training loss after 300 full-batch steps on the default digits net, none
# diverging (`python bench/network.py --alphas`, an optim_core.sweep per optimizer;
# checked on the moons and spirals at widths 16 and 64: none diverges there either).
# Their cheat-sheet defaults (0.001–0.01) barely move SGD in a few hundred steps; any
# other optimizer starts at its own default.
NETWORK_LR = {"sgd": 2.0, "momentum": 10.0, "nag": 10.0, "adagrad": 0.3, "rmsprop": 0.05,
              "adam": 0.2, "adamax": 0.3, "nadam": 0.1, "amsgrad": 0.02, "radam": 3.0,
              "adamw": 0.05, "sgd_armijo": 10.0, "momentum_armijo": 10.0}  # fmt: skip

def sharp_default_lr(name: str) -> float | None:
    """The sharp-or-flat comparison's starting α: a quarter of the page's (batches of 8
    blow up at the full batch's best α: SGD at 2 does)."""
    lr = default_lr(name)
    return None if lr is None else lr / 4


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
    sharp_lr: float | None = None  # its α there (None: sharp_default_lr)
    saddle: bool = False  # the saddle at the start
    val: float = 0.0  # the share of the training part held out for validation
    stop_patience: int = 100  # early stopping's P (with val > 0)
    stop_delta: float = 0.0  # and its δ
    batchnorm: bool = False  # batch normalization on the hidden layer
    stable: bool = False  # the largest stable α, with and without batch normalization

    def lr(self, name: str) -> float | None:
        return self.lrs.get(name, default_lr(name)) if default_lr(name) is not None else None

    def sharp_alpha(self) -> float | None:
        """The sharp-or-flat optimizer's α (None: it has none)."""
        if default_lr(self.sharp_optimizer) is None:
            return None
        return self.sharp_lr if self.sharp_lr is not None else sharp_default_lr(
            self.sharp_optimizer)  # fmt: skip

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
        if scene.sharp_alpha() != sharp_default_lr(scene.sharp_optimizer):
            query["sharp_lr"] = repr(scene.sharp_alpha())
    if scene.saddle:
        query["saddle"] = "1"
    if scene.val:
        query["val"] = repr(float(scene.val))
        query["stop_patience"] = str(scene.stop_patience)
        query["stop_delta"] = repr(float(scene.stop_delta))
    if scene.batchnorm:
        query["bn"] = "1"
    if scene.stable:
        query["stable"] = "1"
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
        sharp_flat="sharp" in read.params,
        sharp_optimizer=read.choice("sharp", SHARP_OPTIMIZERS, d.sharp_optimizer)
        if "sharp" in read.params else d.sharp_optimizer,
        saddle=read.choice("saddle", ("0", "1"), "0") == "1",
        batchnorm=read.choice("bn", ("0", "1"), "0") == "1",
        stable=read.choice("stable", ("0", "1"), "0") == "1",
    )  # fmt: skip
    if "val" in read.params:
        val = read.number("val", 0.0, max(NETWORK_VALS), d.val)
        if val not in NETWORK_VALS:
            read.warnings.append(f"val = {val:g} in the link is not one of "
                                 f"{', '.join(f'{v:g}' for v in NETWORK_VALS)}; using 0.")
            val = d.val
        scene.val = val
    scene.stop_patience = read.number("stop_patience", 1, MAX_NETWORK_STEPS, d.stop_patience,
                                      integer=True)  # fmt: skip
    scene.stop_delta = read.number("stop_delta", 0.0, MAX_STOP_DELTA, d.stop_delta)
    if scene.sharp_flat and "sharp_lr" in read.params:
        scene.sharp_lr = read.number("sharp_lr", *lr_range(),
                                     sharp_default_lr(scene.sharp_optimizer))  # fmt: skip
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
    "Over-fitting: early stopping keeps the turn": NetworkScene(
        data="moons", width=64, optimizers=("sgd", "momentum", "adam"),
        lrs={"sgd": 1.0, "adam": 0.1}, steps=2000, val=0.3, stop_patience=100,
        centre="momentum"),
    "Batch normalization: does it allow a larger α?": NetworkScene(
        optimizers=("sgd", "momentum", "adam"), batchnorm=True, stable=True),
}  # fmt: skip

NETWORK_CAPTIONS = {
    "Digits: does Adam beat SGD on a real network?": (
        "A 64-16-10 tanh net on scikit-learn's handwritten digits, 300 full-batch steps, "
        "each optimizer at the α of the slider's values that trains it best. Training "
        "loss: Adam {adam_loss}, Momentum {momentum_loss}, SGD {sgd_loss}, L-BFGS "
        "{lbfgs_loss} (rounding error). Held out: Adam {adam_acc}, Momentum "
        "{momentum_acc}, SGD {sgd_acc}, L-BFGS {lbfgs_acc}: on the training loss Adam and "
        "Momentum end far below SGD, but on digits none of them saw, all four end within "
        "{acc_spread} of each other: fitting harder is not generalizing better."),
    "Sharp or flat: batch 8 against the full batch": (
        "SGD at α = {sharp_lr}, 300 steps, with batches of 8 and with the full batch (the "
        "table under the views; equal steps are not equal training, so they are compared "
        "where their training losses match). {sentence}"),
    "The saddle at the start: a small initialization sits on a plateau": (
        "Every weight drawn from N(0, δ²): at small δ the net starts on the plateau around "
        "the origin, where every hidden unit is alike and the loss is about log 10 = 2.30. "
        "SGD needs {sgd_small} steps to get 10 % below it from δ = 10⁻⁴ and {sgd_large} "
        "from δ = 10⁻¹; Adam {adam_small} and {adam_large}: as on the 2-D saddle beside "
        "it, SGD's wait grows with log(1/δ), Adam's hardly at all."),
    "A random plane hides the path": (
        "Filter-normalized random directions (Li et al. 2018) show the landscape's shape "
        "near θ*, not the path: Adam's start is {adam_distance} from this plane and "
        "{adam_pca} from the PCA plane of its own path."),
    "Two moons: the sharpest directions": (
        "A 2-16-2 net on two moons, the plane of the two sharpest directions at Adam's "
        "end (eigenvalues {top1} and {top2}). The last tenth of Adam's path lies "
        "{adam_arrival} in this plane, where a random plane would hold about "
        "{arrival_baseline} of it: Adam arrived almost at right angles to the sharpest "
        "directions, so its projection hardly moves at the end while its loss fell from "
        "{adam_first} to {adam_loss}."),
    "Over-fitting: early stopping keeps the turn": (
        "A 2-64-2 net ({weights} weights) on {n_train} moons, {n_val} more held out for "
        "validation. Momentum's validation loss is lowest at step {momentum_kept} "
        "({momentum_kept_loss}) and climbs to {momentum_val_end} by step {steps} while its "
        "training loss falls from {momentum_kept_train} to {momentum_loss}: early stopping "
        "(patience {patience}) stops it at step {momentum_stop}. On the {n_test} test "
        "examples the weights it keeps score {momentum_kept_acc}, the last ones "
        "{momentum_acc}; Adam's {adam_kept_acc} against {adam_acc}, SGD's (slower, "
        "turning at step {sgd_kept}) {sgd_kept_acc} against {sgd_acc}."),
    "Batch normalization: does it allow a larger α?": (
        "The digits net with batch normalization on its hidden layer (Ioffe and Szegedy "
        "2015 wrote that it allows larger learning rates). The largest α of the slider's "
        "values up to 10 at which each optimizer still trains in 300 full-batch steps, "
        "without and with it: SGD {sgd_plain} and {sgd_bn}, Momentum {momentum_plain} and "
        "{momentum_bn}, Adam {adam_plain} and {adam_bn} (the section under the numbers). "
        "Held out, with each run's running averages: SGD {sgd_acc}, Momentum "
        "{momentum_acc}, Adam {adam_acc}."),
}


def preset_scene(name: str) -> NetworkScene:
    return replace(NETWORK_PRESETS[name], lrs=dict(NETWORK_PRESETS[name].lrs))
