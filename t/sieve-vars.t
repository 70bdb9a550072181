#!/usr/bin/env python3
# sieve-vars.t - variables (RFC 5229), include (RFC 6609) and ihave
# (RFC 5463) through `sluice sieve test --json`, on the cases in
# t/data/sieve-vars/: each NAME.sieve with NAME.json giving the expected
# status, error line and actions (only the fields listed are compared)
# and in "case" the message (from t/sieve/messages/) and extra arguments
# ("@DATA@" stands for the case directory: included scripts live in its
# personal/ and global/). Where Pigeonhole's sieve-test is installed the
# same cases also run through t/sieve/pigeonhole-json; a case where we
# differ from Pigeonhole on purpose gives Pigeonhole's result in
# case.pigeonhole and says why in case.note.
import glob
import json
import os
import subprocess
import sys

SRC = os.environ.get("SLUICE_SRCDIR", os.path.join(os.path.dirname(__file__), ".."))
BUILD = os.environ.get("SLUICE_BUILDDIR", ".")
DATA = os.path.abspath(os.path.join(SRC, "t", "data", "sieve-vars"))
MSGS = os.path.join(SRC, "t", "sieve", "messages")
PJSON = os.path.join(SRC, "t", "sieve", "pigeonhole-json")
SIEVE_TEST = os.environ.get("SIEVE_TEST", "/usr/bin/sieve-test")

n = 0


def ok(cond, name, detail=""):
    global n
    n += 1
    print("%s %d - %s" % ("ok" if cond else "not ok", n, name))
    if not cond and detail:
        for ln in detail.splitlines():
            print("#   " + ln)
    return cond


def compare(want, got):
    """'' when got has every field want lists, else what differs"""
    if got.get("status") != want["status"]:
        return "status %r, want %r\n%s" % (got.get("status"), want["status"],
                                           json.dumps(got)[:600])
    if want["status"] == "compile-error":
        if got.get("error_line") != want["error_line"]:
            return "error_line %r, want %r" % (got.get("error_line"),
                                               want["error_line"])
        return ""
    ga, wa = got.get("actions", []), want["actions"]
    if len(ga) != len(wa):
        return "actions %s\nwant %s" % (json.dumps(ga), json.dumps(wa))
    for g, w in zip(ga, wa):
        for k, v in w.items():
            if g.get(k) != v:
                return "%s: %s is %r, want %r" % (w["action"], k, g.get(k), v)
    return ""


def run(cmd):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        return json.loads(p.stdout.decode("utf-8", "replace"))
    except ValueError:
        return {"status": "no JSON (exit %d): %s" % (
            p.returncode, p.stderr.decode("utf-8", "replace")[:300])}


def main():
    sluice = os.path.join(BUILD, "sluice")
    pigeonhole = os.access(SIEVE_TEST, os.X_OK) and os.access(PJSON, os.X_OK)
    cases = sorted(glob.glob(os.path.join(DATA, "*.sieve")))
    print("1..%d" % (len(cases) * (2 if pigeonhole else 1)))
    for script in cases:
        name = os.path.basename(script)[:-len(".sieve")]
        with open(script[:-len(".sieve")] + ".json") as f:
            want = json.load(f)
        case = want.get("case", {})
        msg = os.path.join(MSGS, case.get("message", "plain.eml"))
        args = ["-f", "alice@example.com"] + [
            a.replace("@DATA@", DATA) for a in case.get("args", [])]
        # -o KEY=VALUE is a global option of sluice
        glob_opts, test_opts = [], []
        i = 0
        while i < len(args):
            if args[i] == "-o" and i + 1 < len(args):
                glob_opts += args[i:i + 2]
                i += 2
            else:
                test_opts.append(args[i])
                i += 1
        got = run([sluice] + glob_opts + ["sieve", "test", "--json"] +
                  test_opts + [script, msg])
        diff = compare(want, got)
        ok(diff == "", name, diff)
        if pigeonhole:
            pwant = case.get("pigeonhole", want)
            got = run([PJSON] + args + [script, msg])
            diff = compare(pwant, got)
            ok(diff == "", name + " (pigeonhole)", diff)
    return 0


sys.exit(main())
