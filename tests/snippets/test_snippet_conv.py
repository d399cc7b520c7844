"""Convolution: agrees with a direct loop over every output position, its output size and
parameter count match the formulas, and its backward pass matches numerical gradients and is
itself a convolution."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import snippets
from snippets.conv import (
    conv1d,
    conv1d_backward,
    conv2d,
    conv2d_backward,
    dense_param_count,
    max_pool2d,
    output_size,
    param_count,
)
from snippets.gradient_check import numerical_gradient, relative_error

PROJECT = Path(__file__).resolve().parents[2]


def loop_conv2d(x, w, b, stride, padding):
    """The definition, one output number at a time."""
    n, _, h, wd = x.shape
    o, _, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    h_out, w_out = (h + 2 * padding - kh) // stride + 1, (wd + 2 * padding - kw) // stride + 1
    out = np.zeros((n, o, h_out, w_out))
    for i in range(n):
        for k in range(o):
            for p in range(h_out):
                for q in range(w_out):
                    patch = xp[i, :, p * stride:p * stride + kh, q * stride:q * stride + kw]
                    out[i, k, p, q] = np.sum(patch * w[k]) + b[k]
    return out


@st.composite
def conv_case(draw):
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    padding, stride = draw(st.integers(0, 2)), draw(st.integers(1, 3))
    h = draw(st.integers(max(1, kh - 2 * padding), 8))
    w = draw(st.integers(max(1, kw - 2 * padding), 8))
    n, c, o = draw(st.integers(1, 2)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    rng = np.random.default_rng(draw(st.integers(0, 2 ** 16)))
    return (rng.normal(size=(n, c, h, w)), rng.normal(size=(o, c, kh, kw)), rng.normal(size=o),
            stride, padding)


def test_snippets_resolve_to_the_projects_own_package():
    assert Path(snippets.__file__).resolve().parent == PROJECT / "snippets"


@settings(max_examples=60, deadline=None)
@given(conv_case())
def test_conv2d_equals_the_direct_loop_and_the_output_size_formula(case):
    x, w, b, stride, padding = case
    out = conv2d(x, w, b, stride, padding)
    np.testing.assert_allclose(out, loop_conv2d(x, w, b, stride, padding), atol=1e-10)
    assert out.shape == (x.shape[0], w.shape[0], output_size(x.shape[2], w.shape[2], stride, padding),
                         output_size(x.shape[3], w.shape[3], stride, padding))


@settings(max_examples=25, deadline=None)
@given(conv_case())
def test_conv2d_backward_matches_numerical_gradients(case):
    x, w, b, stride, padding = case
    dout = np.random.default_rng(1).normal(size=conv2d(x, w, b, stride, padding).shape)
    dx, dw, db = conv2d_backward(dout, x, w, stride, padding)
    loss = lambda: float(np.sum(conv2d(x, w, b, stride, padding) * dout))  # noqa: E731
    assert relative_error(dx, numerical_gradient(loss, x)) < 1e-6
    assert relative_error(dw, numerical_gradient(loss, w)) < 1e-6
    assert relative_error(db, numerical_gradient(loss, b)) < 1e-6


def test_the_kernel_gradient_is_the_input_convolved_with_the_upstream_gradient():
    rng = np.random.default_rng(0)
    x, w = rng.normal(size=(2, 3, 7, 6)), rng.normal(size=(4, 3, 3, 2))
    dout = rng.normal(size=conv2d(x, w).shape)
    _, dw, _ = conv2d_backward(dout, x, w)
    # channels play batch, the batch plays channels: dw[o, c] = sum_n x[n, c] * dout[n, o]
    as_conv = conv2d(x.transpose(1, 0, 2, 3), dout.transpose(1, 0, 2, 3)).transpose(1, 0, 2, 3)
    np.testing.assert_allclose(dw, as_conv, atol=1e-10)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 9), st.integers(1, 4), st.integers(1, 3), st.integers(0, 2), st.integers(0, 999))
def test_conv1d_matches_the_loop_and_its_gradients(length, k, stride, padding, seed):
    if k > length + 2 * padding:
        with pytest.raises(ValueError, match="larger than the padded input"):
            conv1d(np.zeros((1, 1, length)), np.zeros((1, 1, k)), padding=padding)
        return
    rng = np.random.default_rng(seed)
    x, w, b = rng.normal(size=(2, 2, length)), rng.normal(size=(3, 2, k)), rng.normal(size=3)
    out = conv1d(x, w, b, stride, padding)
    padded = np.pad(x, ((0, 0), (0, 0), (padding, padding)))[:, :, None, :]
    np.testing.assert_allclose(out, loop_conv2d(padded, w[:, :, None, :], b, stride, 0)[:, :, 0, :],
                               atol=1e-10)
    assert out.shape[-1] == output_size(length, k, stride, padding)
    dout = rng.normal(size=out.shape)
    dx, dw, db = conv1d_backward(dout, x, w, stride, padding)
    loss = lambda: float(np.sum(conv1d(x, w, b, stride, padding) * dout))  # noqa: E731
    assert relative_error(dx, numerical_gradient(loss, x)) < 1e-6
    assert relative_error(dw, numerical_gradient(loss, w)) < 1e-6
    assert relative_error(db, numerical_gradient(loss, b)) < 1e-6


def test_one_dimensional_sliding_window_by_hand():
    out = conv1d(np.array([[[1.0, 2, 3, 4, 5]]]), np.array([[[1.0, 0, -1]]]))
    np.testing.assert_array_equal(out, [[[-2.0, -2.0, -2.0]]])  # cross-correlation: no flip


@pytest.mark.parametrize(("c_in", "c_out", "kernel"), [(3, 8, 3), (128, 64, 3), (1, 1, (5, 2))])
def test_param_count_is_the_number_of_weights_and_biases_a_layer_holds(c_in, c_out, kernel):
    kh, kw = (kernel, kernel) if isinstance(kernel, int) else kernel
    weights, biases = np.zeros((c_out, c_in, kh, kw)), np.zeros(c_out)
    assert param_count(c_in, c_out, kernel) == weights.size + biases.size
    assert param_count(c_in, c_out, kernel, bias=False) == weights.size


def test_the_notes_example_a_3x3_convolution_from_128_to_64_channels():
    assert param_count(128, 64, 3, bias=False) == 73_728
    # a dense layer between the same 40x50 feature maps would need 3,000 times more weights
    assert dense_param_count(40 * 50 * 128, 40 * 50 * 64, bias=False) > 3000 * 73_728


def test_output_size_examples_and_errors():
    assert output_size(7, 3) == 5
    assert output_size(7, 3, stride=2) == 3
    assert output_size(5, 3, padding=1) == 5  # "same" padding keeps the size
    with pytest.raises(ValueError):
        output_size(2, 5)


def test_max_pool_takes_the_largest_of_each_window():
    x = np.arange(16.0).reshape(1, 1, 4, 4)
    np.testing.assert_array_equal(max_pool2d(x), [[[[5.0, 7.0], [13.0, 15.0]]]])
