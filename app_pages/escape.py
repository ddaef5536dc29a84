"""Saddle escape: start next to a saddle and count the steps each optimizer needs to get
away, for one offset, many random ones, and offsets over ten decades."""

from __future__ import annotations

import math

import numpy as np
import streamlit as st

import optim_core
import scenes
import surfaces
import viz
from app_pages import common

P = "escape."  # this page's widget keys
SIZES = np.logspace(-10, -1, 19)  # offset sizes of the "escape step against δ" curve
DECADE_FROM, DECADE_TO = 1e-3, 1e-8  # steps per decade measured between these sizes


PLAIN_COLUMN = "escape step, no noise"


def noisy_column(eta: float) -> str:
    """The table's column of escape steps with gradient noise η."""
    return f"escape step, noise η={eta:g}"


def _power(value: float) -> str:
    """10⁻³ for 0.001, 3.2×10⁻⁴ for 0.000316."""
    exponent = math.floor(math.log10(value) + 1e-9)
    mantissa = value / 10**exponent
    power = "10" + str(exponent).translate(str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"))
    return power if abs(mantissa - 1) < 1e-6 else f"{mantissa:.2g}×{power}"


def apply(scene: scenes.EscapeScene) -> None:
    values = dict(surface=scene.surface, saddle=scene.saddle, optimizers=list(scene.optimizers),
                  offset=scene.offset, direction=scene.direction, angle=scene.angle,
                  count=scene.count, radius=scene.escape_radius(), steps=scene.steps,
                  lr=scene.lr, hyper=scene.hyper, noise=scene.noise,
                  noise_gamma=scene.noise_gamma, seed=scene.seed,
                  claim_steps=scene.claim_steps, claim_offset=scene.claim_offset)  # fmt: skip
    st.session_state.update({P + k: v for k, v in values.items()})


def on_surface_change() -> None:
    st.session_state[P + "saddle"] = 0
    surface = surfaces.get(st.session_state[P + "surface"])
    st.session_state[P + "radius"] = optim_core.escape_radius(surface)


def on_saddle_change() -> None:
    """Another saddle may have its nearest neighbour closer than the current r."""
    name, saddle = st.session_state[P + "surface"], st.session_state[P + "saddle"]
    limit = scenes.max_escape_radius(name, saddle)
    if st.session_state[P + "radius"] > limit:
        st.session_state[P + "radius"] = min(optim_core.escape_radius(surfaces.get(name)), limit)


def apply_claim(title: str) -> None:
    apply(scenes.ESCAPE_CLAIMS[title].scene)
    st.session_state[P + "claim"] = title


common.init_from_link("escape", scenes.escape_from_query, apply)


def race_share() -> dict:
    """What this page takes from the race page: its surface (one with a saddle), its
    optimizers, and each optimizer's values there."""
    shared = {P + "hyper": "race"}
    if common.race_value("surface", None) in scenes.SADDLE_SURFACES:
        shared[P + "surface"] = common.race_value("surface", None)
    if common.race_value("optimizers", []):
        shared[P + "optimizers"] = list(common.race_value("optimizers", []))
    return shared


def _new_surface() -> dict:
    surface = surfaces.get(st.session_state[P + "surface"])
    return {P + "saddle": 0, P + "radius": optim_core.escape_radius(surface)}


following = common.follow_race("escape", race_share(), _new_surface)

# ---------------------------------------------------------------- sidebar

sb = st.sidebar
sb.title("Saddle escape")
race_surface = common.race_value("surface", None)
common.follow_note("escape", sb, following, "optimizers and their values" + (
    ", and its surface" if race_surface in scenes.SADDLE_SURFACES else ""))
if following and race_surface not in scenes.SADDLE_SURFACES:
    sb.caption(f"(The race's surface, {scenes.surface_title(race_surface)}, has no saddle.)")
sb.caption("Claims about saddles, tested")
for title in scenes.ESCAPE_CLAIMS:
    sb.button(title, on_click=apply_claim, args=(title,), width="stretch")

surface_name = sb.selectbox(
    "Surface", scenes.SADDLE_SURFACES, key=P + "surface", on_change=on_surface_change,
    format_func=lambda n: surfaces.get(n).title,
)  # fmt: skip
surface = surfaces.get(surface_name)


def _saddle_label(i: int) -> str:
    x, y = surface.saddles[i]
    low, high = np.linalg.eigvalsh(surface.hessian(surface.saddles[i]))
    return f"({x:.4g}, {y:.4g}); Hessian eigenvalues {low + 0.0:.3g}, {high + 0.0:.3g}"


saddle = sb.selectbox("Saddle", range(len(surface.saddles)), key=P + "saddle",
                      format_func=_saddle_label, on_change=on_saddle_change)  # fmt: skip
chosen = sb.multiselect(
    "Optimizers", optim_core.optimizer_names(), key=P + "optimizers",
    format_func=lambda n: optim_core.get_optimizer(n).title,
)  # fmt: skip
direction = sb.radio(
    "Start at the saddle plus an offset", scenes.ESCAPE_DIRECTIONS, key=P + "direction",
    format_func={"unstable": "along the unstable direction", "angle": "at an angle",
                 "random": "in many random directions"}.get,
)  # fmt: skip
offset = sb.select_slider("Offset size δ", scenes.OFFSET_VALUES, key=P + "offset",
                          format_func=lambda v: f"{v:g}")  # fmt: skip
angle = count = None
if direction == "angle":
    angle = sb.slider("Angle (degrees from +x)", 0.0, 360.0, key=P + "angle", step=1.0)
if direction == "random":
    count = sb.slider("Random offsets", 1, scenes.MAX_RANDOM_OFFSETS, key=P + "count")
    common.cap_note(sb, count, "escape.count")
max_radius = scenes.max_escape_radius(surface_name, int(saddle))
radius_options = scenes.radius_values(surface_name, int(saddle), st.session_state[P + "radius"])
radius = sb.select_slider(
    "Escape radius r", radius_options, key=P + "radius", format_func=lambda v: f"{v:.4g}",
    help="A run has escaped at the first step at which it is farther than r from the saddle. "
    f"At most {max_radius:.4g} here: 0.9 of the distance to the nearest other critical "
    "point (a minimum, maximum or saddle, local ones included), or half the view.",
)  # fmt: skip
steps = sb.number_input("Steps at most", 1, scenes.MAX_ESCAPE_STEPS, key=P + "steps", step=500)
common.cap_note(sb, steps, "escape.steps")
hyper_mode = sb.radio("Hyperparameters", scenes.HYPER_MODES, key=P + "hyper",
                      format_func=common.HYPER_MODE_LABELS.get)  # fmt: skip
lr = common.lr_slider(sb, P + "lr") if hyper_mode == "same" else st.session_state[P + "lr"]
noise = sb.select_slider(
    "Gradient noise η", scenes.NOISE_VALUES, key=P + "noise",
    format_func=lambda v: f"{v:g}" if v else "0 (off)",
    help="Adds N(0, σ_t² I), σ_t² = η/(1+t)^γ, to every gradient the optimizers take "
    "(Neelakantan et al. 2015); 0 is no noise. With noise the page runs everything twice, "
    "with and without it.",
)  # fmt: skip
noise_gamma, seed = scenes.NOISE_GAMMA, 0  # kept at their defaults while the noise is off
if noise > 0:
    noise_gamma = sb.slider("Noise decay γ", 0.0, 1.0, key=P + "noise_gamma", step=0.05,
                            help="σ_t² = η/(1+t)^γ: 0 keeps the noise constant, 1 lets it "
                            "fade fastest.")  # fmt: skip
    seed = sb.number_input("Noise seed", 0, scenes.MAX_SEED, key=P + "seed", step=1,
                           help="The same seed, the same noise and the same runs.")  # fmt: skip

scene = scenes.EscapeScene(surface_name, int(saddle), tuple(chosen), float(offset), direction,
                           float(angle if angle is not None else st.session_state[P + "angle"]),
                           int(count if count is not None else st.session_state[P + "count"]),
                           float(radius), int(steps), float(lr), hyper_mode, float(noise),
                           float(noise_gamma), int(seed),
                           int(st.session_state[P + "claim_steps"]),
                           float(st.session_state[P + "claim_offset"]))  # fmt: skip
st.query_params.from_dict(scenes.escape_to_query(scene))

# ---------------------------------------------------------------- main area

common.show_link_warnings("escape")
centre = surface.saddles[scene.saddle]
st.header(f"Escaping the saddle at ({centre[0]:.4g}, {centre[1]:.4g}) of {surface.title}")
st.latex(r"\begin{gathered}" + surface.latex + r"\end{gathered}")
st.caption(common.hyper_mode_caption(hyper_mode, lr, chosen))
if not chosen:
    st.info("Choose at least one optimizer in the sidebar.")
    st.stop()
if scene.offset >= scene.radius:
    st.error(f"The offset δ = {scene.offset:g} must be shorter than the escape radius "
             f"r = {scene.radius:g}: the start would already have escaped.")  # fmt: skip
    last = st.session_state.get(P + "last_good")
    if last is None or last.surface != scene.surface:
        st.stop()
    st.caption(f"Below: the last valid setting, δ = {last.offset:g} and r = {last.radius:g}.")
    scene = last  # the last good figures stay on screen
else:
    st.session_state[P + "last_good"] = scene
chosen, direction, hyper_mode, lr = scene.optimizers, scene.direction, scene.hyper, scene.lr
chosen = common.drop_unavailable(chosen, surface, noise=scene.noise > 0)

unstable = optim_core.unstable_direction(surface, scene.saddle)
if unstable is None:  # also the direction of the δ curve and the distance plot
    if direction == "unstable":
        st.info("The Hessian at this saddle has no negative eigenvalue (a degenerate "
                "saddle), so there is no unstable direction: the offset points at 180° "
                "(−x) instead.")  # fmt: skip
    unstable = np.array([-1.0, 0.0])
if direction == "angle":
    way = np.array([math.cos(math.radians(scene.angle)), math.sin(math.radians(scene.angle))])
else:
    way = unstable
if direction == "random":  # the same link gives the same offsets
    offsets = scenes.random_offsets(scene.offset, scene.count)
else:
    offsets = scene.offset * way[None, :]

hyper = {name: common.hyperparams_for(name, lr, hyper_mode) for name in chosen}
# With gradient noise, everything runs with it (the charts show these runs) and the
# chosen offsets run without it too, for the table.
noisy = (scene.noise, scene.noise_gamma, scene.seed) if scene.noise > 0 else None
progress = common.Progress("Counting escape steps…")
escapes, by_size, plain, first = {}, {}, {}, {}
for i, name in enumerate(chosen):
    key = tuple(sorted(hyper[name].items()))
    title = optim_core.get_optimizer(name).title
    # four parts of the bar for each optimizer; its last fifth for the distance plot
    part = [progress.part(4 * i + j, 5 * len(chosen), title) for j in range(4)]
    escapes[name] = common.cached_escape_runs(
        name, surface_name, scene.saddle, offsets.tobytes(), scene.steps, scene.radius, key,
        noisy, part[0])  # fmt: skip
    plain[name] = escapes[name] if noisy is None else common.cached_escape_runs(
        name, surface_name, scene.saddle, offsets.tobytes(), scene.steps, scene.radius,
        key, None, part[1])  # fmt: skip
    sizes = SIZES[SIZES < scene.radius]
    by_size[name] = common.cached_escape_runs(
        name, surface_name, scene.saddle, optim_core.offsets_along(way, sizes).tobytes(),
        scene.steps, scene.radius, key, noisy, part[2])  # fmt: skip
    # The distance plot follows the first offset alone. With noise, a batch draws the
    # noise of all its starts step by step, so the first of several offsets had other
    # draws in the batch than it has alone: its escape alone sets the plot's length.
    first[name] = escapes[name] if noisy is None or len(offsets) == 1 else (
        common.cached_escape_runs(name, surface_name, scene.saddle, offsets[:1].tobytes(),
                                  scene.steps, scene.radius, key, noisy, part[3]))  # fmt: skip


def _first_escape(found: optim_core.Escapes) -> int:
    """The first offset's escape step; -1 if it never escaped or blew up instead."""
    return -1 if found.blew_up.ravel()[0] else int(found.escape_step.ravel()[0])


claim_title = st.session_state.get(P + "claim")
if claim_title:
    claim = scenes.ESCAPE_CLAIMS[claim_title]
    as_claimed = {**vars(scene), "radius": claim.scene.radius,  # (the section below: not
                  "claim_steps": claim.scene.claim_steps,  # the claim's part)
                  "claim_offset": claim.scene.claim_offset}  # fmt: skip
    if claim.scene == scenes.EscapeScene(**as_claimed) and \
            scene.radius == claim.scene.escape_radius():  # fmt: skip
        firsts = {n: _first_escape(escapes[n]) for n in chosen}
        holds, verdict = scenes.claim_verdict(claim, firsts)
        measured = ", ".join(f"{optim_core.get_optimizer(n).title} "
                             f"{'never' if k < 0 else k}" for n, k in firsts.items())  # fmt: skip
        box = st.success if holds else st.warning
        box(f"**Claim:** {claim.text}\n\n**Measured escape steps:** {measured}.\n\n{verdict}")

blew_up = [optim_core.get_optimizer(n).title for n in chosen if escapes[n].blew_up.any()]
if blew_up:
    st.warning(f"{', '.join(blew_up)} blew up at the α used here: "
               + ("a run that diverges leaves the saddle without escaping to a minimum"
                  if surface.bounded_below else "it left uphill, higher than the saddle, "
                  "not down the way out")
               + " (hatched bars, ⊗ on the distance plot). Try a smaller α.")  # fmt: skip

degenerate = optim_core.unstable_direction(surface, scene.saddle) is None
sizes = SIZES[SIZES < scene.radius]
with_noise = (f" With gradient noise η = {scene.noise:g} (γ = {scene.noise_gamma:g}, seed "
              f"{scene.seed}): these are the noisy runs." if noisy else "")  # fmt: skip
left, right = st.columns(2)
with left:
    st.subheader("Escape step")
    st.plotly_chart(viz.escape_bar_figure(escapes, scene.steps), key="escape_bars")
    if direction == "random":
        st.caption(f"Bars: the median over {scene.count} random directions at δ = "
                   f"{scene.offset:g}; whiskers: the fastest and the slowest."
                   + with_noise)  # fmt: skip
    elif noisy:
        st.caption(with_noise.strip())
with right:
    st.subheader("Escape step against the offset's size")
    st.plotly_chart(viz.escape_offset_figure(sizes, by_size), key="escape_sizes")
    epsilon = ("— until the squared gradient falls far below their ε: AdaGrad and RMSprop "
               "add ε inside the root, and there they take plain gradient steps of about "
               "α/√ε too (Adam adds ε outside, so it holds out to smaller δ).")
    if degenerate:
        mechanism = ("At this degenerate saddle the gradient shrinks like δ², so plain "
                     "gradient steps need ever more steps per decade of δ (polynomial "
                     "growth). Methods that divide by the gradient's size get away sooner "
                     + epsilon)  # fmt: skip
    else:
        mechanism = ("Plain gradient steps grow the offset by a constant factor per step, so "
                     "each decade of δ costs them a fixed number of steps; methods that "
                     "divide by the gradient's size barely notice δ " + epsilon)  # fmt: skip
    if noisy:
        mechanism += (" With noise, once δ is far smaller than the first noisy steps (about "
                      "α·√η for plain gradient steps) the noise, not δ, sets the escape step, "
                      "and the line flattens. Its starts are one batch that draws its own "
                      "noise, so at the bars' δ its step can differ from theirs (the same "
                      "start, other draws).")  # fmt: skip
    st.caption(f"Starts along the same direction, δ from {_power(sizes.max())} down to "
               f"{_power(sizes.min())}. {mechanism} A point missing from a line: that start "
               f"was still within r after {scene.steps:,} steps, or diverged."
               + with_noise)  # fmt: skip


# distance against step, for the first offset, up to a little past the last escape or
# blow-up; all the steps where a run did neither
ends = [int(e.diverged_step.ravel()[0]) if e.blew_up.ravel()[0] else _first_escape(e)
        for e in first.values()]  # fmt: skip
shown_steps = scene.steps if min(ends) < 0 else min(scene.steps, int(max(ends) * 1.25) + 10)
runs = []
for i, name in enumerate(chosen):
    progress.report(0.8 + 0.2 * i / len(chosen), "following one start for the distance plot")
    key = tuple(sorted(hyper[name].items()))
    options = () if noisy is None else tuple(zip(("noise_eta", "noise_gamma", "seed"), noisy,
                                                  strict=True))  # fmt: skip
    traj = common.cached_run(name, surface_name, tuple(centre + offsets[0]), shown_steps, key,
                             "cheatsheet", options)  # fmt: skip
    runs.append(viz.Run(name, optim_core.get_optimizer(name).title, traj))
progress.done()
st.subheader("Distance from the saddle")
st.plotly_chart(viz.saddle_distance_figure(runs, surface, scene.radius), key="escape_distance")
if direction == "random":
    st.caption("One start for every optimizer: the first of the random directions."
               + (" With noise it runs alone here, and alone it draws other noise than it "
                  "did among all the random directions: its escape step can differ from "
                  "the bars'." + with_noise if noisy else ""))  # fmt: skip
elif noisy:
    st.caption(with_noise.strip())

# "extra steps per decade" between the offsets nearest these two sizes
decade = [min(sizes, key=lambda s, t=target: abs(math.log10(s / t)))
          for target in (DECADE_FROM, DECADE_TO)]  # fmt: skip


def _per_decade(found: optim_core.Escapes) -> str:
    """The slope of a straight line fitted to escape step against −log10 δ over the
    sizes from decade[0] down to decade[1] ("—" if one of them did not escape); how
    far the points stray from that line is said too, when it is more than a step."""
    inside = (sizes <= decade[0]) & (sizes >= decade[1])
    steps_ = np.where(found.blew_up, -1, found.escape_step)[inside]
    if decade[0] == decade[1] or (steps_ < 0).any():
        return "—"
    depth = -np.log10(sizes[inside])
    slope, offset = np.polyfit(depth, steps_, 1)
    stray = float(np.max(np.abs(steps_ - (slope * depth + offset))))
    return f"{slope:.1f}" + (f" (points stray ±{stray:.0f})" if stray > 1 else "")


def _escape_text(found: optim_core.Escapes) -> str:
    steps_ = np.atleast_1d(found.escape_step)
    blown = np.atleast_1d(found.blew_up)
    diverged = np.atleast_1d(found.diverged_step)
    escaped = steps_[(steps_ >= 0) & ~blown]
    if len(steps_) == 1:
        if blown[0]:
            return f"blew up at step {diverged[0]}"
        return str(steps_[0]) if steps_[0] >= 0 else f"still within r after {scene.steps:,}"
    if not len(escaped):
        return "all blew up" if blown.all() else f"all still within r after {scene.steps:,}"
    text = f"median {np.median(escaped):.0f} ({escaped.min()}–{escaped.max()})"
    if (steps_ < 0).any():
        text += f", {int((steps_ < 0).sum())} still within r"
    if blown.any():
        text += f", {int(blown.sum())} blew up"
    return text


st.subheader("Numbers")
per_decade = f"extra steps per decade of δ ({_power(decade[0])} … {_power(decade[1])})"
rows = []
for n in chosen:
    row = {"optimizer": optim_core.get_optimizer(n).title,
           "hyperparameters": common.describe(hyper[n])}  # fmt: skip
    if noisy:
        row[PLAIN_COLUMN] = _escape_text(plain[n])
        row[noisy_column(scene.noise)] = _escape_text(escapes[n])
        row[f"{per_decade}, noise η={scene.noise:g}"] = _per_decade(by_size[n])
    else:
        row["escape step"] = _escape_text(escapes[n])
        row[per_decade] = _per_decade(by_size[n])
    rows.append(row)
st.dataframe(rows, hide_index=True, width="stretch")
st.caption(
    f"Escape step: the first step at which the run is farther than r = {scene.radius:.4g} "
    f"from the saddle, starting δ = {scene.offset:g} from it; at most {scene.steps:,} steps "
    "are run. Extra steps per decade: how many more steps each tenfold smaller δ costs, "
    "the slope of a line fitted to the escape steps over that range of δ (with how far "
    "the points stray from it, where that is more than a step; — where a start in the "
    "range did not escape)."
    + (" Blew up: the run left the box "
       f"{optim_core.DIVERGENCE_FACTOR:g}× the domain; on a surface with a minimum that is "
       "a blow-up, not an escape." if surface.bounded_below else " Blew up: the run left "
       "the box uphill (higher than the saddle), not down the way out.")
)
if noisy:
    st.caption(
        f"Gradient noise: every gradient an optimizer takes gets N(0, σ_t² I) added, with "
        f"σ_t² = η/(1+t)^γ at step t (Neelakantan et al. 2015), here η = {scene.noise:g} and "
        f"γ = {scene.noise_gamma:g}. Each start draws its own noise, from seed {scene.seed}: "
        "the same seed gives the same runs. The column without noise runs the same starts "
        "with the exact gradient. A start exactly on the saddle's stable line (on x² − y², "
        "the x axis: at an angle of 0° or 180°) gets no push along the way out: without "
        "noise it stays on that line, still within r at the end, and only noise lets it "
        "escape (Newton's method, drawn to every critical point, stays even with noise). "
        "The extra steps per decade are the noisy runs'."
    )


# ---------------------------------------------------------------- the seed's claim, measured

st.subheader("Do second-order methods settle in saddle points?")
st.markdown(f"One of the seeds says: *“{scenes.SEED_CLAIM}”* Measured here at every saddle "
            "the surfaces declare.")  # fmt: skip
steps_column, offset_column = st.columns(2)
claim_steps = steps_column.select_slider("Steps N", scenes.CLAIM_STEPS, key=P + "claim_steps",
                                         format_func=lambda v: f"{v:,}")  # fmt: skip
claim_offset = offset_column.select_slider(
    "Offset size δ of these starts", scenes.OFFSET_VALUES, key=P + "claim_offset",
    format_func=lambda v: f"{v:g}",
)  # fmt: skip
methods = scenes.claim_methods()
saddles = scenes.every_saddle()
claim_offsets = scenes.random_offsets(claim_offset, scenes.CLAIM_DIRECTIONS).tobytes()
page_values = {name: common.hyperparams_for(name, scene.lr, scene.hyper) for name in scenes.BESIDE}
claim_progress = common.Progress("Measuring every saddle…")
measured: dict[tuple[str, int], dict[str, optim_core.SaddleOutcome]] = {}
for j, (name, index) in enumerate(saddles):
    for i, method in enumerate(methods):
        values = scenes.claim_hyperparams(method, page_values.get(method, {}))
        label = f"{surfaces.get(name).title}, {optim_core.get_optimizer(method).title}"
        measured.setdefault((name, index), {})[method] = common.cached_saddle_outcome(
            method, name, index, claim_offsets, claim_steps, tuple(sorted(values.items())),
            claim_progress.part(j * len(methods) + i, len(saddles) * len(methods), label))
claim_progress.done()
verdicts = scenes.claim_verdicts({m: [measured[k][m] for k in saddles] for m in methods},
                                 claim_steps)  # fmt: skip
st.markdown("\n".join(  # each line starts with the method's title: in bold, to scan by
    f"- **{text[:len(title)]}**{text[len(title):]}"
    for text, title in ((verdicts[m], optim_core.get_optimizer(m).title) for m in methods)))
st.caption(
    f"At each of the {len(saddles)} saddles, {scenes.CLAIM_DIRECTIONS} starts δ = "
    f"{claim_offset:g} from it in random directions, {claim_steps:,} steps. "
    f"At the saddle: within {optim_core.AT_SADDLE_TOL:g} of it at step N; near it: within the "
    "surface's escape radius r; gone: farther, or out of the box "
    f"{optim_core.DIVERGENCE_FACTOR:g} times the view. "
    "Newton, saddle-free Newton, BFGS and CG run as the methods are defined (Newton's full "
    "step α = 1; BFGS and CG with their line search), SGD and Adam with the sidebar's "
    "values (" + "; ".join(f"{optim_core.get_optimizer(n).title} {common.describe(v)}"
                           for n, v in page_values.items()) + ")."
)  # fmt: skip
st.markdown(
    "Why: Newton's step −H⁻¹∇f goes to where the quadratic model is flat — near a saddle, "
    "the saddle itself — so it is drawn in. Saddle-free Newton takes |H| instead of H "
    "and steps downhill along the curvature that bends down. BFGS and CG only step "
    "downhill (their directions descend and the line search asks for a decrease), so "
    "nothing draws them in; where they are still at a saddle, the lines above say how "
    "many a failed line search stopped there: with the gradient almost zero, the search "
    "finds no step that meets the strong Wolfe conditions within its budget, and that "
    "ends the run where it stands."
)
claim_rows = scenes.claim_table(measured)
st.dataframe(claim_rows, hide_index=True, width="stretch",
             height=35 * (len(claim_rows) + 1) + 3)  # every saddle without scrolling
st.caption("Each cell: the percentage of the starts at the saddle · near it · gone at step N; "
           "(k stopped): k of those at the saddle were stopped there by a failed line "
           "search; —: not run (the surface is not a sum of squares).")  # fmt: skip
