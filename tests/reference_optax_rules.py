"""Plain-loop transcriptions of the references of Lion, Adan, AdEMAMix, ADOPT, LAMB and
Adafactor (issue 24): Python floats, one coordinate at a time, no NumPy in the update,
written from the reference's source, not from optim_core.

The sources (google-deepmind/optax unless said otherwise):

* Lion: optax/_src/transform.py ``scale_by_lion`` at 16f05fd293ab82164977b87560defeea450315d9,
  chained by optax/_src/alias.py ``lion`` with ``add_decayed_weights`` and
  ``scale_by_learning_rate`` (the stored version with ``adan`` and ``lion``).
* Adan: optax/_src/transform.py ``scale_by_adan`` at 16f05fd2…, optax/_src/alias.py
  ``adan`` (eps_root = 1e-8 there).
* AdEMAMix: optax/contrib/_ademamix.py at 682d3123a3c61c4d5ca335021b6c0460ccab71b7.
* ADOPT: optax/contrib/_adopt.py at 6a5c829ab6ce451fb06e8d2ef19d1968d4686554.
* LAMB: optax/_src/alias.py ``lamb`` at 47fe6554e5567201ac246292ffd00aec480f4b65;
  ``scale_by_adam`` and ``scale_by_trust_ratio`` in optax/_src/transform.py at
  d9678fcd0bfce7ef031190f19097bc639a5734ec.
* Adafactor: optax/_src/alias.py ``adafactor`` at 47fe6554…, optax/_src/factorized.py
  ``scale_by_factored_rms`` at e4778e7c1372362aa039252e99f0add3b8259ac5,
  optax/_src/clipping.py ``clip_by_block_rms`` at e4778e7c…,
  ``scale_by_param_block_rms`` (numerics.safe_root_mean_squares) in transform.py at
  16f05fd2…; and pytorch/pytorch torch/optim/_adafactor.py ``_single_tensor_adafactor``
  at 5f65158aefc31977355102011b310a7d020e5604.

optax's ``apply_updates`` adds the update, which ends ``scale(−lr)``: w + (−α u).
"""

from __future__ import annotations

import math


def _sign(x: float) -> float:
    return (x > 0) - (x < 0)


def _div(a: float, b: float) -> float:
    # The app's convention: a zero denominator gives a zero quotient.
    return 0.0 if b == 0 else a / b


def lion_reference(grad, w, steps, lr, beta1, beta2, weight_decay):
    """optax.lion: u = sign((1 − b1) g + b1 μ); μ ← (1 − b2) g + b2 μ; u += λ w;
    w ← w + (−α u). Returns [w_0, ..., w_steps]."""
    w = [float(w[0]), float(w[1])]
    mu = [0.0, 0.0]
    points = [list(w)]
    for _ in range(steps):
        g = grad(w)
        for i in range(2):
            u = _sign((1.0 - beta1) * g[i] + beta1 * mu[i])
            mu[i] = (1 - beta2) * g[i] + beta2 * mu[i]
            u = u + weight_decay * w[i]
            w[i] = w[i] + -lr * u
        points.append(list(w))
    return points


def adan_reference(grad, w, steps, lr, beta1, beta2, beta3, eps, weight_decay,
                   eps_root=1e-8):  # fmt: skip
    """optax.adan: diff = 0 at the first step, else g − g_prev; m, v, n by
    update_moment ((1 − b) x + b state); m̂, v̂, n̂ bias-corrected with count t;
    u = (m̂ + (1 − b2) v̂) / (√(n̂ + eps_root) + eps); u += λ w; w ← w + (−α u)."""
    w = [float(w[0]), float(w[1])]
    m, v, n, g_prev = [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0]
    points = [list(w)]
    for t in range(1, steps + 1):
        g = grad(w)
        for i in range(2):
            diff = 0.0 if t == 1 else g[i] - g_prev[i]
            m[i] = (1 - beta1) * g[i] + beta1 * m[i]
            v[i] = (1 - beta2) * diff + beta2 * v[i]
            sq = g[i] + (1 - beta2) * diff
            n[i] = (1 - beta3) * sq**2 + beta3 * n[i]
            m_hat = m[i] / (1 - beta1**t)
            v_hat = v[i] / (1 - beta2**t)
            n_hat = n[i] / (1 - beta3**t)
            u = (m_hat + (1 - beta2) * v_hat) / (math.sqrt(n_hat + eps_root) + eps)
            u = u + weight_decay * w[i]
            w[i] = w[i] + -lr * u
        g_prev = list(g)
        points.append(list(w))
    return points


