r"""Adadelta (Zeiler (2012)): the cheat sheet's rule, its in-place form,
and torch.optim's (``Adadelta(lr, rho=β₂, eps)``: here Adadelta takes α)."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._base import (
    EMA2,
    define,
    divide_for,
    divide_into,
    ema_square_into,
    safe_divide,
    torch_form,
)


class AdadeltaState(NamedTuple):
    v: np.ndarray  # shape=w.shape, average of squared gradients
    D: np.ndarray  # shape=w.shape, average of squared steps


def adadelta_update(grad, w, state, t, hp):
    """v ← β₂ v + (1 − β₂) g²;  Δw = −√(D + ε) / √(v + ε) · g;  w ← w + Δw;
    D ← β₂ D + (1 − β₂) Δw²"""
    g = grad(w)
    v = hp.beta2 * state.v + (1 - hp.beta2) * (g * g)
    delta = -divide_for(hp.eps)(np.sqrt(state.D + hp.eps), np.sqrt(v + hp.eps)) * g
    w = w + delta
    D = hp.beta2 * state.D + (1 - hp.beta2) * (delta * delta)
    return w, AdadeltaState(v, D), g


def adadelta_into(grad_into, w, state, t, hp, out):
    grad_into(w, out.g)
    ema_square_into(hp.beta2, state.v, out.g, out.state.v, out.a)
    np.add(state.D, hp.eps, out=out.a)
    np.sqrt(out.a, out=out.a)
    np.add(out.state.v, hp.eps, out=out.b)
    np.sqrt(out.b, out=out.b)
    delta = divide_into(hp.eps, out.a, out.b, out.a)
    np.negative(delta, out=delta)
    np.multiply(delta, out.g, out=delta)
    np.add(w, delta, out=out.w)
    ema_square_into(hp.beta2, state.D, delta, out.state.D, out.b)


def step_size(state, before, hp, t):
    """α √(D_{t−1} + ε) / √(v + ε) (α: 1 in the cheat sheet's form)"""
    return hp.get("lr", 1.0) * np.sqrt(before["D"] + hp["eps"]) / np.sqrt(state["v"] + hp["eps"])


def check(hp):
    """ε = 0 is refused: Adadelta would never move."""
    if hp["eps"] == 0:
        raise ValueError(
            "eps must be > 0 for Adadelta; got 0: its step is √(D + ε)/√(v + ε)·g and D, the "
            "average of past squared steps, starts at 0, so with ε = 0 every step is 0 and "
            "it never moves"
        )


# ---------------------------------------------------------------- torch.optim's form


def adadelta_torch_update(grad, w, state, t, hp):
    """v ← β₂ v + (1 − β₂) g²;  Δ = √(D + ε) / √(v + ε) · g;  D ← β₂ D + (1 − β₂) Δ²;
    w ← w − α Δ"""
    g = grad(w)
    v = hp.beta2 * state.v + (1 - hp.beta2) * (g * g)
    delta = safe_divide(np.sqrt(state.D + hp.eps), np.sqrt(v + hp.eps)) * g
    D = hp.beta2 * state.D + (1 - hp.beta2) * (delta * delta)
    return w - hp.lr * delta, AdadeltaState(v, D), g


CHEATSHEET = define("adadelta", "Adadelta", 2012, "Zeiler (2012)",
    EMA2 + r" \\ \Delta w_t = -\frac{\sqrt{D_{t-1} + \epsilon}}{\sqrt{v_t + \epsilon}}\, g_t"
    r" \\ w_{t+1} = w_t + \Delta w_t \\ D_t = \beta_2 D_{t-1} + (1-\beta_2)\, \Delta w_t^2",
    {"beta2": 0.95, "eps": 1e-6}, AdadeltaState, adadelta_update,
    "No learning rate (PyTorch multiplies the step by lr = 1.0).",
    update_into=adadelta_into,
    look=("#56B4E9", "triangle-up", "circle-open"),
    step_size=step_size,
    check=check,
)  # fmt: skip

PYTORCH = torch_form(
    CHEATSHEET, adadelta_torch_update, AdadeltaState, {"lr": 1.0, "beta2": 0.9, "eps": 1e-6},
    r"v_t = \beta_2 v_{t-1} + (1-\beta_2)\, g_t^2 \\ "
    r"\Delta_t = \frac{\sqrt{D_{t-1} + \epsilon}}{\sqrt{v_t + \epsilon}}\, g_t \\ "
    r"D_t = \beta_2 D_{t-1} + (1-\beta_2)\, \Delta_t^2 \\ "
    r"w_{t+1} = w_t - \alpha\, \Delta_t",
    "torch multiplies the step by α (default 1.0: the cheat sheet's step); β₂ "
    "is torch's rho (default 0.9).",
)  # fmt: skip
