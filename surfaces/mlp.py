r"""A network surface: the loss of a small multilayer perceptron over all its weights.

``network(data, hidden, activation, seed, l2, init, init_scale, n)`` builds a
:class:`NetworkSurface`: an MLP written in NumPy, forward and backward by hand, whose
parameters are one flat vector θ of D weights, with its data split into a training and
a held-out part. Every method takes one vector ``(D,)`` or a batch ``(N, D)`` (one
batched forward pass: a plane of 51 × 51 = 2,601 weight vectors is one call).

The network, for an input x ∈ R^{d₀} and L layers of widths d₁ … d_L (d_L = K, the
number of classes):

.. math::

    a_0 = x, \qquad z_l = W_l a_{l-1} + b_l, \qquad a_l = \varphi(z_l) \;(l < L),
    \qquad p = \operatorname{softmax}(z_L)

    f(\theta) = \frac{1}{n} \sum_{i=1}^{n} -\log p_{y_i}(x_i)
                + \frac{\lambda}{2}\lVert\theta\rVert^2

with n the training examples and λ = ``l2`` (on every weight, biases included).

**Batch normalization** (``batchnorm=True``; Ioffe and Szegedy 2015) on every hidden
layer, on the pre-activation, over the B examples of a batch (its own statistics, with
the biased variance):

.. math::

    z_l = W_l a_{l-1}, \qquad \mu_l = \frac{1}{B}\sum_i z_{l,i}, \qquad
    \sigma_l^2 = \frac{1}{B}\sum_i (z_{l,i} - \mu_l)^2,

    \hat z_l = \frac{z_l - \mu_l}{\sqrt{\sigma_l^2 + \epsilon}}, \qquad
    a_l = \varphi(\gamma_l \odot \hat z_l + \beta_l) \qquad (\epsilon = 10^{-5},
    \text{torch's BatchNorm1d})

(the bias b_l would be removed by the mean: β_l takes its place). In training — the
loss f, :meth:`~NetworkSurface.grad` (over all training examples: their statistics)
and :meth:`~NetworkSurface.batch_grad` (over a batch: the batch's) — the statistics
are the batch's own, so f(θ) and every batch's gradient stay functions of θ (and the
batch), and the gradient goes through μ_l and σ²_l exactly. Held out, the statistics
are running averages along a run (:meth:`~NetworkSurface.running_stats`, torch's rule)
or, by default, the whole training set's at θ (see :meth:`~NetworkSurface.accuracy`).
The output layer is never normalized.

**Layout of θ**: layer by layer from the input, each layer's W_l (d_l × d_{l−1},
row-major: row j holds the weights into unit j) and then its b_l (d_l):
``θ = [W₁.ravel(), b₁, W₂.ravel(), b₂, …]``, so D = Σ d_l (d_{l−1} + 1). With batch
normalization each hidden layer's block is ``[W_l.ravel(), β_l, γ_l]``: β_l (d_l) where
b_l was (the shift), then γ_l (d_l) (the scale); the output layer keeps its b_L, so
D = Σ d_l (d_{l−1} + 1) + Σ_{hidden} d_l. :attr:`NetworkSurface.layers` gives each
block's offset and shape (:attr:`Layer.b_start`: b_l or β_l, :attr:`Layer.g_start`: γ_l).

**Data** (all offline):

- ``"moons"``: two interleaving half circles, generated here as scikit-learn's
  ``make_moons`` draws them (outer arc (cos t, sin t), inner arc (1 − cos t,
  ½ − sin t), t ~ U(0, π)), with Gaussian noise σ = 0.2; 200 examples by default.
- ``"spirals"``: two interleaved spiral arms, one turned by π from the other: at a
  fraction s ~ U(0.15, 1) along the arm the point is s (cos 3πs, sin 3πs) (one and
  a half turns out to radius 1), noise σ = 0.03; 200 examples by default.
- ``"digits"``: scikit-learn's bundled handwritten digits
  (``sklearn.datasets.load_digits``: 1,797 8 × 8 grey images of 0–9 from the UCI
  optical recognition data set, shipped inside the package), pixels scaled from
  0–16 to [0, 1]; all 1,797 by default, or a seeded subset of ``n``.

The ``seed`` draws the generated data, picks the digits' subset and splits the
examples: a seeded 25 % is held out (:attr:`NetworkSurface.x_test`), the rest is the
training set the loss is over. With ``val`` > 0 a seeded fraction of that training set
is set aside for validation (:attr:`NetworkSurface.x_val`: what early stopping and the
plateau schedule watch), so the held-out test set stays untouched by any choice.

**Initialization** (:meth:`NetworkSurface.init_params`), each times ``init_scale``:
``"xavier"`` (alias ``"glorot"``): W ~ N(0, 2 / (fan_in + fan_out)), b = 0 (Glorot and
Bengio 2010, the normal variant); ``"he"``: W ~ N(0, 2 / fan_in), b = 0 (He et al.
2015); ``"scale"``: every weight and bias ~ N(0, 1), so that ``init_scale`` = δ puts
the net at distance about δ√D from the saddle at the origin (all hidden units alike).
With batch normalization γ = 1 and β = 0 whatever the scheme and scale (torch's);
the W's are drawn from the same stream as without it.

**Derivatives** are exact: the gradient by backpropagation, Hessian-vector products by
Pearlmutter's R-operator (1994: the forward pass and backpropagation differentiated
once more along v), the Hessian from Hessian-vector products on the basis vectors.
With batch normalization the gradient is still exact (backpropagation through μ and
σ²), but Hessian-vector products are central differences of the exact gradient,
(∇f(θ + h v) − ∇f(θ − h v)) / (2h) with h = HVP_STEP · max(1, |θ|) / |v|
(HVP_STEP = 6e-6 ≈ ε_mach^{1/3}: truncation O(h²), rounding O(ε_mach / h); about 1e-8
relative error here), and the Hessian is symmetrized, (H + Hᵀ)/2.
"""

from __future__ import annotations

import functools
import math
import numbers
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .base import Surface
from .data import DataSet

