#!/usr/bin/env python3
# sieve-relational.t - relational, i;ascii-numeric, i;unicode-casemap,
# regex, date/index and spamtest/virustest through `sluice sieve test
# --json`, on the cases in t/data/sieve-relational/: NAME.sieve with
# NAME.json giving the expected status (and error line) and actions (only
# the fields listed are compared); "case" names the message (in that
# directory, else t/sieve/messages/) and the -o settings (args). Where
# Pigeonhole's sieve-test is installed each case also runs through
# t/sieve/pigeonhole-json; a case where sluice differs on purpose keeps
# Pigeonhole's answer in case.pigeonhole and says why in case.note.
# Both run with TZ=UTC (the date test's default zone is the local one).
import glob
import json
import os
import subprocess

SRC = os.environ.get("SLUICE_SRCDIR",
                     os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                  ".."))
BUILD = os.environ.get("SLUICE_BUILDDIR", ".")
DATA = os.path.join(SRC, "t", "data", "sieve-relational")
MSGS = os.path.join(SRC, "t", "sieve", "messages")
PJSON = os.path.join(SRC, "t", "sieve", "pigeonhole-json")
SIEVE_TEST = os.environ.get("SIEVE_TEST", "/usr/bin/sieve-test")
EXTS = "+spamtest +spamtestplus +virustest"
ENV = dict(os.environ, TZ="UTC")
count = 0


def report(good, name, why=""):
    global count
    count += 1
    print("%s %d - %s" % ("ok" if good else "not ok", count, name))
    for line in ("" if good else why).splitlines():
        print("#   " + line)


def differences(want, got):
    """what got lacks of want, or '' when it has every listed field"""
    if got.get("status") != want["status"]:
        return "status %r, want %r: %s" % (got.get("status"), want["status"],
                                           json.dumps(got)[:500])
    if want["status"] == "compile-error":
        if "error_line" in want and got.get("error_line") != want["error_line"]:
            return "error_line %r, want %r" % (got.get("error_line"),
                                               want["error_line"])
        return ""
    have, need = got.get("actions", []), want.get("actions", [])
    if len(have) != len(need):
        return "actions %s\nwant %s" % (json.dumps(have), json.dumps(need))
    for h, w in zip(have, need):
        for key, val in w.items():
            if h.get(key) != val:
                return "%s: %s is %r, want %r" % (w.get("action"), key,
                                                  h.get(key), val)
    return ""


def result(cmd):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       env=ENV)
    try:
        return json.loads(p.stdout.decode("utf-8", "replace"))
    except ValueError:
        return {"status": "no JSON (exit %d): %s" % (
            p.returncode, p.stderr.decode("utf-8", "replace")[:300])}


def main():
    scripts = sorted(glob.glob(os.path.join(DATA, "*.sieve")))
    with_ph = os.access(SIEVE_TEST, os.X_OK) and os.path.exists(PJSON)
    print("1..%d" % (len(scripts) * (2 if with_ph else 1)))
    for script in scripts:
        name = os.path.basename(script)[:-len(".sieve")]
        with open(script[:-len(".sieve")] + ".json") as f:
            want = json.load(f)
        case = want.get("case", {})
        msg = os.path.join(DATA, case.get("message", "plain.eml"))
        if not os.path.exists(msg):
            msg = os.path.join(MSGS, case.get("message", "plain.eml"))
        opts = case.get("args", [])
        common = ["-f", "alice@example.com", "-x", EXTS]
        got = result([os.path.join(BUILD, "sluice")] + opts +
                     ["sieve", "test", "--json"] + common + [script, msg])
        report(differences(want, got) == "", name, differences(want, got))
        if with_ph:
            ref = case.get("pigeonhole", want)
            got = result(["python3", PJSON] + common + opts + [script, msg])
            report(differences(ref, got) == "", name + " (Pigeonhole)",
                   differences(ref, got))


main()
