"""The race: optimizers on one surface, contour and 3-D, with the numbers below.

The page reads widgets into a plain Scene, runs each optimizer through a bounded
cache, and draws figures from ``viz``.
"""

from __future__ import annotations

import streamlit as st

import optim_core
import scenes
import surfaces
import viz
from app_pages import (
    common,
    race_normalize,
    race_practice,
    race_results,
    race_sections,
    race_tuning,
)
from app_pages.race_view import preload, race_view

# ---------------------------------------------------------------- session state


apply_scene = common.apply_race_scene
CUSTOM_DOMAIN_KEYS = common.CUSTOM_DOMAIN_KEYS
# Large type, and room for the step buttons, the numbers and the views on one 1280 × 720
# screen: the page's first row goes up beside the header's two buttons (the header lets
# clicks through elsewhere), the numbers in compact rows.
PRESENT_CSS = """
html { font-size: 21px; }
.stMainBlockContainer { padding-top: 1.1rem; max-width: 100%; }
[data-testid="stHeader"] { background: transparent; }
[data-testid="stHeader"], [data-testid="stHeader"] div { pointer-events: none; }
[data-testid="stHeader"] button, [data-testid="stHeader"] [data-testid="stMainMenu"] {
  pointer-events: auto; }
.stMainBlockContainer h5 { font-size: 1.5rem; }
.stMainBlockContainer table { font-size: 0.85rem; font-variant-numeric: tabular-nums; }
.stMainBlockContainer table th, .stMainBlockContainer table td {
  line-height: 1.2; padding: 0.2rem 0.5rem; }
.stMainBlockContainer .stButton button p { font-size: 1.05rem; }
"""


def on_surface_change() -> None:
    """Another surface (or its formula, domain or parameters): start at its default start
    (set once the new surface is known, below)."""
    st.session_state.reset_start = True


def custom_surface(container) -> str:
    """The typed surface's controls: its formula (rendered back in LaTeX under them) and
    domain. A bad one gets a message at the input, and the last one that worked stays."""
    state = st.session_state
    state.setdefault("custom_f", scenes.DEFAULT_FORMULA)
    (dx0, dx1), (dy0, dy1) = scenes.DEFAULT_CUSTOM_DOMAIN
    for key, value in zip(CUSTOM_DOMAIN_KEYS, (dx0, dx1, dy0, dy1), strict=True):
        state.setdefault(key, value)
    text = container.text_input(
        "f(x, y) =", key="custom_f", max_chars=surfaces.expression.MAX_LENGTH,
        on_change=on_surface_change,
        help="Numbers, x, y, + − * / and ** or ^ for powers, parentheses, "
        + surfaces.expression.allowed_names() + f"; at most {surfaces.expression.MAX_LENGTH} "
        "characters. Part of the link.",
    )  # fmt: skip
    cols = container.columns(4)
    corners = [col.number_input(label, -surfaces.expression.MAX_DOMAIN,
                                surfaces.expression.MAX_DOMAIN, key=key, format="%g",
                                on_change=on_surface_change)
               for col, label, key in zip(cols, ("x from", "to", "y from", "to"),
                                          CUSTOM_DOMAIN_KEYS, strict=True)]  # fmt: skip
    try:
        for axis, (low, high) in (("x", corners[:2]), ("y", corners[2:])):
            if not low < high:
                raise ValueError(f"“{axis} from” ({low:g}) must be less than its “to” ({high:g})")
        spec = scenes.custom_spec(text, (corners[:2], corners[2:]))
        state.custom_last = spec
    except Exception as error:  # noqa: BLE001 (whatever the formula does, the page stays)
        container.error(scenes.plain(str(error) or type(error).__name__))
        spec = state.get("custom_last") or scenes.custom_spec(
            scenes.DEFAULT_FORMULA, scenes.DEFAULT_CUSTOM_DOMAIN)  # fmt: skip
        shown, _ = surfaces.expression.parse_spec(spec)
        container.caption(f"Still showing the last surface that worked: f = {scenes.plain(shown)}.")
    return spec


