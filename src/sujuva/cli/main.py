"""The ``sujuva`` command: a thin face over the services.

User errors print one clear line (plus the located problems) and exit non-zero; a traceback
only ever means a bug.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from sujuva.cli import (
    analysis_commands,
    data_commands,
    demo_commands,
    key_commands,
    linking_commands,
    network_commands,
    pilot_commands,
    serve_commands,
)
from sujuva.cli.output import console, print_error
from sujuva.config import override_settings
from sujuva.errors import SujuvaError

app = typer.Typer(
    name="sujuva",
    help="Multi-organisation customer paths: import event logs, see where customers wait.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def main(
    data_dir: Annotated[
        Path | None,
        typer.Option(
            "--data-dir",
            help="Data directory of the store (env SUJUVA_DATA_DIR).",
            show_default=False,
        ),
    ] = None,
    timezone: Annotated[
        str | None,
        typer.Option(
            "--timezone",
            help="Zone of times without an offset (default Europe/Helsinki).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Sujuva: see, try and steer a region's employment and business service paths."""
    override_settings(data_dir=data_dir, timezone=timezone)


data_commands.register(app)
demo_commands.register(app)
analysis_commands.register(app)
serve_commands.register(app)
pilot_commands.register(app)
network_commands.register(app)
key_commands.register(app)
linking_commands.register(app)


def run() -> None:
    """Console-script entry point: run the app and map errors to exit codes."""
    try:
        app()
    except SujuvaError as exc:
        print_error(exc)
        sys.exit(exc.exit_code)
    except OSError as exc:  # the machine said no: missing folder, permissions, full disk
        where = f" {exc.filename}" if exc.filename else ""
        print_error(SujuvaError(f"cannot access{where}: {exc.strerror or exc}"))
        sys.exit(6)
    except KeyboardInterrupt:
        console.print("interrupted; the store is unchanged")
        sys.exit(130)


if __name__ == "__main__":  # pragma: no cover
    run()
