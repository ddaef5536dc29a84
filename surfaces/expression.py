r"""Surfaces that users type: ``from_expression("x**2 + 3*sin(y)", domain=...)``.

The text is never evaluated as Python. It is parsed with :mod:`ast` and every node is
checked against a whitelist (numbers, ``x``, ``y``, ``+ - * / ** ^``, unary minus,
parentheses, and the functions and constants of :data:`FUNCTIONS` and
:data:`CONSTANTS`); the SymPy expression is then built from the tree here, node by
node. SymPy gives the exact gradient and Hessian, which :func:`sympy.lambdify` turns
into vectorized NumPy functions (its generated code comes from our SymPy trees, never
from the user's text).

Everything that could make SymPy or NumPy work without bound is capped: the text's
length, the tree's depth, and every number used as an exponent (at most
:data:`MAX_EXPONENT` in size). A bad input is a ValueError that says what and where.
"""

from __future__ import annotations

import ast
import functools
import math
import re
from dataclasses import dataclass

import numpy as np
import sympy

from .base import Surface

MAX_LENGTH = 200  # characters of the typed formula
MAX_DEPTH = 24  # nesting of the parsed tree (operations inside operations)
MAX_EXPONENT = 64  # |p| of any number used as an exponent (x**p, 2**p)
MAX_NODES = 120  # operations, numbers and names in the tree
MAX_GRADIENT_NODES = 600  # parts of the gradient's two trees (Goldstein-Price's: 328)
MAX_NUMBER = 1e100  # any part of the formula that is a number alone (sin(exp(1e9)): no)
MAX_DOMAIN = 1e4  # |x|, |y| of the domain's corners
MAX_BAD_SHARE = 0.5  # the largest share of the domain where f may be undefined
GRID = 121  # points per side where minimizers are looked for
MAX_MARKED = 16  # minimizers marked at most (a line of minima: that many of its points)

ALLOWED_SIGNS = "+ - * / ^ ( ) . , _ \t"  # besides letters and digits (and spaces)
X, Y = sympy.symbols("x y", real=True)
FUNCTIONS = {
    "sin": sympy.sin, "cos": sympy.cos, "tan": sympy.tan, "exp": sympy.exp,
    "log": sympy.log, "sqrt": sympy.sqrt, "abs": sympy.Abs, "tanh": sympy.tanh,
    "sinh": sympy.sinh, "cosh": sympy.cosh, "atan": sympy.atan,
}  # fmt: skip
CONSTANTS = {"pi": sympy.pi, "e": sympy.E}
VARIABLES = {"x": X, "y": Y}
_BINARY = {ast.Add: "+", ast.Sub: "−", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}


def allowed_names() -> str:
    """The names a formula may use, in words (for messages and the page)."""
    return (f"variables x, y; functions {', '.join(FUNCTIONS)}; constants "
            f"{', '.join(CONSTANTS)}")  # fmt: skip


@dataclass(frozen=True)
class Parsed:
    """A formula read from text: its SymPy expression and the text it came from."""

    text: str
    expr: sympy.Expr

    @property
    def constant(self) -> bool:
        """Whether f depends on neither x nor y (nothing to optimize)."""
        return not (self.expr.free_symbols & {X, Y})


def parse(text: str) -> Parsed:
    """The formula ``text`` as a SymPy expression in x and y, built from a checked
    syntax tree; ``^`` means power. A ValueError says what is wrong and where
    (column, counting from 1)."""
    if not isinstance(text, str):
        raise ValueError(f"the formula must be text; got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ValueError(f"the formula is {len(text)} characters long; at most "
                         f"{MAX_LENGTH} are allowed")  # fmt: skip
    if not text.strip():
        raise ValueError(f"the formula is empty: type f(x, y), e.g. x**2 + 3*sin(y) (at most "
                         f"{MAX_LENGTH} characters)")  # fmt: skip
    for i, c in enumerate(text, start=1):  # (a # would make the rest a comment, unchecked)
        if not (c.isascii() and (c.isalnum() or c in ALLOWED_SIGNS)):
            raise ValueError(f"column {i}: the character {c!r} is not allowed; a formula "
                             f"uses letters, digits and {' '.join(ALLOWED_SIGNS.split())}")
    # ^ is power here (in Python it is xor, which binds more loosely than +); columns in
    # messages are mapped back to the text as typed
    source = text.replace("^", "**")
    shift = _column_map(text)
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except SyntaxError as error:
        raise ValueError(_syntax_message(text, error, shift)) from None
    except (ValueError, RecursionError, MemoryError):
        raise ValueError("the formula cannot be read (too deeply nested or not text)") from None
    lead = len(text) - len(text.lstrip())
    counter = [0]
    expr = _build(tree.body, 1, counter, lambda node: shift(node.col_offset + 1) + lead)
    if expr.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
        raise ValueError("the formula is infinite or undefined everywhere (a division by "
                         "zero?)")  # fmt: skip
    return Parsed(text, expr)


