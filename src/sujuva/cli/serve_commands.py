"""CLI commands of the web face: serve, start (demo + serve), users and the app database."""

from __future__ import annotations

import getpass
import os
from typing import Annotated

import typer

from sujuva.cli.output import console, row_progress
from sujuva.config import Settings, get_settings
from sujuva.errors import UsageError
from sujuva.services import accounts, challenges, dashboard, members, pilots, targets
from sujuva.services.demo import build_demo
from sujuva.services.principal import ROLES
from sujuva.store.appdb import upgrade_database

HostOption = Annotated[
    str | None,
    typer.Option("--host", help="Address to listen on (env SUJUVA_HOST).", show_default=False),
]
PortOption = Annotated[
    int | None, typer.Option("--port", help="Port (env SUJUVA_PORT).", show_default=False)
]
WorkersOption = Annotated[
    int | None,
    typer.Option("--workers", help="Worker processes (env SUJUVA_WORKERS).", show_default=False),
]


def register(app: typer.Typer) -> None:
    """Add the web commands to the app."""
    app.command("serve")(serve_command)
    app.command("start")(start_command)
    app.command("add-user")(add_user_command)
    app.command("db-upgrade")(db_upgrade_command)


def serve_command(
    host: HostOption = None, port: PortOption = None, workers: WorkersOption = None
) -> None:
    """Serve the dashboard and the REST API (/api/v1, documented at /api/docs)."""
    _serve(get_settings(), host=host, port=port, workers=workers)


def start_command(
    host: HostOption = None, port: PortOption = None, workers: WorkersOption = None
) -> None:
    """Build the demo region if needed, make its demo logins, and serve the dashboard."""
    settings = get_settings()
    with row_progress(True) as progress:
        result = build_demo(size="small", events=None, seed=2017, progress=progress)
    console.print(f"demo region {'ready' if result.reused else 'built'} in {settings.data_dir}")
    upgrade_database(settings=settings)
    organisations = dashboard.organisations_by_activity(settings=settings)
    logins = accounts.ensure_demo_accounts(organisations=organisations, settings=settings)
    pilots.ensure_demo_pilots(settings=settings)
    members.ensure_demo_members(settings=settings)
    challenges.ensure_demo_challenges(settings=settings)
    targets.ensure_demo_jobs(settings=settings)
    url = f"http://{host or settings.host}:{port or settings.port}"
    console.print(f"\n[bold]Sujuva dashboard: {url}[/bold]   (API docs: {url}/api/docs)")
    console.print("demo logins (user / password / role / organisation):")
    for login in logins:
        console.print(
            f"  {login.username:<12} {login.password:<26} {login.role:<12} "
            f"{login.organisation or '-'}"
        )
    _serve(settings, host=host, port=port, workers=workers)


def _serve(settings: Settings, *, host: str | None, port: int | None, workers: int | None) -> None:
    import uvicorn

    upgrade_database(settings=settings)
    # Worker processes read their settings from the environment: pass the CLI's overrides on.
    os.environ["SUJUVA_DATA_DIR"] = str(settings.data_dir.resolve())
    os.environ["SUJUVA_TIMEZONE"] = settings.timezone
    uvicorn.run(
        "sujuva.web.app:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers or settings.workers,
        log_level="warning",
        access_log=False,
    )


def add_user_command(
    username: Annotated[str, typer.Argument(help="The new user's name.")],
    role: Annotated[str, typer.Option("--role", help="coordinator, analyst, viewer or admin.")],
    organisation: Annotated[
        str | None,
        typer.Option(
            "--organisation", help="Organisation code (analyst, viewer).", show_default=False
        ),
    ] = None,
    language: Annotated[str, typer.Option("--language", help="fi, en or sv.")] = "fi",
) -> None:
    """Create a user (the password is asked for, or read from SUJUVA_NEW_PASSWORD)."""
    if role not in ROLES:
        raise UsageError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
    settings = get_settings()
    upgrade_database(settings=settings)
    password = os.environ.get("SUJUVA_NEW_PASSWORD") or getpass.getpass("password: ")
    if organisation:
        accounts.ensure_organisations(codes=[organisation], settings=settings)
    accounts.create_user(
        username=username,
        password=password,
        role=role,
        organisation=organisation,
        language=language,
        settings=settings,
    )
    console.print(f"user {username} ({role}) created")


def db_upgrade_command() -> None:
    """Create or migrate the app-state database (users, organisations, audit log...)."""
    settings = get_settings()
    upgrade_database(settings=settings)
    console.print("app-state database is up to date")
