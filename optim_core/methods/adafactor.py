r"""Adafactor (Shazeer & Stern 2018, "Adafactor: Adaptive Learning Rates with Sublinear
Memory Cost") for a vector: its second moment is not factored (a matrix's would be), so
it is RMSprop with a decay that rises as 1 − t^−c, update clipping and a step relative
to the parameters' scale.

The cheat sheet's convention is optax's (``optax.adafactor``: ``scale_by_factored_rms``
→ ``clip_by_block_rms`` → ``scale(lr)`` → ``scale_by_param_block_rms`` → ``scale(−1)``),
ε₁ added to g²; the "pytorch" convention is ``torch.optim.Adafactor(lr, beta2_decay=−c,
eps=(ε₁, ε₂), d)``: ε₁ as a floor under v, and ρ_t = min(lr, 1/√t) for the relative
step. Both take the RMS over the point's coordinates (one start of a batch)."""

from __future__ import annotations

import numpy as np

from ._base import SquareState, define, safe_divide, torch_form


def _rms(a: np.ndarray) -> np.ndarray:
    """The root mean square over the last axis (one point's coordinates), kept as an axis."""
    return np.sqrt(np.mean(a * a, axis=-1, keepdims=True))


def adafactor_update(grad, w, state, t, hp):
    """β̂ = 1 − t^−c;  v ← β̂ v + (1 − β̂)(g² + ε₁);  u = g / √v;
    u ← u / max(1, RMS(u) / d);  w ← w − α max(RMS(w), ε₂) u"""
    g = grad(w)
    beta = 1 - np.power(float(t), -hp.decay)
    v = beta * state.v + (1 - beta) * (g * g + hp.eps)
    u = safe_divide(g, np.sqrt(v))
    u = u / np.maximum(1.0, _rms(u) / hp.clip)
    scale = np.maximum(_rms(w), hp.eps2)
    return w - hp.lr * u * scale, SquareState(v), g


def _lerp(start, end, weight):
    """torch.lerp: start + weight (end − start), computed from the nearer end."""
    return np.where(weight < 0.5, start + weight * (end - start),
                    end - (end - start) * (1 - weight))


def _torch_rms(a: np.ndarray) -> np.ndarray:
    """torch's RMS: ‖a‖₂ / √n over the last axis, kept as an axis."""
    return np.sqrt(np.sum(a * a, axis=-1, keepdims=True)) / np.sqrt(a.shape[-1])


def adafactor_torch_update(grad, w, state, t, hp):
    """ρ = min(α, 1/√t);  a = max(ε₂, RMS(w)) ρ;  v ← lerp(v, g², t^−c);
    u = g / √max(v, ε₁²);  w ← w − a u / max(1, RMS(u) / d)"""
    g = grad(w)
    rho = np.minimum(hp.lr, 1 / float(t) ** 0.5)
    alpha = np.maximum(hp.eps2, _torch_rms(w)) * rho
    v = _lerp(state.v, g * g, float(t) ** -hp.decay)
    u = safe_divide(g, np.sqrt(np.maximum(v, hp.eps * hp.eps)))
    denom = np.maximum(1.0, np.sqrt(np.sum(u * u, axis=-1, keepdims=True))
                       / (np.sqrt(u.shape[-1]) * hp.clip))  # fmt: skip
    return w - alpha / denom * u, SquareState(v), g


def check(values):
    """The clipping threshold d is at least 1 (optax and torch both require it)."""
    clip = np.asarray(values["clip"])
    if np.any(clip < 1):
        bad = float(clip.reshape(-1)[np.flatnonzero(clip.reshape(-1) < 1)[0]])
        raise ValueError(f"clip (Adafactor's clipping threshold d) must be >= 1; got {bad!r}")


CHEATSHEET = define("adafactor", "Adafactor", 2018, "Shazeer & Stern (2018)",
    r"\hat\beta_{2,t} = 1 - t^{-c} \\ "
    r"v_t = \hat\beta_{2,t}\, v_{t-1} + (1-\hat\beta_{2,t}) \left(g_t^2 + \epsilon_1\right) \\ "
    r"u_t = \frac{g_t}{\sqrt{v_t}}, \quad "
    r"\hat u_t = \frac{u_t}{\max\left(1, \mathrm{RMS}(u_t) / d\right)} \\ "
    r"w_{t+1} = w_t - \alpha \max\left(\mathrm{RMS}(w_t), \epsilon_2\right) \hat u_t",
    {"lr": 1e-2, "eps": 1e-30, "clip": 1.0, "eps2": 1e-3, "decay": 0.8},
    SquareState, adafactor_update,
    "optax.adafactor's rule for a vector (not factored: a point is one row) and its "
    "defaults (c = 0.8, ε₁ = 1e-30, d = 1, ε₂ = 1e-3), without momentum or weight decay "
    "(optax's defaults). The step is relative: α times the point's own RMS (at least ε₂), "
    "so like LAMB's it depends on where the origin is, and it is clipped to an RMS of at "
    "most d before that. At t = 1 the decay is 0, so v = g² + ε₁ and the first step is "
    "about α·RMS(w) along sign(g). optax's α defaults to none (a step of 1 × RMS(w)); here "
    "α = 0.01, the paper's relative step ρ (it is min(0.01, 1/√t), the same for the first "
    "10,000 steps).",
    look=("#1F78B4", "arrow-down", "square"), check=check,
)  # fmt: skip

PYTORCH = torch_form(
    CHEATSHEET, adafactor_torch_update, SquareState,
    {"lr": 1e-2, "eps": float(np.finfo(np.float64).eps), "clip": 1.0, "eps2": 1e-3,
     "decay": 0.8},
    r"\rho_t = \min\left(\alpha, 1/\sqrt{t}\right), \quad "
    r"a_t = \max\left(\epsilon_2, \mathrm{RMS}(w_t)\right) \rho_t \\ "
    r"v_t = v_{t-1} + t^{-c} \left(g_t^2 - v_{t-1}\right) \\ "
    r"u_t = \frac{g_t}{\sqrt{\max(v_t, \epsilon_1^2)}} \\ "
    r"w_{t+1} = w_t - \frac{a_t\, u_t}{\max\left(1, \mathrm{RMS}(u_t) / d\right)}",
    "torch.optim.Adafactor for a vector (beta2_decay = −c = −0.8, eps = (None, 1e-3): ε₁ "
    "is float64's machine ε, 2.2e-16, d = 1), no weight decay. Where it differs from "
    "optax's: ε₁ is a floor under v (squared), not added to g², and α caps the relative "
    "step ρ_t = min(α, 1/√t) instead of multiplying it — the same at α = 0.01 until "
    "t = 10,000.",
)  # fmt: skip
