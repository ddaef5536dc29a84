r"""Schedule-Free AdamW (Defazio et al. 2024): AdamW without its momentum, its normalised
steps taken by a base iterate z; the point evaluated x averages the z's, the gradient is
taken at y = (1 − β₁) z + β₁ x (see ``_schedule_free``).

Reference: the authors' ``AdamWScheduleFree`` (facebookresearch/schedule_free,
``schedulefree/adamw_schedulefree.py``) and its defaults. optax's
``contrib.schedule_free_adamw`` differs, so it is not the reference here: it divides v by
1 − β₂ᵗ under the root (g/(√v̂ + ε)) where the authors multiply γ by √(1 − β₂ᵗ)
(γ √(1 − β₂ᵗ) g/(√v + ε): ε sits at another scale), its weighting's γ_max leaves that
factor out (the authors' weights grow with it, so early z's count for less), and its λ y
is not scaled by it.
"""

from __future__ import annotations

import numpy as np

from ._base import define, divide_for, same_in_torch
from ._schedule_free import (
    ScheduleFreeAdamWState,
    average_and_interpolate,
    average_weight,
    lead_shaped,
    schedule_free_init,
    warmup_factor,
)


def sf_adamw_update(grad, w, state, t, hp):
    """γ = α · min(1, t/W) · √(1 − β₂ᵗ);  cₜ from the weighting;  g = ∇f(y);
    v ← β₂ v + (1 − β₂) g²;  z ← z − γ (g / (√v + ε) + λ y);  x ← (1 − cₜ) x + cₜ z;
    y ← β₁ x + (1 − β₁) z  (w is x)"""
    lr = hp.lr * warmup_factor(hp.warmup, t) * np.sqrt(1 - np.power(hp.beta2, t))
    c, lr_max, weight_sum = average_weight(lr, state, hp.lr_power)
    g = grad(state.y)
    v = hp.beta2 * state.v + (1 - hp.beta2) * (g * g)
    z = state.z - lr * (divide_for(hp.eps)(g, np.sqrt(v) + hp.eps) + hp.weight_decay * state.y)
    x, y = average_and_interpolate(w, z, c, hp.beta1)
    lead = w.shape[:-1]
    return x, ScheduleFreeAdamWState(z, y, v, lead_shaped(lr_max, lead),
                                     lead_shaped(weight_sum, lead)), g  # fmt: skip


LATEX = (r"\gamma_t = \alpha \min(1, t / W) \sqrt{1 - \beta_2^t} \\ "
         r"c_t = \frac{\gamma_{\max,t}^{\,p}}{\sum_{s \le t} \gamma_{\max,s}^{\,p}}, \quad "
         r"\gamma_{\max,t} = \max_{s \le t} \gamma_s \\ "
         r"g_t = \nabla f(y_t), \quad v_t = \beta_2 v_{t-1} + (1-\beta_2)\, g_t^2 \\ "
         r"z_{t+1} = z_t - \gamma_t \left(\frac{g_t}{\sqrt{v_t} + \epsilon}"
         r" + \lambda\, y_t\right) \\ "
         r"w_{t+1} = x_{t+1} = (1 - c_t)\, x_t + c_t\, z_{t+1} \\ "
         r"y_{t+1} = \beta_1 x_{t+1} + (1 - \beta_1)\, z_{t+1}")  # fmt: skip

CHEATSHEET = define("sf_adamw", "Schedule-Free AdamW", 2024, "Defazio et al. (2024)", LATEX,
    {"lr": 0.0025, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.0,
     "warmup": 0, "lr_power": 2.0},
    ScheduleFreeAdamWState, sf_adamw_update,
    "Three points: z takes Adam-normalised steps (no momentum of its own), x (drawn, "
    "and evaluated: the optimizer's w) averages the z's, and the gradient is taken at y, "
    "between them (drawn faintly with z). γ carries Adam's bias correction √(1 − β₂ᵗ), "
    "and the average weighs each z by γ_max²: the first steps' z's count for little. "
    "The reference's defaults (α 0.0025, β₁ 0.9, β₂ 0.999, ε 1e-8, no warm-up, lr "
    "power 2).",
    look=("#762A83", "triangle-nw", "diamond"),
    init=schedule_free_init(ScheduleFreeAdamWState),
)  # fmt: skip

PYTORCH = same_in_torch(CHEATSHEET)
