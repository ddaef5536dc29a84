"""What the pages share: bounded caches of the core's work, the race's state as the
other pages read it, and the way a page shows its link's warnings."""

from __future__ import annotations

import collections
import math
import threading
import time

import numpy as np
import streamlit as st

import optim_core
import scenes
import surfaces
import viz
import viz.tuning

# ---------------------------------------------------------------- cached work


@st.cache_resource(max_entries=128, show_spinner=False)
def cached_run(optimizer: str, surface: str, start: tuple, steps: int, hyper: tuple,
               convention: str = "cheatsheet", options: tuple = ()):  # fmt: skip
    """One trajectory; arrays are read-only, so sharing them between sessions is safe.
    ``options``: ``Scene.run_options`` (a schedule's spec, noise, batches)."""
    extra = dict(options)
    if "schedule" in extra:
        extra["schedule"] = scenes.build_schedule(extra["schedule"])
    if "order" in extra:  # (kind, difficulty)
        kind, difficulty = extra["order"]
        extra["order"] = optim_core.Order(kind, difficulty=difficulty)
    return optim_core.run(optimizer, surface, start, steps, convention=convention,
                          **dict(hyper), **extra)  # fmt: skip


def cached_runs(surface: str, start: tuple, steps: int, run_keys: tuple,
                progress: Progress | None = None) -> list[viz.Run]:  # fmt: skip
    """The race's runs: ``run_keys`` holds (optimizer, sorted hyperparameter items[,
    convention[, run options]]). With ``progress``, a wait of more than a moment (runs
    not in the cache) shows how many are done."""
    runs, began = [], time.monotonic()
    for i, key in enumerate(run_keys):
        title = optim_core.get_optimizer(key[0]).title
        runs.append(viz.Run(key[0], title, cached_run(key[0], surface, start, steps, *key[1:])))
        if progress is not None and time.monotonic() - began > progress.EVERY_S:
            progress.report((i + 1) / len(run_keys), f"{i + 1}/{len(run_keys)}")
    if progress is not None:
        progress.done()
    return runs


@st.cache_resource(max_entries=24, show_spinner=False)
def cached_race_static(surface: str) -> tuple[str, dict]:
    return viz.race_static(surfaces.get(surface), cached_grid(surface))


@st.cache_resource(max_entries=64, show_spinner=False)
def cached_race_view(surface: str, start: tuple, steps: int, run_keys: tuple,
                     present: bool = False, insides: bool = False,
                     x_axis: str = "steps", kept: tuple = ()) -> viz.RaceView:  # fmt: skip
    """The race view's data (plain JSON, shared read-only between sessions); with
    ``present``, drawn for a projector; with ``insides``, with the insides arrows;
    ``x_axis``: the loss plot's ("steps" or "evals"); ``kept``: (optimizer, step) pairs,
    the weights early stopping keeps, marked on the contour."""
    if present:
        return viz.for_projector(cached_race_view(surface, start, steps, run_keys,
                                                  insides=insides, x_axis=x_axis,
                                                  kept=kept))  # fmt: skip
    key, static = cached_race_static(surface)
    # (Schedule-Free's z and y drawn faintly behind its x)
    runs = viz.with_companions(surfaces.get(surface), cached_runs(surface, start, steps, run_keys))
    return viz.RaceView(key, static, viz.race_runs(surfaces.get(surface), runs,
                                                   cached_grid(surface), insides=insides,
                                                   x_axis=x_axis, kept=dict(kept)))  # fmt: skip


DELAY_ALPHAS = np.geomspace(0.05, 2.5, 40)  # the stability map's α (L = 1)


@st.cache_resource(max_entries=1, show_spinner=False)
def cached_delay_stability() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Delayed SGD on the round bowl over the page's τ and DELAY_ALPHAS: (τ's, outcome,
    the bound), computed once (a sweep over α per τ)."""
    taus = np.array(scenes.DELAYS)
    return (taus, optim_core.workers.delay_stability(taus, DELAY_ALPHAS),
            optim_core.workers.delay_bound(taus))  # fmt: skip


@st.cache_resource(max_entries=64, show_spinner=False)
def cached_step_sizes(surface: str, start: tuple, steps: int, run_keys: tuple) -> str:
    """The insides view's step-size figure (JSON)."""
    return viz.step_size_figure(cached_runs(surface, start, steps, run_keys)).to_json()


