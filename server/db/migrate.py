"""Apply Alembic migrations, from the CLI or when the server starts."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from server.concurrency import run_blocking

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(url: str) -> Config:
    """An Alembic configuration pointing at our migrations and at `url`."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade_sync(url: str) -> None:
    """Bring the schema of `url` to the newest revision (blocking)."""
    command.upgrade(alembic_config(url), "head")


async def upgrade(url: str) -> None:
    """Bring the schema of `url` to the newest revision, off the event loop."""
    await run_blocking(upgrade_sync, url)