def parameter_sliders(container, base: str) -> str:
    """The sliders of a parametric surface's parameters; the spec of the surface they set."""
    state = st.session_state
    values = {}
    for key, (low, high, step, label) in scenes.SURFACE_PARAMS.get(base, {}).items():
        widget = f"surf.{base}.{key}"
        if widget not in state:  # (whole numbers for whole-number sliders: n, a seed)
            value = surfaces.get(base).params[key]
            state[widget] = int(value) if isinstance(step, int) else float(value)
        if key in scenes.SURFACE_SWITCHES:  # 0 or 1: a switch
            state[widget] = bool(state[widget])
            values[key] = float(container.toggle(label, key=widget, on_change=on_surface_change,
                                                 help=scenes.SURFACE_SWITCHES[key]))  # fmt: skip
            continue
        values[key] = container.slider(label, low, high, key=widget, step=step,
                                       on_change=on_surface_change)  # fmt: skip
    return surfaces.spec(base, **values)


def on_chart_click() -> None:
    """A click on the contour sets the start point (the nearest click target)."""
    point = getattr(st.session_state.race, "click", None)
    if not isinstance(point, dict) or not {"x", "y"} <= point.keys():
        return
    surface = surfaces.get(st.session_state.race_surface)
    try:
        x, y = viz.clicked_point(surface, float(point["x"]), float(point["y"]))
    except (TypeError, ValueError):
        return
    (x0, x1), (y0, y1) = surface.domain
    if x0 <= x <= x1 and y0 <= y <= y1:  # the start inputs accept only the domain
        st.session_state.start_x, st.session_state.start_y = x, y


def apply_preset(title: str) -> None:
    apply_scene(scenes.PRESETS[title])


def on_same_change() -> None:
    """Switched on: one α that suits every chosen optimizer (measured, and said);
    switched off, each optimizer's own sliders come back as they were."""
    state = st.session_state
    if not state.same_for_all:
        return
    others = _shared_others()
    lr, reason = common.cached_suited_lr(
        state.get("race_surface", state.surface), tuple(state.optimizers),
        (float(state.start_x), float(state.start_y)),
        int(state.steps), tuple(sorted(others.items())), state.get("convention", "cheatsheet"),
    )  # fmt: skip
    state["all.lr"] = lr
    state.shared_reason = (_reason_key(lr, others), reason)


def _shared_others() -> dict[str, float]:
    """The shared β₁, β₂, ε (their sliders', else Adam's defaults)."""
    defaults = scenes.shared_defaults()
    return {h: float(st.session_state.get(f"all.{h}", v)) for h, v in defaults.items()
            if h != "lr"}  # fmt: skip


def step_by(delta: int) -> None:
    """The step buttons: every optimizer one step back or on (the view moves with it;
    while it plays, one step from where it is)."""
    state = st.session_state
    state.race_step = min(max(int(state.get("race_step", 0)) + delta, 0), int(state.steps))
    token = (state.get("race_seek") or {}).get("token", 0) + 1
    state.race_seek = {"token": token, "step": state.race_step, "delta": delta}


def on_view_step() -> None:
    """The view stopped at a step (paused, its slider, the arrow keys): the numbers follow."""
    k = common.told_step(getattr(st.session_state.race, "step", None), st.session_state.steps)
    if k is not None:
        st.session_state.race_step = k


def _reason_key(lr: float, others: dict[str, float]) -> tuple:
    """What the shared α's reason depends on: shown only while all of it is unchanged."""
    state = st.session_state
    return (state.get("race_surface", state.surface), tuple(state.optimizers),
            float(state.start_x),
            float(state.start_y), int(state.steps), lr, tuple(sorted(others.items())))  # fmt: skip


preload()  # plotly.js starts loading now, while the rest of the page is built

