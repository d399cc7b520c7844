"""Recurrent networks: a vanilla RNN with backpropagation through time (BPTT), LSTM and GRU,
each with its forward and backward pass.

Shapes: a sequence x is (T, N, D) (time, batch, input features); hidden states are (N, H);
the forward passes return every hidden state as hs (T, N, H) and a cache for the backward pass,
which takes dhs = dL/dhs (T, N, H) (a loss may read any time step) and returns the gradients of
the inputs and of every parameter.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def sigmoid(x: np.ndarray) -> np.ndarray:
    """Logistic function, computed without overflow for large |x|."""
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def init_params(kind: str, input_size: int, hidden_size: int, seed: int = 0,
                scale: float | None = None) -> dict[str, np.ndarray]:
    """Random parameters for kind 'rnn', 'lstm' or 'gru': Wx (D, gH), Wh (H, gH), b (gH,),
    where g is 1, 4 or 3 gates. Weights ~ N(0, scale^2), scale defaulting to 1/sqrt(H)."""
    gates = {"rnn": 1, "lstm": 4, "gru": 3}[kind]
    rng = np.random.default_rng(seed)
    scale = 1.0 / np.sqrt(hidden_size) if scale is None else scale
    return {"Wx": rng.normal(0, scale, (input_size, gates * hidden_size)),
            "Wh": rng.normal(0, scale, (hidden_size, gates * hidden_size)),
            "b": np.zeros(gates * hidden_size)}


# --- vanilla RNN ---------------------------------------------------------------------------

@dataclass
class RNNCache:
    x: np.ndarray
    h0: np.ndarray
    hs: np.ndarray
    Wx: np.ndarray
    Wh: np.ndarray


def rnn_forward(x: np.ndarray, h0: np.ndarray, Wx: np.ndarray, Wh: np.ndarray,
                b: np.ndarray) -> tuple[np.ndarray, RNNCache]:
    """H_t = tanh(X_t Wx + H_{t-1} Wh + b) for t = 1..T: x (T, N, D), h0 (N, H) -> hs (T, N, H).

    The same Wx, Wh, b are used at every step: the network is one cell unrolled in time.
    """
    hs = np.empty((x.shape[0], *h0.shape))
    h = h0
    for t in range(x.shape[0]):
        h = np.tanh(x[t] @ Wx + h @ Wh + b)
        hs[t] = h
    return hs, RNNCache(x, h0, hs, Wx, Wh)


def rnn_backward(dhs: np.ndarray, cache: RNNCache) -> dict[str, np.ndarray]:
    """BPTT: walks the unrolled steps backwards, adding each step's share to the shared weights.

    With row vectors (H_t = tanh(X_t Wx + H_{t-1} Wh + b)) the gradient g_t reaching H_t goes
    one step back as g_{t-1} = g_t diag(1 - H_t^2) Wh^T, a product once per step, which is why
    it vanishes (or explodes) over long distances. Returns dx (T, N, D), dh0 (N, H),
    dWx, dWh, db.
    """
    x, hs, Wx, Wh = cache.x, cache.hs, cache.Wx, cache.Wh
    dx, dWx, dWh = np.zeros_like(x), np.zeros_like(Wx), np.zeros_like(Wh)
    db = np.zeros(Wh.shape[1])
    dh_next = np.zeros_like(cache.h0)
    for t in reversed(range(x.shape[0])):
        h_prev = hs[t - 1] if t > 0 else cache.h0
        da = (dhs[t] + dh_next) * (1.0 - hs[t] ** 2)
        dx[t] = da @ Wx.T
        dWx += x[t].T @ da
        dWh += h_prev.T @ da
        db += da.sum(axis=0)
        dh_next = da @ Wh.T
    return {"dx": dx, "dh0": dh_next, "dWx": dWx, "dWh": dWh, "db": db}


# --- LSTM ----------------------------------------------------------------------------------

@dataclass
class LSTMCache:
    x: np.ndarray
    h0: np.ndarray
    c0: np.ndarray
    hs: np.ndarray
    cs: np.ndarray
    gates: np.ndarray  # (T, N, 4H): input i, forget f, output o (after sigmoid), candidate g (tanh)
    Wx: np.ndarray
    Wh: np.ndarray


def lstm_forward(x: np.ndarray, h0: np.ndarray, c0: np.ndarray, Wx: np.ndarray, Wh: np.ndarray,
                 b: np.ndarray) -> tuple[np.ndarray, LSTMCache]:
    """LSTM over x (T, N, D) from h0, c0 (N, H); Wx (D, 4H), Wh (H, 4H), b (4H,) hold the gates
    in the order input i, forget f, output o, candidate g:

        C_t = f * C_{t-1} + i * g      (forget part of the old memory, write part of the new)
        H_t = o * tanh(C_t)            (read part of the memory out)

    Returns hs (T, N, H) and the cache (the cell states are in cache.cs).
    """
    T, H = x.shape[0], h0.shape[1]
    hs, cs, gates = np.empty((T, *h0.shape)), np.empty((T, *h0.shape)), np.empty((T, h0.shape[0], 4 * H))
    h, c = h0, c0
    for t in range(T):
        a = x[t] @ Wx + h @ Wh + b
        i, f, o = (sigmoid(a[:, k * H:(k + 1) * H]) for k in range(3))
        g = np.tanh(a[:, 3 * H:])
        c = f * c + i * g
        h = o * np.tanh(c)
        hs[t], cs[t], gates[t] = h, c, np.concatenate([i, f, o, g], axis=1)
    return hs, LSTMCache(x, h0, c0, hs, cs, gates, Wx, Wh)


def lstm_backward(dhs: np.ndarray, cache: LSTMCache) -> dict[str, np.ndarray]:
    """Gradients of the LSTM: dx (T, N, D), dh0, dc0 (N, H), dWx, dWh, db.

    The memory's gradient passes from C_t to C_{t-1} multiplied only by the forget gate f
    (no weight matrix, no squashing), so it can survive many steps.
    """
    x, hs, cs, gates, Wx, Wh = cache.x, cache.hs, cache.cs, cache.gates, cache.Wx, cache.Wh
    H = Wh.shape[0]
    dx, dWx, dWh = np.zeros_like(x), np.zeros_like(Wx), np.zeros_like(Wh)
    db = np.zeros(4 * H)
    dh_next, dc_next = np.zeros_like(cache.h0), np.zeros_like(cache.c0)
    for t in reversed(range(x.shape[0])):
        i, f, o, g = (gates[t][:, k * H:(k + 1) * H] for k in range(4))
        c_prev = cs[t - 1] if t > 0 else cache.c0
        h_prev = hs[t - 1] if t > 0 else cache.h0
        dh = dhs[t] + dh_next
        tanh_c = np.tanh(cs[t])
        dc = dc_next + dh * o * (1.0 - tanh_c ** 2)
        da = np.concatenate([dc * g * i * (1 - i), dc * c_prev * f * (1 - f),
                             dh * tanh_c * o * (1 - o), dc * i * (1 - g ** 2)], axis=1)
        dx[t] = da @ Wx.T
        dWx += x[t].T @ da
        dWh += h_prev.T @ da
        db += da.sum(axis=0)
        dh_next, dc_next = da @ Wh.T, dc * f
    return {"dx": dx, "dh0": dh_next, "dc0": dc_next, "dWx": dWx, "dWh": dWh, "db": db}


# --- GRU -----------------------------------------------------------------------------------

@dataclass
class GRUCache:
    x: np.ndarray
    h0: np.ndarray
    hs: np.ndarray
    gates: np.ndarray  # (T, N, 3H): update z, reset r (after sigmoid), candidate n (tanh)
    Wx: np.ndarray
    Wh: np.ndarray


def gru_forward(x: np.ndarray, h0: np.ndarray, Wx: np.ndarray, Wh: np.ndarray,
                b: np.ndarray) -> tuple[np.ndarray, GRUCache]:
    """GRU over x (T, N, D) from h0 (N, H); Wx (D, 3H), Wh (H, 3H), b (3H,) hold update z,
    reset r and candidate n:

        n_t = tanh(X_t Wx_n + (r * H_{t-1}) Wh_n + b_n)
        H_t = (1 - z) * n_t + z * H_{t-1}

    One update gate z does the work of the LSTM's forget and input gates, and the hidden state
    is the memory (there is no separate cell state). Returns hs (T, N, H) and the cache.
    """
    T, H = x.shape[0], h0.shape[1]
    hs, gates = np.empty((T, *h0.shape)), np.empty((T, h0.shape[0], 3 * H))
    h = h0
    for t in range(T):
        ax = x[t] @ Wx + b
        z = sigmoid(ax[:, :H] + h @ Wh[:, :H])
        r = sigmoid(ax[:, H:2 * H] + h @ Wh[:, H:2 * H])
        n = np.tanh(ax[:, 2 * H:] + (r * h) @ Wh[:, 2 * H:])
        h = (1.0 - z) * n + z * h
        hs[t], gates[t] = h, np.concatenate([z, r, n], axis=1)
    return hs, GRUCache(x, h0, hs, gates, Wx, Wh)


def gru_backward(dhs: np.ndarray, cache: GRUCache) -> dict[str, np.ndarray]:
    """Gradients of the GRU: dx (T, N, D), dh0 (N, H), dWx, dWh, db."""
    x, hs, gates, Wx, Wh = cache.x, cache.hs, cache.gates, cache.Wx, cache.Wh
    H = Wh.shape[0]
    dx, dWx, dWh = np.zeros_like(x), np.zeros_like(Wx), np.zeros_like(Wh)
    db = np.zeros(3 * H)
    dh_next = np.zeros_like(cache.h0)
    for t in reversed(range(x.shape[0])):
        z, r, n = (gates[t][:, k * H:(k + 1) * H] for k in range(3))
        h_prev = hs[t - 1] if t > 0 else cache.h0
        dh = dhs[t] + dh_next
        dan = dh * (1.0 - z) * (1.0 - n ** 2)
        daz = dh * (h_prev - n) * z * (1.0 - z)
        drh = dan @ Wh[:, 2 * H:].T  # gradient of r * h_prev
        dar = drh * h_prev * r * (1.0 - r)
        da = np.concatenate([daz, dar, dan], axis=1)
        dx[t] = da @ Wx.T
        dWx += x[t].T @ da
        db += da.sum(axis=0)
        dWh[:, :2 * H] += h_prev.T @ da[:, :2 * H]
        dWh[:, 2 * H:] += (r * h_prev).T @ dan
        dh_next = dh * z + drh * r + da[:, :2 * H] @ Wh[:, :2 * H].T
    return {"dx": dx, "dh0": dh_next, "dWx": dWx, "dWh": dWh, "db": db}


def bptt_gradient_norms(steps: int, hidden: int, scale: float, seed: int = 0,
                        input_scale: float = 0.1) -> tuple[np.ndarray, float]:
    """||dL/dX_t|| for t = 1..T when the loss sits on the last state only, measured by
    rnn_backward, and the spectral radius of W_H. Small inputs keep tanh out of saturation, so
    the radius decides: below 1 the gradient vanishes going back in time, above 1 it explodes."""
    rng = np.random.default_rng(seed)
    x = input_scale * rng.normal(0, 1, (steps, 1, hidden))
    params = init_params("rnn", hidden, hidden, seed=seed, scale=scale)
    hs, cache = rnn_forward(x, np.zeros((1, hidden)), **params)
    dhs = np.zeros_like(hs)
    dhs[-1] = 1.0 / np.sqrt(hidden)
    grads = rnn_backward(dhs, cache)
    spectral = float(np.abs(np.linalg.eigvals(params["Wh"])).max())
    return np.linalg.norm(grads["dx"][:, 0], axis=1), spectral


def input_sensitivity(kind: str, steps: int, hidden_size: int = 16, seed: int = 0,
                      scale: float | None = None, keep_bias: float = 0.0) -> np.ndarray:
    """How strongly the last hidden state depends on each input: ||dH_T / dX_t|| for t = 1..T.

    Computed by the real backward pass with a random unit direction on H_T (N = 1, D = H, random
    inputs). `keep_bias` raises the bias of the gate that keeps the old memory, a common
    initialisation, the same for both gated cells so that they are compared fairly: the LSTM's
    forget gate f and the GRU's update gate z (z = 1 keeps H_{t-1}). A plain RNN has no such gate.
    Returns an array of length `steps`, index t for input t.
    """
    rng = np.random.default_rng(seed)
    params = init_params(kind, hidden_size, hidden_size, seed=seed, scale=scale)
    if kind == "lstm":
        params["b"][hidden_size:2 * hidden_size] = keep_bias
    elif kind == "gru":
        params["b"][:hidden_size] = keep_bias
    x = rng.normal(0, 1, (steps, 1, hidden_size))
    h0 = np.zeros((1, hidden_size))
    dhs = np.zeros((steps, 1, hidden_size))
    dhs[-1] = rng.normal(0, 1, (1, hidden_size))
    dhs[-1] /= np.linalg.norm(dhs[-1])
    if kind == "rnn":
        grads = rnn_backward(dhs, rnn_forward(x, h0, **params)[1])
    elif kind == "lstm":
        grads = lstm_backward(dhs, lstm_forward(x, h0, np.zeros_like(h0), **params)[1])
    else:
        grads = gru_backward(dhs, gru_forward(x, h0, **params)[1])
    return np.linalg.norm(grads["dx"][:, 0, :], axis=1)
