"""Commands that only read refuse a database that is not there, rather than create one."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import make_url

from server.cli.errors import CommandFailed
from server.config import Settings


class NoDatabase(CommandFailed):
    """The SQLite file a reading command would open does not exist."""

    def __init__(self, path: Path) -> None:
        super().__init__(
            f"there is no database at {path} (nothing was created). Run this where the "
            "server keeps its data, or point to it: STEPWISE_DATA_DIR=DIR (the folder holding "
            "stepwise.db) or DATABASE_URL=sqlite+aiosqlite:///FILE or "
            "postgresql+asyncpg://user@host:5432/db"
        )


def require_database(settings: Settings) -> None:
    """Refuse when the settings name a SQLite file that does not exist (a PostgreSQL
    database that does not exist refuses the connection by itself)."""
    url = make_url(settings.effective_database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return
    path = Path(url.database).resolve()
    if not path.is_file():
        raise NoDatabase(path)
