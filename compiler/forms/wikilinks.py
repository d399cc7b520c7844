"""Links and embeds: `[[Note]]`, `[[Note#Heading|text]]`, `![[image.png|300]]`, Markdown
links and images. Each becomes a relative link to the staged page or file, an image, a
player, a figure an executable block draws, or a visible placeholder when there is nothing
to show (a missing file, an unpublished note, a broken link): never a link that 404s.
Note embeds are drawn by `transclusion`."""

from __future__ import annotations

import contextlib
import contextvars
import functools
import html
import posixpath
import re
from collections.abc import Iterator

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline
from markdown_it.tree import SyntaxTreeNode

from .. import course, embeds, messages
from ..blocks import BlockResult
from ..markup import literal, page_address, relative, url
from ..resolve import Kind, ResolvedLink
from ..syntax import WIKILINK, split_wikilink
from . import dialect
from .execblocks import figure_alt, figure_html, figure_path, image_size
from .writer import Writer, ancestors

IMAGE_SUFFIXES = frozenset({".avif", ".bmp", ".gif", ".jpeg", ".jpg", ".png", ".svg", ".webp"})
# A missing embed's kind of media -> the key of its placeholder's label.
MISSING_MEDIA = {"audio": "render.missing_audio", "video": "render.missing_video",
                 "pdf": "render.missing_pdf"}


# kb.link_titles: a `[[folder/sub/Note]]` with no display text shows `Note`, not the path.
_LINK_TITLES = contextvars.ContextVar("link_titles", default=True)


@contextlib.contextmanager
def link_titles(enabled: bool) -> Iterator[None]:
    """`with link_titles(settings.link_titles):` around render."""
    token = _LINK_TITLES.set(enabled)
    try:
        yield
    finally:
        _LINK_TITLES.reset(token)


def shown_text(item: ResolvedLink) -> str:
    """The link's text: its display text; else, for a wikilink written with a vault path to
    a note or file, the file's name (its title) with the heading path after it, unless
    kb.link_titles is off; else the target as written."""
    link = item.link
    if (link.display is not None and link.display.strip()) or link.style != "wiki" \
            or not _LINK_TITLES.get() or item.path is None or "/" not in link.target.strip() \
            or item.kind not in (Kind.NOTE, Kind.ATTACHMENT):
        return link.shown_text
    name = posixpath.basename(item.path)
    name = name.removesuffix(".md") if item.kind is Kind.NOTE else name
    parts = [name, *(p.strip() for p in link.fragment.split("#") if p.strip())]
    return " > ".join(parts)


def _wikilink_rule(state: StateInline, silent: bool) -> bool:
    """`[[target|display]]` and `![[embed]]`. A single `]` does not close; `[[unclosed` is text."""
    src, start = state.src, state.pos
    embed = src.startswith("![[", start)
    opener = start + (3 if embed else 2)
    if not (embed or src.startswith("[[", start)):
        return False
    close = src.find("]]", opener)
    if close < 0:
        return False
    inner = src[opener:close]
    # A newline, or a nested opener, means this `[[` starts no link (the later one may).
    if not inner.strip() or "\n" in inner or "[[" in inner:
        return False
    if not silent:
        token = state.push(WIKILINK, "", 0)
        target, display = split_wikilink(inner)
        token.content = inner
        token.meta = {"target": target, "display": display, "embed": embed,
                      "span": (start, close + 2)}
    state.pos = close + 2
    return True


def plugin(md: MarkdownIt) -> None:
    md.inline.ruler.before("link", WIKILINK, _wikilink_rule)


def _attr(value: str) -> str:
    return html.escape(value, quote=True)


def placeholder(css_class: str, label: str, name: str, title: str) -> str:
    return (f'<span class="{css_class}" role="img" title="{_attr(title)}">'
            f'<span class="kb-missing-label">{label}</span> {literal(name)}</span>')


