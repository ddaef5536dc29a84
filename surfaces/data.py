r"""Data surfaces: losses that are a mean over a small synthetic data set.

Each is drawn from its ``seed`` (``n`` examples) and carries the data (:class:`DataSet`)
with the exact gradient of the loss over any batch of examples, so that
``run(..., batch_size=B)`` steps with real mini-batch gradients. The contour and the
3-D view show the loss over the whole data set.

- ``linear_regression``: mean squared error of the line ŷ = w x + b, in (w, b).
- ``logistic_regression``: mean cross-entropy of the classifier p(y = 1 | x) = σ(w·x)
  with two weights w = (w₁, w₂) and no bias, plus (λ/2)|w|² with λ = ``L2`` so that a
  minimum exists even when the classes can be split by a line.
- ``sparse_regression``: mean squared error of ŷ = w·x where a share ``density`` of the
  examples touch both weights and the rest exactly one (x = (a, 0) or (0, a)): the
  sparse examples of Hogwild! (Niu et al. 2011); ``DataSet.support`` says which weights
  each example touches.

Both take ``val``, the fraction of the n examples held out for validation (0 to 0.5;
seeded, disjoint from the rest): the surface is the loss over the training examples
only, and ``DataSet.val_loss`` the same loss (its data term alone, no penalty) over
the held-out ones, the number early stopping and the plateau schedule can watch.

With ``standardize=1`` each input (the regression's x, each of the classifier's two
features) is replaced by (x − mean)/std over the training examples (the population
std, ddof 0: mean 0 and variance 1 exactly), right after the data are drawn and split
(the held-out examples scaled by the training ones' mean and std); the loss, its
derivatives, the minimizer, the domain and the starts all follow from those inputs.
:func:`condition_number` gives κ of the Hessian at the minimizer, before and after.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .base import Surface

L2 = 0.01  # logistic regression's weight on (1/2)|w|²
_CHUNK = 64  # examples per pass when a grid of points meets the whole data set
# the standardized inputs, under the formula (x̄ and s over the n examples, s with ddof 0)
_STANDARDIZED_X = (r" \\ \tilde x_i = \frac{x_i - \bar x}{s}, \quad "
                   r"s^2 = \frac{1}{n}\sum_{i=1}^{n} (x_i - \bar x)^2")
_STANDARDIZED_FEATURES = (r" \\ \tilde x_{ij} = \frac{x_{ij} - \bar x_j}{s_j}, \quad "
                          r"s_j^2 = \frac{1}{n}\sum_{i=1}^{n} (x_{ij} - \bar x_j)^2")


@dataclass(frozen=True, eq=False)
class DataSet:
    """The examples behind a data surface and the loss's gradient over a batch.

    ``inputs`` is ``(n,)`` (regression: x) or ``(n, 2)`` (classification: the two
    features); ``targets`` is ``(n,)`` (regression: y; classification: the class,
    +1 or −1): the training examples. ``batch_grad(w, index)`` is the exact gradient
    at the points ``w`` ``(N, 2)`` of the loss over the examples ``index`` ``(B,)``
    only (their mean, and the L2 term where there is one): over all n examples, the
    full gradient.

    The rest is optional (None where a surface has none):

    - ``batch_loss(w, index)``: that batch's loss at points ``w`` ``(..., D)``;
    - ``example_loss(w)``: each training example's own loss at one point ``(D,)``,
      ``(n,)`` (no penalty term);
    - ``val_inputs``, ``val_targets``: the held-out examples, and ``val_loss(w)`` the
      mean loss over them at points ``(..., D)`` (no penalty term);
    - ``arrival``: the order the examples arrive in (a permutation of 0 … n − 1: by x,
      or by class), which a sorted batch order follows;
    - ``hardness`` ``(n,)``: each example's difficulty by the fit of all the data (its
      distance from the best line, or how far on the wrong side of the best boundary
      it lies: larger is harder), which a curriculum can start from;
    - ``support`` ``(n, D)`` bool: the weights each example's loss depends on (its
      gradient is 0 on the others), which lock-free updates write (Hogwild!);
    - ``example_grads(w, index)``: at points ``w`` ``(K, D)``, row k the gradient of
      example ``index[k]``'s own loss at ``w[k]``, ``(K, D)``: K examples at K points in
      one call (equal bit for bit to ``batch_grad(w[k:k+1], index[k:k+1])``).
    """

    kind: str  # "regression" or "classification"
    inputs: np.ndarray
    targets: np.ndarray
    batch_grad: Callable[[np.ndarray, np.ndarray], np.ndarray]
    batch_loss: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None
    example_loss: Callable[[np.ndarray], np.ndarray] | None = None
    val_inputs: np.ndarray | None = None
    val_targets: np.ndarray | None = None
    val_loss: Callable[[np.ndarray], np.ndarray] | None = None
    arrival: np.ndarray | None = None
    hardness: np.ndarray | None = None
    support: np.ndarray | None = None
    example_grads: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None

    @property
    def n(self) -> int:
        return len(self.targets)

    @property
    def n_val(self) -> int:
        """The held-out examples (0: none)."""
        return 0 if self.val_targets is None else len(self.val_targets)


MAX_VAL = 0.5  # at most half the examples held out


def split(n: int, val: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(training, held-out) example indices, each sorted: a seeded ``val`` fraction of
    the n examples held out (at least one when val > 0), from a stream of its own
    (``seed``, 1) so the data drawn are the same with any split. val = 0: all n train."""
    if val == 0:
        return np.arange(n), np.arange(0)
    held = max(1, round(val * n))
    if n - held < 2:
        raise ValueError(f"val = {val:g} of n = {n} examples leaves {n - held} to train on; "
                         "at least 2 must be left (more examples, or a smaller val)")
    order = np.random.default_rng((seed, 1)).permutation(n)
    return np.sort(order[held:]), np.sort(order[:held])


