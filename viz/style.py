"""One colour and one marker symbol per optimizer, the same everywhere on the page.

SYMBOLS_3D holds only shapes plotly's Scatter3d draws (circle, circle-open, cross,
diamond, diamond-open, square, square-open, x).

Colours are the Okabe-Ito palette (safe for the common colour-vision deficiencies),
without its yellow, completed by Paul Tol's muted colours (and a grey for the last);
symbols differ too, so that two optimizers are told apart without colour.
"""

import optim_core

# Each optimizer's own module holds its look (optim_core.methods: ``look=`` in its
# definition); these are the registry's, by name.
COLORS = {name: optim_core.get_optimizer(name).color for name in optim_core.optimizer_names()}
SYMBOLS = {name: optim_core.get_optimizer(name).symbol for name in optim_core.optimizer_names()}
# Scatter3d draws only eight shapes: in 3-D the colour (unique) tells the runs apart.
SYMBOLS_3D = {name: optim_core.get_optimizer(name).symbol_3d
              for name in optim_core.optimizer_names()}  # fmt: skip

FALLBACK_COLOR = "#555555"


def color(name: str) -> str:
    return COLORS.get(name, FALLBACK_COLOR)


def symbol(name: str) -> str:
    return SYMBOLS.get(name, "circle")


def symbol_3d(name: str) -> str:
    return SYMBOLS_3D.get(name, "circle")

