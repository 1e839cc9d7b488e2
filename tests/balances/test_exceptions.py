import pytest

from server.balances import (
    BalanceCommandRefused,
    BalanceError,
    BalanceNotStable,
    BalanceOverload,
    BalanceProtocolError,
    BalanceUnderload,
    BalanceUnreachable,
)

ADDRESS = "10.0.0.7:4305"


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (
            BalanceUnreachable(ADDRESS, "Connection refused"),
            "balance 10.0.0.7:4305 is unreachable: Connection refused",
        ),
        (BalanceNotStable(ADDRESS, 5.0), "balance 10.0.0.7:4305 did not settle within 5 s"),
        (BalanceOverload(ADDRESS), "balance 10.0.0.7:4305 is overloaded: remove load from the pan"),
        (
            BalanceUnderload(ADDRESS),
            "balance 10.0.0.7:4305 is underloaded: check that the weighing pan is in place",
        ),
        (
            BalanceCommandRefused(ADDRESS, "T", "ES", "command not recognised"),
            "balance 10.0.0.7:4305 refused 'T': command not recognised",
        ),
        (
            BalanceProtocolError(ADDRESS, "SI", "HELLO"),
            "balance 10.0.0.7:4305 sent a reply to 'SI' that is not MT-SICS",
        ),
    ],
)
def test_every_balance_error_names_the_balance_in_plain_words(
    error: BalanceError, message: str
) -> None:
    assert isinstance(error, BalanceError)
    assert error.address == ADDRESS
    assert str(error) == message
