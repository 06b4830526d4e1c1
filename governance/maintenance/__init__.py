"""Keeping a workbench whole: the doctor, backups and restores (``python -m governance ...``).

- :mod:`~governance.maintenance.doctor` finds crash debris in the artifact store and evidence
  whose file is missing or damaged; with ``--fix`` it removes the debris, audited.
- :mod:`~governance.maintenance.backup` writes one file: the database (SQLite's online backup
  API, or ``pg_dump``), the artifact files its records reference and a manifest.
- :mod:`~governance.maintenance.restore` checks such a file, restores it into an empty target
  and verifies the audit chain against the head the manifest recorded.
"""