def _column_map(text: str):
    """Column in the parsed source (each ^ became **) → column in the typed text."""
    columns = []
    for i, c in enumerate(text, start=1):
        columns += [i, i] if c == "^" else [i]

    def shift(column: int) -> int:
        return columns[min(max(column, 1), len(columns)) - 1] if columns else 1

    return shift


def _syntax_message(text: str, error: SyntaxError, shift) -> str:
    """A syntax error in words a newcomer can act on, with the column where it is."""
    stripped = text.rstrip()
    # 2x, 3sin(y), 1.5x^2: a number glued to a name
    glued = re.search(r"(?<![\w.])(\d+(?:\.\d*)?(?:[eE][+-]?\d+)?)([A-Za-z_]\w*)", text)
    if glued:
        number, name = glued.groups()
        return (f"syntax error at column {glued.start(2) + 1}: write {number}*{name} for "
                f"{number} times {name} (a number cannot be followed directly by a name)")
    if stripped and stripped[-1] in "+-*/^(,.":
        return (f"syntax error at column {len(stripped)}: the formula ends with "
                f"{stripped[-1]!r}: something is missing after it")  # fmt: skip
    if text.count("(") > text.count(")"):
        return (f"syntax error: {text.count('(') - text.count(')')} of the ( are not "
                "closed with a )")  # fmt: skip
    if text.count(")") > text.count("("):
        return "syntax error: a ) closes no ("
    column = shift(error.offset or 1) + (len(text) - len(text.lstrip()))
    reason = (error.msg or "invalid syntax").replace("invalid syntax", "this can't be read")
    return f"syntax error at column {column}: {reason}"


_MATH = {"sin": math.sin, "cos": math.cos, "tan": math.tan, "exp": math.exp, "log": math.log,
         "sqrt": math.sqrt, "abs": abs, "tanh": math.tanh, "sinh": math.sinh,
         "cosh": math.cosh, "atan": math.atan}  # fmt: skip
_CONSTANT_VALUES = {"pi": math.pi, "e": math.e}


class _NotNumeric(Exception):
    """A node that is not a number alone (it holds x or y, or is not on the whitelist)."""


