"""Diagnostics: what every stage reports beside its result, in a compiler's format."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    path: str  # vault-relative (or project-relative for configuration) path, NFC
    line: int  # 1-based; 0 when the problem concerns the whole file
    col: int  # 1-based, in characters
    severity: Severity
    code: str  # stable identifier such as "unresolved-link"
    message: str
    hint: str = ""

    def format(self, prefix: str = "") -> str:
        name = self.path if os.path.isabs(self.path) else prefix + self.path  # never glued
        where = f"{name}:{self.line}:{self.col}" if self.line else name
        text = f"{where}: {self.severity.value}[{self.code}]: {self.message}"
        return f"{text} ({self.hint})" if self.hint else text

    def to_json(self) -> dict:
        return asdict(self)


def display_path(path: os.PathLike | str) -> str:
    """How every command names a path: relative to the current folder when inside it,
    absolute otherwise (never `../../x`, never a relative prefix glued to an absolute path)."""
    absolute, here = os.path.abspath(path), os.getcwd()
    if absolute == here:
        return "."
    if absolute.startswith(here.rstrip(os.sep) + os.sep):
        return os.path.relpath(absolute, here)
    return absolute


def sort_key(diagnostic: Diagnostic) -> tuple:
    return (diagnostic.path, diagnostic.line, diagnostic.col, diagnostic.code, diagnostic.message)


def count(diagnostics: Iterable[Diagnostic], severity: Severity) -> int:
    return sum(1 for d in diagnostics if d.severity is severity)


def format_all(diagnostics: Iterable[Diagnostic], prefix: str = "") -> str:
    return "\n".join(d.format(prefix) for d in sorted(diagnostics, key=sort_key))


def to_json(diagnostics: Iterable[Diagnostic]) -> str:
    ordered = sorted(diagnostics, key=sort_key)
    return json.dumps([d.to_json() for d in ordered], ensure_ascii=False, indent=2)


class ConfigError(Exception):
    """A configuration problem that stops a command before any stage runs."""

    def __init__(self, diagnostic: Diagnostic):
        super().__init__(diagnostic.format())
        self.diagnostic = diagnostic
