"""Plain-loop transcriptions of Sophia, Shampoo and SOAP's reference code, written
independently of optim_core: Python floats, one coordinate at a time, the 2 × 2
matrices as nested lists, their eigenvectors and QR in closed form (no NumPy in the
update).

* Sophia: google-deepmind/optax, optax/contrib/_sophia.py at commit
  16f05fd293ab82164977b87560defeea450315d9 (``scale_by_sophia``, then
  ``add_decayed_weights``, then ``scale_by_learning_rate``), its
  ``hessian_diagonal_fn`` replaced by the surface's exact diag ∇²f.
* Shampoo: Gupta, Koren & Singer (2018), arXiv:1802.09568, Algorithm 2 with k = 1
  (one statistic H = εI + Σ g gᵀ, exponent −1/(2k) = −1/2).
* SOAP: google-deepmind/optax, optax/contrib/_soap.py at commit
  2bb6a227f637390bea12ae3b5fc80afb74db7d76 (``scale_by_soap`` with
  ``precondition_1d=True``, ``shampoo_beta=-1``), which is nikhilvyas/SOAP soap.py at
  commit f42d296cb4146a67fbe811371e6badb9a39cc54d step for step but for the weight
  decay's order (the authors decay the point after the step; at λ = 0 they agree).
"""

from __future__ import annotations

import math

GAMMA = 0.01  # optax's sophia ``gamma``


def _eigen(a):
    """The eigenpairs of a symmetric 2 × 2 matrix [[p, r], [r, d]], the largest
    eigenvalue first, each vector of unit length."""
    (p, r), (_, d) = a
    if r == 0:  # diagonal: the axes
        pairs = [(p, [1.0, 0.0]), (d, [0.0, 1.0])]
        return sorted(pairs, key=lambda pair: -pair[0])
    mean, radius = (p + d) / 2, math.hypot((p - d) / 2, r)
    pairs = []
    for lam in (mean + radius, mean - radius):
        # (A − λI) x = 0: x ∝ (r, λ − p), or (λ − d, r); take the longer for accuracy
        x = [r, lam - p] if abs(lam - p) >= abs(lam - d) else [lam - d, r]
        n = math.hypot(*x)
        pairs.append((lam, [x[0] / n, x[1] / n]))
    return pairs


def _inverse_root_times(a, g):
    """A^(−1/2) g = Σ λᵢ^(−1/2) (vᵢ·g) vᵢ over A's eigenpairs."""
    out = [0.0, 0.0]
    for lam, v in _eigen(a):
        k = (v[0] * g[0] + v[1] * g[1]) / math.sqrt(lam)
        out = [out[0] + k * v[0], out[1] + k * v[1]]
    return out


def _columns(q):
    """The two columns of a 2 × 2 matrix (nested lists, rows)."""
    return [[q[0][0], q[1][0]], [q[0][1], q[1][1]]]


def _from_columns(c0, c1):
    return [[c0[0], c1[0]], [c0[1], c1[1]]]


def _times(q, x):
    """q x."""
    return [q[0][0] * x[0] + q[0][1] * x[1], q[1][0] * x[0] + q[1][1] * x[1]]


def _transposed_times(q, x):
    """qᵀ x."""
    return [q[0][0] * x[0] + q[1][0] * x[1], q[0][1] * x[0] + q[1][1] * x[1]]


def _qr_q(a):
    """The Q of a = QR for a 2 × 2 matrix: Q's first column a's first over its length,
    the second the unit vector at a right angle to it (Householder's Q, LAPACK's, up to
    the columns' signs, which SOAP's step does not see)."""
    c0 = _columns(a)[0]
    n = math.hypot(*c0)
    q0 = [c0[0] / n, c0[1] / n]
    return _from_columns(q0, [-q0[1], q0[0]])


def sophia_reference(grad, hessian, w, steps, lr, beta1, beta2, eps, weight_decay, clip,
                     every):  # fmt: skip
    w = [float(w[0]), float(w[1])]
    mu, nu = [0.0, 0.0], [0.0, 0.0]
    count = 0
    points = [list(w)]
    for _ in range(steps):
        g = grad(w)
        count_inc = count + 1
        updates = [0.0, 0.0]
        for i in range(2):
            mu[i] = (1 - beta1) * g[i] + beta1 * mu[i]  # update_moment(g, mu, b1, 1)
            mu_hat = mu[i] / (1 - beta1**count_inc)  # bias_correction
            u = mu_hat / max(GAMMA * nu[i], eps)
            updates[i] = min(max(u, -clip), clip)  # jnp.clip
        if count % every == 0:  # the Hessian's diagonal, at the params of this step
            h = hessian(w)
            for i in range(2):
                nu[i] = (1 - beta2) * h[i][i] + beta2 * nu[i]
        for i in range(2):
            updates[i] = updates[i] + weight_decay * w[i]  # add_decayed_weights
            w[i] = w[i] + (-lr) * updates[i]  # scale_by_learning_rate, apply_updates
        count = count_inc
        points.append(list(w))
    return points


