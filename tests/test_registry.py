"""The optimizer registry: one module per optimizer in optim_core.methods, one line each
in optim_core.optimizers.REGISTRY; what reads it (the page's looks, the README's list)
stays in step with it."""

import pkgutil
import re
from pathlib import Path

import optim_core
import optim_core.methods
from optim_core import optimizers

ROOT = Path(__file__).resolve().parents[1]
SCATTER3D_SYMBOLS = {"circle", "circle-open", "cross", "diamond", "diamond-open", "square",
                     "square-open", "x"}  # fmt: skip


def test_every_method_module_is_registered_once_under_its_own_name():
    modules = {m.name for m in pkgutil.iter_modules(optim_core.methods.__path__)
               if not m.name.startswith("_")}  # fmt: skip
    registered = [m.__name__.rsplit(".", 1)[1] for m in optimizers.REGISTRY]
    assert sorted(registered) == sorted(modules)
    assert len(set(registered)) == len(registered)
    for module in optimizers.REGISTRY:
        name = module.__name__.rsplit(".", 1)[1]
        assert module.CHEATSHEET.name == module.PYTORCH.name == name
        assert module.CHEATSHEET.convention == "cheatsheet"
        assert module.PYTORCH.convention == "pytorch"
        assert optim_core.get_optimizer(name) is module.CHEATSHEET
        assert optim_core.get_optimizer(name, "pytorch") is module.PYTORCH
    assert optim_core.optimizer_names() == registered


def test_each_optimizer_has_its_metadata_and_a_look_of_its_own():
    names = optim_core.optimizer_names()
    for name in names:
        for convention in optim_core.CONVENTIONS:
            opt = optim_core.get_optimizer(name, convention)
            assert opt.title and opt.citation and opt.latex and 1600 < opt.year < 2100
            assert set(opt.defaults) == set(opt.hyperparams)
            assert opt.update_into is not None
            assert re.fullmatch(r"#[0-9A-F]{6}", opt.color)
            assert opt.symbol_3d in SCATTER3D_SYMBOLS
    colors = [optim_core.get_optimizer(n).color for n in names]
    symbols = [optim_core.get_optimizer(n).symbol for n in names]
    assert len(set(colors)) == len(colors) and len(set(symbols)) == len(symbols)
    for name in names:  # the same look in both conventions
        a, b = optim_core.get_optimizer(name), optim_core.get_optimizer(name, "pytorch")
        assert (a.color, a.symbol, a.symbol_3d) == (b.color, b.symbol, b.symbol_3d)


def test_the_pages_looks_and_the_readmes_list_follow_the_registry():
    import viz

    for name in optim_core.optimizer_names():
        assert viz.color(name) == optim_core.get_optimizer(name).color
        assert viz.symbol(name) == optim_core.get_optimizer(name).symbol
    intro = " ".join((ROOT / "README.md").read_text().split("\n\n")[1].split())
    for name in optim_core.optimizer_names():
        title = optim_core.get_optimizer(name).title
        assert title.lower() in intro.lower(), f"the README's first paragraph lacks {title}"

