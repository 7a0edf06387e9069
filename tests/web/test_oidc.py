"""Single sign-on through OpenID Connect, against a stand-in provider on 127.0.0.1.

The app under test talks to the provider over real HTTP (discovery, token, keys); the
browser's part, following redirects between the two, is done by hand here.
"""

from __future__ import annotations

import logging
import shutil
import socket
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from carejourney.store.tables import access_log
from carejourney.web.accounts import find_account, update_account
from carejourney.web.app import create_app
from carejourney.web.oidc import SsoSetupError, sso_settings
from carejourney.web.settings import OidcSettings, WebSettings
from tests.web.conftest import SESSION_KEY
from tests.web.oidc_provider import CLIENT_ID, CLIENT_SECRET, Provider, running_provider

MANAGER_EMAIL = "mo.manager@example.org"


@pytest.fixture(scope="module")
def provider() -> Iterator[Provider]:
    with running_provider() as running:
        yield running


@dataclass
class Sso:
    app: FastAPI
    provider: Provider
    client: TestClient

    def sign_in(self, next_page: str = "/", tamper_state: bool = False) -> httpx.Response:
        """Sign in through the provider as `provider.user`; the app's last answer."""
        start = self.client.get(f"/login/sso?next={next_page}", follow_redirects=False)
        assert start.status_code == 302, start.text
        assert start.headers["location"].startswith(self.provider.base_url + "/authorize?")
        back = httpx.get(start.headers["location"], follow_redirects=False)
        assert back.status_code == 302, back.text
        callback = back.headers["location"]
        if tamper_state:
            parts = urlsplit(callback)
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            query["state"] = "a state this session never sent"
            callback = f"{parts.path}?{urlencode(query)}"
        return self.client.get(callback, follow_redirects=False)

    def signed_in(self) -> bool:
        return self.client.get("/", follow_redirects=False).status_code == 200


@pytest.fixture
def sso(provider: Provider, web_template: tuple[Path, Path], tmp_path: Path) -> Iterator[Sso]:
    provider.user = {"email": MANAGER_EMAIL}
    provider.spoil = None
    provider.metadata_issuer = None
    db = tmp_path / "web.db"
    shutil.copyfile(web_template[1], db)
    settings = WebSettings(
        db=str(db),
        session_key=SESSION_KEY,
        oidc=OidcSettings(
            metadata_url=provider.metadata_url, client_id=CLIENT_ID, client_secret=CLIENT_SECRET
        ),
    )
    app = create_app(settings)
    with app.state.engine.begin() as conn:
        manager = find_account(conn, username="manager")
        assert manager is not None
        update_account(conn, replace(manager, email=MANAGER_EMAIL), by="tests")
    client = TestClient(app, raise_server_exceptions=False)
    try:
        yield Sso(app, provider, client)
    finally:
        client.close()
        app.state.engine.dispose()


def _log(sso: Sso) -> list[tuple[str, str, str | None]]:
    with sso.app.state.engine.connect() as conn:
        rows = conn.execute(select(access_log.c.who, access_log.c.action, access_log.c.detail))
        return [(r.who, r.action, r.detail) for r in rows]


def test_the_sign_in_page_offers_single_sign_on(sso: Sso) -> None:
    page = sso.client.get("/login?next=/aims")
    assert 'href="/login/sso?next=/aims"' in page.text


def test_signing_in_through_the_provider_signs_in_the_matching_account(sso: Sso) -> None:
    reply = sso.sign_in(next_page="/aims")
    assert (reply.status_code, reply.headers["location"]) == (303, "/aims")
    assert "Mo Manager" in sso.client.get("/").text
    assert ("manager", "signed in (single sign-on)", None) in _log(sso)
    # The code flow with PKCE, state and nonce was asked for.
    asked = sso.provider.authorize_requests[-1]
    assert asked["response_type"] == "code"
    assert asked["code_challenge_method"] == "S256"
    assert asked["state"] and asked["nonce"] and asked["code_challenge"]
    assert "openid" in asked["scope"].split()
    assert asked["redirect_uri"] == "http://testserver/login/sso/callback"


