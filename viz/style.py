"""One colour and one marker symbol per optimizer, the same everywhere on the page.

SYMBOLS_3D holds only shapes plotly's Scatter3d draws (circle, circle-open, cross,
diamond, diamond-open, square, square-open, x).

Colours are the Okabe-Ito palette (safe for the common colour-vision deficiencies),
without its yellow, completed by Paul Tol's muted colours (and a grey for the last);
symbols differ too, so that two optimizers are told apart without colour.
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
    "radam": "#332288",  # indigo
    "adamw": "#AA4499",  # purple
    "newton": "#117733",  # green
    "saddle_free_newton": "#777777",  # grey
}

# One marker shape per optimizer in 2-D, so that colour is never the only cue.
SYMBOLS = {
    "sgd": "circle",
    "momentum": "square",
    "nag": "diamond",
    "adagrad": "x",
    "rmsprop": "cross",
    "adadelta": "triangle-up",
    "adam": "star",
    "adamax": "hexagon",
    "nadam": "pentagon",
    "amsgrad": "triangle-down",
    "radam": "star-triangle-up",
    "adamw": "hourglass",
    "newton": "bowtie",
    "saddle_free_newton": "star-square",
}

# Scatter3d draws only eight shapes: in 3-D the colour (unique) tells the runs apart.
SYMBOLS_3D = {
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
    "radam": "diamond",
    "adamw": "x",
    "newton": "cross",
    "saddle_free_newton": "diamond-open",
}

FALLBACK_COLOR = "#555555"


def color(name: str) -> str:
    return COLORS.get(name, FALLBACK_COLOR)


def symbol(name: str) -> str:
    return SYMBOLS.get(name, "circle")


def symbol_3d(name: str) -> str:
    return SYMBOLS_3D.get(name, "circle")

