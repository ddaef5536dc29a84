"""Plain-loop transcriptions (Python floats, one coordinate at a time) of the reference
implementations of Schedule-Free SGD and AdamW, Prodigy and Muon, for tests/reference.py's
reference_run and torch_reference_run. Each names the file and the commit it transcribes.
"""

import math

# facebookresearch/schedule_free @ 008357290775d286f850fc13328d99a63b9ba715:
# schedulefree/sgd_schedulefree.py (SGDScheduleFree.step) and
# schedulefree/adamw_schedulefree.py (AdamWScheduleFree.step), the non-foreach branches
SCHEDULE_FREE_COMMIT = "008357290775d286f850fc13328d99a63b9ba715"
# google-deepmind/optax @ 0dde2e607d57a4b728cea2ad5ce1657b9d7e335a: optax/contrib/_prodigy.py
OPTAX_PRODIGY_COMMIT = "0dde2e607d57a4b728cea2ad5ce1657b9d7e335a"
# konstmish/prodigy @ 009a7156779ae213c0bc13b4c2fe5a93fca00c15: prodigyopt/prodigy.py
PRODIGYOPT_COMMIT = "009a7156779ae213c0bc13b4c2fe5a93fca00c15"
# KellerJordan/Muon @ 00ba60d3a0d188993831f86e4d62597bb0e9b21c: muon.py (muon_update,
# zeropower_via_newtonschulz5, SingleDeviceMuon.step), in float64 (it casts to bfloat16)
MUON_COMMIT = "00ba60d3a0d188993831f86e4d62597bb0e9b21c"
# pytorch/pytorch @ 098e03f91de9384cc3afdf5c8b9a6bbc442bd66a: torch/optim/_muon.py, the
# algorithm its docstring documents (Muon.__doc__)
TORCH_MUON_COMMIT = "098e03f91de9384cc3afdf5c8b9a6bbc442bd66a"

NAMES = ("sf_sgd", "sf_adamw", "prodigy", "muon")


def _lerp(start, end, weight):
    """torch.lerp's formula: start + weight (end − start) for |weight| < 0.5, else
    end − (end − start)(1 − weight)."""
    if abs(weight) < 0.5:
        return start + weight * (end - start)
    return end - (end - start) * (1 - weight)


def schedule_free_reference(name, grad, w, steps, lr, beta1, beta2, eps, weight_decay,
                            warmup, lr_power):  # fmt: skip
    """SGDScheduleFree / AdamWScheduleFree (r = 0): p holds y, updated in place; after
    each step x is what ``eval()`` sets, y.lerp_(z, 1 − 1/β₁). Returns the x's."""
    y = [float(w[0]), float(w[1])]
    z = list(y)  # state['z'] = torch.clone(p.data)
    exp_avg_sq = [0.0, 0.0]
    k, weight_sum, lr_max, r = 0, 0.0, -1.0, 0.0
    points = [list(y)]
    for _ in range(steps):
        if k < warmup:
            sched = (k + 1) / warmup
        else:
            sched = 1.0
        if name == "sf_adamw":
            bias_correction2 = 1 - beta2 ** (k + 1)
            step_lr = lr * sched * math.sqrt(bias_correction2)
        else:
            step_lr = lr * sched
        lr_max = max(step_lr, lr_max)
        weight = ((k + 1) ** r) * (lr_max**lr_power)
        weight_sum = weight_sum + weight
        try:
            ckp1 = weight / weight_sum
        except ZeroDivisionError:
            ckp1 = 0
        g = grad(y)
        for i in range(2):
            if name == "sf_adamw":
                exp_avg_sq[i] = exp_avg_sq[i] * beta2 + (1 - beta2) * g[i] * g[i]
                denom = math.sqrt(exp_avg_sq[i]) + eps
                gi = g[i] / denom
            else:
                gi = g[i]
            if weight_decay != 0:
                gi = gi + weight_decay * y[i]
            y[i] = _lerp(y[i], z[i], ckp1)
            y[i] = y[i] + step_lr * (beta1 * (1 - ckp1) - 1) * gi
            z[i] = z[i] - step_lr * gi
        k = k + 1
        points.append([_lerp(y[i], z[i], 1 - 1 / beta1) for i in range(2)])
    return points