def test_the_address_is_matched_whatever_its_case(sso: Sso) -> None:
    sso.provider.user = {"email": MANAGER_EMAIL.upper()}
    assert sso.sign_in().status_code == 303
    assert sso.signed_in()


def test_someone_with_no_account_is_told_to_ask_their_administrator(sso: Sso) -> None:
    sso.provider.user = {"email": "new.starter@example.org"}
    reply = sso.sign_in()
    assert reply.status_code == 403
    assert "You signed in as new.starter@example.org, but carejourney has no account" in (
        reply.text
    )
    assert not sso.signed_in()
    assert ("new.starter@example.org", "single sign-on refused", "no account") in _log(sso)


def test_a_switched_off_account_is_refused(sso: Sso) -> None:
    with sso.app.state.engine.begin() as conn:
        manager = find_account(conn, username="manager")
        assert manager is not None
        update_account(conn, replace(manager, active=False), by="tests")
    reply = sso.sign_in()
    assert reply.status_code == 403
    assert "switched off" in reply.text
    assert not sso.signed_in()


@pytest.mark.parametrize(
    ("spoil", "logged"),
    [
        ("nonce", "'nonce'"),
        ("issuer", "'iss'"),
        ("audience", "'aud'"),
        ("signature", "signature"),
        ("expired", "expired"),
    ],
)
def test_an_id_token_that_does_not_check_out_is_refused(
    sso: Sso, spoil: str, logged: str, caplog: pytest.LogCaptureFixture
) -> None:
    sso.provider.spoil = spoil
    with caplog.at_level(logging.WARNING, logger="carejourney.web"):
        reply = sso.sign_in()
    assert reply.status_code == 400
    assert logged in caplog.text.lower(), caplog.text
    assert "Single sign-on did not work" in reply.text
    assert not sso.signed_in()
    assert not any(action == "signed in (single sign-on)" for _, action, _ in _log(sso))


def test_a_reply_with_another_state_is_refused(sso: Sso) -> None:
    reply = sso.sign_in(tamper_state=True)
    assert reply.status_code == 400
    assert not sso.signed_in()


def test_a_reply_cannot_be_used_twice(sso: Sso) -> None:
    start = sso.client.get("/login/sso", follow_redirects=False)
    callback = httpx.get(start.headers["location"], follow_redirects=False).headers["location"]
    assert sso.client.get(callback, follow_redirects=False).status_code == 303
    other = TestClient(sso.app)
    assert other.get(callback, follow_redirects=False).status_code == 400  # no state here


def test_the_claim_can_be_the_user_name(sso: Sso) -> None:
    sso.app.state.settings = replace(
        sso.app.state.settings,
        oidc=replace(sso.app.state.settings.oidc, claim="preferred_username"),
    )
    sso.provider.user = {"preferred_username": "practitioner"}
    assert sso.sign_in().status_code == 303
    assert "Pat Practitioner" in sso.client.get("/").text


def test_a_token_without_the_claim_is_refused(sso: Sso) -> None:
    sso.provider.user = {"name": "Mo Manager"}
    assert sso.sign_in().status_code == 400
    assert not sso.signed_in()


def test_an_unverified_email_address_is_refused(sso: Sso) -> None:
    sso.provider.user = {"email": MANAGER_EMAIL, "email_verified": False}
    assert sso.sign_in().status_code == 400


def test_metadata_from_another_issuer_is_a_setup_problem(sso: Sso) -> None:
    # As Entra ID's "common" metadata: its issuer is not where it was fetched from.
    sso.provider.metadata_issuer = "https://login.example.net/{tenantid}/v2.0"
    reply = sso.client.get("/login/sso", follow_redirects=False)
    assert reply.status_code == 503
    assert "not set up correctly" in reply.text


def _plain_app(
    web_template: tuple[Path, Path], tmp_path: Path, oidc: OidcSettings | None
) -> FastAPI:
    db = tmp_path / "plain.db"
    shutil.copyfile(web_template[1], db)
    return create_app(WebSettings(db=str(db), session_key=SESSION_KEY, oidc=oidc))


