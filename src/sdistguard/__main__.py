"""``python -m sdistguard``: the same as the ``sdistguard`` command."""

from sdistguard.cli import main

raise SystemExit(main())
