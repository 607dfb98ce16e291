"""``python -m interp``: the command-line interface."""

from interp.cli import main

raise SystemExit(main())