@st.cache_resource(max_entries=64, show_spinner=False)
def cached_d_figure(surface: str, start: tuple, steps: int, run_keys: tuple) -> str:
    """Prodigy's d against step (JSON)."""
    return viz.d_figure(cached_runs(surface, start, steps, run_keys)).to_json()


@st.cache_resource(max_entries=64, show_spinner=False)
def cached_lr_figure(surface: str, start: tuple, steps: int, run_keys: tuple) -> str:
    """The α-against-step figure's JSON."""
    return viz.lr_figure(cached_runs(surface, start, steps, run_keys)).to_json()


@st.cache_resource(max_entries=64, show_spinner=False)
def cached_step_lengths(surface: str, start: tuple, steps: int, run_keys: tuple,
                        x_axis: str = "steps") -> str:  # fmt: skip
    """The step-length figure's JSON (built once: Plotly's figure objects take ~10 ms)."""
    return viz.step_length_figure(cached_runs(surface, start, steps, run_keys),
                                  x_axis=x_axis).to_json()  # fmt: skip


@st.cache_resource(max_entries=64, show_spinner=False)
def cached_saddle_distances(surface: str, start: tuple, steps: int, run_keys: tuple) -> str:
    """The distance-from-the-saddle figure's JSON, built once like the step lengths."""
    shape = surfaces.get(surface)
    return viz.saddle_distance_figure(cached_runs(surface, start, steps, run_keys), shape,
                                      optim_core.escape_radius(shape)).to_json()  # fmt: skip


@st.cache_resource(max_entries=32, show_spinner=False)
def cached_standardize(surface: str, steps: int, run_keys: tuple) -> tuple[str, list, str]:
    """Before and after standardizing a data surface's inputs: the figure's JSON, the
    table's rows and the sentence that says what they show. Each run starts at its own
    landscape's default start (``cached_runs``: run first with a progress bar)."""
    sides = []
    for spec in scenes.standardize_pair(surface):
        shape = surfaces.get(spec)
        runs = cached_runs(spec, tuple(float(v) for v in shape.default_start), steps, run_keys)
        sides.append(viz.Side(shape, cached_grid(spec), runs))
    return (viz.standardize_figure(*sides).to_json(), viz.standardize_rows(*sides),
            viz.standardize_summary(*sides, steps))  # fmt: skip


@st.cache_data(max_entries=64, show_spinner=False)
def cached_suited_lr(surface: str, optimizers: tuple, start: tuple, steps: int, shared: tuple,
                     convention: str = "cheatsheet"):  # fmt: skip
    return scenes.suited_shared_lr(surface, optimizers, start, steps, dict(shared), convention)


@st.cache_resource(max_entries=24, show_spinner=False)
def cached_grid(surface: str):
    return viz.surface_grid(surfaces.get(surface))


# ---------------------------------------------------------------- long work, with progress


class Progress:
    """A progress bar for one long wait, in a placeholder that is always there (so the
    elements after it keep their places whether or not there was work to wait for):
    shown from the first report on, updated at most every ``EVERY_S`` seconds. Each
    update is a point where Streamlit can stop the script: a change made while it runs
    cancels the work (the core's loop sees the exception) instead of queueing behind it,
    and the last picture stays on the page until the new one replaces it."""

    EVERY_S = 0.2

    def __init__(self, text: str):
        self.slot, self.text, self.shown = st.empty(), text, -math.inf

    def report(self, fraction: float, label: str = "") -> None:
        now = time.monotonic()
        if fraction < 1 and now - self.shown < self.EVERY_S:
            return
        self.shown = now
        fraction = min(max(float(fraction), 0.0), 1.0)
        self.slot.progress(fraction, text=" ".join(filter(None, (self.text, label,
                                                                 f"{fraction:.0%}"))))

    def part(self, i: int, n: int, label: str = ""):
        """The callback for the i-th of n equal parts of the wait."""
        return lambda fraction: self.report((i + fraction) / n, label)

    def done(self) -> None:
        self.slot.empty()


