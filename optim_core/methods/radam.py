r"""RAdam (Liu et al. (2019)): the cheat sheet's rule, its in-place form,
and torch.optim's (``RAdam(lr, betas, eps)``: rectified once ρ_t > 5, ε in l_t)."""

from __future__ import annotations

import numpy as np

from ._base import (
    EMA,
    EMA2,
    TORCH_HAT_M,
    TORCH_MV,
    AdamState,
    define,
    safe_divide,
    torch_form,
)


def radam_rectification(beta2, t):
    """RAdam's ρ_t = ρ∞ − 2t β₂ᵗ / (1 − β₂ᵗ) (ρ∞ = 2 / (1 − β₂) − 1) and its rectifier
    r_t = √((ρ_t − 4)(ρ_t − 2) ρ∞ / ((ρ∞ − 4)(ρ∞ − 2) ρ_t)), nan where ρ_t ≤ 4 (where
    no convention uses it)."""
    rho_inf = 2 / (1 - beta2) - 1
    rho = rho_inf - 2 * t * np.power(beta2, t) / (1 - np.power(beta2, t))
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.sqrt((rho - 4) * (rho - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho))
    return rho, r


def radam_update(grad, w, state, t, hp):
    """m, v as Adam;  m̂ = m / (1 − β₁ᵗ);  ρ∞ = 2 / (1 − β₂) − 1;
    ρ_t = ρ∞ − 2t β₂ᵗ / (1 − β₂ᵗ);  if ρ_t > 4: w ← w − α r_t m̂ √((1 − β₂ᵗ) / v)
    with r_t = √((ρ_t − 4)(ρ_t − 2) ρ∞ / ((ρ∞ − 4)(ρ∞ − 2) ρ_t));  else w ← w − α m̂"""
    g = grad(w)
    m = hp.beta1 * state.m + (1 - hp.beta1) * g
    v = hp.beta2 * state.v + (1 - hp.beta2) * (g * g)
    m_hat = m / (1 - np.power(hp.beta1, t))
    rho, r = radam_rectification(hp.beta2, t)
    rectified = rho > 4
    adaptive = r * m_hat * safe_divide(np.sqrt(1 - np.power(hp.beta2, t)) * np.ones_like(v),
                                       np.sqrt(v))  # fmt: skip
    w = w - hp.lr * np.where(rectified, adaptive, m_hat)
    return w, AdamState(m, v), g


def step_size(state, before, hp, t):
    """α r_t √((1 − β₂ᵗ) / v) once ρ_t > 4, α before"""
    b2 = hp["beta2"]
    rho, r = radam_rectification(b2, t)
    return hp["lr"] * np.where(rho > 4, r * np.sqrt((1 - b2**t) / state["v"]), 1.0)


# ---------------------------------------------------------------- torch.optim's form


def radam_torch_update(grad, w, state, t, hp):
    """m, v as Adam;  m̂ = m / (1 − β₁ᵗ);  ρ∞ = 2 / (1 − β₂) − 1;
    ρ_t = ρ∞ − 2t β₂ᵗ / (1 − β₂ᵗ);  if ρ_t > 5: l = √(1 − β₂ᵗ) / (√v + ε),
    r = √((ρ_t − 4)(ρ_t − 2) ρ∞ / ((ρ∞ − 4)(ρ∞ − 2) ρ_t)), w ← w − α m̂ r l;
    else w ← w − α m̂"""
    g = grad(w)
    m = hp.beta1 * state.m + (1 - hp.beta1) * g
    v = hp.beta2 * state.v + (1 - hp.beta2) * (g * g)
    m_hat = m / (1 - np.power(hp.beta1, t))
    rho, r = radam_rectification(hp.beta2, t)
    l_t = safe_divide(np.sqrt(1 - np.power(hp.beta2, t)) * np.ones_like(v), np.sqrt(v) + hp.eps)
    w = w - hp.lr * np.where(rho > 5, m_hat * r * l_t, m_hat)
    return w, AdamState(m, v), g


def torch_step_size(state, before, hp, t):
    """α r_t √(1 − β₂ᵗ) / (√v + ε) once ρ_t > 5, α before"""
    b2 = hp["beta2"]
    rho, r = radam_rectification(b2, t)
    adaptive = r * np.sqrt(1 - b2**t) / (np.sqrt(state["v"]) + hp["eps"])
    return hp["lr"] * np.where(rho > 5, adaptive, 1.0)


CHEATSHEET = define("radam", "RAdam", 2019, "Liu et al. (2019)",
    EMA + r" \\ " + EMA2 + r" \\ \hat m_t = \frac{m_t}{1-\beta_1^t}, \quad "
    r"\rho_\infty = \frac{2}{1-\beta_2} - 1, \quad "
    r"\rho_t = \rho_\infty - \frac{2 t \beta_2^t}{1-\beta_2^t} \\ "
    r"\rho_t > 4:\ w_{t+1} = w_t - \alpha\, r_t\, \hat m_t \sqrt{\frac{1-\beta_2^t}{v_t}}, "
    r"\ r_t = \sqrt{\frac{(\rho_t-4)(\rho_t-2)\rho_\infty}"
    r"{(\rho_\infty-4)(\rho_\infty-2)\rho_t}} \\ "
    r"\text{else: } w_{t+1} = w_t - \alpha\, \hat m_t",
    {"lr": 0.001, "beta1": 0.9, "beta2": 0.999}, AdamState, radam_update,
    "Adam with its adaptive step switched on only once the variance of v's estimate is "
    "bounded (ρ_t > 4: after 5 steps at β₂ 0.999), and then scaled by r_t < 1: the first "
    "steps are plain momentum steps α m̂.",
    look=("#332288", "star-triangle-up", "diamond"),
    step_size=step_size,
)  # fmt: skip

PYTORCH = torch_form(
    CHEATSHEET, radam_torch_update, AdamState, {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999,
    "eps": 1e-8},
    TORCH_MV + r" \\ " + TORCH_HAT_M + r", \quad "
    r"\rho_t = \rho_\infty - \frac{2 t \beta_2^t}{1-\beta_2^t} \\ "
    r"\rho_t > 5:\ w_{t+1} = w_t - \alpha\, r_t\, \hat m_t "
    r"\frac{\sqrt{1-\beta_2^t}}{\sqrt{v_t} + \epsilon} \\ "
    r"\text{else: } w_{t+1} = w_t - \alpha\, \hat m_t",
    "torch switches the adaptive step on at ρ_t > 5 (the paper: > 4), one step "
    "later at β₂ 0.999, and adds ε to √v.",
    step_size=torch_step_size,
)  # fmt: skip