if "surface" not in st.session_state:
    scene_from_link, link_warnings = scenes.from_query(st.query_params.to_dict())
    apply_scene(scene_from_link)
    st.session_state.present = scene_from_link.present  # (a preset keeps the mode it finds)
    st.session_state.x_axis = scene_from_link.x_axis  # (and the loss plot's x-axis)
    st.session_state.link_warnings = link_warnings
tune_warnings = race_tuning.from_link()  # (the tuning's part of the link, once)
if tune_warnings:
    st.session_state.link_warnings = st.session_state.get("link_warnings", []) + tune_warnings
present = bool(st.session_state.setdefault("present", False))
x_axis = st.session_state.setdefault("x_axis", "steps")  # (its switch is under the race)
# a projector: the sidebar folded away (its ">" brings it back), large type
st.set_page_config(initial_sidebar_state="collapsed" if present else "auto")
if present:
    st.html(f"<style>{PRESENT_CSS}</style>")

# ---------------------------------------------------------------- sidebar

sb = st.sidebar
sb.title("Optimizer race")
sb.caption("Presets (hover one for what to watch; its numbers come with it)")
for title in scenes.PRESETS:  # short titles, what to watch in the tooltip
    sb.button(title, on_click=apply_preset, args=(title,), width="stretch",
              help=scenes.PRESET_CAPTIONS[title])  # fmt: skip

choice = sb.selectbox(
    "Surface", [*surfaces.names(), scenes.CUSTOM], key="surface", on_change=on_surface_change,
    format_func=scenes.surface_title,
)  # fmt: skip
# the surface's spec: a typed one, or a built-in one with its parameters' sliders
surface_name = custom_surface(sb) if choice == scenes.CUSTOM else parameter_sliders(sb, choice)
surface = surfaces.get(surface_name)
sb.latex(r"\scriptsize \begin{gathered}" + surface.latex + r"\end{gathered}")
sb.caption(surface.description)
(x0, x1), (y0, y1) = surface.domain
state = st.session_state
if state.pop("reset_start", False) or not (x0 <= state.start_x <= x1 and y0 <= state.start_y <= y1):
    state.start_x, state.start_y = (float(v) for v in surface.default_start)
# the +/- buttons add in binary (2.39 + 0.01 = 2.4000000000000004): keep, run and link
# the number the field shows
state.start_x, state.start_y = scenes.tidy(state.start_x), scenes.tidy(state.start_y)

chosen = sb.multiselect(
    "Optimizers", optim_core.optimizer_names(), key="optimizers",
    format_func=lambda n: optim_core.get_optimizer(n).title + (
        " (sums of squares only)" if optim_core.unavailable(n, surface) else ""),
)  # fmt: skip
# Gauss–Newton and LM run on sums of squares only (and without noise or batches):
# chosen elsewhere they stay chosen, the page says why they are not racing
left_out = common.unavailable(chosen, surface)
chosen = [n for n in chosen if n not in left_out]
(x0, x1), (y0, y1) = surface.domain
c1, c2 = sb.columns(2)
start_x = c1.number_input("Start x", min_value=x0, max_value=x1, key="start_x", format="%.4g")
start_y = c2.number_input("Start y", min_value=y0, max_value=y1, key="start_y", format="%.4g")
sb.caption("…or click on the contour to start there.")
convention = sb.radio(
    "Update rules", optim_core.CONVENTIONS, key="convention", horizontal=True,
    format_func={"cheatsheet": "Cheat sheet", "pytorch": "PyTorch"}.get,
    help="The cheat sheet's forms, or torch.optim's updates exactly (its defaults for "
    "new sliders). Switching keeps every α, β, ε as it is, so the picture changes by "
    "the rules alone. Part of the link.",
)  # fmt: skip
steps = sb.slider("Steps", 1, scenes.MAX_PAGE_STEPS, key="steps")
common.cap_note(sb, steps, "race.steps")
speed = sb.select_slider("Speed", scenes.SPEEDS, key="speed", format_func=lambda s: f"{s:g}×")
insides = sb.toggle("Insides: arrows and step sizes", key="insides",
                    help="On the contour, at the step shown: each optimizer's next step "
                    "(thick), −∇f (dotted) and −m, its momentum's push (dashed). Under the "
                    "race: its step size per coordinate at every step, from its own state. "
                    "Part of the link.")  # fmt: skip
