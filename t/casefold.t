#!/usr/bin/env python3
"""casefold.t - libunistring is loaded only when a Sieve script requires
i;unicode-casemap (lib/casefold.c): sluice-deliver without such a script
never maps it (seen through ld.so's LD_DEBUG=files), one with it loads it
and files by a non-ASCII case fold, and a libunistring that cannot be
loaded is a clear compile error (message kept in INBOX, the reason in the
script's .log; `sluice sieve check` exits 1 naming the library), never a
crash."""
import glob, os, pwd, shutil, subprocess, sys, tempfile

B = os.environ["SLUICE_BUILDDIR"]
DELIVER = os.path.join(B, "sluice-deliver")
SLUICE = os.path.join(B, "sluice")
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


root = os.geteuid() == 0
if root:
    pw = pwd.getpwnam("nobody")
    uid, gid = pw.pw_uid, pw.pw_gid
else:
    uid, gid = os.getuid(), os.getgid()
tmp = tempfile.mkdtemp(prefix="sluice-casefold.")
os.chmod(tmp, 0o755)
home = os.path.join(tmp, "alice")
os.mkdir(home, 0o700)
if root:
    os.chown(home, uid, gid)
with open(os.path.join(tmp, "users"), "w") as f:
    f.write("alice@example.test::%d:%d::%s::\n" % (uid, gid, home))
conf = os.path.join(tmp, "sluice.conf")
with open(conf, "w") as f:
    f.write("userdb = passwd-file:%s/users\nlog_path = %s/log\n"
            "first_valid_uid = %d\n" % (tmp, tmp, min(uid, 500)))
script = os.path.join(home, ".dovecot.sieve")
# a file by libunistring's soname (configure's UNISTRING_SONAME) that
# ld.so finds first, through LD_LIBRARY_PATH, and cannot load
SONAME = "libunistring.so.2"
with open(os.path.join(B, "auto-config.h")) as f:
    for line in f:
        if line.startswith("#define UNISTRING_SONAME "):
            SONAME = line.split('"')[1]
fake = os.path.join(tmp, "fake")
os.mkdir(fake)

MSG = ("From: bob@example.org\nTo: alice@example.test\n"
       "Subject: Gr\u00fc\u00dfe aus M\u00fcnchen\n\nbody\n").encode()
UNI = ('require ["fileinto", "mailbox", "comparator-i;unicode-casemap"];\n'
       'if header :is :comparator "i;unicode-casemap" "subject" '
       '"GR\u00dcSSE AUS M\u00dcNCHEN" { fileinto :create "Uni"; }\n')


def set_script(text):
    with open(script, "w") as f:
        f.write(text)
    if root:
        os.chown(script, uid, gid)


def deliver(env=None):
    """run one delivery with ld.so's file log; (exit, stderr, ld.so log)"""
    for x in glob.glob(os.path.join(tmp, "ld.*")):
        os.unlink(x)
    e = dict(os.environ, LD_DEBUG="files",
             LD_DEBUG_OUTPUT=os.path.join(tmp, "ld"), **(env or {}))
    p = subprocess.run([DELIVER, "-c", conf, "-d", "alice@example.test",
                        "-f", "bob@example.org"], input=MSG, env=e,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    ld = ""
    for x in glob.glob(os.path.join(tmp, "ld.*")):
        with open(x, errors="replace") as f:
            ld += f.read()
    return p.returncode, p.stderr.decode("utf-8", "replace"), ld


def files(folder=""):
    md = os.path.join(home, "Maildir", folder)
    return glob.glob(os.path.join(md, "new", "*")) + \
        glob.glob(os.path.join(md, "cur", "*"))


def clear():
    shutil.rmtree(os.path.join(home, "Maildir"), ignore_errors=True)
    if os.path.exists(script + ".log"):
        os.unlink(script + ".log")


# no script requiring the comparator: libunistring is never loaded
clear()
set_script('require "fileinto";\nif header :is "subject" "x" { fileinto "X"; }\n')
rc, err, ld = deliver()
ok(rc == 0 and len(files()) == 1, "plain script: kept", err)
ok("file=libc.so" in ld, "ld.so's file log was captured", ld[:2000])
ok("libunistring" not in ld, "plain script: libunistring not loaded", ld[:2000])

# a script requiring it: loaded, and the subject matches only by a full
# Unicode case fold (\u00fc/\u00dc, \u00df/SS)
clear()
set_script(UNI)
rc, err, ld = deliver()
ok(rc == 0 and len(files(".Uni")) == 1 and not files(),
   "i;unicode-casemap: \u00df matches SS, \u00fc matches \u00dc: filed",
   err + "\n" + "\n".join(files()))
ok("libunistring" in ld, "i;unicode-casemap: libunistring loaded", ld[:2000])

# the same with i;ascii-casemap does not match (the test above is not
# passing on an ASCII fold)
clear()
set_script(UNI.replace("i;unicode-casemap\" \"subject",
                       "i;ascii-casemap\" \"subject"))
rc, err, ld = deliver()
ok(rc == 0 and len(files()) == 1 and not files(".Uni"),
   "i;ascii-casemap: no match, kept", err)

# libunistring cannot be loaded: compile error, kept, reason logged
with open(os.path.join(fake, SONAME), "w") as f:
    f.write("not a shared object\n")
clear()
set_script(UNI)
rc, err, ld = deliver({"LD_LIBRARY_PATH": fake})
log = open(script + ".log").read() if os.path.exists(script + ".log") else ""
ok(rc == 0 and len(files()) == 1 and not files(".Uni"),
   "libunistring unloadable: exit 0, message kept in INBOX", err)
ok("cannot load libunistring" in log and ".dovecot.sieve:1:" in log,
   "libunistring unloadable: the reason in .dovecot.sieve.log at the require",
   log)

p = subprocess.run([SLUICE, "-c", "/dev/null", "sieve", "check", script],
                   env=dict(os.environ, SLUICE_CONFIG="",
                            LD_LIBRARY_PATH=fake),
                   stdout=subprocess.PIPE, stderr=subprocess.PIPE)
e = p.stderr.decode("utf-8", "replace")
ok(p.returncode == 1 and "comparator-i;unicode-casemap unavailable: "
   "cannot load libunistring" in e,
   "sluice sieve check: exit 1, names the comparator and the library",
   "exit %d: %s" % (p.returncode, e))
p = subprocess.run([SLUICE, "-c", "/dev/null", "sieve", "check", script],
                   env=dict(os.environ, SLUICE_CONFIG=""),
                   stdout=subprocess.PIPE, stderr=subprocess.PIPE)
ok(p.returncode == 0, "sluice sieve check: the same script is fine "
   "with the real library", p.stderr.decode("utf-8", "replace"))

shutil.rmtree(tmp, ignore_errors=True)
print("1..%d" % n)
sys.exit(1 if failed else 0)