def _float_value(node: ast.AST) -> float:
    """A node without x and y, worked out in floats (OverflowError, ValueError and
    ZeroDivisionError pass through; a complex result is a ValueError)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not \
            isinstance(node.value, bool):  # fmt: skip
        return float(node.value)
    if isinstance(node, ast.Name) and node.id in _CONSTANT_VALUES:
        return _CONSTANT_VALUES[node.id]
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        value = _float_value(node.operand)
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        a, b = _float_value(node.left), _float_value(node.right)
        if isinstance(node.op, ast.Pow):
            out = a**b
            if isinstance(out, complex):
                raise ValueError("not a real number")
            return float(out)
        return {ast.Add: a + b, ast.Sub: a - b, ast.Mult: a * b}.get(type(node.op)) \
            if not isinstance(node.op, ast.Div) else a / b  # fmt: skip
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            and node.func.id in _MATH and len(node.args) == 1 and not node.keywords):  # fmt: skip
        return float(_MATH[node.func.id](_float_value(node.args[0])))
    raise _NotNumeric


def _check_number(node: ast.AST, column) -> None:
    """A part of the formula that is a number alone must be a finite real number at most
    MAX_NUMBER in size: SymPy works numbers out exactly, and sin(exp(1e9)) would take it
    hours (a number of 400 million digits, to full precision)."""
    bad = _smallest_bad_number(node)
    if bad is not None:
        shown = ast.unparse(bad)
        shown = shown if len(shown) <= 30 else shown[:29] + "…"
        raise ValueError(f"column {column(bad)}: {shown} is not a real number at most "
                         f"{MAX_NUMBER:g} in size")  # fmt: skip


def _smallest_bad_number(node: ast.AST) -> ast.AST | None:
    """The innermost part of ``node`` that is a number alone and not a finite real one
    within MAX_NUMBER (exp(1e9) in sin(exp(1e9))), or None."""
    for child in ast.iter_child_nodes(node):
        bad = _smallest_bad_number(child)
        if bad is not None:
            return bad
    if isinstance(node, (ast.Constant, ast.Name)) or any(
            isinstance(n, ast.Name) and n.id in VARIABLES for n in ast.walk(node)):
        return None  # (a literal is checked where it is read; x and y are not numbers)
    try:
        value = _float_value(node)
    except _NotNumeric:
        return None
    except (OverflowError, ValueError, ZeroDivisionError):
        return node
    return None if math.isfinite(value) and abs(value) <= MAX_NUMBER else node


def _kind(op: ast.operator) -> str:
    """The family of a binary operation: sums, products or powers."""
    if isinstance(op, (ast.Add, ast.Sub)):
        return "sum"
    return "product" if isinstance(op, (ast.Mult, ast.Div)) else "power"


def _build(node: ast.AST, depth: int, counter: list, column) -> sympy.Expr:
    """The SymPy expression of a checked node (the whitelist)."""
    _check_number(node, column)
    counter[0] += 1
    if counter[0] > MAX_NODES:
        raise ValueError(f"the formula has too many terms: more than {MAX_NODES} numbers, "
                         "names and operations in all (a power such as x^8 counts as "
                         "three; x*x*…*x as one a factor and one a *)")  # fmt: skip
    if depth > MAX_DEPTH:
        raise ValueError(f"the formula is nested more than {MAX_DEPTH} levels deep "
                         f"(at column {column(node)})")  # fmt: skip
    if isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"column {column(node)}: {value!r} is not a number")
        if isinstance(value, int):
            if abs(value) > 10**15:
                raise ValueError(f"column {column(node)}: the number {str(value)[:20]}… is "
                                 "too large")  # fmt: skip
            return sympy.Integer(value)
        if not math.isfinite(value):
            raise ValueError(f"column {column(node)}: a number too large to represent")
        return sympy.Float(repr(value))
    if isinstance(node, ast.Name):
        if node.id in VARIABLES:
            return VARIABLES[node.id]
        if node.id in CONSTANTS:
            return CONSTANTS[node.id]
        if node.id in FUNCTIONS:
            raise ValueError(f"column {column(node)}: {node.id} is a function: write "
                             f"{node.id}(…)")  # fmt: skip
        raise ValueError(f"column {column(node)}: unknown name {node.id[:30]!r}; allowed: "
                         f"{allowed_names()}")  # fmt: skip
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        inner = _build(node.operand, depth + 1, counter, column)
        return -inner if isinstance(node.op, ast.USub) else inner
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        # a + b + c and a*b*c are flat to a reader: a chain of one kind of operation
        # (the parser's left-nested tree) adds no depth; only what is inside it does
        chain = isinstance(node.left, ast.BinOp) and _kind(node.left.op) == _kind(node.op)
        left = _build(node.left, depth if chain else depth + 1, counter, column)
        right = _build(node.right, depth + 1, counter, column)
        if isinstance(node.op, ast.Add):
            return left + right
        if isinstance(node.op, ast.Sub):
            return left - right
        if isinstance(node.op, ast.Mult):
            return left * right
        if isinstance(node.op, ast.Div):
            if right == 0:
                raise ValueError(f"column {column(node)}: division by zero")
            return left / right
        return _power(left, right, column(node))
    if isinstance(node, ast.Call):
        if isinstance(node.func, ast.Constant):  # 2(x + 1)
            raise ValueError(f"column {column(node)}: write {node.func.value!r}*(…) for a "
                             "number times a bracket")  # fmt: skip
        name = node.func.id if isinstance(node.func, ast.Name) else None
        if name not in FUNCTIONS:
            shown = name[:30] if name else ast.unparse(node.func)[:30]
            raise ValueError(f"column {column(node)}: {shown!r} is not an allowed function; "
                             f"allowed: {allowed_names()}")  # fmt: skip
        if node.keywords or len(node.args) != 1 or isinstance(node.args[0], ast.Starred):
            raise ValueError(f"column {column(node)}: {name} takes one argument, "
                             f"{name}(…)")  # fmt: skip
        return FUNCTIONS[name](_build(node.args[0], depth + 1, counter, column))
    what = {ast.Attribute: "attribute access (.)", ast.Subscript: "indexing ([])",
            ast.Lambda: "lambda", ast.Compare: "a comparison", ast.BoolOp: "and/or",
            ast.IfExp: "if/else", ast.BitXor: "xor"}.get(type(node))  # fmt: skip
    if isinstance(node, ast.BinOp):
        what = f"the operator {type(node.op).__name__}"
    if what is None:
        what = type(node).__name__
    raise ValueError(f"column {column(node)}: {what} is not allowed; a formula uses numbers, "
                     f"+ - * / ** ^, parentheses and {allowed_names()}")


def _power(base: sympy.Expr, exponent: sympy.Expr, column: int) -> sympy.Expr:
    """base**exponent, with a numeric exponent at most MAX_EXPONENT in size (9**9**9
    would make SymPy compute a number of 370 million digits)."""
    if exponent.is_number:
        size = abs(complex(exponent.evalf(15)))
        if not size <= MAX_EXPONENT:
            raise ValueError(f"column {column}: an exponent of {_short(exponent)} is too "
                             f"large; at most {MAX_EXPONENT} is allowed")  # fmt: skip
        if base.is_number:  # a number to a power: at most 300 digits (either way)
            magnitude = abs(complex(base.evalf(15)))
            if magnitude > 0 and size * abs(math.log10(magnitude)) > 300:
                raise ValueError(f"column {column}: {_short(base)}**{_short(exponent)} is a "
                                 "number too large to represent")  # fmt: skip
    if base.is_number and not exponent.is_number:
        size = abs(complex(base.evalf(15)))
        if size > 1e6:
            raise ValueError(f"column {column}: {_short(base)} to a power of x or y overflows")
    return base**exponent


def _short(value: sympy.Expr) -> str:
    text = str(value)
    return text if len(text) <= 20 else text[:19] + "…"


# ---------------------------------------------------------------- the surface


def _check_domain(domain) -> tuple[tuple[float, float], tuple[float, float]]:
    try:
        (x0, x1), (y0, y1) = ((float(a), float(b)) for a, b in domain)
    except (TypeError, ValueError):
        raise ValueError(f"domain must be ((x_min, x_max), (y_min, y_max)); got "
                         f"{domain!r}") from None  # fmt: skip
    corners = (x0, x1, y0, y1)
    if not all(math.isfinite(v) and abs(v) <= MAX_DOMAIN for v in corners):
        raise ValueError(f"domain corners must be finite numbers within ±{MAX_DOMAIN:g}; got "
                         f"{domain!r}")  # fmt: skip
    if not (x0 < x1 and y0 < y1):
        raise ValueError(f"domain must have x_min < x_max and y_min < y_max; got {domain!r}")
    return (x0, x1), (y0, y1)


def _smooth(expr: sympy.Expr) -> sympy.Expr:
    """A derivative without Dirac deltas (abs(x)'' is 2δ(x): 0 wherever it is defined)."""
    return expr.replace(lambda e: isinstance(e, sympy.DiracDelta), lambda e: sympy.S.Zero)


def _vectorized(expr: sympy.Expr):
    """A NumPy function of (x, y) arrays for ``expr`` (a constant broadcast to their
    shape); non-finite where the formula is undefined, silently."""
    fn = sympy.lambdify((X, Y), expr, modules="numpy", cse=True)  # (shared parts once)

    def call(x, y):
        with np.errstate(all="ignore"):
            out = np.asarray(fn(x, y), dtype=complex if expr.has(sympy.I) else float)
        if np.iscomplexobj(out):  # (sqrt(x) for x < 0: undefined here, not complex)
            out = np.where(out.imag == 0, out.real, np.nan)
        return np.broadcast_to(out, np.shape(x)).astype(float)

    return call


def from_expression(text: str, domain=((-3.0, 3.0), (-3.0, 3.0)), start=None) -> Surface:
    """A surface from the formula ``text`` in x and y over ``domain``, like the built-in
    ones: exact gradient and Hessian from SymPy; minimizers found numerically (the
    lowest points of a grid, refined by Newton's method) and said to be so in the
    description. ``start`` (in the domain; default: near a corner) is the first start.
    A ValueError says what is wrong with the text, the domain or the start."""
    (x0, x1), (y0, y1) = _check_domain(domain)
    try:
        parsed = parse(text)
        return _surface(parsed.text, (x0, x1, y0, y1), None if start is None else tuple(
            float(v) for v in start))  # fmt: skip
    except (ArithmeticError, MemoryError, RecursionError, TypeError) as error:
        raise ValueError(f"the formula cannot be worked out here ({type(error).__name__})"
                         ) from None  # fmt: skip


@functools.lru_cache(maxsize=32)
def _surface(text: str, box: tuple, start: tuple | None) -> Surface:
    parsed = parse(text)
    x0, x1, y0, y1 = box
    expr = parsed.expr
    grads = [_smooth(sympy.diff(expr, v)) for v in (X, Y)]
    size = sum(1 for g in grads for _ in sympy.preorder_traversal(g))
    if size > MAX_GRADIENT_NODES:  # the Hessian would take seconds (a product of 19 factors)
        raise ValueError(f"the formula's derivatives are too large to work out here (its "
                         f"gradient has {size} parts; at most {MAX_GRADIENT_NODES}): try a "
                         "shorter formula, with fewer factors multiplied together")  # fmt: skip
    hess = [[_smooth(sympy.diff(g, v)) for v in (X, Y)] for g in grads]
    f_xy, gx, gy = _vectorized(expr), _vectorized(grads[0]), _vectorized(grads[1])
    hxx, hxy, hyy = (_vectorized(hess[0][0]), _vectorized(hess[0][1]), _vectorized(hess[1][1]))

    def f(xy):
        xy = np.asarray(xy, dtype=float)
        return f_xy(xy[..., 0], xy[..., 1])

    def grad(xy):
        xy = np.asarray(xy, dtype=float)
        out = np.empty(xy.shape)
        out[..., 0], out[..., 1] = gx(xy[..., 0], xy[..., 1]), gy(xy[..., 0], xy[..., 1])
        return out

    def hessian(xy):
        xy = np.asarray(xy, dtype=float)
        x, y = xy[..., 0], xy[..., 1]
        out = np.empty((*xy.shape[:-1], 2, 2))
        out[..., 0, 0], out[..., 1, 1] = hxx(x, y), hyy(x, y)
        out[..., 0, 1] = out[..., 1, 0] = hxy(x, y)
        return out

    xs, ys = np.linspace(x0, x1, GRID), np.linspace(y0, y1, GRID)
    grid = np.stack(np.meshgrid(xs, ys), axis=-1)
    values = f(grid)
    bad = ~np.isfinite(values)
    if bad.mean() > MAX_BAD_SHARE:
        raise ValueError(f"f is not a finite number over {bad.mean():.0%} of the domain "
                         f"(at most {MAX_BAD_SHARE:.0%} is allowed): choose another domain "
                         "or formula")  # fmt: skip
    if parsed.constant:  # every point is as low as any other: none is marked
        minimizers, min_value = np.zeros((0, 2)), float(np.nanmin(values))
    else:
        minimizers, min_value = _minimizers(f, grad, hessian, grid, values, box)
    if start is None:  # near the top left corner, where f and its gradient are defined
        usable = np.isfinite(values) & np.all(np.isfinite(grad(grid)), axis=-1)
        if not usable.any():
            raise ValueError("f's gradient is undefined everywhere in the domain")
        corner = np.array([x0 + 0.1 * (x1 - x0), y0 + 0.9 * (y1 - y0)])
        gap = np.where(usable, np.hypot(*(grid - corner).transpose(2, 0, 1)), np.inf)
        start = tuple(float(v) for v in grid[np.unravel_index(np.argmin(gap), gap.shape)])
    sx, sy = start
    if not (x0 <= sx <= x1 and y0 <= sy <= y1 and math.isfinite(sx) and math.isfinite(sy)):
        raise ValueError(f"start must lie in the domain x in [{x0:g}, {x1:g}], y in "
                         f"[{y0:g}, {y1:g}]; got {start!r}")  # fmt: skip
    found = ("minimizer found numerically (the lowest point of a grid, refined by Newton's "
             "method)" if len(minimizers) == 1 else
             f"f is lowest along a line or over a region: {len(minimizers)} of its points "
             "found numerically are marked" if len(minimizers) >= MAX_MARKED else
             f"{len(minimizers)} minimizers found numerically" if len(minimizers) else
             "f is the same everywhere" if parsed.constant else
             "no minimizer inside the domain: f is lowest at an edge")  # fmt: skip
    return Surface(
        name=spec(text, ((x0, x1), (y0, y1))),
        title="Custom: f(x, y) = " + (text if len(text) <= 40 else text[:39] + "…"),
        latex="f(x, y) = " + sympy.latex(expr),
        f=f,
        grad=grad,
        hessian=hessian,
        domain=((x0, x1), (y0, y1)),
        minimizers=minimizers,
        min_value=min_value,
        saddles=np.zeros((0, 2)),
        starts=np.array([start], dtype=float),
        # colours in decades above the minimum where f spans many of them (Rosenbrock)
        log_scale=bool(math.isfinite(min_value) and np.nanmax(values) - min_value > 1e3),
        description=f"Typed: f(x, y) = {text}; gradient and Hessian exact (SymPy); {found}."
        + (" f does not depend on x or y: there is nothing to optimize." if parsed.constant
           else ""),  # fmt: skip
        params={},
        found_numerically=True,
    )


def _minimizers(f, grad, hessian, grid, values, box):
    """The lowest grid points, each refined by a few Newton steps (kept where they stay
    in the domain and lower f), and those as low as the lowest: ``(K, 2)`` and f's
    minimum. None inside the domain (the lowest point on its edge): ``(0, 2)``, -inf."""
    x0, x1, y0, y1 = box
    finite = np.where(np.isfinite(values), values, np.inf)
    if not np.isfinite(finite).any():
        return np.zeros((0, 2)), -math.inf
    # local minima of the grid: lower than or equal to their 8 neighbours, inside
    inner = finite[1:-1, 1:-1]
    lower = np.ones(inner.shape, dtype=bool)
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            if dx or dy:
                lower &= inner <= finite[1 + dy : finite.shape[0] - 1 + dy,
                                         1 + dx : finite.shape[1] - 1 + dx]  # fmt: skip
    # next to an undefined point is an edge, not a minimum (log(x) at the smallest x)
    defined = np.ones(inner.shape, dtype=bool)
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            defined &= np.isfinite(finite[1 + dy : finite.shape[0] - 1 + dy,
                                          1 + dx : finite.shape[1] - 1 + dx])  # fmt: skip
    rows, cols = np.nonzero(lower & defined)
    best_edge = float(finite.min())
    if not len(rows):
        return np.zeros((0, 2)), -math.inf
    order = np.argsort(inner[rows, cols])[:MAX_MARKED]
    candidates = []
    for r, c in zip(rows[order], cols[order], strict=True):
        point = grid[r + 1, c + 1].copy()
        candidates.append(_refine(f, grad, hessian, point, box))
    candidates = np.array(candidates)
    low = f(candidates)
    best = float(np.nanmin(low))
    if best_edge < best - 1e-9 * max(1.0, abs(best)):  # lower on the edge: no minimum inside
        return np.zeros((0, 2)), -math.inf
    keep = candidates[low <= best + 1e-7 * max(1.0, abs(best))]
    unique = []
    for p in keep:
        if all(np.hypot(*(p - q)) > 1e-4 * max(x1 - x0, y1 - y0) for q in unique):
            unique.append(p)
    return np.array(unique), best


def _refine(f, grad, hessian, point, box, steps: int = 30):
    """Newton's method from a grid point, for as long as it lowers f inside the box."""
    x0, x1, y0, y1 = box
    for _ in range(steps):
        with np.errstate(all="ignore"):
            g, h = grad(point), hessian(point)
            try:
                move = np.linalg.solve(h, g)
            except np.linalg.LinAlgError:
                break
        candidate = point - move
        if (not np.all(np.isfinite(candidate)) or not (x0 <= candidate[0] <= x1)
                or not (y0 <= candidate[1] <= y1) or not f(candidate) <= f(point)):  # fmt: skip
            break
        point = candidate
        if np.hypot(*move) < 1e-13:
            break
    return point


# ---------------------------------------------------------------- names


PREFIX = "expr:"


def spec(text: str, domain) -> str:
    """The name of a typed surface: ``surfaces.get`` rebuilds it from this string."""
    (x0, x1), (y0, y1) = domain
    return f"{PREFIX}{x0!r},{x1!r},{y0!r},{y1!r}:{text}"


def parse_spec(name: str) -> tuple[str, tuple[tuple[float, float], tuple[float, float]]]:
    """The formula and domain a :func:`spec` string holds."""
    corners, _, text = name[len(PREFIX):].partition(":")
    try:
        x0, x1, y0, y1 = (float(v) for v in corners.split(","))
    except ValueError:
        raise ValueError(f"not a typed surface's name: {name[:60]!r}") from None
    return text, ((x0, x1), (y0, y1))


def from_spec(name: str) -> Surface:
    """The typed surface a :func:`spec` string names."""
    return from_expression(*parse_spec(name))