DATA_SETS = ("moons", "spirals", "digits")
ACTIVATIONS = ("tanh", "relu", "sigmoid")
INITS = ("xavier", "glorot", "he", "scale")
SPLITS = ("train", "test", "val")
MAX_WIDTH = 256  # units in a hidden layer
MAX_LAYERS = 4  # hidden layers
MAX_D = 20_000  # weights in all
MAX_HESSIAN_D = 2_000  # the exact Hessian is D × D
DOMAIN = 1e5  # the runner's domain on every weight: starts within ±10 times it
MAX_GENERATED = 5_000  # examples of moons or spirals
MIN_EXAMPLES = 8  # so that the held-out quarter has at least two
DIGITS_N = 1_797
TEST_FRACTION = 0.25
MAX_VAL = 0.5  # at most half the training part set aside for validation
MOONS_NOISE = 0.2
SPIRALS_NOISE = 0.03
BN_EPS = 1e-5  # ε in batch normalization's √(σ² + ε): torch.nn.BatchNorm1d's default
BN_MOMENTUM = 0.1  # m in the running averages: torch.nn.BatchNorm1d's default
HVP_STEP = 6e-6  # central differences' relative step with batch normalization (ε_mach^⅓)
_BUDGET = 1 << 22  # floats in one stored array of a chunk's pass (32 MB): N is chunked


@dataclass(frozen=True)
class Layer:
    """Where one layer's weights sit in θ: W is ``theta[..., w_start:b_start]`` reshaped
    ``(out, inp)``, b is ``theta[..., b_start:g_start]``; with batch normalization
    (``bn``) that block is β, and γ is ``theta[..., g_start:end]``."""

    inp: int
    out: int
    w_start: int
    bn: bool = False

    @property
    def b_start(self) -> int:
        return self.w_start + self.out * self.inp

    @property
    def g_start(self) -> int:
        """Where γ starts (BN), or the end of b (no BN: then it is :attr:`end`)."""
        return self.b_start + self.out

    @property
    def end(self) -> int:
        return self.g_start + (self.out if self.bn else 0)


@dataclass(frozen=True, eq=False)
class BNStats:
    """Batch normalization's statistics for evaluation: for each hidden layer, the mean
    and the variance of its pre-activations z_l = W_l a_{l−1}, each ``(d_l,)`` (one
    weight vector) or ``(N, d_l)``. ``steps``: how many updates they hold (0: torch's
    start, mean 0 and variance 1)."""

    mean: tuple[np.ndarray, ...]
    var: tuple[np.ndarray, ...]
    steps: int = 0


# ------------------------------------------------------------------ activations
# Each returns [φ(z), φ'(z), φ''(z)] up to the derivative ``order`` asked for (the loss
# needs none, backpropagation the first, the R-operator the second). φ(z) may be
# computed in place: z is not used again.


def _tanh(z, order=0):
    a = np.tanh(z, out=z)
    if order == 0:
        return [a]
    d1 = 1.0 - a * a
    return [a, d1] if order == 1 else [a, d1, -2.0 * a * d1]


def _relu(z, order=0):
    d1 = (z > 0).astype(z.dtype)
    a = np.maximum(z, 0.0, out=z)
    return [a, d1, np.zeros_like(z)][: order + 1]


def _sigmoid(z, order=0):
    a = np.exp(-np.logaddexp(0.0, -z))  # σ(z) without overflow
    if order == 0:
        return [a]
    d1 = a * (1.0 - a)
    return [a, d1] if order == 1 else [a, d1, d1 * (1.0 - 2.0 * a)]


_PHI = {"tanh": _tanh, "relu": _relu, "sigmoid": _sigmoid}


def _affine(W, a, b):
    """z = W a + b for W ``(N, out, inp)``, b ``(N, out)`` and a ``(N, inp, B)``, or a
    ``(inp, B)`` shared by all N (the inputs): then one matrix product for all N.
    b None: z = W a (a batch-normalized layer's: β comes after the normalization)."""
    if a.ndim == 2:
        n, out, inp = W.shape
        z = (W.reshape(n * out, inp) @ a).reshape(n, out, a.shape[-1])
    else:
        z = W @ a
    if b is not None:
        z += b[..., None]
    return z


def _normalize(z, gamma, beta, mean=None, var=None):
    """Batch normalization of z ``(N, out, B)``: ẑ = (z − μ)/√(σ² + ε), y = γ ẑ + β,
    with μ, σ² the batch's own over its B examples (biased variance), or the given
    ``mean``, ``var`` ``(N, out)`` (evaluation). Returns y, ẑ and 1/√(σ² + ε) ``(N, out,
    1)``."""
    if mean is None:
        mu = z.mean(axis=-1, keepdims=True)  # μ_B
        centred = z - mu
        var = np.mean(centred * centred, axis=-1, keepdims=True)  # σ²_B, biased
    else:
        centred = z - mean[..., None]
        var = var[..., None]
    inv = 1.0 / np.sqrt(var + BN_EPS)
    z_hat = centred * inv
    return gamma[..., None] * z_hat + beta[..., None], z_hat, inv


def _normalize_back(g, z_hat, inv, gamma):
    """Backpropagation through batch normalization, for g = ∂L/∂y ``(N, out, B)``:
    ∂γ = Σ_i g_i ẑ_i, ∂β = Σ_i g_i, and with ∂ẑ = γ g,
    ∂z_i = (∂ẑ_i − mean_j ∂ẑ_j − ẑ_i mean_j ∂ẑ_j ẑ_j) / √(σ² + ε)
    (μ and σ² depend on every z_j of the batch). Returns ∂z, ∂γ, ∂β."""
    d_gamma = np.sum(g * z_hat, axis=-1)
    d_beta = g.sum(axis=-1)
    d_hat = gamma[..., None] * g
    d_z = inv * (d_hat - d_hat.mean(axis=-1, keepdims=True)
                 - z_hat * np.mean(d_hat * z_hat, axis=-1, keepdims=True))  # fmt: skip
    return d_z, d_gamma, d_beta


def _outer(delta, a):
    """Σ over examples of δ aᵀ: ``(N, out, B)`` with ``(N, inp, B)`` or ``(inp, B)``."""
    if a.ndim == 2:
        n, out, batch = delta.shape
        return (delta.reshape(n * out, batch) @ a.T).reshape(n, out, a.shape[0])
    return delta @ a.swapaxes(-1, -2)


def _slice_stats(stats: BNStats | None, lo: int, hi: int) -> BNStats | None:
    """The statistics ``(N, d_l)`` of the weight vectors lo … hi − 1."""
    if stats is None:
        return None
    return BNStats(tuple(m[lo:hi] for m in stats.mean), tuple(v[lo:hi] for v in stats.var),
                   stats.steps)  # fmt: skip


# ------------------------------------------------------------------ the surface


