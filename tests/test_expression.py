"""Typed surfaces: the whitelist parser, the SymPy derivatives, hostile input, and the
surfaces' parameters by name."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import optim_core
import surfaces
from surfaces import expression

ROSENBROCK = "(1 - x)^2 + 100*(y - x^2)^2"


def random_points(k=20, seed=0, low=-2.0, high=2.0):
    return np.random.default_rng(seed).uniform(low, high, (k, 2))


def test_typed_rosenbrock_equals_the_built_in_one():
    typed = surfaces.from_expression(ROSENBROCK, ((-2, 2), (-1, 3)))
    built = surfaces.get("rosenbrock")
    points = random_points()
    np.testing.assert_allclose(typed.f(points), built.f(points), rtol=1e-12)
    np.testing.assert_allclose(typed.grad(points), built.grad(points), rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(typed.hessian(points), built.hessian(points), rtol=1e-12,
                               atol=1e-9)  # fmt: skip
    np.testing.assert_allclose(typed.minimizers, [[1.0, 1.0]], atol=1e-10)
    assert typed.min_value == pytest.approx(0.0, abs=1e-18)
    assert "found numerically" in typed.description
    # and it runs like the built-in one
    a = optim_core.run("adam", typed, (-1.5, 2.0), 200, lr=0.02)
    b = optim_core.run("adam", built, (-1.5, 2.0), 200, lr=0.02)
    np.testing.assert_allclose(a.path, b.path, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("text,point,value,grad", [
    ("x**2 + 3*sin(y)", (1.0, 0.0), 1.0, (2.0, 3.0)),
    ("log(1 + x^2 + y^2)", (1.0, 1.0), np.log(3), (2 / 3, 2 / 3)),
    ("abs(x) + sqrt(y^2 + 1)", (-2.0, 0.0), 3.0, (-1.0, 0.0)),
    ("exp(-x) * cosh(y) - atan(x*y) + tanh(x) / 2", (0.0, 0.0), 1.0, (-0.5, 0.0)),
    ("pi*x + e*y - tan(x) + sinh(y)", (0.0, 0.0), 0.0, (np.pi - 1, np.e + 1)),
    ("-x^2^1 + +y", (1.0, 2.0), 1.0, (-2.0, 1.0)),
])  # fmt: skip
def test_formulas_read_as_written(text, point, value, grad):
    surface = surfaces.from_expression(text, ((-3, 3), (-3, 3)))
    assert surface.f(point) == pytest.approx(value, rel=1e-12, abs=1e-15)
    np.testing.assert_allclose(surface.grad(point), grad, rtol=1e-12, atol=1e-15)
    h = 1e-6  # the Hessian against differences of the exact gradient
    for k, d in enumerate(np.eye(2) * h):
        column = (surface.grad(np.add(point, d)) - surface.grad(np.subtract(point, d))) / (2 * h)
        np.testing.assert_allclose(surface.hessian(point)[:, k], column, rtol=1e-5, atol=1e-6)


def test_several_global_minima_are_all_found():
    himmelblau = surfaces.from_expression("(x^2 + y - 11)^2 + (x + y^2 - 7)^2",
                                          ((-5, 5), (-5, 5)))  # fmt: skip
    found = himmelblau.minimizers[np.lexsort(himmelblau.minimizers.T)]
    known = surfaces.get("himmelblau").minimizers
    known = known[np.lexsort(known.T)]
    np.testing.assert_allclose(found, known, atol=1e-8)


def test_no_minimum_inside_the_domain_is_said():
    slope = surfaces.from_expression("x - y", ((-1, 1), (-1, 1)))
    assert len(slope.minimizers) == 0 and not slope.bounded_below
    assert "no minimizer inside the domain" in slope.description


def test_a_constant_is_a_surface_with_nothing_to_optimize():
    flat = surfaces.from_expression("2*pi", ((-1, 1), (-1, 1)))
    assert expression.parse("2*pi").constant
    assert flat.f(random_points()).tolist() == [2 * np.pi] * 20
    np.testing.assert_array_equal(flat.grad(random_points()), 0.0)
    assert len(flat.minimizers) == 0 and "nothing to optimize" in flat.description


@pytest.mark.parametrize("text,message", [
    ("x + z", r"column 5: unknown name 'z'; allowed: variables x, y; functions sin"),
    ("sin(x", r"syntax error: 1 of the \( are not closed"),
    ("x +", r"column 3: the formula ends with '\+': something is missing after it"),
    ("2x + 3sin(y)", r"column 2: write 2\*x for 2 times x"),
    ("1.5x^2", r"column 4: write 1.5\*x for 1.5 times x"),
    ("2(x + 1)", r"write 2\*\(…\) for a number times a bracket"),
    ("x)", r"a \) closes no \("),
    ("x +* y", r"syntax error at column"),
    ("x.real", r"attribute access \(\.\) is not allowed"),
    ("__import__('os').system('true')", r"the character \"'\" is not allowed"),
    ("__import__.x", r"attribute access \(\.\) is not allowed"),
    ("(lambda: 1)()", r"the character ':' is not allowed"),
    ("[x for x in [1]]", r"the character '\[' is not allowed"),
    ("x if y else 1", r"if/else is not allowed"),
    ("9**9**9", r"9 \*\* 9 \*\* 9 is not a real number at most 1e\+100"),
    ("x**(9**9)", r"an exponent of 387420489 is too large; at most 64"),
    ("((64**64)**64)**64", r"64 \*\* 64 is not a real number at most 1e\+100"),
    ("x" * 201, r"201 characters long; at most 200"),
    ("sin", r"sin is a function: write sin\(…\)"),
    ("sin(x, y)", r"sin takes one argument"),
    ("1/0", r"1 / 0 is not a real number"),
    ("x/0", r"division by zero"),
    ("x < y", r"the character '<' is not allowed"),
    ("'x'", r"column 1: the character \"'\" is not allowed"),
    ("x^2 + y^2 # ![p](http://a.example/p.png)", r"column 11: the character '#' is not allowed"),
    ("x + sin(exp(1e9))", r"column 9: exp\(1000000000.0\) is not a real number at most 1e\+100"),
    ("x + cos(exp(exp(20)))", r"exp\(exp\(20\)\) is not a real number"),
    ("sqrt(-1) + x", r"column 1: sqrt\(-1\) is not a real number"),
    ("", r"the formula is empty"),
    ("-" * 40 + "x", r"nested more than 24 levels"),
])  # fmt: skip
def test_bad_formulas_say_what_and_where(text, message):
    with pytest.raises(ValueError, match=message):
        surfaces.from_expression(text)


def test_a_formula_whose_derivatives_explode_is_refused_before_its_hessian(monkeypatch):
    """The slow parts (the Hessian, lambdify) are never reached: the gradient's size
    decides first (bench/typed.py times the refusal)."""
    product = "*".join(f"(x+y*{i})" for i in range(1, 20))
    diffs, lambdified = [], []
    real_diff = expression.sympy.diff
    monkeypatch.setattr(expression.sympy, "diff", lambda *a: diffs.append(a) or real_diff(*a))
    monkeypatch.setattr(expression.sympy, "lambdify", lambda *a, **k: lambdified.append(a))
    with pytest.raises(ValueError, match=r"derivatives are too large to work out here \(its "
                       r"gradient has \d+ parts; at most 600\)"):  # fmt: skip
        surfaces.from_expression(product)
    assert len(diffs) == 2 and not lambdified  # ∂f/∂x and ∂f/∂y only


def test_a_flat_product_too_long_is_said_to_have_too_many_terms():
    with pytest.raises(ValueError, match=r"too many terms: more than 120 numbers, names"):
        surfaces.from_expression("*".join(["x"] * 61))
    surfaces.from_expression("*".join(["x"] * 40))  # a long flat product is not "deep"
    surfaces.from_expression(" + ".join(["x"] * 40))


def test_a_formula_undefined_over_much_of_the_domain_is_refused():
    with pytest.raises(ValueError, match=r"not a finite number over 100% of the domain"):
        surfaces.from_expression("log(-1 - x^2)", ((-1, 1), (-1, 1)))
    with pytest.raises(ValueError, match=r"over 7\d% of the domain"):
        surfaces.from_expression("sqrt(x - 0.5)", ((-1, 1), (-1, 1)))
    half = surfaces.from_expression("log(x) + y^2", ((-1, 3), (-1, 1)))  # 25 %: allowed
    assert np.isnan(half.f((-0.5, 0.0))) and half.f((1.0, 0.0)) == 0.0
    # log(x) falls without bound towards x = 0: no minimizer at the undefined region's edge
    assert len(half.minimizers) == 0 and not half.bounded_below


def test_a_bad_domain_or_start_is_refused():
    for domain in (((1, -1), (0, 1)), ((0, np.inf), (0, 1)), ((0, 1e5), (0, 1)), "abc"):
        with pytest.raises(ValueError, match="domain"):
            surfaces.from_expression("x^2", domain)
    with pytest.raises(ValueError, match="start must lie in the domain"):
        surfaces.from_expression("x^2", ((-1, 1), (-1, 1)), start=(5, 0))


def test_a_typed_surface_is_named_by_a_string_that_gives_it_back():
    typed = surfaces.from_expression("x^2 + 2*y^2", ((-1.5, 1.5), (-1, 1)))
    assert surfaces.get(typed.name) is typed
    again = surfaces.get(typed.name)
    assert again.domain == ((-1.5, 1.5), (-1.0, 1.0))
    trajectory = optim_core.run("sgd", typed.name, (1.0, 1.0), 10, lr=0.1)
    assert trajectory.surface is typed


def test_parametric_surfaces_are_named_with_their_parameters():
    assert surfaces.spec("rosenbrock") == "rosenbrock"
    assert surfaces.spec("rosenbrock", a=1.0, b=100.0) == "rosenbrock"
    name = surfaces.spec("rosenbrock", a=2.0, b=10.0)
    assert name == "rosenbrock(a=2.0,b=10.0)"
    surface = surfaces.get(name)
    np.testing.assert_array_equal(surface.minimizers, [[2.0, 4.0]])
    with pytest.raises(ValueError, match="rosenbrock parameter b must be a finite number > 0"):
        surfaces.get("rosenbrock(b=-1)")
    with pytest.raises(ValueError, match="not key=number"):
        surfaces.get("rosenbrock(b=lots)")


# ---------------------------------------------------------------- hostile strings

HOSTILE = [
    "__import__('os').system('touch /tmp/pwned')", "().__class__.__bases__[0].__subclasses__()",
    "x.__class__", "globals()", "exec('1')", "eval('x')", "open('/etc/passwd').read()",
    "lambda x: x", "[c for c in ()]", "{1: 2}", "x if y else 2", "x; import os", "import os",
    "9**9**9", "10**10**10", "2**2**2**2**2", "x**1e10", "exp(exp(exp(exp(exp(x)))))",
    "(" * 100 + "x" + ")" * 100, "-" * 199 + "x", "x" + "+x" * 99, "1e999", "0x10", "1j * x",
    "sin(x)(y)", "f'{x}'", "x[0]", "*x", "x := 1", "await x", "yield x", "x @ y", "x // y",
    "x % y", "x << 2", "~x", "not x", "x and y", "sympy.sin(x)", "S(1)", "Symbol('x')",
    "Integer(9)**Integer(9)**Integer(9)", "factorial(100000)", "sin(x, evaluate=False)",
    "*".join(f"(x+y*{i})" for i in range(1, 20)),  # its Hessian: 44,000 parts, seconds
    "*".join(f"exp(sin({i}*x*y))" for i in range(1, 12)), "sin(" * 24 + "x" + ")" * 24,
    # numbers SymPy would work out to hundreds of millions of digits (it took hours)
    "x+sin(exp(1e9))", "x+sin(exp(9**9))", "x+cos(exp(exp(20)))", "x**sin(exp(exp(20)))",
    "x+exp(exp(exp(exp(3.2))))", "x+exp(exp(1e4))", "x**exp(exp(exp(exp(10))))",
    "x+sqrt(-exp(exp(exp(exp(10)))))", "x+tan(exp(exp(20)))", "sin(exp(exp(20)))**x",
    "atan(" * 22 + "x/y" + ")" * 22, "tanh(" * 22 + "x*y" + ")" * 22,
    "x^2 # ![pixel](https://attacker.example/p.png)",
]  # fmt: skip
ALPHABET = st.sampled_from(list("xy0123456789.+-*/^()e, _[]'\"abcdefghijklmnopqrstuvwz:;=<>!@#%&|~{}"))
TOKENS = st.sampled_from(["x", "y", "sin(", "exp(", "log(", "sqrt(", "abs(", "(", ")", "**", "^",
                          "*", "/", "+", "-", "9", "99", "0.5", "pi", "e", "__import__", ".",
                          "lambda", "[", "]", ",", "os", "'", "__class__", "1e308"])  # fmt: skip


def _one(text: str) -> None:
    """Either a valid surface or a ValueError, and nothing executed. What is accepted is
    inside the caps that bound the work (length, terms, depth, the gradient's size;
    bench/typed.py times the slowest of these strings)."""
    try:
        surface = surfaces.from_expression(text, ((-2, 2), (-2, 2)))
    except ValueError:
        return
    assert surface.latex.startswith("f(x, y) = ")
    np.asarray(surface.grad(np.zeros(2)))
    expr = expression.parse(text).expr
    assert len(text) <= expression.MAX_LENGTH, text
    gradient = [expression._smooth(expression.sympy.diff(expr, v))
                for v in (expression.X, expression.Y)]  # fmt: skip
    size = sum(1 for g in gradient for _ in expression.sympy.preorder_traversal(g))
    assert size <= expression.MAX_GRADIENT_NODES, text


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_formulas_are_refused_or_harmless(text, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _one(text)
    assert not list(tmp_path.iterdir())


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(ALPHABET, max_size=80), st.lists(TOKENS, max_size=40).map("".join),
                 st.text(max_size=60)))  # fmt: skip
def test_any_string_is_a_surface_or_a_value_error(text):
    _one(text)


def test_nothing_in_the_module_hands_text_to_python_or_sympy_parsers():
    source = (expression.__file__ and open(expression.__file__).read()) or ""
    for forbidden in ("eval(", "exec(", "sympify(", "parse_expr(", "compile("):
        assert forbidden not in source, forbidden


def test_a_line_of_minima_is_said_to_be_one():
    valley = surfaces.from_expression("y^2", ((-1, 1), (-1, 1)))
    assert len(valley.minimizers) == expression.MAX_MARKED
    assert np.all(valley.minimizers[:, 1] == 0)
    assert "f is lowest along a line or over a region" in valley.description


def test_a_run_into_where_f_is_undefined_is_said_to_be_so():
    import viz

    root = surfaces.from_expression("sqrt(x + 3) + y^2")
    x, y = root.default_start
    assert np.isfinite(root.f((x, y))) and np.all(np.isfinite(root.grad((x, y))))
    run = optim_core.run("sgd", root, (x, y), 300, lr=0.05)
    way_out = viz.run_exit(root, run)
    assert way_out is not None and way_out.verb == viz.UNDEFINED
    assert run.path[way_out.step, 0] < -3  # it stands where sqrt(x + 3) has no value
    assert np.all(np.diff(run.loss[: way_out.step]) < 0)  # downhill until then, no blow-up


def test_the_default_start_is_where_f_and_its_gradient_are_defined():
    half = surfaces.from_expression("sqrt(x)", ((-3, 3), (-3, 3)))
    x, y = half.default_start
    assert x > 0 and np.isfinite(half.f((x, y))) and np.all(np.isfinite(half.grad((x, y))))