# Work that reports its progress while it runs: st.cache_* would record the bar's updates
# and replay them as page elements, so these results have small LRU caches of their own,
# shared like resources (read-only: nothing writes into their arrays).
_SHARED: dict[str, collections.OrderedDict] = collections.defaultdict(collections.OrderedDict)
# (saddle outcomes: one per method and saddle, nine methods at nineteen saddles, a few
# settings; each a few kB)
_SHARED_MAX = {"basin_map": 16, "sweep": 32, "escape": 64, "saddle_outcome": 600,
               # the Real network page: a run keeps every weight vector (~3 MB for 300
               # digits steps), a plane its grid and projections
               "network_run": 32, "network_plane": 8, "network_sharpness": 64,
               "network_sharp_flat": 8, "network_saddle": 8, "network_view": 8,
               # batch normalization: a run's running averages (a few numbers), the
               # largest-stable-α sweeps (each optimizer with and without: 17 losses)
               "network_stats": 64, "network_stable": 8}  # fmt: skip
_SHARED_LOCK = threading.Lock()


def _shared(kind: str, key: tuple, compute):
    store = _SHARED[kind]
    with _SHARED_LOCK:
        if key in store:
            store.move_to_end(key)
            return store[key]
    result = compute()
    with _SHARED_LOCK:
        store[key] = result
        while len(store) > _SHARED_MAX[kind]:
            store.popitem(last=False)
    return result


def cached_escape_runs(optimizer, surface, saddle, offsets: bytes, steps, radius, hyper: tuple,
                       noise: tuple | None = None, progress=None):  # fmt: skip
    """Escapes for offsets given as the bytes of a float64 ``(K, 2)`` array; ``noise``
    is the gradient noise's ``(η, γ, seed)``, None for none; ``progress(fraction)`` is
    told how far it is (when it runs)."""
    def compute():
        delta = np.frombuffer(offsets, dtype=float).reshape(-1, 2)
        noisy = dict(zip(("noise_eta", "noise_gamma", "seed"), noise, strict=True)) if noise else {}
        return optim_core.escape_runs(optimizer, surface, saddle, delta, steps, radius,
                                      progress=progress, **noisy, **dict(hyper))  # fmt: skip

    return _shared("escape", (optimizer, surface, saddle, offsets, steps, radius, hyper, noise),
                   compute)  # fmt: skip


def cached_saddle_outcome(optimizer: str, surface: str, saddle: int, offsets: bytes, steps: int,
                          hyper: tuple, progress=None) -> optim_core.SaddleOutcome:  # fmt: skip
    """Where ``optimizer``'s starts at ``saddle + offset`` (the bytes of a float64
    ``(K, 2)`` array) are after ``steps`` steps; ``progress(fraction)`` is told how far
    it is (when it runs)."""
    def compute():
        delta = np.frombuffer(offsets, dtype=float).reshape(-1, 2)
        return optim_core.saddle_outcomes([optimizer], surface, saddle, delta, steps,
                                          hyperparams={optimizer: dict(hyper)},
                                          progress=progress)[optimizer]  # fmt: skip

    return _shared("saddle_outcome", (optimizer, surface, saddle, offsets, steps, hyper), compute)


def cached_basin_map(optimizer: str, surface: str, resolution: int, steps: int, hyper: tuple,
                     progress=None):  # fmt: skip
    """A basin map; ``progress(fraction)`` is told how far it is (when it runs)."""
    def compute():
        return optim_core.basin_map(optimizer, surface, resolution, steps, progress=progress,
                                    **dict(hyper))  # fmt: skip

    return _shared("basin_map", (optimizer, surface, resolution, steps, hyper), compute)


