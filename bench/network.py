"""What the network surface costs: a 64-16-10 tanh MLP on the digits (D = 1,210).

    python bench/network.py [--repeat 5] [--steps 1000]

Prints, best of ``--repeat``: the loss and gradient of one weight vector (an optimizer's
step over the full batch of 1,348 training examples), the loss of 2,601 vectors in one
call (a 51 × 51 plane), a gradient of 2,601 vectors, a Hessian-vector product and the
exact 1,210 × 1,210 Hessian. Each with BLAS's own threads and, where threadpoolctl is
installed (it comes with scikit-learn), with one thread: on a busy 2-core machine the
small products of one vector are much faster on one thread.

Then what the Real network page waits for, on one BLAS thread as the page runs it:
training ``--steps`` full-batch steps per optimizer (``optim_core.run``, every point
kept), against the same number of bare gradient evaluations measured in the same run
(the ratio is the runner's and the update rule's share); the 51 × 51 plane of each kind
(directions, the grid of 2,601 nets, the projections); the sharpness at one point.

``--alphas``: instead, the coarse sweep behind the page's starting α
(scenes.NETWORK_LR): for each optimizer with an α, 300 full-batch steps on the default
digits net at every α of the page's slider from 10⁻³ to 10 (optim_core.sweep: one batch
of settings), the α with the lowest final training loss among those whose loss never
rose above its start (none diverged), beside the page's.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core import best_time  # noqa: E402  (bench/core.py's)

import optim_core  # noqa: E402
import scenes  # noqa: E402
from surfaces import network  # noqa: E402

PAGE_OPTIMIZERS = ("sgd", "momentum", "nag", "adagrad", "rmsprop", "adadelta", "adam",
                   "adamax", "nadam", "amsgrad", "lbfgs", "cg", "sgd_armijo")  # fmt: skip


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
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--alphas", action="store_true", help="the sweep behind NETWORK_LR")
    args = parser.parse_args()
    if args.alphas:
        alphas()
        return
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
    page(args)


def alphas() -> None:
    from threadpoolctl import threadpool_limits

    from app_pages import network_work as work

    scene = scenes.NetworkScene()
    net = work.network_of(scene)
    values = np.array([v for v in scenes.SLIDER_VALUES["lr"] if 1e-3 <= v <= 10])
    print(f"300 full-batch steps on {net.title}, α over {len(values)} slider values "
          f"{values[0]:g}…{values[-1]:g}: the best final loss (no divergence)")
    for name in optim_core.optimizer_names():
        opt = optim_core.get_optimizer(name)
        if "lr" not in opt.hyperparams or optim_core.unavailable(name, net) or name in (
                "bfgs", "newton", "saddle_free_newton"):  # fmt: skip
            continue
        with threadpool_limits(1, user_api="blas"):
            result = optim_core.sweep(name, net, net.init_params(), 300, {"lr": values})
        ok = (result.diverged_step < 0) & np.isfinite(result.final_loss)
        best = int(np.argmin(np.where(ok, result.final_loss, np.inf)))
        page = scenes.default_lr(name)
        at_page = float(result.final_loss[np.argmin(np.abs(values - page))])
        print(f"  {opt.title:<16} best α {values[best]:<6g} loss {result.final_loss[best]:.3g}"
              f"   page's α {page:<6g} loss {at_page:.3g}")


def page(args) -> None:
    from threadpoolctl import threadpool_limits

    from app_pages import network_work as work

    steps = args.steps
    scene = scenes.NetworkScene(steps=steps, optimizers=PAGE_OPTIMIZERS, resolution=51)
    net = work.network_of(scene)
    theta = net.init_params()
    with threadpool_limits(1, user_api="blas"):
        bare = best_time(lambda: [net.grad(theta) for _ in range(steps)], 1)
    print(f"\nThe Real network page (one BLAS thread): {steps:,} full-batch steps from the "
          f"page's initialization, best of {args.repeat}; bare: {steps:,} gradients "
          f"{bare:.2f} s (goal: each optimizer <= 1 s)")
    runs = {}
    for name in PAGE_OPTIMIZERS:
        seconds = best_time(lambda name=name: runs.__setitem__(name, work.train(scene, name)),
                            args.repeat)  # fmt: skip
        run = runs[name]
        print(f"  {optim_core.get_optimizer(name).title:<15} {seconds:6.2f} s  "
              f"{seconds / bare:5.2f}x bare   loss {float(run.final_loss):.3g}, "
              f"held out {net.accuracy(run.final_point):.1%}")
    print(f"The plane, 51 x 51 = 2,601 nets, through Adam's end (goal <= 2 s), best of "
          f"{args.repeat}")
    for kind in scenes.PLANE_KINDS:
        plane_scene = scenes.NetworkScene(steps=steps, optimizers=PAGE_OPTIMIZERS,
                                          resolution=51, plane=kind)  # fmt: skip
        seconds = best_time(lambda s=plane_scene: work.lay_plane(s, runs), args.repeat)
        print(f"  {kind:<8} {seconds:6.2f} s")
    seconds = best_time(lambda: work.sharpness_of(scene, runs["adam"].final_point), args.repeat)
    print(f"Sharpness at Adam's end (Lanczos λ₁ + a 100-vector Hutchinson trace): {seconds:.2f} s")


if __name__ == "__main__":
    main()
