"""Reading the TOML files users edit (rule sets, unit costs, national figures) into
validated models, with every problem in words: which file, where in it, what was expected."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from os import PathLike
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

Model = TypeVar("Model", bound=BaseModel)
Explain = Callable[[ErrorDetails, dict[str, Any]], str]


def read_user_file(path: str | PathLike[str], *, what: str, error: type[Exception]) -> bytes:
    """The bytes of a file the user named, or `error` saying why it cannot be read."""
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise error(f"Cannot read the {what} {path}: {exc.strerror}.") from None


def parse_model(
    data: bytes,
    file: str,
    *,
    what: str,
    model: type[Model],
    error: type[Exception],
    explain: Explain,
) -> Model:
    """`data` (the bytes of `file`, a `what` such as "rule set file") as `model`; raises
    `error` listing every problem, each in the words `explain` gives it."""
    try:
        raw = tomllib.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise error(f"The {what} {file} is not UTF-8 text: save it as UTF-8.") from None
    except tomllib.TOMLDecodeError as exc:
        raise error(
            f"The {what} {file} is not valid TOML: {exc}. Look there for a missing "
            'quote, "=" or bracket.'
        ) from None
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        problems = [f"  - {explain(e, raw)}" for e in exc.errors()]
        noun = "a problem" if len(problems) == 1 else f"{len(problems)} problems"
        raise error(f"The {what} {file} has {noun}:\n" + "\n".join(problems)) from None
