"""`carejourney serve` runs the web app; `carejourney users` manages who may sign in."""

from __future__ import annotations

import logging
import sys
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from carejourney import terminal
from carejourney.cli.app import app
from carejourney.cli.options import DbOption, connect
from carejourney.config.secrets import SecretError
from carejourney.store import access, database, queries
from carejourney.web.accounts import AccountError, accounts, create_account, find_account
from carejourney.web.accounts import set_password as save_password
from carejourney.web.demo import demo_accounts
from carejourney.web.roles import Role
from carejourney.web.settings import WebSettings, session_key

console = terminal.console
users = typer.Typer(help="Who may sign in to the web app, and with which role.")
app.add_typer(users, name="users")


def _fail(message: str) -> typer.Exit:
    terminal.err.print(message, highlight=False)
    return typer.Exit(2)


@app.command("serve")
def serve_command(
    host: Annotated[
        str,
        typer.Option("--host", help="Address to listen on; 0.0.0.0 to serve the LA's network."),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
    https: Annotated[
        bool,
        typer.Option(
            "--https",
            help="Say the app is reached over HTTPS (directly, or through a proxy that "
            "terminates it): session cookies are then sent only over HTTPS.",
        ),
    ] = False,
    rules: Annotated[
        list[str] | None,
        typer.Option("--rules", help="Rule sets the pages use (default: england)."),
    ] = None,
    sso_metadata_url: Annotated[
        str | None,
        typer.Option(
            "--sso-metadata-url",
            help="Single sign-on: your OpenID Connect provider's metadata (discovery) URL, "
            "e.g. https://login.microsoftonline.com/TENANT-ID/v2.0/.well-known/"
            "openid-configuration. The client secret is read from the environment variable "
            "CAREJOURNEY_SSO_CLIENT_SECRET, never from the command line.",
            show_default=False,
        ),
    ] = None,
    sso_client_id: Annotated[
        str | None,
        typer.Option(
            "--sso-client-id",
            help="Single sign-on: the application (client) ID the provider gave carejourney.",
            show_default=False,
        ),
    ] = None,
    sso_claim: Annotated[
        str | None,
        typer.Option(
            "--sso-claim",
            help="Single sign-on: the ID token claim matched to an account's email address or "
            "user name (default: email; Microsoft Entra ID may need preferred_username).",
            show_default=False,
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Run the web app: drift lists, journeys, aims and reports in the browser.

    Accounts are made with `carejourney users add` (or `carejourney users demo` for the
    synthetic LA). Open http://HOST:PORT/ and sign in. Single sign-on is set up with the
    --sso-* options or the CAREJOURNEY_SSO_* environment variables (see docs/web.md).
    """
    import uvicorn

    from carejourney.web.app import create_app
    from carejourney.web.oidc import SsoSetupError, sso_settings

    connect(db).dispose()  # a bad --db gets its message before the server starts
    try:
        key = session_key()
    except SecretError as exc:
        raise _fail(f"[bold red]Cannot sign sessions[/]: {escape(str(exc))}") from None
    try:
        oidc = sso_settings(metadata_url=sso_metadata_url, client_id=sso_client_id, claim=sso_claim)
    except SsoSetupError as exc:
        raise _fail(f"[bold red]Cannot set up single sign-on[/]: {escape(str(exc))}") from None
    settings = WebSettings(
        db=db, session_key=key, https=https, rule_sets=tuple(rules or ["england"]), oidc=oidc
    )
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    if oidc is not None:
        console.print(f"Single sign-on through {oidc.metadata_url}", highlight=False)
    console.print(f"carejourney is at http://{host}:{port}/ (press Ctrl+C to stop)")
    # uvicorn's access log names each request's path, which can hold a child's ID: off.
    uvicorn.run(create_app(settings), host=host, port=port, access_log=False, log_level="info")


RoleOption = Annotated[
    str, typer.Option("--role", help="One of: " + ", ".join(r.value for r in Role) + ".")
]


def _role(value: str) -> Role:
    try:
        return Role(value.strip().lower().replace("_", " ").replace("-", " "))
    except ValueError:
        raise typer.BadParameter(
            f"'{value}' is not a role: choose from {', '.join(r.value for r in Role)}.",
            param_hint="--role",
        ) from None


def _new_password(given_on_stdin: bool) -> str:
    if given_on_stdin:
        return sys.stdin.readline().rstrip("\n")
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


@users.command("add")
def add_user(
    username: Annotated[str, typer.Argument(help="The name they sign in with, e.g. j.smith.")],
    name: Annotated[str, typer.Option("--name", help="Their name, as colleagues know them.")],
    role: RoleOption,
    la: Annotated[
        str | None, typer.Option("--la", help="Their LA (default: every LA).", show_default=False)
    ] = None,
    team: Annotated[
        str | None,
        typer.Option("--team", help="A team manager's team, as in the allocation list."),
    ] = None,
    worker: Annotated[
        str | None,
        typer.Option(
            "--worker", help="A practitioner's name in the allocation list's WORKER column."
        ),
    ] = None,
    email: Annotated[
        str | None, typer.Option("--email", help="Their email address, for single sign-on.")
    ] = None,
    sso_only: Annotated[
        bool, typer.Option("--sso-only", help="No password: they sign in through single sign-on.")
    ] = False,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    db: DbOption = None,
) -> None:
    """Add an account. You are asked for its password (at least 12 characters)."""
    chosen = _role(role)
    password = None if sso_only else _new_password(password_stdin)
    engine = connect(db)
    try:
        with engine.begin() as conn:
            account = create_account(
                conn,
                username=username,
                display_name=name,
                role=chosen,
                by=access.current_user(),
                password=password,
                email=email,
                la=la,
                team=team,
                worker=worker,
            )
    except AccountError as exc:
        raise _fail(f"[bold red]Cannot add the account[/]: {escape(str(exc))}") from None
    console.print(f"Added {account.username} ({account.role.value}).", highlight=False)


@users.command("password")
def user_password(
    username: Annotated[str, typer.Argument(help="The account's user name.")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    db: DbOption = None,
) -> None:
    """Set an account's password."""
    engine = connect(db)
    with engine.connect() as conn:
        account = find_account(conn, username=username)
    if account is None:
        raise _fail(f"There is no account called {escape(username)}.")
    password = _new_password(password_stdin)
    try:
        with engine.begin() as conn:
            save_password(conn, account.id, password, by=access.current_user())
    except AccountError as exc:
        raise _fail(f"[bold red]Cannot set the password[/]: {escape(str(exc))}") from None
    console.print(f"Password set for {account.username}.", highlight=False)


@users.command("list")
def list_users(db: DbOption = None) -> None:
    """Every account, with its role, LA, team and worker name."""
    with connect(db).connect() as conn:
        held = accounts(conn)
    if not held:
        console.print("No accounts yet. Add one with `carejourney users add`.")
        return
    table = Table("User name", "Name", "Role", "LA", "Team", "Worker", "Active")
    for a in held:
        table.add_row(
            a.username,
            a.display_name,
            a.role.value,
            a.la or "all",
            a.team or "",
            a.worker or "",
            "yes" if a.active else "no",
        )
    console.print(table)


@users.command("demo")
def demo_users(
    la: Annotated[str, typer.Option("--la", help="The synthetic LA's code.")] = "999",
    db: DbOption = None,
) -> None:
    """Make a demo account for each role (for the synthetic LA only) and print them."""
    engine = connect(db)
    with engine.begin() as conn:
        if la not in queries.local_authorities(conn):
            raise _fail(f"The database holds no LA {escape(la)}; import the demo returns first.")
        made = demo_accounts(conn, la, by=access.current_user())
    table = Table(title="Demo accounts (synthetic data)")
    for heading in ("Role", "User name", "Password"):  # to be copied whole: never wrapped
        table.add_column(heading, no_wrap=True)
    table.add_column("Sees")
    for d in made:
        a = d.account
        sees = a.role.description
        if a.team:
            sees += f" Team: {a.team}."
        if a.worker:
            sees += f" Worker: {a.worker}."
        table.add_row(a.role.value, a.username, d.password, sees)
    console.print(table)
    console.print(f"Database: {database.describe(database.resolve_url(db))}", highlight=False)
