"""The webhook fixtures (a quick-retrying site and a real receiver) for these tests."""

from tests.webhooks.fixtures import receiver, site

__all__ = ["receiver", "site"]