def shampoo_reference(grad, w, steps, lr, eps):
    w = [float(w[0]), float(w[1])]
    H = [[eps, 0.0], [0.0, eps]]  # H₀ = εI
    points = [list(w)]
    for _ in range(steps):
        g = grad(w)
        H = [[H[i][j] + g[i] * g[j] for j in range(2)] for i in range(2)]
        step = _inverse_root_times(H, g)
        w = [w[0] - lr * step[0], w[1] - lr * step[1]]
        points.append(list(w))
    return points


def soap_reference(grad, w, steps, lr, beta1, beta2, eps, weight_decay, every):
    w = [float(w[0]), float(w[1])]
    exp_avg, exp_avg_sq = [0.0, 0.0], [0.0, 0.0]
    gg = [[0.0, 0.0], [0.0, 0.0]]
    q = None
    shampoo_beta = beta2  # shampoo_beta = −1 < 0: b2
    count = 0
    points = [list(w)]
    for _ in range(steps):
        g = grad(w)
        count = count + 1
        # _update_preconditioner: _lerp(gg, outer(g, g), 1 − shampoo_beta)
        new_gg = [[gg[i][j] + (1 - shampoo_beta) * (g[i] * g[j] - gg[i][j]) for j in range(2)]
                  for i in range(2)]  # fmt: skip
        if count == 1:  # _init_step: Q from eigh, largest first; the updates are zeros
            gg = new_gg
            jittered = [[gg[0][0] + 1e-30, gg[0][1]], [gg[1][0], gg[1][1] + 1e-30]]
            (_, v0), (_, v1) = _eigen(jittered)
            q = _from_columns(v0, v1)
            updates = [0.0, 0.0]
        else:
            grad_projected = _transposed_times(q, g)
            for i in range(2):
                exp_avg[i] = (1 - beta1) * grad_projected[i] + beta1 * exp_avg[i]
                exp_avg_sq[i] = (1 - beta2) * grad_projected[i] ** 2 + beta2 * exp_avg_sq[i]
            effective_step = count - 1
            bias_correction = math.sqrt(1 - beta2**effective_step) / (1 - beta1**effective_step)
            ratio = [exp_avg[i] / (math.sqrt(exp_avg_sq[i]) + eps) for i in range(2)]
            back = _times(q, ratio)
            updates = [back[0] * bias_correction, back[1] * bias_correction]
            gg = new_gg
            if effective_step % every == 0:  # _refresh_preconditioner
                cols = _columns(q)
                est_eig = []
                for c in cols:
                    mc = _times(gg, c)
                    est_eig.append(c[0] * mc[0] + c[1] * mc[1])
                order = [0, 1] if est_eig[0] >= est_eig[1] else [1, 0]
                if est_eig[0] == est_eig[1]:
                    order = [1, 0]  # jnp.argsort(...)[::-1] on a tie
                sorted_sq = [exp_avg_sq[order[0]], exp_avg_sq[order[1]]]
                power = _from_columns(_times(gg, cols[order[0]]), _times(gg, cols[order[1]]))
                new_q = _qr_q(power)
                exp_avg = _transposed_times(new_q, _times(q, exp_avg))
                exp_avg_sq = sorted_sq
                q = new_q
        for i in range(2):
            updates[i] = updates[i] + weight_decay * w[i]
            w[i] = w[i] + (-lr) * updates[i]
        points.append(list(w))
    return points


NAMES = ("sophia", "shampoo", "soap")


def curvature_reference_run(name, grad, w, steps, lr=None, beta1=None, beta2=None, eps=None,
                            weight_decay=None, clip=None, every=None, hessian=None,
                            **unused):  # fmt: skip
    """[w_0, ..., w_steps] for Sophia, Shampoo or SOAP (``every`` a whole number)."""
    if name == "sophia":
        return sophia_reference(grad, hessian, w, steps, lr, beta1, beta2, eps, weight_decay,
                                clip, int(every))  # fmt: skip
    if name == "shampoo":
        return shampoo_reference(grad, w, steps, lr, eps)
    if name == "soap":
        return soap_reference(grad, w, steps, lr, beta1, beta2, eps, weight_decay, int(every))
    raise KeyError(name)
