"""Plotly figures from optimizer runs (no Streamlit here: usable from a notebook)."""

from .analysis import (
    basin_figure,
    basin_outcome,
    basin_outcomes,
    basin_step_range,
    escape_bar_figure,
    escape_offset_figure,
    sweep_figure,
    sweep_heatmap_figure,
)
from .figures import (
    MAX_FRAMES,
    Exit,
    Grid,
    Run,
    contour_lines,
    frame_steps,
    height_of,
    loss_figure,
    race_figure,
    run_exit,
    saddle_distance_figure,
    surface_grid,
)
from .style import COLORS, SYMBOLS, color, symbol

__all__ = [
    "basin_outcome",
    "basin_outcomes",
    "basin_step_range",
    "basin_figure",
    "escape_bar_figure",
    "escape_offset_figure",
    "sweep_figure",
    "sweep_heatmap_figure",
    "COLORS",
    "MAX_FRAMES",
    "SYMBOLS",
    "Exit",
    "Grid",
    "Run",
    "color",
    "contour_lines",
    "frame_steps",
    "height_of",
    "loss_figure",
    "race_figure",
    "run_exit",
    "saddle_distance_figure",
    "surface_grid",
    "symbol",
]
