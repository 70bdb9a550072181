#!/usr/bin/env python3
# sieve-tools.t - `sluice sieve check` and `sluice sieve test` as
# shared/sieve-json.md and the DESIGN contracts say: exit codes,
# FILE:LINE:COL errors, the canonical JSON, -f/-r/-a/-x/-t and -o.
import json
import os
import subprocess
import sys

BUILD = os.environ["SLUICE_BUILDDIR"]
SRC = os.environ["SLUICE_SRCDIR"]
DATA = os.path.join(SRC, "t", "data", "sieve")
SLUICE = os.path.join(BUILD, "sluice")
n = 0
failed = 0


def tap(cond, name, detail=None):
    global n, failed
    n += 1
    print("%s %d - %s" % ("ok" if cond else "not ok", n, name))
    if not cond:
        failed = 1
        if detail is not None:
            for line in str(detail).splitlines()[:20]:
                print("# " + line)


def sluice(*args, stdin=None):
    env = dict(os.environ, SLUICE_CONFIG="")
    p = subprocess.run([SLUICE, "-c", "/dev/null"] + list(args),
                       capture_output=True, env=env, input=stdin)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def d(name):
    return os.path.join(DATA, name)


def test_json(*args):
    rc, out, err = sluice("sieve", "test", "--json", *args)
    try:
        return rc, json.loads(out), err
    except ValueError:
        return rc, None, out + err


# check
rc, out, err = sluice("sieve", "check", d("rules.sieve"))
tap(rc == 0, "check: a valid script exits 0", err)
tap(out.strip() == d("rules.sieve") + ": ok (extensions: fileinto)",
    "check: lists the extensions used", out)
rc, out, err = sluice("sieve", "check", d("rules.sieve"), d("bad.sieve"))
tap(rc == 1, "check: an invalid script among others exits 1")
tap(d("bad.sieve") + ":5:1: unknown command 'frobnicate'" in err,
    "check: FILE:LINE:COL: message", err)
rc, out, err = sluice("sieve", "check", "--json", d("bad.sieve"),
                      d("rules.sieve"))
try:
    j = json.loads(out)
    s = j["scripts"]
    ok = (s[0]["status"] == "error" and s[1]["status"] == "ok" and
          s[1]["extensions"] == ["fileinto"] and
          s[0]["errors"][0].endswith(":5:1: unknown command 'frobnicate' "
                                     "(only reported once at first "
                                     "occurrence)"))
except (ValueError, KeyError, IndexError):
    ok = False
tap(rc == 1 and ok, "check --json: one object per script", out)
rc, out, err = sluice("sieve", "check", d("no-such.sieve"))
tap(rc != 0 and "no-such.sieve" in err, "check: a missing file fails", err)
rc, out, err = sluice("sieve", "check")
tap(rc == 64, "check: no script is a usage error")

# test --json
rc, j, err = test_json(d("rules.sieve"), d("msg.eml"))
tap(rc == 0 and j == {"status": "ok", "actions": [
    {"action": "fileinto", "mailbox": "Finance", "flags": [],
     "copy": False, "create": False}]},
    "test --json: the canonical result", j)
rc, j, err = test_json(d("bad.sieve"), d("msg.eml"))
tap(rc == 0 and j is not None and j["status"] == "compile-error" and
    j["error_line"] == 5 and j["actions"] == [],
    "test --json: a compile error is JSON too, exit 0", j)
rc, j, err = test_json(d("envelope.sieve"), d("msg.eml"))
tap(j is not None and [a["mailbox"] for a in j["actions"]] == ["bounces"],
    "test: FROM defaults to <>", j)
rc, j, err = test_json("-f", "sender@example.com", "-r", "u@example.org",
                       "-a", "orig@example.org", d("envelope.sieve"),
                       d("msg.eml"))
tap(j is not None and [a["mailbox"] for a in j["actions"]] == ["via-orig"],
    "test: -f, -r and -a set the envelope (to: the original recipient)", j)
rc, j, err = test_json("-x", "-fileinto", d("rules.sieve"), d("msg.eml"))
tap(j is not None and j["status"] == "compile-error",
    "test: -x -fileinto disables fileinto", j)
rc, out, err = sluice("-o", "sieve_max_redirects=1", "sieve", "test",
                      "--json", d("redirects.sieve"), d("msg.eml"))
try:
    j = json.loads(out)
except ValueError:
    j = None
tap(j is not None and j["status"] == "runtime-error" and
    j["actions"] == [{"action": "keep", "flags": [], "implicit": True}],
    "test: -o sieve_max_redirects=1: runtime error, only the keep", out)
p = subprocess.run([SLUICE, "-c", "/dev/null", "sieve", "test", "--json",
                    d("rules.sieve"), "-"], capture_output=True,
                   input=open(d("msg.eml"), "rb").read())
tap(p.returncode == 0 and json.loads(p.stdout)["actions"][0]["mailbox"] ==
    "Finance", "test: MESSAGE - reads stdin")

# readable output and trace
rc, out, err = sluice("sieve", "test", d("rules.sieve"), d("msg.eml"))
tap(rc == 0 and 'fileinto "Finance"' in out, "test: readable listing", out)
rc, out, err = sluice("sieve", "test", "-t", d("rules.sieve"), d("msg.eml"))
tap(rc == 0 and 'header :contains "subject" "invoice" -> true' in out and
    'fileinto "Finance"' in out and "size :over 1048576 -> false" in out,
    "test -t: each test with its result", out)
rc, out, err = sluice("sieve", "test", "--json", "-t", d("rules.sieve"),
                      d("msg.eml"))
tap(rc == 0 and json.loads(out)["status"] == "ok" and "-> true" in err,
    "test --json -t: trace on stderr, JSON alone on stdout", err)
rc, out, err = sluice("sieve", "test", d("rules.sieve"))
tap(rc == 64, "test: a missing MESSAGE is a usage error")
rc, out, err = sluice("sieve", "test", d("rules.sieve"), d("none.eml"))
tap(rc != 0, "test: an unreadable message fails")

print("1..%d" % n)
sys.exit(failed)
