"""Secrets an installation makes once and keeps: the salt for pseudonyms, the key that
signs web sessions. Each comes from an environment variable (for a shared server, or to
give several installations the same value) or else a file made on first use from the
operating system's random generator, readable by its owner only (permissions 0600).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from pathlib import Path

__all__ = ["SecretError", "installation_secret"]

SECRET_BYTES = 32


class SecretError(ValueError):
    """The secret cannot be read or made; the message says what to do."""


def installation_secret(*, file: Path, variable: str, what: str, when_replaced: str) -> bytes:
    """`$variable` as hex, else the hex in `file` (made when missing), at least 16 bytes.

    `what` names the secret in messages ("the pseudonym salt"); `when_replaced` says what
    follows from removing a bad file ("every child then gets a new pseudonym")."""
    value = os.environ.get(variable)
    if value is not None:
        return _from_hex(value.strip(), f"${variable}", what, when_replaced)
    if not file.exists():
        _create(file, what)
    try:
        text = file.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise SecretError(f"Cannot read {what} file {file}: {exc}.") from None
    return _from_hex(text, f"{what} file {file}", what, when_replaced)


def _from_hex(text: str, where: str, what: str, when_replaced: str) -> bytes:
    try:
        secret = bytes.fromhex(text)
    except ValueError:
        secret = b""
    if len(secret) < 16:
        # Never echo the value: it is a secret.
        raise SecretError(
            f"The value in {where} is not at least 16 bytes written as hex (32 hex digits "
            f"or more). Remove it to have {what} made anew, knowing that {when_replaced}."
        )
    return secret


def _create(path: Path, what: str) -> None:
    """Write a new secret to `path` unless another process does first (atomic: the file
    appears whole, made by `mkstemp` with permissions 0600, or not at all)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".secret-")
    except OSError as exc:
        raise SecretError(f"Cannot make {what} file in {path.parent}: {exc}.") from None
    try:
        with os.fdopen(handle, "w", encoding="ascii") as out:
            out.write(secrets.token_bytes(SECRET_BYTES).hex() + "\n")
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, 0o600)
        with contextlib.suppress(FileExistsError):  # made meanwhile: keep that one
            os.link(temporary, path)
    except OSError as exc:
        raise SecretError(f"Cannot make {what} file {path}: {exc}.") from None
    finally:
        Path(temporary).unlink(missing_ok=True)
