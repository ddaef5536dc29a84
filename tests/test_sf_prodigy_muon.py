"""Schedule-Free SGD and AdamW, Prodigy and Muon: what their notes claim, their references
in other settings than the defaults, and their bad input."""

import numpy as np
import pytest

import optim_core
import surfaces
from optim_core.methods.muon import NS_COEFFICIENTS
from tests.reference_sf_prodigy_muon import (
    prodigyopt_reference,
    recent_reference,
)

CASES = [("rosenbrock", [-1.5, 2.0]), ("beale", [1.0, 1.5]), ("saddle", [-1.5, 1e-3])]


def _grad(surface):
    return lambda w: surface.grad(np.array(w, dtype=float)).tolist()


def _reference(name, surface, start, steps, convention="cheatsheet", **given):
    opt = optim_core.get_optimizer(name, convention)
    hp = {**opt.defaults, **given}
    return np.array(recent_reference(name, _grad(surface), start, steps,
                                     torch=convention == "pytorch", **hp))  # fmt: skip


# (AdamW's at β₂ 0.9 on Rosenbrock rides an oscillation that grows rounding ×5 a step
# after step 110, a chaos both loops share: β₂ 0.99 keeps the case a check of the rule)
@pytest.mark.parametrize(("surface_name", "start"), CASES)
@pytest.mark.parametrize(("name", "given"), [
    ("sf_sgd", {"lr": 2e-3, "beta1": 0.5, "weight_decay": 0.1, "warmup": 20, "lr_power": 1.0}),
    ("sf_adamw", {"lr": 0.01, "beta1": 0.8, "beta2": 0.99, "eps": 1e-3, "weight_decay": 0.05,
                  "warmup": 30, "lr_power": 3.0}),
    ("prodigy", {"beta1": 0.5, "beta2": 0.9, "eps": 1e-3, "weight_decay": 0.05, "beta3": 0.8,
                 "d0": 1e-3}),
    ("muon", {"lr": 0.01, "beta1": 0.8, "weight_decay": 0.1, "eps": 1e-3, "ns_steps": 3}),
])  # fmt: skip
def test_warm_up_weighting_decay_and_the_other_options_match_the_references(
        name, given, surface_name, start):  # fmt: skip
    surface = surfaces.get(surface_name)
    traj = optim_core.run(name, surface, start, 300, **given)
    expected = _reference(name, surface, start, 300, **given)
    np.testing.assert_allclose(traj.path, expected, rtol=1e-7, atol=1e-12)
    assert not np.allclose(traj.path[-1], traj.path[0])


@pytest.mark.parametrize(("surface_name", "start"), CASES)
def test_prodigy_is_the_authors_prodigyopt_with_its_bias_correction(surface_name, start):
    # prodigyopt/prodigy.py (use_bias_correction=True), not optax's loop: the same d
    surface = surfaces.get(surface_name)
    traj = optim_core.run("prodigy", surface, start, 300)
    hp = dict(optim_core.get_optimizer("prodigy").defaults)
    expected = np.array(prodigyopt_reference(_grad(surface), start, 300, hp["lr"], hp["beta1"],
                                             hp["beta2"], hp["beta3"], hp["eps"],
                                             hp["weight_decay"], hp["d0"]))  # fmt: skip
    box = optim_core.divergence_box(surface)
    inside = np.all((traj.path >= box[0]) & (traj.path <= box[1]), axis=1)
    n = int(np.argmin(inside)) if not inside.all() else len(inside)
    np.testing.assert_allclose(traj.path[:n], expected[:n], rtol=1e-7, atol=1e-12)


def test_prodigys_d_starts_at_d0_only_grows_and_is_kept_in_the_state():
    traj = optim_core.run("prodigy", "rosenbrock", [-1.5, 2.0], 300, d0=1e-4)
    d = traj.state["d"]
    assert d[0] == 0  # (no estimate before the first step: it takes d₀)
    assert d[1] == pytest.approx(1e-4) and np.all(np.diff(d[1:]) >= 0)
    assert d[-1] > 1e3 * d[1]  # it grew to the scale of the distance travelled
    # the step it takes: α d (bias-corrected) times Adam's normalised direction ≈ d early
    assert np.hypot(*(traj.path[2] - traj.path[1])) < 1e-2


