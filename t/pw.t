#!/usr/bin/env python3
"""pw.t - `sluice pw` makes hashes Dovecot accepts: every scheme's hash is
verified by `doveadm pw -t` (skipped when doveadm is missing) and by
`sluice pw -t`, a wrong password fails both, two runs get different
salts, -r reaches the hash, Dovecot's own hashes verify in sluice, the
password is read from a pipe (one line) or from a terminal without echo
(typed twice), and the password never appears in any output. Also
`sluice help`: every command in tools/sluice.c's table is listed, and
`sluice help NAME` / `sluice NAME --help` show its usage."""
import os, pty, re, select, shutil, signal, subprocess, sys, time

B = os.environ["SLUICE_BUILDDIR"]
S = os.environ["SLUICE_SRCDIR"]
SLUICE = os.path.join(B, "sluice")
PASSWORD = "Tr0ub4dor&3 s\u00e9same"   # a blank and UTF-8 on purpose
WRONG = "Tr0ub4dor&4 s\u00e9same"
n = 0
failed = 0
outputs = []   # every stdout/stderr seen, checked for the password at the end


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


def run(args, stdin=None, prog=SLUICE):
    env = dict(os.environ, SLUICE_CONFIG="")
    p = subprocess.run([prog] + args, input=stdin, capture_output=True,
                       text=True, env=env, timeout=60)
    if prog == SLUICE:
        outputs.append(p.stdout + p.stderr)
    return p


