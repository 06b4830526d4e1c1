"""The HTTP edge around the Streamlit app: cookie routes and security headers (``server.py``).

Nothing here imports Streamlit's script API: these run in the web server, outside any script
run, and reach the records through ``governance`` like the CLI does.
"""
