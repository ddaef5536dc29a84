"""What the pages share, as plain data: the sliders' ranges, schedules, noise and
mini-batches, the surfaces' names on the page, the caps, and the link reader that
checks every value a link carries. Nothing here imports Streamlit."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

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
    "eps": (1e-30, 1.0, True),  # (Adafactor's ε₁ is 1e-30, optax's; the slider 1e-12 … 1)
    "weight_decay": (0.0, 1.0, False),
    "memory": (1, 100, False),
    "damping": (1e-6, 1e3, True),
    "c1": (1e-8, 0.5, True),
    "c2": (0.01, 0.99, False),
    "shrink": (0.1, 0.9, False),
    "beta3": (0.0, 0.9999, False),
    "mix": (0.0, 20.0, False),
    "warmup": (0, 1000, False),
    "lr_power": (0.0, 4.0, False),
    "d0": (1e-8, 1.0, True),
    "clip": (1e-3, 10.0, True),
    "every": (1, 100, False),
    "eps2": (0.0, 0.1, False),
    "decay": (0.1, 1.0, False),
    "ns_steps": (1, 10, False),
}
HYPER_LABELS = {"lr": "α (lr)", "beta1": "β₁", "beta2": "β₂", "eps": "ε",
                "weight_decay": "λ (weight decay)", "memory": "m (pairs kept)",
                "damping": "λ₀ (first damping)", "c1": "c₁ (sufficient decrease)",
                "c2": "c₂ (curvature)", "shrink": "ρ (backtracking factor)"}  # fmt: skip
WHOLE_HYPERPARAMETERS = ("memory", "warmup", "every", "ns_steps")  # an integer slider and link
HYPER_LABELS.update(beta_rule="β rule", line_search="line search", beta3="β₃",
                    mix="α₃ (slow EMA's weight)", warmup="warm-up steps",
                    lr_power="p (the weighting's power of α)", d0="d₀ (first distance)",
                    clip="ρ (clip)", every="k (steps between updates)", eps2="ε₂",
                    decay="c (β₂ decay exponent)", ns_steps="Newton–Schulz steps")
CHOICE_TITLES = {"PR+": "Polak–Ribière+", "FR": "Fletcher–Reeves",
                 "none": "none (fixed step α)", "strong_wolfe": "strong Wolfe"}  # fmt: skip


def hyper_value(h: str, value):
    """A hyperparameter's value as the core takes it: a choice's string, else a float."""
    return str(value) if h in optim_core.CHOICES else float(value)


def hyper_text(h: str, value) -> str:
    """A hyperparameter's value in words: a choice's title, else the number."""
    return CHOICE_TITLES.get(value, str(value)) if h in optim_core.CHOICES else f"{value:g}"


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
    "damping": log_grid(1e-6, 1e3, (1, 2, 5)),
    "c1": log_grid(1e-8, 0.5, (1, 2, 5)),
    "d0": log_grid(1e-8, 1.0, (1,)),
    "clip": log_grid(1e-3, 10.0, (1, 2, 5)),
}


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
    # torch.optim.lr_scheduler.ReduceLROnPlateau's defaults; it also takes "monitor"
    # (PLATEAU_MONITORS: the loss it watches), and no warm-up (its α follows the run)
    "plateau": {"factor": (0.01, 0.99, 0.1, False), "patience": (0, MAX_PAGE_STEPS, 10, True),
                "threshold": (0.0, 1.0, 1e-4, False), "cooldown": (0, MAX_PAGE_STEPS, 0, True)},
}  # fmt: skip
PLATEAU_MONITORS = {"train": "the training loss", "validation": "the validation loss"}
NO_WARMUP = ("noam", "plateau")  # the schedules that take no warm-up before them
SCHEDULE_TITLES = {
    "constant": "constant",
    "step": "step decay",
    "exponential": "exponential decay",
    "inverse_time": "inverse-time decay",
    "cosine": "cosine annealing",
    "sgdr": "cosine with warm restarts (SGDR)",
    "noam": "Noam (Transformer)",
    "plateau": "cut on a plateau (ReduceLROnPlateau)",
}
SCHEDULE_PARAM_LABELS = {
    "every": "every k steps", "factor": "times γ", "rate": "rate δ", "period": "period T",
    "floor": "floor r", "mult": "growth m", "d_model": "d_model", "warmup": "warm-up w",
    "warmup_steps": "warm-up steps", "patience": "patience P", "threshold": "threshold (relative)",
    "cooldown": "cooldown steps", "monitor": "watches",
}  # fmt: skip
SCHEDULE_FORMULAS = {
    "constant": r"1",
    "step": r"\gamma^{\lfloor (t-1)/k \rfloor}",
    "exponential": r"e^{-\delta (t-1)}",
    "inverse_time": r"\frac{1}{1 + \delta (t-1)}",
    "cosine": r"r + (1-r)\,\tfrac{1}{2}\left(1 + \cos\frac{\pi \min(t-1, T)}{T}\right)",
    "sgdr": r"\text{the cosine over cycles } T, Tm, Tm^2, \ldots",
    "noam": r"d_\text{model}^{-1/2} \min\left(t^{-1/2},\; t\,w^{-3/2}\right)",
    "plateau": r"s \leftarrow \gamma\, s \text{ once the watched loss has not gone below }"
               r"(1 - \text{threshold}) \times \text{its best for more than } P "
               r"\text{ steps}",
}


def default_schedule(name: str) -> dict:
    """The spec of schedule ``name`` at the page's starting values."""
    values = {p: d for p, (_, _, d, _) in SCHEDULE_PARAMS[name].items()}
    if name == "plateau":
        values["monitor"] = "train"
    return {"name": name, **values, "warmup_steps": 0}


