r"""Muon (Jordan et al. 2024): Nesterov momentum whose update matrix is orthogonalized by a
Newton–Schulz iteration. Here w is a 1 × 2 matrix (1 × D on a network).

Reference: Keller Jordan's ``muon.py`` (KellerJordan/Muon: ``muon_update``,
``zeropower_via_newtonschulz5``, ``SingleDeviceMuon``) and its defaults, in float64 (the
reference iterates in bfloat16). optax's ``contrib.muon`` is not it here: it sends a
parameter that is not 2-D (a vector, as w) to AdamW, and on a matrix it bias-corrects the
momentum, divides by ‖X‖ + 1e-8 and scales a 1 × 2 update by √2.

What it reduces to on a 1 × 2 matrix: the Gram matrix A = X Xᵀ is the number ‖X‖², so
each Newton–Schulz step multiplies X by a + b‖X‖² + c‖X‖⁴: it keeps X's direction and
maps its norm σ to a σ + b σ³ + c σ⁵. X starts at u/(‖u‖ + 1e-7), σ ≈ 1; with the
reference's quintic (3.4445, −4.7750, 2.0315), σ goes 1 → 0.7010 → 1.1136 → 0.7207 →
1.0900 → 0.6964 over the 5 steps: Muon is normalized Nesterov momentum with a step of
0.6964 α (0.7010 α at 1 step, 1.1136 α at 2). The shape factor √max(1, rows/cols) is 1.
"""

from __future__ import annotations

import numpy as np

from ._base import MomentState, define, divide_for, torch_form

NS_COEFFICIENTS = (3.4445, -4.7750, 2.0315)  # the reference's quintic (a, b, c)
NS_EPS = 1e-7  # the reference's X / (‖X‖ + 1e-7)


def newton_schulz(x: np.ndarray, steps, normalize) -> np.ndarray:
    """``zeropower_via_newtonschulz5`` for each row x viewed as a 1 × D matrix:
    X = normalize(x); then ``steps`` times A = X Xᵀ, B = b A + c A A, X = a X + B X.
    ``steps`` may differ by row (an (N, 1) column): a row stops after its own."""
    a, b, c = NS_COEFFICIENTS
    X = normalize(x)
    most = int(np.max(steps))
    for k in range(most):
        A = np.sum(X * X, axis=-1, keepdims=True)  # X Xᵀ: 1 × 1
        B = b * A + c * A * A
        X_next = a * X + B * X
        X = X_next if isinstance(steps, float) or np.all(steps > k) else np.where(steps > k,
                                                                                 X_next, X)
    return X


def _frobenius(x: np.ndarray) -> np.ndarray:
    return np.sqrt(np.sum(x * x, axis=-1, keepdims=True))


def muon_update(grad, w, state, t, hp):
    """m ← β₁ m + (1 − β₁) g;  u = β₁ m + (1 − β₁) g (Nesterov);
    O = NS(u / (‖u‖ + ε)), ``ns_steps`` steps;  w ← w (1 − α λ) − α O"""
    g = grad(w)
    m = hp.beta1 * state.m + (1 - hp.beta1) * g
    u = hp.beta1 * m + (1 - hp.beta1) * g
    ortho = newton_schulz(u, hp.ns_steps, lambda x: divide_for(hp.eps)(x, _frobenius(x) + hp.eps))
    return w * (1 - hp.lr * hp.weight_decay) - hp.lr * ortho, MomentState(m), g


LATEX = (r"m_t = \beta_1 m_{t-1} + (1-\beta_1)\, g_t \\ "
         r"u_t = \beta_1 m_t + (1-\beta_1)\, g_t \\ "
         r"X_0 = u_t / (\lVert u_t \rVert + \epsilon), \quad "
         r"X_{k+1} = a X_k + (b A_k + c A_k^2) X_k, \ A_k = X_k X_k^\top \\ "
         r"w_{t+1} = w_t (1 - \alpha\lambda) - \alpha\, X_{\text{ns\_steps}}")  # fmt: skip

CHEATSHEET = define("muon", "Muon", 2024, "Jordan et al. (2024)", LATEX,
    {"lr": 0.02, "beta1": 0.95, "eps": NS_EPS, "weight_decay": 0.0, "ns_steps": 5},
    MomentState, muon_update,
    "On a 1 × 2 matrix Newton–Schulz keeps the direction of the Nesterov momentum u "
    "and only maps its norm: from ≈ 1 (u/(‖u‖ + ε)) the quintic (a, b, c) = (3.4445, "
    "−4.7750, 2.0315) reaches 0.6964 after its 5 steps. So here Muon is normalized "
    "Nesterov momentum, every step 0.6964 α long (until ‖u‖ nears ε = 1e-7, where the "
    "quintic's slope 3.44 at 0 takes over). The reference's defaults: α 0.02, β₁ 0.95, "
    "5 steps, no weight decay.",
    look=("#DDAA33", "arrow-left", "diamond"),
)  # fmt: skip


# ---------------------------------------------------------------- torch.optim's form


def muon_torch_update(grad, w, state, t, hp):
    """b ← β₁ b + g;  u = g + β₁ b (nesterov);  O = NS(u / max(‖u‖, ε));
    w ← w − α λ w;  w ← w − α √max(1, 1/2) O (= α O)"""
    g = grad(w)
    b = hp.beta1 * state.m + g
    u = g + hp.beta1 * b
    ortho = newton_schulz(u, hp.ns_steps,
                          lambda x: divide_for(hp.eps)(x, np.maximum(_frobenius(x), hp.eps)))
    w = w - hp.lr * hp.weight_decay * w
    return w - hp.lr * ortho, MomentState(b), g


PYTORCH = torch_form(
    CHEATSHEET, muon_torch_update, MomentState,
    {"lr": 1e-3, "beta1": 0.95, "eps": 1e-7, "weight_decay": 0.1, "ns_steps": 5},
    r"b_t = \beta_1 b_{t-1} + g_t, \quad u_t = g_t + \beta_1 b_t \\ "
    r"X_0 = u_t / \max(\lVert u_t \rVert, \epsilon), \quad "
    r"X_{k+1} = a X_k + (b A_k + c A_k^2) X_k \\ "
    r"w'_t = w_t - \alpha\lambda\, w_t \\ w_{t+1} = w'_t - \alpha\, X_{\text{ns\_steps}}",
    "torch.optim.Muon's documented algorithm (torch ≥ 2.9: a 2-D parameter, here 1 × 2; "
    "adjust_lr_fn 'original': √max(1, 1/2) = 1): the buffer accumulates b ← β₁b + g (its "
    "code lerps, (1 − β₁) times that, the same direction), ‖u‖ is clamped at ε instead of "
    "adding it, and its defaults are α 1e-3, λ 0.1.",
)  # fmt: skip
