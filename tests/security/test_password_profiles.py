"""New password hashes follow STEPWISE_PASSWORD_PROFILE; every existing hash keeps verifying."""

from __future__ import annotations

import pytest
from argon2 import extract_parameters, profiles

from server.auth.passwords import hasher_from
from server.config import SettingInvalid, settings_from_env


def test_the_default_profile_is_rfc_9106_low_memory() -> None:
    made = hasher_from({}).hash("correct horse")
    assert extract_parameters(made) == profiles.RFC_9106_LOW_MEMORY


def test_a_hash_made_under_one_profile_verifies_under_another() -> None:
    cheap = hasher_from({"STEPWISE_PASSWORD_PROFILE": "CHEAPEST"})
    made = cheap.hash("correct horse")
    assert extract_parameters(made) == profiles.CHEAPEST
    assert hasher_from({}).verify(made, "correct horse")


def test_an_unknown_profile_stops_the_server_naming_the_variable() -> None:
    with pytest.raises(SettingInvalid, match="STEPWISE_PASSWORD_PROFILE='FAST' cannot be used"):
        settings_from_env({"STEPWISE_PASSWORD_PROFILE": "FAST"})
    chosen = settings_from_env({"STEPWISE_PASSWORD_PROFILE": "RFC_9106_HIGH_MEMORY"})
    assert chosen.password_profile == "RFC_9106_HIGH_MEMORY"
