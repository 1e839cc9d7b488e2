"""Log levels and formats: ours at the chosen level, libraries at WARNING at least, chosen by
option, then environment, then default; a wrong value names the variable."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest

from server.config import SettingInvalid
from server.logs import chosen, configure


@pytest.fixture
def restored_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    own = {name: logging.getLogger(name).level for name in ("stepwise", "server", "aioice")}
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, old in own.items():
        logging.getLogger(name).setLevel(old)


def test_libraries_log_warnings_only_and_ours_the_chosen_level(restored_logging: None) -> None:
    configure("INFO", "text")

    assert logging.getLogger("aioice.ice").getEffectiveLevel() == logging.WARNING
    assert logging.getLogger("aiortc.rtcpeerconnection").getEffectiveLevel() == logging.WARNING
    assert logging.getLogger("stepwise.access").getEffectiveLevel() == logging.INFO
    assert logging.getLogger("server.streams.live").getEffectiveLevel() == logging.INFO

    configure("ERROR", "text")
    assert logging.getLogger("stepwise.access").getEffectiveLevel() == logging.ERROR
    assert logging.getLogger("aioice.ice").getEffectiveLevel() == logging.ERROR


def test_json_format_writes_one_object_a_line(
    restored_logging: None, capsys: pytest.CaptureFixture[str]
) -> None:
    configure("INFO", "json")

    logging.getLogger("stepwise.test").info("hello %s", "there", extra={"batch": "B-1"})

    line = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
    assert line["message"] == "hello there"
    assert line["batch"] == "B-1" and line["level"] == "INFO"


def test_the_option_wins_over_the_environment_which_wins_over_the_default() -> None:
    environ = {"STEPWISE_LOG_LEVEL": "debug", "STEPWISE_LOG_FORMAT": "json"}

    assert chosen(None, None, {}) == ("INFO", "text")
    assert chosen(None, None, environ) == ("DEBUG", "json")
    assert chosen("WARNING", "text", environ) == ("WARNING", "text")
    with pytest.raises(SettingInvalid, match="STEPWISE_LOG_LEVEL"):
        chosen(None, None, {"STEPWISE_LOG_LEVEL": "loud"})
    with pytest.raises(SettingInvalid, match="STEPWISE_LOG_FORMAT"):
        chosen(None, None, {"STEPWISE_LOG_FORMAT": "xml"})
