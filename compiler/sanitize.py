"""Raw HTML in notes, made safe to publish: what Obsidian does when it shows a note.

Obsidian sanitises a note's HTML before showing it, so a web-clipped or shared note is inert
there; the site must be no less safe. Two modes (`kb: raw_html:` in mkdocs.yml):

* ``sanitize`` (the default): an allow-list sanitiser (ammonia, through nh3) keeps formatting
  and drops the rest. No scripts, no event handlers, no ``javascript:``/``data:`` links, no
  ``<meta>``, ``<iframe>``, ``<object>``, ``<embed>``, ``<form>``, ``<style>``, ``<svg>``, no
  ``srcdoc``; an attribute that loads something (``src``, ``srcset``, ``poster``, ...) keeps
  only a URL inside the site; inline styles keep only properties that cannot load anything.
* ``trusted``: the HTML as written, scripts included, except that every attribute or style
  that would load from another host is switched off (the site loads nothing from elsewhere).

The note's Markdown hands the raw HTML over in pieces (markdown-it's ``html_block`` and
``html_inline`` tokens: a start tag here, its end tag three paragraphs later), so each piece
is read tag by tag with the standard library's HTML tokenizer, and each start tag is cleaned
by ammonia on its own: the piece keeps its structure (an open ``<details>`` stays open) and
the output is rebuilt from the tokens, never spliced.
"""

from __future__ import annotations

import dataclasses
import html
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from typing import Any, Literal, TypeVar

import nh3

from .diagnostics import Diagnostic, Severity

StageT = TypeVar("StageT", bound=Any)  # render.Stage (which imports this module)

RawHtml = Literal["sanitize", "trusted"]
MODES: tuple[RawHtml, ...] = ("sanitize", "trusted")

# Elements kept (ammonia's defaults, plus media that may only load from the site).
_TAGS = frozenset(nh3.ALLOWED_TAGS) | {
    "audio", "video", "source", "track", "picture", "section", "main", "figure", "figcaption",
    "tfoot", "caption", "font",
}
# Elements dropped with everything inside them; other unknown elements lose only their tags.
_DROPPED_WITH_CONTENT = frozenset({
    "script", "style", "template", "iframe", "object", "embed", "noscript", "noembed",
    "noframes", "frameset", "frame", "applet", "xmp", "plaintext", "title", "textarea",
    "select", "svg", "math", "head", "meta", "link", "base",
})
_VOID = frozenset({"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
                   "track", "wbr", "base", "param"})
_GENERIC_ATTRIBUTES = {"class", "id", "title", "lang", "dir", "style", "markdown", "align",
                       "width", "height", "role", "hidden", "tabindex"}
_ATTRIBUTES = {
    "*": _GENERIC_ATTRIBUTES,
    **{tag: set(names) for tag, names in nh3.ALLOWED_ATTRIBUTES.items()},
}
for _tag, _names in {
    "a": {"target", "name"}, "img": {"srcset", "sizes", "loading", "title"},
    "details": {"open"}, "ol": {"reversed", "type"}, "li": {"value"}, "time": {"datetime"},
    "audio": {"src", "controls", "loop", "muted", "preload"},
    "video": {"src", "controls", "loop", "muted", "preload", "poster", "playsinline"},
    "source": {"src", "srcset", "type", "media", "sizes"},
    "track": {"src", "kind", "srclang", "label", "default"}, "font": {"color", "size", "face"},
    "td": {"valign"}, "th": {"valign"}, "abbr": {"title"}, "data": {"value"},
}.items():
    _ATTRIBUTES.setdefault(_tag, set()).update(_names)
# Inline CSS properties whose values can never name an image or a file: `background`,
# `list-style`, `content`, `cursor`, `filter`, `mask`, `border-image`, custom properties and
# the like can, and are dropped, however their URLs are spelled (escapes, image-set(), ...).
_STYLE_PROPERTIES = {
    "color", "background-color", "opacity", "visibility", "display", "float", "clear",
    "width", "height", "min-width", "min-height", "max-width", "max-height", "box-sizing",
    "margin", "margin-top", "margin-right", "margin-bottom", "margin-left",
    "padding", "padding-top", "padding-right", "padding-bottom", "padding-left",
    "border", "border-top", "border-right", "border-bottom", "border-left", "border-color",
    "border-style", "border-width", "border-radius", "border-collapse", "border-spacing",
    "outline", "font", "font-family", "font-size", "font-style", "font-weight", "font-variant",
    "line-height", "letter-spacing", "word-spacing", "white-space", "word-break",
    "overflow-wrap", "text-align", "text-decoration", "text-decoration-color",
    "text-decoration-line", "text-decoration-style", "text-indent", "text-transform",
    "text-shadow", "vertical-align", "direction", "writing-mode", "table-layout", "caption-side",
    "overflow", "overflow-x", "overflow-y", "columns", "column-count", "column-gap", "gap",
    "flex", "flex-direction", "flex-wrap", "justify-content", "align-items", "align-self",
    "list-style-type", "list-style-position", "font-feature-settings",
}
# Attributes whose URL the browser fetches as the page renders: only the site's own files.
LOADING_ATTRIBUTES = frozenset({"src", "srcset", "poster", "data", "background", "lowsrc",
                                "dynsrc", "action", "formaction", "xlink:href", "manifest",
                                "codebase", "archive", "longdesc", "profile", "ping"})
