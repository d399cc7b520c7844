"""Benchmarks for the vault compiler: a synthetic vault generator and a build benchmark.

    python -m benchmarks.generate_vault OUT --notes 1000
    python -m benchmarks.bench --sizes 100 1000 5000
"""