def standardized(inputs: np.ndarray, like: np.ndarray | None = None) -> np.ndarray:
    """(x − mean)/std over the examples (axis 0), std the population one (ddof 0): each
    column then has mean 0 and variance 1. A column without spread is only centred.
    With ``like``, the mean and std are those of ``like`` (held-out examples scaled as
    the training ones are)."""
    inputs = np.asarray(inputs, dtype=float)
    like = inputs if like is None else np.asarray(like, dtype=float)
    spread = like.std(axis=0)
    return (inputs - like.mean(axis=0)) / np.where(spread > 0, spread, 1.0)


def condition_number(surface: Surface) -> float:
    """κ = λ_max/λ_min of the Hessian of ``surface`` at its (first) minimizer: how many
    times more sharply f curves across its narrowest valley direction than along it.
    Gradient descent's α must stay below 2/λ_max while progress along the flat
    direction goes as α λ_min, so κ ≈ the steps it needs per factor e of f − f*.
    inf where the Hessian there is not positive definite; a ValueError without a
    minimizer."""
    if len(surface.minimizers) == 0:
        raise ValueError(f"{surface.name} has no minimizer: no condition number at one")
    low, high = np.linalg.eigvalsh(surface.hessian(surface.minimizers[0]))
    return float(high / low) if low > 0 else math.inf


def _points(*rows) -> np.ndarray:
    return np.array(rows, dtype=float).reshape(-1, 2)


def _box(centre, half) -> tuple[tuple[float, float], tuple[float, float]]:
    """A domain around ``centre`` (rounded to 0.5, so the axes read well)."""
    cx, cy = (round(float(c) * 2) / 2 for c in centre)
    return (cx - half[0], cx + half[0]), (cy - half[1], cy + half[1])


def _split_inputs(inputs, targets, val: float, seed: int, standardize: bool):
    """(training inputs, targets, held-out inputs, targets) of the drawn examples
    (:func:`split`); standardized by the training examples' mean and std when asked
    (after drawing: the same examples, the same targets)."""
    train, held = split(len(targets), val, seed)
    x, x_val = inputs[train], inputs[held]
    if standardize:
        x, x_val = standardized(x), standardized(x_val, like=x)
    return x, targets[train], x_val, targets[held]


