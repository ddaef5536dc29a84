r"""AMSGrad (Reddi et al. (2018)): the cheat sheet's rule, its in-place form,
and torch.optim's (``Adam(lr, betas, eps, amsgrad=True)``: both moments corrected)."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._base import (
    EMA,
    EMA2,
    TORCH_HAT_M,
    TORCH_MV,
    adam_step_into,
    define,
    divide_for,
    ema_into,
    ema_square_into,
    safe_divide,
    torch_form,
)


class AMSGradState(NamedTuple):
    m: np.ndarray  # shape=w.shape
    v: np.ndarray  # shape=w.shape
    v_hat: np.ndarray  # shape=w.shape, running maximum of v


def amsgrad_update(grad, w, state, t, hp):
    """m ← β₁ m + (1 − β₁) g;  v ← β₂ v + (1 − β₂) g²;  v̂ ← max(v̂, v);
    w ← w − α m / (√v̂ + ε)"""
    g = grad(w)
    m = hp.beta1 * state.m + (1 - hp.beta1) * g
    v = hp.beta2 * state.v + (1 - hp.beta2) * (g * g)
    v_hat = np.maximum(state.v_hat, v)
    w = w - hp.lr * divide_for(hp.eps)(m, np.sqrt(v_hat) + hp.eps)
    return w, AMSGradState(m, v, v_hat), g


def amsgrad_into(grad_into, w, state, t, hp, out):
    grad_into(w, out.g)
    ema_into(hp.beta1, state.m, out.g, out.state.m, out.a)
    ema_square_into(hp.beta2, state.v, out.g, out.state.v, out.a)
    np.maximum(state.v_hat, out.state.v, out=out.state.v_hat)
    np.copyto(out.a, out.state.m)
    np.copyto(out.b, out.state.v_hat)
    adam_step_into(out.a, out.b, w, hp, out)


def step_size(state, before, hp, t):
    """α / (√v̂ + ε)"""
    return hp["lr"] / (np.sqrt(state["v_hat"]) + hp["eps"])


# ---------------------------------------------------------------- torch.optim's form


class TorchAMSGradState(NamedTuple):
    m: np.ndarray  # shape=w.shape
    v: np.ndarray  # shape=w.shape
    v_max: np.ndarray  # shape=w.shape, running maximum of v (before its correction)


def amsgrad_torch_update(grad, w, state, t, hp):
    """m, v as Adam;  v_max ← max(v_max, v);  m̂ = m / (1 − β₁ᵗ);
    v̂ = v_max / (1 − β₂ᵗ);  w ← w − α m̂ / (√v̂ + ε)"""
    g = grad(w)
    m = hp.beta1 * state.m + (1 - hp.beta1) * g
    v = hp.beta2 * state.v + (1 - hp.beta2) * (g * g)
    v_max = np.maximum(state.v_max, v)
    m_hat = m / (1 - np.power(hp.beta1, t))
    v_hat = v_max / (1 - np.power(hp.beta2, t))
    w = w - hp.lr * safe_divide(m_hat, np.sqrt(v_hat) + hp.eps)
    return w, TorchAMSGradState(m, v, v_max), g


def torch_step_size(state, before, hp, t):
    """α / (√(v_max / (1 − β₂ᵗ)) + ε)"""
    return hp["lr"] / (np.sqrt(state["v_max"] / (1 - hp["beta2"] ** t)) + hp["eps"])


CHEATSHEET = define("amsgrad", "AMSGrad", 2018, "Reddi et al. (2018)",
    EMA + r" \\ " + EMA2 + r" \\ \hat v_t = \max(\hat v_{t-1}, v_t)"
    r" \\ w_{t+1} = w_t - \frac{\alpha\, m_t}{\sqrt{\hat v_t} + \epsilon}",
    {"lr": 0.001, "beta1": 0.9, "beta2": 0.999, "eps": 1e-7}, AMSGradState, amsgrad_update,
    "No bias correction (PyTorch's amsgrad=True corrects both moments): early on m and "
    "v̂ are both small, and the step m/√v̂ is 3.2–6.6 α long in the first 20 steps of a "
    "steady gradient (3.2 α at step 1: 0.1/√0.001, 6.6 α at step 12), against α for Adam.",
    update_into=amsgrad_into,
    look=("#44AA99", "triangle-down", "square"),
    step_size=step_size,
)  # fmt: skip

PYTORCH = torch_form(
    CHEATSHEET, amsgrad_torch_update, TorchAMSGradState, {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999,
    "eps": 1e-8},
    TORCH_MV + r" \\ v^{\max}_t = \max(v^{\max}_{t-1}, v_t) \\ " + TORCH_HAT_M
    + r", \quad \hat v_t = \frac{v^{\max}_t}{1-\beta_2^t} \\ "
    r"w_{t+1} = w_t - \frac{\alpha\, \hat m_t}{\sqrt{\hat v_t} + \epsilon}",
    "torch corrects both moments for their zero start: its first steps are "
    "α long, not the 3.2–6.6 α of the uncorrected form.",
    step_size=torch_step_size,
)  # fmt: skip