same_for_all = sb.toggle("Same values for all", key="same_for_all", on_change=on_same_change)


def hyper_slider(container, key: str, h: str, default: float) -> float:
    # Streamlit forgets the state of a widget that a run did not draw (an optimizer
    # taken out, the shared sliders switched off): such a slider restarts at default.
    if key not in st.session_state:
        st.session_state[key] = default
    label = scenes.HYPER_LABELS[h]
    if h in optim_core.CHOICES:
        return container.radio(label, optim_core.CHOICES[h], key=key, horizontal=True,
                               format_func=scenes.CHOICE_TITLES.get)  # fmt: skip
    low, high, log = scenes.HYPER_RANGES[h]
    if log:
        options = sorted(set(scenes.SLIDER_VALUES[h]) | {st.session_state[key]})
        return container.select_slider(label, options, key=key, format_func=lambda v: f"{v:g}")
    if h in scenes.WHOLE_HYPERPARAMETERS:
        st.session_state[key] = int(st.session_state[key])
        return container.slider(label, int(low), int(high), key=key, step=1)
    step = {"beta1": 0.001, "weight_decay": 0.001, "c2": 0.01, "shrink": 0.05}.get(h, 0.0001)
    return container.slider(label, low, high, key=key, step=step, format="%.4f")


def own_sliders(name: str, names, expanded: bool) -> None:
    """``name``'s sliders for the hyperparameters ``names``, in its own expander, into
    ``hyper``. Values its rule refuses together (a line search's c₁ ≥ c₂) get a message
    there, and the race keeps the last values that ran."""
    opt = optim_core.get_optimizer(name, convention)
    box = sb.expander(f"{opt.title}", expanded=expanded)
    values = {h: hyper_slider(box, f"{name}.{h}", h, scenes.race_defaults(name, convention)[h])
              for h in names}  # fmt: skip
    good = f"{name}.good"
    if opt.check is not None:
        try:
            optim_core.resolve_hyperparams(opt, **{**scenes.race_defaults(name, convention),
                                                   **values})  # fmt: skip
        except ValueError as error:
            kept = {h: v for h, v in st.session_state.get(good, {}).items() if h in values}
            box.error(f"{error}. The race keeps "
                      + (", ".join(f"{scenes.HYPER_LABELS[h]} = {scenes.hyper_text(h, v)}"
                                   for h, v in kept.items())
                         or "the defaults") + ".")  # fmt: skip
            values = {**{h: scenes.race_defaults(name, convention)[h] for h in values}, **kept}
    st.session_state[good] = values
    hyper.setdefault(name, {}).update(values)


shared: dict[str, float] = {}
hyper: dict[str, dict[str, float]] = {}
if same_for_all:
    box = sb.expander("α, β₁, β₂, ε for every optimizer", expanded=True)
    for h, default in scenes.shared_defaults().items():
        shared[h] = hyper_slider(box, f"all.{h}", h, default)
    unused = [
        f"{opt.title}: no {', '.join(scenes.HYPER_LABELS[h] for h in shared if h not in opt.hyperparams)}"  # noqa: E501
        for opt in (optim_core.get_optimizer(n, convention) for n in chosen)
        if not set(shared) <= set(opt.hyperparams)
    ]
    box.caption("Each optimizer takes the values it uses" + (
        f" ({'; '.join(unused)})." if unused else "."))  # fmt: skip
    reason = st.session_state.get("shared_reason")
    if reason and reason[0] == _reason_key(shared.get("lr"), _shared_others()):
        box.caption(reason[1])
    if convention == "cheatsheet" and scenes.convention_note(chosen):
        box.caption(scenes.convention_note(chosen))
    for name in chosen:  # what the shared values leave out: each optimizer's own
        own = [h for h in optim_core.get_optimizer(name, convention).hyperparams
               if h not in shared]  # fmt: skip
        if own:
            own_sliders(name, own, len(chosen) <= 3)
