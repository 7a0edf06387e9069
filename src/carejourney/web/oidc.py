"""Single sign-on through the LA's OpenID Connect provider (Microsoft Entra ID, say).

Authlib's Starlette client does the protocol: the provider's discovery document, the
authorisation code flow with PKCE (S256), state and nonce kept in the signed session, and
the ID token's signature checked against the provider's published keys. This module adds
what carejourney insists on beyond that: the issuer must be the one the discovery document
was fetched from, the token must name this app as its audience, and the claim that names
the person (their email address, by default) must be there. Sign-on only says who someone
is; `pages/sso.py` matches them to an account an administrator made, which says what they
may do.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import httpx
from authlib.integrations.starlette_client import (  # type: ignore[import-untyped]
    OAuth,
    OAuthError,
)
from fastapi import Request
from joserfc.errors import JoseError
from starlette.responses import Response

from carejourney.web.settings import OidcSettings

__all__ = [
    "CLAIM_VARIABLE",
    "CLIENT_ID_VARIABLE",
    "METADATA_URL_VARIABLE",
    "SECRET_VARIABLE",
    "SsoFailed",
    "SsoSetupError",
    "finish",
    "sso_settings",
    "start",
]

METADATA_URL_VARIABLE = "CAREJOURNEY_SSO_METADATA_URL"
CLIENT_ID_VARIABLE = "CAREJOURNEY_SSO_CLIENT_ID"
SECRET_VARIABLE = "CAREJOURNEY_SSO_CLIENT_SECRET"
CLAIM_VARIABLE = "CAREJOURNEY_SSO_CLAIM"

SCOPE = "openid email profile"
TIMEOUT_SECONDS = 10.0  # a provider that does not answer must not hold a page for ever
_STATE = "oidc_client"  # where the app keeps its client (made on first use)


def _http_errors() -> tuple[type[Exception], ...]:
    """Failures to reach the provider. Authlib talks through httpx2 when it is installed
    and falls back to httpx, so either library's errors can come up."""
    errors: list[type[Exception]] = [httpx.HTTPError]
    try:
        import httpx2
    except ImportError:
        return tuple(errors)
    errors.append(httpx2.HTTPError)
    return tuple(errors)


HTTP_ERRORS = _http_errors()


class SsoSetupError(ValueError):
    """Single sign-on is set up only in part, or wrongly: what to change, in words."""


class SsoFailed(Exception):
    """Signing in through the provider did not work; `reason` is safe to log and show."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _local(url: str) -> bool:
    return (urlsplit(url).hostname or "") in {"localhost", "127.0.0.1", "::1"}


def sso_settings(
    *,
    metadata_url: str | None = None,
    client_id: str | None = None,
    claim: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> OidcSettings | None:
    """Single sign-on settings from the options given, else the environment variables;
    None when none of them is set. The client secret comes only from the environment
    (`CAREJOURNEY_SSO_CLIENT_SECRET`): on a command line, any user of the server could read
    it in the list of processes."""
    env = os.environ if environ is None else environ
    url = (metadata_url or env.get(METADATA_URL_VARIABLE) or "").strip()
    client = (client_id or env.get(CLIENT_ID_VARIABLE) or "").strip()
    secret = (env.get(SECRET_VARIABLE) or "").strip()
    named = (claim or env.get(CLAIM_VARIABLE) or "email").strip()
    if not (url or client or secret):
        return None
    missing = [
        what
        for what, given in [
            (f"the metadata URL (--sso-metadata-url or {METADATA_URL_VARIABLE})", url),
            (f"the client ID (--sso-client-id or {CLIENT_ID_VARIABLE})", client),
            (f"the client secret (the environment variable {SECRET_VARIABLE})", secret),
        ]
        if not given
    ]
    if missing:
        raise SsoSetupError(
            "Single sign-on is only partly set up: it needs " + " and ".join(missing) + ". "
            "Give all three, or none to sign in with passwords only."
        )
    parts = urlsplit(url)
    if parts.scheme != "https" and not (parts.scheme == "http" and _local(url)):
        raise SsoSetupError(
            f"The single sign-on metadata URL must start with https:// (it is {url}). For "
            "Microsoft Entra ID it is https://login.microsoftonline.com/YOUR-TENANT-ID/v2.0/"
            ".well-known/openid-configuration."
        )
    if not named or any(c.isspace() for c in named):
        raise SsoSetupError(
            "The single sign-on claim must be one word, such as email or preferred_username."
        )
    return OidcSettings(metadata_url=url, client_id=client, client_secret=secret, claim=named)


def _client(request: Request) -> Any:
    """The app's OpenID Connect client (its discovery document and keys are kept in it)."""
    state = request.app.state
    client = getattr(state, _STATE, None)
    if client is None:
        settings: OidcSettings = request.app.state.settings.oidc
        oauth = OAuth()
        oauth.register(
            "sso",
            client_id=settings.client_id,
            client_secret=settings.client_secret,
            server_metadata_url=settings.metadata_url,
            client_kwargs={
                "scope": SCOPE,
                "code_challenge_method": "S256",
                "timeout": TIMEOUT_SECONDS,
            },
        )
        client = oauth.create_client("sso")
        setattr(state, _STATE, client)
    return client


