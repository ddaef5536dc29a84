"""Baseline for bench/app.py: the smallest Streamlit page with one Plotly chart."""

import plotly.graph_objects as go
import streamlit as st

st.sidebar.title("Optimizer race")
st.plotly_chart(go.Figure(go.Scatter(x=[0, 1], y=[0, 1])))
