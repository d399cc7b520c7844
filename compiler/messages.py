"""The words kb writes into a site, in the site's language (`theme.language`).

One catalogue per language, `compiler/catalogues/<language>.yaml`, with the same keys:
English and Korean are complete; any other language falls back to English. A message is a
Python format string; one that counts something is a mapping of plural forms (`one`,
`other`) chosen by `n`, so that numbers read naturally in both languages ("1 note",
"2 notes"; "노트 2개").

The build sets the language once (`use_language`, around render); the modules that write
pages ask `current()` for the catalogue, or take one as an argument.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

DEFAULT_LANGUAGE = "en"
LANGUAGES = ("en", "ko")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")


@cache
def catalogue(language: str) -> Mapping[str, str | Mapping[str, str]]:
    """The messages of a language (a code of LANGUAGES), read from its YAML file."""
    text = (resources.files("compiler") / "catalogues" / f"{language}.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def base_language(language: str | None) -> str:
    """`ko`, `ko-KR`, `ko_KR` -> `ko`; a language without a catalogue -> `en`."""
    code = (language or "").replace("_", "-").split("-")[0].lower()
    return code if code in LANGUAGES else DEFAULT_LANGUAGE


@dataclass(frozen=True)
class Messages:
    language: str

    def __call__(self, key: str, n: int | None = None, **values: object) -> str:
        """The message `key`, formatted; `n` chooses the plural form and fills `{n}`."""
        message = catalogue(self.language).get(key)
        if message is None:  # a key missing from a catalogue: the English words
            message = catalogue(DEFAULT_LANGUAGE)[key]
        if isinstance(message, Mapping):
            message = message["one"] if n == 1 and "one" in message else message["other"]
        return message.format(n=n, **values) if (n is not None or values) else message

    def date(self, year: int, month: int, day: int) -> str:
        return self("properties.date", year=year, month=month, day=day, month_name=MONTHS[month - 1])

    def table(self, keys: list[str]) -> dict[str, str]:
        """Plain messages by key, for the browser (graph.js reads them from the page)."""
        return {key: self(key) for key in keys}


def messages(language: str | None) -> Messages:
    return Messages(base_language(language))


_CURRENT: contextvars.ContextVar[Messages | None] = contextvars.ContextVar("kb_messages", default=None)
# Outside a build (a stage function called alone): the bundled vault's language.
_OUTSIDE_A_BUILD = Messages("ko")


def current() -> Messages:
    """The catalogue of the site being built."""
    return _CURRENT.get() or _OUTSIDE_A_BUILD


@contextlib.contextmanager
def use_language(language: str | None) -> Iterator[Messages]:
    """Within the block, `current()` is the catalogue of `language`."""
    chosen = messages(language)
    token = _CURRENT.set(chosen)
    try:
        yield chosen
    finally:
        _CURRENT.reset(token)