def render_link(item: ResolvedLink, page: str, pages: dict[str, str],
                results: dict[tuple[str, int], BlockResult] | None = None, alone: bool = False,
                text: str | None = None) -> str:
    """The link as the page shows it. `text`: its text as page Markdown already (a Markdown
    link's label); else the link's text is shown as written. `alone`: the link is all
    there is in its paragraph, outside any quote (a generated figure then takes its
    caption)."""
    link = item.link
    words = messages.current()
    if text is None:
        text = literal(shown_text(item))
    title = f' "{_attr(link.title)}"' if link.title else ""
    if item.kind is Kind.EXTERNAL:
        if not link.embed:
            return dialect.link(text, dialect.url_target(link.target), link.title and _attr(link.title))
        # Loading it would make the site request another host: link to it instead.
        shown = literal(re.sub(r"^[a-z]+://", "", link.target)[:60])
        alt = link.display.strip() if link.display else ""
        size = "".join(f' data-{k}="{v}"' for k, v in (("width", link.width),
                                                       ("height", link.height)) if v)
        return (f'<a class="kb-external-image" href="{_attr(link.target)}"{size}>'
                f'<span class="kb-missing-label">{words("render.external_image")}</span> '
                f'{literal(alt) + " — " if alt else ""}{shown}</a>')
    if item.kind is Kind.NOTE and item.path is not None:
        return f"[{text}]({url(page, pages[item.path], item.anchor)}{title})"
    if item.kind is Kind.ATTACHMENT and item.path is not None:
        target = url(page, item.path)
        if link.embed and posixpath.splitext(item.path)[1].lower() in IMAGE_SUFFIXES:
            alt = literal(link.display or posixpath.basename(item.path))
            return f"![{alt}]({target}{title}){image_size(link.width, link.height)}"
        if link.embed and (media := embeds.media_kind(item.path)):
            name = posixpath.basename(item.path)
            # Raw HTML: MkDocs leaves its URLs alone, so they start from the page's address.
            served = relative(page_address(page), item.path)
            return embeds.media_html(media, served, name, literal(name), link.fragment)
        return f"[{text}]({target}{title})"
    if item.kind is Kind.GENERATED and item.figure is not None:
        source = item.figure
        result = (results or {}).get((source.note, source.block))
        name = link.target.strip().rsplit("/", 1)[-1]
        if result is None or result.failed or source.number >= len(result.outcome.figures):
            why = words("render.figure_failed" if result is not None else "render.figure_pending")
            return placeholder("kb-missing-attachment", why, name,
                               words("render.figure_source", note=source.note, block=source.block + 1))
        target = url(page, figure_path(result.outcome, source.number))
        if not link.embed:
            return f"[{text}]({target})"
        block = result.block
        caption, alt = block.option("caption"), figure_alt(block, source.number)
        width = link.width or block.option("width")
        if alone:  # an embed on a line of its own becomes a figure with its caption
            return figure_html(page, figure_path(result.outcome, source.number), alt,
                               caption, width, link.height,
                               course.drawn_by(source.note, page, pages))
        title_attr = f' "{_attr(caption)}"' if caption else ""
        return f"![{literal(alt)}]({target}{title_attr}){image_size(width, link.height)}"
    if item.kind is Kind.MISSING_ATTACHMENT and link.embed:
        name = link.target.strip().rsplit("/", 1)[-1] or link.raw  # `![x.png]()` names none
        is_image = posixpath.splitext(name)[1].lower() in IMAGE_SUFFIXES
        label = "render.missing_image" if is_image else MISSING_MEDIA.get(embeds.media_kind(name),
                                                                          "render.missing_file")
        return placeholder("kb-missing-attachment", words(label), name, link.target.strip())
    if item.kind is Kind.UNPUBLISHED:  # `publish: false`: not a link, and not a broken one
        if link.embed:
            return placeholder("kb-missing-attachment", words("render.unpublished"), link.shown_text,
                               words("render.unpublished_hint"))
        return f'<span class="kb-unpublished" title="{_attr(words("render.unpublished"))}">{text}</span>'
    reason = words("render.refused_link" if item.kind is Kind.REFUSED else "render.unresolved_link")
    return (f'<span class="kb-unresolved" title="{_attr(reason)}: {_attr(link.target.strip())}">'
            f"{text}</span>")


def alone_on_its_line(node: SyntaxTreeNode, w: Writer) -> bool:
    """The link is all there is on its line, on the note's own page, outside any quote."""
    inline = node.parent
    if w.nested or inline is None or inline.type != "inline" or inline.parent is None \
            or inline.parent.type != "paragraph":
        return False
    return id(node) in _alone_children(inline) and not any(
        a.type == "blockquote" for a in ancestors(node))


@functools.lru_cache(maxsize=16)
def _alone_children(inline: SyntaxTreeNode) -> frozenset[int]:
    """The ids of an inline node's children with only blank text between them and the ends of
    their line: found in two passes over the children, not one pass per link (a paragraph of
    many links would be quadratic)."""
    siblings = inline.children

    def clean_from(order) -> set[int]:
        clean, found = True, set()
        for child in order:
            if clean:
                found.add(id(child))
            if child.type in ("softbreak", "hardbreak"):
                clean = True
            elif not (child.type == "text" and not child.content.strip()):
                clean = False
        return found

    return frozenset(clean_from(siblings) & clean_from(reversed(siblings)))


def breaks_paragraph(node: SyntaxTreeNode, w: Writer) -> bool:
    """An embedded figure of an executable block on a line of its own takes its caption."""
    if node.type != WIKILINK:
        return False
    item = w.link_of(node)
    return (item is not None and item.link.embed and item.kind is Kind.GENERATED
            and alone_on_its_line(node, w))


def _write(node: SyntaxTreeNode, w: Writer, text: str | None) -> str | None:
    item = w.link_of(node)
    if item is None:
        return None
    return render_link(item, w.page.page, w.page.pages, w.page.results,
                       alone_on_its_line(node, w), text)


def write_wikilink(node: SyntaxTreeNode, w: Writer) -> str:
    written = _write(node, w, None)
    return written if written is not None else dialect.text(node.content)


def write_link(node: SyntaxTreeNode, w: Writer) -> str:
    label = w.spans(node.children)
    written = _write(node, w, label)
    if written is not None:
        return written
    href = node.attrs.get("href", "")
    if node.markup == "autolink":
        return f"<{href}>"
    title = node.attrs.get("title")
    return dialect.link(label, dialect.url_target(str(href)), title and _attr(str(title)))


def write_image(node: SyntaxTreeNode, w: Writer) -> str:
    written = _write(node, w, None)
    if written is not None:
        return written
    return f"![{literal(node.content)}]({dialect.url_target(str(node.attrs.get('src', '')))})"


INLINE = {WIKILINK: write_wikilink, "link": write_link, "image": write_image}
