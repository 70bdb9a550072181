# t/corpus.mk - the shared corpus through both stores, and the modified
# UTF-7 fuzzer (seeds in t/data/fuzz-mutf7/)
UNIT_TESTS += t/unit/test-corpus-stores
FUZZERS += mutf7