def doveadm_usable():
    path = shutil.which("doveadm")
    if path is None:
        return None, "doveadm not installed (Debian: dovecot-core)"
    try:
        p = subprocess.run([path, "pw", "-s", "SHA512-CRYPT", "-p", "x"],
                           capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as e:
        return None, "doveadm does not run: %s" % e
    if p.returncode != 0 or not p.stdout.startswith("{SHA512-CRYPT}$6$"):
        return None, "doveadm pw does not work here: %s" % p.stderr.strip()
    return path, None


DOVEADM, DOVEADM_WHY = doveadm_usable()

# scheme given to -s -> the {LABEL} and crypt prefix of what comes out
SCHEMES = [
    ("SHA512-CRYPT", "{SHA512-CRYPT}$6$"),
    ("SHA256-CRYPT", "{SHA256-CRYPT}$5$"),
    ("BLF-CRYPT", "{BLF-CRYPT}$2y$05$"),
    ("YESCRYPT", "{CRYPT}$y$"),
    ("SSHA512", "{SSHA512}"),
    ("SSHA256", "{SSHA256}"),
]


def check_hash(scheme, h, password=PASSWORD):
    """h verifies with password and fails with WRONG, in sluice and Dovecot"""
    p = run(["pw", "-t", h, "-p", password])
    ok(p.returncode == 0 and p.stdout == h + " (verified)\n",
       "%s: sluice pw -t verifies the right password" % scheme,
       "%r %r %r" % (p.returncode, p.stdout, p.stderr))
    p = run(["pw", "-t", h, "-p", WRONG])
    ok(p.returncode == 1 and "verified" not in p.stdout
       and "mismatch" in p.stderr,
       "%s: sluice pw -t refuses a wrong password (exit 1)" % scheme,
       "%r %r %r" % (p.returncode, p.stdout, p.stderr))
    if DOVEADM is None:
        skip("%s: doveadm pw -t verifies it" % scheme, DOVEADM_WHY)
        skip("%s: doveadm pw -t refuses a wrong password" % scheme,
             DOVEADM_WHY)
        return
    p = run(["pw", "-t", h, "-p", password], prog=DOVEADM)
    ok(p.returncode == 0 and p.stdout.strip() == h + " (verified)",
       "%s: doveadm pw -t verifies it" % scheme,
       "%r %r %r" % (p.returncode, p.stdout, p.stderr))
    p = run(["pw", "-t", h, "-p", WRONG], prog=DOVEADM)
    ok(p.returncode != 0 and "verified" not in p.stdout,
       "%s: doveadm pw -t refuses a wrong password" % scheme,
       "%r %r %r" % (p.returncode, p.stdout, p.stderr))


# every scheme: made, verified both ways, salted afresh each run
for scheme, start in SCHEMES:
    p1 = run(["pw", "-s", scheme, "-p", PASSWORD])
    p2 = run(["pw", "-s", scheme.lower(), "-p", PASSWORD])
    h1, h2 = p1.stdout.rstrip("\n"), p2.stdout.rstrip("\n")
    ok(p1.returncode == 0 and h1.startswith(start) and
       p1.stdout.count("\n") == 1 and p1.stderr == "",
       "%s: one line starting %s" % (scheme, start),
       "%r %r %r" % (p1.returncode, p1.stdout, p1.stderr))
    ok(p2.returncode == 0 and h2.startswith(start) and h1 != h2,
       "%s: the scheme name is case-blind and two runs differ (salt)" % scheme,
       "%r\n%r" % (h1, h2))
    check_hash(scheme, h1)

p = run(["pw", "-p", PASSWORD])
ok(p.returncode == 0 and p.stdout.startswith("{SHA512-CRYPT}$6$"),
   "the default scheme is SHA512-CRYPT", p.stdout + p.stderr)

# -r reaches the hash; out of range is a usage error
for scheme, r, want in [("SHA512-CRYPT", "10000", "{SHA512-CRYPT}$6$rounds=10000$"),
                        ("SHA256-CRYPT", "2000", "{SHA256-CRYPT}$5$rounds=2000$"),
                        ("BLF-CRYPT", "6", "{BLF-CRYPT}$2y$06$")]:
    p = run(["pw", "-s", scheme, "-r", r, "-p", PASSWORD])
    h = p.stdout.rstrip("\n")
    ok(p.returncode == 0 and h.startswith(want),
       "%s -r %s gives %s" % (scheme, r, want), p.stdout + p.stderr)
    check_hash("%s -r %s" % (scheme, r), h)
for args in (["-s", "BLF-CRYPT", "-r", "32"], ["-s", "SHA512-CRYPT", "-r", "999"],
             ["-s", "YESCRYPT", "-r", "12"], ["-s", "SSHA512", "-r", "5"],
             ["-r", "many"], ["-r", "0"]):
    p = run(["pw"] + args + ["-p", PASSWORD])
    ok(p.returncode == 64 and p.stdout == "" and p.stderr.startswith("sluice: pw: "),
       "pw %s is a usage error (64)" % " ".join(args), p.stdout + p.stderr)

# Dovecot's own hashes verify in sluice
if DOVEADM is None:
    skip("hashes made by doveadm pw verify with sluice pw -t", DOVEADM_WHY)
else:
    bad = []
    for scheme in ("SHA512-CRYPT", "SHA256-CRYPT", "BLF-CRYPT", "MD5-CRYPT",
                   "SSHA512", "SSHA256", "CRYPT", "PLAIN"):
        d = run(["pw", "-s", scheme, "-p", PASSWORD], prog=DOVEADM)
        h = d.stdout.strip()
        good = run(["pw", "-t", h, "-p", PASSWORD])
        wrong = run(["pw", "-t", h, "-p", WRONG])
        if d.returncode != 0 or good.returncode != 0 or wrong.returncode != 1:
            bad.append("%s %r -> %d/%d %s" % (scheme, h, good.returncode,
                                            wrong.returncode, good.stderr))
    ok(not bad, "hashes made by doveadm pw (8 schemes) verify with sluice pw -t",
       "\n".join(bad))

# plaintext: verified, never made, never echoed
p = run(["pw", "-t", "{PLAIN}" + PASSWORD, "-p", PASSWORD])
ok(p.returncode == 0 and p.stdout == "{PLAIN} (verified)\n",
   "{PLAIN} verifies without printing the password", p.stdout + p.stderr)
p = run(["pw", "-t", "{PLAIN}" + PASSWORD, "-p", WRONG])
ok(p.returncode == 1, "{PLAIN} with a wrong password exits 1", p.stdout + p.stderr)
p = run(["pw", "-s", "PLAIN", "-p", PASSWORD])
ok(p.returncode == 64 and p.stdout == "", "-s PLAIN is refused (it would print "
   "the password)", p.stdout + p.stderr)
p = run(["pw", "-t", "$6$abc$def", "-p", PASSWORD])
ok(p.returncode == 64 and "prefix" in p.stderr,
   "-t without {SCHEME} nor -s is a usage error", p.stdout + p.stderr)
p = run(["pw", "-t", "{NOSUCH}abc", "-p", PASSWORD])
ok(p.returncode == 1 and "unknown scheme" in p.stderr,
   "-t with an unknown scheme exits 1", p.stdout + p.stderr)
p = run(["pw", "-t", "{SSHA512}not base64!", "-p", PASSWORD])
ok(p.returncode == 1 and "verified" not in p.stdout,
   "-t with a malformed SSHA512 hash exits 1", p.stdout + p.stderr)

# standard input that is no terminal: its first line, newline dropped
p = run(["pw", "-s", "SHA256-CRYPT"], stdin=PASSWORD + "\nsecond line\n")
h = p.stdout.rstrip("\n")
ok(p.returncode == 0 and h.startswith("{SHA256-CRYPT}$5$") and "Enter" not in p.stderr,
   "without -p and a terminal: one line from stdin, no prompt", p.stdout + p.stderr)
check_hash("stdin line", h)
p = run(["pw", "-t", h], stdin=PASSWORD + "\r\n")
ok(p.returncode == 0, "-t reads the password from stdin (CRLF taken)", p.stdout + p.stderr)
for stdin, what in (("", "empty input"), ("\n", "an empty line"),
                    ("a" * 600 + "\n", "a 600-byte line"), ("a\0b\n", "a NUL byte")):
    p = run(["pw"], stdin=stdin)
    ok(p.returncode == 64 and p.stdout == "", "stdin with %s is refused" % what,
       p.stdout + p.stderr)
p = run(["pw", "-p", ""])
ok(p.returncode == 64 and p.stdout == "", "-p '' is refused", p.stdout + p.stderr)


def pty_session(args, lines, deadline=20):
    """run sluice on a terminal, typing each line after a prompt; returns
    (exit status, transcript of everything the terminal showed)"""
    pid, fd = pty.fork()
    if pid == 0:
        os.environ["SLUICE_CONFIG"] = ""
        os.execv(SLUICE, [SLUICE] + args)
    out = b""
    todo = list(lines)
    end = time.time() + deadline
    while time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.2)
        if r:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
        if todo and out.rstrip().endswith((b"password:", b"verify:")):
            os.write(fd, (todo.pop(0) + "\n").encode())
            out += b"<typed>"
    else:
        os.kill(pid, signal.SIGKILL)
    os.close(fd)
    _, status = os.waitpid(pid, 0)
    text = out.decode("utf-8", "replace")
    outputs.append(text)
    return os.waitstatus_to_exitcode(status), text


