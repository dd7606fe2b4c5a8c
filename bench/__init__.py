"""Benchmarks: `make bench` runs them all and prints the figures docs/benchmarks.md records."""
