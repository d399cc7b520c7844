"""Convolution as CNNs use it (cross-correlation): 1-D and 2-D, multi-channel, stride, padding,
the output-size and parameter-count formulas, and the backward pass, which is itself a convolution.

Layouts follow the usual deep-learning convention: inputs (N, C_in, H, W), kernels
(C_out, C_in, kh, kw), outputs (N, C_out, H_out, W_out); the 1-D versions drop H.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def output_size(n: int, kernel: int, stride: int = 1, padding: int = 0) -> int:
    """Output length along one axis: floor((n + 2p - k) / s) + 1."""
    if kernel > n + 2 * padding:
        raise ValueError(f"kernel {kernel} is larger than the padded input {n + 2 * padding}")
    if stride < 1 or padding < 0:
        raise ValueError("stride must be >= 1 and padding >= 0")
    return (n + 2 * padding - kernel) // stride + 1


def param_count(in_channels: int, out_channels: int, kernel: int | tuple[int, int],
                bias: bool = True) -> int:
    """Learnable numbers of a convolution layer: kh * kw * C_in * C_out (+ C_out biases).

    It does not depend on the input's height and width: the same kernel slides everywhere.
    """
    kh, kw = (kernel, kernel) if isinstance(kernel, int) else kernel
    return kh * kw * in_channels * out_channels + (out_channels if bias else 0)


def dense_param_count(in_features: int, out_features: int, bias: bool = True) -> int:
    """Learnable numbers of a fully connected layer: one weight per (input, output) pair."""
    return in_features * out_features + (out_features if bias else 0)


def _pad(x: np.ndarray, padding: int) -> np.ndarray:
    return np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))


def _windows(x_padded: np.ndarray, kh: int, kw: int, stride: int) -> np.ndarray:
    """Every (kh, kw) patch the kernel visits: shape (N, C, H_out, W_out, kh, kw), a view."""
    return sliding_window_view(x_padded, (kh, kw), axis=(2, 3))[:, :, ::stride, ::stride]


def conv2d(x: np.ndarray, w: np.ndarray, b: np.ndarray | None = None, stride: int = 1,
           padding: int = 0) -> np.ndarray:
    """2-D convolution (cross-correlation) of x (N, C_in, H, W) with w (C_out, C_in, kh, kw).

    out[n, o, p, q] = sum_{c, i, j} x_pad[n, c, p*s + i, q*s + j] * w[o, c, i, j] + b[o];
    returns (N, C_out, H_out, W_out) with H_out = output_size(H, kh, stride, padding).
    """
    x, w = np.asarray(x, dtype=float), np.asarray(w, dtype=float)
    if x.ndim != 4 or w.ndim != 4 or x.shape[1] != w.shape[1]:
        raise ValueError(f"expected x (N, C, H, W) and w (O, C, kh, kw), got {x.shape} and {w.shape}")
    kh, kw = w.shape[2:]
    for n, k in ((x.shape[2], kh), (x.shape[3], kw)):
        output_size(n, k, stride, padding)  # raises on a kernel larger than the padded input
    out = np.einsum("ncpqij,ocij->nopq", _windows(_pad(x, padding), kh, kw, stride), w, optimize=True)
    if b is not None:
        out += np.asarray(b, dtype=float)[None, :, None, None]
    return out


def conv2d_backward(dout: np.ndarray, x: np.ndarray, w: np.ndarray, stride: int = 1,
                    padding: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradients (dx, dw, db) of a loss L given dout = dL/d(conv2d(x, w, b, stride, padding)).

    Both are convolutions again:
    - dw[o, c] = x_pad[:, c] correlated with dout[:, o] (the upstream gradient as the kernel);
    - dx = the *full* convolution of dout (zeros inserted between its entries when stride > 1)
      with the kernel flipped in both axes and its in/out channels swapped.
    """
    x, w, dout = (np.asarray(a, dtype=float) for a in (x, w, dout))
    kh, kw = w.shape[2:]
    x_padded = _pad(x, padding)
    dw = np.einsum("nopq,ncpqij->ocij", dout, _windows(x_padded, kh, kw, stride), optimize=True)
    db = dout.sum(axis=(0, 2, 3))

    n, o, h_out, w_out = dout.shape
    dilated = np.zeros((n, o, (h_out - 1) * stride + 1, (w_out - 1) * stride + 1))
    dilated[:, :, ::stride, ::stride] = dout
    full = np.pad(dilated, ((0, 0), (0, 0), (kh - 1, kh - 1), (kw - 1, kw - 1)))
    flipped = w[:, :, ::-1, ::-1].transpose(1, 0, 2, 3)  # (C_in, C_out, kh, kw)
    dx_padded = conv2d(full, flipped)
    # Rows/columns the last window never reached (when (H + 2p - k) % s != 0) get no gradient.
    rest_h, rest_w = x_padded.shape[2] - dx_padded.shape[2], x_padded.shape[3] - dx_padded.shape[3]
    dx_padded = np.pad(dx_padded, ((0, 0), (0, 0), (0, rest_h), (0, rest_w)))
    dx = dx_padded[:, :, padding:padding + x.shape[2], padding:padding + x.shape[3]]
    return dx, dw, db


def conv1d(x: np.ndarray, w: np.ndarray, b: np.ndarray | None = None, stride: int = 1,
           padding: int = 0) -> np.ndarray:
    """1-D convolution of x (N, C_in, L) with w (C_out, C_in, k): returns (N, C_out, L_out)."""
    x, w = np.asarray(x, dtype=float), np.asarray(w, dtype=float)
    if x.ndim != 3 or w.ndim != 3:
        raise ValueError(f"expected x (N, C, L) and w (O, C, k), got {x.shape} and {w.shape}")
    padded = np.pad(x, ((0, 0), (0, 0), (padding, padding)))
    return conv2d(padded[:, :, None, :], w[:, :, None, :], b, stride)[:, :, 0, :]


def conv1d_backward(dout: np.ndarray, x: np.ndarray, w: np.ndarray, stride: int = 1,
                    padding: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradients (dx, dw, db) of conv1d, shapes as x (N, C_in, L), w (C_out, C_in, k), b (C_out,)."""
    x, w = np.asarray(x, dtype=float), np.asarray(w, dtype=float)
    padded = np.pad(x, ((0, 0), (0, 0), (padding, padding)))
    dx, dw, db = conv2d_backward(np.asarray(dout, dtype=float)[:, :, None, :], padded[:, :, None, :],
                                 w[:, :, None, :], stride)
    dx = dx[:, :, 0, padding:padding + x.shape[2]]
    return dx, dw[:, :, 0, :], db


def max_pool2d(x: np.ndarray, size: int = 2, stride: int | None = None) -> np.ndarray:
    """Max over each (size, size) window of x (N, C, H, W); stride defaults to size."""
    stride = stride or size
    return _windows(np.asarray(x, dtype=float), size, size, stride).max(axis=(-2, -1))
