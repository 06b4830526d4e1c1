"""The incidents page's parts."""
