"""How the web app is set up: its database, session key, HTTPS, rule sets and sign-on."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from carejourney.config.secrets import installation_secret
from carejourney.store import database

__all__ = ["SECRET_FILE", "SECRET_VARIABLE", "OidcSettings", "WebSettings", "session_key"]

SECRET_FILE = "web-session-key"
SECRET_VARIABLE = "CAREJOURNEY_SESSION_KEY"


@dataclass(frozen=True)
class OidcSettings:
    """Single sign-on through an OpenID Connect provider (Microsoft Entra ID, say).

    `metadata_url` is the provider's discovery document, e.g.
    https://login.microsoftonline.com/TENANT/v2.0/.well-known/openid-configuration. A person
    signing in is matched by `claim` (their email address, by default) to an account an
    administrator has made: sign-on says who someone is, carejourney says what they may do."""

    metadata_url: str
    client_id: str
    client_secret: str
    claim: str = "email"
    label: str = "Sign in with your organisation's account"


@dataclass(frozen=True)
class WebSettings:
    db: str | None = None  # a path or URL, as --db; None: $CAREJOURNEY_DATABASE_URL or default
    session_key: bytes = b""  # signs session cookies; `session_key()` gives the installation's
    https: bool = False  # served over HTTPS (directly or by a proxy): cookies are Secure
    rule_sets: tuple[str, ...] = ("england",)
    oidc: OidcSettings | None = None
    session_hours: int = 8  # a working day; then sign in again


def session_key(folder: Path | None = None) -> bytes:
    """The installation's key for signing session cookies: `$CAREJOURNEY_SESSION_KEY` as
    hex, else the file `web-session-key` beside the default database, made on first use."""
    where = folder if folder is not None else database.default_path().parent
    return installation_secret(
        file=where / SECRET_FILE,
        variable=SECRET_VARIABLE,
        what="the web session key",
        when_replaced="everyone signed in must sign in again",
    )