# Ids the page itself uses: a note's element with one of them would stand in for the theme's.
_RESERVED_ID = re.compile(r"^(?:__|md-|kb-)", re.I)
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
_URL_WHITESPACE = re.compile(r"[\t\n\r]")

_CLEANER_OPTIONS = dict(tags=set(_TAGS), attributes=_ATTRIBUTES,
                        clean_content_tags=set(_DROPPED_WITH_CONTENT) - set(_TAGS),
                        filter_style_properties=_STYLE_PROPERTIES,
                        generic_attribute_prefixes={"aria-", "data-"},
                        link_rel="noopener noreferrer", strip_comments=True)


def browser_url(value: str) -> str:
    """A URL attribute as the browser reads it: outer spaces and control characters gone,
    tabs and newlines inside removed (`ht<TAB>tps:` is `https:`)."""
    return _URL_WHITESPACE.sub("", value.strip("\x00\x01\x02\x03\x04\x05\x06\x07\x08\t\n\x0b"
                                               "\x0c\r\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17"
                                               "\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f "))


def is_local_url(value: str) -> bool:
    """A URL that stays on the site: no scheme, not protocol-relative (`//host`, `\\\\host`)."""
    url = browser_url(value)
    return not (_SCHEME.match(url) or url[:2].replace("\\", "/") == "//")


def srcset_urls(value: str) -> list[str]:
    """The URLs of a srcset, read as the HTML standard does: a candidate's URL runs to the
    next whitespace (a URL may hold commas), and its descriptors to the next comma."""
    urls = []
    position, end = 0, len(value)
    while position < end:
        while position < end and (value[position].isspace() or value[position] == ","):
            position += 1
        start = position
        while position < end and not value[position].isspace():
            position += 1
        url = value[start:position]
        if url.endswith(","):
            url = url.rstrip(",")
        else:
            comma = value.find(",", position)
            position = end if comma < 0 else comma + 1
        if url:
            urls.append(url)
    return urls


# Addresses a page's own HTML may hold relative to the page. A note's page is not where its
# file is (`a/b.md` is published as `a/b/`), and kb does not resolve addresses in raw HTML
# (nor does Obsidian): a relative one would point at nothing on the site.
_ADDRESS_ATTRIBUTES = frozenset({"href", "src", "srcset", "poster"})


def is_relative_address(value: str) -> bool:
    """An address relative to the page (`pic.png`, `../a.html`, `$x`): not another host's,
    not from the site's root (`/x`), not an anchor or query of the page itself."""
    url = browser_url(value)
    return bool(url) and is_local_url(url) and url[0] not in "#/\\?"


def _relative(name: str, value: str | None) -> bool:
    if name not in _ADDRESS_ATTRIBUTES or value is None:
        return False
    if name == "srcset":
        return any(is_relative_address(url) for url in srcset_urls(value))
    return is_relative_address(value)


def _without_relative(attrs: list[tuple[str, str | None]]) -> list[tuple[str, str | None]]:
    return [(name, value) for name, value in attrs if not _relative(name, value)]


