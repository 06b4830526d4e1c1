"""The fairness page's parts: mapping, results, saving, history and the policy (Streamlit-aware)."""
