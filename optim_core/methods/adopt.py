r"""ADOPT (Taniguchi et al. 2024, "ADOPT: Modified Adam Can Converge with Any β₂ with
the Optimal Rate"): the gradient normalised by the *previous* second moment, then
averaged, as optax computes it (``optax.contrib.adopt`` with its defaults: clipping on,
``clip_value_fn = x ↦ x^¼``, no Nesterov). Not in torch.optim: the "pytorch" convention
is the same rule."""

from __future__ import annotations

import numpy as np

from ._base import AdamState, define, safe_divide, same_in_torch


def adopt_update(grad, w, state, t, hp):
    """b₁, b₂ = (β₁, β₂), or (1, 0) at t = 1;  c = (t − 1)^¼;
    u = clip(g / max(√v, ε), −c, c) (v before this step);  v ← b₂ v + (1 − b₂) g²;
    m ← b₁ m + (1 − b₁) u;  w ← w − α m"""
    g = grad(w)
    b1, b2 = (hp.beta1, hp.beta2) if t > 1 else (1.0, 0.0)
    c = (t - 1) ** 0.25
    u = np.clip(safe_divide(g, np.maximum(np.sqrt(state.v), hp.eps)), -c, c)
    v = (1 - b2) * (g * g) + b2 * state.v
    m = (1 - b1) * u + b1 * state.m
    return w - hp.lr * m, AdamState(m, v), g


CHEATSHEET = define("adopt", "ADOPT", 2024, "Taniguchi et al. (2024)",
    r"u_t = \operatorname{clip}\!\left(\frac{g_t}{\max(\sqrt{v_{t-1}}, \epsilon)},\ "
    r"\pm (t-1)^{1/4}\right) \\ "
    r"v_t = \beta_2 v_{t-1} + (1-\beta_2)\, g_t^2 \quad (v_1 = g_1^2) \\ "
    r"m_t = \beta_1 m_{t-1} + (1-\beta_1)\, u_t \quad (m_1 = 0) \\ "
    r"w_{t+1} = w_t - \alpha\, m_t",
    {"lr": 1e-3, "beta1": 0.9, "beta2": 0.9999, "eps": 1e-6}, AdamState, adopt_update,
    "optax.contrib.adopt's rule and defaults, clipping on (its default): each normalised "
    "gradient is clipped to ±(t − 1)^¼, so the first step only fills v = g² and does not "
    "move, and step 2 is at most (1 − β₁) α per coordinate. g is divided by the v of the "
    "steps before, not including itself (Adam's includes it), and there is no bias "
    "correction. α = 0.001 "
    "here (optax asks for one). Where √v and ε are both 0 the quotient is 0 (the app's "
    "convention).",
    look=("#A6761D", "hexagon2", "square-open"),
)  # fmt: skip

PYTORCH = same_in_torch(CHEATSHEET, "Not in torch.optim: the same rule (optax.contrib.adopt's).")
