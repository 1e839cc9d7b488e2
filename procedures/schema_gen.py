"""Rewrite the committed JSON Schema of procedure files: `python -m procedures.schema_gen`."""

import json
from pathlib import Path

from procedures.loader import procedure_json_schema

SCHEMA_FILE = Path(__file__).parent / "schema" / "procedure.schema.json"


def main() -> None:
    """Write the schema generated from the model, so editors complete and check YAML files."""
    text = json.dumps(procedure_json_schema(), indent=2, ensure_ascii=False) + "\n"
    SCHEMA_FILE.write_text(text, encoding="utf-8")
    print(f"wrote {SCHEMA_FILE}")


if __name__ == "__main__":
    main()
