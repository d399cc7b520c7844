"""Every figure function of the concept notes draws without a missing glyph (Hangul, Greek and
math signs all exist in the fonts the snippet worker uses: an empty box is a failure), and can
be read: no text over text, no line through a label, one notation for sub- and superscripts."""

from __future__ import annotations

import importlib
import inspect
import logging
import pkgutil
import warnings

import pytest


def _figure_functions() -> list[tuple[str, str]]:
    """Every `*_figure` function defined in a module of `snippets`: none is left untested."""
    import snippets

    found = []
    for info in sorted(pkgutil.iter_modules(snippets.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"snippets.{info.name}")
        found += [(module.__name__, name) for name, function in inspect.getmembers(module, inspect.isfunction)
                  if name.endswith("_figure") and function.__module__ == module.__name__]
    return found


class _Raise(logging.Handler):
    """matplotlib reports glyphs missing from mathtext's fonts by logging, not by a warning."""

    def emit(self, record: logging.LogRecord) -> None:
        raise AssertionError(record.getMessage())


@pytest.fixture(scope="module")
def pyplot():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import koreanize_matplotlib  # noqa: F401  (the worker's fonts)
    import matplotlib.pyplot as plt

    handler = _Raise()
    logging.getLogger("matplotlib").addHandler(handler)
    yield plt
    logging.getLogger("matplotlib").removeHandler(handler)


# fewer simulated training sets: the text drawn is the same, the test stays fast
SMALLER = {"bagging_figure": {"trials": 5}, "tradeoff_figure": {"trials": 5, "lams": (1.0, 1e-3, 1e-6)}}


@pytest.mark.parametrize(("module", "name"), _figure_functions())
def test_figure_draws_every_glyph(pyplot, module, name):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph ... missing from font(s)" is a UserWarning
        fig = getattr(importlib.import_module(module), name)(**SMALLER.get(name, {}))
        fig.canvas.draw()
    assert fig.texts or any(ax.get_title() or ax.texts for ax in fig.axes)
    pyplot.close(fig)


def test_a_missing_glyph_is_caught(pyplot):
    fig, ax = pyplot.subplots()
    ax.set_title("별 ⋆", fontfamily="NanumGothic")  # U+22C6 is not in NanumGothic
    with warnings.catch_warnings(), pytest.raises(UserWarning, match="missing from font"):
        warnings.simplefilter("error")
        fig.canvas.draw()
    pyplot.close(fig)


@pytest.mark.parametrize(("module", "name"), _figure_functions())
def test_figure_is_legible(pyplot, module, name):
    """No text over text, no line or arrow through a label, mathtext for every sub- and
    superscript, no small "→": measured with matplotlib's own extents (snippets.legibility)."""
    from snippets.legibility import problems

    fig = getattr(importlib.import_module(module), name)(**SMALLER.get(name, {}))
    assert problems(fig) == []
    pyplot.close(fig)


def test_the_legibility_check_sees_overlaps_crossings_and_small_scripts(pyplot):
    from snippets.legibility import problems

    fig, ax = pyplot.subplots(figsize=(4, 3))
    ax.set(xlim=(0, 1), ylim=(0, 1))
    ax.plot([0, 1], [0.5, 0.5])
    ax.text(0.5, 0.5, "선 위의 글자", ha="center", va="center")
    ax.text(0.2, 0.8, "겹친 글자", fontsize=12)
    ax.text(0.22, 0.8, "겹친 글자", fontsize=12)
    ax.annotate("", (0.9, 0.1), (0.6, 0.3), arrowprops={"arrowstyle": "->"})
    ax.text(0.75, 0.2, "화살", ha="center", va="center")
    ax.set_title("x₁ → y", fontsize=10)
    found = problems(fig)
    assert any("crosses the text '선 위의 글자'" in p for p in found)
    assert any("'겹친 글자' overlaps '겹친 글자'" in p for p in found)
    assert any("FancyArrowPatch crosses the text '화살'" in p for p in found)
    assert any("Unicode sub/superscript" in p for p in found)
    assert any("'→' at 10 pt" in p for p in found)
    pyplot.close(fig)


def test_a_label_on_a_shape_drawn_over_the_line_is_not_crossed(pyplot):
    from matplotlib.patches import Circle

    from snippets.legibility import problems

    fig, ax = pyplot.subplots(figsize=(4, 3))
    ax.set(xlim=(0, 1), ylim=(0, 1))
    ax.plot([0, 1], [0.5, 0.5], zorder=1)
    ax.add_patch(Circle((0.5, 0.5), 0.15, facecolor="white", zorder=3))
    ax.text(0.5, 0.5, "×", ha="center", va="center", zorder=4)
    ax.set_aspect("equal")
    assert problems(fig) == []
    pyplot.close(fig)


def test_an_arrowhead_under_a_node_is_seen_and_the_drawing_helper_stops_at_the_rim(pyplot):
    from matplotlib.patches import Circle

    from snippets.drawing import arrow, blank, node
    from snippets.legibility import problems

    fig, ax = pyplot.subplots(figsize=(4, 2))
    blank(ax, (-1, 5), (-1, 1))
    ax.add_patch(Circle((4, 0), 0.6, facecolor="white", edgecolor="black", zorder=3))
    ax.annotate("", (4, 0), (0, 0), arrowprops={"arrowstyle": "-|>", "shrinkB": 2}, zorder=2)
    assert "an arrowhead is hidden under a shape drawn over it" in problems(fig)
    pyplot.close(fig)
    fig, ax = pyplot.subplots(figsize=(4, 2))
    blank(ax, (-1, 5), (-1, 1))
    node(ax, (4, 0), radius=0.6)
    arrow(ax, (0, 0), (4, 0))
    assert problems(fig) == []
    pyplot.close(fig)


def test_finish_writes_unicode_scripts_and_small_arrows_in_mathtext():
    from snippets.plotting import legible

    assert legible("W⁽¹⁾ x₁") == "W$^{(1)}$ x$_{1}$"
    assert legible("∫₋₁¹ e^(-x²)") == "∫$_{-1}^{1}$ e^(-x$^{2}$)"
    assert legible("$x_1$ 과 y₂") == "$x_1$ 과 y$_{2}$"
    assert legible("p̂ = nₖ / n") == "$\\hat{p}$ = n$_{k}$ / n"
    assert legible("a → b", fontsize=9) == "a $\\rightarrow$ b"
    assert legible("a → b", fontsize=12) == "a → b"
    assert legible("∂L/∂w") == "$\\partial$L/$\\partial$w"
