"""Benchmark of the company list and company pages on a large generated data set.

`make bench` (or `python -m bench`) builds a SQLite file and a PostgreSQL database of its own,
fills them with 100,000 companies and 1,000,000 steps, signs in through the real app and times
the pages, then writes docs/benchmarks.md. See `python -m bench --help` for smaller runs.
"""
