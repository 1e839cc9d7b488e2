"""Locations inside a procedure document, in the form pydantic reports them."""

Loc = tuple[str | int, ...]
"""A location such as `("operations", 1, "steps", 3, "inputs", 0, "limits")`."""

Issue = tuple[Loc, str]
"""A problem found at a location: `(loc, message)`."""


def format_path(loc: Loc) -> str:
    """Render a location as `operations[1].steps[3].inputs[0].limits`."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else part
    return path


def json_pointer(loc: Loc) -> str:
    """Render a location as an RFC 6901 JSON pointer: `/operations/1/steps/3/inputs/0/limits`."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in loc)
