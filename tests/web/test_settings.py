"""The session key: from the environment, else a file made once and kept."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from carejourney.config.secrets import SecretError
from carejourney.web.settings import SECRET_FILE, SECRET_VARIABLE, session_key


def test_the_key_is_made_once_readable_by_its_owner_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(SECRET_VARIABLE, raising=False)
    key = session_key(tmp_path)
    assert len(key) == 32 and session_key(tmp_path) == key
    assert stat.S_IMODE((tmp_path / SECRET_FILE).stat().st_mode) == 0o600


def test_the_environment_wins_and_a_short_key_is_refused_without_being_echoed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SECRET_VARIABLE, "ab" * 16)
    assert session_key(tmp_path) == bytes.fromhex("ab" * 16)
    monkeypatch.setenv(SECRET_VARIABLE, "abcd1234")
    with pytest.raises(SecretError) as raised:
        session_key(tmp_path)
    assert "abcd1234" not in str(raised.value)
    assert "everyone signed in must sign in again" in str(raised.value)