else:
    sb.caption(scenes.race_defaults_note(convention))
    for name in chosen:
        own_sliders(name, optim_core.get_optimizer(name, convention).hyperparams,
                    len(chosen) <= 3)  # fmt: skip



def new_draw() -> None:
    """Another draw of the noise and the batches: the next seed."""
    st.session_state.seed = (int(st.session_state.get("seed", 0)) + 1) % (scenes.MAX_SEED + 1)


def schedule_controls(container, name: str) -> dict:
    """``name``'s schedule: a kind and its parameters (the spec the scene keeps)."""
    state = st.session_state
    state.setdefault(f"{name}.sched", "constant")
    title = optim_core.get_optimizer(name, convention).title
    kind = container.selectbox(
        f"{title}: α schedule", list(scenes.SCHEDULE_PARAMS), key=f"{name}.sched",
        format_func=scenes.SCHEDULE_TITLES.get,
    )  # fmt: skip
    params = dict(scenes.SCHEDULE_PARAMS[kind])
    if kind not in scenes.NO_WARMUP:
        params["warmup_steps"] = (0, scenes.MAX_PAGE_STEPS, 0, True)
    spec = {"name": kind}
    cols = container.columns(2)
    for i, (p, (low, high, default, integer)) in enumerate(params.items()):
        key = f"{name}.sched.{p}"
        value = state.get(key, default)
        if not low <= value <= high or (integer and value != int(value)):
            value = default  # (the same name in another schedule: another range)
        state[key] = int(value) if integer else float(value)
        spec[p] = cols[i % 2].number_input(
            scenes.SCHEDULE_PARAM_LABELS[p], low, high, key=key, step=1 if integer else 0.01,
            format=None if integer else "%.4g",
        )  # fmt: skip
    if kind == "plateau":  # the loss it watches: the validation loss where there is one
        spec["monitor"] = race_practice.plateau_monitor(container, name, surface)
    if kind == "noam":  # its rate is tiny unless α is 1
        peak = spec["d_model"] ** -0.5 * spec["warmup"] ** -0.5
        alpha = (shared if same_for_all else hyper.get(name, {})).get("lr", 1.0)
        container.caption(f"Noam's s(t) peaks at {peak:.3g} (at t = w): it is the Transformer's "
                          f"rate itself, so set {title}'s α to 1 for it (now α = {alpha:g}: "
                          f"a peak of {alpha * peak:.2g}).")  # fmt: skip
    return spec


with_lr = [n for n in chosen if "lr" in optim_core.get_optimizer(n, convention).hyperparams]
schedules: dict[str, dict] = {}
# the schedules' controls only while switched on: a page without them opens faster
if sb.toggle("α schedules", key="schedules_on",
             help="A schedule per optimizer: α at step t is α·s(t), drawn under the race. "
             "Off: a constant α for all. Part of the link."):  # fmt: skip
    box = sb.container(border=True)
    for name in with_lr:
        schedules[name] = schedule_controls(box, name)
    if len(with_lr) < len(chosen):
        box.caption(", ".join(optim_core.get_optimizer(n, convention).title for n in chosen
                              if n not in with_lr) + ": no α to schedule.")  # fmt: skip

data = surface.data
st.session_state.setdefault("noise_eta", 0.0)
st.session_state.setdefault("noise_gamma", scenes.NOISE_GAMMA)
st.session_state.setdefault("seed", 0)
stochastic = st.session_state.noise_eta > 0 or (
    data is not None and (st.session_state.get("batch", data.n) < data.n
                          or st.session_state.get("order") in optim_core.batches.STAGED))
