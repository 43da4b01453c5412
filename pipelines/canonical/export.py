"""Write (or check) the contract's generated artifacts: the JSON Schema file and the docs reference section.

Run ``python -m pipelines.canonical.export`` after changing a canonical struct, and commit both files;
``--check`` only compares and exits 1 when either artifact is stale (for CI).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pipelines.canonical.docgen import update_document
from pipelines.canonical.jsonschema import SCHEMA_FILE, render_json_schema

DOCS_FILE = Path(__file__).resolve().parents[2] / "docs" / "canonical-events.md"

app = typer.Typer(add_completion=False, help=__doc__)


@app.command()
def export(
    schema_path: Annotated[Path, typer.Option(help="Where the JSON Schema goes.")] = SCHEMA_FILE,
    docs_path: Annotated[
        Path, typer.Option(help="Consumer docs whose generated region is rewritten.")
    ] = DOCS_FILE,
    check: Annotated[
        bool, typer.Option("--check", help="Compare only; exit 1 if anything is stale.")
    ] = False,
) -> None:
    """Regenerate the JSON Schema file and the generated reference in the consumer docs."""
    wanted: list[tuple[Path, bytes]] = [(schema_path, render_json_schema())]
    if docs_path.exists():
        wanted.append((docs_path, update_document(docs_path.read_text(encoding="utf-8")).encode("utf-8")))
    else:
        typer.echo(f"skipped {docs_path}: not found", err=True)
    stale = [path for path, content in wanted if not path.exists() or path.read_bytes() != content]
    if check:
        for path in stale:
            typer.echo(f"stale: {path}", err=True)
        raise typer.Exit(1 if stale else 0)
    for path, content in wanted:
        if path in stale:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
            typer.echo(f"wrote {path}")
        else:
            typer.echo(f"unchanged {path}")


if __name__ == "__main__":
    app()
