r"""SOAP (Vyas et al. (2024)): Adam in the eigenbasis of a running average of g gᵀ, the
basis refreshed every k steps — optax's ``optax.contrib.soap`` (google-deepmind/optax,
optax/contrib/_soap.py), which follows the authors' nikhilvyas/SOAP soap.py, with
``precondition_1d=True``.

A 2-vector is a 1-D parameter, and both codes leave 1-D parameters unpreconditioned by
default (``precondition_1d=False``): SOAP on a vector is then Adam with its first step
skipped and ε not bias-corrected — nothing of SOAP. Both take ``precondition_1d=True``
for one D × D statistic g gᵀ, the vector case of SOAP's L and R; that is the rule here.

optax's rule, at step t (the state's count):

* t = 1 (the reference skips the step: "we never use the current gradients in the
  projection"): G ← (1 − β₂) g gᵀ; Q ← G's eigenvectors, largest eigenvalue first
  (``eigh(G + 10⁻³⁰ I)``, columns flipped); no move (but the weight decay's).
* t ≥ 2, s = t − 1: g' = Qᵀ g;  m ← β₁ m + (1 − β₁) g';  v ← β₂ v + (1 − β₂) g'²;
  u = √(1 − β₂ˢ) / (1 − β₁ˢ) · Q (m / (√v + ε));  G ← G + (1 − β₂)(g gᵀ − G)
  (``shampoo_beta`` = −1: β₂); where s mod k = 0 (k = ``every``,
  ``precondition_frequency``), one power iteration and QR: the columns of Q and the
  entries of v sorted by the estimated eigenvalues diag(Qᵀ G Q), largest first, then
  Q' = qr(G Q), and m ← Q'ᵀ Q m (the momentum carried to the new basis; v is not).
* w ← w − α (u + λ w).

Where optax and the authors' code differ: the authors' decay multiplies the point after
the step by (1 − αλ) (optax decays the point before it: the two differ by α²λ·u) and
skips the first step altogether (optax still decays); they run in float32 (optax's QR
too), here float64. The column signs of Q (LAPACK's, here NumPy's) do not change the step:
m lives in the same basis and is carried over. Defaults: the authors' lr 3e-3, β₁ = β₂
= 0.95, ε = 1e-8, k = 10 (optax's too, which has no lr default); optax's λ = 0 (theirs
0.01 pulls the minimum towards the origin).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._base import define, same_in_torch


class SoapState(NamedTuple):
    # (not m and v: they live in the basis Q, not x and y; the page's momentum arrow
    # reads an ``m`` as the push in x and y)
    m_eig: np.ndarray  # shape=w.shape, average of the gradients in the basis Q
    v_eig: np.ndarray  # shape=w.shape, average of their squares in the basis Q
    G: np.ndarray  # shape=(*w.shape, D), average of g gᵀ (optax's gg, the paper's L)
    Q: np.ndarray  # shape=(*w.shape, D), the eigenbasis, one column a direction


def soap_init(w: np.ndarray) -> SoapState:
    w = np.asarray(w, dtype=float)
    square = (*w.shape, w.shape[-1])
    return SoapState(np.zeros_like(w), np.zeros_like(w), np.zeros(square), np.zeros(square))


def _apply(a, x):
    """a x for matrices (..., D, D) and vectors (..., D)."""
    return np.einsum("...ij,...j->...i", a, x)


def _apply_transposed(a, x):
    """aᵀ x."""
    return np.einsum("...ji,...j->...i", a, x)


def eigenbasis(G: np.ndarray) -> np.ndarray:
    """G's eigenvectors as columns, the largest eigenvalue first (optax's
    ``_get_orthogonal_matrix``: eigh of G + 10⁻³⁰ I, the columns flipped)."""
    return np.flip(np.linalg.eigh(G + 1e-30 * np.eye(G.shape[-1]))[1], axis=-1)


def refreshed_basis(G, Q, v):
    """One power iteration and QR (optax's ``_get_orthogonal_matrix_qr``): Q's columns and
    v's entries sorted by diag(Qᵀ G Q), largest first; then the Q of qr(G Q)."""
    estimate = np.einsum("...ji,...jk,...ki->...i", Q, G, Q)
    order = np.flip(np.argsort(estimate, axis=-1), axis=-1)
    v = np.take_along_axis(v, order, axis=-1)
    Q = np.take_along_axis(Q, order[..., None, :], axis=-1)
    return np.linalg.qr(G @ Q)[0], v


def soap_update(grad, w, state, t, hp):
    """t = 1: G ← (1 − β₂) g gᵀ, Q ← eigenvectors of G, no step.  t ≥ 2, s = t − 1:
    g' = Qᵀ g;  m ← β₁ m + (1 − β₁) g';  v ← β₂ v + (1 − β₂) g'²;
    u = √(1 − β₂ˢ)/(1 − β₁ˢ) · Q (m / (√v + ε));  G ← G + (1 − β₂)(g gᵀ − G);
    where s mod k = 0: sort by diag(Qᵀ G Q), Q' = qr(G Q), m ← Q'ᵀ Q m.
    Both: w ← w − α (u + λ w)"""
    g = grad(w)
    outer = g[..., :, None] * g[..., None, :]
    rate = 1 - np.asarray(hp.beta2)[..., None]  # G's: (N, 1, 1) where β₂ is swept
    if t == 1:
        G = state.G + rate * (outer - state.G)
        w = w - hp.lr * (np.zeros_like(w) + hp.weight_decay * w)
        return w, SoapState(state.m_eig, state.v_eig, G, eigenbasis(G)), g
    s = t - 1
    projected = _apply_transposed(state.Q, g)
    m = hp.beta1 * state.m_eig + (1 - hp.beta1) * projected
    v = hp.beta2 * state.v_eig + (1 - hp.beta2) * (projected * projected)
    correction = np.sqrt(1 - np.power(hp.beta2, s)) / (1 - np.power(hp.beta1, s))
    u = _apply(state.Q, m / (np.sqrt(v) + hp.eps)) * correction
    G = state.G + rate * (outer - state.G)
    Q = state.Q
    refresh = np.mod(s, hp.every) == 0  # a bool, or (N, 1) when k is swept
    if np.any(refresh):
        new_Q, sorted_v = refreshed_basis(G, state.Q, v)
        carried = _apply_transposed(new_Q, _apply(state.Q, m))
        m = np.where(refresh, carried, m)
        v = np.where(refresh, sorted_v, v)
        Q = np.where(np.asarray(refresh)[..., None], new_Q, state.Q)
    w = w - hp.lr * (u + hp.weight_decay * w)
    return w, SoapState(m, v, G, Q), g


LATEX = (r"t = 1:\ G_1 = (1-\beta_2)\, g_1 g_1^\top,\ Q_1 = \mathrm{eig}(G_1),\ "
         r"w_2 = w_1 - \alpha\lambda w_1 \\ "
         r"g'_t = Q_{t-1}^\top g_t, \quad m_t = \beta_1 m_{t-1} + (1-\beta_1)\, g'_t, \quad "
         r"v_t = \beta_2 v_{t-1} + (1-\beta_2)\, g'^2_t \\ "
         r"u_t = \frac{\sqrt{1-\beta_2^{t-1}}}{1-\beta_1^{t-1}}\, Q_{t-1} "
         r"\frac{m_t}{\sqrt{v_t} + \epsilon}, \quad "
         r"G_t = \beta_2 G_{t-1} + (1-\beta_2)\, g_t g_t^\top \\ "
         r"(t-1) \bmod k = 0:\ Q_t = \mathrm{qr}(G_t Q_{t-1}),\ "
         r"m_t \leftarrow Q_t^\top Q_{t-1} m_t \\ "
         r"w_{t+1} = w_t - \alpha\,(u_t + \lambda\, w_t)")  # fmt: skip

DEFAULTS = {"lr": 3e-3, "beta1": 0.95, "beta2": 0.95, "eps": 1e-8, "weight_decay": 0.0,
            "every": 10}  # fmt: skip

CHEATSHEET = define("soap", "SOAP", 2024, "Vyas et al. (2024); optax.contrib.soap",
    LATEX, DEFAULTS, SoapState, soap_update,
    "Adam run in the eigenbasis Q of a running average G of g gᵀ, Q refreshed every k "
    "steps by a power iteration and QR: it divides along G's principal directions, so a "
    "turned valley looks axis-aligned to it. optax's rule with precondition_1d=True — "
    "both optax and the authors' code leave a vector unpreconditioned by default, which "
    "would make SOAP Adam here. The first step only builds G and Q (it does not move). "
    "The authors' defaults (lr 3e-3, β₁ = β₂ = 0.95, k = 10), optax's λ = 0.",
    look=("#B15928", "diamond-cross", "x"), init=soap_init,
)  # fmt: skip

PYTORCH = same_in_torch(CHEATSHEET)