async def _metadata(request: Request, client: Any) -> dict[str, Any]:
    """The discovery document, checked: its issuer must be where it was fetched from
    (OpenID Connect Discovery 1.0, section 4.3), so tokens from any other issuer fail."""
    metadata: dict[str, Any] = await client.load_server_metadata()
    url: str = request.app.state.settings.oidc.metadata_url
    issuer = metadata.get("issuer")
    if not isinstance(issuer, str) or not url.startswith(issuer.rstrip("/") + "/"):
        raise SsoSetupError(
            f"The sign-on provider's metadata names the issuer {issuer!r}, which is not where "
            "the metadata came from. For Microsoft Entra ID, use your tenant's own metadata "
            "URL (with your tenant ID), not one for 'common' or 'organizations'."
        )
    for needed in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not metadata.get(needed):
            raise SsoSetupError(f"The sign-on provider's metadata has no {needed}.")
    return metadata


async def start(request: Request, redirect_uri: str) -> Response:
    """Send the person to the provider to sign in (state, nonce and PKCE verifier are kept
    in the session until they come back)."""
    client = _client(request)
    try:
        await _metadata(request, client)
        response: Response = await client.authorize_redirect(request, redirect_uri)
    except HTTP_ERRORS as exc:
        raise SsoFailed(
            f"the sign-on provider could not be reached ({type(exc).__name__})"
        ) from exc
    return response


async def finish(request: Request) -> str:
    """Complete the sign-in the provider sent back: the value of the configured claim
    (e.g. the person's email address), from an ID token whose signature, issuer, audience,
    expiry and nonce all check out. Raises SsoFailed otherwise."""
    client = _client(request)
    settings: OidcSettings = request.app.state.settings.oidc
    try:
        metadata = await _metadata(request, client)
        token = await client.authorize_access_token(
            request,
            claims_options={
                "iss": {"essential": True, "value": metadata["issuer"]},
                "aud": {"essential": True, "value": settings.client_id},
                "exp": {"essential": True},
                "iat": {"essential": True},
            },
        )
    except OAuthError as exc:
        raise SsoFailed(f"the sign-on response was refused ({exc.error})") from exc
    except JoseError as exc:
        # joserfc's description names the claim or check that failed, never its value.
        raise SsoFailed(f"the ID token was refused ({exc.description or exc.error})") from exc
    except HTTP_ERRORS as exc:
        raise SsoFailed(
            f"the sign-on provider could not be reached ({type(exc).__name__})"
        ) from exc
    claims = token.get("userinfo")
    if not claims:  # no ID token came back, so nothing says who this is
        raise SsoFailed("the sign-on provider sent no ID token")
    if settings.claim == "email" and claims.get("email_verified") is False:
        raise SsoFailed("the sign-on provider says the email address is not verified")
    value = claims.get(settings.claim)
    if not isinstance(value, str) or not value.strip():
        raise SsoFailed(f"the ID token has no {settings.claim} claim")
    return value.strip()