@dataclass(frozen=True, eq=False)
class NetworkSurface:
    """A small MLP's loss over its flattened weights θ (see the module's docstring for
    the formula, the layout of θ, the data and the initializations).

    ``x_train`` ``(n_train, d₀)``, ``y_train`` ``(n_train,)`` (class indices
    0 … K − 1), ``x_test``, ``y_test``: the split; ``x_val``, ``y_val``: the
    validation examples taken from the training part (None without). Methods take θ
    shaped ``(D,)`` and return a number / ``(D,)``, or shaped ``(N, D)`` and return
    ``(N,)`` / ``(N, D)``.
    """

    data: str
    hidden: tuple[int, ...]
    activation: str
    seed: int
    l2: float
    init: str
    init_scale: float
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    n_classes: int
    layers: tuple[Layer, ...]
    description: str
    x_val: np.ndarray | None = None
    y_val: np.ndarray | None = None
    val: float = 0.0  # the fraction of the training part set aside for validation
    batchnorm: bool = False

    @property
    def D(self) -> int:
        """The number of weights: θ's length."""
        return self.layers[-1].end

    @property
    def widths(self) -> tuple[int, ...]:
        """(d₀, d₁, …, d_L): inputs, hidden units, classes."""
        return (self.layers[0].inp, *(layer.out for layer in self.layers))

    @property
    def n_train(self) -> int:
        return len(self.y_train)

    @property
    def n_val(self) -> int:
        return 0 if self.y_val is None else len(self.y_val)

    # -------------------------------------------------------------- public API

    def loss(self, theta) -> float | np.ndarray:
        """f(θ): mean cross-entropy over the training set + (λ/2)|θ|²."""
        theta, single = self._theta(theta)
        out = np.empty(len(theta))
        for lo, hi in self._chunks(len(theta), self.n_train):
            out[lo:hi] = self._forward_loss(theta[lo:hi], self._xt, self._onehot)
        out += self.l2 / 2 * np.einsum("nd,nd->n", theta, theta)
        return float(out[0]) if single else out

    def example_loss(self, theta) -> np.ndarray:
        """Each training example's cross-entropy at one θ ``(D,)``: ``(n_train,)``."""
        theta, _ = self._theta(theta)
        z = self._logits(theta[:1], self._xt)[0]  # (K, n)
        return -self._log_softmax(z[None])[0][self.y_train, np.arange(self.n_train)]

    def grad(self, theta) -> np.ndarray:
        """∇f(θ) over the whole training set, by backpropagation."""
        theta, single = self._theta(theta)
        out = self._grad(theta, self._xt, self._onehot)
        return out[0] if single else out

    def batch_grad(self, theta, index) -> np.ndarray:
        """∇ of the loss over the training examples ``index`` ``(B,)`` only (their mean
        cross-entropy, plus the L2 term): over all of them, :meth:`grad`."""
        theta, single = self._theta(theta)
        index = self._index(index)
        out = self._grad(theta, np.ascontiguousarray(self.x_train[index].T),
                         self._onehot[:, index])  # fmt: skip
        return out[0] if single else out

    def batch_loss(self, theta, index) -> float | np.ndarray:
        """The loss over the training examples ``index`` only (their mean cross-entropy,
        plus the L2 term)."""
        theta, single = self._theta(theta)
        index = self._index(index)
        xt, onehot = np.ascontiguousarray(self.x_train[index].T), self._onehot[:, index]
        out = np.empty(len(theta))
        for lo, hi in self._chunks(len(theta), len(index)):
            out[lo:hi] = self._forward_loss(theta[lo:hi], xt, onehot)
        out += self.l2 / 2 * np.einsum("nd,nd->n", theta, theta)
        return float(out[0]) if single else out

    def hvp(self, theta, v) -> np.ndarray:
        """The Hessian-vector product ∇²f(θ) v, exact (Pearlmutter's R-operator); with
        batch normalization central differences of the exact gradient, (∇f(θ + h v) −
        ∇f(θ − h v)) / (2h), h = HVP_STEP · max(1, |θ|) / |v| (see the module's docstring).

        θ ``(D,)`` with v ``(D,)`` or ``(M, D)`` (M directions at one point: the forward
        pass is shared), or θ ``(N, D)`` with v ``(N, D)`` (or one v for all N)."""
        theta, single = self._theta(theta)
        v = np.asarray(v, dtype=float)
        if v.ndim not in (1, 2) or v.shape[-1] != self.D or (
                v.ndim == 2 and len(theta) != 1 and len(v) != len(theta)):  # fmt: skip
            raise ValueError(f"v must be shaped ({self.D},) or (N, {self.D}) with θ's N; "
                             f"got shape {v.shape} with θ {theta.shape}")  # fmt: skip
        single = single and v.ndim == 1
        v2 = v.reshape(-1, self.D) if v.ndim == 2 else np.broadcast_to(v, theta.shape)
        out = np.empty((max(len(theta), len(v2)), self.D))
        chunk = self._hvp_differences if self.batchnorm else self._hvp_chunk
        for lo, hi in self._chunks(len(out), self.n_train, stored=4):
            t = theta if len(theta) == 1 else theta[lo:hi]
            out[lo:hi] = chunk(t, v2[lo:hi] if len(v2) > 1 else v2)
        return out[0] if single else out

    def hessian(self, theta) -> np.ndarray:
        """∇²f(θ), exact, ``(D, D)`` (or ``(N, D, D)``), for D ≤ MAX_HESSIAN_D: the
        Hessian-vector products with every basis vector at once. Not symmetrized: it is
        symmetric to rounding because the R-operator is exact. With batch normalization
        (differences of gradients, see :meth:`hvp`) it is symmetrized, (H + Hᵀ)/2."""
        if self.D > MAX_HESSIAN_D:
            raise ValueError(f"the exact Hessian is for D <= {MAX_HESSIAN_D}; this network "
                             f"has D = {self.D} (use hvp)")  # fmt: skip
        theta, single = self._theta(theta)
        eye = np.eye(self.D)
        out = np.stack([self.hvp(t, eye) for t in theta])
        if self.batchnorm:
            out = (out + out.swapaxes(-1, -2)) / 2
        return out[0] if single else out

    def init_params(self, seed: int | None = None) -> np.ndarray:
        """θ₀ ``(D,)`` drawn by this network's ``init`` scheme times ``init_scale``, from
        ``seed`` (this network's seed when None)."""
        seed = self.seed if seed is None else _seed(seed)
        rng = np.random.default_rng((seed, 2))  # a stream of its own: data use 0 and 1
        theta = np.zeros(self.D)
        for layer in self.layers:
            if self.init == "scale":
                theta[layer.w_start : layer.g_start] = rng.standard_normal(
                    layer.g_start - layer.w_start)  # fmt: skip
                continue
            fan = layer.inp + layer.out if self.init in ("xavier", "glorot") else layer.inp
            std = math.sqrt(2.0 / fan)
            theta[layer.w_start : layer.b_start] = std * rng.standard_normal(
                layer.b_start - layer.w_start)  # fmt: skip
        theta *= self.init_scale
        for layer in self.layers:
            if layer.bn:  # γ = 1, β = 0
                theta[layer.b_start : layer.g_start] = 0.0
                theta[layer.g_start : layer.end] = 1.0
        return theta

    def accuracy(self, theta, split: str = "test", stats: BNStats | None = None
                 ) -> float | np.ndarray:  # fmt: skip
        """The fraction of ``split``'s examples ("test": held out, "val", or "train")
        whose most probable class is the true one.

        With batch normalization, evaluated with fixed statistics (each example on its
        own, as torch's ``eval()``): ``stats`` (:meth:`running_stats` along a run), or by
        default the whole training set's at θ (:meth:`batch_stats`: the statistics f
        normalizes with)."""
        x, y = self._split(split)
        theta, single = self._theta(theta)
        stats = self._eval_stats(theta, stats)
        out = np.empty(len(theta))
        xt = np.ascontiguousarray(x.T)
        for lo, hi in self._chunks(len(theta), len(y)):
            logits = self._logits(theta[lo:hi], xt, _slice_stats(stats, lo, hi))
            out[lo:hi] = np.mean(np.argmax(logits, axis=1) == y, axis=1)
        return float(out[0]) if single else out

    def split_loss(self, theta, split: str = "test", stats: BNStats | None = None
                   ) -> float | np.ndarray:  # fmt: skip
        """The mean cross-entropy over ``split``'s examples ("test": held out, "val": set
        aside for validation, or "train"), without the L2 term (the loss a validation
        curve draws); with batch normalization evaluated with fixed statistics as
        :meth:`accuracy` is (``split="train"`` with the default statistics is f − (λ/2)|θ|²
        exactly)."""
        x, y = self._split(split)
        theta, single = self._theta(theta)
        stats = self._eval_stats(theta, stats)
        onehot = (np.arange(self.n_classes)[:, None] == y).astype(float)
        xt = np.ascontiguousarray(x.T)
        out = np.empty(len(theta))
        for lo, hi in self._chunks(len(theta), len(y)):
            out[lo:hi] = self._forward_loss(theta[lo:hi], xt, onehot, _slice_stats(stats, lo, hi))
        return float(out[0]) if single else out

    def batch_stats(self, theta, index=None) -> BNStats:
        """The batch statistics at θ ``(D,)`` or ``(N, D)`` over the training examples
        ``index`` (None: all of them): for each batch-normalized layer, μ_B and the biased
        σ²_B of its pre-activations z_l = W_l a_{l−1} (the earlier layers normalized with
        the same batch's statistics, as in training)."""
        self._need_bn("batch_stats")
        theta, single = self._theta(theta)
        xt = self._xt if index is None else np.ascontiguousarray(
            self.x_train[self._index(index)].T)  # fmt: skip
        means, variances = self._batch_moments(theta, xt)
        if single:
            means, variances = [m[0] for m in means], [v[0] for v in variances]
        return BNStats(tuple(means), tuple(variances))

    def running_stats(self, path, batches=None, momentum: float = BN_MOMENTUM) -> BNStats:
        """The running averages torch's BatchNorm1d keeps in training, along a run:
        starting at mean 0 and variance 1, at every step t = 0 … T − 1 the batch
        statistics at the weights w_t the step's gradient is taken at (``path[t]``; the
        last point, w_T, was never trained with) over that step's batch,

            running_mean ← (1 − m) running_mean + m μ_B,
            running_var ← (1 − m) running_var + m σ²_B · B / (B − 1)

        (the variance unbiased; m = ``momentum``). ``path`` ``(T + 1, D)`` or ``(T + 1,
        N, D)`` (N runs that took the same batches); ``batches``: the T steps' index
        arrays in order (e.g. ``optim_core.runner.batch_indices(n, B, seed)``, an
        iterator is read T times), or None for the full batch every step. One update a
        step (a line search's trial points are not counted)."""
        self._need_bn("running_stats")
        path = np.asarray(path, dtype=float)
        if path.ndim not in (2, 3) or path.shape[-1] != self.D or len(path) < 1:
            raise ValueError(f"path must be shaped (T + 1, {self.D}) or (T + 1, N, {self.D}); "
                             f"got shape {path.shape}")  # fmt: skip
        m = _number("momentum", momentum)
        if m > 1:
            raise ValueError(f"momentum must be a finite number in [0, 1]; got {momentum!r}")
        lead = path.shape[1:-1]
        sizes = [layer.out for layer in self.layers if layer.bn]
        means = [np.zeros((*lead, d)) for d in sizes]
        variances = [np.ones((*lead, d)) for d in sizes]
        batches = None if batches is None else iter(batches)
        for t in range(len(path) - 1):
            index = None if batches is None else next(batches, None)
            if batches is not None and index is None:
                raise ValueError(f"batches ran out after {t} batches; the path has "
                                 f"{len(path) - 1} steps")  # fmt: skip
            xt = self._xt if index is None else np.ascontiguousarray(
                self.x_train[self._index(index)].T)  # fmt: skip
            size = xt.shape[1]
            if size < 2:
                raise ValueError(f"batch {t} has {size} example: the unbiased variance of a "
                                 "running average needs at least 2 (torch refuses it too)")
            mu, var = self._batch_moments(path[t].reshape(-1, self.D), xt)
            for k in range(len(sizes)):
                means[k] = (1 - m) * means[k] + m * mu[k].reshape(*lead, -1)
                variances[k] = ((1 - m) * variances[k]
                                + m * var[k].reshape(*lead, -1) * size / (size - 1))  # fmt: skip
        return BNStats(tuple(means), tuple(variances), len(path) - 1)

    @functools.cached_property
    def surface(self) -> Surface:
        """This network as the runner's :class:`~surfaces.Surface` of dimension D: ``f``,
        ``grad`` and ``hessian`` take weights shaped ``(..., D)`` (a path ``(steps + 1, N,
        D)`` at once), ``data`` gives the mini-batch gradients. No minimizer is known (a
        run never "converges"; its loss and accuracy tell), the loss is at least 0, and
        a run has diverged when its loss ends above where it started or leaves the
        finite numbers (``divergence="loss"``): on separable data the weights of a run
        that keeps lowering the loss grow without bound (L-BFGS's past 10⁶ on the
        spirals), which is not divergence. Its ``domain``, [−DOMAIN, DOMAIN] on every
        weight, only bounds the starts and guards against overflow (beyond 10⁴ times it
        a run is stopped as diverged)."""
        D = self.D

        def along(method):
            def call(theta):
                theta = np.asarray(theta, dtype=float)
                out = method(theta.reshape(-1, D))
                return out.reshape(theta.shape[:-1] + out.shape[1:])
            return call

        def hessian(theta):
            return along(self.hessian)(theta)

        def batch_grad(theta, index):
            return along(lambda t: self.batch_grad(t, index))(theta)

        def batch_loss(theta, index):
            return along(lambda t: self.batch_loss(t, index))(theta)

        start = self.init_params()[None]
        start.flags.writeable = False
        return Surface(
            name="network", title=self.title, latex=r"\frac{1}{n}\sum_i -\log p_{y_i}(x_i)"
            + (r" + \frac{\lambda}{2}\lVert\theta\rVert^2" if self.l2 else ""),
            f=along(self.loss), grad=along(self.grad), hessian=hessian,
            domain=((-DOMAIN, DOMAIN),) * D, minimizers=np.empty((0, D)), min_value=0.0,
            saddles=np.empty((0, D)), starts=start, log_scale=True,
            description=self.description, divergence="loss",
            params=self.arguments,
            axes=("θ₁", "θ₂"),
            data=DataSet(
                kind="classification", inputs=self.x_train, targets=self.y_train,
                batch_grad=batch_grad, batch_loss=batch_loss, example_loss=self.example_loss,
                val_inputs=self.x_val, val_targets=self.y_val,
                val_loss=along(lambda t: self.split_loss(t, "val")) if self.n_val else None,
                arrival=np.argsort(self.y_train, kind="stable"),  # by class
            ),
        )

    @property
    def arguments(self) -> dict:
        """:func:`network`'s arguments that build this network again, ``network(**args)``
        (``n``: its examples, training and held out; ``batchnorm`` only when True, so a
        net without it records what it did before): its surface's ``params``, which an
        export records."""
        args = dict(data=self.data, hidden=tuple(self.hidden), activation=self.activation,
                    seed=self.seed, l2=self.l2, init=self.init, init_scale=self.init_scale,
                    n=self.n_train + self.n_val + len(self.y_test))  # fmt: skip
        if self.n_val:
            args["val"] = self.val
        if self.batchnorm:
            args["batchnorm"] = True
        return args

    @property
    def title(self) -> str:
        """"A 2-16-2 tanh MLP on two moons" ("… MLP with batch norm on …")."""
        return (f"{'-'.join(map(str, self.widths))} {self.activation} MLP "
                f"{'with batch norm ' if self.batchnorm else ''}on {_DATA_TITLES[self.data]}")

    def unpack(self, theta) -> list[tuple[np.ndarray, np.ndarray]]:
        """[(W₁, b₁), …]: views of θ ``(D,)`` or ``(N, D)`` as ``(…, out, inp)`` and
        ``(…, out)`` (a batch-normalized layer's b is its β; its γ: :meth:`gammas`)."""
        theta = np.asarray(theta)
        lead = theta.shape[:-1]
        return [(theta[..., layer.w_start : layer.b_start].reshape(*lead, layer.out, layer.inp),
                 theta[..., layer.b_start : layer.g_start]) for layer in self.layers]  # fmt: skip

    def gammas(self, theta) -> list[np.ndarray | None]:
        """Each layer's γ as a view of θ ``(…, out)``, None where it is not normalized."""
        theta = np.asarray(theta)
        return [theta[..., layer.g_start : layer.end] if layer.bn else None
                for layer in self.layers]  # fmt: skip

    # -------------------------------------------------------------- internals

    @functools.cached_property
    def _xt(self) -> np.ndarray:
        return np.ascontiguousarray(self.x_train.T)  # (d₀, n): examples on the last axis

    @functools.cached_property
    def _onehot(self) -> np.ndarray:
        return (np.arange(self.n_classes)[:, None] == self.y_train).astype(float)  # (K, n)

    def _split(self, split: str) -> tuple[np.ndarray, np.ndarray]:
        if split not in SPLITS:
            raise ValueError(f"split must be one of {list(SPLITS)}; got {split!r}")
        if split == "val" and self.y_val is None:
            raise ValueError("split 'val': this network has no validation examples "
                             "(build it with val > 0)")  # fmt: skip
        return {"train": (self.x_train, self.y_train), "test": (self.x_test, self.y_test),
                "val": (self.x_val, self.y_val)}[split]  # fmt: skip

    def _theta(self, theta) -> tuple[np.ndarray, bool]:
        theta = np.asarray(theta, dtype=float)
        if theta.ndim not in (1, 2) or theta.shape[-1] != self.D:
            raise ValueError(f"theta must be shaped ({self.D},) or (N, {self.D}) for this "
                             f"network; got shape {theta.shape}")  # fmt: skip
        return theta.reshape(-1, self.D), theta.ndim == 1

    def _index(self, index) -> np.ndarray:
        index = np.asarray(index)
        if index.ndim != 1 or len(index) == 0 or not np.issubdtype(index.dtype, np.integer):
            raise ValueError("index must be a non-empty 1-D array of integers; got "
                             f"{index.dtype} shaped {index.shape}")  # fmt: skip
        bad = (index < 0) | (index >= self.n_train)
        if bad.any():
            raise ValueError(f"index {int(index[bad][0])} is out of range: training examples "
                             f"are 0 to {self.n_train - 1}")  # fmt: skip
        return index

    def _need_bn(self, what: str) -> None:
        if not self.batchnorm:
            raise ValueError(f"{what} is for a network with batch normalization "
                             "(network(..., batchnorm=True)); this one has none")  # fmt: skip

    def _eval_stats(self, theta, stats) -> BNStats | None:
        """The statistics an evaluation normalizes with, ``(N, d_l)`` each: ``stats``
        broadcast to θ's N, or the training set's at θ (None without batch norm)."""
        if not self.batchnorm:
            if stats is not None:
                raise ValueError("stats is for a network with batch normalization; this one "
                                 "has none")  # fmt: skip
            return None
        if stats is None:
            means, variances = self._batch_moments(theta, self._xt)
            return BNStats(tuple(means), tuple(variances))
        if not isinstance(stats, BNStats):
            raise ValueError(f"stats must be a BNStats (running_stats, batch_stats); got "
                             f"{type(stats).__name__}")  # fmt: skip
        sizes = [layer.out for layer in self.layers if layer.bn]
        try:
            means = tuple(np.broadcast_to(np.asarray(m, dtype=float), (len(theta), d))
                          for m, d in zip(stats.mean, sizes, strict=True))  # fmt: skip
            variances = tuple(np.broadcast_to(np.asarray(v, dtype=float), (len(theta), d))
                              for v, d in zip(stats.var, sizes, strict=True))  # fmt: skip
        except ValueError:
            raise ValueError(f"stats must hold a mean and a variance shaped (d_l,) or (N, "
                             f"d_l) for each normalized layer, d_l = {sizes}, N = "
                             f"{len(theta)}") from None  # fmt: skip
        return BNStats(means, variances, stats.steps)

    def _batch_moments(self, theta, xt) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """μ_B and the biased σ²_B ``(N, d_l)`` of each normalized layer's z_l over the
        examples ``xt`` ``(d₀, B)``, the layers before it normalized the same way."""
        phi = _PHI[self.activation]
        means, variances = [], []
        a = xt
        for W, b, gamma in self._params(theta)[:-1]:
            z = _affine(W, a, None if gamma is not None else b)
            if gamma is not None:
                mu = z.mean(axis=-1)
                centred = z - mu[..., None]
                means.append(mu)
                variances.append(np.mean(centred * centred, axis=-1))
                z = _normalize(z, gamma, b)[0]
            a = phi(z)[0]
        return means, variances

    def _params(self, theta) -> list[tuple[np.ndarray, np.ndarray, np.ndarray | None]]:
        """[(W_l, b_l or β_l, γ_l or None), …]."""
        return [(W, b, g) for (W, b), g in zip(self.unpack(theta), self.gammas(theta),
                                                strict=True)]  # fmt: skip

    def _chunks(self, count: int, examples: int, stored: int = 1):
        """Slices of the N weight vectors whose passes stay within _BUDGET floats an
        array (``stored`` arrays per layer are kept)."""
        per_vector = examples * sum(self.widths[1:]) * stored
        size = max(1, _BUDGET // max(per_vector, 1))
        for lo in range(0, count, size):
            yield lo, min(lo + size, count)

    def _logits(self, theta, xt, stats: BNStats | None = None) -> np.ndarray:
        """The logits ``(N, K, B)``; a normalized layer with its batch's own statistics
        (training), or with ``stats`` ``(N, d_l)`` (evaluation)."""
        phi = _PHI[self.activation]
        a = xt
        params = self._params(theta)
        k = 0  # the normalized layers seen
        for at, (W, b, gamma) in enumerate(params):
            if gamma is None:
                z = _affine(W, a, b)
            else:
                given = (None, None) if stats is None else (stats.mean[k], stats.var[k])
                z = _normalize(_affine(W, a, None), gamma, b, *given)[0]
                k += 1
            a = z if at == len(params) - 1 else phi(z)[0]
        return a  # (N, K, B)

    @staticmethod
    def _log_softmax(z) -> np.ndarray:
        shifted = z - z.max(axis=1, keepdims=True)
        return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))

    def _forward_loss(self, theta, xt, onehot, stats: BNStats | None = None) -> np.ndarray:
        # mean of log Σ_k e^{z_k} − z_y, the logits overwritten on the way (a plane's
        # loss is one pass over N × K × n numbers: no copy of them is kept)
        z = self._logits(theta, xt, stats)
        picked = np.einsum("nkb,kb->n", z, onehot)
        top = z.max(axis=1)
        z -= top[:, None, :]
        np.exp(z, out=z)
        log_sum = np.log(z.sum(axis=1))
        log_sum += top
        return (log_sum.sum(axis=1) - picked) / onehot.shape[1]

    def _grad(self, theta, xt, onehot) -> np.ndarray:
        out = np.empty(theta.shape)
        for lo, hi in self._chunks(len(theta), onehot.shape[1], stored=2):
            out[lo:hi] = self._grad_chunk(theta[lo:hi], xt, onehot)
        out += self.l2 * theta
        return out

    def _grad_chunk(self, theta, xt, onehot) -> np.ndarray:
        """Backpropagation: δ_L = (p − y)/n, ∂W_l = δ_l a_{l−1}ᵀ, ∂b_l = Σ δ_l,
        δ_{l−1} = (W_lᵀ δ_l) ⊙ φ'(z_{l−1}). With batch normalization: forward,
        y_l = γ_l ẑ_l + β_l (the batch's statistics) and a_l = φ(y_l); back, g_l = ∂L/∂y_l
        (below the output g_{l−1} = (W_lᵀ δ_l) ⊙ φ'(y_{l−1})), then through the
        normalization (:func:`_normalize_back`: ∂γ_l, ∂β_l and δ_l = ∂L/∂z_l), and
        ∂W_l = δ_l a_{l−1}ᵀ."""
        phi = _PHI[self.activation]
        params = self._params(theta)
        acts, slopes, norms = [xt], [], []
        for W, b, gamma in params[:-1]:
            if gamma is None:
                y, z_hat, inv = _affine(W, acts[-1], b), None, None
            else:
                y, z_hat, inv = _normalize(_affine(W, acts[-1], None), gamma, b)
            a, d1 = phi(y, 1)
            acts.append(a)
            slopes.append(d1)
            norms.append((z_hat, inv))
        W, b, _ = params[-1]
        delta = np.exp(self._log_softmax(_affine(W, acts[-1], b)))
        delta -= onehot
        delta /= onehot.shape[1]
        out = np.empty(theta.shape)
        for at in range(len(params) - 1, -1, -1):
            layer = self.layers[at]
            if layer.bn:  # delta is ∂L/∂y: through the normalization to ∂L/∂z
                z_hat, inv = norms[at]
                delta, d_gamma, d_beta = _normalize_back(delta, z_hat, inv, params[at][2])
                out[:, layer.b_start : layer.g_start] = d_beta
                out[:, layer.g_start : layer.end] = d_gamma
            else:
                out[:, layer.b_start : layer.end] = delta.sum(axis=-1)
            out[:, layer.w_start : layer.b_start] = _outer(delta, acts[at]).reshape(len(theta), -1)
            if at:
                delta = (params[at][0].swapaxes(-1, -2) @ delta) * slopes[at - 1]
        return out

    def _hvp_differences(self, theta, v) -> np.ndarray:
        """∇²f(θ) v ≈ (∇f(θ + h v) − ∇f(θ − h v)) / (2h), h = HVP_STEP · max(1, |θ|) / |v|
        for each v (0 where v = 0). θ is ``(1, D)`` (shared) or ``(M, D)``, v ``(M, D)``."""
        norm = np.linalg.norm(v, axis=1)
        h = HVP_STEP * np.maximum(1.0, np.linalg.norm(theta, axis=1)) / np.where(
            norm > 0, norm, 1.0)  # fmt: skip
        step = h[:, None] * v
        ahead = self._grad(theta + step, self._xt, self._onehot)
        behind = self._grad(theta - step, self._xt, self._onehot)
        return (ahead - behind) / (2 * h[:, None])

    def _hvp_chunk(self, theta, v) -> np.ndarray:
        """The R-operator R{·} = ∂/∂r (·)(θ + r v) at r = 0 through the forward pass and
        backpropagation (Pearlmutter 1994):

        R{z_l} = V_l a_{l−1} + W_l R{a_{l−1}} + v_{b,l},  R{a_l} = φ'(z_l) R{z_l};
        R{δ_L} = p ⊙ (R{z_L} − Σ_k p_k R{z_L,k}) / n;
        R{∂W_l} = R{δ_l} a_{l−1}ᵀ + δ_l R{a_{l−1}}ᵀ,  R{∂b_l} = Σ R{δ_l};
        R{δ_{l−1}} = (V_lᵀ δ_l + W_lᵀ R{δ_l}) ⊙ φ'(z_{l−1})
                     + (W_lᵀ δ_l) ⊙ φ''(z_{l−1}) ⊙ R{z_{l−1}};
        and λ v for the L2 term. θ is ``(1, D)`` (shared) or ``(M, D)``, v ``(M, D)``."""
        phi = _PHI[self.activation]
        xt, onehot = self._xt, self._onehot
        params, dirs = self.unpack(theta), self.unpack(v)
        acts, r_acts, slopes, curves, r_zs = [xt], [None], [], [], []
        for (W, b), (V, vb) in zip(params[:-1], dirs[:-1], strict=True):
            a, d1, d2 = phi(_affine(W, acts[-1], b), 2)
            r_z = _affine(V, acts[-1], vb)
            if r_acts[-1] is not None:
                r_z = r_z + W @ r_acts[-1]
            acts.append(a)
            r_acts.append(d1 * r_z)
            slopes.append(d1)
            curves.append(d2)
            r_zs.append(r_z)
        (W, b), (V, vb) = params[-1], dirs[-1]
        p = np.exp(self._log_softmax(_affine(W, acts[-1], b)))
        r_z = _affine(V, acts[-1], vb)
        if r_acts[-1] is not None:
            r_z = r_z + W @ r_acts[-1]
        n = onehot.shape[1]
        delta = (p - onehot) / n
        r_delta = p * (r_z - (p * r_z).sum(axis=1, keepdims=True)) / n
        out = np.empty(v.shape)
        for at in range(len(params) - 1, -1, -1):
            layer = self.layers[at]
            r_gw = _outer(r_delta, acts[at])
            if r_acts[at] is not None:
                r_gw = r_gw + _outer(delta, r_acts[at])
            out[:, layer.w_start : layer.b_start] = r_gw.reshape(len(v), -1)
            out[:, layer.b_start : layer.end] = r_delta.sum(axis=-1)
            if at:
                W_t, V_t = params[at][0].swapaxes(-1, -2), dirs[at][0].swapaxes(-1, -2)
                back = W_t @ delta
                r_delta = ((V_t @ delta + W_t @ r_delta) * slopes[at - 1]
                           + back * curves[at - 1] * r_zs[at - 1])  # fmt: skip
                delta = back * slopes[at - 1]
        out += self.l2 * v
        return out


