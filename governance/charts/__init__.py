"""Plotly figure builders: DataFrames in, ``plotly.graph_objects.Figure`` out (no Streamlit)."""
