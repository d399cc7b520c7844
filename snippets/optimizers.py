"""The optimizers of the notes behind one interface: SGD, Momentum, AdaGrad, RMSProp and Adam.

Each is a small object holding its hyperparameters and its state (velocity, squared-gradient
sums...), because that state is what tells them apart; `step(params, grad)` returns the new
parameters (any shape) without changing its arguments. `minimize` runs one on a function.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np


@dataclass
class SGD:
    """theta <- theta - lr * g"""

    lr: float = 0.01

    def step(self, params: np.ndarray, grad: np.ndarray) -> np.ndarray:
        return params - self.lr * grad


@dataclass
class Momentum:
    """v <- beta * v + g;  theta <- theta - lr * v  (the gradient's running sum keeps its heading)"""

    lr: float = 0.01
    beta: float = 0.9
    velocity: np.ndarray | None = field(default=None, repr=False)

    def step(self, params: np.ndarray, grad: np.ndarray) -> np.ndarray:
        self.velocity = grad if self.velocity is None else self.beta * self.velocity + grad
        return params - self.lr * self.velocity


@dataclass
class AdaGrad:
    """G <- G + g^2;  theta <- theta - lr * g / (sqrt(G) + eps)  (per-parameter rates that only shrink)"""

    lr: float = 0.01
    eps: float = 1e-8
    sum_sq: np.ndarray | None = field(default=None, repr=False)

    def step(self, params: np.ndarray, grad: np.ndarray) -> np.ndarray:
        self.sum_sq = grad ** 2 if self.sum_sq is None else self.sum_sq + grad ** 2
        return params - self.lr * grad / (np.sqrt(self.sum_sq) + self.eps)


@dataclass
class RMSProp:
    """G <- rho * G + (1 - rho) * g^2;  theta <- theta - lr * g / (sqrt(G) + eps)  (AdaGrad that forgets)"""

    lr: float = 0.01
    rho: float = 0.9
    eps: float = 1e-8
    mean_sq: np.ndarray | None = field(default=None, repr=False)

    def step(self, params: np.ndarray, grad: np.ndarray) -> np.ndarray:
        previous = np.zeros_like(grad) if self.mean_sq is None else self.mean_sq
        self.mean_sq = self.rho * previous + (1 - self.rho) * grad ** 2
        return params - self.lr * grad / (np.sqrt(self.mean_sq) + self.eps)


@dataclass
class Adam:
    """Momentum's m and RMSProp's v together, both bias-corrected for their zero start:
    m <- b1 m + (1-b1) g;  v <- b2 v + (1-b2) g^2;  theta <- theta - lr * m^ / (sqrt(v^) + eps)"""

    lr: float = 0.001
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8
    m: np.ndarray | None = field(default=None, repr=False)
    v: np.ndarray | None = field(default=None, repr=False)
    t: int = 0

    def step(self, params: np.ndarray, grad: np.ndarray) -> np.ndarray:
        if self.m is None or self.v is None:
            self.m, self.v = np.zeros_like(grad), np.zeros_like(grad)
        self.t += 1
        self.m = self.beta1 * self.m + (1 - self.beta1) * grad
        self.v = self.beta2 * self.v + (1 - self.beta2) * grad ** 2
        m_hat = self.m / (1 - self.beta1 ** self.t)
        v_hat = self.v / (1 - self.beta2 ** self.t)
        return params - self.lr * m_hat / (np.sqrt(v_hat) + self.eps)


OPTIMIZERS = {"SGD": SGD, "Momentum": Momentum, "AdaGrad": AdaGrad, "RMSProp": RMSProp, "Adam": Adam}


def minimize(optimizer, grad: Callable[[np.ndarray], np.ndarray], start: np.ndarray,
             steps: int) -> np.ndarray:
    """Runs `steps` updates from `start` (shape (d,)); returns the path, shape (steps + 1, d)."""
    path = [np.asarray(start, dtype=float)]
    for _ in range(steps):
        path.append(optimizer.step(path[-1], grad(path[-1])))
    return np.array(path)


def quadratic(curvatures: tuple[float, ...] | np.ndarray, minimum: np.ndarray | None = None):
    """f(x) = 1/2 sum_i c_i (x_i - m_i)^2 and its gradient: a convex bowl whose condition number
    is max(c) / min(c) (large = a long narrow valley). Returns (f, grad)."""
    c = np.asarray(curvatures, dtype=float)
    m = np.zeros_like(c) if minimum is None else np.asarray(minimum, dtype=float)

    def f(x: np.ndarray) -> np.ndarray:
        return 0.5 * (c * (np.asarray(x) - m) ** 2).sum(axis=-1)

    def grad(x: np.ndarray) -> np.ndarray:
        return c * (np.asarray(x) - m)

    return f, grad


# A long narrow valley (condition number 50) and settings for each optimizer on it: SGD at just
# under the largest stable rate 2/50; the others tuned by hand. The tests check what the figure shows.
NARROW_VALLEY = (1.0, 50.0)
VALLEY_SETTINGS = {"SGD": {"lr": 0.038}, "Momentum": {"lr": 0.02, "beta": 0.8}, "AdaGrad": {"lr": 1.0},
                   "RMSProp": {"lr": 0.05}, "Adam": {"lr": 0.3}}


def valley_losses(steps: int = 100, start=(-4.0, 2.0), settings=None) -> dict[str, np.ndarray]:
    """Each optimizer's loss at every step (steps + 1 values) on the narrow valley of the figure."""
    f, grad = quadratic(NARROW_VALLEY)
    return {name: f(minimize(OPTIMIZERS[name](**options), grad, np.array(start), steps))
            for name, options in (settings or VALLEY_SETTINGS).items()}


def valley_report(steps: int = 100, checkpoints=(25, 50, 100)) -> str:
    """A table for the note: the loss at a few steps, how many steps raised the loss, and the
    range of loss / SGD's loss over the second half of the run."""
    losses = valley_losses(steps)
    half = slice(steps // 2, steps + 1)
    header = "옵티마이저  " + "  ".join(f"{c:>3}스텝 손실" for c in checkpoints)
    rows = [header + "  손실이 오른 스텝  후반 손실/SGD"]
    for name, loss in losses.items():
        ratio = loss[half] / losses["SGD"][half]
        rises = int((np.diff(loss) > 0).sum())
        rows.append(f"{name:<10}  " + "  ".join(f"{loss[c]:>10.1e}" for c in checkpoints)
                    + f"  {rises:>14}  {ratio.min():.0e} ~ {ratio.max():.0e}")
    return "\n".join(rows)


def paths_figure(curvatures=NARROW_VALLEY, start=(-4.0, 2.0), steps: int = 100, settings=None):
    """The five optimizers' paths on an ill-conditioned quadratic bowl, and their loss per step."""
    from snippets.plotting import PALETTE, figure, finish, log_scale

    settings = settings or VALLEY_SETTINGS
    f, grad = quadratic(curvatures)
    fig, (ax_path, ax_loss) = figure(ncols=2, figsize=(9.5, 3.8))
    xs, ys = np.meshgrid(np.linspace(-4.5, 4.5, 200), np.linspace(-2.5, 2.5, 200))
    ax_path.contour(xs, ys, f(np.stack([xs, ys], axis=-1)), levels=np.geomspace(0.05, 150, 12),
                    colors="#bbbbbb", linewidths=0.8)
    for colour, (name, options) in zip(PALETTE, settings.items(), strict=False):
        path = minimize(OPTIMIZERS[name](**options), grad, np.array(start), steps)
        ax_path.plot(path[:, 0], path[:, 1], ".-", color=colour, ms=3, lw=1.2, label=name)
        ax_loss.plot(f(path) + 1e-12, color=colour, label=name)
    log_scale(ax_loss)
    ax_path.plot(0, 0, "k*", ms=10)
    ax_path.set(xlabel="$w_1$ (완만한 방향)", ylabel="$w_2$ (가파른 방향)", title="파라미터의 이동 경로")
    ax_loss.set(xlabel="스텝", ylabel="손실 (로그 축)", title=f"{steps} 스텝 동안의 손실")
    ax_loss.legend(fontsize=8)
    return finish(fig, "가늘고 긴 골짜기에서 옵티마이저 비교")
