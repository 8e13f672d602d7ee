"""Benchmarks: `make bench`. Not tests; results go to bench/RESULTS.md."""
