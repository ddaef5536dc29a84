r"""Delay-tolerant AdaGrad: AdaGrad whose accumulator counts the updates in flight
(McMahan & Streeter, "Delay-Tolerant Algorithms for Asynchronous Distributed Online
Learning", NIPS 2014: their AdaptiveRevision), beside plain AdaGrad under the same
stale gradients.

The delays are the runner's (:func:`optim_core.run` with ``delay=τ`` or
``delay_max=τ_max``): the update at step t takes the gradient at the parameters of
step r_t = max(0, t − 1 − τ_t), τ_t fixed or drawn from 0 … τ_max (seeded: the same
draws as the runner's, :func:`delay_draws`). In the paper's words the gradient g_t was
*read* at r_t and is *applied* as update t; the gradients applied in between,

.. math::

    g^{bck}_t = \sum_{s = r_t + 1}^{t - 1} g_s = \bar g_{t-1} - \bar g_{r_t}, \qquad
    \bar g_k = \sum_{s \le k} g_s,

are what it missed (the server keeps ḡ, and each read remembers ḡ then). Per
coordinate, AdaptiveRevision (their Algorithm 2; ε inside the root as the house's
AdaGrad puts it, so that without delays it is that AdaGrad, bit for bit):

.. math::

    z_t &= z_{t-1} + g_t^2 + 2\, g_t\, g^{bck}_t \\
    z'_t &= \max(z'_{t-1},\, z_t) \\
    \eta_t &= \alpha / \sqrt{z'_t + \epsilon} \\
    w_t &= w_{t-1} - \eta_t\, g_t + (\eta_{t-1} - \eta_t)\, g^{bck}_t

(z₀ = z'₀ = 0). Σ_s (g_s² + 2 g_s g_s^bck) is what Σ_s g_s² is to AdaGrad when
the updates overlap: with every update in flight at once it is (Σ_s g_s)². The max keeps
the learning rate from growing. The last term is the *revision*: the gradients in
g^bck were applied with the learning rate of their time, η_{t−1} or larger, and now
that g_t is known the rate is η_t; the revision takes them back to η_t.

Three forms (``form=``), one rule:

* ``"revision"`` — AdaptiveRevision, as above: the paper's algorithm, and the default
  here, because its regret bound is proved for it (the rate alone is not enough).
* ``"accumulator"`` — the simpler form: the learning rate η_t from z'_t, without the
  revision term (w_t = w_{t−1} − η_t g_t). Kept to show what the revision adds.
* ``"adagrad"`` — plain AdaGrad under the same delays (z_t = z_{t−1} + g_t², no max
  needed): exactly :func:`optim_core.run` ("adagrad", delay=…), bit for bit.

With τ = 0, g^bck = 0 and all three are the house's AdaGrad, bit for bit. The
paper's analysis assumes updates are applied in the order they were read (InOrder): a
fixed delay keeps that order; random delays (``delay_max``) may not, and the rule runs
as written all the same.

Cross-checked against an independent public implementation of AdaptiveRevision: the
DTAdaGradHandle2 handle of dmlc's parameter-server linear learner
(``delay_tol_handle.h``: g^bck from the gradient sum stored at the pull, z and z' as
above, the step w − η g + (η_old − η) g^bck with η as an inverse rate).

The rule runs in :func:`optim_core.run` (an :class:`~optim_core.Optimizer` built for
the delay schedule, :func:`delay_tolerant_adagrad`), so its trajectory, convergence and
divergence are the runner's, and a sweep over α is one batch (:func:`stability`).
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

import surfaces
from surfaces import Surface

from .analysis import sweep
from .methods._base import define, divide_for
from .runner import MAX_DELAY, MAX_STEPS, Trajectory, _check_seed, run

FORMS = ("revision", "accumulator", "adagrad")
FORM_TITLES = {
    "revision": "Delay-tolerant AdaGrad (AdaptiveRevision)",
    "accumulator": "Delay-tolerant rate, no revision",
    "adagrad": "AdaGrad",
}
DEFAULTS = {"lr": 0.01, "eps": 1e-7}  # the house's AdaGrad's


class DelayState(NamedTuple):
    """The server's state per coordinate; ``(..., D)`` like w unless said."""

    z: np.ndarray  # Σ (g² + 2 g·g^bck) (AdaGrad: Σ g²)
    z_max: np.ndarray  # z' = the largest z so far: the learning rate's denominator
    sums: np.ndarray  # (..., τ_max + 1, D): ḡ_k, the gradients applied by step k, a ring


