"""What the network surface costs: a 64-16-10 tanh MLP on the digits (D = 1,210).

    python bench/network.py [--repeat 5]

Prints, best of ``--repeat``: the loss and gradient of one weight vector (an optimizer's
step over the full batch of 1,348 training examples), the loss of 2,601 vectors in one
call (a 51 × 51 plane), a gradient of 2,601 vectors, a Hessian-vector product and the
exact 1,210 × 1,210 Hessian. Each with BLAS's own threads and, where threadpoolctl is
installed (it comes with scikit-learn), with one thread: on a busy 2-core machine the
small products of one vector are much faster on one thread.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core import best_time  # noqa: E402  (bench/core.py's)

from surfaces import network  # noqa: E402


def _thread_settings():
    yield "BLAS default threads", contextlib.nullcontext
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return
    yield "BLAS 1 thread", lambda: threadpool_limits(limits=1, user_api="blas")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    net = network("digits", hidden=(16,))
    theta = net.init_params()
    plane = theta + 0.1 * np.random.default_rng(0).standard_normal((2601, net.D))
    v = np.random.default_rng(1).standard_normal(net.D)
    print(net.description)
    cases = {
        "loss + grad, 1 vector": (lambda: (net.loss(theta), net.grad(theta)), args.repeat * 20),
        "grad, 1 vector": (lambda: net.grad(theta), args.repeat * 20),
        "hvp, 1 vector": (lambda: net.hvp(theta, v), args.repeat * 20),
        "loss, 2,601 vectors": (lambda: net.loss(plane), args.repeat),
        "grad, 2,601 vectors": (lambda: net.grad(plane), max(1, args.repeat // 2)),
        f"hessian, {net.D} x {net.D}": (lambda: net.hessian(theta), max(1, args.repeat // 2)),
    }
    for label, limits in _thread_settings():
        print(f"\n{label}")
        with limits():
            for name, (call, repeat) in cases.items():
                seconds = best_time(call, repeat)
                shown = f"{seconds * 1e3:9.2f} ms" if seconds < 1 else f"{seconds:9.2f} s "
                print(f"  {name:<24} {shown}")
            step = best_time(lambda: net.grad(theta), args.repeat * 20)
            print(f"  -> 1,000 full-batch gradient steps ≈ {1000 * step:.2f} s")


if __name__ == "__main__":
    main()
