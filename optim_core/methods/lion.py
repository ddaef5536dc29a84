r"""Lion (Chen et al. 2023, "Symbolic Discovery of Optimization Algorithms"): the sign of
an interpolation of the momentum and the gradient, as optax computes it
(``optax.lion``: ``scale_by_lion`` → ``add_decayed_weights`` → ``scale_by_learning_rate``).
Not in torch.optim: the "pytorch" convention is the same rule."""

from __future__ import annotations

import numpy as np

from ._base import MomentState, define, same_in_torch


def lion_update(grad, w, state, t, hp):
    """c = β₁ m + (1 − β₁) g;  w ← w − α (sign(c) + λ w);  m ← β₂ m + (1 − β₂) g"""
    g = grad(w)
    c = (1 - hp.beta1) * g + hp.beta1 * state.m
    w = w - hp.lr * (np.sign(c) + hp.weight_decay * w)
    m = (1 - hp.beta2) * g + hp.beta2 * state.m
    return w, MomentState(m), g


CHEATSHEET = define("lion", "Lion", 2023, "Chen et al. (2023)",
    r"c_t = \beta_1 m_{t-1} + (1-\beta_1)\, g_t \\ "
    r"w_{t+1} = w_t - \alpha \left(\operatorname{sign}(c_t) + \lambda\, w_t\right) \\ "
    r"m_t = \beta_2 m_{t-1} + (1-\beta_2)\, g_t",
    {"lr": 1e-3, "beta1": 0.9, "beta2": 0.99, "weight_decay": 1e-3}, MomentState, lion_update,
    "optax.lion's rule and its β₁, β₂ and λ (λ multiplies α, as in AdamW). Only the sign of "
    "c moves w: each coordinate steps by exactly α or not at all, so in 2-D every step is one "
    "of 8 moves (sign(c) ∈ {−1, 0, 1}² but not 0, 0, where it stays), of length α or α√2 "
    "(the decay's αλw aside), however steep or flat the surface. m is an EMA with β₂, not "
    "β₁: β₁ only mixes it with g for the sign. α = 0.001 here (optax asks for one; the "
    "paper's advice, 3–10 × smaller than AdamW's, would barely move on a 2-D surface).",
    look=("#CC6677", "triangle-ne", "circle"),
)  # fmt: skip

PYTORCH = same_in_torch(CHEATSHEET, "Not in torch.optim: the same rule (optax.lion's).")
