r"""The optimizer registry: every optimizer's module in ``optim_core.methods``, one line
each in ``REGISTRY``. A module holds its rules in both conventions, its in-place form
and its metadata (``CHEATSHEET`` and ``PYTORCH``); the runner, the pages, the README's
list, the tests' parametrization and the exports read this registry. Adding an
optimizer is its own module and one line here.

Two conventions (``convention=``):

* ``"cheatsheet"`` (the default): the cheat sheet's forms (``optim_core.methods._base``
  states what they share: EMA momentum, ε inside the root for AdaGrad, RMSprop and
  Adadelta, no bias correction in AMSGrad, constant β₁ in Nadam, no α in Adadelta).
* ``"pytorch"``: torch.optim's documented algorithms in float64, its other options at
  their defaults (no weight decay, no dampening, not centered, no lr decay, maximize
  off); its defaults, except where its default switches the method off (SGD's
  momentum = 0): Momentum and NAG take β₁ = 0.9. torch is not a dependency; the tests
  check these rules against plain loops transcribed from torch.optim's docs.

======================  =====================================================
``sgd``                 ``SGD(lr)``
``momentum``            ``SGD(lr, momentum=β₁)``: b ← β₁ b + g (b₁ = g₁); w ← w − α b
``nag``                 ``SGD(lr, momentum=β₁, nesterov=True)``: w ← w − α (g + β₁ b)
``adagrad``             ``Adagrad(lr, eps)``: ε outside the root
``rmsprop``             ``RMSprop(lr, alpha=β₂, eps)``: ε outside the root
``adadelta``            ``Adadelta(lr, rho=β₂, eps)``: here Adadelta takes α
``adam``                ``Adam(lr, betas=(β₁, β₂), eps)``
``adamax``              ``Adamax(lr, betas, eps)``: u ← max(β₂ u, |g| + ε)
``nadam``               ``NAdam(lr, betas, eps)``: momentum decay ψ = 0.004
``amsgrad``             ``Adam(lr, betas, eps, amsgrad=True)``: both moments corrected
``radam``               ``RAdam(lr, betas, eps)``: rectified once ρ_t > 5, ε in l_t
``adamw``               ``AdamW(lr, betas, eps, weight_decay=λ)``
``lbfgs``                 ``LBFGS(lr, history_size=m, max_iter=1, line_search_fn=None)``
``newton``, ``saddle_free_newton``, ``bfgs``, ``cg``, ``gauss_newton``,
``levenberg_marquardt``, ``sgd_armijo``, ``momentum_armijo``: not in torch.optim; the
cheat sheet's rules
``lion``, ``adan``,     not in torch.optim: optax's rules (``optax.lion``, ``optax.adan``,
``ademamix``, ``adopt``, ``optax.contrib.ademamix``, ``optax.contrib.adopt``,
``lamb``                ``optax.lamb``), the same in both conventions
``adafactor``           ``Adafactor(lr, beta2_decay=−c, eps=(ε₁, ε₂), d)``: ε₁ a floor
                        under v, ρ_t = min(lr, 1/√t); the cheat sheet's is optax's
``sophia``              not in torch.optim: optax.contrib.sophia's rule, the exact diag ∇²f
``shampoo``             not in torch.optim: the paper's vector case, (εI + Σ g gᵀ)^(−1/2) g
``soap``                not in torch.optim: optax.contrib.soap's rule, precondition_1d=True
``sf_sgd``, ``sf_adamw``, ``prodigy``: not in torch.optim; the same rules
``muon``                ``Muon(lr, weight_decay=λ, momentum=β₁, eps, ns_steps)`` (torch ≥ 2.9):
                        b ← β₁ b + g, u = g + β₁ b, u / max(‖u‖, ε); λ = 0.1
======================  =====================================================

"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from .methods import (
    adadelta,
    adafactor,
    adagrad,
    adam,
    adamax,
    adamw,
    adan,
    ademamix,
    adopt,
    amsgrad,
    bfgs,
    cg,
    gauss_newton,
    lamb,
    lbfgs,
    levenberg_marquardt,
    lion,
    momentum,
    momentum_armijo,
    muon,
    nadam,
    nag,
    newton,
    prodigy,
    radam,
    rmsprop,
    saddle_free_newton,
    sf_adamw,
    sf_sgd,
    sgd,
    sgd_armijo,
    shampoo,
    soap,
    sophia,
)
from .methods._base import (  # noqa: F401  (what the runner and the analyses use)
    CHOICES,
    HYPERPARAMETERS,
    Buffers,
    Hyperparams,
    Optimizer,
    safe_divide,
)
from .methods.radam import radam_rectification  # noqa: F401  (optim_core.insides)

# The order of presentation (the cheat sheet's, then the later ones): one line each.
REGISTRY = (
    sgd,
    momentum,
    nag,
    adagrad,
    rmsprop,
    adadelta,
    adam,
    adamax,
    nadam,
    amsgrad,
    radam,
    adamw,
    newton,
    saddle_free_newton,
    bfgs,
    lbfgs,
    cg,
    gauss_newton,
    levenberg_marquardt,
    sgd_armijo,
    momentum_armijo,
    lion,
    adan,
    ademamix,
    adopt,
    lamb,
    adafactor,
    sophia,
    shampoo,
    soap,
    sf_sgd,
    sf_adamw,
    prodigy,
    muon,
)

CONVENTIONS = ("cheatsheet", "pytorch")
OPTIMIZERS: Mapping[str, Optimizer] = MappingProxyType({m.CHEATSHEET.name: m.CHEATSHEET
                                                        for m in REGISTRY})  # fmt: skip
TORCH_OPTIMIZERS: Mapping[str, Optimizer] = MappingProxyType({m.PYTORCH.name: m.PYTORCH
                                                              for m in REGISTRY})  # fmt: skip
_CATALOGUES = {"cheatsheet": OPTIMIZERS, "pytorch": TORCH_OPTIMIZERS}


def names() -> list[str]:
    """Optimizer names in the registry's order of presentation."""
    return list(OPTIMIZERS)


def get(name: str | Optimizer, convention: str | None = None) -> Optimizer:
    """The optimizer called ``name`` in ``convention``: "cheatsheet" (the cheat sheet's
    forms, the default for a name) or "pytorch" (torch.optim's updates and defaults);
    an Optimizer is returned as it is (its convention must match one asked for). A
    ValueError lists the valid names or conventions."""
    if convention is not None and convention not in CONVENTIONS:
        raise ValueError(f"convention must be one of {list(CONVENTIONS)}; got {convention!r}")
    if isinstance(name, Optimizer):
        if convention is not None and name.convention != convention:
            raise ValueError(f"optimizer {name.name!r} is in the {name.convention!r} "
                             f"convention, not {convention!r}")  # fmt: skip
        return name
    catalogue = _CATALOGUES[convention or "cheatsheet"]
    try:
        return catalogue[name]
    except (KeyError, TypeError):
        raise ValueError(f"optimizer must be one of {names()}; got {name!r}") from None
