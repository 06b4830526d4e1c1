"""Streamlit-aware helpers: the only code besides views/ and app.py that imports streamlit."""
