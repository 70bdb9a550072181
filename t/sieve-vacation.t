#!/usr/bin/env python3
# sieve-vacation.t - reject/ereject, vacation(-seconds), enotify, duplicate
# and environment through `sluice sieve test --json`, on the cases in
# t/data/sieve-vacation/: NAME.sieve run on plain.eml with -f
# alice@example.com; NAME.json holds the expected status and actions
# (only the fields given are compared), "args" extra global options, and
# "pigeonhole": true when Pigeonhole's sieve-test must agree (checked
# through t/sieve/pigeonhole-json when /usr/bin/sieve-test is installed).
import glob
import json
import os
import subprocess
import sys

build = os.environ.get("SLUICE_BUILDDIR", ".")
src = os.environ.get("SLUICE_SRCDIR", os.path.join(os.path.dirname(__file__), ".."))
data = os.path.join(src, "t", "data", "sieve-vacation")
msg = os.path.join(data, "plain.eml")
ph_tool = os.path.join(src, "t", "sieve", "pigeonhole-json")
have_ph = os.path.exists("/usr/bin/sieve-test") and os.path.exists(ph_tool)
n = 0
failed = 0


def tap(cond, name, detail=None):
    global n, failed
    n += 1
    print(("ok %d - %s" if cond else "not ok %d - %s") % (n, name))
    if not cond:
        failed = 1
        if detail:
            for ln in str(detail).splitlines():
                print("# " + ln)


def subset(got, want):
    """None when got has every field of want, else a description"""
    if got.get("status") != want["status"]:
        return "status %r, want %r" % (got.get("status"), want["status"])
    ga, wa = got.get("actions", []), want["actions"]
    if len(ga) != len(wa):
        return "actions %s, want %s" % (json.dumps(ga), json.dumps(wa))
    for g, w in zip(ga, wa):
        for k, v in w.items():
            if g.get(k) != v:
                return "action %s: %s is %r, want %r" % (
                    json.dumps(g), k, g.get(k), v)
    return None


def run(argv):
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        return json.loads(p.stdout.decode("utf-8", "replace")), p
    except ValueError:
        return None, p


for script in sorted(glob.glob(os.path.join(data, "*.sieve"))):
    name = os.path.basename(script)[:-6]
    with open(script[:-6] + ".json") as f:
        want = json.load(f)
    extra = want.get("args", [])
    got, p = run([os.path.join(build, "sluice"), "-c", "/dev/null"] + extra +
                 ["sieve", "test", "--json", "-f", "alice@example.com",
                  script, msg])
    why = "no JSON: exit %d, %s" % (p.returncode, p.stderr.decode()) \
        if got is None else subset(got, want)
    tap(why is None, "sluice: " + name, why)
    if want.get("pigeonhole") and have_ph:
        ph, p = run([sys.executable, ph_tool, "-f", "alice@example.com",
                     script, msg])
        why = "no JSON: exit %d, %s" % (p.returncode, p.stderr.decode()) \
            if ph is None else subset(ph, want)
        tap(why is None, "pigeonhole agrees: " + name, why)

print("1..%d" % n)
sys.exit(failed)
