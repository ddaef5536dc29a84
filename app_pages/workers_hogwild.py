"""The Workers page's Hogwild! section: K simulated workers write a shared vector without
a lock, on sparse and on dense examples of the sparse regression, beside serial SGD with
the same gradients. The owner's page calls :func:`section` at its bottom."""

from __future__ import annotations

import streamlit as st

import scenes
import surfaces
import viz
import viz.hogwild
from app_pages.race_view import figure_view
from optim_core import hogwild
from optim_core.workers import MAX_WORKERS

P = "workers.hogwild."  # the section's widget keys


@st.cache_data(max_entries=32, show_spinner=False)
def cached_hogwild(workers: int, density: float, lr: float, steps: int,
                   seed: int) -> tuple[str, list[dict[str, str]], str]:  # fmt: skip
    """(the figure's JSON, the table's rows, the sentence) for the sparse data at
    ``density`` and the dense data (density 1), each from its default start."""
    panels = []
    for name, value in (("sparse", density), ("dense", 1.0)):
        surface = surfaces.get("sparse_regression", density=value, seed=seed)
        found = hogwild.compare(surface, surface.default_start, steps, workers=workers, lr=lr,
                                seed=seed)  # fmt: skip
        panels.append(viz.hogwild.Panel(name, found, viz.surface_grid(surface)))
    return (viz.hogwild.hogwild_figure(panels).to_json(), viz.hogwild.hogwild_rows(panels),
            viz.hogwild.hogwild_summary(panels))  # fmt: skip


def _scene_from_link() -> list[str]:
    """On the section's first run, its widgets take the link's ``hw_…`` values; the
    warnings name the bad ones."""
    if P + "k" in st.session_state:
        return []
    scene, warnings = scenes.hogwild_from_query(st.query_params.to_dict())
    st.session_state.update({P + "k": scene.workers, P + "density": scene.density,
                             P + "lr": scene.lr, P + "steps": scene.steps,
                             P + "seed": scene.seed})  # fmt: skip
    return warnings


def section() -> None:
    st.subheader("Hogwild!: lock-free writes, sparse against dense examples")
    for warning in _scene_from_link():
        st.warning(warning)
    low, high, step = scenes.HOGWILD_DENSITY
    cols = st.columns(5)
    workers = cols[0].slider("Workers K", 1, MAX_WORKERS, key=P + "k")
    density = cols[1].slider("Density of the sparse data", low, high, step=step,
                             key=P + "density",
                             help="The share of examples that touch both weights (0: each "
                                  "touches one). The dense data beside it has density 1.")
    lr = cols[2].select_slider("α", scenes.HOGWILD_LRS, key=P + "lr")
    s_low, s_high, s_step = scenes.HOGWILD_STEPS
    steps = cols[3].slider("Gradients in all", s_low, s_high, step=s_step, key=P + "steps",
                           help="K a round: each worker writes ⌊gradients/K⌋ times; serial "
                                "SGD takes as many steps.")
    seed = cols[4].number_input("Seed", *scenes.HOGWILD_SEEDS, key=P + "seed")
    scene = scenes.HogwildScene(int(workers), float(density), float(lr), int(steps), int(seed))
    st.query_params.update(scenes.hogwild_to_query(scene))
    figure, rows, summary = cached_hogwild(scene.workers, scene.density, scene.lr, scene.steps,
                                           scene.seed)  # fmt: skip
    figure_view(figure, key=P + "figure")
    st.dataframe(rows, hide_index=True, width="stretch")
    st.markdown(summary)
    st.caption(
        "Simulated workers: K workers in one process on a seeded schedule, a picture of "
        "Niu et al.'s Algorithm 1, not a parallel run. Each round every worker writes one "
        "example's gradient, coordinate by coordinate, on the weights the example touches "
        "(an atomic add each, no lock): the writes of a round land in a seeded random order, "
        "and a worker reads the shared vector right after its own write lands, so between "
        "its read and its next write the others' writes land (a conflict: a write to a "
        "weight that changed since the worker read it). Serial SGD (batch size 1) takes the "
        "same examples in the same order; with K = 1 Hogwild! is exactly it. With two "
        "weights a sparse example still shares its weight with about half the other "
        "workers' writes (Niu et al.'s examples touch a few of very many). The floor is the "
        "mean f − f* over the last quarter of the gradients; the loss is drawn as a running "
        "mean over 1/25 of the run; × on the contours: each worker's last read."
    )