stale = bool(st.session_state.get("delay", 0))
box = sb.expander("Gradient noise" + (", mini-batches" if data is not None else "")
                  + " and stale gradients", expanded=stochastic or stale)  # fmt: skip
noise_eta = box.select_slider(
    "Noise η (0: none)", scenes.NOISE_VALUES, key="noise_eta", format_func=lambda v: f"{v:g}",
    help="Every gradient gets N(0, σ_t² I) added, σ_t² = η/(1 + t)^γ (Neelakantan et al. "
    "2015). Every optimizer gets the same draws; the same seed, the same draws. Part of "
    "the link.",
)  # fmt: skip
noise_gamma = st.session_state.noise_gamma
if noise_eta > 0:
    noise_gamma = box.slider("Decay γ of the noise", 0.0, 1.0, key="noise_gamma", step=0.05)
batch = None
if data is not None:
    options = scenes.batch_options(data.n)
    current = st.session_state.setdefault("batch", data.n)
    if current > data.n:  # (fewer examples now)
        current = st.session_state.batch = data.n
    if current not in options:
        options = sorted({*options, int(current)})
    batch = box.select_slider(
        "Batch size (examples a step)", options, key="batch",
        format_func=lambda b: f"{b} (all: full gradient)" if b == data.n else str(b),
        help=f"Each step takes the exact gradient of the loss over a batch of this many of "
        f"the {data.n} examples, reshuffled every epoch; the contour shows the loss over "
        "all of them. Part of the link.",
    )  # fmt: skip
order, difficulty = "reshuffle", "start"
if data is not None:
    order, difficulty = race_practice.order_controls(box, data, batch)
delay, delay_random = race_practice.delay_controls(box)
stochastic = stochastic or (delay > 0 and delay_random)
seed = int(st.session_state.seed)
if stochastic:  # (without noise or batches there is nothing to draw)
    seed_col, draw_col = box.columns([1.2, 1], vertical_alignment="bottom")
    seed = seed_col.number_input("Seed of the draws", 0, scenes.MAX_SEED, key="seed", step=1,
                                 help="Which noise and which order of batches: the same "
                                 "seed, the same draws. Part of the link.")  # fmt: skip
    draw_col.button("New draw", on_click=new_draw, width="stretch",
                    help="The next seed: new noise and new batches.")  # fmt: skip

stop_patience, stop_delta = race_practice.stopping_controls(sb, data)
batched = data is not None and (batch < data.n or order in optim_core.batches.STAGED)
left_out |= common.unavailable(chosen, surface, noise=noise_eta > 0, batches=batched,
                               delay=delay > 0)  # fmt: skip
chosen = [n for n in chosen if n not in left_out]

state.race_surface = surface_name  # (for the click on the contour, which comes before)
scene = scenes.Scene(
    surface_name, tuple(chosen), (float(start_x), float(start_y)), int(steps), hyper,
    same_for_all, shared, float(speed), present, convention, insides, schedules,
    float(noise_eta), float(noise_gamma), int(seed), batch, order, difficulty,
    int(stop_patience), float(stop_delta), int(delay), bool(delay_random), x_axis=x_axis,
)  # fmt: skip
race_tuning.controls(sb, scene)
st.query_params.from_dict({**scenes.to_query(scene), **race_tuning.to_query()})

# ---------------------------------------------------------------- main area

# Shown once: the first interaction rewrites the link with valid values.
link_messages = st.session_state.pop("link_warnings", [])
if link_messages:
    st.warning(common.link_warning_text(link_messages))
if left_out:
    st.info("Not racing here: " + " ".join(f"{reason}." for reason in left_out.values()))