def build_schedule(spec) -> optim_core.Schedule | None:
    """The core's schedule for a spec (a dict or its sorted items): ``name``, its
    parameters and ``warmup_steps`` (W > 0: a linear warm-up over W steps first)."""
    values = dict(spec)
    name, warmup = values.pop("name"), int(values.pop("warmup_steps", 0) or 0)
    kinds = SCHEDULE_PARAMS[name]
    params = {p: v if p == "monitor" else int(v) if kinds[p][3] else float(v)
              for p, v in values.items()}  # fmt: skip
    base = optim_core.schedule(name, **params)
    if warmup > 0 and name not in NO_WARMUP:
        return optim_core.schedule("warmup", steps=warmup, then=base)
    return base


def describe_schedule(spec) -> str:
    """A schedule spec in a few words: "cosine annealing (period T 300, floor r 0) after 20
    warm-up steps"."""
    values = dict(spec)
    name, warmup = values.pop("name"), int(values.pop("warmup_steps", 0) or 0)
    words = SCHEDULE_TITLES[name]
    if values:
        words += " (" + ", ".join(
            f"{SCHEDULE_PARAM_LABELS[p]} {PLATEAU_MONITORS[v] if p == 'monitor' else f'{v:g}'}"
            for p, v in values.items()) + ")"  # fmt: skip
    if warmup > 0 and name not in NO_WARMUP:
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
VAL_LABEL = "held out for validation (a share of n)"
SURFACE_PARAMS: dict[str, dict[str, tuple[float, float, float, str]]] = {
    "rosenbrock": {"a": (-2.0, 3.0, 0.1, "a: the minimum is at (a, a²)"),
                   "b": (1.0, 300.0, 1.0, "b: how steep the valley's walls are")},
    "ravine": {"steepness": (1.0, 1000.0, 1.0, "steepness: across / along")},
    "quadratic": {"kappa": (1.0, 1000.0, 1.0, "condition number κ"),
                  "angle": (0.0, 180.0, 5.0, "rotation of the axes (degrees)")},
    "rastrigin": {"A": (0.0, 30.0, 0.5, "A: the height of the bumps")},
    "linear_regression": {"n": (2, 200, 1, "examples n"),
                          "seed": (0, 99, 1, "data set (its seed)"),
                          "val": (0.0, 0.5, 0.05, VAL_LABEL),
                          "standardize": (0, 1, 1, "Standardize the inputs")},
    "logistic_regression": {"n": (2, 200, 1, "examples n"),
                            "seed": (0, 99, 1, "data set (its seed)"),
                            "val": (0.0, 0.5, 0.05, VAL_LABEL),
                            "standardize": (0, 1, 1, "Standardize the inputs")},
    "sparse_regression": {"n": (2, 200, 1, "examples n"),
                          "seed": (0, 99, 1, "data set (its seed)"),
                          "density": (0.0, 1.0, 0.05, "density: the share of examples that "
                                      "touch both weights")},
}  # fmt: skip
# surface parameters that are 0 or 1: a switch on the page, not a slider
SURFACE_SWITCHES = {"standardize": "Each input becomes (x − mean)/std over the examples: "
                    "mean 0, variance 1. Under the race, the landscape before and after. Part "
                    "of the link."}  # fmt: skip