def test_muon_on_a_vector_is_normalized_nesterov_momentum_of_length_0_6964_alpha():
    a, b, c = NS_COEFFICIENTS
    sigma = 1.0
    values = []
    for _ in range(5):
        sigma = a * sigma + b * sigma**3 + c * sigma**5
        values.append(sigma)
    assert [round(s, 4) for s in values] == [0.7010, 1.1136, 0.7207, 1.0900, 0.6964]
    note = optim_core.get_optimizer("muon").note + optim_core.get_optimizer("muon").latex
    assert "0.6964" in note
    # every step is 0.6964 α long (far from ε: ‖u‖ ≫ 1e-7), along u = β₁ m + (1 − β₁) g
    lr = 1e-3
    traj = optim_core.run("muon", "rosenbrock", [-1.5, 2.0], 50, lr=lr)
    lengths = np.hypot(*np.diff(traj.path, axis=0).T) / lr
    np.testing.assert_allclose(lengths, values[-1], rtol=1e-6)
    m = traj.state["m"][1:]
    u = 0.95 * m + 0.05 * traj.grads
    direction = -np.diff(traj.path, axis=0)
    cosine = np.sum(u * direction, axis=1) / np.hypot(*u.T) / np.hypot(*direction.T)
    np.testing.assert_allclose(cosine, 1.0, rtol=1e-12)
    # with 1 or 2 Newton–Schulz steps: 0.7010 α and 1.1136 α
    for steps, value in ((1, values[0]), (2, values[1])):
        traj = optim_core.run("muon", "rosenbrock", [-1.5, 2.0], 5, lr=lr, ns_steps=steps)
        np.testing.assert_allclose(np.hypot(*np.diff(traj.path, axis=0).T) / lr, value, rtol=1e-6)


def test_torchs_muon_differs_from_the_reference_only_in_its_buffer_clamp_and_defaults():
    # with the same α, β₁, λ and ε the two conventions take the same steps (the
    # accumulated buffer is 1/(1 − β₁) times the EMA: normalization removes it)
    hp = {"lr": 0.01, "beta1": 0.9, "weight_decay": 0.0, "eps": 1e-12, "ns_steps": 5}
    a = optim_core.run("muon", "beale", [1.0, 1.5], 100, **hp)
    b = optim_core.run("muon", "beale", [1.0, 1.5], 100, convention="pytorch", **hp)
    np.testing.assert_allclose(a.path, b.path, rtol=1e-9)
    assert optim_core.get_optimizer("muon", "pytorch").defaults["weight_decay"] == 0.1


def test_schedule_free_draws_x_takes_its_gradient_at_y_and_averages_z():
    for name in ("sf_sgd", "sf_adamw"):
        beta1 = 0.9
        traj = optim_core.run(name, "beale", [1.0, 1.5], 40)
        x, z, y = traj.path, traj.state["z"], traj.state["y"]
        np.testing.assert_array_equal(z[0], x[0])
        np.testing.assert_array_equal(y[0], x[0])
        np.testing.assert_allclose(y, beta1 * x + (1 - beta1) * z, rtol=1e-12, atol=1e-15)
        surface = surfaces.get("beale")
        np.testing.assert_allclose(traj.grads, surface.grad(y[:-1]), rtol=1e-12)
        assert not np.allclose(traj.grads, surface.grad(x[:-1]))
    # no warm-up, SGD: cₜ = 1/t, x is the plain average of z₁ … zₜ
    traj = optim_core.run("sf_sgd", "beale", [1.0, 1.5], 40)
    mean = np.cumsum(traj.state["z"][1:], axis=0) / np.arange(1, 41)[:, None]
    np.testing.assert_allclose(traj.path[1:], mean, rtol=1e-10)