def cached_sweep(optimizer: str, surface: str, start: tuple, steps: int, grid: tuple,
                 hyper: tuple, progress=None):  # fmt: skip
    """A sweep (its Surface holds functions: shared, not pickled); ``progress(fraction)``
    is told how far it is (when it runs)."""
    def compute():
        grid_values = {name: list(values) for name, values in grid}
        return optim_core.sweep(optimizer, surface, start, steps, grid_values,
                                progress=progress, **dict(hyper))  # fmt: skip

    return _shared("sweep", (optimizer, surface, start, steps, grid, hyper), compute)


# ---------------------------------------------------------------- shared state

RACE_KEYS = ("surface", "optimizers", "start_x", "start_y", "steps", "same_for_all", "speed",
             "present", "convention", "insides", "noise_eta", "noise_gamma", "seed", "batch",
             "schedules_on", "x_axis", "order", "difficulty", "stop_patience", "stop_delta",
             "delay", "delay_random")


def _race_widget_keys() -> list[str]:
    keys = list(RACE_KEYS)
    for name in optim_core.optimizer_names():
        keys += [f"{name}.{h}" for h in optim_core.get_optimizer(name).hyperparams]
    keys += [f"all.{h}" for h in optim_core.HYPERPARAMETERS]
    for name in optim_core.optimizer_names():
        keys += [f"{name}.sched", *(f"{name}.sched.{p}" for p in scenes.SCHEDULE_PARAM_LABELS)]
    keys += [f"surf.{base}.{k}" for base, params in scenes.SURFACE_PARAMS.items() for k in params]
    return keys + ["custom_f", *CUSTOM_DOMAIN_KEYS]


CUSTOM_DOMAIN_KEYS = ("custom_x0", "custom_x1", "custom_y0", "custom_y1")
PAGE_PREFIXES = ("escape.", "basins.", "sweeps.")  # the analysis pages' widget keys


def keep_shared_state() -> None:
    """Keep every page's widget values while another page is shown.

    Streamlit forgets the value of a widget that a run did not draw; writing each
    value back before any widget exists keeps it, so a page comes back as it was
    and the analysis pages can read the race's surface, optimizers and hyperparameters.
    (Buttons and charts are never keyed with these names: their state can't be set.)
    """
    race = set(_race_widget_keys())
    for key in list(st.session_state):
        if key in race or (isinstance(key, str) and key.startswith(PAGE_PREFIXES)):
            st.session_state[key] = st.session_state[key]


def race_widget_values(scene: scenes.Scene) -> dict:
    """The race page's widget values that show ``scene``."""
    x, y = scene.start_point()
    base = scenes.surface_base(scene.surface)
    values = {
        "surface": base,
        "optimizers": list(scene.optimizers),
        "start_x": x,
        "start_y": y,
        "steps": scene.steps,
        "same_for_all": scene.same_for_all,
        "speed": scene.speed,
        "convention": scene.convention,
        "insides": scene.insides,
        "schedules_on": any(scene.schedule(n) for n in scene.optimizers),
        "noise_eta": scene.noise_eta,
        "noise_gamma": scene.noise_gamma,
        "seed": scene.seed,
    }
    if base == scenes.CUSTOM:
        text, ((x0, x1), (y0, y1)) = surfaces.expression.parse_spec(scene.surface)
        values.update(zip(CUSTOM_DOMAIN_KEYS, (x0, x1, y0, y1), strict=True))
        values["custom_f"], values["custom_last"] = text, scene.surface
    for base_name, params in scenes.SURFACE_PARAMS.items():
        chosen = surfaces.get(scene.surface).params if base_name == base else {}
        defaults = surfaces.get(base_name).params
        for key in params:
            values[f"surf.{base_name}.{key}"] = float(chosen.get(key, defaults[key]))
    data = surfaces.get(scene.surface).data
    if data is not None:
        values["batch"] = scene.batch() or data.n
    values.update(order=scene.order, difficulty=scene.difficulty,
                  stop_patience=scene.stop_patience, stop_delta=scene.stop_delta,
                  delay=scene.delay, delay_random=scene.delay_random)
    for name in optim_core.optimizer_names():  # every schedule as the scene has it
        spec = scene.schedules.get(name) or scenes.default_schedule("constant")
        values[f"{name}.sched"] = spec["name"]
        for p, value in spec.items():
            if p != "name":
                values[f"{name}.sched.{p}"] = value
    for name in optim_core.optimizer_names():
        for h, value in scene.hyperparams(name).items():
            values[f"{name}.{h}"] = value
    for h, value in {**scenes.shared_defaults(), **scene.shared}.items():
        values[f"all.{h}"] = value
    return values


