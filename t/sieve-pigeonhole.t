#!/usr/bin/env python3
# sieve-pigeonhole.t - keeps the Sieve conformance corpus honest: runs
# Pigeonhole's sieve-test (Debian dovecot-sieve) live on every case of
# t/sieve/cases/ through t/sieve/pigeonhole-json and checks that it still
# gives the stored result: NAME.json, or for a case whose reference is the
# RFC (Pigeonhole deviates or lacks the extension, t/sieve/NOTES.md) the
# result stored in its case.pigeonhole. Every field is compared. Skips
# when /usr/bin/sieve-test (or $SIEVE_TEST) is not installed.
import concurrent.futures
import importlib.machinery
import importlib.util
import os
import sys

SRCDIR = os.environ.get("SLUICE_SRCDIR") or os.path.dirname(
    os.path.dirname(os.path.abspath(__file__)))
SIEVEDIR = os.path.join(SRCDIR, "t", "sieve")
sys.path.insert(0, SIEVEDIR)
sys.dont_write_bytecode = True   # nothing written into the source tree
import sievecase  # noqa: E402


def load_tool():
    path = os.path.join(SIEVEDIR, "pigeonhole-json")
    loader = importlib.machinery.SourceFileLoader("pigeonhole_json", path)
    spec = importlib.util.spec_from_loader("pigeonhole_json", loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


def run(tool, name):
    """-> (ok, diag lines)"""
    try:
        c = sievecase.load(name)
        res = tool.pigeonhole(dict(c["opts"], script=c["script"],
                                   message=c["message"]))
    except Exception as e:  # a broken case or sieve-test failure
        return False, ["%s: %s" % (type(e).__name__, e)]
    diffs = sievecase.compare(sievecase.pigeonhole_expected(c), res,
                              strict=True)
    return not diffs, diffs


def main():
    tool = load_tool()
    if not os.access(tool.SIEVE_TEST, os.X_OK):
        print("1..0 # SKIP %s not installed" % tool.SIEVE_TEST)
        return 0
    names = sievecase.case_names()
    print("1..%d" % len(names))
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda n: run(tool, n), names))
    failed = 0
    for i, (name, (ok, diag)) in enumerate(zip(names, results), 1):
        print("%s %d - %s" % ("ok" if ok else "not ok", i, name))
        if not ok:
            failed += 1
            for d in diag:
                print("#   " + d)
    rfc = sum(1 for n in names
              if sievecase.load(n)["meta"].get("reference") == "rfc")
    print("# %d cases, %d with the RFC's answer instead of Pigeonhole's "
          "(t/sieve/NOTES.md)" % (len(names), rfc))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
