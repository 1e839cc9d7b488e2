"""Order and ERP import failures.

StepwiseError
 ├── NotFound
 │    └── OrderNotFound          no order with that id or number
 ├── Conflict
 │    ├── ImportClash            an order, material or lot of that number exists with other content
 │    └── OrderNotPlanned        the order already has its batch
 └── Invalid
      ├── DocumentRefused        not a document we read (malformed, entities, element missing)
      ├── ImportRefused          a document that names what does not exist or cannot be
      └── ReservationRefused     a reserved lot cannot be used now (status, expiry, stock)
"""

from __future__ import annotations

from collections.abc import Sequence

from server.errors import Conflict, Invalid, NotFound, Problem


class OrderNotFound(NotFound):
    def __init__(self, reference: str) -> None:
        super().__init__(f"There is no production order {reference!r}.")


class ImportClash(Conflict):
    """`what` exists already with other content: re-importing the same is fine, changing
    it through an import is not."""

    def __init__(self, what: str) -> None:
        super().__init__(f"{what} exists already with other content; nothing was imported.")
        self.what = what


class OrderNotPlanned(Conflict):
    def __init__(self, order_number: str, status: str) -> None:
        super().__init__(
            f"Order {order_number} is {status}: a batch is started from a planned order once.",
            current={"status": status},
        )


class DocumentRefused(Invalid):
    """The document cannot be read: `path` names the element (or JSON field) at fault."""

    def __init__(self, path: str, message: str, code: str = "invalid_document") -> None:
        super().__init__(
            f"The document was refused at {path}: {message}.",
            problems=[Problem(path, message, code=code)],
        )
        self.path = path


class ImportRefused(Invalid):
    """The document is readable but names what does not exist or cannot be used."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__(
            "Nothing was imported: " + "; ".join(f"{p.field}: {p.message}" for p in problems),
            problems=problems,
        )


class ReservationRefused(Invalid):
    """A lot the order reserves may not be used now; each problem names the reservation."""

    def __init__(self, order_number: str, problems: Sequence[Problem]) -> None:
        super().__init__(
            f"No batch was started from order {order_number}: "
            + "; ".join(f"{p.field}: {p.message}" for p in problems),
            problems=problems,
        )
