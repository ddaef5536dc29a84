"""Optimizer race: gradient-descent optimizers on a loss surface, and the numbers behind
the pictures. Run with ``streamlit run app.py``.

A table of contents: each page's code is its own module in ``app_pages/``. The race's
surface, optimizers and hyperparameters live in ``st.session_state`` and are shared
with the analysis pages; each page keeps its own view in its own link.
"""

from __future__ import annotations

import streamlit as st

from app_pages import common, race_view  # noqa: F401  (race_view puts plotly.js in static/)

st.set_page_config(page_title="Optimizer race", page_icon="⛰️", layout="wide")
common.keep_shared_state()

page = st.navigation(
    [
        st.Page("app_pages/race.py", title="Race", default=True),
        st.Page("app_pages/escape.py", title="Saddle escape", url_path="escape"),
        st.Page("app_pages/basins.py", title="Basin maps", url_path="basins"),
        st.Page("app_pages/sweeps.py", title="Sweeps", url_path="sweeps"),
        st.Page("app_pages/network.py", title="Real network", url_path="network"),
        st.Page("app_pages/workers.py", title="Workers", url_path="workers"),
    ]
)
page.run()