def _held_out_words(held: int, n_all: int) -> str:
    return (f" {held} of the {n_all} examples are held out for validation (not in the "
            "loss)." if held else "")


# ---------------------------------------------------------------- linear regression


def linear_regression(n: float = 40, seed: float = 0, val: float = 0.0,
                      standardize: float = 0) -> Surface:  # fmt: skip
    r"""f(w, b) = (1/n) Σ (w xᵢ + b − yᵢ)² over n points drawn from the seed:
    xᵢ ~ U(0, 4), yᵢ = 1.5 xᵢ − 1 + N(0, 1). The xᵢ are all positive, so slope and
    intercept trade off: a long, tilted valley (the Hessian 2[[mean x², mean x],
    [mean x, 1]]: κ = 32.4 for n = 40, seed 0). With ``standardize`` the xᵢ become
    (xᵢ − x̄)/s: mean 0 and variance 1, the Hessian 2I, κ = 1, a round bowl. With
    ``val`` > 0 the sum is over the training examples only (:func:`split`)."""
    n, seed, standardize = int(n), int(seed), bool(standardize)  # (checked by surfaces.get)
    rng = np.random.default_rng(seed)
    xs = rng.uniform(0.0, 4.0, n)
    ys = 1.5 * xs - 1.0 + rng.normal(0.0, 1.0, n)
    xs, ys, x_val, y_val = _split_inputs(xs, ys, val, seed, standardize)
    n_all, n = n, len(xs)
    # The loss is a quadratic in (w, b): its coefficients are means over the data.
    sxx, sx, sxy, sy, syy = (float(np.mean(v)) for v in (xs * xs, xs, xs * ys, ys, ys * ys))

    def f(wb):
        wb = np.asarray(wb, dtype=float)
        w, b = wb[..., 0], wb[..., 1]
        return w * w * sxx + 2 * w * b * sx + b * b - 2 * w * sxy - 2 * b * sy + syy

    def grad(wb):
        wb = np.asarray(wb, dtype=float)
        w, b = wb[..., 0], wb[..., 1]
        out = np.empty(wb.shape)
        out[..., 0] = 2 * (w * sxx + b * sx - sxy)
        out[..., 1] = 2 * (w * sx + b - sy)
        return out

    def hessian(wb):
        shape = np.shape(wb)[:-1]
        out = np.empty((*shape, 2, 2))
        out[..., 0, 0], out[..., 0, 1], out[..., 1, 0], out[..., 1, 1] = 2 * sxx, 2 * sx, 2 * sx, 2
        return out

    def batch_grad(wb, index):
        x, y = xs[index], ys[index]
        residual = wb[:, 0:1] * x + wb[:, 1:2] - y  # (N, B): ŷ − y for each example
        out = np.empty((len(wb), 2))
        out[:, 0] = 2 * np.mean(residual * x, axis=1)
        out[:, 1] = 2 * np.mean(residual, axis=1)
        return out

    def mse(x, y):
        def loss(wb):  # the mean of (w x + b − y)² over these examples, at points (..., 2)
            wb = np.asarray(wb, dtype=float)
            total = 0.0
            for lo in range(0, len(x), _CHUNK):
                r = wb[..., 0, None] * x[lo : lo + _CHUNK] + wb[..., 1, None] - y[lo : lo + _CHUNK]
                total = total + np.sum(r * r, axis=-1)
            return total / len(x)
        return loss

    def residuals(wb):
        # f = Σᵢ rᵢ², rᵢ = (w xᵢ + b − yᵢ)/√n
        wb = np.asarray(wb, dtype=float)
        w, b = wb[..., 0:1], wb[..., 1:2]
        scale = 1 / np.sqrt(n)
        r = (w * xs + b - ys) * scale
        J = np.empty((*r.shape, 2))
        J[..., 0], J[..., 1] = xs * scale, scale
        return r, J

    best = np.linalg.solve([[sxx, sx], [sx, 1.0]], [sxy, sy])  # the normal equations
    (x0, x1), (y0, y1) = domain = _box(best, (3.0, 4.0))
    x_i = r"\tilde x_i" if standardize else "x_i"
    return Surface(
        name="linear_regression",
        title="Linear regression (data)",
        latex=rf"f(w, b) = \frac{{1}}{{n}}\sum_{{i=1}}^{{n}} \left(w\,{x_i} + b - y_i\right)^2"
        + (_STANDARDIZED_X if standardize else ""),
        f=f,
        grad=grad,
        hessian=hessian,
        domain=domain,
        minimizers=_points(best),
        min_value=float(f(best)),
        saddles=_points(),
        starts=_points((x0 + 0.5, y1 - 0.5), (x1 - 0.5, y0 + 0.5), (x0 + 0.5, y0 + 1.0)),
        log_scale=True,
        description=f"Fit a line ŷ = w x + b to {n} points (seed {seed}) by mean squared "
        "error: the axes are the slope w and the intercept b. With a batch size below n "
        "each step sees a few points only, and SGD's zig-zag is real."
        + (" Standardized: x is (x − mean)/std over the points, so w is the slope per "
           "standard deviation of x and b the mean of y at the minimum." if standardize
           else "")
        + _held_out_words(len(y_val), n_all),
        params={"n": float(n_all), "seed": float(seed), "val": float(val),
                "standardize": float(standardize)},
        axes=("w (slope)", "b (intercept)"),
        data=DataSet(
            "regression", xs, ys, batch_grad,
            batch_loss=lambda wb, index: mse(xs[index], ys[index])(wb),
            example_loss=lambda wb: (wb[0] * xs + wb[1] - ys) ** 2,
            val_inputs=x_val if len(y_val) else None,
            val_targets=y_val if len(y_val) else None,
            val_loss=mse(x_val, y_val) if len(y_val) else None,
            arrival=np.argsort(xs, kind="stable"),
            hardness=np.abs(best[0] * xs + best[1] - ys),
        ),
        residuals=residuals,
    )