class _Addresses(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found += [value for name, value in attrs if value is not None and _relative(name, value)]

    handle_startendtag = handle_starttag


def relative_addresses(fragment: str) -> list[str]:
    """The relative addresses of a piece of raw HTML, which the site leaves out (see
    `clean_html`), as written."""
    reader = _Addresses()
    reader.feed(fragment)
    reader.close()
    return reader.found


def _loads_elsewhere(name: str, value: str) -> bool:
    if name == "srcset":
        return not all(is_local_url(url) for url in srcset_urls(value))
    return not is_local_url(value)


def _filter_attribute(element: str, name: str, value: str) -> str | None:
    if name in LOADING_ATTRIBUTES and _loads_elsewhere(name, value):
        return None
    if name in ("id", "name") and _RESERVED_ID.match(value):
        return None
    if name.startswith("data-md-") or name.startswith("data-kb-"):
        return None
    if name == "markdown":
        return "1" if value in ("", "markdown") else value
    return value


_CLEANER = nh3.Cleaner(attribute_filter=_filter_attribute, **_CLEANER_OPTIONS)


def _start_tag(tag: str, attrs: list[tuple[str, str | None]]) -> str:
    shown = "".join(f" {name}" if value is None else f' {name}="{html.escape(value)}"'
                    for name, value in attrs)
    return f"<{tag}{shown}>"


# Parts of a table only exist inside one: ammonia reads each tag in its place.
_CONTEXT = {"td": "<table><tbody><tr>", "th": "<table><tbody><tr>", "tr": "<table><tbody>",
            "tbody": "<table>", "thead": "<table>", "tfoot": "<table>", "caption": "<table>",
            "colgroup": "<table>", "col": "<table><colgroup>"}


class _FirstTag(HTMLParser):
    """The attributes of the first start tag of an element in a fragment."""

    def __init__(self, tag: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tag = tag
        self.attrs: list[tuple[str, str | None]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.attrs is None and tag == self.tag:
            self.attrs = attrs


def _clean_start_tag(tag: str, attrs: list[tuple[str, str | None]]) -> str:
    """The start tag as ammonia keeps it (attributes filtered, URLs checked, rel added)."""
    cleaned = _CLEANER.clean(_CONTEXT.get(tag, "") + _start_tag(tag, attrs))
    reader = _FirstTag(tag)
    reader.feed(cleaned)
    reader.close()
    return _start_tag(tag, reader.attrs or [])


class _Sanitizer(HTMLParser):
    """Rebuilds a fragment from its tokens, keeping what the allow-list keeps."""

    def __init__(self, keep_relative: bool = True) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skipping: list[str] = []  # open elements dropped with their content
        self.keep_relative = keep_relative

    def _start(self, tag: str, attrs: list[tuple[str, str | None]]) -> str:
        return _clean_start_tag(tag, attrs if self.keep_relative else _without_relative(attrs))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.skipping or tag in _DROPPED_WITH_CONTENT:
            if tag not in _VOID:
                self.skipping.append(tag)
            return
        if tag in _TAGS:
            self.out.append(self._start(tag, attrs))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if not self.skipping and tag in _TAGS and tag not in _DROPPED_WITH_CONTENT:
            self.out.append(self._start(tag, attrs))

    def handle_endtag(self, tag: str) -> None:
        if self.skipping:
            if tag in self.skipping:
                del self.skipping[len(self.skipping) - 1 - self.skipping[::-1].index(tag):]
            return
        if tag in _TAGS and tag not in _VOID:
            self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.out.append(html.escape(data, quote=False))


def _css_loads_anything(css: str) -> bool:
    """Conservative: any url(), image function, @import or escape may load something."""
    lowered = css.lower()
    return any(word in lowered for word in ("url(", "image", "@import", "\\", "src(", "element("))


class _Blocker(HTMLParser):
    """Trusted mode: the fragment as written, but what would load from another host is off."""

    def __init__(self, keep_relative: bool = True) -> None:
        super().__init__(convert_charrefs=False)
        self.out: list[str] = []
        self.in_style = False
        self.blocked: list[str] = []  # the values switched off
        self.keep_relative = keep_relative

    def _tag(self, tag: str, attrs: list[tuple[str, str | None]], closing: str) -> str:
        dropped = not self.keep_relative and any(_relative(n, v) for n, v in attrs)
        if dropped:
            attrs = _without_relative(attrs)
        blocked = [n for n, v in attrs if v is not None and self._loads(tag, n, v)]
        self.blocked += [v for n, v in attrs if n in blocked and v is not None]
        if not blocked and not dropped:
            return self.get_starttag_text() or ""
        shown = [(f"data-kb-blocked-{n}" if n in blocked else n, v) for n, v in attrs]
        return _start_tag(tag, shown)[:-1] + closing

    @staticmethod
    def _loads(tag: str, name: str, value: str) -> bool:
        if name == "style":
            return _css_loads_anything(value)
        if name == "srcdoc":
            return True
        if name == "href":
            return tag in ("link", "image", "use", "feimage", "base") and not is_local_url(value)
        if name == "content" and tag == "meta":
            return "url" in value.lower()
        if tag in ("set", "animate") and name in ("to", "from", "by", "values"):
            return not all(is_local_url(part) for part in value.split(";"))
        return (name in LOADING_ATTRIBUTES or name.endswith(":href")) and \
            _loads_elsewhere(name, value)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.out.append(self._tag(tag, attrs, ">"))
        self.in_style = tag == "style"

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.out.append(self._tag(tag, attrs, "/>"))

    def handle_endtag(self, tag: str) -> None:
        self.in_style = False
        self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        if self.in_style and _css_loads_anything(data):
            self.blocked.append(data.strip())
            data = "/* blocked by kb: it may load from elsewhere */"
        self.out.append(data)

    def handle_entityref(self, name: str) -> None:
        self.out.append(f"&{name};")

    def handle_charref(self, name: str) -> None:
        self.out.append(f"&#{name};")

    def handle_comment(self, data: str) -> None:
        self.out.append(f"<!--{data}-->")

    def handle_decl(self, decl: str) -> None:
        self.out.append(f"<!{decl}>")

    def handle_pi(self, data: str) -> None:
        self.out.append(f"<?{data}>")

    def unknown_decl(self, data: str) -> None:
        self.out.append(f"<![{data}]>")


def clean_html(fragment: str, mode: RawHtml = "sanitize", keep_relative: bool = True) -> str:
    """A piece of a note's raw HTML as the site shows it (see the module's docstring).
    `keep_relative=False`: addresses relative to the page are left out (a note's own HTML)."""
    parser = _Sanitizer(keep_relative) if mode == "sanitize" else _Blocker(keep_relative)
    parser.feed(fragment)
    parser.close()
    return "".join(parser.out)


def external_loads(fragment: str) -> list[str]:
    """The URLs a piece of raw HTML would load from another host, as written (for the
    `external-resource` diagnostic)."""
    blocker = _Blocker()
    blocker.feed(fragment)
    blocker.close()
    return blocker.blocked


# --- SVG attachments -------------------------------------------------------------------------
# An SVG file is a document: opened from the site it could run script or load from elsewhere.
# The site serves a copy with neither (Obsidian shows SVG attachments as images, inert).

_SVG_DROPPED = frozenset({"script", "foreignobject", "iframe", "embed", "object", "handler",
                          "listener", "audio", "video"})
_SVG_ANIMATIONS = frozenset({"set", "animate", "animatemotion", "animatetransform"})


class UnsafeSvg(ValueError):
    """The file is not an SVG document kb can read safely (not XML, or it declares entities)."""


def _local_name(name: str) -> str:
    return name.rpartition("}")[2].lower()


def _svg_value_loads(name: str, value: str) -> bool:
    if name.startswith("on"):
        return True
    if name == "href":
        return not value.strip().startswith("#")
    lowered = value.lower()
    return "url(" in lowered.replace("url(#", "") or "@import" in lowered or "\\" in value \
        or "image-set" in lowered


def clean_svg(data: bytes) -> bytes:
    """An SVG with no script, no event handler, no link or reference out of the file (only
    `#fragment` references stay), and no style that could load anything. Raises UnsafeSvg."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnsafeSvg("the file is not UTF-8") from None
    if "<!ENTITY" in text.upper():  # no "billion laughs", no external entities
        raise UnsafeSvg("the file declares XML entities")
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise UnsafeSvg(f"not readable as XML: {exc}") from None
    if _local_name(root.tag) != "svg":
        raise UnsafeSvg("the file is not an SVG image")
    for parent in root.iter():
        for child in list(parent):
            tag = _local_name(child.tag) if isinstance(child.tag, str) else ""
            attribute = (child.get("attributeName") or "").lower()
            if not tag or tag in _SVG_DROPPED or (
                    tag in _SVG_ANIMATIONS and attribute in ("href", "xlink:href")):
                parent.remove(child)
            elif tag == "style" and _svg_value_loads("style", child.text or ""):
                child.text = ""
        for name, value in list(parent.attrib.items()):
            if _svg_value_loads(_local_name(name), value):
                del parent.attrib[name]
    ET.register_namespace("", "http://www.w3.org/2000/svg")
    ET.register_namespace("xlink", "http://www.w3.org/1999/xlink")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


_UNREADABLE_SVG = (b'<?xml version="1.0" encoding="utf-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" '
                   b'width="240" height="40"><text x="8" y="25">SVG not published</text></svg>\n')


def with_safe_svgs(stage: StageT) -> StageT:
    """The stage with each SVG attachment served as a cleaned copy (`clean_svg`); one kb
    cannot read safely is replaced by a placeholder image and reported."""
    files, blobs = dict(stage.files), dict(stage.blobs)
    problems = []
    for staged, source in stage.files.items():
        if not staged.lower().endswith(".svg"):
            continue
        del files[staged]
        try:
            blobs[staged] = clean_svg(source.read_bytes())
        except (OSError, UnsafeSvg) as exc:
            blobs[staged] = _UNREADABLE_SVG
            problems.append(Diagnostic(staged, 0, 0, Severity.WARNING, "unsafe-svg",
                                       f"this SVG attachment is not published: {exc}",
                                       "save it again from a drawing program as plain SVG"))
    return dataclasses.replace(stage, files=files, blobs=blobs,
                               diagnostics=(*stage.diagnostics, *problems))
