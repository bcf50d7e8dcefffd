"""Benchmarks: `python -m bench.run`. They print figures; nothing here is a test."""
