"""The race's presets: one-click scenes, each with a caption checked in numbers, and
the notes on the two conventions."""

from __future__ import annotations

from collections.abc import Sequence

from .race import (
    Scene,
)

# ---------------------------------------------------------------- presets


def _preset(surface, optimizers, start, steps, hyper=None, **kw) -> Scene:
    return Scene(surface, tuple(optimizers), start, steps, hyper or {}, **kw)


PRESETS: dict[str, Scene] = {
    "Beale: momentum overshoots": _preset(
        "beale", ["sgd", "momentum", "nag"], (1.0, 1.4), 400,
        {"sgd": {"lr": 0.01}, "momentum": {"lr": 0.05, "beta1": 0.95},
         "nag": {"lr": 0.05, "beta1": 0.95}},
    ),
    "Saddle: who escapes first": _preset(
        "saddle", ["sgd", "momentum", "nag", "rmsprop", "adam", "adagrad"], (-1.5, 1e-6), 300,
        {name: {"lr": 0.05} for name in ["sgd", "momentum", "nag", "rmsprop", "adam", "adagrad"]},
    ),
    "Rosenbrock: momentum takes a 10× larger α": _preset(
        "rosenbrock", ["sgd", "momentum", "nag"], (-1.5, 2.0), 1000,
        {"sgd": {"lr": 1e-3}, "momentum": {"lr": 1e-2}, "nag": {"lr": 1e-2}},
    ),
    "Rosenbrock: Adam against BFGS": _preset(
        "rosenbrock", ["adam", "bfgs"], (-1.2, 1.0), 1500, {"adam": {"lr": 0.05}},
    ),
    "Ravine: SGD zig-zags, Nesterov glides": _preset(
        "ravine", ["sgd", "nag"], (-9.0, 1.0), 200,
        {"sgd": {"lr": 0.195}, "nag": {"lr": 0.5, "beta1": 0.9}},
    ),
    "AdaGrad's shrinking steps": _preset(
        "booth", ["adagrad", "rmsprop", "adam"], (-8.0, 8.0), 300,
        {name: {"lr": 0.1} for name in ["adagrad", "rmsprop", "adam"]},
    ),
    "Newton falls into the saddle": _preset(
        "saddle", ["newton", "saddle_free_newton"], (-1.5, 0.01), 40,
        {"newton": {"lr": 0.5}, "saddle_free_newton": {"lr": 0.5, "eps": 1e-3}},
    ),
    "Second order at a saddle: who settles?": _preset(
        "himmelblau", ["newton", "saddle_free_newton", "bfgs", "cg"], (0.0, 3.5), 40,
        {"newton": {"lr": 1.0}, "saddle_free_newton": {"lr": 1.0, "eps": 1e-3}},
    ),
    "Noise knocks them off the saddle": _preset(
        "saddle", ["sgd", "momentum", "adam"], (-1.5, 0.0), 300,
        {name: {"lr": 0.05} for name in ["sgd", "momentum", "adam"]}, noise_eta=0.01,
    ),
    "One example a step: SGD's zig-zag is real": _preset(
        "linear_regression", ["sgd", "momentum"], (-1.0, 2.5), 300,
        {"sgd": {"lr": 0.02}, "momentum": {"lr": 0.02, "beta1": 0.9}}, batch_size=1,
    ),
    "Early stopping: the validation loss turns": _preset(
        "linear_regression(n=20.0,seed=37.0,val=0.5)", ["sgd", "adam"], (-0.5, 1.5), 300,
        {"sgd": {"lr": 0.02}, "adam": {"lr": 0.05}}, stop_patience=20,
    ),
    "Sorted batches: SGD swings class to class": _preset(
        "logistic_regression", ["sgd"], (-2.0, 4.0), 200, {"sgd": {"lr": 1.0}}, batch_size=5,
        order="sorted",
    ),
    "Cut α on a plateau of the validation loss": _preset(
        "logistic_regression(val=0.25)", ["sgd", "momentum"], (-2.0, 4.0), 300,
        {"sgd": {"lr": 2.0}, "momentum": {"lr": 2.0, "beta1": 0.9}}, batch_size=5,
        schedules={"sgd": {"name": "plateau", "factor": 0.5, "patience": 10,
                           "threshold": 1e-4, "cooldown": 0, "monitor": "validation",
                           "warmup_steps": 0}},
    ),
    "Standardize: the ravine turns round": _preset(
        "linear_regression(standardize=1.0)", ["sgd", "momentum", "adam"], None, 300,
        {name: {"lr": 0.1} for name in ["sgd", "momentum", "adam"]},
    ),
    "The turned quadratic: Shampoo and SOAP turn with it": _preset(
        "quadratic(angle=45.0,kappa=100.0)", ["adam", "soap", "adagrad", "shampoo"],
        (-4.0, 1.0), 300,
        {"adam": {"lr": 0.1}, "soap": {"lr": 0.1}, "adagrad": {"lr": 1.0},
         "shampoo": {"lr": 1.0}},
    ),
}  # fmt: skip

