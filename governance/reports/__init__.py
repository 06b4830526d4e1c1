"""Exports of what the workbench shows: tables, charts, reports and evidence packs."""
