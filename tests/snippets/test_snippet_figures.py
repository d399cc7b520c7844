"""Every figure function of the concept notes draws without a missing glyph: Hangul, Greek and
math signs all exist in the fonts the snippet worker uses (an empty box is a failure)."""

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
SMALLER = {"bagging_figure": {"trials": 5}, "tradeoff_figure": {"trials": 5, "degrees": range(1, 4)}}


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