code, text = pty_session(["pw", "-s", "BLF-CRYPT"], [PASSWORD, PASSWORD])
m = re.search(r"\{BLF-CRYPT\}\S+", text)
ok(code == 0 and m is not None and "Enter new password:" in text
   and "Retype new password:" in text,
   "on a terminal: prompts twice, prints the hash", repr(text))
if m:
    check_hash("typed on a terminal", m.group(0))
ok(PASSWORD not in text, "on a terminal: the typed password is not echoed", repr(text))
code, text = pty_session(["pw"], [PASSWORD, WRONG, PASSWORD, PASSWORD])
ok(code == 0 and "don't match" in text and "{SHA512-CRYPT}$6$" in text,
   "on a terminal: a retype that differs asks again", repr(text))
code, text = pty_session(["pw"], [PASSWORD, WRONG] * 3)
ok(code == 1 and "{SHA512" not in text and text.count("don't match") >= 3,
   "on a terminal: three mismatches give up (exit 1)", repr(text))
code, text = pty_session(["pw", "-t", h], [PASSWORD])
ok(code == 0 and "Enter password to verify:" in text and "(verified)" in text,
   "on a terminal: -t asks once and verifies", repr(text))

leaks = [o for o in outputs if PASSWORD in o or WRONG in o]
ok(not leaks, "the password appears in no output (%d outputs seen)" % len(outputs),
   "\n".join(repr(o) for o in leaks))

# help: every command of the table, and each one's usage
src = open(os.path.join(S, "tools", "sluice.c")).read()
table = re.search(r"tool_commands\[\] = \{(.*?)\n\};", src, re.S).group(1)
names = re.findall(r'^\t\{ "([a-z0-9-]+)", cmd_', table, re.M)
ok(len(names) >= 6 and "pw" in names and "help" in names,
   "the command table was read from tools/sluice.c", names)
for args in (["--help"], ["-h"], ["help"], ["-c", "/nonexistent", "help"]):
    p = run(args)
    listed = [nm for nm in names if re.search(r"^  %s +\S" % re.escape(nm),
                                              p.stdout, re.M)]
    ok(p.returncode == 0 and listed == names,
       "sluice %s lists every command with a description" % " ".join(args),
       "missing %s\n%s%s" % (sorted(set(names) - set(listed)), p.stdout, p.stderr))
bad = []
for nm in names:
    for args in (["help", nm], [nm, "--help"]):
        p = run(args)
        if p.returncode != 0 or not p.stdout.startswith("usage: sluice %s" % nm):
            bad.append("%s -> %d %r %r" % (args, p.returncode, p.stdout, p.stderr))
ok(not bad, "sluice help NAME and sluice NAME --help show each command's usage",
   "\n".join(bad))
p = run(["help", "pw"])
ok(all(o in p.stdout for o in ("-s SCHEME", "-r ROUNDS", "-p PASSWORD", "-t HASH",
                               "YESCRYPT")),
   "sluice help pw names every option", p.stdout)
p = run(["help", "nosuch"])
ok(p.returncode == 64 and "unknown command" in p.stderr and p.stdout == "",
   "sluice help NOSUCH is a usage error", p.stdout + p.stderr)
p = run(["nosuch"])
ok(p.returncode == 64 and "unknown command" in p.stderr,
   "sluice NOSUCH is a usage error", p.stdout + p.stderr)

print("1..%d" % n)
sys.exit(1 if failed else 0)
