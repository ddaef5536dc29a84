r"""Sophia (Liu, Li, Hall, Liang & Ma (2023)) with the surface's exact Hessian diagonal:
optax's ``optax.contrib.sophia`` (google-deepmind/optax, optax/contrib/_sophia.py) with
``hessian_diagonal_fn`` the exact diag ∇²f instead of Hutchinson's estimate.

optax's rule, one step (``count`` = t − 1 before it):

* m ← β₁ m + (1 − β₁) g;  m̂ = m / (1 − β₁ᵗ) (optax corrects the bias);
* u = clip(m̂ / max(γ h, ε), −ρ, ρ), with the h from *before* this step (optax computes
  the update first, then refreshes h), γ = 0.01 (optax's ``gamma``), ρ = ``clip``
  (optax's ``clip_threshold``): what is clipped is the preconditioned momentum, per
  coordinate;
* where (t − 1) mod k = 0 (t = 1, k + 1, 2k + 1, …; k = ``every``, optax's
  ``update_interval``): h ← β₂ h + (1 − β₂) diag ∇²f(w), at the current w;
* w ← w − α (u + λ w) (optax's ``add_decayed_weights`` after the clip, then the lr).

h starts at 0 and is not bias-corrected, so the first step is clipped in full (m̂/ε):
α ρ sign(g) per coordinate. Where the diagonal is negative (a saddle) max(γh, ε) = ε and
the coordinate takes the full clipped step along m̂.

The authors' code (Liu-Hanmeng/Sophia, sophia.py, ``SophiaG``) differs in form: no bias
correction of m, ``|m| / (ρ·bs·h + 1e-15)`` clamped at 1 times sign(m) (their ρ·bs is
optax's γ, their clip is at 1 and its radius is α), ε added instead of a max, the
decay w·(1 − αλ) before the step, and the Hessian refreshed by the training loop after
the step (with the Gauss–Newton–Bartlett estimate). γ is not a slider here: α·clip(m̂/(γh),
ρ) = (α/γ)·clip(m̂/h, γρ), so α and ρ already reach every pair (Newton step α/γ, radius
αρ) that γ would.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._base import EMA, define, same_in_torch

GAMMA = 0.01  # optax's gamma: "normalizing constant for the hessian diagonal"


class SophiaState(NamedTuple):
    m: np.ndarray  # shape=w.shape, average of gradients
    h: np.ndarray  # shape=w.shape, average of the Hessian's diagonal (refreshed every k)


def hessian_diagonal(grad, w: np.ndarray) -> np.ndarray:
    """diag ∇²f(w) from the surface's exact Hessian (..., D, D)."""
    return np.diagonal(grad.hessian(w), axis1=-2, axis2=-1)


def sophia_update(grad, w, state, t, hp):
    """m ← β₁ m + (1 − β₁) g;  m̂ = m / (1 − β₁ᵗ);  u = clip(m̂ / max(γ h, ε), −ρ, ρ);
    h ← β₂ h + (1 − β₂) diag ∇²f(w) where (t − 1) mod k = 0;  w ← w − α (u + λ w)"""
    g = grad(w)
    m = hp.beta1 * state.m + (1 - hp.beta1) * g
    m_hat = m / (1 - np.power(hp.beta1, t))
    u = np.clip(m_hat / np.maximum(GAMMA * state.h, hp.eps), -hp.clip, hp.clip)
    refresh = np.mod(t - 1, hp.every) == 0  # a bool, or (N, 1) when k is swept
    h = state.h
    if np.any(refresh):
        h = np.where(refresh, hp.beta2 * state.h + (1 - hp.beta2) * hessian_diagonal(grad, w),
                     state.h)  # fmt: skip
    w = w - hp.lr * (u + hp.weight_decay * w)
    return w, SophiaState(m, h), g


def check(hp):
    """ε = 0 is refused: max(γ h, ε) would be 0 where h ≤ 0 (at the start, h = 0)."""
    if hp["eps"] == 0:
        raise ValueError(
            "eps must be > 0 for Sophia; got 0: its denominator is max(γh, ε) and h starts "
            "at 0 (and is ≤ 0 where the surface curves down), so with ε = 0 a zero "
            "momentum would give 0/0"
        )


LATEX = (EMA + r", \quad \hat m_t = \frac{m_t}{1-\beta_1^t} \\ "
         r"u_t = \mathrm{clip}\!\left(\frac{\hat m_t}{\max(\gamma\, h_{t-1},\, \epsilon)},"
         r"\ -\rho,\ \rho\right), \quad \gamma = 0.01 \\ "
         r"h_t = \beta_2 h_{t-1} + (1-\beta_2)\,\mathrm{diag}\,\nabla^2 f(w_t)"
         r"\ \text{ if } (t-1) \bmod k = 0, \text{ else } h_{t-1} \\ "
         r"w_{t+1} = w_t - \alpha\,(u_t + \lambda\, w_t)")  # fmt: skip

DEFAULTS = {"lr": 0.01, "beta1": 0.965, "beta2": 0.99, "eps": 1e-8, "weight_decay": 1e-4,
            "clip": 1.0, "every": 10}  # fmt: skip

CHEATSHEET = define("sophia", "Sophia", 2023, "Liu et al. (2023); optax.contrib.sophia",
    LATEX, DEFAULTS, SophiaState, sophia_update,
    "Sophia-H with the surface's exact Hessian diagonal (the paper estimates it, by "
    "Hutchinson's trick or Gauss–Newton–Bartlett; here it is exact): a per-coordinate "
    "Newton step on the momentum, m̂/(γh), clipped to ±ρ, as optax computes it (γ = 0.01, "
    "h refreshed every k steps, not bias-corrected, so the early steps are clipped sign "
    "steps α ρ). Where the diagonal is ≤ 0 the coordinate takes the full clipped step. "
    "optax's defaults; its α has none: 0.01 here, a Newton step α/γ = 1 once h has "
    "settled. The authors' SophiaG clips |m|/(ρ·bs·h) at 1 and has no bias correction "
    "(the same rule up to those constants).",
    look=("#6A3D9A", "square-cross", "diamond-open"), check=check, needs=("hessian",),
)  # fmt: skip

PYTORCH = same_in_torch(CHEATSHEET)
