"""Many workers, simulated: Downpour SGD and elastic averaging (EASGD, EAMSGD) with K
workers on one surface, the server's or center's path strong and the workers' faint;
stale gradients against their exact stability bound."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import streamlit as st

import optim_core
import scenes
import surfaces
import viz
from app_pages import common, workers_adagrad, workers_data, workers_hogwild
from app_pages.race_view import figure_view, preload, race_view

P = "workers."  # this page's widget keys
SECTION_KEYS = ("hw_", "dt_")  # the sections' link keys (Hogwild!, delay-tolerant AdaGrad)
NONE = "(choose a preset)"
FIELDS = [f.name for f in dataclasses.fields(scenes.WorkersScene)]
RULES = {
    "downpour": r"\text{worker } k:\ \theta_k \leftarrow \theta_k - \alpha\, g(\theta_k),\ "
                r"\textstyle\sum g \mathrel{+}= g; \quad \text{every } n_{\text{push}}:\ "
                r"\theta \leftarrow \theta - \alpha \textstyle\sum g; \quad \text{every } "
                r"n_{\text{fetch}}:\ \theta_k \leftarrow \theta",
    "adagrad": r"\text{server (AdaGrad)}:\ G \leftarrow G + \left(\textstyle\sum g\right)^2,"
               r"\quad \theta \leftarrow \theta - \frac{\alpha}{\sqrt{G + \epsilon}}"
               r"\textstyle\sum g",
    "easgd": r"x_i \leftarrow x_i - \alpha\, g_i(x_i) - a\,(x_i - \tilde x), \qquad "
             r"\tilde x \leftarrow \tilde x + a \sum_{i=1}^{K} (x_i - \tilde x), \qquad "
             r"a = \alpha\rho",
    "eamsgd": r"v_i \leftarrow \delta v_i - \alpha\, g_i(x_i + \delta v_i), \quad "
              r"x_i \leftarrow x_i + v_i - a\,(x_i - \tilde x), \quad "
              r"\tilde x \leftarrow \tilde x + a \sum_{i=1}^{K} (x_i - \tilde x)",
}


def apply(scene: scenes.WorkersScene, keep=()) -> None:
    st.session_state.update({P + name: getattr(scene, name) for name in FIELDS
                             if name not in keep})  # fmt: skip


def apply_preset() -> None:
    """A preset sets the workers' scene; the stale-gradient section keeps its τ."""
    title = st.session_state[P + "preset"]
    if title in scenes.WORKERS_PRESETS:
        apply(scenes.WORKERS_PRESETS[title], keep=("tau",))


def on_surface_change() -> None:
    """A new surface: its own start, and a batch size it has."""
    st.session_state[P + "start"] = None
    data = surfaces.get(st.session_state[P + "surface"]).data
    if data is not None and st.session_state[P + "batch"] not in scenes.batch_options(data.n):
        st.session_state[P + "batch"] = min(scenes.WorkersScene.batch, data.n)


def on_chart_click() -> None:
    """A click on the contour sets the start (the nearest click target)."""
    point = getattr(st.session_state.get(P + "race"), "click", None)
    if not isinstance(point, dict) or not {"x", "y"} <= point.keys():
        return
    surface = surfaces.get(st.session_state[P + "surface"])
    try:
        x, y = viz.clicked_point(surface, float(point["x"]), float(point["y"]))
    except (TypeError, ValueError):
        return
    st.session_state[P + "start"] = (x, y)
    st.session_state[P + "starts"] = "one"


common.init_from_link("workers", scenes.workers_from_query, apply)
# (kept through runs where their widgets are not drawn: another scheme's, another kind of
# surface's)
_DEFAULTS = scenes.WorkersScene()
for _name in FIELDS:
    st.session_state[P + _name] = st.session_state.get(P + _name, getattr(_DEFAULTS, _name))
preload()

# ---------------------------------------------------------------- sidebar

sb = st.sidebar
sb.title("Workers")
sb.selectbox("Preset", [NONE, *scenes.WORKERS_PRESETS], key=P + "preset",
             on_change=apply_preset)  # fmt: skip
scheme = sb.radio("Scheme", list(scenes.WORKER_SCHEMES), key=P + "scheme",
                  format_func=scenes.WORKER_SCHEMES.get)  # fmt: skip
surface_name = sb.selectbox("Surface", surfaces.names(), key=P + "surface",
                            format_func=lambda n: surfaces.get(n).title,
                            on_change=on_surface_change)  # fmt: skip