def apply_race_scene(scene: scenes.Scene) -> None:
    st.session_state.update(race_widget_values(scene))


def race_hyperparams(name: str) -> dict[str, float]:
    """The values the race page gives ``name`` (its sliders, else its defaults)."""
    opt = optim_core.get_optimizer(name)
    state = st.session_state
    shared = scenes.shared_defaults() if state.get("same_for_all") else {}
    defaults = scenes.race_defaults(name)
    return {h: scenes.hyper_value(h, state.get(f"{'all' if h in shared else name}.{h}",
                                               defaults[h]))
            for h in opt.hyperparams}  # fmt: skip


def cap_note(container, value, key: str) -> None:
    """Under a control standing at its cap (``scenes.CAPS[key]``): why it stops there."""
    cap = scenes.CAPS[key]
    if value >= cap.value:
        container.caption(f"⚠️ {cap.text()}")


def told_step(value, steps: int) -> int | None:
    """The race step the browser's view says it stopped at, within [0, steps]; None for
    anything that is not a whole number."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if not math.isfinite(value) or not float(value).is_integer():
        return None
    return min(max(int(value), 0), int(steps))


def race_value(key: str, default):
    return st.session_state.get(key, default)


HYPER_MODE_LABELS = {
    "same": "One α for all",
    "defaults": "Each optimizer's defaults",
    "race": "Each optimizer's values on the race page",
}


def hyperparams_for(name: str, lr: float, mode: str) -> dict[str, float]:
    """``mode`` "same": α = ``lr`` for everyone, the rest at the optimizer's defaults;
    "defaults": all at its defaults; "race": the race page's sliders."""
    if mode == "race":
        return race_hyperparams(name)
    opt = optim_core.get_optimizer(name)
    values = dict(opt.defaults)
    if mode == "same" and "lr" in opt.hyperparams:
        values["lr"] = lr
    return values


def hyper_mode_caption(mode: str, lr: float, chosen=()) -> str:
    if mode == "same":
        return (
            f"Every optimizer runs with the same α = {lr:g} (Adadelta has none), its other "
            "values at their defaults: comparing optimizers at their own default α would "
            "compare step sizes, not methods. " + scenes.convention_note(chosen)
        ).strip()
    if mode == "defaults":
        return (
            "Each optimizer runs with its own default values: their α differ (0.001 to "
            "0.01), so this compares step sizes as much as methods."
        )
    return (
        "Each optimizer runs with the values set for it on the race page; one that has no "
        "sliders there yet runs with its defaults (the table lists the values used)."
    )


def lr_slider(container, key: str, label: str = "α for all (lr)") -> float:
    options = sorted(set(scenes.SLIDER_VALUES["lr"]) | {st.session_state[key]})
    return container.select_slider(label, options, key=key, format_func=lambda v: f"{v:g}")


def unavailable(chosen, surface, noise: bool = False, batches: bool = False,
                delay: bool = False) -> dict:  # fmt: skip
    """Of ``chosen``, those that can't run on ``surface`` (with noise, with batches, with
    stale gradients), and why: Gauss–Newton and LM off a sum of squares, the second-order
    methods and line searches with a delay (optim_core.unavailable)."""
    reasons = {n: optim_core.unavailable(n, surface, noise=noise, batches=batches,
                                         delay=delay)
               for n in chosen}  # fmt: skip
    return {n: r for n, r in reasons.items() if r}


