"""``python -m governance``: the workbench's command line."""

from governance.cli import main

raise SystemExit(main())
