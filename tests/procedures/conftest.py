"""Helpers for procedure tests: load YAML written inline, or collect the issues it raises."""

from collections.abc import Callable
from textwrap import dedent

import pytest

from procedures.exceptions import ProcedureFileInvalid
from procedures.loader import FileIssue, load_procedure_text
from procedures.model import Procedure


@pytest.fixture(autouse=True)
def events_follow_the_contract() -> None:
    """The recipe core publishes no events (and its tests run without the server)."""


@pytest.fixture
def load_yaml() -> Callable[[str], Procedure]:
    """Load dedented YAML text as `test.yaml`."""
    return lambda text: load_procedure_text(dedent(text), "test.yaml")


@pytest.fixture
def issues_of() -> Callable[[str], list[FileIssue]]:
    """The issues loading dedented YAML text raises (failing the test if it loads)."""

    def issues(text: str) -> list[FileIssue]:
        with pytest.raises(ProcedureFileInvalid) as info:
            load_procedure_text(dedent(text), "test.yaml")
        assert info.value.filename == "test.yaml"
        return info.value.issues

    return issues
