"""Baseline for bench/redraw.py: a minimal Streamlit page with one contour, one 3-D
surface and one path (no frames, no animation) whose α slider moves the path."""

import sys
from pathlib import Path

import numpy as np
import streamlit as st
from plotly.subplots import make_subplots

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import optim_core  # noqa: E402
import surfaces  # noqa: E402

surface = surfaces.get("beale")
(x0, x1), (y0, y1) = surface.domain
x, y = np.linspace(x0, x1, 121), np.linspace(y0, y1, 121)
z = np.log10(1 + surface.f(np.stack(np.meshgrid(x, y), -1)))
lr = st.sidebar.select_slider("α (lr)", [0.001, 0.002, 0.005, 0.01, 0.02], value=0.01)
path = optim_core.run("adam", surface, surface.default_start, 300, lr=lr).path
fig = make_subplots(1, 2, specs=[[{"type": "xy"}, {"type": "scene"}]])
fig.add_contour(x=x, y=y, z=z, showscale=False, row=1, col=1)
fig.add_scatter(x=path[:, 0], y=path[:, 1], mode="lines", row=1, col=1)
fig.add_surface(x=x, y=y, z=z, showscale=False, row=1, col=2)
fig.update_layout(height=540)
st.plotly_chart(fig)