def optax_prodigy_reference(grad, w, steps, lr, beta1, beta2, beta3, eps, weight_decay, d0):
    """optax.contrib.prodigy's update_fn (estim_lr_coef = 1), then apply_updates."""
    params = [float(w[0]), float(w[1])]
    exp_avg, exp_avg_sq, grad_sum = [0.0, 0.0], [0.0, 0.0], [0.0, 0.0]
    params0 = list(params)
    estim_lr, numerator_weighted, count = d0, 0.0, 0
    points = [list(params)]
    for _ in range(steps):
        updates = grad(params)
        bc = ((1 - beta2 ** (count + 1)) ** 0.5) / (1 - beta1 ** (count + 1))
        dlr = estim_lr * lr * bc
        dg = [estim_lr * g for g in updates]
        numerator_acum = sum(updates[i] * (params0[i] - params[i]) for i in range(2))
        exp_avg = [beta1 * exp_avg[i] + (1 - beta1) * dg[i] for i in range(2)]
        exp_avg_sq = [beta2 * exp_avg_sq[i] + (1 - beta2) * dg[i] * dg[i] for i in range(2)]
        grad_sum = [beta3 * grad_sum[i] + dlr * dg[i] / d0 for i in range(2)]
        numerator_weighted = beta3 * numerator_weighted
        numerator_weighted += (estim_lr / d0) * dlr * numerator_acum
        denominator = sum(abs(s) for s in grad_sum)
        lr_estimate = 1.0 * numerator_weighted / denominator
        estim_lr = max(estim_lr, lr_estimate)
        p_update = [-weight_decay * dlr * params[i]
                    - dlr * exp_avg[i] / (math.sqrt(exp_avg_sq[i]) + estim_lr * eps)
                    for i in range(2)]  # fmt: skip
        params = [params[i] + p_update[i] for i in range(2)]
        count += 1
        points.append(list(params))
    return points


def prodigyopt_reference(grad, w, steps, lr, beta1, beta2, beta3, eps, weight_decay, d0):
    """prodigyopt's Prodigy.step with use_bias_correction=True (optax's form), its other
    options at their defaults (decouple, d_coef 1, growth_rate inf, no safeguard)."""
    p = [float(w[0]), float(w[1])]
    p0 = list(p)
    exp_avg, exp_avg_sq, s = [0.0, 0.0], [0.0, 0.0], [0.0, 0.0]
    d, d_max, d_numerator, k = d0, d0, 0.0, 0
    points = [list(p)]
    for _ in range(steps):
        grad_ = grad(p)
        bias_correction = ((1 - beta2 ** (k + 1)) ** 0.5) / (1 - beta1 ** (k + 1))
        dlr = d * lr * bias_correction
        d_numerator *= beta3
        d_numerator += (d / d0) * dlr * sum(grad_[i] * (p0[i] - p[i]) for i in range(2))
        for i in range(2):
            exp_avg[i] = exp_avg[i] * beta1 + grad_[i] * (d * (1 - beta1))
            exp_avg_sq[i] = exp_avg_sq[i] * beta2 + grad_[i] * grad_[i] * (d * d * (1 - beta2))
            s[i] = s[i] * beta3 + grad_[i] * ((d / d0) * dlr)
        d_denom = abs(s[0]) + abs(s[1])
        if d_denom == 0:
            points.append(list(p))
            k += 1  # (the reference returns before this: no step is taken)
            continue
        d_hat = 1.0 * d_numerator / d_denom
        if d == d0:
            d = max(d, d_hat)
        d_max = max(d_max, d_hat)
        d = min(d_max, d * float("inf"))
        for i in range(2):
            denom = math.sqrt(exp_avg_sq[i]) + d * eps
            if weight_decay != 0:
                p[i] = p[i] + p[i] * (-weight_decay * dlr)
            p[i] = p[i] + (-dlr) * exp_avg[i] / denom
        k += 1
        points.append(list(p))
    return points


