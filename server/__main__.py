"""`python -m server` runs the `stepwise` command."""

import sys

from server.cli.main import main

sys.exit(main())