# ---------------------------------------------------------------- logistic regression


def _sigmoid(u):
    """σ(u) = 1 / (1 + e^−u), without overflow for large |u|."""
    return np.exp(-np.logaddexp(0.0, -u))


def logistic_regression(n: float = 40, seed: float = 0, val: float = 0.0,
                        standardize: float = 0) -> Surface:  # fmt: skip
    r"""f(w) = (1/n) Σ log(1 + e^(−yᵢ w·xᵢ)) + (λ/2)|w|² over n points drawn from the
    seed: classes yᵢ = ±1 with equal chance, xᵢ ~ N(yᵢ μ, I), μ = (1, 0.5). The
    classifier has no bias (the classes are symmetric about the origin), so its two
    weights are the plane's coordinates. With ``standardize`` each feature becomes
    (x − mean)/std over the training examples: mean 0 and variance 1. With ``val`` > 0
    the sum is over the training examples only (:func:`split`)."""
    n, seed, standardize = int(n), int(seed), bool(standardize)  # (checked by surfaces.get)
    rng = np.random.default_rng(seed)
    labels = np.where(rng.uniform(size=n) < 0.5, -1.0, 1.0)
    features = labels[:, None] * np.array([1.0, 0.5]) + rng.normal(0.0, 1.0, (n, 2))
    features, labels, x_val, y_val = _split_inputs(features, labels, val, seed, standardize)
    n_all, n = n, len(labels)
    z = labels[:, None] * features  # (n, 2): yᵢ xᵢ, the margin is w·zᵢ

    def over_data(wb, term, z=z):
        """Σᵢ term(w·zᵢ, zᵢ) / n, examples a chunk at a time (a grid meets them all)."""
        wb = np.asarray(wb, dtype=float)
        w1, w2 = wb[..., 0, None], wb[..., 1, None]
        total = 0.0
        for lo in range(0, len(z), _CHUNK):
            zc = z[lo : lo + _CHUNK]
            total = total + term(w1 * zc[:, 0] + w2 * zc[:, 1], zc)
        return total / len(z)

    def cross_entropy(zs):
        def loss(wb):  # the mean of log(1 + e^(−w·zᵢ)) over these examples (no penalty)
            return over_data(wb, lambda m, zc: np.sum(np.logaddexp(0.0, -m), axis=-1), zs)
        return loss

    def f(wb):
        wb = np.asarray(wb, dtype=float)
        w1, w2 = wb[..., 0], wb[..., 1]
        loss = over_data(wb, lambda m, zc: np.sum(np.logaddexp(0.0, -m), axis=-1))
        return loss + L2 / 2 * (w1 * w1 + w2 * w2)

    def grad(wb):
        wb = np.asarray(wb, dtype=float)
        out = np.empty(wb.shape)
        for k in range(2):  # ∂/∂w_k: −mean(σ(−m) z_k) + λ w_k
            mean = over_data(wb, lambda m, zc, k=k: np.sum(_sigmoid(-m) * zc[:, k], axis=-1))
            out[..., k] = -mean + L2 * wb[..., k]
        return out

    def hessian(wb):
        wb = np.asarray(wb, dtype=float)
        out = np.empty((*wb.shape[:-1], 2, 2))
        for j, k in ((0, 0), (0, 1), (1, 1)):  # mean(σ(m)σ(−m) z_j z_k) + λ δ_jk
            mean = over_data(wb, lambda m, zc, j=j, k=k: np.sum(
                _sigmoid(m) * _sigmoid(-m) * zc[:, j] * zc[:, k], axis=-1))  # fmt: skip
            out[..., j, k] = out[..., k, j] = mean + (L2 if j == k else 0.0)
        return out

    def batch_grad(wb, index):
        zb = z[index]  # (B, 2)
        s = _sigmoid(-(wb @ zb.T))  # (N, B): σ(−w·zᵢ), how wrong each example is
        return -(s @ zb) / len(index) + L2 * wb

    best = np.zeros(2)  # the loss is strictly convex: Newton's method from 0 finds it
    for _ in range(100):
        move = np.linalg.solve(hessian(best), grad(best))
        best = best - move
        if np.hypot(*move) < 1e-15:
            break
    (x0, x1), (y0, y1) = domain = _box(best, (4.0, 4.0))
    return Surface(
        name="logistic_regression",
        title="Logistic regression (data)",
        latex=r"f(w) = \frac{1}{n}\sum_{i=1}^{n} \log\left(1 + e^{-y_i\, w \cdot "
        + (r"\tilde x_i" if standardize else "x_i") + r"}\right)"
        rf" + \frac{{{L2:g}}}{{2}}\lVert w\rVert^2"
        + (_STANDARDIZED_FEATURES if standardize else ""),
        f=f,
        grad=grad,
        hessian=hessian,
        domain=domain,
        minimizers=_points(best),
        min_value=float(f(best)),
        saddles=_points(),
        starts=_points((x0 + 0.5, y1 - 0.5), (x1 - 0.5, y0 + 0.5), (x0 + 0.5, y0 + 0.5)),
        log_scale=False,
        description=f"Split {n} points of two classes (seed {seed}) by the line "
        "w₁x₁ + w₂x₂ = 0, by mean cross-entropy: the axes are the two weights. With a "
        "batch size below n each step sees a few points only, and SGD's zig-zag is real."
        + (" Standardized: each feature is (x − mean)/std over the points." if standardize
           else "")
        + _held_out_words(len(y_val), n_all),
        params={"n": float(n_all), "seed": float(seed), "val": float(val),
                "standardize": float(standardize)},
        axes=("w₁", "w₂"),
        data=DataSet(
            "classification", features, labels, batch_grad,
            batch_loss=lambda wb, index: cross_entropy(z[index])(wb)
            + L2 / 2 * np.sum(np.asarray(wb, dtype=float) ** 2, axis=-1),
            example_loss=lambda wb: np.logaddexp(0.0, -(z @ np.asarray(wb, dtype=float))),
            val_inputs=x_val if len(y_val) else None,
            val_targets=y_val if len(y_val) else None,
            val_loss=cross_entropy(y_val[:, None] * x_val) if len(y_val) else None,
            arrival=np.lexsort((features[:, 0], labels)),
            hardness=-(z @ best) / np.hypot(*best),
        ),
    )


