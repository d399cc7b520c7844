"""Per-stage wall time, and peak Python memory when tracemalloc is tracing (benchmarks)."""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass(frozen=True)
class StageTiming:
    name: str
    seconds: float
    peak_bytes: int | None  # Python allocations during the stage, when tracemalloc traces
    started: float | None = None  # time.monotonic() at its start (benchmarks match samples)


@dataclass
class Timer:
    stages: list[StageTiming] = field(default_factory=list)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        tracing = tracemalloc.is_tracing()
        if tracing:
            tracemalloc.reset_peak()
        start, started = time.perf_counter(), time.monotonic()
        try:
            yield
        finally:
            peak = tracemalloc.get_traced_memory()[1] if tracing else None
            self.stages.append(StageTiming(name, time.perf_counter() - start, peak, started))