def _whole(name: str, value, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or not (
            low <= value <= high):  # fmt: skip
        raise ValueError(f"{name} must be an integer in [{low}, {high}]; got {value!r}")
    return int(value)


def _check_delays(delay, delay_max) -> tuple[int | None, int | None]:
    if delay is not None and delay_max is not None:
        raise ValueError("give delay (a fixed τ) or delay_max (a random τ a step), not both")
    if delay is None and delay_max is None:
        raise ValueError("give delay (a fixed τ) or delay_max (a random τ a step); τ = 0 "
                         "is delay=0")  # fmt: skip
    if delay is not None:
        return _whole("delay", delay, 0, MAX_DELAY), None
    return None, _whole("delay_max", delay_max, 0, MAX_DELAY)


def delay_draws(steps: int, delay: int | None = None, delay_max: int | None = None,
                seed: int = 0) -> np.ndarray:  # fmt: skip
    """τ_t for t = 1 … ``steps`` (``(steps,)`` integers), as :func:`optim_core.run`
    draws them: ``delay`` at every step, or each step's from 0 … ``delay_max`` by the
    runner's generator (``numpy.random.default_rng([seed, 2])``, one draw a step)."""
    steps = _whole("steps", steps, 1, MAX_STEPS)
    fixed, most = _check_delays(delay, delay_max)
    seed = _check_seed(seed)
    if fixed is not None or most == 0:
        return np.full(steps, fixed or 0, dtype=np.int64)
    rng = np.random.default_rng([seed, 2])
    return np.array([rng.integers(0, most + 1) for _ in range(steps)], dtype=np.int64)


def delay_tolerant_adagrad(taus, form: str = "revision"):
    """The rule of ``form`` (see the module) as an :class:`~optim_core.Optimizer` for
    the runner, for the delays ``taus`` (τ_t of steps 1, 2, …: :func:`delay_draws`).
    Run it with the same delays: ``optim_core.run(opt, …, delay=τ)`` or
    ``delay_max=τ_max`` with the seed that drew ``taus`` (:func:`run_delay_tolerant`
    does)."""
    if form not in FORMS:
        raise ValueError(f"form must be one of {list(FORMS)}; got {form!r}")
    taus = np.asarray(taus, dtype=np.int64).reshape(-1)
    if not len(taus) or taus.min() < 0 or taus.max() > MAX_DELAY:
        raise ValueError(f"taus must be delays in [0, {MAX_DELAY}], at least one")
    depth = int(taus.max()) + 1  # ḡ of the last τ_max + 1 steps: every read still in flight
    taus = tuple(int(t) for t in taus)

    def init(w):
        w = np.asarray(w, dtype=float)
        return DelayState(np.zeros_like(w), np.zeros_like(w),
                          np.zeros((*w.shape[:-1], depth, w.shape[-1])))  # fmt: skip

    def update(grad, w, state, t, hp):
        g = grad(w)  # (the runner evaluates it at the parameters of step r_t)
        read = max(0, t - 1 - taus[t - 1])  # r_t
        now = state.sums[..., (t - 1) % depth, :]  # ḡ_{t−1}
        back = now - state.sums[..., read % depth, :]  # g^bck_t = ḡ_{t−1} − ḡ_{r_t}
        divide = divide_for(hp.eps)
        if form == "adagrad":
            z = state.z + g * g
            z_max = z
        else:
            z = state.z + g * g + 2 * g * back
            z_max = np.maximum(state.z_max, z)
        w_new = w - hp.lr * divide(g, np.sqrt(z_max + hp.eps))  # η_t g_t
        if form == "revision":  # + (η_{t−1} − η_t) g^bck
            w_new = w_new + hp.lr * (divide(back, np.sqrt(state.z_max + hp.eps))
                                     - divide(back, np.sqrt(z_max + hp.eps)))  # fmt: skip
        sums = state.sums.copy()
        sums[..., t % depth, :] = now + g  # ḡ_t
        return w_new, DelayState(z, z_max, sums), g

    latex = {
        "revision": r"z_t = z_{t-1} + g_t^2 + 2 g_t g^{bck}_t,\; z'_t = \max(z'_{t-1}, z_t) \\ "
                    r"\eta_t = \alpha/\sqrt{z'_t + \epsilon},\; "
                    r"w_t = w_{t-1} - \eta_t g_t + (\eta_{t-1} - \eta_t) g^{bck}_t",
        "accumulator": r"z_t = z_{t-1} + g_t^2 + 2 g_t g^{bck}_t,\; "
                       r"z'_t = \max(z'_{t-1}, z_t) \\ "
                       r"w_t = w_{t-1} - \frac{\alpha}{\sqrt{z'_t + \epsilon}}\, g_t",
        "adagrad": r"v_t = v_{t-1} + g_t^2 \\ "
                   r"w_t = w_{t-1} - \frac{\alpha}{\sqrt{v_t + \epsilon}}\, g_t",
    }[form]  # fmt: skip
    return define(
        f"dt_{form}", FORM_TITLES[form], 2014,
        "McMahan & Streeter (2014)" if form != "adagrad" else "Duchi et al. (2011)", latex,
        DEFAULTS, DelayState, update,
        "g^bck: the gradients applied between this gradient's read and its update.",
        look=LOOKS[form], init=init,
    )  # fmt: skip


LOOKS = {"revision": ("#009E73", "diamond", "diamond"),
         "accumulator": ("#56B4E9", "triangle-up", "square"),
         "adagrad": ("#CC79A7", "x", "x")}  # fmt: skip  (AdaGrad's own look)


def run_delay_tolerant(surface, start, steps: int, *, form: str = "revision",
                       lr: float = DEFAULTS["lr"], eps: float = DEFAULTS["eps"],
                       delay: int | None = None, delay_max: int | None = None,
                       seed: int = 0, record: str = "path") -> Trajectory:  # fmt: skip
    """Run ``form`` ("revision", "accumulator" or "adagrad") on ``surface`` from
    ``start`` (one point or ``(N, 2)``) for ``steps`` steps with stale gradients: a
    fixed ``delay`` = τ or a random one each step up to ``delay_max`` (``seed``), the
    runner's schedule. Returns the runner's :class:`~optim_core.Trajectory` (its
    ``optimizer`` is "dt_<form>"; its state holds z, z' and the ring of ḡ). Every
    argument is checked first; a ValueError names the parameter, its value and the
    valid range; a diverging run is a result."""
    if form not in FORMS:
        raise ValueError(f"form must be one of {list(FORMS)}; got {form!r}")
    taus = delay_draws(steps, delay, delay_max, seed)
    return run(delay_tolerant_adagrad(taus, form), surface, start, steps, lr=lr, eps=eps,
               delay=delay, delay_max=delay_max, seed=seed, record=record)  # fmt: skip


@dataclass(frozen=True, eq=False)
class DelayStability:
    """What :func:`stability` measured: for each form (``forms``) × fixed delay τ
    (``taus``) × α (``alphas``, increasing), the runner's ``converged_step`` and
    ``diverged_step`` (-1: never) and ``final_loss`` (f − f* at the last step). Per form
    and τ (``(forms, τ)`` arrays):

    * ``largest_stable``: the largest α of the grid below which no run diverged (every α
      up to it stayed; nan when even the smallest diverged); where no α of the grid
      diverged (``all_stable``) it is the grid's largest, a lower bound;
    * ``fastest``: the fewest steps to converge over the α's (-1: none converged), at
      ``fastest_alpha`` (the smallest such α; nan: none);
    * ``best_loss``: the lowest final f − f* over the α's."""

    surface: Surface
    start: np.ndarray
    steps: int
    eps: float
    forms: tuple[str, ...]
    taus: np.ndarray
    alphas: np.ndarray
    converged_step: np.ndarray
    diverged_step: np.ndarray
    final_loss: np.ndarray
    largest_stable: np.ndarray
    all_stable: np.ndarray
    fastest: np.ndarray
    fastest_alpha: np.ndarray
    best_loss: np.ndarray


MAX_STABILITY_TAUS = 12
MAX_STABILITY_ALPHAS = 100


def stability(surface, start, steps: int, taus, alphas, *,
              forms: tuple[str, ...] = ("adagrad", "revision"),
              eps: float = DEFAULTS["eps"]) -> DelayStability:  # fmt: skip
    """Each form in ``forms`` at each fixed delay τ in ``taus`` and each α in ``alphas``
    (increasing) from ``start``, ``steps`` steps: one :func:`optim_core.sweep` over α
    (one batch) per form and τ. See :class:`DelayStability` for what is measured."""
    surf = surface if isinstance(surface, Surface) else surfaces.get(surface)
    if isinstance(forms, str) or not forms:
        raise ValueError(f"forms must be a tuple of names among {list(FORMS)}; got {forms!r}")
    for form in forms:
        if form not in FORMS:
            raise ValueError(f"forms must be among {list(FORMS)}; got {form!r}")
    steps = _whole("steps", steps, 1, MAX_STEPS)
    taus = list(np.asarray(taus).reshape(-1).tolist())
    if not 1 <= len(taus) <= MAX_STABILITY_TAUS:
        raise ValueError(f"taus must hold 1 to {MAX_STABILITY_TAUS} delays; got {len(taus)}")
    taus = np.array([_whole("taus", tau, 0, MAX_DELAY) for tau in taus], dtype=np.int64)
    alphas = np.asarray(alphas, dtype=float).reshape(-1)
    if not 1 <= len(alphas) <= MAX_STABILITY_ALPHAS or not np.all(np.isfinite(alphas)) or (
            np.any(alphas <= 0) or np.any(np.diff(alphas) <= 0)):  # fmt: skip
        raise ValueError(f"alphas must be 1 to {MAX_STABILITY_ALPHAS} finite numbers > 0, "
                         f"increasing; got {alphas.tolist()!r}")  # fmt: skip
    shape = (len(forms), len(taus), len(alphas))
    converged = np.empty(shape, dtype=np.int64)
    diverged = np.empty(shape, dtype=np.int64)
    loss = np.empty(shape)
    floor = surf.min_value if np.isfinite(surf.min_value) else 0.0
    for i, form in enumerate(forms):
        for j, tau in enumerate(taus):
            opt = delay_tolerant_adagrad(delay_draws(steps, int(tau)), form)
            found = sweep(opt, surf, start, steps, {"lr": alphas}, eps=eps, delay=int(tau))
            converged[i, j], diverged[i, j] = found.converged_step, found.diverged_step
            loss[i, j] = found.final_loss - floor
    stayed = np.cumprod(diverged < 0, axis=-1).astype(bool)  # no divergence up to here
    count = stayed.sum(axis=-1)
    largest = np.where(count > 0, alphas[np.maximum(count - 1, 0)], math.nan)
    ok = converged >= 0
    steps_taken = np.where(ok, converged, np.iinfo(np.int64).max)
    fastest = np.where(ok.any(axis=-1), steps_taken.min(axis=-1), -1)
    fastest_alpha = np.where(ok.any(axis=-1), alphas[np.argmin(steps_taken, axis=-1)], math.nan)
    finite = np.where(np.isfinite(loss), loss, np.inf)
    best = finite.min(axis=-1)
    return DelayStability(surf, np.asarray(start, dtype=float), steps, float(eps), tuple(forms),
                     taus, alphas, converged, diverged, loss, largest,
                     (diverged < 0).all(axis=-1), fastest, fastest_alpha, best)  # fmt: skip


__all__ = ["FORMS", "FORM_TITLES", "DelayState", "DelayStability", "delay_draws",
           "delay_tolerant_adagrad", "run_delay_tolerant", "stability"]
