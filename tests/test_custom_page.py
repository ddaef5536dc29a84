"""The race page's typed surfaces and surface parameters, through AppTest: the formula and
the sliders reach the runs (against the core) and the link; a bad formula gets a message
at the input and the last good surface stays."""

from __future__ import annotations

import numpy as np

import optim_core
import scenes
import surfaces
from tests.test_app import _app, _race
from tests.test_viz import plotly_array

ROSENBROCK = "(1 - x)^2 + 100*(y - x^2)^2"


def _path(at, label, coordinate="x"):
    """A run's path as the page drew it (a session sends a path once: a page opened from
    the link has them all)."""
    trace = next(t for t in _race(at)["runs"]["plane"] if t.get("name") == label)
    path = _race(at)["runs"]["paths"][trace["path"]]
    if coordinate not in path:
        return _path(_app(dict(at.query_params)), label, coordinate)
    return plotly_array(path[coordinate])


def _path_id(at, label):
    trace = next(t for t in _race(at)["runs"]["plane"] if t.get("name") == label)
    return _race(at)["runs"]["paths"][trace["path"]]["id"]


def _start(at):
    return (at.session_state.start_x, at.session_state.start_y)


def test_a_typed_surface_runs_renders_and_goes_in_the_link():
    at = _app({"opt": "adam", "steps": "100"})
    at.selectbox(key="surface").set_value(scenes.CUSTOM).run()
    assert not at.exception
    assert at.text_input(key="custom_f").value == scenes.DEFAULT_FORMULA
    at.text_input(key="custom_f").set_value(ROSENBROCK).run()
    for key, value in zip(("custom_x0", "custom_x1", "custom_y0", "custom_y1"), (-2, 2, -1, 3),
                          strict=True):  # fmt: skip
        at.number_input(key=key).set_value(float(value)).run()
    assert not at.exception and not at.sidebar.error
    assert at.query_params["surface"] == "custom" and at.query_params["f"] == ROSENBROCK
    assert at.query_params["domain"] == "-2.0,2.0,-1.0,3.0"
    # what was understood, rendered back
    assert any(r"\left(1 - x\right)^{2} + 100 \left(- x^{2} + y\right)^{2}" in x.value
               for x in at.sidebar.latex)  # fmt: skip
    typed = surfaces.from_expression(ROSENBROCK, ((-2, 2), (-1, 3)))
    lr = at.session_state["adam.lr"]
    tr = optim_core.run("adam", typed, _start(at), 100, lr=lr)
    np.testing.assert_allclose(_path(at, "Adam"), tr.path[:, 0], rtol=1e-6)
    # and the same race on the built-in Rosenbrock
    built = optim_core.run("adam", "rosenbrock", _start(at), 100, lr=lr)
    np.testing.assert_allclose(tr.path, built.path, rtol=1e-9, atol=1e-12)
    again = _app(dict(at.query_params))
    star = next(t for t in _race(again)["static"]["plane"]["data"]
                if (t.get("name") or "").startswith("minimizer"))  # fmt: skip
    assert star["name"] == "minimizer (found numerically)" and star["x"] == [1.0]
    assert again.selectbox(key="surface").value == "custom"
    assert again.text_input(key="custom_f").value == ROSENBROCK
    np.testing.assert_allclose(_path(again, "Adam"), tr.path[:, 0], rtol=1e-6)


def test_a_bad_formula_is_said_at_the_input_and_the_last_good_surface_stays():
    at = _app({"surface": "custom", "f": "x^2 + y^2", "opt": "sgd", "steps": "50"})
    before = _path_id(at, "SGD")
    at.text_input(key="custom_f").set_value("x^2 + z").run()
    assert not at.exception
    errors = [e.value for e in at.sidebar.error]
    assert len(errors) == 1 and "unknown name" in errors[0] and "z" in errors[0]
    assert any("Still showing the last surface that worked" in c.value for c in at.sidebar.caption)
    assert at.query_params["f"] == "x^2 + y^2"  # the link keeps the surface shown
    assert _path_id(at, "SGD") == before  # the same run, still on screen
    at.text_input(key="custom_f").set_value("sin(x").run()
    assert "are not closed" in at.sidebar.error[0].value  # (sin(x)
    at.text_input(key="custom_f").set_value("2x^2 + y^2").run()
    assert "write 2*x for 2 times x" in at.sidebar.error[0].value.replace("\\", "")
    at.text_input(key="custom_f").set_value("x^2 + 2*y^2").run()  # recovered
    assert not at.sidebar.error and at.query_params["f"] == "x^2 + 2*y^2"
    at.number_input(key="custom_x0").set_value(5.0).run()  # a domain the wrong way round
    assert "“x from” (5) must be less than its “to” (3)" in at.sidebar.error[0].value.replace(
        "\\", "")  # fmt: skip
    assert at.query_params["domain"] == "-3.0,3.0,-3.0,3.0"
    at.number_input(key="custom_x0").set_value(-3.0).run()
    assert not at.sidebar.error
    tr = optim_core.run("sgd", surfaces.from_expression("x^2 + 2*y^2"), _start(at), 50,
                        lr=at.session_state["sgd.lr"])  # fmt: skip
    np.testing.assert_allclose(_path(at, "SGD"), tr.path[:, 0], rtol=1e-6)


