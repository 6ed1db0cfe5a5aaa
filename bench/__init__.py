"""Benchmarks and evaluation harnesses (run from the project root: python -m bench.NAME)."""
