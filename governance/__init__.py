"""The AI governance workbench's domain package.

It holds every rule, record and computation of the workbench; the Streamlit pages and the
command line are thin shells over it. It never imports streamlit.
"""

__version__ = "0.1.0"