def drop_unavailable(chosen, surface, noise: bool = False) -> list[str]:
    """``chosen`` without the optimizers that can't run on ``surface`` (Gauss–Newton and
    LM off a sum of squares, or with noise), said in a note on the page."""
    reasons = unavailable(chosen, surface, noise)
    if reasons:
        st.info("Not run here: " + " ".join(f"{r}." for r in reasons.values()))
    return [n for n in chosen if n not in reasons]


def describe(values: dict[str, float]) -> str:
    return ", ".join(f"{scenes.HYPER_LABELS[h].split()[0]}={scenes.hyper_text(h, v)}"
                     for h, v in values.items())  # fmt: skip


def init_from_link(page: str, from_query, apply) -> None:
    """On a page's first run in this session, take its view from the link (a link with
    values of its own: the page keeps to them, see follow_race)."""
    flag = f"{page}.loaded"
    if flag not in st.session_state:
        params = st.query_params.to_dict()
        scene, warnings = from_query(params)
        apply(scene)
        st.session_state[flag] = True
        st.session_state[f"{page}.link_warnings"] = warnings
        if params:
            st.session_state[f"{page}.from_race"] = OWN


OWN = "own"  # a page that keeps its own scene (its link's, or one changed on it)


def follow_race(page: str, shared: dict, derived=None) -> bool:
    """The analysis pages share the race's scene: ``shared`` is what ``page`` takes from
    the race page now (its widget keys and values: the surface, start, optimizers, …).
    Once the race page has run in this session, the page takes them on its first run
    and again whenever they change on the race page, for as long as its own controls
    still hold what it took; changed here (or opened from a link of its own), it keeps
    its own. ``derived()`` gives values that follow from a new surface (a saddle, a
    radius), set with it. True while it follows."""
    state = st.session_state
    mark = f"{page}.from_race"
    last = state.get(mark)
    if "surface" not in state or last == OWN:  # the race not seen yet, or a link's scene
        return False
    mine = {k: state.get(k) for k in shared}
    if last is not None and mine != last:  # changed here
        state[mark] = OWN
        return False
    if mine != shared:
        state.update(shared)
        state.update(derived() if derived else {})
    state[mark] = dict(shared)
    return True


def follow_note(page: str, container, following: bool, what: str) -> None:
    """Says what the page took from the race page, or offers to take it again."""
    if following:
        container.caption(f"From the race page: {what}. Change any of them here and this "
                          "page keeps its own.")  # fmt: skip
    elif "surface" in st.session_state:
        container.button(f"Take the race page's {what}", width="stretch",
                         on_click=lambda: st.session_state.pop(f"{page}.from_race", None))


def link_warning_text(messages: list[str]) -> str:
    """One warning for all the values a link could not use, listing at most
    scenes.MAX_LISTED of them. (Each message shows link values through
    scenes.literal, so nothing in a link renders as Markdown.)"""
    if len(messages) == 1:
        return messages[0]
    listed = [f"- {m}" for m in messages[: scenes.MAX_LISTED]]
    if len(messages) > scenes.MAX_LISTED:
        listed.append(f"- … and {len(messages) - scenes.MAX_LISTED} more.")
    return f"{len(messages)} values in the link could not be used:\n\n" + "\n".join(listed)


def show_link_warnings(page: str) -> None:
    # Shown once: the next run rewrites the link with valid values.
    messages = st.session_state.pop(f"{page}.link_warnings", [])
    if messages:
        st.warning(link_warning_text(messages))


@st.cache_data(max_entries=16, show_spinner=False)
def cached_tuned(names: tuple, surface: str, start: tuple, steps: int, alphas: tuple,
                 objective: str) -> dict:  # fmt: skip
    """optim_core.tune_all over the given α's, as plain data (the sweeps page)."""
    return viz.tuning.tuned_data(optim_core.tune_all(
        list(names), surface, start, steps, alphas=np.array(alphas), objective=objective))