_EMA_NOTE = (
    "Momentum and NAG follow the cheat sheet's EMA form: at one α their steps are as long "
    "as SGD's, where PyTorch's form would take 1/(1 − β₁) = 10× longer ones."
)
_AMSGRAD_NOTE = (
    "AMSGrad, without bias correction, takes first steps 3.2–6.6 α long (Adam's are α)."
)


def convention_note(optimizers: Sequence[str]) -> str:
    """What "the same α" means for these optimizers under the cheat sheet's
    conventions ("" where nothing needs saying)."""
    notes = []
    if {"momentum", "nag"} & set(optimizers):
        notes.append(_EMA_NOTE)
    if "amsgrad" in optimizers:
        notes.append(_AMSGRAD_NOTE)
    return " ".join(notes)


# What each preset shows, in words: the page shows it while the preset's values are
# on screen, and tests/test_scenes.py asserts each number with the core.
# What to watch, in one line under each preset's button (the numbers are in its note,
# shown with the race; both asserted in tests/test_scenes.py).
PRESET_CAPTIONS: dict[str, str] = {
    "The turned quadratic: Shampoo and SOAP turn with it": "Turned 45°, Adam and AdaGrad "
    "stall (f 0.88, 0.35); SOAP and Shampoo follow the paths they take on the unturned bowl.",
    "Early stopping: the validation loss turns": "Ten points fitted, ten held out: the "
    "training loss falls on while the validation loss turns; early stopping keeps the turn.",
    "Sorted batches: SGD swings class to class": "Batches sorted by class: every epoch SGD's "
    "path sways twice as far as reshuffled and its loss rises 3 times as high.",
    "Cut α on a plateau of the validation loss": "SGD's α is halved whenever the "
    "validation loss stalls, and it freezes near the minimum; Momentum keeps swaying.",
    "Standardize: the ravine turns round": "With x standardized the slope–intercept "
    "ravine (κ 32.4) becomes a round bowl (κ 1): SGD converges at step 31, not 140.",
    "Noise knocks them off the saddle": "Started on the saddle's stable line, every one "
    "walks into it; gradient noise knocks them off and down the way out.",
    "One example a step: SGD's zig-zag is real": "Each step sees one data point: the "
    "loss over all of them goes up and down; momentum averages the batches out.",
    "Newton falls into the saddle": "Newton heads for the flat point, saddle or not, and "
    "stays; saddle-free Newton flips the downhill curvature and leaves.",
    "Beale: momentum overshoots": "Momentum and NAG run past the minimum and swing back; "
    "SGD creeps up from one side and never passes it.",
    "Saddle: who escapes first": "SGD, Momentum and NAG slide into the saddle and leave "
    "late; RMSprop, Adam and AdaGrad head downhill at once.",
    "Rosenbrock: momentum takes a 10× larger α": "SGD must take a small α or diverge; "
    "Momentum and NAG, at ten times it, follow the curved valley to the minimum.",
    "Ravine: SGD zig-zags, Nesterov glides": "SGD bounces from wall to wall; NAG swings "
    "across once and glides along the floor.",
    "AdaGrad's shrinking steps": "AdaGrad's steps only shrink; RMSprop and Adam forget "
    "old gradients and keep going.",
    "Rosenbrock: Adam against BFGS": "BFGS is at (1, 1) by step 32, 39 gradients in all; "
    "Adam (α 0.05) needs 1,458 steps, one gradient each.",
    "Second order at a saddle: who settles?": "Newton settles in the saddle; saddle-free "
    "Newton, BFGS and CG pass it: \u201cdon't settle\u201d holds for them, not for Newton.",
}