def ademamix_reference(grad, w, steps, lr, beta1, beta2, beta3, mix, eps, weight_decay):
    """optax.contrib.ademamix (constant b3 and alpha, eps_root = 0): m1, m2, nu by
    update_moment; m̂1 = m1 / (1 − b1ᵗ), ν̂ = ν / (1 − b2ᵗ), m2 not corrected;
    u = (m̂1 + alpha m2) / (√ν̂ + eps); u += λ w; w ← w + (−α u)."""
    w = [float(w[0]), float(w[1])]
    m1, m2, nu = [0.0, 0.0], [0.0, 0.0], [0.0, 0.0]
    points = [list(w)]
    for t in range(1, steps + 1):
        g = grad(w)
        for i in range(2):
            m1[i] = (1 - beta1) * g[i] + beta1 * m1[i]
            m2[i] = (1 - beta3) * g[i] + beta3 * m2[i]
            nu[i] = (1 - beta2) * g[i] ** 2 + beta2 * nu[i]
            m1_hat = m1[i] / (1 - beta1**t)
            nu_hat = nu[i] / (1 - beta2**t)
            u = _div(m1_hat + mix * m2[i], math.sqrt(nu_hat + 0.0) + eps)
            u = u + weight_decay * w[i]
            w[i] = w[i] + -lr * u
        points.append(list(w))
    return points


def adopt_reference(grad, w, steps, lr, beta1, beta2, eps):
    """optax.contrib.adopt (use_clipping=True, clip_value_fn = x**0.25, nesterov off):
    count from 0; b2_ = b2 if count > 0 else 0, b1_ = b1 if count > 0 else 1;
    ν ← update_moment(g², ν, b2_); mu_updates = clip(g / max(√ν_old, eps), ±count**0.25);
    μ ← update_moment(mu_updates, μ, b1_); w ← w + (−α μ)."""
    w = [float(w[0]), float(w[1])]
    mu, nu = [0.0, 0.0], [0.0, 0.0]
    points = [list(w)]
    for count in range(steps):
        g = grad(w)
        b2_ = beta2 if count > 0 else 0.0
        b1_ = beta1 if count > 0 else 1.0
        clip_value = count**0.25
        for i in range(2):
            nu_old = nu[i]
            nu[i] = (1 - b2_) * g[i] ** 2 + b2_ * nu_old
            mu_update = min(max(_div(g[i], max(math.sqrt(nu_old), eps)), -clip_value),
                            clip_value)  # fmt: skip
            mu[i] = (1 - b1_) * mu_update + b1_ * mu[i]
            w[i] = w[i] + -lr * mu[i]
        points.append(list(w))
    return points


def lamb_reference(grad, w, steps, lr, beta1, beta2, eps, weight_decay):
    """optax.lamb: scale_by_adam (eps_root 0) → add_decayed_weights(λ) →
    scale_by_trust_ratio (min_norm 0, trust_coefficient 1, eps 0: ratio ‖w‖ / ‖u‖, 1
    where either norm is 0) → scale(−α). The norms over the whole parameter (x, y)."""
    w = [float(w[0]), float(w[1])]
    mu, nu = [0.0, 0.0], [0.0, 0.0]
    points = [list(w)]
    for t in range(1, steps + 1):
        g = grad(w)
        u = [0.0, 0.0]
        for i in range(2):
            mu[i] = (1 - beta1) * g[i] + beta1 * mu[i]
            nu[i] = (1 - beta2) * g[i] ** 2 + beta2 * nu[i]
            mu_hat, nu_hat = mu[i] / (1 - beta1**t), nu[i] / (1 - beta2**t)
            u[i] = _div(mu_hat, math.sqrt(nu_hat + 0.0) + eps) + weight_decay * w[i]
        param_norm = math.sqrt(w[0] ** 2 + w[1] ** 2)
        update_norm = math.sqrt(u[0] ** 2 + u[1] ** 2)
        ratio = 1.0 if param_norm == 0 or update_norm == 0 else param_norm / update_norm
        w = [w[i] + -lr * (u[i] * ratio) for i in range(2)]
        points.append(list(w))
    return points


