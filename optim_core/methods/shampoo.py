r"""Shampoo (Gupta, Koren & Singer (2018)) for a vector: full-matrix AdaGrad.

The paper's Algorithm 2 for a tensor of order k keeps, per dimension i, Hⁱ₀ = ε I and
Hⁱₜ = Hⁱₜ₋₁ + G⁽ⁱ⁾ₜ (G contracted with itself over the other dimensions), and steps
W ← W − η G ×ᵢ (Hⁱₜ)^(−1/2k). A vector has k = 1 and G⁽¹⁾ = g gᵀ:

    H_t = ε I + Σ_{s ≤ t} g_s g_sᵀ,   w ← w − α H_t^(−1/2) g_t,

full-matrix AdaGrad (Duchi et al. 2011): ε inside the root, as the paper's H₀ = ε I, the
current gradient included, the root computed exactly every step (H^(−1/2) of a
symmetric positive definite 2 × 2 matrix in closed form).

Other codes differ for a vector: google-research's distributed Shampoo (scalable_shampoo)
averages the statistics (β₂ = 0.999 EMA), adds a ridge ε relative to H's largest
eigenvalue, starts preconditioning after some steps and grafts the step's length from
another optimizer (SGD or AdaGrad); torch-optimizer's ``Shampoo`` (jettify) raises H
to −1/order = −1 for a vector, not −1/2. Its defaults (lr 0.1, ε 1e-4) are taken here.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._base import define, same_in_torch


class ShampooState(NamedTuple):
    H: np.ndarray  # shape=(*w.shape, D), Σ g gᵀ over the steps so far (ε I not included)


def shampoo_init(w: np.ndarray) -> ShampooState:
    w = np.asarray(w, dtype=float)
    return ShampooState(np.zeros((*w.shape, w.shape[-1])))


def inverse_root(a: np.ndarray) -> np.ndarray:
    """A^(−1/2) for symmetric positive definite matrices (..., D, D): for D = 2 in closed
    form, √A = (A + s I) / t with s = √det A, t = √(tr A + 2 s), then its inverse; beyond,
    by the eigendecomposition."""
    if a.shape[-1] != 2:
        lam, q = np.linalg.eigh(a)
        return (q / np.sqrt(lam)[..., None, :]) @ np.swapaxes(q, -1, -2)
    p, r, d = a[..., 0, 0], a[..., 0, 1], a[..., 1, 1]
    s = np.sqrt(p * d - r * r)
    tau = np.sqrt(p + d + 2 * s)
    # (√A)⁻¹ = t / ((p + s)(d + s) − r²) · [[d + s, −r], [−r, p + s]], and
    # (p + s)(d + s) − r² = s (p + d + 2 s) = s t²
    k = 1 / (s * tau)
    return np.stack([np.stack([(d + s) * k, -r * k], -1),
                     np.stack([-r * k, (p + s) * k], -1)], -2)  # fmt: skip


def shampoo_update(grad, w, state, t, hp):
    """H ← H + g gᵀ;  w ← w − α (H + ε I)^(−1/2) g"""
    g = grad(w)
    H = state.H + g[..., :, None] * g[..., None, :]
    # (ε a float, or (N, 1) when swept: one value per start's matrix)
    root = inverse_root(H + np.asarray(hp.eps)[..., None] * np.eye(w.shape[-1]))
    w = w - hp.lr * np.einsum("...ij,...j->...i", root, g)
    return w, ShampooState(H), g


LATEX = (r"H_t = H_{t-1} + g_t g_t^\top, \quad H_0 = 0 \\ "
         r"w_{t+1} = w_t - \alpha\, (H_t + \epsilon I)^{-1/2}\, g_t")  # fmt: skip

DEFAULTS = {"lr": 0.1, "eps": 1e-4}

CHEATSHEET = define("shampoo", "Shampoo", 2018, "Gupta, Koren & Singer (2018)",
    LATEX, DEFAULTS, ShampooState, shampoo_update,
    "For a vector Shampoo is full-matrix AdaGrad: it divides by the root of the whole "
    "matrix Σ g gᵀ, not its diagonal, so it sees directions that are not the axes (a "
    "turned valley) where AdaGrad and Adam see only x and y. The paper's Algorithm 2 "
    "(order 1: exponent −1/2, H₀ = ε I), the root exact every step; distributed Shampoo "
    "adds an EMA, grafting and a relative ε. Defaults lr 0.1, ε 1e-4 (torch-optimizer's).",
    look=("#FF7F00", "circle-cross", "square"), init=shampoo_init,
)  # fmt: skip

PYTORCH = same_in_torch(CHEATSHEET)
