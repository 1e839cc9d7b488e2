"""Where this process is reached (`STEPWISE_PROCESS_URL`) and when a silent owner of streams
is gone (`STEPWISE_STREAM_OWNER_STALE_SECONDS`), read from the environment."""

from __future__ import annotations

import pytest

from server.config import SettingInvalid, settings_from_env


def test_process_url_is_read_without_a_trailing_slash_and_is_unset_by_default() -> None:
    settings = settings_from_env({"STEPWISE_PROCESS_URL": "http://10.0.0.11:8080/"})
    assert settings.process_url == "http://10.0.0.11:8080"
    assert settings_from_env({}).process_url is None
    assert settings_from_env({"STEPWISE_PROCESS_URL": " "}).process_url is None


@pytest.mark.parametrize("value", ["0", "-1", "soon"])
def test_stale_window_must_be_a_positive_number_of_seconds(value: str) -> None:
    with pytest.raises(SettingInvalid, match="STEPWISE_STREAM_OWNER_STALE_SECONDS"):
        settings_from_env({"STEPWISE_STREAM_OWNER_STALE_SECONDS": value})
    assert (
        settings_from_env({"STEPWISE_STREAM_OWNER_STALE_SECONDS": "2.5"}).stream_owner_stale_seconds
        == 2.5
    )