PRESET_NOTES: dict[str, str] = {
    "The turned quadratic: Shampoo and SOAP turn with it": (
        "The ill-conditioned bowl (κ 100) turned by 45°, from (−4, 1), 300 steps. Adam and "
        "SOAP at α 0.1 (SOAP is Adam in the eigenbasis of its average g gᵀ), AdaGrad and "
        "Shampoo at α 1 (Shampoo on a vector is AdaGrad with the whole matrix Σ g gᵀ). "
        "Adam ends at f = 0.88, 1.3 from the minimum, AdaGrad at 0.35: both scale x and y "
        "apart, and the valley runs along neither. SOAP ends at f = 0.0013 and Shampoo at "
        "10⁻⁵⁰ (below 10⁻⁶ from step 49) — each the same, step for step up to rounding, as "
        "on the unturned bowl from the same point relative to its axes, (−2.12, 3.54): "
        "they turn with it. "
        "Unturned, Adam and AdaGrad do better still (f 1.8·10⁻¹¹ and 4·10⁻⁵¹, below 10⁻⁶ "
        "from steps 168 and 49): the turn is what stops them, and what SOAP and Shampoo "
        "gain is not minding it, not speed on a bowl that lies along the axes."
    ),
    "Early stopping: the validation loss turns": (
        "A line fitted to 10 of 20 points (seed 37), the other 10 held out. SGD (α 0.02) "
        "reaches its lowest validation loss, 0.416, at step 58, where its training loss is "
        "1.480; it runs on to a training loss of 0.200 while the validation loss climbs to "
        "1.478. Early stopping with patience 20 stops it at step 78 and keeps step 58. Adam "
        "(α 0.05) turns at step 47 (0.349) and ends at 1.63. The line that fits the 10 "
        "training points best fits the held-out 10 worse than one on the way to it."
    ),
    "Sorted batches: SGD swings class to class": (
        "40 points of two classes in batches of 5, sorted by class (then by x₁) every "
        "epoch, SGD at α 1. Over its last epoch (8 steps) the path sways 0.46 from its "
        "mean point, 2.2 times the 0.21 of the same SGD reshuffled; it stays 0.27 from the "
        "minimum of all the data on average (reshuffled: 0.15), and f − f* rises to 0.015 "
        "every epoch (reshuffled: 0.005). The loss curve's teeth are one epoch apart. The "
        "order table below has every order."
    ),
    "Cut α on a plateau of the validation loss": (
        "30 points in batches of 5, 10 held out; SGD and Momentum (β₁ 0.9) both at α 2. "
        "SGD's α follows ReduceLROnPlateau on the validation loss (factor 0.5, patience "
        "10). That loss, over 10 points, last improves at step 5, so α is halved at step 17 "
        "and every 11 steps after; by step 100 it is 0.0078 and SGD hardly moves: it ends "
        "0.027 from the minimum of the training loss, frozen where it was swaying (the rule "
        "never raises α again). Momentum at a constant α still sways 0.058 over its last "
        "epoch and ends 0.17 from it. The α chart below shows the cuts."
    ),
    "Standardize: the ravine turns round": (
        "A line fitted to 40 points, x replaced by (x − mean)/std. On the raw x (all "
        "between 0 and 4) slope and intercept trade off: the Hessian's eigenvalues at the "
        "minimum are 0.423 and 13.7, κ = 32.4, a long tilted ravine; standardized it is 2I, "
        "κ = 1, a round bowl. One α (0.1) for all, each landscape from its own default "
        "start (both under “Before and after standardizing”): SGD's distance along the "
        "ravine's floor shrinks by 1 − α λ_min = 0.958 a step on the raw x, by 0.8 on the "
        "standardized, and it converges at step 140 raw, 31 standardized (4.5× fewer). "
        "Momentum (β₁ 0.9) and Adam gain less: 120 → 105 and 165 → 124."
    ),
    "Noise knocks them off the saddle": (
        "From (−1.5, 0), exactly on the stable line of x² − y², the gradient has no y part: "
        "without noise (set η to 0) SGD, Momentum and Adam all walk into the saddle and are "
        "still within 10⁻⁶ of it after 300 steps. With gradient noise η = 0.01 (seed 0) "
        "SGD escapes at step 62 and Momentum at step 97; Adam, which divides each "
        "coordinate by its own gradient scale, turns the noise's tiny push in y into "
        "α-sized steps and never comes within r = 1 of the saddle (closest 1.06): it "
        "leaves the view at step 36. Another seed (New draw) gives other steps, not "
        "another story."
    ),
    "One example a step: SGD's zig-zag is real": (
        "A line fitted to 40 points, one point a step (batch size 1, reshuffled each "
        "epoch), α 0.02. The loss over all 40 points goes up at 148 of SGD's 300 steps, "
        "and its path is 33.6 long, 7 times the 4.8 of the same SGD on the full gradient "
        "(batch size 40), which only goes down. Momentum (β₁ 0.9) averages about ten "
        "steps' gradients: a path of 10.8, up at 124 steps. After 300 steps SGD is 0.37 "
        "and Momentum 0.36 from the minimum, about as far as on the full gradient (0.32 "
        "and 0.28): all four are still coming down the valley; one point a step gets as "
        "far, by a longer, shakier way."
    ),
    "Newton falls into the saddle": (
        "On x² − y² the Hessian is diag(2, −2): Newton's step −α H⁻¹g points at the saddle "
        "in both directions. At α 0.5 it halves its distance every step: within 0.01 at "
        "step 8, 1.4e-12 away at step 40, never escaping. Saddle-free Newton uses "
        "|H| = 2I (ε 1e-3): it halves x the same way but multiplies y by 1.5 each step; "
        "from 0.01 off the axis it comes no closer than 0.089 (step 5), is farther than "
        "r = 1 at step 12 and leaves the view at step 14."
    ),
    "Beale: momentum overshoots": (
        "Momentum (α 0.05, β₁ 0.95) reaches x = 3.73, past the minimum at (3, 0.5), and "
        "after first coming within 0.3 of it swings back out to 0.73 before it settles "
        "(converged at step 237); NAG at the same values overshoots further, to x = 3.97, "
        "swings back out to 0.98 and is still 0.072 away after 400 steps; SGD (α 0.01) "
        "never passes x = 3 and is still 0.13 away."
    ),
    "Saddle: who escapes first": (
        "One α (0.05) for all, starting 10⁻⁶ off the saddle's stable line: SGD, Momentum "
        "and NAG spend 95, 145 and 138 steps within 0.1 of the saddle and escape at "
        "steps 145, 226 and 216. RMSprop, Adam and AdaGrad never come within r = 1 of it "
        "(closest 1.11, 1.06 and 1.26): they head down the slope at once, more than 1 "
        "off the stable line by steps 10, 20 and 58, and leave the view at steps 23, 36 "
        "and 210. " + _EMA_NOTE
    ),
    "Rosenbrock: momentum takes a 10× larger α": (
        "SGD needs a small α here: at 0.003 it diverges within 4 steps, at 0.002 it "
        "bounces across the valley (and lands near the minimum by a lucky jump at step "
        "21), and at a safe 0.001 it is still at x = −0.66 after 1,000 steps. Momentum "
        "and NAG stay stable at α 0.01 — they zig-zag early on (NAG's f jumps from 12.5 to "
        "139) but never diverge — and get within 0.1 of the minimum (1, 1) at steps 584 "
        "and 311. (At SGD's α of 0.001, Momentum ends near SGD: x = −0.67.)"
    ),
    "Ravine: SGD zig-zags, Nesterov glides": (
        "A ravine curved 100 times more across than along (drawn to scale). SGD at α 0.195, "
        "just under its stability limit across the valley, swings from one side to the "
        "other 89 times (counting swings with |y| > 0.01 on both sides; zig-zagging until "
        "step 89, Σ|Δy| = 39) and never gets within 0.1 of the minimum; NAG (α 0.5, "
        "β₁ 0.9) makes one such swing and glides along the floor, within 0.1 at step 50."
    ),
    "Rosenbrock: Adam against BFGS": (
        "From the classic start (−1.2, 1). BFGS (a strong Wolfe line search along −H∇f, H "
        "built from the steps it takes) is within 0.01 of the minimum (1, 1) from step 32 "
        "on and within 10⁻⁶ at step 34; up to step 32 its line searches evaluated f 46 "
        "times and ∇f 39 times (one BFGS step may cost several). Adam at α 0.05, one "
        "gradient a step, is within 0.01 from step 1,458 on: 1,458 gradients against 39. "
        "The fastest α on the slider's grid within these 1,500 steps, 0.2, takes 671."
    ),
    "Second order at a saddle: who settles?": (
        "One of the seeds says second-order methods “don't settle in saddle points”. From "
        "(0, 3.5), 0.62 from Himmelblau's saddle (0.087, 2.884): Newton (α 1) is within "
        "0.01 of the saddle at step 2 and exactly on it from step 6, and stays — its step "
        "−H⁻¹∇f goes to where the quadratic model is flat, saddle or not. Saddle-free "
        "Newton, BFGS and CG pass 0.34, 0.46 and 0.21 from it at step 1, are farther than "
        "r = 0.52 at step 2 and converge to the minimum (−2.81, 3.13) at steps 8, 6 and 6. "
        "So the sentence holds for the methods that only go downhill, not for Newton's. "
        "Started 10⁻⁵ from a saddle, BFGS and CG do stay there (96 % of the starts at the "
        "19 saddles, the saddle page measures): every one stopped by a failed line search."
    ),
    "AdaGrad's shrinking steps": (
        "One α (0.1) for all three. AdaGrad divides by the root of all past squared "
        "gradients, so its steps only shrink: by step 300 a step is 5.7 % of α and it "
        "has come from 10.3 to only 8.2 away from the minimum, while RMSprop and Adam, "
        "which forget old gradients, end 0.07 and 0.0097 away. See the step lengths "
        "below the loss."
    ),
}
