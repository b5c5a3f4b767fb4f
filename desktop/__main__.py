"""Entry point for `python -m desktop`."""

from desktop.cli import main

raise SystemExit(main())
