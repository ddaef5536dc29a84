"""Plotly figures from optimizer runs (no Streamlit here: usable from a notebook)."""

from .figures import (
    MAX_FRAMES,
    Grid,
    Run,
    contour_lines,
    frame_steps,
    height_of,
    loss_figure,
    race_figure,
    surface_grid,
)
from .style import COLORS, SYMBOLS, color, symbol

__all__ = [
    "COLORS",
    "MAX_FRAMES",
    "SYMBOLS",
    "Grid",
    "Run",
    "color",
    "contour_lines",
    "frame_steps",
    "height_of",
    "loss_figure",
    "race_figure",
    "surface_grid",
    "symbol",
]