if choice == scenes.CUSTOM:
    typed, _ = surfaces.expression.parse_spec(surface_name)
    if surfaces.expression.parse(typed).constant:
        st.info("f does not depend on x or y: every point is as low as any other, so there "
                "is nothing to optimize (every gradient is 0 and no optimizer moves).")

# The race comes first, so that it and its controls fit a 1024 × 768 projector
# without scrolling; the formula and the notes follow it.
names = ", ".join(optim_core.get_optimizer(n).title for n in chosen) or "no optimizer chosen"
run_keys = tuple((name, tuple(sorted(scene.hyperparams(name).items())), convention,
                  scene.run_options(name)) for name in chosen)  # fmt: skip
runs = common.cached_runs(surface_name, scene.start_point(), scene.steps, run_keys,
                          common.Progress("Running the optimizers…"))  # fmt: skip
found = race_practice.verdicts(scene, runs)  # early stopping, where examples are held out
view = common.cached_race_view(surface_name, scene.start_point(), scene.steps, run_keys,
                               present, insides, x_axis,
                               race_practice.kept_marks(found))  # fmt: skip
if present:  # the step buttons in the title's row: the views stay on screen as they move
    if st.session_state.setdefault("race_step", 0) > scene.steps:
        st.session_state.race_step = scene.steps
    k = int(st.session_state.race_step)
    # The step itself is shown by the view (its label) and above the numbers: a number
    # here would lag behind Play, and a typed one sent stale values back. The buttons
    # stay enabled (the step they count from is the view's, see race_view.js).
    # (widths that keep every label whole at 1024 px: "◀ Previous step" in large type)
    title, back, forward, mode = st.columns([1.2, 1.7, 1.5, 2.1], vertical_alignment="center")
    back.button("◀ Previous step", key="step_back", on_click=step_by, args=(-1,),
                width="stretch")  # fmt: skip
    forward.button("Next step ▶", key="step_next", on_click=step_by, args=(1,),
                   width="stretch")  # fmt: skip
else:
    title, mode = st.columns([4, 1.6], vertical_alignment="center")
# (on a projector the legend names the optimizers: the row keeps room for the buttons)
title.markdown(f"##### {surface.title}" + ("" if present else f": {names}"))
mode.toggle(
    "Presentation mode", key="present",
    help="For a projector: large type, thick paths, the sidebar folded away, and step "
    "buttons with each optimizer's numbers at the step shown. Part of the link.",
)  # fmt: skip

if present:
    # the numbers at the step shown, in the view right under its controls (the loss
    # below them): the step buttons, the views and the numbers on one screen
    numbers = {"step": k, "rows": viz.step_numbers(surface, runs, k)} if chosen else None
    race_view(view, frame_ms=50 / speed, on_click=on_chart_click, present=True,
              on_step=on_view_step, seek=st.session_state.get("race_seek"),
              numbers=numbers)  # fmt: skip
    if chosen:
        st.caption(
            "Each step button moves every optimizer exactly one step; ← and → on the "
            "keyboard do the same, and Play goes on from the step shown. w: where it is "
            "after k steps; f(w) and the gradient ∇f(w) there; the optimizer's state after "
            "k steps, in its update rule's symbols (m: the average of gradients; v: of "
            "squared gradients, AdaGrad's sum, AdaMax's max of |g|; D: Adadelta's average "
            "of squared steps; v̂: AMSGrad's largest v); Δw: the move its next step makes. "
            "(NAG's next step takes its gradient at its look-ahead point w − α m, not at w.)"
            + (" With gradient noise or mini-batches, g is the gradient the next step was "
               "given (a batch's, or ∇f plus noise); ∇f(w) is the whole data's, without "
               "noise." if stochastic else "")
        )  # fmt: skip
else:
    race_view(view, frame_ms=50 / speed, on_click=on_chart_click)
