r"""Prodigy (Mishchenko & Defazio 2024): Adam whose step size d is estimated as it goes,
from how far the run has come against the gradients it met: d only grows, from d₀.

Reference: optax's ``contrib.prodigy`` (google-deepmind/optax,
``optax/contrib/_prodigy.py``), the authors' rule (konstmish/prodigy,
``prodigyopt/prodigy.py``) with their ``use_bias_correction=True`` — optax always
corrects, the authors' default does not — and their defaults otherwise (decoupled weight
decay, ``d_coef`` 1, no growth-rate cap, ``safeguard_warmup`` off). The two scale the
numerator and the denominator of d's estimate by d/d₀ alike: the same estimate.

d is one number per start (the authors' is one for the whole model). Where Σ|s| = 0 (no
gradient yet but zeros) d stays, as the authors' step returns early there; optax's 0/0
would make it nan.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._base import define, divide_for, same_in_torch


class ProdigyState(NamedTuple):
    dm: np.ndarray  # shape=w.shape, average of d·g (optax's exp_avg)
    dv: np.ndarray  # shape=w.shape, average of (d·g)² (exp_avg_sq)
    s: np.ndarray  # shape=w.shape, the weighted sum of gradients (grad_sum)
    w0: np.ndarray  # shape=w.shape, the start (params0)
    numerator: np.ndarray  # shape=w.shape[:-1], the weighted Σ ⟨g, w₀ − w⟩ (numerator_weighted)
    d: np.ndarray  # shape=w.shape[:-1], the step size estimate after the step (0 before
    #                 the first: the first step takes d₀)


def prodigy_init(w: np.ndarray) -> ProdigyState:
    w = np.array(w, dtype=float)
    lead = w.shape[:-1]
    return ProdigyState(np.zeros_like(w), np.zeros_like(w), np.zeros_like(w), w.copy(),
                        np.zeros(lead), np.zeros(lead))  # fmt: skip


def _column(a: np.ndarray) -> np.ndarray:
    return a[..., None]


def prodigy_update(grad, w, state, t, hp):
    r"""d (d₀ at t = 1);  dα = d α √(1 − β₂ᵗ) / (1 − β₁ᵗ);  g = ∇f(w);
    dm ← β₁ dm + (1 − β₁) d g;  dv ← β₂ dv + (1 − β₂) (d g)²;  s ← β₃ s + dα d g / d₀;
    r ← β₃ r + (d / d₀) dα ⟨g, w₀ − w⟩;  d ← max(d, r / Σ|s|);
    w ← w − λ dα w − dα dm / (√dv + d ε)"""
    d = np.broadcast_to(hp.d0, (*w.shape[:-1], 1)) if t == 1 else _column(state.d)
    bc = np.sqrt(1 - np.power(hp.beta2, t)) / (1 - np.power(hp.beta1, t))
    dlr = d * hp.lr * bc
    g = grad(w)
    dg = d * g
    numerator_acum = np.sum(g * (state.w0 - w), axis=-1, keepdims=True)
    dm = hp.beta1 * state.dm + (1 - hp.beta1) * dg
    dv = hp.beta2 * state.dv + (1 - hp.beta2) * dg * dg
    s = hp.beta3 * state.s + dlr * dg / hp.d0
    numerator = hp.beta3 * _column(state.numerator) + (d / hp.d0) * dlr * numerator_acum
    denominator = np.sum(np.abs(s), axis=-1, keepdims=True)
    estimate = np.divide(numerator, denominator, out=np.array(d, dtype=float),
                         where=denominator != 0)  # fmt: skip
    d_new = np.maximum(d, estimate)
    step = divide_for(hp.eps)(dlr * dm, np.sqrt(dv) + d_new * hp.eps)
    w = w + (-hp.weight_decay * dlr * w - step)
    return w, ProdigyState(dm, dv, s, state.w0, numerator[..., 0], d_new[..., 0]), g


LATEX = (r"d = d_0 \text{ at } t = 1, \quad \hat\alpha_t = d\, \alpha\, "
         r"\frac{\sqrt{1-\beta_2^t}}{1-\beta_1^t} \\ "
         r"m_t = \beta_1 m_{t-1} + (1-\beta_1)\, d\, g_t, \quad "
         r"v_t = \beta_2 v_{t-1} + (1-\beta_2)\, d^2 g_t^2 \\ "
         r"s_t = \beta_3 s_{t-1} + \hat\alpha_t\, d\, g_t / d_0 \\ "
         r"r_t = \beta_3 r_{t-1} + (d / d_0)\, \hat\alpha_t\, \langle g_t, w_0 - w_t \rangle \\ "
         r"d \leftarrow \max\!\left(d, \frac{r_t}{\lVert s_t \rVert_1}\right) \\ "
         r"w_{t+1} = w_t - \hat\alpha_t \lambda\, w_t"
         r" - \frac{\hat\alpha_t\, m_t}{\sqrt{v_t} + d\, \epsilon}")  # fmt: skip

CHEATSHEET = define("prodigy", "Prodigy", 2024, "Mishchenko & Defazio (2024)", LATEX,
    {"lr": 1.0, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.0,
     "beta3": float(np.sqrt(0.999)), "d0": 1e-6},
    ProdigyState, prodigy_update,
    "Adam with the step size d estimated as it goes (α only scales it: leave it at 1). "
    "d starts at d₀ and only grows, to a lower bound on the distance to the solution "
    "from how far the run has come against the gradients it met; its curve is drawn "
    "under the race. The reference's defaults: α 1, β₁ 0.9, β₂ 0.999, ε 1e-8, d₀ 1e-6, "
    "β₃ = √β₂ (a hyperparameter of its own here: √0.999 unless set).",
    look=("#1B7837", "star-triangle-down", "cross"),
    init=prodigy_init,
)  # fmt: skip

PYTORCH = same_in_torch(CHEATSHEET)