def test_without_single_sign_on_its_pages_say_so(
    web_template: tuple[Path, Path], tmp_path: Path
) -> None:
    app = _plain_app(web_template, tmp_path, None)
    with TestClient(app) as client:
        assert "/login/sso" not in client.get("/login").text
        assert client.get("/login/sso").status_code == 404
        assert client.get("/login/sso/callback?code=x&state=y").status_code == 404
    app.state.engine.dispose()


def test_an_unreachable_provider_gets_a_plain_message(
    web_template: tuple[Path, Path], tmp_path: Path
) -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))  # bound, never listening: connecting is refused
        port = unused.getsockname()[1]
        oidc = OidcSettings(
            metadata_url=f"http://127.0.0.1:{port}/.well-known/openid-configuration",
            client_id="x",
            client_secret="y",
        )
        app = _plain_app(web_template, tmp_path, oidc)
        with TestClient(app) as client:
            reply = client.get("/login/sso", follow_redirects=False)
        app.state.engine.dispose()
    assert reply.status_code == 502
    assert "did not answer" in reply.text


URL = "https://login.microsoftonline.com/tenant-id/v2.0/.well-known/openid-configuration"
SECRET = {"CAREJOURNEY_SSO_CLIENT_SECRET": "s3cret"}


@pytest.mark.parametrize(
    ("options", "environ", "says"),
    [
        ({"metadata_url": URL}, {}, "the client ID (--sso-client-id"),
        ({"metadata_url": URL, "client_id": "abc"}, {}, "the client secret (the environment"),
        ({}, SECRET, "the metadata URL (--sso-metadata-url"),
        ({"metadata_url": URL.replace("https", "http"), "client_id": "abc"}, SECRET, "https://"),
        ({"metadata_url": URL, "client_id": "abc", "claim": "e mail"}, SECRET, "one word"),
    ],
)
def test_single_sign_on_set_up_in_part_says_what_is_missing(
    options: dict[str, str], environ: dict[str, str], says: str
) -> None:
    with pytest.raises(SsoSetupError) as raised:
        sso_settings(**options, environ=environ)
    assert says in str(raised.value)


def test_single_sign_on_settings_come_from_options_or_the_environment() -> None:
    assert sso_settings(environ={}) is None
    environ = {
        "CAREJOURNEY_SSO_METADATA_URL": URL,
        "CAREJOURNEY_SSO_CLIENT_ID": "from-env",
        "CAREJOURNEY_SSO_CLAIM": "preferred_username",
        **SECRET,
    }
    assert sso_settings(environ=environ) == OidcSettings(
        URL, "from-env", "s3cret", claim="preferred_username"
    )
    chosen = sso_settings(client_id="from-option", claim="email", environ=environ)
    assert chosen is not None and (chosen.client_id, chosen.claim) == ("from-option", "email")
    local = "http://127.0.0.1:9000/.well-known/openid-configuration"
    assert sso_settings(metadata_url=local, client_id="x", environ=SECRET) is not None


def test_the_name_the_provider_gives_is_shown_as_text(sso: Sso) -> None:
    sso.provider.user = {"email": "<b>mo</b>@example.org"}
    reply = sso.sign_in()
    assert reply.status_code == 403
    assert "<b>mo</b>" not in reply.text
    assert "&lt;b&gt;mo&lt;/b&gt;@example.org" in reply.text


def test_serve_refuses_single_sign_on_set_up_in_part(
    web_template: tuple[Path, Path], tmp_path: Path
) -> None:
    from typer.testing import CliRunner

    from carejourney.cli import app as cli

    db = tmp_path / "cli.db"
    shutil.copyfile(web_template[1], db)
    environ = {"CAREJOURNEY_SESSION_KEY": SESSION_KEY.hex(), "CAREJOURNEY_SSO_CLIENT_SECRET": ""}
    result = CliRunner().invoke(
        cli,
        ["serve", "--db", str(db), "--sso-metadata-url", URL, "--sso-client-id", "abc"],
        env=environ,
    )
    assert result.exit_code == 2
    said = " ".join(result.output.split())
    assert "Cannot set up single sign-on" in said
    assert "CAREJOURNEY_SSO_CLIENT_SECRET" in said