def adafactor_reference(grad, w, steps, lr, eps, clip, eps2, decay):
    """optax.adafactor(learning_rate=lr, decay_rate=c, clipping_threshold=d, eps=ε₁,
    multiply_by_parameter_scale=True, momentum None, weight decay None) for a vector
    (not factored): decay_t = 1 − (count + 1)^−c; v ← decay_t v + (1 − decay_t)(g² + ε₁);
    u = g v^−½; u ← u / max(1, RMS(u) / d); u ← lr u; u ← u max(RMS(w), ε₂)
    (safe_root_mean_squares); w ← w + (−1) u."""
    w = [float(w[0]), float(w[1])]
    v = [0.0, 0.0]
    points = [list(w)]
    for count in range(steps):
        g = grad(w)
        decay_t = 1.0 - (count + 1.0) ** (-decay)
        u = [0.0, 0.0]
        for i in range(2):
            v[i] = decay_t * v[i] + (1.0 - decay_t) * (g[i] ** 2 + eps)
            u[i] = g[i] * v[i] ** -0.5 if v[i] > 0 else 0.0
        clip_denom = max(1.0, math.sqrt((u[0] ** 2 + u[1] ** 2) / 2) / clip)
        u = [u[i] / clip_denom for i in range(2)]
        u = [lr * u[i] for i in range(2)]
        rms = math.sqrt((w[0] ** 2 + w[1] ** 2) / 2)
        scale = eps2 if rms <= eps2 else rms
        w = [w[i] + -1 * (u[i] * scale) for i in range(2)]
        points.append(list(w))
    return points


def torch_adafactor_reference(grad, w, steps, lr, eps, clip, eps2, decay):
    """torch.optim.Adafactor(lr, beta2_decay=−decay, eps=(eps, eps2), d=clip) on a
    vector, _single_tensor_adafactor written out: step += 1; one_minus_beta2_t =
    step^beta2_decay; rho_t = min(lr, 1/step^0.5); alpha = max(eps2, ‖θ‖/√n) rho_t;
    variance.lerp_(g², one_minus_beta2_t); update = g · rsqrt(clamp(v, eps1²));
    denom = max(1, ‖update‖ / (√n d)); θ ← θ − (alpha / denom) update."""
    w = [float(w[0]), float(w[1])]
    variance = [0.0, 0.0]
    points = [list(w)]
    for step in range(1, steps + 1):
        g = grad(w)
        one_minus_beta2_t = float(step) ** -decay
        rho_t = min(lr, 1 / (float(step) ** 0.5))
        alpha = max(eps2, math.sqrt(w[0] ** 2 + w[1] ** 2) / 2**0.5) * rho_t
        update = [0.0, 0.0]
        for i in range(2):
            end, start = g[i] * g[i], variance[i]
            if one_minus_beta2_t < 0.5:  # torch.lerp, from the nearer end
                variance[i] = start + one_minus_beta2_t * (end - start)
            else:
                variance[i] = end - (end - start) * (1 - one_minus_beta2_t)
            update[i] = _div(g[i], math.sqrt(max(variance[i], eps * eps)))
        denom = max(1.0, math.sqrt(update[0] ** 2 + update[1] ** 2) / (2**0.5 * clip))
        w = [w[i] - alpha / denom * update[i] for i in range(2)]
        points.append(list(w))
    return points


def optax_rule_run(name, grad, w, steps, *, lr=None, beta1=None, beta2=None, beta3=None,
                   eps=None, weight_decay=None, mix=None, clip=None, eps2=None,
                   decay=None, **_):  # fmt: skip
    """The reference of ``name`` (one of ``OPTAX_RULES``), given the hyperparameters."""
    if name == "lion":
        return lion_reference(grad, w, steps, lr, beta1, beta2, weight_decay)
    if name == "adan":
        return adan_reference(grad, w, steps, lr, beta1, beta2, beta3, eps, weight_decay)
    if name == "ademamix":
        return ademamix_reference(grad, w, steps, lr, beta1, beta2, beta3, mix, eps,
                                  weight_decay)  # fmt: skip
    if name == "adopt":
        return adopt_reference(grad, w, steps, lr, beta1, beta2, eps)
    if name == "lamb":
        return lamb_reference(grad, w, steps, lr, beta1, beta2, eps, weight_decay)
    if name == "adafactor":
        return adafactor_reference(grad, w, steps, lr, eps, clip, eps2, decay)
    raise KeyError(name)


OPTAX_RULES = ("lion", "adan", "ademamix", "adopt", "lamb", "adafactor")
