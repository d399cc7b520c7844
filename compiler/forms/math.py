"""`$math$`, `$$math$$` in a line, and `$$ ... $$` blocks: MathML, which browsers draw with
no script, no font and no other host. LaTeX that cannot be converted stays visible as code.
`\\$` is a dollar sign."""

from __future__ import annotations

import html
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline
from markdown_it.tree import SyntaxTreeNode
from mdit_py_plugins.dollarmath import dollarmath_plugin

from ..parse import to_mathml
from ..syntax import ESCAPED_DOLLAR, MATH_OPTIONS
from .writer import Writer


def _escaped_dollar_rule(state: StateInline, silent: bool) -> bool:
    """`\\$` is a dollar sign (CommonMark escapes it; Python-Markdown would show the `\\`)."""
    if not state.src.startswith("\\$", state.pos):
        return False
    if not silent:
        token = state.push(ESCAPED_DOLLAR, "", 0)
        token.content = "$"
        token.meta = {"span": (state.pos, state.pos + 2)}
    state.pos += 2
    return True


def plugin(md: MarkdownIt) -> None:
    md.use(dollarmath_plugin, **MATH_OPTIONS)
    md.inline.ruler.before("escape", ESCAPED_DOLLAR, _escaped_dollar_rule)


@lru_cache(maxsize=4096)
def math_html(latex: str, display: bool, block: bool) -> str:
    """One line of HTML (Python-Markdown takes a line opening with <math> for an HTML block:
    inline math goes in a span)."""
    mathml = to_mathml(latex, display)
    if mathml is None:
        return f'<code class="kb-math-error">{html.escape(latex)}</code>'
    return f'<div class="kb-math">{mathml}</div>' if block else \
        f'<span class="kb-math-inline">{mathml}</span>'


def inline_math(node: SyntaxTreeNode, w: Writer) -> str:
    return math_html(node.content.strip(), node.type == "math_inline_double", False)


def block_math(node: SyntaxTreeNode, w: Writer) -> str:
    return math_html(node.content.strip(), True, True)


def escaped_dollar(node: SyntaxTreeNode, w: Writer) -> str:
    return "&#36;"


BLOCK = {"math_block": block_math, "math_block_label": block_math}
INLINE = {"math_inline": inline_math, "math_inline_double": inline_math,
          ESCAPED_DOLLAR: escaped_dollar}