surface = surfaces.get(surface_name)
K = sb.slider("Workers K", 1, optim_core.workers.MAX_WORKERS, key=P + "workers")
steps = sb.number_input("Steps", 1, scenes.MAX_PAGE_STEPS, key=P + "steps", step=50)
lr = common.lr_slider(sb, P + "lr", "α (lr): every worker's step")
if scheme == "downpour":
    push = sb.number_input("Push every n steps", 1, optim_core.workers.MAX_INTERVAL,
                           key=P + "push", help="A worker sends the gradients it has "
                           "accumulated to the server every n steps, staggered: worker k "
                           "(k = 0 … K − 1) at the steps t ≡ k + 1 (mod n).")  # fmt: skip
    fetch = sb.number_input("Fetch every n steps", 1, optim_core.workers.MAX_INTERVAL,
                            key=P + "fetch", help="A worker copies the server's parameters "
                            "every n steps, staggered: worker k at the end of the steps "
                            "t ≡ k (mod n).")  # fmt: skip
    sb.radio("Server's rule", list(scenes.SERVER_TITLES), key=P + "server", horizontal=True,
             format_func=scenes.SERVER_TITLES.get)  # fmt: skip
else:
    sb.number_input("ρ (elastic force)", 0.0, scenes.workers.MAX_RHO, key=P + "rho",
                    step=0.5, help="The pull between each worker and the center: a = αρ "
                    "(the paper's α) per step.")  # fmt: skip
    if scheme == "eamsgd":
        sb.slider("δ (momentum)", 0.0, 0.99, key=P + "momentum", step=0.01)
sb.radio("Starts", list(scenes.STARTS), key=P + "starts", format_func=scenes.STARTS.get,
         help="Scattered: K starts drawn over the whole domain from the seed. One start: "
         "click the contour to move it.")  # fmt: skip
if surface.data is not None:
    options = scenes.batch_options(surface.data.n)
    sb.select_slider("Each worker's batch size", options, key=P + "batch",
                     help=f"Each worker draws its own batches of the {surface.data.n} "
                     "examples (its own shuffle every epoch); n: the full gradient.")
else:
    sb.select_slider("Each worker's gradient noise η", scenes.NOISE_VALUES, key=P + "noise",
                     format_func=lambda v: f"{v:g}", help="Each worker adds its own "
                     "draw of N(0, η I) to every gradient it takes (its own stream of "
                     "mini-batches, on a surface without data); constant, so serial SGD "
                     "taking the same gradients gets exactly the same noise.")  # fmt: skip
sb.number_input("Seed", 0, scenes.MAX_SEED, key=P + "seed",
                help="The workers' noise or batches, the pushes' arrival order, the "
                "scattered starts.")  # fmt: skip

scene = scenes.WorkersScene(**{name: st.session_state[P + name] for name in FIELDS})
scene.steps, scene.workers = int(steps), int(K)
rho_note = None
if scheme != "downpour" and scene.rho > scene.max_rho():
    fixed = scenes.tidy(0.99 * scene.max_rho())
    rho_note = (f"ρ = {scene.rho:g} with K = {K} and α = {lr:g} makes the center's step "
                f"K α ρ = {K * lr * scene.rho:.3g}, above 1: it would overshoot the "
                f"workers' mean. Running with ρ = {fixed:g} (below 1/(K α) = "
                f"{scene.max_rho():.4g}).")  # fmt: skip
    scene.rho = fixed
# the link: this scene's values, and the sections' own (hw_…, dt_…), which they keep
st.query_params.from_dict({**scenes.workers_to_query(scene), **{
    k: v for k, v in st.query_params.to_dict().items() if k.startswith(SECTION_KEYS)}})

# ---------------------------------------------------------------- main area

common.show_link_warnings("workers")
if rho_note:
    st.warning(rho_note)
who = workers_data.center_title(scheme)
st.markdown(f"##### {scenes.WORKER_SCHEMES[scheme]} on {surface.title}: "
            f"{scenes.workers.plural(K, 'worker')}")
st.caption("Simulated workers: all K run in one process, in lockstep, on a seeded schedule "
           "(the noise, the batches and the order in which pushes arrive). This is a "
           "picture of the algorithms, not a distributed run.")  # fmt: skip
preset = st.session_state.get(P + "preset")
if preset in scenes.WORKERS_PRESETS and scene.same_run(scenes.WORKERS_PRESETS[preset]):
    st.info(scenes.WORKERS_CAPTIONS[preset])

key = workers_data.key_of(scene)
run, serial = workers_data.cached_workers(key)
race_view(workers_data.cached_view(key), frame_ms=50, on_click=on_chart_click,
          key=P + "race")  # fmt: skip
st.caption(f"Strong: the {who}'s path. Faint: each worker's own copy of the parameters. "
           f"The loss plot draws both, the {who}'s line dark. Click the contour to start "
           "there (one start for all).")  # fmt: skip

st.markdown("**The rule**")
st.latex(RULES[scheme])
if scheme == "downpour" and scene.server == "adagrad":
    st.latex(RULES["adagrad"])