NS_COEFFICIENTS = (3.4445, -4.7750, 2.0315)


def _newton_schulz_row(G, steps, normalize):
    """zeropower_via_newtonschulz5 on the 1 × 2 matrix [G]: rows ≤ columns, no transpose;
    X X^T is 1 × 1."""
    a, b, c = NS_COEFFICIENTS
    X = normalize(G)
    for _ in range(steps):
        A = X[0] * X[0] + X[1] * X[1]
        B = b * A + c * A * A
        X = [a * X[0] + B * X[0], a * X[1] + B * X[1]]
    return X


def muon_reference(grad, w, steps, lr, beta1, eps, weight_decay, ns_steps):
    """SingleDeviceMuon.step with muon_update(nesterov=True) on a 1 × 2 parameter (eps:
    the 1e-7 of X / (‖X‖ + 1e-7))."""
    p = [float(w[0]), float(w[1])]
    momentum = [0.0, 0.0]
    points = [list(p)]

    def normalize(X):
        norm = math.sqrt(X[0] * X[0] + X[1] * X[1])
        return [X[0] / (norm + eps), X[1] / (norm + eps)] if norm + eps else [0.0, 0.0]

    for _ in range(steps):
        g = grad(p)
        momentum = [_lerp(momentum[i], g[i], 1 - beta1) for i in range(2)]
        update = [_lerp(g[i], momentum[i], beta1) for i in range(2)]
        update = _newton_schulz_row(update, int(ns_steps), normalize)
        scale = max(1, 1 / 2) ** 0.5  # grad.size(-2) / grad.size(-1)
        update = [u * scale for u in update]
        p = [p[i] * (1 - lr * weight_decay) for i in range(2)]
        p = [p[i] + (-lr) * update[i] for i in range(2)]
        points.append(list(p))
    return points


def torch_muon_reference(grad, w, steps, lr, beta1, eps, weight_decay, ns_steps):
    """torch.optim.Muon's documented algorithm (nesterov=True, adjust_lr_fn None:
    "original"): B ← μB + g; B̃ = g + μB; O = NS(B̃; ε) (X / max(‖X‖, ε), the clamp of its
    code); θ ← θ − γλθ; γ ← γ √max(1, A/B); θ ← θ − γ O."""
    theta = [float(w[0]), float(w[1])]
    B = [0.0, 0.0]
    points = [list(theta)]

    def normalize(X):
        norm = max(math.sqrt(X[0] * X[0] + X[1] * X[1]), eps)
        return [X[0] / norm, X[1] / norm] if norm else [0.0, 0.0]

    for _ in range(steps):
        g = grad(theta)
        B = [beta1 * B[i] + g[i] for i in range(2)]
        B_tilde = [g[i] + beta1 * B[i] for i in range(2)]
        ortho = _newton_schulz_row(B_tilde, int(ns_steps), normalize)
        theta = [theta[i] - lr * weight_decay * theta[i] for i in range(2)]
        gamma = lr * math.sqrt(max(1, 1 / 2))
        theta = [theta[i] - gamma * ortho[i] for i in range(2)]
        points.append(list(theta))
    return points


def recent_reference(name, grad, w, steps, torch=False, *, lr=None, beta1=None, beta2=None,
                     eps=None, weight_decay=None, beta3=None, warmup=None, lr_power=None,
                     d0=None, ns_steps=None, **unused):  # fmt: skip
    """The reference run of ``name`` (one of NAMES); ``torch``: its pytorch convention."""
    if name in ("sf_sgd", "sf_adamw"):
        return schedule_free_reference(name, grad, w, steps, lr, beta1, beta2, eps,
                                       weight_decay, warmup, lr_power)  # fmt: skip
    if name == "prodigy":
        return optax_prodigy_reference(grad, w, steps, lr, beta1, beta2, beta3, eps,
                                       weight_decay, d0)  # fmt: skip
    if name == "muon":
        run = torch_muon_reference if torch else muon_reference
        return run(grad, w, steps, lr, beta1, eps, weight_decay, ns_steps)
    raise KeyError(name)
