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
    noise: float = 0.0  # η of each worker's gradient noise (an analytic surface)
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
                 {"noise_eta": self.noise} if surface.data is None and self.noise else {})
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
        """The largest ρ the elastic schemes take: K α ρ below 1 (the center's step)."""
        return 1.0 / (self.workers * self.lr)


_DOWNPOUR = WorkersScene()
_EASGD = WorkersScene(scheme="easgd", surface="himmelblau", workers=4, steps=600, lr=0.01,
                      rho=0.5, starts="scattered", seed=1)  # fmt: skip
WORKERS_PRESETS: dict[str, WorkersScene] = {
    "Downpour: stale pushes diverge": replace(_DOWNPOUR, push=4, fetch=4),
    "Downpour: pushing every step": _DOWNPOUR,
    "Downpour: an AdaGrad server": replace(_DOWNPOUR, server="adagrad", lr=0.5),
    "EASGD: the workers explore, the center sits between": _EASGD,
    "EASGD: a strong pull keeps them together": replace(_EASGD, rho=20.0),
}
# Each caption's numbers are asserted by tests/test_workers_page.py.
WORKERS_CAPTIONS = {
    "Downpour: stale pushes diverge":
        "Eight workers, each on its own batches of 5 of the 40 points, at α 0.01. Each "
        "pushes 4 steps of gradients at once, taken at a copy up to 4 steps old: the "
        "server diverges at step 88. Pushing and fetching every step, the same α ends "
        "0.020 above the minimum (next preset).",
    "Downpour: pushing every step":
        "The same eight workers pushing and fetching every step: the server ends 0.020 "
        "above the minimum after 300 steps. Serial SGD with the same 2,400 gradients ends "
        "0.0022 above: per gradient, one process does better; workers that truly run in "
        "parallel would take 300 steps of time instead of 2,400.",
    "Downpour: an AdaGrad server":
        "Dean et al. ran Downpour with AdaGrad on the server. Pushing every step, α 0.5 "
        "ends 0.00018 above the minimum; AdaGrad's shrinking steps do not save stale "
        "pushes, though: every 4 steps it does not diverge within 300 steps but ends "
        "10,306 above (set push and fetch to 4).",
    "EASGD: the workers explore, the center sits between":
        "Four workers from scattered starts on Himmelblau, held by a weak elastic force "
        "(ρ 0.5): they end in two different basins, at (−2.78, 3.12) and (3.57, −1.80), "
        "f ≤ 0.045. The center, pulled among them, ends at (0.39, 0.66), where f is 142: "
        "a worse point than any worker's.",
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
    if scene.scheme != "downpour" and scene.rho >= scene.max_rho():
        fallback = d.rho if d.rho < scene.max_rho() else tidy(0.5 * scene.max_rho())
        read.warnings.append(
            f"rho = {scene.rho:g} in the link is not below 1/(K α) = {scene.max_rho():.4g} "
            f"(K = {scene.workers}, α = {scene.lr:g}: the center would overshoot the "
            f"workers' mean); using {fallback:g}."
        )
        scene.rho = fallback
    return scene, read.warnings


def _gap(surface, loss: float) -> str:
    """How far a loss is from the minimum, in words (f itself where none is known)."""
    if not math.isfinite(surface.min_value):
        return f"at f = {loss:.3g}"
    return f"{loss - surface.min_value:.3g} above the minimum"


def workers_summary(run: optim_core.WorkersRun, serial: optim_core.Trajectory) -> str:
    """What the table says, in a sentence: the server's (or center's) outcome against
    serial SGD with the same gradients, as measured."""
    who = "The server" if run.scheme == "downpour" else "The center"
    K, T = run.workers, run.steps
    if run.diverged:
        mine = f"{who} diverged at step {run.diverged_step} ({K * run.diverged_step:,} gradients)"
    elif run.converged_step >= 0:
        mine = (f"{who} converged at step {run.converged_step} "
                f"({K * run.converged_step:,} gradients)")  # fmt: skip
    else:
        mine = (f"After {T:,} steps ({K * T:,} gradients) {who.lower()} is "
                f"{_gap(run.surface, float(run.center_loss[-1]))}")  # fmt: skip
    n = serial.steps
    if bool(serial.diverged):
        theirs = f"serial SGD diverged at gradient {int(serial.diverged_step):,}"
    elif int(serial.converged_step) >= 0:
        theirs = f"serial SGD converged after {int(serial.converged_step):,} gradients"
    else:
        theirs = (f"serial SGD with the same {n:,} gradients ends "
                  f"{_gap(serial.surface, float(serial.final_loss))}")  # fmt: skip
    capped = (f" (serial SGD runs at most {n:,} steps)" if n < K * T else "")
    return f"{mine}; {theirs}{capped}."