@pytest.mark.parametrize(("name", "given", "message"), [
    ("sf_sgd", {"warmup": 2.5}, r"warmup must be a whole number in \[0, 100000\]; got 2.5"),
    ("sf_adamw", {"lr_power": -1}, r"lr_power must be a finite number >= 0; got -1"),
    ("prodigy", {"d0": 0.0}, r"d0 must be a finite number > 0; got 0.0"),
    ("prodigy", {"beta3": 1.0}, r"beta3 must be a number in \[0, 1\); got 1.0"),
    ("muon", {"ns_steps": 0}, r"ns_steps must be a whole number in \[1, 20\]; got 0"),
    ("muon", {"warmup": 3}, r"warmup is not a hyperparameter of muon"),
])  # fmt: skip
def test_bad_hyperparameters_are_named_with_their_value_and_range(name, given, message):
    with pytest.raises(ValueError, match=message):
        optim_core.run(name, "beale", [1.0, 1.5], 5, **given)


# ---------------------------------------------------------------- how the page draws them


def test_schedule_free_runs_get_faint_z_and_y_companions_in_their_colour():
    import viz

    surface = surfaces.get("beale")
    runs = [viz.Run(n, optim_core.get_optimizer(n).title,
                    optim_core.run(n, surface, [1.0, 1.5], 30)) for n in ("sf_sgd", "adam")]  # fmt: skip
    shown = viz.with_companions(surface, runs)
    assert shown[-2:] == runs  # the runs themselves last: drawn over their companions
    companions = shown[:-2]
    assert [c.label for c in companions] == ["Schedule-Free SGD z, y"] * 2
    assert {c.name for c in companions} == {"sf_sgd z, y"}  # one legend entry
    assert all(c.faint and c.colour == optim_core.get_optimizer("sf_sgd").color
               for c in companions)  # fmt: skip
    sf = runs[0].trajectory
    np.testing.assert_array_equal(companions[0].trajectory.path, sf.state["z"])
    np.testing.assert_array_equal(companions[1].trajectory.path, sf.state["y"])
    np.testing.assert_allclose(companions[1].trajectory.loss, surface.f(sf.state["y"]))
    assert not np.allclose(companions[0].trajectory.path, sf.path)
    # in the race view: thin light lines, one named legend head for the pair
    data = viz.race_runs(surface, shown)
    faint = [t for t in data["plane"] if t.get("name") == "Schedule-Free SGD z, y"]
    assert len(faint) == 2 and all(t["line"]["width"] < 2 for t in faint)
    heads = [t for t in data["moving"]["plane"] if t.get("moving") == "head"
             and t["name"] == "Schedule-Free SGD z, y"]  # fmt: skip
    assert len(heads) == 2 and [h.get("showlegend", True) for h in heads] == [True, False]


def test_prodigys_d_figure_draws_d_from_step_1_on_a_log_axis():
    import viz

    runs = [viz.Run(n, optim_core.get_optimizer(n).title,
                    optim_core.run(n, "beale", [1.0, 1.5], 50)) for n in ("prodigy", "adam")]  # fmt: skip
    fig = viz.d_figure(runs)
    assert len(fig.data) == 1 and fig.data[0].name == "Prodigy"
    assert fig.layout.yaxis.type == "log"
    np.testing.assert_array_equal(fig.data[0].x, np.arange(1, 51))
    np.testing.assert_array_equal(fig.data[0].y, runs[0].trajectory.state["d"][1:])
    assert fig.data[0].y[0] == pytest.approx(1e-6)


def test_the_race_page_runs_the_four_and_shows_ds_curve():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file("../app.py", default_timeout=120)
    at.query_params["opt"] = "sf_sgd,sf_adamw,prodigy,muon"
    at.run()
    assert not at.exception
    assert "Prodigy's step size d" in [h.value for h in at.subheader]
    import json

    views = [json.loads(c.proto.json) for c in at.get("bidi_component")]
    race = next(v for v in views if "runs" in v)
    names = {t.get("name") for t in race["runs"]["plane"]}
    assert {"Schedule-Free SGD", "Schedule-Free AdamW", "Prodigy", "Muon",
            "Schedule-Free SGD z, y", "Schedule-Free AdamW z, y"} <= names  # fmt: skip
    keys = sorted(s.key for s in [*at.slider, *at.select_slider] if s.key and "." in s.key)
    assert {"muon.ns_steps", "prodigy.d0", "prodigy.beta3", "sf_sgd.warmup",
            "sf_adamw.lr_power"} <= set(keys)  # fmt: skip
