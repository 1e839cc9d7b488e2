"""`python -m headset_client`: the same as `stepwise-headset`."""

from headset_client.cli import main

raise SystemExit(main())
