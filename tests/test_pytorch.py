"""The PyTorch convention: each optimizer as torch.optim computes it, checked against a
plain-loop transcription of torch.optim's documented algorithms (tests/reference.py),
step by step for 300 steps on several surfaces; torch itself is not a dependency."""

import numpy as np
import pytest

import optim_core
import surfaces
from tests.reference import (
    listed_residuals,
    reference_rtol,
    skip_without_residuals,
    torch_reference_run,
)

ALL = optim_core.optimizer_names()
# torch.optim's own defaults (SGD's momentum is 0 there: Momentum and NAG take 0.9)
TORCH_DEFAULTS = {
    "sgd": {"lr": 1e-3},
    "momentum": {"lr": 1e-3, "beta1": 0.9},
    "nag": {"lr": 1e-3, "beta1": 0.9},
    "adagrad": {"lr": 1e-2, "eps": 1e-10},
    "rmsprop": {"lr": 1e-2, "beta2": 0.99, "eps": 1e-8},
    "adadelta": {"lr": 1.0, "beta2": 0.9, "eps": 1e-6},
    "adam": {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
    "adamax": {"lr": 2e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
    "nadam": {"lr": 2e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
    "amsgrad": {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
    "radam": {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
    "adamw": {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 1e-2},
    "newton": {"lr": 1.0},  # (not in torch.optim: the same rule)
    "saddle_free_newton": {"lr": 1.0, "eps": 1e-3},
    "bfgs": {"c1": 1e-4, "c2": 0.9},  # (not in torch.optim: the same rule, no α)
    "cg": {"c1": 1e-4, "c2": 0.1, "beta_rule": "PR+"},
    "lbfgs": {"lr": 1.0, "memory": 100, "line_search": "none"},  # LBFGS(lr=1, history_size=100)
    "gauss_newton": {"lr": 1.0},  # (not in torch.optim: the same rules)
    "levenberg_marquardt": {"damping": 1e-3},
    "sgd_armijo": {"lr": 1.0, "c1": 1e-4, "shrink": 0.5},
    "momentum_armijo": {"lr": 1.0, "beta1": 0.9, "c1": 1e-4, "shrink": 0.5},
    # not in torch.optim: optax's rules (issue 24)
    "lion": {"lr": 1e-3, "beta1": 0.9, "beta2": 0.99, "weight_decay": 1e-3},
    "adan": {"lr": 1e-3, "beta1": 0.98, "beta2": 0.92, "eps": 1e-8, "weight_decay": 0.0,
             "beta3": 0.99},
    "ademamix": {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.0,
                 "beta3": 0.9999, "mix": 5.0},
    "adopt": {"lr": 1e-3, "beta1": 0.9, "beta2": 0.9999, "eps": 1e-6},
    "lamb": {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-6, "weight_decay": 0.0},
    # Adafactor(lr=1e-2, beta2_decay=-0.8, eps=(None, 1e-3), d=1): ε₁ None is the dtype's ε
    "adafactor": {"lr": 1e-2, "eps": 2.220446049250313e-16, "clip": 1.0, "eps2": 1e-3,
                  "decay": 0.8},
    "sophia": {"lr": 0.01, "beta1": 0.965, "beta2": 0.99, "eps": 1e-8,  # (not in torch.optim)
               "weight_decay": 1e-4, "clip": 1.0, "every": 10},
    "shampoo": {"lr": 0.1, "eps": 1e-4},
    "soap": {"lr": 3e-3, "beta1": 0.95, "beta2": 0.95, "eps": 1e-8, "weight_decay": 0.0,
             "every": 10},
    # (Schedule-Free and Prodigy are not in torch.optim: the same rules and defaults)
    "sf_sgd": {"lr": 0.01, "beta1": 0.9, "weight_decay": 0.0, "warmup": 0, "lr_power": 2.0},
    "sf_adamw": {"lr": 0.0025, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.0,
                 "warmup": 0, "lr_power": 2.0},
    "prodigy": {"lr": 1.0, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.0,
                "beta3": 0.999**0.5, "d0": 1e-6},
    "muon": {"lr": 1e-3, "beta1": 0.95, "eps": 1e-7, "weight_decay": 0.1, "ns_steps": 5},
}
CASES = [  # surface, start, α (None: the default)
    ("rosenbrock", [-1.5, 2.0], None),
    ("beale", [1.0, 1.5], 1e-2),
    ("himmelblau", [0.5, -0.5], 1e-2),
    ("saddle", [-1.5, 1e-3], 1e-2),
    ("rastrigin", [2.3, -1.7], None),
]


@pytest.mark.parametrize("name", ALL)
def test_pytorch_metadata_has_torchs_defaults_and_its_own_formula(name):
    opt = optim_core.get_optimizer(name, convention="pytorch")
    assert dict(opt.defaults) == TORCH_DEFAULTS[name] and opt.convention == "pytorch"
    assert opt.hyperparams == tuple(h for h in optim_core.HYPERPARAMETERS
                                    if h in TORCH_DEFAULTS[name])  # fmt: skip
    cheat = optim_core.get_optimizer(name)
    assert r"w_{t+1}" in opt.latex and opt.note and opt.title == cheat.title
    assert optim_core.run(name, "beale", [1, 1], 2, convention="pytorch").hyperparams == (
        TORCH_DEFAULTS[name])


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # the reference overflows where a run diverges
@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize(("surface_name", "start", "lr"), CASES)
def test_pytorch_convention_matches_torchs_documented_algorithm(name, surface_name, start, lr):
    surface = surfaces.get(surface_name)
    skip_without_residuals(name, surface)
    hp = dict(TORCH_DEFAULTS[name])
    if lr is not None and "lr" in hp and name not in ("adadelta", "newton", "saddle_free_newton",
                                                       "gauss_newton", "prodigy"):  # fmt: skip
        hp["lr"] = lr
    traj = optim_core.run(name, surface, start, 300, convention="pytorch", **hp)

    def grad(w):
        return surface.grad(np.array(w, dtype=float)).tolist()

    def hessian(w):
        return surface.hessian(np.array(w, dtype=float)).tolist()

    def f(w):
        return float(surface.f(np.array(w, dtype=float)))

    expected = np.array(torch_reference_run(
        name, grad, start, 300, hessian=hessian, f=f, residuals=listed_residuals(surface),
        **{k: hp.get(k) for k in optim_core.HYPERPARAMETERS}))  # fmt: skip
    # the reference does not freeze, and far outside the view rounding differences grow
    # (a run there is a blow-up or a stall): compare up to the first step out of the box
    expected = expected[: _first_out_of_box(surface, traj.path)]
    np.testing.assert_allclose(traj.path[: len(expected)], expected, rtol=reference_rtol(name),
                               atol=1e-12)  # fmt: skip
    assert not np.allclose(traj.path[-1], traj.path[0])  # it moved
    assert traj.convention == "pytorch"


@pytest.mark.parametrize("name", ["momentum", "nag", "adagrad", "rmsprop", "adadelta",
                                  "adamax", "nadam", "amsgrad"])  # fmt: skip
def test_the_two_conventions_really_differ(name):
    # (a large ε, where it sits matters: at 1e-10 inside or outside the root agree)
    hp = {k: (0.1 if k == "eps" else v) for k, v in TORCH_DEFAULTS[name].items()}
    if name == "adadelta":
        hp["lr"] = 0.5  # (at torch's lr = 1 the two are the same rule: see below)
    cheat_hp = {k: v for k, v in hp.items() if k in optim_core.get_optimizer(name).hyperparams}
    a = optim_core.run(name, "beale", [1.0, 1.5], 20, **cheat_hp)
    b = optim_core.run(name, "beale", [1.0, 1.5], 20, convention="pytorch", **hp)
    assert not np.allclose(a.path, b.path)


def test_accumulated_momentum_steps_ten_times_the_ema_form_on_a_steady_slope():
    plane = surfaces.get("quadratic")  # far from the minimum the slope barely changes
    hp = {"lr": 1e-9, "beta1": 0.9}  # (a step this small barely changes the gradient)
    ema = optim_core.run("momentum", plane, [4.0, 4.0], 200, **hp)
    torch = optim_core.run("momentum", plane, [4.0, 4.0], 200, convention="pytorch", **hp)
    ratio = np.linalg.norm(np.diff(torch.path[-2:], axis=0)) / np.linalg.norm(
        np.diff(ema.path[-2:], axis=0))
    assert ratio == pytest.approx(10, rel=1e-3)


def test_bad_conventions_and_hyperparameters_are_clear_errors():
    with pytest.raises(ValueError, match=r"convention must be one of \['cheatsheet', "
                                         r"'pytorch'\]; got 'keras'"):  # fmt: skip
        optim_core.run("adam", "beale", [1, 1], 5, convention="keras")
    # torch's Adadelta takes α; the cheat sheet's refuses it, as before
    optim_core.run("adadelta", "beale", [1, 1], 5, convention="pytorch", lr=0.5)
    with pytest.raises(ValueError, match="lr is not a hyperparameter of adadelta"):
        optim_core.run("adadelta", "beale", [1, 1], 5, lr=0.5)
    with pytest.raises(ValueError, match="eps is not a hyperparameter of sgd"):
        optim_core.run("sgd", "beale", [1, 1], 5, convention="pytorch", eps=1e-8)
    with pytest.raises(ValueError, match="'adam' is in the 'cheatsheet' convention"):
        optim_core.run(optim_core.get_optimizer("adam"), "beale", [1, 1], 5,
                       convention="pytorch")  # fmt: skip


def test_batches_and_record_final_agree_with_single_runs_in_pytorch_convention():
    starts = np.array([[-1.5, 2.0], [0.5, 0.5], [2.0, -1.0]])
    batch = optim_core.run("nadam", "rosenbrock", starts, 100, convention="pytorch")
    final = optim_core.run("nadam", "rosenbrock", starts, 100, convention="pytorch",
                           record="final")  # fmt: skip
    for i, s in enumerate(starts):
        one = optim_core.run("nadam", "rosenbrock", s, 100, convention="pytorch")
        np.testing.assert_array_equal(batch.path[:, i], one.path)
        np.testing.assert_array_equal(final.final_point[i], one.path[-1])


def test_torchs_adadelta_at_its_default_lr_is_the_cheat_sheets():
    a = optim_core.run("adadelta", "beale", [1.0, 1.5], 300, beta2=0.9, eps=1e-6)
    b = optim_core.run("adadelta", "beale", [1.0, 1.5], 300, convention="pytorch")
    np.testing.assert_allclose(b.path, a.path, rtol=1e-12, atol=1e-15)


def _first_out_of_box(surface, path) -> int:
    """The first step of ``path`` outside the divergence box (its length if none)."""
    low, high = optim_core.divergence_box(surface)
    out = np.flatnonzero(~np.all((path >= low) & (path <= high), axis=1))
    return int(out[0]) if len(out) else len(path)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # the reference divides by 0 as torch does
@pytest.mark.parametrize(("surface_name", "start", "lr"), CASES)
def test_torchs_lbfgs_with_its_strong_wolfe_search_matches_its_code(surface_name, start, lr):
    from tests.reference import torch_lbfgs_reference

    surface = surfaces.get(surface_name)
    lr = 1.0 if lr is None else lr
    traj = optim_core.run("lbfgs", surface, start, 300, convention="pytorch", lr=lr,
                          line_search="strong_wolfe")  # fmt: skip

    def f(w):
        return float(surface.f(np.array(w, dtype=float)))

    def grad(w):
        return surface.grad(np.array(w, dtype=float)).tolist()

    expected = np.array(torch_lbfgs_reference(grad, start, 300, lr, 100, "strong_wolfe", f))
    # (a run frozen where it blew up: compare up to where either left the box)
    expected = expected[: min(_first_out_of_box(surface, traj.path),
                              _first_out_of_box(surface, expected))]  # fmt: skip
    np.testing.assert_array_equal(traj.path[: len(expected)], expected)  # bit for bit
    assert not np.allclose(traj.path[-1], traj.path[0])
    # what each step cost: the closure, then the search's evaluations (1 or more)
    evals = traj.state["f_evals"][1 : len(expected)]
    assert np.all(evals >= 1) and np.any(evals >= 2)
    assert len(expected) > 2
    none = optim_core.run("lbfgs", surface, start, 300, convention="pytorch", lr=lr)
    assert not np.array_equal(none.path, traj.path)
