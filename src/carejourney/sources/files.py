"""Gather input files from paths: single files, folders (searched recursively) and zips."""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from carejourney.sources.problems import Problem, error, warning

READABLE_SUFFIXES = {".csv", ".xml", ".txt"}
SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods"}


@dataclass(frozen=True)
class SourceFile:
    """The bytes of one input file. `name` is how we show it to the user;
    `group` is the folder or zip it came from (files in one group are one return)."""

    name: str
    data: bytes
    group: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def stem(self) -> str:
        return Path(self.name.split("!")[-1]).stem


def gather(paths: Iterable[Path]) -> tuple[list[SourceFile], list[Problem]]:
    files: list[SourceFile] = []
    problems: list[Problem] = []
    for path in paths:
        if not path.exists():
            problems.append(
                error(str(path), "file-not-found", "There is no file or folder with this name.")
            )
        elif path.is_dir():
            for member in sorted(p for p in path.rglob("*") if p.is_file()):
                _add_file(member, str(member.parent), files, problems, from_folder=True)
        else:
            _add_file(path, str(path.parent), files, problems, from_folder=False)
    return files, problems


def _add_file(
    path: Path, group: str, files: list[SourceFile], problems: list[Problem], from_folder: bool
) -> None:
    suffix = path.suffix.lower()
    if suffix == ".zip":
        files.extend(_read_zip(path, problems))
    elif suffix in READABLE_SUFFIXES or suffix in SPREADSHEET_SUFFIXES or not from_folder:
        try:
            files.append(SourceFile(str(path), path.read_bytes(), group))
        except OSError as exc:
            problems.append(
                error(
                    str(path), "file-unreadable", f"The file could not be opened: {exc.strerror}."
                )
            )
    elif not path.name.startswith("."):
        problems.append(
            warning(
                str(path),
                "file-ignored",
                "Not a CSV, XML, Excel or zip file, so it was not read.",
            )
        )


def _read_zip(path: Path, problems: list[Problem]) -> list[SourceFile]:
    try:
        with zipfile.ZipFile(path) as archive:
            out = []
            for info in sorted(archive.infolist(), key=lambda i: i.filename):
                member = Path(info.filename)
                if info.is_dir() or member.name.startswith(".") or "__MACOSX" in member.parts:
                    continue
                name = f"{path}!{info.filename}"
                if member.suffix.lower() not in READABLE_SUFFIXES | SPREADSHEET_SUFFIXES:
                    problems.append(
                        warning(
                            name,
                            "file-ignored",
                            "Not a CSV, XML or Excel file, so it was not read.",
                        )
                    )
                    continue
                group = f"{path}!{member.parent}"
                out.append(SourceFile(name, archive.read(info), group))
            return out
    except (zipfile.BadZipFile, OSError) as exc:
        problems.append(
            error(str(path), "file-unreadable", f"The zip file could not be opened ({exc}).")
        )
        return []