CUSTOM = "custom"  # the page's name for a typed surface
DEFAULT_FORMULA = "x^2 + 3*sin(y)"
DEFAULT_CUSTOM_DOMAIN = ((-3.0, 3.0), (-3.0, 3.0))


def surface_base(spec: str) -> str:
    """The page's surface choice for a spec: a built-in name, or CUSTOM."""
    if spec.startswith(surfaces.expression.PREFIX):
        return CUSTOM
    return spec.partition("(")[0]


def standardize_pair(spec: str) -> tuple[str, str]:
    """The specs of the data surface ``spec`` with raw and with standardized inputs, its
    other parameters as they are."""
    params = dict(surfaces.get(spec).params)
    return tuple(surfaces.spec(surface_base(spec), **{**params, "standardize": v})
                 for v in (0.0, 1.0))  # fmt: skip


def custom_spec(text: str, domain) -> str:
    """The spec of a typed surface (a ValueError if the text or domain is bad)."""
    return surfaces.from_expression(text, domain).name


def surface_title(spec: str) -> str:
    return "Custom: type f(x, y)" if spec == CUSTOM else surfaces.get(spec).title



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


def link_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(text)
    return value


def plain(text: str) -> str:
    """``text`` as Markdown that renders as exactly that text (every ASCII punctuation
    mark a Markdown or Streamlit sign could use escaped with a backslash)."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|<>~$:=&'\"])", r"\\\1", text)


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
MAX_NETWORK_STEPS = 2_000  # the Real network page's runs
SWEEP_AXES = ("beta1", "beta2")
MAX_SWEEP_VALUES = 200
MAX_HEATMAP_BETAS = 100
BASIN_COLOURINGS = ("minimizer", "steps")
MIN_MAP_RESOLUTION = 10  # the page's slider starts here
# An optimizer without α (Adadelta) has none to sweep; the α × β map needs one with a β.
SWEEP_OPTIMIZERS = tuple(n for n in optim_core.optimizer_names()
                         if "lr" in optim_core.get_optimizer(n).hyperparams)  # fmt: skip
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
                      f"browser to be animated (all {len(optim_core.optimizer_names())} "
                      "optimizers × 2,000 steps is about "
                      f"{0.057 * len(optim_core.optimizer_names()):.1f} MB). "
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
    "network.steps": Cap(MAX_NETWORK_STEPS, "steps", "every weight vector of every run is "
                         "kept for the projection (1,210 weights × 2,000 steps is 19 MB a "
                         "run); " + _SHARED),
}  # fmt: skip


class LinkReader:
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
        """``key``'s value if it is one of ``options``; numbers (a width, a batch size)
        are read as the integers among them."""
        value = self.params.get(key, default)
        if all(isinstance(o, int) for o in options) and isinstance(value, str):
            try:
                value = int(value)
            except ValueError:
                pass
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
            value = int(self.params[key]) if integer else link_float(self.params[key])
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


def lr_range() -> tuple[float, float]:
    low, high, _ = HYPER_RANGES["lr"]
    return low, high
