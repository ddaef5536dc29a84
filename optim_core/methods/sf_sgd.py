r"""Schedule-Free SGD (Defazio et al. 2024): SGD's steps on a base iterate z, the point
evaluated x their weighted running average, the gradient taken between the two at
y = (1 − β₁) z + β₁ x (see ``_schedule_free``).

Reference: the authors' ``SGDScheduleFree`` (facebookresearch/schedule_free,
``schedulefree/sgd_schedulefree.py``), its defaults except α. optax's
``contrib.schedule_free_sgd`` is the same rule (its warm-up ``warmup_constant_schedule(0,
α, W)`` read at count t is α·t/W, as the reference's; its weight decay is added to the
gradient at y, as the reference's); it keeps y and z and recovers x as
(y − (1 − β₁) z)/β₁, so its numbers differ in rounding only.
"""

from __future__ import annotations

from ._base import define, same_in_torch
from ._schedule_free import (
    ScheduleFreeSGDState,
    average_and_interpolate,
    average_weight,
    lead_shaped,
    schedule_free_init,
    warmup_factor,
)


def sf_sgd_update(grad, w, state, t, hp):
    """γ = α · min(1, t/W);  cₜ from the weighting;  g = ∇f(y);  z ← z − γ (g + λ y);
    x ← (1 − cₜ) x + cₜ z;  y ← β₁ x + (1 − β₁) z  (w is x)"""
    lr = hp.lr * warmup_factor(hp.warmup, t)
    c, lr_max, weight_sum = average_weight(lr, state, hp.lr_power)
    g = grad(state.y)
    z = state.z - lr * (g + hp.weight_decay * state.y)
    x, y = average_and_interpolate(w, z, c, hp.beta1)
    lead = w.shape[:-1]
    return x, ScheduleFreeSGDState(z, y, lead_shaped(lr_max, lead),
                                   lead_shaped(weight_sum, lead)), g  # fmt: skip


LATEX = (r"\gamma_t = \alpha \min(1, t / W) \\ "
         r"c_t = \frac{\gamma_{\max,t}^{\,p}}{\sum_{s \le t} \gamma_{\max,s}^{\,p}}, \quad "
         r"\gamma_{\max,t} = \max_{s \le t} \gamma_s \\ "
         r"g_t = \nabla f(y_t) \\ "
         r"z_{t+1} = z_t - \gamma_t\, (g_t + \lambda\, y_t) \\ "
         r"w_{t+1} = x_{t+1} = (1 - c_t)\, x_t + c_t\, z_{t+1} \\ "
         r"y_{t+1} = \beta_1 x_{t+1} + (1 - \beta_1)\, z_{t+1}")  # fmt: skip

CHEATSHEET = define("sf_sgd", "Schedule-Free SGD", 2024, "Defazio et al. (2024)", LATEX,
    {"lr": 0.01, "beta1": 0.9, "weight_decay": 0.0, "warmup": 0, "lr_power": 2.0},
    ScheduleFreeSGDState, sf_sgd_update,
    "Three points: z takes plain SGD steps, x (drawn, and evaluated: the optimizer's w) "
    "averages the z's, and the gradient is taken at y, between them (drawn faintly with "
    "z). Without warm-up the average is uniform (cₜ = 1/t): no learning-rate schedule is "
    "needed for the average to settle. The reference's defaults (β₁ 0.9, no warm-up, lr "
    "power 2), except α: its 1.0 is for a network; here 0.01, as SGD's.",
    look=("#4477AA", "triangle-sw", "square"),
    init=schedule_free_init(ScheduleFreeSGDState),
)  # fmt: skip

PYTORCH = same_in_torch(CHEATSHEET)
