"""The workers page as plain data: its scene, presets and link."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace

import optim_core
import surfaces

from .race import DELAYS, Scene, read_start
from .shared import MAX_PAGE_STEPS, MAX_SEED, LinkReader, lr_range, tidy

WORKER_SCHEMES = {"downpour": "Downpour SGD (a parameter server)",
                  "easgd": "EASGD (elastic averaging)",
                  "eamsgd": "EAMSGD (elastic averaging, momentum)"}  # fmt: skip
SERVER_TITLES = {"sgd": "SGD", "adagrad": "AdaGrad"}
STARTS = {"one": "one start for all", "scattered": "scattered over the domain"}
MAX_RHO = 100.0
MAX_NOISE = 100.0
STALE_TAUS = tuple(t for t in DELAYS if t)  # the stale-gradient section's τ


@dataclass
class WorkersScene:
    """The workers page: one scheme with K simulated workers on one surface."""

    scheme: str = "downpour"
    surface: str = "linear_regression"
    workers: int = 8
    steps: int = 300
    lr: float = 0.01
    rho: float = 1.0  # EASGD, EAMSGD: the elastic force (a = α ρ)
    momentum: float = 0.9  # EAMSGD: δ
    push: int = 1  # Downpour: steps between a worker's pushes
    fetch: int = 1  # Downpour: steps between a worker's fetches
    server: str = "sgd"  # Downpour: the server's rule
    starts: str = "one"
    start: tuple[float, float] | None = None  # None: the surface's default start
    noise: float = 0.0  # each worker's gradient noise N(0, η I), constant (analytic surfaces)
    batch: int = 5  # each worker's batch size (a data surface; n: the full gradient)
    seed: int = 0
    tau: int = 2  # the stale-gradient section's delay

    def start_point(self) -> tuple[float, float]:
        return Scene(self.surface, start=self.start).start_point()

    def is_data(self) -> bool:
        return surfaces.get(self.surface).data is not None

    def run_args(self) -> dict:
        """run_workers' arguments for this scene (the surface by name)."""
        surface = surfaces.get(self.surface)
        start = (optim_core.workers.scattered(surface, self.workers, self.seed)
                 if self.starts == "scattered" else self.start_point())  # fmt: skip
        noisy = ({"batch_size": self.batch} if surface.data is not None and
                 self.batch < surface.data.n else
                 {"noise_eta": self.noise, "noise_gamma": 0.0}
                 if surface.data is None and self.noise else {})
        return dict(scheme=self.scheme, surface=self.surface, start=start, steps=self.steps,
                    workers=self.workers, lr=self.lr, rho=self.rho, momentum=self.momentum,
                    push=self.push, fetch=self.fetch, server=self.server, seed=self.seed,
                    **noisy)  # fmt: skip

    def same_run(self, other: WorkersScene) -> bool:
        """The same workers' run (the stale-gradient section's τ aside; a start left to
        the surface is its default start)."""
        def plain(scene):
            return replace(scene, tau=0, start=scene.start_point())
        return plain(self) == plain(other)

    def max_rho(self) -> float:
        """The largest ρ the elastic schemes take: K α ρ at most 1 (the center's step)."""
        return 1.0 / (self.workers * self.lr)


_DOWNPOUR = WorkersScene()
_STALE = replace(_DOWNPOUR, push=4, fetch=4)
_EASGD = WorkersScene(scheme="easgd", surface="himmelblau", workers=4, steps=600, lr=0.01,
                      rho=0.5, starts="scattered", seed=1)  # fmt: skip
WORKERS_PRESETS: dict[str, WorkersScene] = {
    "Downpour: stale pushes diverge": _STALE,
    "Downpour: pushing every step": _DOWNPOUR,
    "Downpour: an AdaGrad server": replace(_STALE, server="adagrad", lr=0.1),
    "EASGD: the workers explore, the center sits between": _EASGD,
    "EASGD: a strong pull keeps them together": replace(_EASGD, rho=20.0),
}
# Each caption's numbers are asserted by tests/test_workers_page.py.
WORKERS_CAPTIONS = {
    "Downpour: stale pushes diverge":
        "Eight workers, each on its own batches of 5 of the 40 points, at α 0.01. Each "
        "pushes 4 steps of gradients at once, computed on copies up to 5 server steps "
        "old: the server diverges at step 88. Pushing and fetching every step, the same "
        "α settles (the next preset).",
    "Downpour: pushing every step":
        "The same eight workers pushing and fetching every step: the server takes 8 "
        "pushes a step, SGD with a step of 8 α = 0.08 on the mean of 8 batch gradients. "
        "It settles: f − f* averages 0.031 over its last 30 steps. Serial SGD with the "
        "same 2,400 gradients averages 0.0048 over its last 240: per gradient, one "
        "process does better; workers truly in parallel would take 300 steps of time "
        "instead of 2,400.",
    "Downpour: an AdaGrad server":
        "Dean et al. ran Downpour with AdaGrad on the server. The first preset's stale "
        "pushes at α 0.1: AdaGrad's step α/√G shrinks as the squares of the pushes add "
        "up, and the server holds: f − f* averages 0.53 over its last 30 steps (serial "
        "AdaGrad with the same 2,400 gradients: 0.18). With an SGD server the same "
        "pushes diverge at step 8.",
    "EASGD: the workers explore, the center sits between":
        "Four workers from scattered starts on Himmelblau, held by a weak elastic force "
        "(ρ 0.5): each ends where it would alone (with ρ 0, the same basins), two "
        "different minima, at (−2.78, 3.12) and (3.57, −1.80), f ≤ 0.045. The center, "
        "their elastic average, ends between them at (0.39, 0.66), where f is 142: a "
        "worse point than any worker's.",
    "EASGD: a strong pull keeps them together":
        "The same four starts with ρ 20: the pull wins over the basins, and all four "
        "workers and the center reach the minimum at (3, 2); the center converges at "
        "step 26.",
}


