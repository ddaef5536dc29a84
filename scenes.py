"""What the page shows, as plain data: a scene, the presets, and links that encode one.

A :class:`Scene` is the whole configuration of the page (surface, start, optimizers,
hyperparameters, steps, speed). Links carry it in query parameters; every value read
from a link is checked, and a bad one is replaced by its default with a warning that
names it, so a tampered link never breaks the page. Nothing here imports Streamlit.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

import optim_core
import surfaces

MAX_PAGE_STEPS = 2000
MAX_LISTED = 8  # a warning lists at most this many bad link values, then "and N more"
SPEEDS = (0.25, 0.5, 1.0, 2.0, 4.0)
DEFAULT_OPTIMIZERS = ("sgd", "momentum", "nag", "rmsprop", "adam")

# The page's slider ranges: (low, high) and whether the slider is logarithmic.
HYPER_RANGES: dict[str, tuple[float, float, bool]] = {
    "lr": (1e-5, 10.0, True),
    "beta1": (0.0, 0.999, False),
    "beta2": (0.0, 0.9999, False),
    "eps": (1e-12, 1.0, True),
    "weight_decay": (0.0, 1.0, False),
}
HYPER_LABELS = {"lr": "α (lr)", "beta1": "β₁", "beta2": "β₂", "eps": "ε",
                "weight_decay": "λ (weight decay)"}  # fmt: skip


def log_grid(low: float, high: float, mantissas=(1, 2, 5)) -> list[float]:
    """Round values from ``low`` to ``high``: 1, 2, 5 per decade (exact decimal floats)."""
    values = []
    for exponent in range(math.floor(math.log10(low)), math.ceil(math.log10(high)) + 1):
        for mantissa in mantissas:
            value = float(f"{mantissa}e{exponent}")
            if low <= value <= high:
                values.append(value)
    return values


SLIDER_VALUES = {
    "lr": log_grid(1e-5, 10.0, (1, 2, 3, 5)),
    "eps": log_grid(1e-12, 1.0, (1,)),
}


@dataclass
class Scene:
    surface: str = "beale"
    optimizers: tuple[str, ...] = DEFAULT_OPTIMIZERS
    start: tuple[float, float] | None = None  # None: the surface's default start
    steps: int = 300
    # Per optimizer, the values of the hyperparameters it uses (missing: its default).
    hyper: dict[str, dict[str, float]] = field(default_factory=dict)
    same_for_all: bool = False
    shared: dict[str, float] = field(default_factory=dict)  # used when same_for_all
    speed: float = 1.0
    # presentation mode: large type, thick paths, the sidebar folded, step buttons and
    # the numbers at the step shown (how the page looks, not what it runs)
    present: bool = False
    # whose update rules run: the cheat sheet's or torch.optim's (optim_core.pytorch)
    convention: str = "cheatsheet"
    # the insides view: each optimizer's step size per coordinate, from its state
    insides: bool = False
    # per optimizer with an α: its schedule, {"name": …, its parameters, "warmup_steps": W}
    # (missing: constant α)
    schedules: dict[str, dict] = field(default_factory=dict)
    # gradient noise N(0, η/(1 + t)^γ I) on every optimizer's gradients (η 0: none)
    noise_eta: float = 0.0
    noise_gamma: float = 0.55
    seed: int = 0  # of the noise and of the batches
    # data surfaces: examples per step (None: all of them, the full gradient)
    batch_size: int | None = None

    def start_point(self) -> tuple[float, float]:
        if self.start is not None:
            return self.start
        x, y = surfaces.get(self.surface).default_start
        return float(x), float(y)

    def hyperparams(self, name: str) -> dict[str, float]:
        """The values ``name`` runs with: every hyperparameter it uses, resolved (what
        the scene leaves out: the race's starting values, :func:`race_defaults`)."""
        opt = optim_core.get_optimizer(name, self.convention)
        given = self.shared if self.same_for_all else self.hyper.get(name, {})
        defaults = race_defaults(name, self.convention)
        return {h: float(given.get(h, defaults[h])) for h in opt.hyperparams}

    def schedule(self, name: str) -> dict | None:
        """``name``'s schedule (None: constant α, or an optimizer without α)."""
        spec = self.schedules.get(name)
        if not spec or spec["name"] == "constant" and not spec.get("warmup_steps"):
            return None
        if "lr" not in optim_core.get_optimizer(name, self.convention).hyperparams:
            return None
        return spec

    def batch(self) -> int | None:
        """The batch size the race runs with (None: the full gradient)."""
        data = surfaces.get(self.surface).data
        if data is None or self.batch_size is None or self.batch_size >= data.n:
            return None
        return self.batch_size

    def run_options(self, name: str) -> tuple:
        """What ``optim_core.run`` takes besides the hyperparameters, as sorted items
        (hashable: the page's cache key): the schedule's spec, the noise, the batches."""
        options: dict = {}
        spec = self.schedule(name)
        if spec is not None:
            options["schedule"] = tuple(sorted(spec.items()))
        if self.noise_eta > 0:
            options.update(noise_eta=self.noise_eta, noise_gamma=self.noise_gamma)
        if self.batch() is not None:
            options["batch_size"] = self.batch()
        if "noise_eta" in options or "batch_size" in options:
            options["seed"] = self.seed
        return tuple(sorted(options.items()))

    def run_kwargs(self, name: str) -> dict:
        """Everything ``optim_core.run`` takes for ``name`` besides surface, start, steps."""
        options = dict(self.run_options(name))
        if "schedule" in options:
            options["schedule"] = build_schedule(options["schedule"])
        return {**self.hyperparams(name), "convention": self.convention, **options}


RACE_MIN_LR = 0.01


def race_defaults(name: str, convention: str = "cheatsheet") -> dict[str, float]:
    """The race page's starting values for ``name``: the cheat sheet's defaults, but α
    at least RACE_MIN_LR. At their library α of 0.001–0.002, RMSprop, Adam, AdaMax,
    Nadam and AMSGrad barely leave the start in a few hundred steps (Adam on Beale:
    f 33 → 18.3 in 300 steps, against SGD's 0.0074), and a newcomer reads that as
    broken; at 0.01 every optimizer visibly moves (Adam: f → 0.44)."""
    values = dict(optim_core.get_optimizer(name, convention).defaults)
    if "lr" in values:
        values["lr"] = max(values["lr"], RACE_MIN_LR)
    return values


def race_defaults_note(convention: str = "cheatsheet") -> str:
    """What the race's starting values are, in words."""
    opts = [optim_core.get_optimizer(n, convention) for n in optim_core.optimizer_names()]
    raised = [o.title for o in opts if o.defaults.get("lr", 1.0) < RACE_MIN_LR]
    whose = "the cheat sheet's" if convention == "cheatsheet" else "torch.optim's"
    return (
        f"The sliders start at α = {RACE_MIN_LR:g} for every optimizer that has one (for "
        f"{', '.join(raised)} that is above the library default of 0.001–0.002, at which "
        f"they barely move in a few hundred steps); every other value is {whose} default. "
        "Switching the update rules keeps the values on the sliders."
    )


def shared_defaults() -> dict[str, float]:
    """Starting values of the "same values for all" sliders: Adam's."""
    return dict(optim_core.get_optimizer("adam").defaults)


def suited_shared_lr(
    surface: str,
    optimizers: Sequence[str],
    start: tuple[float, float],
    steps: int,
    shared: Mapping[str, float] | None = None,
    convention: str = "cheatsheet",
) -> tuple[float, str]:
    """An α on the slider's grid that suits every one of ``optimizers`` together, and
    the reason, in words, for the page to show. β₁, β₂ and ε are ``shared`` (the
    shared sliders' values; Adam's defaults if not given).

    On a surface with a minimum: the α at which the slowest of them gets furthest in
    ``steps`` steps (decades of f − f* gained, up to 12; an α at which one diverges
    is ruled out); if every α is ruled out, the smallest, said so. Without a minimum:
    the smallest α at which the most of them run off downhill (leave the view lower
    than they started), none blowing up uphill. One batched sweep per optimizer.
    """
    surf = surfaces.get(surface)
    grid = np.array(SLIDER_VALUES["lr"])
    others = {h: v for h, v in {**shared_defaults(), **(shared or {})}.items() if h != "lr"}
    opts = {n: optim_core.get_optimizer(n, convention) for n in optimizers}
    with_lr = [n for n in optimizers if "lr" in opts[n].hyperparams]
    if not with_lr:
        return shared_defaults()["lr"], "None of the chosen optimizers has an α."
    # bounded: the worst optimizer's score per α; unbounded: how many get away
    worst = np.full(len(grid), np.inf) if surf.bounded_below else np.zeros(len(grid))
    f0 = float(surf.f(np.asarray(start, dtype=float)))
    for name in with_lr:
        used = {h: v for h, v in others.items() if h in opts[name].hyperparams}
        result = optim_core.sweep(opts[name], surf, start, steps, {"lr": grid}, **used)
        if surf.bounded_below:
            top = max(f0 - surf.min_value, 1e-300)
            gap = np.maximum(result.final_loss - surf.min_value, 1e-12 * top)
            score = np.log10(top / gap)
            worst = np.minimum(worst, np.where(result.diverged_step >= 0, -np.inf, score))
        else:
            uphill = (result.left_view_step >= 0) & ~result.left_downhill
            worst += np.where(uphill, -np.inf, result.left_downhill)
    titles = ", ".join(optim_core.get_optimizer(n).title for n in with_lr)
    best = worst.max()
    if not np.isfinite(best):
        lr = float(grid[0])
        reason = (f"At every α on the slider's grid one of {titles} "
                  + ("diverges" if surf.bounded_below else "blows up uphill")
                  + f" within {steps} steps: α = {lr:g}, the smallest, for all.")  # fmt: skip
    elif surf.bounded_below:
        lr = float(grid[int(np.argmax(worst))])
        reason = (
            f"α = {lr:g} for all: on the slider's grid, the value at which the slowest of "
            f"{titles} gets furthest towards the minimum in {steps} steps (none diverges "
            "there)."
        )
    else:
        lr = float(grid[np.flatnonzero(worst == best)[0]])
        reason = (
            f"α = {lr:g} for all: on the slider's grid, the smallest value at which the most "
            f"of {titles} ({int(best)}) run off downhill within {steps} steps, none blowing "
            "up uphill."
        )
    values = ", ".join(f"{HYPER_LABELS[h].split()[0]} = {v:g}" for h, v in others.items())
    reason += f" Computed with {values}, as on the shared sliders."
    if "rmsprop" in with_lr:
        first = 1 / math.sqrt(1 - others["beta2"])
        reason += (f" RMSprop, without bias correction, takes a first step of about "
                   f"{first:.1f} α per coordinate at β₂ = {others['beta2']:g} (3.2 α at "
                   "its own 0.9).")  # fmt: skip
    return lr, reason


# ---------------------------------------------------------------- schedules, noise, batches

# The schedules the page offers, with each parameter's (low, high, default, integer);
# any of them but Noam's (which has its own) can start with a linear warm-up.
SCHEDULE_PARAMS: dict[str, dict[str, tuple[float, float, float, bool]]] = {
    "constant": {},
    "step": {"every": (1, MAX_PAGE_STEPS, 100, True), "factor": (0.01, 1.0, 0.5, False)},
    "exponential": {"rate": (0.0, 0.1, 0.01, False)},
    "inverse_time": {"rate": (0.0, 1.0, 0.05, False)},
    "cosine": {"period": (1, MAX_PAGE_STEPS, 300, True), "floor": (0.0, 1.0, 0.0, False)},
    "sgdr": {"period": (1, MAX_PAGE_STEPS, 50, True), "mult": (1, 4, 2, True),
             "floor": (0.0, 1.0, 0.0, False)},
    "noam": {"d_model": (1, 4096, 16, True), "warmup": (1, MAX_PAGE_STEPS, 50, True)},
}  # fmt: skip
SCHEDULE_TITLES = {
    "constant": "constant",
    "step": "step decay",
    "exponential": "exponential decay",
    "inverse_time": "inverse-time decay",
    "cosine": "cosine annealing",
    "sgdr": "cosine with warm restarts (SGDR)",
    "noam": "Noam (Transformer)",
}
SCHEDULE_PARAM_LABELS = {
    "every": "every k steps", "factor": "times γ", "rate": "rate δ", "period": "period T",
    "floor": "floor r", "mult": "growth m", "d_model": "d_model", "warmup": "warm-up w",
    "warmup_steps": "warm-up steps",
}  # fmt: skip
SCHEDULE_FORMULAS = {
    "constant": r"1",
    "step": r"\gamma^{\lfloor (t-1)/k \rfloor}",
    "exponential": r"e^{-\delta (t-1)}",
    "inverse_time": r"\frac{1}{1 + \delta (t-1)}",
    "cosine": r"r + (1-r)\,\tfrac{1}{2}\left(1 + \cos\frac{\pi \min(t-1, T)}{T}\right)",
    "sgdr": r"\text{the cosine over cycles } T, Tm, Tm^2, \ldots",
    "noam": r"d_\text{model}^{-1/2} \min\left(t^{-1/2},\; t\,w^{-3/2}\right)",
}


def default_schedule(name: str) -> dict:
    """The spec of schedule ``name`` at the page's starting values."""
    values = {p: d for p, (_, _, d, _) in SCHEDULE_PARAMS[name].items()}
    return {"name": name, **values, "warmup_steps": 0}


def build_schedule(spec) -> optim_core.Schedule | None:
    """The core's schedule for a spec (a dict or its sorted items): ``name``, its
    parameters and ``warmup_steps`` (W > 0: a linear warm-up over W steps first)."""
    values = dict(spec)
    name, warmup = values.pop("name"), int(values.pop("warmup_steps", 0) or 0)
    kinds = SCHEDULE_PARAMS[name]
    params = {p: int(v) if kinds[p][3] else float(v) for p, v in values.items()}
    base = optim_core.schedule(name, **params)
    if warmup > 0 and name != "noam":
        return optim_core.schedule("warmup", steps=warmup, then=base)
    return base


def describe_schedule(spec) -> str:
    """A schedule spec in a few words: "cosine annealing (period T 300, floor r 0) after 20
    warm-up steps"."""
    values = dict(spec)
    name, warmup = values.pop("name"), int(values.pop("warmup_steps", 0) or 0)
    words = SCHEDULE_TITLES[name]
    if values:
        words += " (" + ", ".join(f"{SCHEDULE_PARAM_LABELS[p]} {v:g}"
                                  for p, v in values.items()) + ")"  # fmt: skip
    if warmup > 0 and name != "noam":
        words += f" after {warmup} warm-up steps"
    return words


NOISE_VALUES = [0.0, *log_grid(1e-6, 10.0, (1, 2, 5))]  # η; 0: no noise (both pages)
NOISE_GAMMA = 0.55  # the decay of σ_t² = η/(1 + t)^γ (Neelakantan et al. 2015)
MAX_SEED = 999_999  # the seed box's largest value


def batch_options(n: int) -> list[int]:
    """The batch-size slider's values for n examples: one, a few, n (the full gradient)."""
    return sorted({b for b in (1, 2, 5, 10, 20) if b < n} | {n})


# ---------------------------------------------------------------- surfaces on the page

# The parametric surfaces' sliders: parameter -> (low, high, step, label). The page names a
# surface with its parameters by a spec string (``surfaces.spec``), the scene keeps it.
SURFACE_PARAMS: dict[str, dict[str, tuple[float, float, float, str]]] = {
    "rosenbrock": {"a": (-2.0, 3.0, 0.1, "a: the minimum is at (a, a²)"),
                   "b": (1.0, 300.0, 1.0, "b: how steep the valley's walls are")},
    "ravine": {"steepness": (1.0, 1000.0, 1.0, "steepness: across / along")},
    "quadratic": {"kappa": (1.0, 1000.0, 1.0, "condition number κ"),
                  "angle": (0.0, 180.0, 5.0, "rotation of the axes (degrees)")},
    "rastrigin": {"A": (0.0, 30.0, 0.5, "A: the height of the bumps")},
    "linear_regression": {"n": (2, 200, 1, "examples n"),
                          "seed": (0, 99, 1, "data set (its seed)")},
    "logistic_regression": {"n": (2, 200, 1, "examples n"),
                            "seed": (0, 99, 1, "data set (its seed)")},
}  # fmt: skip
CUSTOM = "custom"  # the page's name for a typed surface
DEFAULT_FORMULA = "x^2 + 3*sin(y)"
DEFAULT_CUSTOM_DOMAIN = ((-3.0, 3.0), (-3.0, 3.0))


def surface_base(spec: str) -> str:
    """The page's surface choice for a spec: a built-in name, or CUSTOM."""
    if spec.startswith(surfaces.expression.PREFIX):
        return CUSTOM
    return spec.partition("(")[0]


def custom_spec(text: str, domain) -> str:
    """The spec of a typed surface (a ValueError if the text or domain is bad)."""
    return surfaces.from_expression(text, domain).name


def surface_title(spec: str) -> str:
    return "Custom: type f(x, y)" if spec == CUSTOM else surfaces.get(spec).title


# ---------------------------------------------------------------- presets


def _preset(surface, optimizers, start, steps, hyper=None, **kw) -> Scene:
    return Scene(surface, tuple(optimizers), start, steps, hyper or {}, **kw)


PRESETS: dict[str, Scene] = {
    "Beale: momentum overshoots": _preset(
        "beale", ["sgd", "momentum", "nag"], (1.0, 1.4), 400,
        {"sgd": {"lr": 0.01}, "momentum": {"lr": 0.05, "beta1": 0.95},
         "nag": {"lr": 0.05, "beta1": 0.95}},
    ),
    "Saddle: who escapes first": _preset(
        "saddle", ["sgd", "momentum", "nag", "rmsprop", "adam", "adagrad"], (-1.5, 1e-6), 300,
        {name: {"lr": 0.05} for name in ["sgd", "momentum", "nag", "rmsprop", "adam", "adagrad"]},
    ),
    "Rosenbrock: momentum takes a 10× larger α": _preset(
        "rosenbrock", ["sgd", "momentum", "nag"], (-1.5, 2.0), 1000,
        {"sgd": {"lr": 1e-3}, "momentum": {"lr": 1e-2}, "nag": {"lr": 1e-2}},
    ),
    "Ravine: SGD zig-zags, Nesterov glides": _preset(
        "ravine", ["sgd", "nag"], (-9.0, 1.0), 200,
        {"sgd": {"lr": 0.195}, "nag": {"lr": 0.5, "beta1": 0.9}},
    ),
    "AdaGrad's shrinking steps": _preset(
        "booth", ["adagrad", "rmsprop", "adam"], (-8.0, 8.0), 300,
        {name: {"lr": 0.1} for name in ["adagrad", "rmsprop", "adam"]},
    ),
    "Newton falls into the saddle": _preset(
        "saddle", ["newton", "saddle_free_newton"], (-1.5, 0.01), 40,
        {"newton": {"lr": 0.5}, "saddle_free_newton": {"lr": 0.5, "eps": 1e-3}},
    ),
    "Noise knocks them off the saddle": _preset(
        "saddle", ["sgd", "momentum", "adam"], (-1.5, 0.0), 300,
        {name: {"lr": 0.05} for name in ["sgd", "momentum", "adam"]}, noise_eta=0.01,
    ),
    "One example a step: SGD's zig-zag is real": _preset(
        "linear_regression", ["sgd", "momentum"], (-1.0, 2.5), 300,
        {"sgd": {"lr": 0.02}, "momentum": {"lr": 0.02, "beta1": 0.9}}, batch_size=1,
    ),
}  # fmt: skip

_EMA_NOTE = (
    "Momentum and NAG follow the cheat sheet's EMA form: at one α their steps are as long "
    "as SGD's, where PyTorch's form would take 1/(1 − β₁) = 10× longer ones."
)
_AMSGRAD_NOTE = (
    "AMSGrad, without bias correction, takes first steps 3.2–6.6 α long (Adam's are α)."
)


def convention_note(optimizers: Sequence[str]) -> str:
    """What "the same α" means for these optimizers under the cheat sheet's
    conventions ("" where nothing needs saying)."""
    notes = []
    if {"momentum", "nag"} & set(optimizers):
        notes.append(_EMA_NOTE)
    if "amsgrad" in optimizers:
        notes.append(_AMSGRAD_NOTE)
    return " ".join(notes)


# What each preset shows, in words: the page shows it while the preset's values are
# on screen, and tests/test_scenes.py asserts each number with the core.
# What to watch, in one line under each preset's button (the numbers are in its note,
# shown with the race; both asserted in tests/test_scenes.py).
PRESET_CAPTIONS: dict[str, str] = {
    "Noise knocks them off the saddle": "Started on the saddle's stable line, every one "
    "walks into it; gradient noise knocks them off and down the way out.",
    "One example a step: SGD's zig-zag is real": "Each step sees one data point: the "
    "loss over all of them goes up and down; momentum averages the batches out.",
    "Newton falls into the saddle": "Newton heads for the flat point, saddle or not, and "
    "stays; saddle-free Newton flips the downhill curvature and leaves.",
    "Beale: momentum overshoots": "Momentum and NAG run past the minimum and swing back; "
    "SGD creeps up from one side and never passes it.",
    "Saddle: who escapes first": "SGD, Momentum and NAG slide into the saddle and leave "
    "late; RMSprop, Adam and AdaGrad head downhill at once.",
    "Rosenbrock: momentum takes a 10× larger α": "SGD must take a small α or diverge; "
    "Momentum and NAG, at ten times it, follow the curved valley to the minimum.",
    "Ravine: SGD zig-zags, Nesterov glides": "SGD bounces from wall to wall; NAG swings "
    "across once and glides along the floor.",
    "AdaGrad's shrinking steps": "AdaGrad's steps only shrink; RMSprop and Adam forget "
    "old gradients and keep going.",
}

PRESET_NOTES: dict[str, str] = {
    "Noise knocks them off the saddle": (
        "From (−1.5, 0), exactly on the stable line of x² − y², the gradient has no y part: "
        "without noise (set η to 0) SGD, Momentum and Adam all walk into the saddle and are "
        "still within 10⁻⁶ of it after 300 steps. With gradient noise η = 0.01 (seed 0) "
        "SGD escapes at step 62 and Momentum at step 97; Adam, which divides each "
        "coordinate by its own gradient scale, turns the noise's tiny push in y into "
        "α-sized steps and never comes within r = 1 of the saddle (closest 1.06): it "
        "leaves the view at step 36. Another seed (New draw) gives other steps, not "
        "another story."
    ),
    "One example a step: SGD's zig-zag is real": (
        "A line fitted to 40 points, one point a step (batch size 1, reshuffled each "
        "epoch), α 0.02. The loss over all 40 points goes up at 148 of SGD's 300 steps, "
        "and its path is 33.6 long, 7 times the 4.8 of the same SGD on the full gradient "
        "(batch size 40), which only goes down. Momentum (β₁ 0.9) averages about ten "
        "steps' gradients: a path of 10.8, up at 124 steps. After 300 steps SGD is 0.37 "
        "and Momentum 0.36 from the minimum, about as far as on the full gradient (0.32 "
        "and 0.28): all four are still coming down the valley; one point a step gets as "
        "far, by a longer, shakier way."
    ),
    "Newton falls into the saddle": (
        "On x² − y² the Hessian is diag(2, −2): Newton's step −α H⁻¹g points at the saddle "
        "in both directions. At α 0.5 it halves its distance every step: within 0.01 at "
        "step 8, 1.4e-12 away at step 40, never escaping. Saddle-free Newton uses "
        "|H| = 2I (ε 1e-3): it halves x the same way but multiplies y by 1.5 each step; "
        "from 0.01 off the axis it comes no closer than 0.089 (step 5), is farther than "
        "r = 1 at step 12 and leaves the view at step 14."
    ),
    "Beale: momentum overshoots": (
        "Momentum (α 0.05, β₁ 0.95) reaches x = 3.73, past the minimum at (3, 0.5), and "
        "after first coming within 0.3 of it swings back out to 0.73 before it settles "
        "(converged at step 237); NAG at the same values overshoots further, to x = 3.97, "
        "swings back out to 0.98 and is still 0.072 away after 400 steps; SGD (α 0.01) "
        "never passes x = 3 and is still 0.13 away."
    ),
    "Saddle: who escapes first": (
        "One α (0.05) for all, starting 10⁻⁶ off the saddle's stable line: SGD, Momentum "
        "and NAG spend 95, 145 and 138 steps within 0.1 of the saddle and escape at "
        "steps 145, 226 and 216. RMSprop, Adam and AdaGrad never come within r = 1 of it "
        "(closest 1.11, 1.06 and 1.26): they head down the slope at once, more than 1 "
        "off the stable line by steps 10, 20 and 58, and leave the view at steps 23, 36 "
        "and 210. " + _EMA_NOTE
    ),
    "Rosenbrock: momentum takes a 10× larger α": (
        "SGD needs a small α here: at 0.003 it diverges within 4 steps, at 0.002 it "
        "bounces across the valley (and lands near the minimum by a lucky jump at step "
        "21), and at a safe 0.001 it is still at x = −0.66 after 1,000 steps. Momentum "
        "and NAG stay stable at α 0.01 — they zig-zag early on (NAG's f jumps from 12.5 to "
        "139) but never diverge — and get within 0.1 of the minimum (1, 1) at steps 584 "
        "and 311. (At SGD's α of 0.001, Momentum ends near SGD: x = −0.67.)"
    ),
    "Ravine: SGD zig-zags, Nesterov glides": (
        "A ravine curved 100 times more across than along (drawn to scale). SGD at α 0.195, "
        "just under its stability limit across the valley, swings from one side to the "
        "other 89 times (counting swings with |y| > 0.01 on both sides; zig-zagging until "
        "step 89, Σ|Δy| = 39) and never gets within 0.1 of the minimum; NAG (α 0.5, "
        "β₁ 0.9) makes one such swing and glides along the floor, within 0.1 at step 50."
    ),
    "AdaGrad's shrinking steps": (
        "One α (0.1) for all three. AdaGrad divides by the root of all past squared "
        "gradients, so its steps only shrink: by step 300 a step is 5.7 % of α and it "
        "has come from 10.3 to only 8.2 away from the minimum, while RMSprop and Adam, "
        "which forget old gradients, end 0.07 and 0.0097 away. See the step lengths "
        "below the loss."
    ),
}



# ---------------------------------------------------------------- links


LITERAL_CHARS = 40  # a link value shown in a warning is cut to this many characters


def literal(value: object, limit: int = LITERAL_CHARS) -> str:
    """A value from a link, as Markdown that renders as exactly its text: an inline
    code span (no emphasis, links, images, HTML, math or emoji inside), fenced by
    more backticks than any run in it, cut to ``limit`` characters with "…", and
    unprintable characters shown as "�"."""
    text = "".join(c if c.isprintable() else "\ufffd" for c in str(value))
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    if not text.strip():
        return f"(blank: {len(text)} spaces)" if text else "(empty)"
    fence = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    # one space inside each fence, which Markdown strips again: a value may then
    # start or end with a backtick or a space
    return f"{fence} {text} {fence}"


def shown_literally(value: object, limit: int = LITERAL_CHARS) -> str:
    """The text a user reads for ``literal(value)``."""
    text = "".join(c if c.isprintable() else "\ufffd" for c in str(value))
    return text[: limit - 1] + "…" if len(text) > limit else text


def tidy(value: float) -> float:
    """``value`` without binary-arithmetic noise: its nearest number of 12 significant
    digits (2.4000000000000004 is 2.4; what a field shows and a link carries)."""
    return float(f"{float(value):.12g}")


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(text)
    return value


def to_query(scene: Scene) -> dict[str, str]:
    """Query parameters that reproduce ``scene`` exactly (floats by their shortest repr)."""
    x, y = scene.start_point()
    query = {
        "surface": surface_base(scene.surface),
        "opt": ",".join(scene.optimizers),
        "start": f"{x!r},{y!r}",
        "steps": str(scene.steps),
        "speed": repr(float(scene.speed)),
    }
    if surface_base(scene.surface) == CUSTOM:
        text, ((x0, x1), (y0, y1)) = surfaces.expression.parse_spec(scene.surface)
        query["f"], query["domain"] = text, f"{x0!r},{x1!r},{y0!r},{y1!r}"
    elif scene.surface != surface_base(scene.surface):  # parameters off their defaults
        defaults = surfaces.get(surface_base(scene.surface)).params
        for key, value in surfaces.get(scene.surface).params.items():
            if value != defaults[key]:
                query[f"surf.{key}"] = repr(float(value))
    if scene.present:
        query["present"] = "1"
    if scene.convention != "cheatsheet":
        query["conv"] = scene.convention
    if scene.insides:
        query["insides"] = "1"
    if scene.same_for_all:
        query["same"] = "1"
        for h, value in scene.shared.items():
            query[f"all.{h}"] = repr(float(value))
    else:
        for name in scene.optimizers:
            for h, value in scene.hyperparams(name).items():
                query[f"{name}.{h}"] = repr(value)
    for name in scene.optimizers:
        spec = scene.schedule(name)
        if spec is not None:
            query[f"{name}.sched"] = spec["name"]
            for p, value in spec.items():
                if p != "name" and (p != "warmup_steps" or value):  # (exactly, as typed)
                    query[f"{name}.sched.{p}"] = (repr(float(value)) if isinstance(value, float)
                                                  else str(int(value)))  # fmt: skip
    if scene.noise_eta > 0:
        query["noise"] = repr(float(scene.noise_eta))
        query["noise_gamma"] = repr(float(scene.noise_gamma))
    if scene.batch() is not None:
        query["batch"] = str(scene.batch())
    if scene.noise_eta > 0 or scene.batch() is not None:
        query["seed"] = str(scene.seed)
    return query


def _read_surface(base: str, params: Mapping[str, str], warnings: list[str]) -> str:
    """The spec of the surface a link names: a typed one from ``f`` and ``domain``, or
    a built-in one with its parameters from ``surf.<name>``."""
    reader = _LinkReader(params)
    if base == CUSTOM:
        text = params.get("f", DEFAULT_FORMULA)
        domain = DEFAULT_CUSTOM_DOMAIN
        if "domain" in params:
            try:
                x0, x1, y0, y1 = (_float(v) for v in params["domain"].split(","))
                domain = ((x0, x1), (y0, y1))
            except ValueError:
                warnings.append(f"domain = {literal(params['domain'])} in the link is not four "
                                "numbers x_min,x_max,y_min,y_max; using −3,3,−3,3.")  # fmt: skip
        try:
            return custom_spec(text, domain)
        except Exception as error:  # noqa: BLE001 (a link can't break the page)
            warnings.append(f"The typed surface in the link (f = {literal(text)}) could not be "
                            f"used: {plain(str(error))}. Showing f = {plain(DEFAULT_FORMULA)} "
                            "instead.")  # fmt: skip
        return custom_spec(DEFAULT_FORMULA, DEFAULT_CUSTOM_DOMAIN)
    values = {}
    for key, (low, high, _, _) in SURFACE_PARAMS.get(base, {}).items():
        default = surfaces.get(base).params[key]
        values[key] = reader.number(f"surf.{key}", low, high, default)
    warnings += reader.warnings
    return surfaces.spec(base, **values)


def plain(text: str) -> str:
    """``text`` as Markdown that renders as exactly that text (every ASCII punctuation
    mark a Markdown or Streamlit sign could use escaped with a backslash)."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|<>~$:=&'\"])", r"\\\1", text)


def _read_schedules(reader: _LinkReader, optimizers, convention: str) -> dict[str, dict]:
    """Each optimizer's schedule from ``<name>.sched`` and ``<name>.sched.<parameter>``."""
    out = {}
    for name in optimizers:
        key = f"{name}.sched"
        if key not in reader.params:
            continue
        kind = reader.choice(key, list(SCHEDULE_PARAMS), "constant")
        spec = default_schedule(kind)
        params = {**SCHEDULE_PARAMS[kind]}
        if kind != "noam":
            params["warmup_steps"] = (0, MAX_PAGE_STEPS, 0, True)
        for p, (low, high, default, integer) in params.items():
            spec[p] = reader.number(f"{key}.{p}", low, high, default, integer=integer)
        if "lr" in optim_core.get_optimizer(name, convention).hyperparams:
            out[name] = spec
        elif kind != "constant":
            reader.warnings.append(f"{key} in the link is not used: "
                                   f"{optim_core.get_optimizer(name, convention).title} has "
                                   "no α to schedule.")  # fmt: skip
    return out


def _read_noise_and_batch(reader: _LinkReader, surface: str) -> dict:
    eta = 0.0
    if reader.params.get("noise", "0").strip() not in ("0", "0.0"):  # 0: no noise
        eta = reader.option("noise", NOISE_VALUES[1:], 0.0)
    gamma = reader.number("noise_gamma", 0.0, 1.0, NOISE_GAMMA)
    seed = reader.number("seed", 0, MAX_SEED, 0, integer=True)
    batch = None
    if "batch" in reader.params:
        data = surfaces.get(surface).data
        if data is None:
            reader.warnings.append(f"batch in the link is not used: {surface} is not a data "
                                   "surface (only the data surfaces take batches).")  # fmt: skip
        else:
            batch = reader.number("batch", 1, data.n, None, integer=True, shown="all n")
    return {"noise_eta": eta, "noise_gamma": gamma, "seed": seed, "batch_size": batch}


def from_query(params: Mapping[str, str]) -> tuple[Scene, list[str]]:
    """The scene a link describes, and a warning for every value that had to be replaced."""
    warnings: list[str] = []
    default = Scene()
    params = {k: (v[-1] if isinstance(v, list) else v) for k, v in params.items()}

    surface = params.get("surface", default.surface)
    if surface not in (*surfaces.names(), CUSTOM):
        warnings.append(
            f"Unknown surface {literal(surface)} in the link; showing {default.surface}. "
            f"Valid: {', '.join(surfaces.names())}, {CUSTOM}."
        )
        surface = default.surface
    surface = _read_surface(surface, params, warnings)
    surf = surfaces.get(surface)

    optimizers = default.optimizers
    if "opt" in params:
        asked = [o.strip() for o in params["opt"].split(",") if o.strip()]
        known = [o for o in asked if o in optim_core.OPTIMIZERS]
        unknown = [o for o in asked if o not in optim_core.OPTIMIZERS]
        if len(set(known)) < len(known):
            warnings.append("Repeated optimizers in the link ('opt') are shown once.")
        if unknown:
            shown = ", ".join(literal(o) for o in unknown[:MAX_LISTED])
            more = f" and {len(unknown) - MAX_LISTED} more" if len(unknown) > MAX_LISTED else ""
            warnings.append(
                f"Unknown optimizer{'s' if len(unknown) > 1 else ''} {shown}{more} in the "
                f"link left out. Valid: {', '.join(optim_core.optimizer_names())}."
            )
        # An empty list is a real choice (the page then asks for one); only a list of
        # unknown names falls back to the default optimizers.
        optimizers = tuple(dict.fromkeys(known)) if known or not asked else default.optimizers
        if asked and not known:
            warnings[-1] += (
                " The link selects no known optimizer ('opt'); showing the default ones."
            )

    steps = default.steps
    if "steps" in params:
        try:
            if not re.fullmatch(r"\d+", params["steps"].strip()):
                raise ValueError
            steps = int(params["steps"])
            if steps > MAX_PAGE_STEPS:
                cap = CAPS["race.steps"].text()
                warnings.append(f"steps = {literal(params['steps'])} in the link is over the "
                                f"cap. {cap} Using {MAX_PAGE_STEPS:,}.")  # fmt: skip
                steps = MAX_PAGE_STEPS
            elif steps < 1:
                raise ValueError
        except ValueError:
            warnings.append(
                f"steps = {literal(params['steps'])} in the link is not an integer in "
                f"[1, {MAX_PAGE_STEPS}]; using {default.steps}."
            )
            steps = default.steps

    start = None
    if "start" in params:
        (x0, x1), (y0, y1) = surf.domain
        try:
            x, y = (_float(v) for v in params["start"].split(","))
            if not (x0 <= x <= x1 and y0 <= y <= y1):
                raise ValueError
            start = (x, y)
        except ValueError:
            warnings.append(
                f"start = {literal(params['start'])} in the link is not a point of the "
                f"{surf.title} domain x in [{x0:g}, {x1:g}], y in [{y0:g}, {y1:g}]; "
                "using the surface's default start."
            )

    convention = params.get("conv", default.convention)
    if convention not in optim_core.CONVENTIONS:
        warnings.append(
            f"conv = {literal(convention)} in the link is not one of "
            f"{', '.join(optim_core.CONVENTIONS)}; using the cheat sheet's rules."
        )
        convention = default.convention

    speed = default.speed
    if "speed" in params:
        try:
            speed = _float(params["speed"])
            if speed not in SPEEDS:
                raise ValueError
        except ValueError:
            warnings.append(
                f"speed = {literal(params['speed'])} in the link is not one of "
                f"{', '.join(f'{s:g}' for s in SPEEDS)}; using 1."
            )
            speed = default.speed

    def read_hyper(prefix: str, names) -> dict[str, float]:
        values = {}
        for h in names:
            key = f"{prefix}.{h}"
            if key not in params:
                continue
            low, high, _ = HYPER_RANGES[h]
            try:
                value = _float(params[key])
                if not low <= value <= high:
                    raise ValueError
                values[h] = value
            except ValueError:
                warnings.append(
                    f"{key} = {literal(params[key])} in the link is not a number in "
                    f"[{low:g}, {high:g}]; using the default."
                )
        return values

    hyper = {
        name: read_hyper(name, optim_core.get_optimizer(name, convention).hyperparams)
        for name in optimizers
    }
    same = params.get("same", "0") == "1"
    if params.get("same", "0") not in ("0", "1"):
        warnings.append(f"same = {literal(params['same'])} in the link is not 0 or 1; using 0.")
    insides = params.get("insides", "0") == "1"
    if params.get("insides", "0") not in ("0", "1"):
        warnings.append(f"insides = {literal(params['insides'])} in the link is not 0 or 1; "
                        "using 0.")  # fmt: skip
    present = params.get("present", "0") == "1"
    if params.get("present", "0") not in ("0", "1"):
        warnings.append(
            f"present = {literal(params['present'])} in the link is not 0 or 1; using 0 "
            "(presentation mode off)."
        )
    # hyperparameter values the scene does not use: said, not silently dropped
    used = {f"{n}.{h}" for n in optimizers
            for h in optim_core.get_optimizer(n, convention).hyperparams}  # fmt: skip
    used |= {f"all.{h}" for h in optim_core.HYPERPARAMETERS}
    used |= {f"surf.{k}" for k in SURFACE_PARAMS.get(surface_base(surface), {})}
    used |= {f"{n}.sched" for n in optimizers}
    used |= {f"{n}.sched.{p}" for n in optimizers if f"{n}.sched" in params
             for p in SCHEDULE_PARAM_LABELS}  # fmt: skip
    unused = [k for k in params if "." in k and k not in used]
    surface_keys = [k for k in unused if k.startswith("surf.")]
    unused = [k for k in unused if k not in surface_keys]
    if surface_keys:
        shown = ", ".join(literal(k) for k in surface_keys[:MAX_LISTED])
        takes = ", ".join(f"surf.{k}" for k in SURFACE_PARAMS.get(surface_base(surface), {}))
        warnings.append(
            f"{shown} in the link {'is' if len(surface_keys) == 1 else 'are'} not used: "
            f"{surfaces.get(surface).title} has no such parameter"
            + (f" (it takes {takes})." if takes else " (it takes none).")
        )
    if unused:
        shown = ", ".join(literal(k) for k in unused[:MAX_LISTED])
        warnings.append(
            f"{shown} in the link {'is' if len(unused) == 1 else 'are'} not used: no chosen "
            "optimizer has that hyperparameter (or schedule)."
        )
    shared = {**shared_defaults(), **read_hyper("all", optim_core.HYPERPARAMETERS)}
    reader = _LinkReader(params)
    schedules = _read_schedules(reader, optimizers, convention)
    extras = _read_noise_and_batch(reader, surface)
    warnings += reader.warnings
    scene = Scene(surface, optimizers, start, steps, hyper, same, shared, speed, present,
                  convention, insides, schedules, **extras)  # fmt: skip
    return scene, warnings


# ---------------------------------------------------------------- analysis pages
#
# Each analysis page keeps its own view in its own link. A link value that does not
# fit is replaced by its default with a warning naming it, as for the race.

SADDLE_SURFACES = tuple(n for n in surfaces.names() if len(surfaces.get(n).saddles))
OFFSET_RANGE = (1e-10, 1e-1)
OFFSET_VALUES = log_grid(*OFFSET_RANGE, (1, 2, 5))
ESCAPE_DIRECTIONS = ("unstable", "angle", "random")
MAX_ESCAPE_STEPS = 50_000
MAX_RANDOM_OFFSETS = 2_000
# The gradient noise's η on the escape page: 0 (off), then 1 and 3 per decade up to 1.
MAX_ANALYSIS_STEPS = 5_000
SWEEP_AXES = ("beta1", "beta2")
MAX_SWEEP_VALUES = 200
MAX_HEATMAP_BETAS = 100
BASIN_COLOURINGS = ("minimizer", "steps")
MIN_MAP_RESOLUTION = 10  # the page's slider starts here
# Adadelta has no α to sweep; the α × β map needs an optimizer with a β.
SWEEP_OPTIMIZERS = tuple(n for n in optim_core.optimizer_names() if n != "adadelta")
HEATMAP_OPTIMIZERS = tuple(
    n for n in SWEEP_OPTIMIZERS if set(optim_core.get_optimizer(n).hyperparams) & set(SWEEP_AXES)
)


def sweep_axes(optimizer: str) -> list[str]:
    """The β axes an α × β map can have for ``optimizer``."""
    return [a for a in SWEEP_AXES if a in optim_core.get_optimizer(optimizer).hyperparams]


HYPER_MODES = ("same", "defaults", "race")


# ---------------------------------------------------------------- caps
#
# The most work one page asks for: the core refuses more than its own, larger caps
# (optim_core.MAX_STEPS, MAX_STARTS, MAX_PATH_POINTS, MAX_OFFSETS, MAX_MAP_RESOLUTION,
# MAX_SWEEP_SETTINGS) with a ValueError; the pages stop earlier, where one request still
# leaves a shared server responsive, and say so when a user or a link reaches the cap.


@dataclass(frozen=True)
class Cap:
    value: int
    what: str  # what is counted ("steps", "random offsets")
    why: str

    def text(self) -> str:
        return f"{self.value:,} {self.what} is the most this page runs: {self.why}"


_SHARED = "one class shares one server, and no one request may hold it for everyone."
CAPS: dict[str, Cap] = {
    "race.steps": Cap(MAX_PAGE_STEPS, "steps", "every step of every run goes to your "
                      "browser to be animated (all fourteen optimizers × 2,000 steps is 0.8 MB). "
                      "Longer runs: Saddle escape (up to 50,000 steps), Basin maps and "
                      "Sweeps (5,000)."),
    "escape.steps": Cap(MAX_ESCAPE_STEPS, "steps", "a run still within r of the saddle by "
                        "then is counted as never escaping; " + _SHARED),
    "escape.count": Cap(MAX_RANDOM_OFFSETS, "random offsets, each a run of up to 50,000 "
                        "steps,", "2,000 take about 4 s here; " + _SHARED),
    "basins.res": Cap(optim_core.MAX_MAP_RESOLUTION, "starts per side (200 × 200 = 40,000 "
                      "runs)", "1,000 Adam steps from all of them take about a second "
                      "here; " + _SHARED),
    "basins.steps": Cap(MAX_ANALYSIS_STEPS, "steps from each of up to 40,000 starts",
                        _SHARED),
    "sweeps.steps": Cap(MAX_ANALYSIS_STEPS, "steps for each setting of a sweep", _SHARED),
    "sweeps.count": Cap(MAX_SWEEP_VALUES, "α values", "a line that fine already shows "
                        "where runs turn from converging to diverging; " + _SHARED),
    "sweeps.betas": Cap(MAX_HEATMAP_BETAS, "β values (with 200 α values, 20,000 runs in "
                        "one map)", _SHARED),
}  # fmt: skip


class _LinkReader:
    """Reads typed values from query parameters, collecting a warning per bad value."""

    def __init__(self, params: Mapping[str, str]):
        self.params = {k: (v[-1] if isinstance(v, list) else v) for k, v in params.items()}
        self.warnings: list[str] = []

    def _bad(self, key: str, rule: str, default, shown: str | None = None) -> None:
        if shown is None:
            shown = f"{default:g}" if isinstance(default, float) else repr(default)
        self.warnings.append(
            f"{key} = {literal(self.params[key])} in the link is not {rule}; using {shown}."
        )

    def choice(self, key: str, options, default):
        value = self.params.get(key, default)
        if value not in options:
            self._bad(key, f"one of {', '.join(map(str, options))}", default)
            return default
        return value

    def number(self, key: str, low: float, high: float, default, integer: bool = False,
               shown: str | None = None, cap: Cap | None = None):  # fmt: skip
        """The value of ``key`` if it is a number in [low, high], else ``default`` with
        a warning (``shown`` names the default where its value says too little); above
        a ``cap`` (whose value is ``high``), the cap, with a warning that explains it."""
        if key not in self.params:
            return default
        try:
            value = int(self.params[key]) if integer else _float(self.params[key])
            if cap is not None and value > high:
                self.warnings.append(f"{key} = {literal(self.params[key])} in the link is "
                                     f"over the cap. {cap.text()} Using {high:,}.")  # fmt: skip
                return high
            if not low <= value <= high:
                raise ValueError
            return value
        except ValueError:
            kind = "an integer" if integer else "a number"
            self._bad(key, f"{kind} in [{low:g}, {high:g}]", default, shown)
            return default

    def option(self, key: str, options: Sequence[float], default: float) -> float:
        """A number from a slider's options: another number in range becomes the
        nearest option (on a log scale), with a warning saying so."""
        value = self.number(key, min(options), max(options), default)
        if value in options or value == default:  # (the default: the number was refused)
            return value
        nearest = min(options, key=lambda o: abs(math.log(o / value)))
        self.warnings.append(
            f"{key} = {literal(self.params[key])} in the link is not one of the slider's values; "
            f"using the nearest, {nearest:g}."
        )
        return nearest

    def optimizers(self, key: str, default: tuple[str, ...], at_most: int | None = None,
                   allowed: Sequence[str] | None = None):  # fmt: skip
        """The known names of a comma-separated list, in order, each once; unknown
        names, repeats and names beyond ``at_most`` are left out with a warning (a
        list of only unknown names gives ``default``)."""
        if key not in self.params:
            return default
        allowed = tuple(allowed or optim_core.optimizer_names())
        asked = [o.strip() for o in self.params[key].split(",") if o.strip()]
        known = tuple(dict.fromkeys(o for o in asked if o in allowed))
        unknown = [o for o in asked if o not in allowed]
        problems = []
        if unknown:
            shown = ", ".join(literal(o) for o in unknown[:MAX_LISTED])
            more = f" and {len(unknown) - MAX_LISTED} more" if len(unknown) > MAX_LISTED else ""
            problems.append(f"{shown}{more} (not one of {', '.join(allowed)})")
        if len(known) < len(asked) - len(unknown):
            problems.append("repeated names")
        if at_most and len(known) > at_most:
            problems.append(f"more than {at_most}")
            known = known[:at_most]
        if problems:
            kept = ", ".join(known) if known else f"the default {', '.join(default)}"
            self.warnings.append(
                f"{key} in the link has {'; '.join(problems)}: using {kept}."
            )
        if asked and not known:
            return default
        return known


def _lr_range() -> tuple[float, float]:
    low, high, _ = HYPER_RANGES["lr"]
    return low, high


MIN_ESCAPE_RADIUS = 1e-6


MAX_RADIUS_FRACTION = 0.9


def max_escape_radius(surface: str, saddle: int) -> float:
    """The largest escape radius the page offers at a saddle: 0.9 of the distance to
    the nearest other critical point (minimum, maximum or saddle, local ones too), so
    that a run arriving there is farther than r (at exactly that distance a converged
    run would never count as escaped), and at most half the domain's shorter side."""
    surf = surfaces.get(surface)
    (x0, x1), (y0, y1) = surf.domain
    limit = min(x1 - x0, y1 - y0) / 2
    gap = optim_core.nearest_critical_distance(surf, surf.saddles[saddle])
    return float(min(limit, MAX_RADIUS_FRACTION * gap))


def radius_values(surface: str, saddle: int, current: float | None = None) -> list[float]:
    """The escape radius slider's values at a saddle: 1, 2, 5 per decade from
    MIN_ESCAPE_RADIUS up to the largest allowed, that largest, the surface's own r and
    ``current`` (a value from a link stays exact)."""
    high = max_escape_radius(surface, saddle)
    values = set(log_grid(MIN_ESCAPE_RADIUS, high)) | {high}
    values.add(min(optim_core.escape_radius(surfaces.get(surface)), high))
    if current is not None and MIN_ESCAPE_RADIUS <= current <= high:
        values.add(float(current))
    return sorted(values)


@dataclass
class EscapeScene:
    """The saddle-escape page: a saddle, offsets from it, the optimizers and one α."""

    surface: str = "saddle"
    saddle: int = 0
    optimizers: tuple[str, ...] = ("sgd", "momentum", "nag", "adagrad", "adadelta", "rmsprop")
    offset: float = 1e-5  # |δ|, the distance of the start from the saddle
    direction: str = "unstable"  # along the unstable direction, at an angle, or random
    angle: float = 90.0  # degrees, used when direction == "angle"
    count: int = 200  # random offsets, used when direction == "random"
    radius: float | None = None  # None: the surface's escape radius
    steps: int = 5000
    lr: float = 0.05  # one α for every optimizer that has one, when hyper == "same"
    hyper: str = "same"  # one α for all, each optimizer's defaults, or the race's values
    # gradient noise N(0, σ_t² I), σ_t² = η/(1 + t)^γ: η = noise (0: none), γ, seed (the
    # last two are kept at their defaults while the noise is off)
    noise: float = 0.0
    noise_gamma: float = NOISE_GAMMA
    seed: int = 0

    def escape_radius(self) -> float:
        if self.radius is not None:
            return self.radius
        return optim_core.escape_radius(surfaces.get(self.surface))


def escape_to_query(scene: EscapeScene) -> dict[str, str]:
    query = {
        "surface": scene.surface, "saddle": str(scene.saddle),
        "opt": ",".join(scene.optimizers), "offset": repr(scene.offset),
        "dir": scene.direction, "steps": str(scene.steps), "lr": repr(scene.lr),
        "hyper": scene.hyper,
    }  # fmt: skip
    if scene.direction == "angle":
        query["angle"] = repr(scene.angle)
    if scene.direction == "random":
        query["count"] = str(scene.count)
    if scene.radius is not None:
        query["r"] = repr(scene.radius)
    if scene.noise > 0:
        query["noise"] = repr(scene.noise)
        query["noise_gamma"] = repr(scene.noise_gamma)
        query["seed"] = str(scene.seed)
    return query


def _escape_noise(read: _LinkReader, d: EscapeScene) -> tuple[float, float, int]:
    """η, γ and the seed of the gradient noise from an escape link: η one of
    NOISE_VALUES (another η in range becomes the nearest, with a warning); γ and the
    seed are read only when η > 0, and said to be unused otherwise."""
    noise = read.number("noise", 0.0, NOISE_VALUES[-1], d.noise)
    if noise == 0:
        for key in ("noise_gamma", "seed"):
            if key in read.params:
                read.warnings.append(
                    f"{key} = {literal(read.params[key])} in the link is not used while "
                    "the gradient noise is off (noise = 0)."
                )
        return 0.0, d.noise_gamma, d.seed
    if noise not in NOISE_VALUES:
        nearest = min(NOISE_VALUES[1:], key=lambda o: abs(math.log(o / noise)))
        read.warnings.append(
            f"noise = {literal(read.params['noise'])} in the link is not one of the slider's "
            f"values; using the nearest, {nearest:g}."
        )
        noise = nearest
    gamma = read.number("noise_gamma", 0.0, 1.0, d.noise_gamma)
    seed = read.number("seed", 0, MAX_SEED, d.seed, integer=True)
    return noise, gamma, seed


def escape_from_query(params: Mapping[str, str]) -> tuple[EscapeScene, list[str]]:
    read, d = _LinkReader(params), EscapeScene()
    surface = read.choice("surface", SADDLE_SURFACES, d.surface)
    surf = surfaces.get(surface)
    saddle = read.number("saddle", 0, len(surf.saddles) - 1, 0, integer=True)
    default_r = optim_core.escape_radius(surf)
    radius = read.number("r", MIN_ESCAPE_RADIUS, max_escape_radius(surface, saddle), None,
                         shown=f"the surface's r = {default_r:.4g}")  # fmt: skip
    offset = read.option("offset", OFFSET_VALUES, d.offset)
    if radius is not None and offset >= radius:
        read.warnings.append(
            f"offset = {offset:g} in the link is not shorter than r = {radius:g}; "
            f"using the surface's r = {default_r:.4g}."
        )
        radius = None
    scene = EscapeScene(
        surface=surface,
        saddle=saddle,
        optimizers=read.optimizers("opt", d.optimizers),
        offset=offset,
        direction=read.choice("dir", ESCAPE_DIRECTIONS, d.direction),
        angle=read.number("angle", 0.0, 360.0, d.angle),
        count=read.number("count", 1, MAX_RANDOM_OFFSETS, d.count, integer=True,
                          cap=CAPS["escape.count"]),
        radius=radius,
        steps=read.number("steps", 1, MAX_ESCAPE_STEPS, d.steps, integer=True,
                          cap=CAPS["escape.steps"]),
        lr=read.number("lr", *_lr_range(), d.lr),
        hyper=read.choice("hyper", HYPER_MODES, d.hyper),
    )
    scene.noise, scene.noise_gamma, scene.seed = _escape_noise(read, d)
    return scene, read.warnings


@dataclass(frozen=True)
class Claim:
    """A claim about saddles, and the scene that tests it: the claim holds when every
    optimizer in ``faster`` escapes before every one in ``slower``."""

    text: str
    scene: EscapeScene
    faster: tuple[str, ...]
    slower: tuple[str, ...]


_SEED_SIX = ("sgd", "momentum", "nag", "adagrad", "adadelta", "rmsprop")
ESCAPE_CLAIMS: dict[str, Claim] = {
    "The seed's claim, one α for all": Claim(
        "AdaGrad, Adadelta and RMSprop head down the negative slope at once, while SGD, "
        "Momentum and NAG have a hard time breaking the symmetry.",
        EscapeScene("saddle", 0, _SEED_SIX, 1e-6, lr=0.05, steps=5000),
        ("adagrad", "adadelta", "rmsprop"), ("sgd", "momentum", "nag"),
    ),
    "Each at its own default α": Claim(
        "Adaptive methods escape before SGD — here each optimizer runs with its own "
        "default values, as a library would give them.",
        EscapeScene("saddle", 0, ("sgd", "adagrad", "rmsprop", "adam"), 1e-3,
                    hyper="defaults", steps=5000),
        ("adagrad", "rmsprop", "adam"), ("sgd",),
    ),
    "One small α: AdaGrad's shrinking steps": Claim(
        "Adaptive methods escape before SGD, Momentum and NAG — at one small α of 0.01.",
        EscapeScene("saddle", 0, ("sgd", "momentum", "nag", "adagrad", "rmsprop", "adam"),
                    1e-3, lr=0.01, steps=5000),
        ("adagrad", "rmsprop", "adam"), ("sgd", "momentum", "nag"),
    ),
    "Beale's saddle": Claim(
        "Adaptive methods escape before SGD — at Beale's saddle (0, 1), α 0.05.",
        EscapeScene("beale", 0, ("sgd", "adagrad", "rmsprop", "adam"), 1e-5, lr=0.05,
                    steps=5000),
        ("adagrad", "rmsprop", "adam"), ("sgd",),
    ),
    "The flat monkey saddle": Claim(
        "On a degenerate saddle (zero Hessian) plain gradient steps stall while adaptive "
        "methods get away — α 0.01, starting 10⁻⁵ down a valley.",
        EscapeScene("monkey_saddle", 0, ("sgd", "momentum", "adagrad", "rmsprop", "adam"),
                    1e-5, direction="angle", angle=180.0, lr=0.01, steps=20_000),
        ("adagrad", "rmsprop", "adam"), ("sgd", "momentum"),
    ),
    "The flat monkey saddle, 10× closer": Claim(
        "The same claim one decade closer to the degenerate saddle (δ = 10⁻⁶): once the "
        "squared gradient is far below ε, AdaGrad and RMSprop (ε inside the root) take "
        "plain gradient steps too.",
        EscapeScene("monkey_saddle", 0, ("sgd", "momentum", "adagrad", "rmsprop", "adam"),
                    1e-6, direction="angle", angle=180.0, lr=0.01, steps=20_000),
        ("adagrad", "rmsprop", "adam"), ("sgd", "momentum"),
    ),
}  # fmt: skip


def claim_verdict(claim: Claim, escapes: Mapping[str, int]) -> tuple[bool, str]:
    """Whether the claim holds for these escape steps (-1: never), and why not."""

    def key(name):
        step = escapes[name]
        return math.inf if step < 0 else step

    def shown(name):
        step = escapes[name]
        return f"{optim_core.get_optimizer(name).title} ({'never' if step < 0 else step})"

    slowest = max(claim.faster, key=key)
    fastest = min(claim.slower, key=key)
    if key(slowest) < key(fastest):
        return True, f"Holds here: the slowest of them, {shown(slowest)}, beats {shown(fastest)}."
    if key(slowest) == key(fastest) == math.inf:
        a, b = (optim_core.get_optimizer(n).title for n in (slowest, fastest))
        return False, (f"Not shown here: neither {a} nor {b} escapes within these steps, so "
                       "there is no race between them to win.")  # fmt: skip
    return False, (
        f"Does not hold here: {shown(slowest)} escapes no sooner than {shown(fastest)}."
    )


@dataclass
class BasinScene:
    """The basin-map page: one optimizer, or two side by side, from a grid of starts."""

    surface: str = "himmelblau"
    optimizers: tuple[str, ...] = ("sgd", "adam")
    resolution: int = 100
    steps: int = 500
    colour: str = "minimizer"
    lr: float = 0.01
    hyper: str = "same"


def basin_to_query(scene: BasinScene) -> dict[str, str]:
    return {
        "surface": scene.surface, "opt": ",".join(scene.optimizers),
        "res": str(scene.resolution), "steps": str(scene.steps), "colour": scene.colour,
        "lr": repr(scene.lr), "hyper": scene.hyper,
    }  # fmt: skip


def basin_from_query(params: Mapping[str, str]) -> tuple[BasinScene, list[str]]:
    read, d = _LinkReader(params), BasinScene()
    scene = BasinScene(
        surface=read.choice("surface", surfaces.names(), d.surface),
        optimizers=read.optimizers("opt", d.optimizers, at_most=2),
        resolution=read.number("res", MIN_MAP_RESOLUTION, optim_core.MAX_MAP_RESOLUTION,
                               d.resolution, True, cap=CAPS["basins.res"]),
        steps=read.number("steps", 1, MAX_ANALYSIS_STEPS, d.steps, integer=True,
                          cap=CAPS["basins.steps"]),
        colour=read.choice("colour", BASIN_COLOURINGS, d.colour),
        lr=read.number("lr", *_lr_range(), d.lr),
        hyper=read.choice("hyper", HYPER_MODES, d.hyper),
    )
    return scene, read.warnings


@dataclass
class SweepScene:
    """The sweep page: α on a log grid for several optimizers, and α × β for one."""

    surface: str = "rosenbrock"
    start: tuple[float, float] | None = None  # None: the surface's default start
    optimizers: tuple[str, ...] = ("sgd", "momentum", "nag", "rmsprop", "adam")
    steps: int = 1000
    lr_low: float = 1e-5
    lr_high: float = 10.0
    count: int = 60
    heatmap_optimizer: str = "adam"
    axis: str = "beta1"
    betas: int = 40

    def start_point(self) -> tuple[float, float]:
        return Scene(self.surface, start=self.start).start_point()


def sweep_to_query(scene: SweepScene) -> dict[str, str]:
    x, y = scene.start_point()
    return {
        "surface": scene.surface, "start": f"{x!r},{y!r}", "opt": ",".join(scene.optimizers),
        "steps": str(scene.steps), "lr_low": repr(scene.lr_low), "lr_high": repr(scene.lr_high),
        "count": str(scene.count), "heat": scene.heatmap_optimizer, "axis": scene.axis,
        "betas": str(scene.betas),
    }  # fmt: skip


def sweep_from_query(params: Mapping[str, str]) -> tuple[SweepScene, list[str]]:
    read, d = _LinkReader(params), SweepScene()
    surface = read.choice("surface", surfaces.names(), d.surface)
    start = None
    if "start" in read.params:  # the race's reader checks a start against the domain
        race, warnings = from_query({"surface": surface, "start": read.params["start"]})
        start, read.warnings = race.start, read.warnings + warnings
    lr_low = read.number("lr_low", *_lr_range(), d.lr_low)
    lr_high = read.number("lr_high", *_lr_range(), d.lr_high)
    if lr_low >= lr_high:
        read.warnings.append(
            f"lr_low = {lr_low:g} is not below lr_high = {lr_high:g} in the link; "
            f"using {d.lr_low:g} to {d.lr_high:g}."
        )
        lr_low, lr_high = d.lr_low, d.lr_high
    scene = SweepScene(
        surface=surface,
        start=start,
        optimizers=read.optimizers("opt", d.optimizers, allowed=SWEEP_OPTIMIZERS),
        steps=read.number("steps", 1, MAX_ANALYSIS_STEPS, d.steps, integer=True,
                          cap=CAPS["sweeps.steps"]),
        lr_low=lr_low,
        lr_high=lr_high,
        count=read.number("count", 2, MAX_SWEEP_VALUES, d.count, integer=True,
                          cap=CAPS["sweeps.count"]),
        heatmap_optimizer=read.choice("heat", HEATMAP_OPTIMIZERS, d.heatmap_optimizer),
        axis=read.choice("axis", SWEEP_AXES, d.axis),
        betas=read.number("betas", 2, MAX_HEATMAP_BETAS, d.betas, integer=True,
                          cap=CAPS["sweeps.betas"]),
    )  # fmt: skip
    axes = sweep_axes(scene.heatmap_optimizer)
    if scene.axis not in axes:
        title = optim_core.get_optimizer(scene.heatmap_optimizer).title
        read.warnings.append(
            f"axis = {scene.axis!r} in the link is not a hyperparameter of {title}; "
            f"using {axes[0]!r}."
        )
        scene.axis = axes[0]
    return scene, read.warnings
