"""A stand-in OpenID Connect provider for the single sign-on tests.

It serves discovery, authorisation (it signs in `Provider.user` at once and sends them back
with a code), the token endpoint (an RS256 ID token, signed with a key made for the test)
and its keys, on 127.0.0.1 at a free port, from uvicorn in a background thread: the app
under test reaches it over real HTTP, as it would reach Microsoft Entra ID.

`Provider.spoil` makes the next ID token wrong in one way ("nonce", "issuer", "audience",
"signature", "expired"), to prove each is refused. The token endpoint checks the client
secret, the redirect URI and the PKCE verifier against the challenge, so a client that did
not use PKCE (S256) would fail too.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import uvicorn
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

CLIENT_ID = "carejourney-test-client"
CLIENT_SECRET = "a test secret, not a real one"


def _key(kid: str) -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"kid": kid, "use": "sig", "alg": "RS256"})


@dataclass
class Provider:
    """What the provider signs people in as, and what it has been asked."""

    base_url: str = ""
    user: dict[str, Any] = field(default_factory=lambda: {"email": "mo@example.org"})
    spoil: str | None = None
    metadata_issuer: str | None = None  # what discovery calls the issuer, if not itself
    key: RSAKey = field(default_factory=lambda: _key("test-key"))
    other_key: RSAKey = field(default_factory=lambda: _key("test-key"))  # same kid, wrong key
    codes: dict[str, dict[str, str]] = field(default_factory=dict)
    authorize_requests: list[dict[str, str]] = field(default_factory=list)
    token_refusals: list[str] = field(default_factory=list)

    @property
    def metadata_url(self) -> str:
        return f"{self.base_url}/.well-known/openid-configuration"

    def id_token(self, nonce: str) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.base_url,
            "sub": "subject-" + str(self.user.get("email", "x")),
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
            **self.user,
        }
        key = self.key
        if self.spoil == "nonce":
            claims["nonce"] = "not the nonce that was sent"
        elif self.spoil == "issuer":
            claims["iss"] = "https://login.example.net/someone-else"
        elif self.spoil == "audience":
            claims["aud"] = "another-app"
            claims["azp"] = CLIENT_ID  # an authorised party alone must not be enough
        elif self.spoil == "expired":
            claims["iat"], claims["exp"] = now - 3600, now - 1800
        elif self.spoil == "signature":
            key = self.other_key
        return jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key)


def _app(provider: Provider) -> Starlette:
    def discovery(request: Request) -> Response:
        base = provider.base_url
        return JSONResponse(
            {
                "issuer": provider.metadata_issuer or base,
                "authorization_endpoint": f"{base}/authorize",
                "token_endpoint": f"{base}/token",
                "jwks_uri": f"{base}/jwks",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "code_challenge_methods_supported": ["S256"],
            }
        )

    def authorize(request: Request) -> Response:
        asked = dict(request.query_params)
        provider.authorize_requests.append(asked)
        if asked.get("client_id") != CLIENT_ID:
            return JSONResponse({"error": "unauthorized_client"}, status_code=400)
        code = secrets.token_urlsafe(16)
        provider.codes[code] = asked
        query = urlencode({"code": code, "state": asked.get("state", "")})
        return RedirectResponse(f"{asked['redirect_uri']}?{query}", status_code=302)

    async def token(request: Request) -> Response:
        form = await request.form()
        basic = request.headers.get("authorization", "")
        expected = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        secret_given = basic == f"Basic {expected}" or (
            form.get("client_id") == CLIENT_ID and form.get("client_secret") == CLIENT_SECRET
        )
        asked = provider.codes.pop(str(form.get("code")), None)
        verifier = str(form.get("code_verifier") or "")
        challenge = (
            base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
            .rstrip(b"=")
            .decode()
        )
        why = None
        if not secret_given:
            why = "client secret"
        elif asked is None:
            why = "unknown code"
        elif form.get("redirect_uri") != asked.get("redirect_uri"):
            why = "redirect uri"
        elif asked.get("code_challenge_method") != "S256" or challenge != asked.get(
            "code_challenge"
        ):
            why = "pkce"
        if why is not None or asked is None:
            provider.token_refusals.append(why or "?")
            return JSONResponse({"error": "invalid_grant"}, status_code=400)
        return JSONResponse(
            {
                "access_token": secrets.token_urlsafe(16),
                "token_type": "Bearer",
                "expires_in": 3600,
                "id_token": provider.id_token(asked.get("nonce", "")),
            }
        )

    def jwks(request: Request) -> Response:
        return JSONResponse(KeySet([provider.key]).as_dict(private=False))

    return Starlette(
        routes=[
            Route("/.well-known/openid-configuration", discovery),
            Route("/authorize", authorize),
            Route("/token", token, methods=["POST"]),
            Route("/jwks", jwks),
        ]
    )


@contextmanager
def running_provider() -> Iterator[Provider]:
    """The provider, served on 127.0.0.1 at a free port until the block ends."""
    provider = Provider()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    # Listening before the server starts: the app's first request waits in the backlog
    # rather than failing, so nothing has to sleep until the server is up.
    sock.listen(16)
    provider.base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    server = uvicorn.Server(
        uvicorn.Config(_app(provider), log_level="warning", access_log=False, lifespan="off")
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