def workers_to_query(scene: WorkersScene) -> dict[str, str]:
    x, y = scene.start_point()
    return {
        "scheme": scene.scheme, "surface": scene.surface, "k": str(scene.workers),
        "steps": str(scene.steps), "lr": repr(scene.lr), "rho": repr(scene.rho),
        "momentum": repr(scene.momentum), "push": str(scene.push),
        "fetch": str(scene.fetch), "server": scene.server, "starts": scene.starts,
        "start": f"{x!r},{y!r}", "noise": repr(scene.noise), "batch": str(scene.batch),
        "seed": str(scene.seed), "tau": str(scene.tau),
    }  # fmt: skip


def workers_from_query(params: Mapping[str, str]) -> tuple[WorkersScene, list[str]]:
    read, d = LinkReader(params), WorkersScene()
    surface = read.choice("surface", surfaces.names(), d.surface)
    start = read_start(read, surface)
    data = surfaces.get(surface).data
    scene = WorkersScene(
        scheme=read.choice("scheme", list(WORKER_SCHEMES), d.scheme),
        surface=surface,
        workers=read.number("k", 1, optim_core.workers.MAX_WORKERS, d.workers, integer=True),
        steps=read.number("steps", 1, MAX_PAGE_STEPS, d.steps, integer=True),
        lr=read.number("lr", *lr_range(), d.lr),
        rho=read.number("rho", 0.0, MAX_RHO, d.rho),
        momentum=read.number("momentum", 0.0, 0.99, d.momentum),
        push=read.number("push", 1, optim_core.workers.MAX_INTERVAL, d.push, integer=True),
        fetch=read.number("fetch", 1, optim_core.workers.MAX_INTERVAL, d.fetch, integer=True),
        server=read.choice("server", list(SERVER_TITLES), d.server),
        starts=read.choice("starts", list(STARTS), d.starts),
        start=start,
        noise=read.number("noise", 0.0, MAX_NOISE, d.noise),
        batch=read.number("batch", 1, data.n if data is not None else d.batch,
                          min(d.batch, data.n) if data is not None else d.batch,
                          integer=True),  # fmt: skip
        seed=read.number("seed", 0, MAX_SEED, d.seed, integer=True),
        tau=read.choice("tau", list(STALE_TAUS), d.tau),
    )
    if scene.scheme != "downpour" and scene.rho > scene.max_rho():
        fallback = d.rho if d.rho < scene.max_rho() else tidy(0.5 * scene.max_rho())
        read.warnings.append(
            f"rho = {scene.rho:g} in the link is above 1/(K α) = {scene.max_rho():.4g} "
            f"(K = {scene.workers}, α = {scene.lr:g}: the center would overshoot the "
            f"workers' mean); using {fallback:g}."
        )
        scene.rho = fallback
    return scene, read.warnings


def _gap(surface, loss: float) -> str:
    """How far a loss is from the minimum, in words (f itself where none is known)."""
    if not math.isfinite(surface.min_value):
        return f"f = {loss:.3g}"
    return f"f − f* = {loss - surface.min_value:.3g}"


def plural(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")


def workers_summary(run: optim_core.WorkersRun, serial: optim_core.Trajectory) -> str:
    """What the table says, in a sentence: the server's (or center's) outcome against
    the same gradients in one process, as measured. A noisy run (noise or batches) is
    judged by its mean over the last tenth of its steps, one step being luck."""
    who = "the server" if run.scheme == "downpour" else "the center"
    K, T = run.workers, run.steps
    noisy = run.params["noise_eta"] > 0 or run.params["batch_size"] is not None
    rule = optim_core.get_optimizer(serial.optimizer).title
    tail = optim_core.workers.tail_gap
    if run.diverged:
        k = run.extra.get("diverged_worker", -1)
        what = who if k < 0 else f"worker {k + 1}'s copy"
        mine = (f"The run diverged at step {run.diverged_step} "
                f"({plural(K * run.diverged_step, 'gradient')}): {what} left the box")
    elif run.converged_step >= 0:
        mine = (f"{who.capitalize()} converged at step {run.converged_step} "
                f"({plural(K * run.converged_step, 'gradient')})")  # fmt: skip
    elif noisy:
        last = max(1, (T + 1) // 10)
        mine = (f"After {plural(T, 'step')} ({plural(K * T, 'gradient')}) {who}'s f − f* "
                f"averages {tail(run.surface, run.center_loss):.3g} over its last "
                f"{plural(last, 'step')}")  # fmt: skip
    else:
        mine = (f"After {plural(T, 'step')} ({plural(K * T, 'gradient')}) {who} is at "
                f"{_gap(run.surface, float(run.center_loss[-1]))}")  # fmt: skip
    n = serial.steps
    if bool(serial.diverged):
        theirs = f"serial {rule} diverged at gradient {int(serial.diverged_step):,}"
    elif int(serial.converged_step) >= 0:
        theirs = f"serial {rule} converged after {plural(int(serial.converged_step), 'gradient')}"
    elif noisy:
        theirs = (f"serial {rule} with the same {plural(n, 'gradient')} averages "
                  f"{tail(serial.surface, serial.loss):.3g} over its last "
                  f"{plural(max(1, (n + 1) // 10), 'gradient')}")  # fmt: skip
    else:
        theirs = (f"serial {rule} with the same {plural(n, 'gradient')} ends at "
                  f"{_gap(serial.surface, float(serial.final_loss))}")  # fmt: skip
    capped = f" (serial {rule} runs at most {n:,} steps)" if n < K * T else ""
    return f"{mine}; {theirs}{capped}."
