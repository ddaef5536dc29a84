"""The race page as plain data: a :class:`Scene` (surface, start, optimizers,
hyperparameters, steps, speed), the presets, and the link that encodes one. Every
value read from a link is checked; a bad one is replaced by its default with a warning
that names it, so a tampered link never breaks the page."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

import optim_core
import surfaces
from optim_core.batches import DIFFICULTIES
from optim_core.batches import STAGED as STAGED_ORDERS

from .shared import (
    CAPS,
    CUSTOM,
    DEFAULT_CUSTOM_DOMAIN,
    DEFAULT_FORMULA,
    DEFAULT_OPTIMIZERS,
    HYPER_LABELS,
    HYPER_RANGES,
    MAX_LISTED,
    MAX_PAGE_STEPS,
    MAX_SEED,
    NO_WARMUP,
    NOISE_GAMMA,
    NOISE_VALUES,
    PLATEAU_MONITORS,
    SCHEDULE_PARAM_LABELS,
    SCHEDULE_PARAMS,
    SLIDER_VALUES,
    SPEEDS,
    SURFACE_PARAMS,
    SURFACE_SWITCHES,
    WHOLE_HYPERPARAMETERS,
    LinkReader,
    build_schedule,
    custom_spec,
    default_schedule,
    hyper_value,
    link_float,
    literal,
    plain,
    surface_base,
)


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
    # whose update rules run: the cheat sheet's or torch.optim's (optim_core.optimizers)
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
    # data surfaces: the order of the examples (optim_core.ORDERS) and a curriculum's
    # difficulty (optim_core.batches.DIFFICULTIES)
    order: str = "reshuffle"
    difficulty: str = "start"
    # data surfaces with a validation split: early stopping's patience P and minimum δ
    stop_patience: int = 20
    stop_delta: float = 0.0
    # stale gradients (an asynchronous server's): each step's gradient τ steps old, or a
    # random τ a step up to it (0: fresh gradients)
    delay: int = 0
    delay_random: bool = False
    # the x-axis of the loss and step-length plots (and what the table's "converged at"
    # counts): "steps" or "evals", the ∇f evaluations each run had taken (how the page
    # looks, not what it runs)
    x_axis: str = "steps"

    def start_point(self) -> tuple[float, float]:
        if self.start is not None:
            return self.start
        x, y = surfaces.get(self.surface).default_start
        return float(x), float(y)

    def hyperparams(self, name: str) -> dict[str, float]:
        """The values ``name`` runs with: every hyperparameter it uses, resolved (what
        the scene leaves out: the race's starting values, :func:`race_defaults`)."""
        opt = optim_core.get_optimizer(name, self.convention)
        given = self.hyper.get(name, {})
        if self.same_for_all:  # the shared values, and its own for what they leave out
            given = {**{h: v for h, v in given.items() if h not in self.shared}, **self.shared}
        defaults = race_defaults(name, self.convention)
        return {h: hyper_value(h, given.get(h, defaults[h])) for h in opt.hyperparams}

    def schedule(self, name: str) -> dict | None:
        """``name``'s schedule (None: constant α, or an optimizer without α)."""
        spec = self.schedules.get(name)
        if not spec or spec["name"] == "constant" and not spec.get("warmup_steps"):
            return None
        if "lr" not in optim_core.get_optimizer(name, self.convention).hyperparams:
            return None
        if spec.get("monitor") == "validation" and not self.validation():
            return {**spec, "monitor": "train"}  # (no examples held out: the page says so)
        return spec

    def batch(self) -> int | None:
        """The batch size the race runs with (None: the full gradient; a curriculum
        with B = n takes its whole pool every step, which is not)."""
        data = surfaces.get(self.surface).data
        if data is None or self.batch_size is None:
            return None
        if self.batch_size >= data.n and self.order not in STAGED_ORDERS:
            return None
        return min(self.batch_size, data.n)

    def run_order(self) -> optim_core.Order | None:
        """The order of the batches (None: full gradient or the reshuffled default)."""
        if self.batch() is None or self.order == "reshuffle":
            return None
        return optim_core.Order(self.order, difficulty=self.difficulty)

    def validation(self) -> bool:
        """Whether the surface holds examples out (its validation loss is drawn)."""
        data = surfaces.get(self.surface).data
        return data is not None and data.val_loss is not None

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
        if self.run_order() is not None:
            options["order"] = (self.order, self.difficulty)
        if self.delay and optim_core.runner.first_order(
                optim_core.get_optimizer(name, self.convention)):  # fmt: skip
            options["delay_max" if self.delay_random else "delay"] = self.delay
        if "noise_eta" in options or "batch_size" in options or (
                self.delay and self.delay_random):  # fmt: skip
            options["seed"] = self.seed
        return tuple(sorted(options.items()))

    def run_kwargs(self, name: str) -> dict:
        """Everything ``optim_core.run`` takes for ``name`` besides surface, start, steps."""
        options = dict(self.run_options(name))
        if "schedule" in options:
            options["schedule"] = build_schedule(options["schedule"])
        if "order" in options:
            options["order"] = self.run_order()
        return {**self.hyperparams(name), "convention": self.convention, **options}


# the order of the examples (optim_core.ORDERS) and a curriculum's difficulty, in words
ORDER_TITLES = {
    "reshuffle": "reshuffled every epoch",
    "fixed": "one fixed shuffle",
    "sorted": "sorted, as the data arrive",
    "curriculum": "curriculum: easy first (Bengio et al. 2009)",
    "mixed": "curriculum mixed with all levels (Zaremba & Sutskever 2014)",
}
DIFFICULTY_TITLES = {"start": "its loss at the start",
                     "boundary": "its distance from the best fit"}  # fmt: skip

DELAYS = (0, 1, 2, 3, 4, 6, 8, 12, 16)  # the stale-gradient slider's τ (steps)

RACE_MIN_LR = 0.01
X_AXES = ("steps", "evals")  # the loss plot's x-axis: steps, or ∇f evaluations


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
    with_lr = [n for n in optimizers if "lr" in opts[n].hyperparams
               and optim_core.unavailable(opts[n], surf) is None]  # fmt: skip
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
    if scene.x_axis != "steps":
        query["xaxis"] = scene.x_axis
    if scene.same_for_all:
        query["same"] = "1"
        for h, value in scene.shared.items():
            query[f"all.{h}"] = repr(float(value))
    for name in scene.optimizers:  # (with the same values for all: the others' own)
        for h, value in scene.hyperparams(name).items():
            if not scene.same_for_all or h not in scene.shared:
                query[f"{name}.{h}"] = value if isinstance(value, str) else repr(value)
    for name in scene.optimizers:
        spec = scene.schedule(name)
        if spec is not None:
            query[f"{name}.sched"] = spec["name"]
            for p, value in spec.items():
                if p != "name" and (p != "warmup_steps" or value):  # (exactly, as typed)
                    query[f"{name}.sched.{p}"] = (
                        value if isinstance(value, str) else repr(float(value))
                        if isinstance(value, float) else str(int(value)))  # fmt: skip
    if scene.noise_eta > 0:
        query["noise"] = repr(float(scene.noise_eta))
        query["noise_gamma"] = repr(float(scene.noise_gamma))
    if scene.batch() is not None:
        query["batch"] = str(scene.batch())
    if scene.delay:
        query["delay"] = str(scene.delay)
        if scene.delay_random:
            query["delay_random"] = "1"
    if scene.noise_eta > 0 or scene.batch() is not None or (scene.delay and scene.delay_random):
        query["seed"] = str(scene.seed)
    if scene.run_order() is not None:
        query["order"] = scene.order
        if scene.order in STAGED_ORDERS:
            query["difficulty"] = scene.difficulty
    if scene.validation():
        query["stop_patience"] = str(scene.stop_patience)
        query["stop_delta"] = repr(float(scene.stop_delta))
    return query


def _read_surface(base: str, params: Mapping[str, str], warnings: list[str]) -> str:
    """The spec of the surface a link names: a typed one from ``f`` and ``domain``, or
    a built-in one with its parameters from ``surf.<name>``."""
    reader = LinkReader(params)
    if base == CUSTOM:
        text = params.get("f", DEFAULT_FORMULA)
        domain = DEFAULT_CUSTOM_DOMAIN
        if "domain" in params:
            try:
                x0, x1, y0, y1 = (link_float(v) for v in params["domain"].split(","))
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
        default, given = surfaces.get(base).params[key], params.get(f"surf.{key}")
        value = default
        if given is not None and key not in SURFACE_SWITCHES:  # in the slider's range
            value = reader.number(f"surf.{key}", low, high, default)
        try:  # and what the surface takes: a switch's 0 or 1 (n = 2.5 is in the range)
            if given is not None and key in SURFACE_SWITCHES:
                value = link_float(given)
            surfaces.get(base, **{key: value})
        except ValueError:
            reader.warnings.append(f"surf.{key} = {literal(given)} in the link is not "
                                   f"{surfaces.param_rule(base, key)}; using {default:g}.")
            value = default
        values[key] = value
    warnings += reader.warnings
    return surfaces.spec(base, **values)


def _read_schedules(reader: LinkReader, optimizers, convention: str) -> dict[str, dict]:
    """Each optimizer's schedule from ``<name>.sched`` and ``<name>.sched.<parameter>``."""
    out = {}
    for name in optimizers:
        key = f"{name}.sched"
        if key not in reader.params:
            continue
        kind = reader.choice(key, list(SCHEDULE_PARAMS), "constant")
        spec = default_schedule(kind)
        params = {**SCHEDULE_PARAMS[kind]}
        if kind not in NO_WARMUP:
            params["warmup_steps"] = (0, MAX_PAGE_STEPS, 0, True)
        for p, (low, high, default, integer) in params.items():
            spec[p] = reader.number(f"{key}.{p}", low, high, default, integer=integer)
        if kind == "plateau":
            spec["monitor"] = reader.choice(f"{key}.monitor", list(PLATEAU_MONITORS), "train")
        if "lr" in optim_core.get_optimizer(name, convention).hyperparams:
            out[name] = spec
        elif kind != "constant":
            reader.warnings.append(f"{key} in the link is not used: "
                                   f"{optim_core.get_optimizer(name, convention).title} has "
                                   "no α to schedule.")  # fmt: skip
    return out


def _read_noise_and_batch(reader: LinkReader, surface: str) -> dict:
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
    order = reader.choice("order", list(optim_core.ORDERS), "reshuffle")
    difficulty = reader.choice("difficulty", list(DIFFICULTIES), "start")
    patience = reader.number("stop_patience", 1, MAX_PAGE_STEPS, Scene.stop_patience,
                             integer=True)  # fmt: skip
    delta = reader.number("stop_delta", 0.0, 10.0, Scene.stop_delta)
    delay = reader.choice("delay", list(DELAYS), 0)
    delay_random = reader.choice("delay_random", ("0", "1"), "0") == "1"
    return {"noise_eta": eta, "noise_gamma": gamma, "seed": seed, "batch_size": batch,
            "order": order, "difficulty": difficulty, "stop_patience": patience,
            "stop_delta": delta, "delay": delay, "delay_random": delay_random}  # fmt: skip


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
            x, y = (link_float(v) for v in params["start"].split(","))
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
            speed = link_float(params["speed"])
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
            if h in optim_core.CHOICES:
                if params[key] in optim_core.CHOICES[h]:
                    values[h] = params[key]
                else:
                    warnings.append(
                        f"{key} = {literal(params[key])} in the link is not one of "
                        f"{', '.join(optim_core.CHOICES[h])}; using the default.")
                continue
            low, high, _ = HYPER_RANGES[h]
            whole = h in WHOLE_HYPERPARAMETERS
            try:
                value = link_float(params[key])
                if not low <= value <= high or whole and value != int(value):
                    raise ValueError
                values[h] = value
            except ValueError:
                warnings.append(
                    f"{key} = {literal(params[key])} in the link is not a "
                    f"{'whole number' if whole else 'number'} in [{low:g}, {high:g}]; "
                    "using the default."
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
    reader = LinkReader(params)
    schedules = _read_schedules(reader, optimizers, convention)
    extras = _read_noise_and_batch(reader, surface)
    x_axis = reader.choice("xaxis", X_AXES, default.x_axis)
    warnings += reader.warnings
    scene = Scene(surface, optimizers, start, steps, hyper, same, shared, speed, present,
                  convention, insides, schedules, **extras, x_axis=x_axis)  # fmt: skip
    return scene, warnings


def read_start(read: LinkReader, surface: str) -> tuple[float, float] | None:
    """A page's start from its link (None: none given, or not a point of ``surface``'s
    domain; the race's reader says why in ``read.warnings``)."""
    if "start" not in read.params:
        return None
    race, warnings = from_query({"surface": surface, "start": read.params["start"]})
    read.warnings += warnings
    return race.start