def test_a_constant_formula_says_there_is_nothing_to_optimize():
    at = _app({"surface": "custom", "f": "3*pi", "opt": "sgd"})
    assert not at.exception
    assert any("nothing to optimize" in i.value for i in at.info)


def test_a_bad_formula_in_a_link_is_named_and_the_default_shown():
    at = _app({"surface": "custom", "f": "__import__('os')", "opt": "sgd"})
    assert not at.exception
    text = at.warning[0].value
    assert "The typed surface in the link" in text and "__import__" in text
    assert at.text_input(key="custom_f").value == scenes.DEFAULT_FORMULA
    assert at.query_params["f"] == scenes.DEFAULT_FORMULA


def test_surface_parameter_sliders_reach_the_run_and_the_link():
    at = _app({"surface": "rosenbrock", "opt": "sgd", "steps": "50", "sgd.lr": "0.001"})
    labels = [s.label for s in at.sidebar.slider]
    assert "a: the minimum is at (a, a²)" in labels
    at.slider(key="surf.rosenbrock.a").set_value(2.0).run()
    at.slider(key="surf.rosenbrock.b").set_value(10.0).run()
    assert not at.exception
    assert (at.query_params["surf.a"], at.query_params["surf.b"]) == ("2.0", "10.0")
    surface = surfaces.get("rosenbrock", a=2.0, b=10.0)
    assert any("(2 - x)^2 + 10" in x.value for x in at.sidebar.latex)
    tr = optim_core.run("sgd", surface, _start(at), 50, lr=0.001)
    np.testing.assert_allclose(_path(at, "SGD"), tr.path[:, 0], rtol=1e-6)
    data = _race(at)
    star = next(t for t in data["static"]["plane"]["data"] if t.get("name") == "minimizer")
    assert (star["x"], star["y"]) == ([2.0], [4.0])  # the minimum moved with a
    again = _app(dict(at.query_params))
    assert again.slider(key="surf.rosenbrock.a").value == 2.0
    np.testing.assert_allclose(_path(again, "SGD"), tr.path[:, 0], rtol=1e-6)


def test_the_quadratic_turns_and_a_bad_parameter_in_a_link_is_named():
    at = _app({"surface": "quadratic", "opt": "sgd", "surf.angle": "45", "surf.kappa": "5000"})
    assert at.slider(key="surf.quadratic.angle").value == 45.0
    assert "surf.kappa = ` 5000 ` in the link is not a number in [1, 1000]" in at.warning[0].value
    eig, vec = np.linalg.eigh(surfaces.get("quadratic", angle=45.0).hessian([0.0, 0.0]))
    np.testing.assert_allclose(eig, [1.0, 10.0])
    np.testing.assert_allclose(np.abs(vec[:, 1]), [np.sqrt(0.5)] * 2)  # the steep axis at 45°


def test_every_parametric_surface_has_its_sliders():
    for base, params in scenes.SURFACE_PARAMS.items():
        at = _app({"surface": base, "opt": "sgd"})
        assert not at.exception
        keys = {s.key for s in at.sidebar.slider}
        assert {f"surf.{base}.{k}" for k in params if k not in scenes.SURFACE_SWITCHES} <= keys
        switches = {t.key for t in at.sidebar.toggle}  # (0 or 1: standardize)
        assert {f"surf.{base}.{k}" for k in params if k in scenes.SURFACE_SWITCHES} <= switches


def test_a_formula_undefined_over_part_of_the_domain_is_drawn_blank_there():
    at = _app({"surface": "custom", "f": "log(x) + y^2", "domain": "-1,3,-1,1", "opt": "sgd",
               "start": "2.5,0.8"})  # fmt: skip
    assert not at.exception and not at.warning
    names = [t.get("name") for t in _race(at)["static"]["plane"]["data"]]
    assert not any(n and n.startswith("minimizer") for n in names)  # log(x) falls to x = 0
    assert any("no minimizer inside the domain" in c.value for c in at.sidebar.caption)


def test_a_surface_parameter_the_surface_lacks_is_named_as_such():
    at = _app({"surface": "rosenbrock", "opt": "sgd", "surf.kappa": "5"})
    text = " ".join(w.value for w in at.warning)
    assert "surf.kappa" in text and "Rosenbrock has no such parameter (it takes surf.a, surf.b)" in text


def test_same_values_for_all_measures_alpha_on_the_surface_shown():
    at = _app({"surface": "custom", "f": "x^2 + 10*y^2", "opt": "sgd,momentum"})
    at.toggle(key="same_for_all").set_value(True).run()
    assert not at.exception
    spec = surfaces.from_expression("x^2 + 10*y^2").name
    want, _ = scenes.suited_shared_lr(spec, ("sgd", "momentum"), _start(at), 300,
                                      {h: at.session_state[f"all.{h}"] for h in
                                       ("beta1", "beta2", "eps")})  # fmt: skip
    assert at.session_state["all.lr"] == want
    quad = _app({"surface": "quadratic", "surf.kappa": "1000", "opt": "sgd"})
    quad.toggle(key="same_for_all").set_value(True).run()
    lr = quad.session_state["all.lr"]
    assert lr * 1000 < 2  # stable on the steep axis of this κ, not the default bowl's