# under the loss plot, the last part of the race view: "x-axis: (o) steps ( ) gradient
# evaluations" on one line
label, switch = st.columns([1.3, 12], vertical_alignment="center", gap="small")
label.markdown(
    "x-axis:", help="The loss plot's and the step lengths' x-axis: steps, or the gradients "
    "(∇f) each optimizer had taken by then, a fair race where one step may cost several (a "
    "line search's trials). The results table's “converged at” counts the same. Part of the "
    "link.",
)  # fmt: skip
switch.radio("x-axis", scenes.X_AXES, key="x_axis", horizontal=True, label_visibility="collapsed",
             format_func={"steps": "steps", "evals": "gradient evaluations"}.get)  # fmt: skip
if x_axis == "evals" and chosen:
    st.caption(
        "Against gradient evaluations, each run's step k sits at the number of ∇f it had "
        "taken by then (one a step for most optimizers; a line search takes several), so a "
        "dot on each line marks the step shown."
    )
if (stochastic or scene.delay) and chosen:
    words = race_practice.stochastic_words(scene, data, runs)
    st.caption(" ".join(words) + f" Seed {scene.seed}: “New draw” in the sidebar draws "
               "again.")  # fmt: skip
race_sections.schedules(scene, chosen, surface_name, run_keys, runs)
race_sections.prodigy_d(chosen, surface_name, scene, run_keys)
race_practice.validation_section(scene, runs, found)
race_practice.delay_section(scene, chosen)
race_practice.order_section(scene, surface, chosen)
race_tuning.section(scene)
if data is not None and data.kind in viz.race.FITS_DRAWN:
    st.caption(
        "Beside the loss: the data, and each optimizer's "
        + ("line ŷ = w x + b" if data.kind == "regression" else
           "boundary between the classes (filled circles: class +1; open squares: class "
           "−1), w₁x₁ + w₂x₂ = 0,")
        + " at the step shown, moving with Play (dashed: the minimum of the loss over all "
        "the data)."
    )  # fmt: skip
race_normalize.before_and_after(surface_name, scene, run_keys)  # (standardized inputs only)
if insides and chosen:
    race_sections.insides(chosen, surface_name, scene, run_keys)
shown_query = scenes.to_query(scene)  # a preset's note, however its values came here
for key in ("present", "insides", "xaxis"):  # (how the page looks, not what it shows)
    shown_query.pop(key, None)
preset = next(
    (
        t
        for t, p in scenes.PRESETS.items()
        if {**scenes.to_query(p), "speed": shown_query["speed"]} == shown_query
    ),
    None,
)
if preset:
    st.info(f"**{preset}.** {scenes.PRESET_NOTES[preset]}")
st.latex(r"\begin{gathered}" + surface.latex + r"\end{gathered}")
if surface.log_scale:
    st.caption(
        "Colours and heights show log₁₀(1 + f − f*), how far f is above its minimum f* "
        "in decades: 0 at the minimum, 1 where f is 9 above it, 2 where it is 99 above. "
        "Hover the contour for f itself."
    )
if not chosen:
    st.info("Choose at least one optimizer in the sidebar.")
    st.stop()

exits = race_results.exit_warnings(surface, runs, scene.steps)
race_results.line_search_failures(surface, runs)
for under, over in viz.coinciding(surface, runs):
    st.caption(f"{under.label}'s line is under {over.label}'s: their paths stay within "
               f"{viz.COINCIDE_SHARE:.0%} of the view's width of each other at every step, so "
               "they look like one line here (the table has both runs' numbers).")

radius = optim_core.escape_radius(surface) if len(surface.saddles) else None
visits = {
    r.name: optim_core.saddle_visit(surface, r.trajectory.path, radius) for r in runs
} if radius else {}  # fmt: skip

race_sections.steps_and_saddle(surface, surface_name, scene, run_keys, x_axis, visits)
race_results.results(surface, runs, exits, visits, radius, x_axis)
race_results.downloads(runs, view, surface, surface_name, names, speed)
race_results.update_rules(runs, chosen, convention, scene, surface, surface_name)