# ------------------------------------------------------------------ the data


def _moons(n: int, rng) -> tuple[np.ndarray, np.ndarray]:
    outer = n // 2 + n % 2
    t = rng.uniform(0.0, np.pi, n)
    y = (np.arange(n) >= outer).astype(np.intp)
    x = np.where(y[:, None] == 0,
                 np.column_stack([np.cos(t), np.sin(t)]),
                 np.column_stack([1.0 - np.cos(t), 0.5 - np.sin(t)]))  # fmt: skip
    return x + MOONS_NOISE * rng.standard_normal((n, 2)), y


def _spirals(n: int, rng) -> tuple[np.ndarray, np.ndarray]:
    s = rng.uniform(0.15, 1.0, n)
    y = (np.arange(n) >= n // 2 + n % 2).astype(np.intp)
    angle = 3.0 * np.pi * s + np.pi * y
    x = s[:, None] * np.column_stack([np.cos(angle), np.sin(angle)])
    return x + SPIRALS_NOISE * rng.standard_normal((n, 2)), y


@functools.cache
def _digits() -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import load_digits  # only the digits need scikit-learn

    bunch = load_digits()
    x = bunch.data / 16.0  # pixels 0–16 → [0, 1]
    y = bunch.target.astype(np.intp)
    x.flags.writeable = y.flags.writeable = False
    return x, y


_DATA_TITLES = {"moons": "two moons", "spirals": "two spirals", "digits": "handwritten digits"}
_DESCRIPTIONS = {
    "moons": "two interleaving half circles (generated here, noise σ {noise})",
    "spirals": "two interleaved spiral arms of one and a half turns (generated here, noise σ "
               "{noise})",
    "digits": "scikit-learn's bundled handwritten digits (8 × 8 pixels, 10 classes; offline)",
}


# ------------------------------------------------------------------ the factory


def _seed(seed) -> int:
    if (isinstance(seed, bool) or not isinstance(seed, numbers.Real)
            or seed != int(seed) or not 0 <= seed <= 2**32 - 1):  # fmt: skip
        raise ValueError(f"seed must be an integer in [0, 2**32 - 1]; got {seed!r}")
    return int(seed)


def _number(name: str, value, low: float = 0.0) -> float:
    if (isinstance(value, bool) or not isinstance(value, numbers.Real)
            or not math.isfinite(value) or value < low):  # fmt: skip
        raise ValueError(f"{name} must be a finite number >= {low:g}; got {value!r}")
    return float(value)


def network(data: str = "moons", hidden: Sequence[int] = (16,), activation: str = "tanh",
            seed: int = 0, l2: float = 0.0, init: str = "xavier", init_scale: float = 1.0,
            n: int | None = None, val: float = 0.0,
            batchnorm: bool = False) -> NetworkSurface:  # fmt: skip
    """The network surface of an MLP with hidden layers of widths ``hidden`` and
    ``activation`` on ``data`` ("moons", "spirals" or "digits"), its ``n`` examples
    (moons and spirals: 200 by default, at most 5,000; digits: all 1,797 by default, or
    a seeded subset) drawn and split from ``seed``; ``val`` (0 to 0.5) of the training
    part set aside for validation; λ = ``l2``; the initialization ``init`` times
    ``init_scale``; ``batchnorm``: batch normalization on every hidden layer (see the
    module's docstring). A ValueError names a bad value and what is allowed.

    Built once per set of arguments (a bounded cache): its arrays are read-only.
    """
    if not isinstance(data, str) or data not in DATA_SETS:
        raise ValueError(f"data must be one of {list(DATA_SETS)}; got {data!r}")
    if isinstance(hidden, str | bytes) or not isinstance(hidden, Sequence):
        raise ValueError(f"hidden must be a tuple of layer widths, e.g. (16,); got {hidden!r}")
    if not 1 <= len(hidden) <= MAX_LAYERS:
        raise ValueError(f"hidden must have 1 to {MAX_LAYERS} layers; got {tuple(hidden)!r}")
    for width in hidden:
        if (isinstance(width, bool) or not isinstance(width, numbers.Integral)
                or not 1 <= width <= MAX_WIDTH):  # fmt: skip
            raise ValueError(f"each hidden width must be an integer in [1, {MAX_WIDTH}]; "
                             f"got {width!r} in hidden={tuple(hidden)!r}")  # fmt: skip
    if not isinstance(activation, str) or activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {list(ACTIVATIONS)}; got {activation!r}")
    if not isinstance(init, str) or init not in INITS:
        raise ValueError(f"init must be one of {list(INITS)}; got {init!r}")
    if not isinstance(batchnorm, bool | np.bool_):
        raise ValueError(f"batchnorm must be True or False; got {batchnorm!r}")
    seed = _seed(seed)
    l2 = _number("l2", l2)
    init_scale = _number("init_scale", init_scale)
    most = DIGITS_N if data == "digits" else MAX_GENERATED
    if n is not None and (isinstance(n, bool) or not isinstance(n, numbers.Integral)
                          or not MIN_EXAMPLES <= n <= most):  # fmt: skip
        raise ValueError(f"n for {data} must be an integer in [{MIN_EXAMPLES}, {most}] or "
                         f"None; got {n!r}")  # fmt: skip
    inputs, classes = (64, 10) if data == "digits" else (2, 2)
    widths = (inputs, *(int(w) for w in hidden), classes)
    D = sum(o * (i + 1) for i, o in zip(widths[:-1], widths[1:], strict=True))
    if batchnorm:  # γ beside β on every hidden layer
        D += sum(widths[1:-1])
    if D > MAX_D:
        raise ValueError(f"the network {'-'.join(map(str, widths))} has D = {D:,} weights; "
                         f"at most {MAX_D:,}")  # fmt: skip
    val = _number("val", val)
    if val > MAX_VAL:
        raise ValueError(f"val must be a fraction in [0, {MAX_VAL}]; got {val!r}")
    return _build(data, widths, activation, seed, l2, init, init_scale,
                  None if n is None else int(n), val, bool(batchnorm))  # fmt: skip


@functools.lru_cache(maxsize=16)
def _build(data, widths, activation, seed, l2, init, init_scale, n, val=0.0,
           batchnorm=False) -> NetworkSurface:  # fmt: skip
    if data == "digits":
        x, y = _digits()
        if n is not None and n < len(y):
            keep = np.sort(np.random.default_rng((seed, 0)).choice(len(y), n, replace=False))
            x, y = x[keep], y[keep]
    else:
        draw = _moons if data == "moons" else _spirals
        x, y = draw(200 if n is None else n, np.random.default_rng((seed, 0)))
    order = np.random.default_rng((seed, 1)).permutation(len(y))
    n_test = round(TEST_FRACTION * len(y))
    test, train = np.sort(order[:n_test]), np.sort(order[n_test:])
    held = np.arange(0)
    if val > 0:  # from the training part, by a stream of its own: the test set stays
        n_val = max(1, round(val * len(train)))
        if len(train) - n_val < 2:
            raise ValueError(f"val = {val:g} leaves {len(train) - n_val} training examples; "
                             "at least 2 must be left")  # fmt: skip
        pick = np.random.default_rng((seed, 3)).permutation(len(train))
        held, train = np.sort(train[pick[:n_val]]), np.sort(train[pick[n_val:]])
    layers, start = [], 0
    for at, (inp, out) in enumerate(zip(widths[:-1], widths[1:], strict=True)):
        layers.append(Layer(inp, out, start, bn=batchnorm and at < len(widths) - 2))
        start = layers[-1].end
    arrays = [np.array(a) for a in (x[train], y[train], x[test], y[test], x[held], y[held])]
    for a in arrays:
        a.flags.writeable = False  # shared between callers through the cache
    noise = MOONS_NOISE if data == "moons" else SPIRALS_NOISE
    return NetworkSurface(
        data=data, hidden=widths[1:-1], activation=activation, seed=seed, l2=l2, init=init,
        init_scale=init_scale, x_train=arrays[0], y_train=arrays[1], x_test=arrays[2],
        y_test=arrays[3], n_classes=widths[-1], layers=tuple(layers), batchnorm=batchnorm,
        x_val=arrays[4] if len(held) else None, y_val=arrays[5] if len(held) else None,
        val=float(val) if len(held) else 0.0,
        description=f"A {'-'.join(map(str, widths))} {activation} MLP "
        + ("with batch normalization on every hidden layer " if batchnorm else "")
        + f"(D = {start:,}) on "
        + _DESCRIPTIONS[data].format(noise=noise)
        + f": {len(train)} training examples, "
        + (f"{len(held)} for validation, " if len(held) else "")
        + f"{len(test)} held out (seed {seed}).",
    )


__all__ = ["ACTIVATIONS", "BN_EPS", "BN_MOMENTUM", "DATA_SETS", "INITS", "MAX_D",
           "MAX_HESSIAN_D", "MAX_WIDTH", "BNStats", "Layer", "NetworkSurface", "network"]
