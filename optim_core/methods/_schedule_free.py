r"""What Schedule-Free SGD and Schedule-Free AdamW share (Defazio et al. 2024, the
authors' code: facebookresearch/schedule_free, ``schedulefree/sgd_schedulefree.py`` and
``adamw_schedulefree.py``): three points, the state that holds two of them, the linear
warm-up and the weighting of the average.

Three sequences (the paper's names): z, the base iterate, takes the optimizer's step; x,
the running average of the z's, is the point to evaluate (the race draws it: it is the
optimizer's w); y = (1 − β₁) z + β₁ x, between them, is where the gradient is taken.
Every start begins with x = y = z = w₀.

The authors' code keeps only y and z (x is recovered at ``eval()`` as y + (1 − 1/β₁)(z −
y)), updating y in place; their ``*_reference.py`` files and this one keep x, z and y,
the same rule written as in the paper (the tests check it against the in-place y form).

The weighting (the reference's ``r = 0``, its default): with γₜ the step's learning rate
after the warm-up (and, for AdamW, the √(1 − β₂ᵗ) bias-correction factor),
γ_max = max(γ₁ … γₜ), the new z enters the average with weight cₜ = γ_maxᵖ / Σₛ γ_max,ₛᵖ
(p = ``lr_power``, the reference's ``weight_lr_power``, default 2); without warm-up and
bias correction cₜ = 1/t, the uniform average.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._base import safe_divide


class ScheduleFreeSGDState(NamedTuple):
    z: np.ndarray  # shape=w.shape, the base iterate (its steps are plain SGD's)
    y: np.ndarray  # shape=w.shape, (1 − β₁) z + β₁ x: where the next gradient is taken
    lr_max: np.ndarray  # shape=w.shape[:-1], the largest γ so far (−1 before the first)
    weight_sum: np.ndarray  # shape=w.shape[:-1], Σ of the weights γ_maxᵖ so far


class ScheduleFreeAdamWState(NamedTuple):
    z: np.ndarray  # shape=w.shape, the base iterate
    y: np.ndarray  # shape=w.shape, where the next gradient is taken
    v: np.ndarray  # shape=w.shape, average of squared gradients (at y)
    lr_max: np.ndarray  # shape=w.shape[:-1], the largest γ so far (−1 before the first)
    weight_sum: np.ndarray  # shape=w.shape[:-1], Σ of the weights γ_maxᵖ so far


def schedule_free_init(cls):
    """x = y = z = w₀; γ_max = −1 and Σ weights = 0, as the reference's ``lr_max`` and
    ``weight_sum`` start (and v = 0 for AdamW)."""

    def init(w: np.ndarray):
        w = np.array(w, dtype=float)  # (a copy: z and y are their own arrays)
        lead = w.shape[:-1]
        fields = {"z": w.copy(), "y": w.copy(), "v": np.zeros_like(w),
                  "lr_max": np.full(lead, -1.0), "weight_sum": np.zeros(lead)}  # fmt: skip
        return cls(**{k: fields[k] for k in cls._fields})

    return init


def warmup_factor(warmup, t):
    """The reference's ``sched``: (k + 1)/warmup while k = t − 1 < warmup, else 1."""
    if isinstance(warmup, float):
        return t / warmup if t - 1 < warmup else 1.0
    return np.where(t - 1 < warmup, t / np.maximum(warmup, 1.0), 1.0)


def average_weight(lr, state, lr_power):
    """``(cₜ, γ_max, Σ weights)``: γ_max = max(γ, γ_max); weight = γ_maxᵖ (the reference's
    ((k + 1)^r · lr_max^weight_lr_power) at r = 0); Σ ← Σ + weight; cₜ = weight / Σ (0
    where Σ = 0, the reference's ZeroDivisionError branch). Columns shaped (..., 1)."""
    lr_max = np.maximum(lr, state.lr_max[..., None])
    weight = np.power(lr_max, lr_power)
    weight_sum = state.weight_sum[..., None] + weight
    return safe_divide(np.broadcast_to(weight, weight_sum.shape), weight_sum), lr_max, weight_sum


def average_and_interpolate(x, z, c, beta1):
    """x ← (1 − cₜ) x + cₜ z;  y = β₁ x + (1 − β₁) z (the reference's
    ``x.mul_(1-ckp1).add_(z, alpha=ckp1)`` and ``x.mul(beta1).add_(z, alpha=1-beta1)``)"""
    x = x * (1 - c) + z * c
    return x, x * beta1 + z * (1 - beta1)


def lead_shaped(column: np.ndarray, lead: tuple) -> np.ndarray:
    """A (..., 1) column as the state keeps it: one number per start."""
    return np.broadcast_to(column[..., 0], lead).copy()
