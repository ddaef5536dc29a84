"""One colour and one marker symbol per optimizer, the same everywhere on the page.

Colours are the Okabe-Ito palette (safe for the common colour-vision deficiencies),
without its yellow, completed by three of Paul Tol's muted colours; symbols differ
too, so that two optimizers are told apart without colour.
"""

COLORS = {
    "sgd": "#D55E00",  # vermillion
    "momentum": "#0072B2",  # blue
    "nag": "#009E73",  # bluish green
    "adagrad": "#CC79A7",  # reddish purple
    "rmsprop": "#E69F00",  # orange
    "adadelta": "#56B4E9",  # sky blue
    "adam": "#000000",  # black
    "adamax": "#882255",  # wine
    "nadam": "#999933",  # olive
    "amsgrad": "#44AA99",  # teal
}

# Symbols that both 2-D scatter and Scatter3d draw.
SYMBOLS = {
    "sgd": "circle",
    "momentum": "square",
    "nag": "diamond",
    "adagrad": "x",
    "rmsprop": "cross",
    "adadelta": "circle-open",
    "adam": "circle",
    "adamax": "square-open",
    "nadam": "diamond-open",
    "amsgrad": "square",
}

FALLBACK_COLOR = "#555555"


def color(name: str) -> str:
    return COLORS.get(name, FALLBACK_COLOR)


def symbol(name: str) -> str:
    return SYMBOLS.get(name, "circle")
