"""``python -m cli``: the same as the ``inventory-cdc`` command."""

from cli.main import app

app(prog_name="inventory-cdc")
