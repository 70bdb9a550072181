#!/usr/bin/env python3
"""password.t - every password scheme of lib/password.c against Dovecot's
own, live: for each scheme, a string made by `sluice pw -s` is verified by
`doveadm pw -t` (and refused with a wrong password), a string made by
`doveadm pw -s` is verified by `sluice pw -t` (and refused with a wrong
password), unsalted schemes give the very same string in both, and a
hash without its {SCHEME} prefix verifies with -s. Skipped when doveadm
(Debian: dovecot-core) is missing or does not run."""
import os, shutil, subprocess, sys

B = os.environ["SLUICE_BUILDDIR"]
SLUICE = os.path.join(B, "sluice")
PASSWORD = "Tr0ub4dor&3 s\u00e9same"   # a blank and UTF-8 on purpose
WRONG = "tr0ub4dor&3 s\u00e9same"      # first byte differs: DES reads 8
n = 0
failed = 0


def ok(cond, name, diag=None):
    global n, failed
    n += 1
    print(("ok %d - %s" if cond else "not ok %d - %s") % (n, name))
    if not cond:
        failed += 1
        for line in str(diag or "").splitlines()[:20]:
            print("#   " + line)
    sys.stdout.flush()


def skip(name, why):
    global n
    n += 1
    print("ok %d - %s # SKIP %s" % (n, name, why))


def run(prog, args):
    env = dict(os.environ, SLUICE_CONFIG="")
    return subprocess.run([prog] + args, capture_output=True, text=True,
                          env=env, timeout=120)


def doveadm_usable():
    path = shutil.which("doveadm")
    if path is None:
        return None, "doveadm not installed (Debian: dovecot-core)"
    try:
        p = run(path, ["pw", "-s", "SHA256", "-p", "x"])
    except (OSError, subprocess.TimeoutExpired) as e:
        return None, "doveadm does not run: %s" % e
    if p.returncode != 0 or not p.stdout.startswith("{SHA256}"):
        return None, "doveadm pw does not work here: %s" % p.stderr.strip()
    return path, None


DOVEADM, WHY = doveadm_usable()
listing = run(SLUICE, ["pw", "-l"]).stdout
HAVE_ARGON2 = "ARGON2ID" in listing.split()

# scheme -> (sluice makes it, doveadm makes it, unsalted: same string)
SCHEMES = [
    ("SHA512-CRYPT", 1, 1, 0), ("SHA256-CRYPT", 1, 1, 0),
    ("BLF-CRYPT", 1, 1, 0), ("CRYPT", 1, 1, 0), ("YESCRYPT", 1, 0, 0),
    ("MD5-CRYPT", 1, 1, 0), ("MD5", 1, 1, 0), ("DES-CRYPT", 0, 1, 0),
    ("SHA256", 1, 1, 1), ("SHA512", 1, 1, 1), ("SHA", 1, 1, 1),
    ("SHA1", 1, 1, 1), ("SHA256.HEX", 1, 1, 1), ("SHA512.HEX", 1, 1, 1),
    ("SSHA", 1, 1, 0), ("SSHA256", 1, 1, 0), ("SSHA512", 1, 1, 0),
    ("SSHA512.HEX", 1, 1, 0), ("SMD5", 1, 1, 0),
    ("PLAIN-MD5", 1, 1, 1), ("LDAP-MD5", 1, 1, 1), ("PLAIN-MD5.B64", 1, 1, 1),
    ("CRAM-MD5", 1, 1, 1), ("CRAM-MD5.B64", 1, 1, 1),
    ("ARGON2I", 1, 1, 0), ("ARGON2ID", 1, 1, 0),
    ("PLAIN", 0, 1, 0), ("CLEAR", 0, 1, 0), ("PLAIN.HEX", 0, 1, 0),
]


def sluice_verifies(h, scheme=None):
    """(right password accepted, wrong refused, diagnostics)"""
    extra = ["-s", scheme] if scheme else []
    good = run(SLUICE, ["pw", "-t", h, "-p", PASSWORD] + extra)
    bad = run(SLUICE, ["pw", "-t", h, "-p", WRONG] + extra)
    return (good.returncode == 0 and "(verified)" in good.stdout,
            bad.returncode == 1 and "mismatch" in bad.stderr,
            "%r: %d %r %r / %d %r" % (h, good.returncode, good.stdout,
                                      good.stderr, bad.returncode, bad.stderr))


for scheme, ours, theirs, exact in SCHEMES:
    if DOVEADM is None:
        skip("%s: both ways with doveadm" % scheme, WHY)
        continue
    if scheme.startswith("ARGON2") and not HAVE_ARGON2:
        skip("%s: both ways with doveadm" % scheme,
             "sluice built without libargon2")
        continue
    if ours:
        p = run(SLUICE, ["pw", "-s", scheme, "-p", PASSWORD])
        h = p.stdout.strip()
        ok(p.returncode == 0 and h.startswith("{"),
           "%s: sluice pw makes one" % scheme, p.stdout + p.stderr)
        good = run(DOVEADM, ["pw", "-t", h, "-p", PASSWORD])
        bad = run(DOVEADM, ["pw", "-t", h, "-p", WRONG])
        ok(good.returncode == 0 and "(verified)" in good.stdout,
           "%s: doveadm pw -t verifies sluice's string" % scheme,
           "%r %r %r" % (h, good.stdout, good.stderr))
        ok(bad.returncode != 0 and "(verified)" not in bad.stdout,
           "%s: doveadm pw -t refuses a wrong password for it" % scheme,
           "%r %r %r" % (h, bad.stdout, bad.stderr))
    if theirs:
        d = run(DOVEADM, ["pw", "-s", scheme, "-p", PASSWORD])
        dh = d.stdout.strip()
        right, wrong, why = sluice_verifies(dh)
        ok(d.returncode == 0 and right,
           "%s: sluice pw -t verifies doveadm's string" % scheme, why)
        ok(wrong, "%s: sluice pw -t refuses a wrong password for it" % scheme,
           why)
        if ours and exact:
            ok(h == dh, "%s: unsalted, the same string from both" % scheme,
               "%r\n%r" % (h, dh))
        if not scheme.startswith(("PLAIN", "CLEAR")) and "}" in dh:
            bare = dh.split("}", 1)[1]
            right, wrong, why = sluice_verifies(bare, scheme)
            ok(right and wrong, "%s: without its prefix, -s %s verifies "
               "doveadm's string" % (scheme, scheme), why)

print("1..%d" % n)
sys.exit(1 if failed else 0)
