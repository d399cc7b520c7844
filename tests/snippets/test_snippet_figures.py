"""Every figure function of the concept notes draws without a missing glyph: Hangul, Greek and
math signs all exist in the fonts the snippet worker uses (an empty box is a failure)."""

from __future__ import annotations

import importlib
import logging
import warnings

import pytest

FIGURES = {
    "snippets.cross_validation": ["k_fold_figure"],
    "snippets.bias_variance": ["target_figure", "bagging_figure", "boosting_figure", "tradeoff_figure"],
    "snippets.optimizers": ["paths_figure"],
    "snippets.regularization": ["regularization_figure"],
    "snippets.normalization": ["scaling_figure", "batch_norm_figure"],
    "snippets.attention": ["attention_figure"],
    "snippets.conv_figures": [
        "dense_figure", "signal_figure", "sliding_1d_figure", "sliding_2d_figure", "multichannel_figure",
        "derivative_figure", "backward_2d_figure", "conv_forward_graph_figure",
        "conv_input_gradient_figure", "conv_kernel_gradient_figure", "conv_all_kernel_gradients_figure",
        "architecture_figure", "stride_figure", "padding_figure", "param_count_figure"],
    "snippets.rnn_figures": [
        "sequence_figure", "factorization_figure", "unrolled_figure", "bptt_figure",
        "latent_autoregressive_figure", "rolled_unrolled_figure", "long_term_figure",
        "lstm_cell_figure", "gru_cell_figure"],
}


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


@pytest.mark.parametrize(("module", "name"), [(m, n) for m, names in FIGURES.items() for n in names])
def test_figure_draws_every_glyph(pyplot, module, name):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph ... missing from font(s)" is a UserWarning
        fig = getattr(importlib.import_module(module), name)(**SMALLER.get(name, {}))
        fig.canvas.draw()
    assert fig.texts or any(ax.get_title() or ax.texts for ax in fig.axes)
    pyplot.close(fig)


def test_a_missing_glyph_is_caught(pyplot):
    fig, ax = pyplot.subplots()
    ax.set_title("별 ⋆")  # U+22C6 is not in NanumGothic
    with warnings.catch_warnings(), pytest.raises(UserWarning, match="missing from font"):
        warnings.simplefilter("error")
        fig.canvas.draw()
    pyplot.close(fig)
