#!/usr/bin/env python3
# sieve-body.t - body, mime/foreverypart/extracttext and editheader through
# `sluice sieve test --json` on real messages of the corpus
# ($SLUICE_CORPUS: an epilogue, an embedded message/rfc822, ISO-2022-JP
# text) with the scripts of t/data/sieve-body/. The expected results are
# Pigeonhole's sieve-test answers on the same script and message (checked
# with t/sieve/pigeonhole-json); stored header values are compared after
# RFC 2047 decoding, as t/sieve/sievecase.py does.
import email.header
import json
import os
import subprocess
import sys

BUILD = os.environ.get("SLUICE_BUILDDIR", ".")
SRC = os.environ.get("SLUICE_SRCDIR", os.path.dirname(
    os.path.dirname(os.path.abspath(__file__))))
CORPUS = os.environ.get("SLUICE_CORPUS", "")
DATA = os.path.join(SRC, "t", "data", "sieve-body")

EPILOGUE = "mimekit/messages/epilogue.txt"
EMBEDDED = "mimekit/messages/simple-embedded-message.eml"
JAPANESE = "mail-gem/emails/multi_charset/japanese_iso_2022.eml"

# (script, message, folders filed into, headers expected among the stored)
CASES = [
    ("corpus-body.sieve", EPILOGUE, ["epilogue"], []),
    ("corpus-body.sieve", EMBEDDED,
     ["nested-body", "nested-header", "two-text-parts"], []),
    ("corpus-body.sieve", JAPANESE, ["iso-2022-jp", "raw"], []),
    ("corpus-mime.sieve", EPILOGUE, ["done"],
     [["X-Types", "multipart/mixed text/plain"],
      ["X-Text-Start", "> NeXTSTEP, "]]),
    ("corpus-mime.sieve", EMBEDDED, ["done"],
     [["X-Types", "multipart/mixed text/plain"],
      ["X-Text-Start", "This is the "]]),
    ("corpus-mime.sieve", JAPANESE, ["done"],
     [["X-Types", "text/plain"],
      ["X-Text-Start", "\u3059\u307f\u307e\u305b"]]),
]


def decode(v):
    out = []
    for part, cs in email.header.decode_header(v):
        if isinstance(part, bytes):
            part = part.decode(cs or "utf-8", "replace")
        out.append(part)
    return "".join(out)


def main():
    n = 0
    fail = 0
    for script, rel, folders, headers in CASES:
        n += 1
        name = "%s on %s" % (script, rel)
        path = os.path.join(CORPUS, rel)
        if not CORPUS or not os.path.exists(path):
            print("ok %d # SKIP %s: no corpus" % (n, name))
            continue
        p = subprocess.run([os.path.join(BUILD, "sluice"), "-c", "/dev/null",
                            "sieve", "test", "--json",
                            os.path.join(DATA, script), path],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=60)
        try:
            res = json.loads(p.stdout.decode("utf-8"))
        except ValueError:
            res = {}
        got = [a.get("mailbox") for a in res.get("actions", [])]
        stored = [[h[0], decode(h[1])] for h in res.get("headers", [])]
        missing = [h for h in headers if h not in stored]
        if res.get("status") == "ok" and got == folders and not missing:
            print("ok %d - %s" % (n, name))
            continue
        fail = 1
        print("not ok %d - %s" % (n, name))
        print("#   folders: want %s, got %s" % (folders, got))
        if missing:
            print("#   headers missing: %s (stored %s)" % (missing, stored))
        if p.returncode != 0 or not res:
            print("#   exit %d: %s" % (p.returncode,
                                      p.stderr.decode("utf-8", "replace")))
    print("1..%d" % n)
    return fail


if __name__ == "__main__":
    sys.exit(main())