notes = {
    "downpour": "Downpour SGD (Dean et al. 2012): each worker steps its own copy with its "
    "own gradients and sends what it accumulated to the server every n_push steps; the "
    "server applies the pushes of a step in the order they arrive (seeded); a worker "
    "copies the server back every n_fetch steps. A push carries gradients computed on a "
    "copy fetched several server steps before: stale. And the server takes every push: "
    f"pushing and fetching every step, it is SGD with a step of K α = {K * lr:.3g} on the "
    "mean of K gradients.",
    "easgd": "EASGD (Zhang, Choromanska & LeCun 2015), synchronous: each worker is pulled "
    "toward the center and the center toward the workers, with the same elastic "
    "coefficient a = αρ (the paper calls it α). A weak pull leaves each worker to its own "
    "basin, and the center, their elastic average, can end between basins.",
    "eamsgd": "EAMSGD (Zhang, Choromanska & LeCun 2015): EASGD whose workers take Nesterov "
    "momentum steps (δ), communicating every step.",
}
st.caption(notes[scheme])

rule = optim_core.get_optimizer(optim_core.workers.serial_rule(run)).title
st.markdown(f"**The {who} against serial {rule} with the same gradients**")
st.dataframe(pd.DataFrame(workers_data.table(run, serial)), hide_index=True)
st.markdown(scenes.workers_summary(run, serial))
st.caption(f"Serial {rule}: one process taking all K·T = {run.gradients:,} gradients in "
           f"turn (at most {optim_core.workers.MAX_SERIAL_STEPS:,}), from the {who}'s start, "
           "at the same α, with the same noise or batch size"
           + (" (the server's rule)" if rule != "SGD" else "") + ". Converged: from that "
           f"step on within {optim_core.CONVERGED_DIST_TOL:g} of a minimizer (the race's "
           "rule). With noise or batches one step is luck: the last column averages f − f* "
           "over the last tenth of the steps. Workers that truly ran in parallel would take "
           "T steps of time; per gradient, the serial run is the yardstick.")  # fmt: skip
if run.workers > 1 and np.abs(run.paths - run.center[:, None]).max() == 0:
    st.caption(f"Every worker's copy is the {who} at every step here (one start, no noise, "
               "and nothing stale): the faint paths lie under the strong one.")
elif run.workers > 1 and np.abs(run.paths - run.paths[:, :1]).max() == 0:
    st.caption("All the workers take the same path here (one start, no noise): their faint "
               "paths lie on one another.")

# ---------------------------------------------------------------- stale gradients

st.subheader("Stale gradients: the exact bound")
tau = st.select_slider("Delay τ (steps)", scenes.STALE_TAUS, key=P + "tau")
bound, stale = workers_data.cached_stale_runs(int(tau))
figure_view(viz.delay_stability_figure(*workers_data.stale_map_args(tau)).to_json(),
            key=P + "stale_map")  # fmt: skip
bowl = surfaces.get("quadratic", kappa=1)
loss = viz.loss_figure(stale, bowl, height=330)
loss.update_layout(margin=dict(l=80, r=20, t=40, b=60))  # room for the log axis' powers
figure_view(loss.to_json(), key=P + "stale_loss")
inside, outside = (r.trajectory for r in stale)
words = []
for traj, where in ((inside, "inside"), (outside, "outside")):
    lr_t = float(traj.hyperparams["lr"])
    if bool(traj.diverged):
        words.append(f"{where} it (α = {lr_t:.4g}) diverges at step {int(traj.diverged_step)}")
    elif int(traj.converged_step) >= 0:
        words.append(f"{where} it (α = {lr_t:.4g}) converges at step "
                     f"{int(traj.converged_step)}")  # fmt: skip
    else:
        words.append(f"{where} it (α = {lr_t:.4g}) neither, within "
                     f"{workers_data.STALE_STEPS:,} steps: its loss goes from "
                     f"{float(traj.loss[0]):.3g} to {float(traj.final_loss):.3g}")  # fmt: skip
st.markdown(f"With a delay of τ = {tau}, SGD on the round bowl ½|w|² is stable exactly "
            f"while α < 2 sin(π/(2(2τ + 1))) = {bound:.4g}. 10 % "
            + "; 10 % ".join(words) + ".")  # fmt: skip
st.caption("Each step of plain SGD takes the gradient at the parameters of τ steps before "
           "(a worker that read them τ server updates ago): w_t = w_{t−1} − α w_{t−1−τ}. "
           "It is stable exactly while the roots of z^(τ+1) − z^τ + α lie inside the unit "
           "circle. Above: 2,000-step runs over α and τ (light: converged; dark: diverged), "
           "the bound in red, the two runs as stars; below: their loss. The race page "
           "has the same delays for every first-order optimizer (its “Stale gradients” "
           "slider).")  # fmt: skip

workers_adagrad.section()
workers_hogwild.section()
