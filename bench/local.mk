# bench/ - side-by-side benchmarks (not part of make check)
EXTRA_DIST += bench/README.md