# ---------------------------------------------------------------- sparse regression

SPARSE_W = (1.0, -1.0)  # the weights the sparse regression's targets are drawn from
SPARSE_SCALE = (1.0, 0.5)  # each weight's inputs: |a| ~ scale · U(1, 2)
SPARSE_NOISE = 0.5  # the targets' noise: N(0, 0.5²)


def sparse_regression(n: float = 40, seed: float = 0, density: float = 0.0) -> Surface:
    r"""f(w) = (1/n) Σ (w·xᵢ − yᵢ)² over n examples drawn from the seed, a share
    ``density`` of which touch both weights and the rest exactly one: the sparse data of
    Hogwild! (Niu et al. 2011), where an example's gradient 2(w·xᵢ − yᵢ) xᵢ is zero off
    its support.

    Each input's size is |x_{ij}| ~ s_j U(1, 2), s = (1, 0.5), with a random sign;
    yᵢ = xᵢ·(1, −1) + N(0, 0.5²). Round(density · n) examples, chosen by a seeded
    permutation, keep both inputs (dense); the others, in the permutation's order,
    alternately keep only x_{i1} or only x_{i2} (sparse: x = (a, 0) or (0, a)), so each
    weight is touched by at least one example whenever n ≥ 2 and the minimum is unique.
    The Hessian is (2/n) Σ xᵢxᵢᵀ: diagonal at density 0, each weight's curvature the
    mean of its examples' a², so κ ≈ 1/0.5² = 4 (4.6 for n = 40, seed 0); the dense
    examples' cross terms have random signs and nearly cancel (κ 4.3 at density 1).
    ``DataSet.support`` ``(n, 2)`` holds which weights each example touches."""
    n, seed, density = int(n), int(seed), float(density)  # (checked by surfaces.get)
    rng = np.random.default_rng(seed)
    size = rng.uniform(1.0, 2.0, (n, 2)) * np.array(SPARSE_SCALE)
    xs = np.where(rng.uniform(size=(n, 2)) < 0.5, -size, size)
    order = rng.permutation(n)
    dense = round(density * n)
    support = np.ones((n, 2), dtype=bool)
    sparse = order[dense:]
    support[sparse[0::2], 1] = False  # these touch w₁ only
    support[sparse[1::2], 0] = False  # these w₂ only
    xs = np.where(support, xs, 0.0)
    ys = xs @ np.array(SPARSE_W) + rng.normal(0.0, SPARSE_NOISE, n)
    # The loss is a quadratic in w: w·A w − 2 b·w + c, its coefficients means over the data.
    A = xs.T @ xs / n
    b = xs.T @ ys / n
    c = float(np.mean(ys * ys))
    a11, a12, a22 = float(A[0, 0]), float(A[0, 1]), float(A[1, 1])
    b1, b2 = float(b[0]), float(b[1])

    def f(w):
        w = np.asarray(w, dtype=float)
        w1, w2 = w[..., 0], w[..., 1]
        return w1 * w1 * a11 + 2 * w1 * w2 * a12 + w2 * w2 * a22 - 2 * w1 * b1 - 2 * w2 * b2 + c

    def grad(w):
        w = np.asarray(w, dtype=float)
        w1, w2 = w[..., 0], w[..., 1]
        out = np.empty(w.shape)
        out[..., 0] = 2 * (w1 * a11 + w2 * a12 - b1)
        out[..., 1] = 2 * (w1 * a12 + w2 * a22 - b2)
        return out

    def hessian(w):
        shape = np.shape(w)[:-1]
        out = np.empty((*shape, 2, 2))
        out[..., 0, 0], out[..., 0, 1], out[..., 1, 0], out[..., 1, 1] = (
            2 * a11, 2 * a12, 2 * a12, 2 * a22)
        return out

    def batch_grad(w, index):
        x1, x2, y = xs[index, 0], xs[index, 1], ys[index]
        residual = w[:, 0:1] * x1 + w[:, 1:2] * x2 - y  # (N, B): ŷ − y for each example
        out = np.empty((len(w), 2))
        out[:, 0] = 2 * np.mean(residual * x1, axis=1)
        out[:, 1] = 2 * np.mean(residual * x2, axis=1)
        return out

    def example_grads(w, index):
        x1, x2, y = xs[index, 0], xs[index, 1], ys[index]
        residual = w[:, 0] * x1 + w[:, 1] * x2 - y  # (K,): example index[k] at w[k]
        out = np.empty((len(w), 2))
        out[:, 0] = 2 * (residual * x1)
        out[:, 1] = 2 * (residual * x2)
        return out

    def batch_loss(w, index):  # the mean of (w·x − y)² over these examples, at (..., 2)
        w = np.asarray(w, dtype=float)
        x, y = xs[index], ys[index]
        total = 0.0
        for lo in range(0, len(y), _CHUNK):
            r = (w[..., 0, None] * x[lo : lo + _CHUNK, 0] + w[..., 1, None] * x[lo : lo + _CHUNK, 1]
                 - y[lo : lo + _CHUNK])  # fmt: skip
            total = total + np.sum(r * r, axis=-1)
        return total / len(y)

    def residuals(w):
        # f = Σᵢ rᵢ², rᵢ = (w·xᵢ − yᵢ)/√n
        w = np.asarray(w, dtype=float)
        scale = 1 / np.sqrt(n)
        r = (w[..., 0:1] * xs[:, 0] + w[..., 1:2] * xs[:, 1] - ys) * scale
        J = np.empty((*r.shape, 2))
        J[..., 0], J[..., 1] = xs[:, 0] * scale, xs[:, 1] * scale
        return r, J

    best = np.linalg.solve(A, b)  # the normal equations
    low, high = np.linalg.eigvalsh(2 * A)
    (x0, x1), (y0, y1) = domain = _box(best, (3.0, 3.0))
    touches = support.sum(axis=1)
    only_first, only_second = int(np.sum(support[:, 0] & (touches == 1))), int(
        np.sum(support[:, 1] & (touches == 1)))
    # the order the data arrive in: those of w₁ alone, then of w₂ alone, then both
    group = np.where(touches == 2, 2, np.where(support[:, 0], 0, 1))
    return Surface(
        name="sparse_regression",
        title="Sparse regression (data)",
        latex=r"f(w) = \frac{1}{n}\sum_{i=1}^{n} \left(w \cdot x_i - y_i\right)^2, \quad "
        r"x_i \in \{(a, 0), (0, a), (a, b)\}",
        f=f,
        grad=grad,
        hessian=hessian,
        domain=domain,
        minimizers=_points(best),
        min_value=float(f(best)),
        saddles=_points(),
        starts=_points((x0 + 0.5, y1 - 0.5), (x1 - 0.5, y0 + 0.5), (x0 + 0.5, y0 + 0.5)),
        log_scale=True,
        description=f"Fit ŷ = w₁x₁ + w₂x₂ to {n} examples (seed {seed}) by mean squared "
        f"error, where {only_first} examples touch w₁ only, {only_second} w₂ only and "
        f"{dense} both (density {density:g}): an example's gradient is zero off the "
        f"weights it touches, so lock-free workers (Hogwild!) collide only on those. "
        f"κ = {high / low:.1f}.",
        params={"n": float(n), "seed": float(seed), "density": density},
        axes=("w₁", "w₂"),
        data=DataSet(
            "sparse_regression", xs, ys, batch_grad,
            batch_loss=batch_loss,
            example_loss=lambda w: (w[0] * xs[:, 0] + w[1] * xs[:, 1] - ys) ** 2,
            arrival=np.lexsort((np.arange(n), group)),
            hardness=np.abs(xs @ best - ys),
            support=support,
            example_grads=example_grads,
        ),
        residuals=residuals,
    )
