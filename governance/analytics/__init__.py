"""DuckDB: the stateless analytics engine over uploaded files and frames (never the record)."""
