#!/usr/bin/env python3
"""quota-interop.t - sluice's Maildir++ quota against the real peers.

Courier (Debian's maildrop): maildirmake makes the Maildir and writes the
limit line (-q), deliverquota delivers with the quota and exits 77 when a
message does not fit; Dovecot (dovecot-core): doveadm quota get / recalc
with the quota plugin's Maildir++ backend, from a private dovecot.conf (no
dovecot daemon: doveadm runs as the mail user with HOME and USER set).

Checked: a Maildir made by maildirmake -q and filled by deliverquota is
read by sluice with the same usage (a message that fills it to the byte
is taken, one byte more is refused); after sluice's deliveries (INBOX and
a Sieve fileinto folder) deliverquota takes and refuses exactly where
sluice does, by bytes and by message count, its maildirsize sum agrees,
and doveadm quota get / recalc report the same usage, doveadm save
taking and refusing where sluice does. A missing peer
skips its checks with the reason."""

import json
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "lib"))
import sluicetest as st  # noqa: E402

tap = st.Tap()
B = os.environ.get("SLUICE_BUILDDIR", os.getcwd())
DELIVER = os.path.join(B, "sluice-deliver")
SLUICE = os.path.join(B, "sluice")
MAILDIRMAKE = "/usr/bin/maildirmake.maildrop"
DELIVERQUOTA = "/usr/sbin/deliverquota.maildrop"
DOVEADM = shutil.which("doveadm") or "/usr/bin/doveadm"
if not os.access(DELIVER, os.X_OK):
    tap.skip_all("no sluice-deliver in %s (set SLUICE_BUILDDIR)" % B)
user = st.mail_user()
if user is None:
    tap.skip_all("running as root but cannot create user sluicetest")
have_courier = os.access(MAILDIRMAKE, os.X_OK) and \
    os.access(DELIVERQUOTA, os.X_OK)
have_dovecot = os.access(DOVEADM, os.X_OK)
NO_COURIER = ("Courier's maildirmake/deliverquota are not installed "
              "(Debian package maildrop)")
NO_DOVECOT = "Dovecot's doveadm is not installed (dovecot-core)"

box = st.Sandbox("quota-interop")
os.mkdir(box.path("home"), 0o711)
SENDER = "sender@example.org"
NAMES = ("cour", "mix", "cnt")
homes = {n: box.path("home", n) for n in NAMES}
for h in homes.values():
    st.make_dirs(h, user)
# no quota_rule anywhere: the limit line maildirmake -q wrote applies
st.write_file(box.path("users"), "".join(
    "%s@example.test::%d:%d::%s::\n" % (n, user.uid, user.gid, homes[n])
    for n in NAMES))
conf = box.path("sluice.conf")
st.write_conf(conf, {
    "userdb": "passwd-file:" + box.path("users"),
    "mail_location": "maildir:~/Maildir",
    "log_path": box.path("log"),
    "first_valid_uid": str(min(user.uid, 500)),
})


def drop_privileges():
    if os.geteuid() == 0:
        os.setgroups([])
        os.setgid(user.gid)
        os.setuid(user.uid)


def as_user(argv, data=None, env=None):
    """run argv as the mail user: (exit code, stdout, stderr)"""
    p = subprocess.run(argv, input=data, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, env=env, timeout=30,
                       preexec_fn=drop_privileges)
    return (p.returncode, p.stdout.decode("utf-8", "replace"),
            p.stderr.decode("utf-8", "replace"))


def trace_len(name):
    return len(st.trace_prefix(SENDER, "%s@example.test" % name))


def msg(size, subject="interop"):
    """a message of exactly size bytes"""
    head = "From: <%s>\nTo: <x@example.test>\nSubject: %s\n\n" % (SENDER,
                                                                 subject)
    n = size - len(head)
    assert n >= 1, size
    body = ("z" * 63 + "\n") * (n // 64)
    body += "w" * (n - len(body) - 1) + "\n"
    return (head + body).encode()


def sluice_deliver(name, stored_size, maildir_home=None, subject="interop"):
    """deliver a message that is stored_size bytes once stored (with the
    trace headers); exit code"""
    data = msg(stored_size - trace_len(name), subject)
    p = subprocess.run([DELIVER, "-c", conf, "-d", "%s@example.test" % name,
                        "-f", SENDER], input=data, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=30)
    return p.returncode, p.stderr.decode("utf-8", "replace")


def deliverquota(md, size):
    rc, out, err = as_user([DELIVERQUOTA, md], msg(size, "courier"))
    return rc, out + err


def maildirsize(md):
    """(limit line, bytes, count) as the file sums up, or None"""
    try:
        with open(os.path.join(md, "maildirsize")) as f:
            rows = f.read().split("\n")
    except FileNotFoundError:
        return None
    b = c = 0
    for r in rows[1:]:
        if r.strip():
            x, y = r.split()
            b, c = b + int(x), c + int(y)
    return rows[0], b, c


def counted(md):
    """(bytes, count) of all folders' new/ and cur/ (",S=" or stat)"""
    b = c = 0
    dirs = [md] + [os.path.join(md, d) for d in os.listdir(md)
                   if d.startswith(".") and d not in (".", "..") and
                   os.path.isdir(os.path.join(md, d))]
    for d in dirs:
        for sub in ("new", "cur"):
            try:
                names = os.listdir(os.path.join(d, sub))
            except FileNotFoundError:
                continue
            for n in names:
                if n.startswith("."):
                    continue
                if ",S=" in n:
                    digits = ""
                    for ch in n.split(",S=", 1)[1]:
                        if not ch.isdigit():
                            break
                        digits += ch
                    b += int(digits)
                else:
                    b += os.path.getsize(os.path.join(d, sub, n))
                c += 1
    return b, c


def n_files(md):
    return counted(md)[1]


def make_maildir(md, limit):
    """maildirmake then maildirmake -q limit (Courier's), or when Courier
    is missing the same by hand; (ok, diagnostics)"""
    if have_courier:
        rc1, _, e1 = as_user([MAILDIRMAKE, md])
        rc2, _, e2 = as_user([MAILDIRMAKE, "-q", limit, md])
        return rc1 == 0 and rc2 == 0, e1 + e2
    for sub in ("cur", "new", "tmp"):
        st.make_dirs(os.path.join(md, sub), user)
    st.write_file(os.path.join(md, "maildirsize"), limit + "\n", user)
    return True, ""


def copy_home(name, tag):
    """a copy of a user's home, owned by the mail user, for a probe that
    must not change the original; returns the copy's Maildir"""
    dst = box.path("probe-%s-%s" % (name, tag))
    shutil.rmtree(dst, ignore_errors=True)
    shutil.copytree(homes[name], dst, symlinks=True)
    if os.geteuid() == 0:
        for dirpath, dirnames, filenames in os.walk(dst):
            for x in [dirpath] + [os.path.join(dirpath, f) for f in filenames]:
                os.lchown(x, user.uid, user.gid)
    return os.path.join(dst, "Maildir")


def with_home(name, src_md, fn):
    """run fn() with name's Maildir replaced by a copy of src_md's state,
    then put the original back"""
    md = os.path.join(homes[name], "Maildir")
    keep, new = md + ".orig", md + ".probe"
    shutil.copytree(src_md, new, symlinks=True)
    if os.geteuid() == 0:
        for dirpath, dirnames, filenames in os.walk(new):
            for x in [dirpath] + [os.path.join(dirpath, f) for f in filenames]:
                os.lchown(x, user.uid, user.gid)
    os.rename(md, keep)
    os.rename(new, md)
    try:
        return fn()
    finally:
        shutil.rmtree(md)
        os.rename(keep, md)


def has_quota_cmd():
    return subprocess.run([SLUICE, "help", "quota"], stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL).returncode == 0


def sluice_quota_get(name, want):
    """`sluice quota get --json` reports the fields in want"""
    if not has_quota_cmd():
        tap.skip("no `sluice quota` command in this build")
        return
    r = subprocess.run([SLUICE, "-c", conf, "quota", "get", "--json",
                        "%s@example.test" % name], capture_output=True,
                       text=True)
    try:
        j = json.loads(r.stdout)
        got = {k: j.get(k) for k in want}
    except (ValueError, AttributeError):
        got = None
    tap.ok(r.returncode == 0 and got == want,
           "%s: sluice quota get --json reports %s" % (name, ", ".join(
               "%s %s" % kv for kv in sorted(want.items()))),
           r.stdout + r.stderr)


# --- Courier made and filled it; sluice reads it ------------------------


def courier_filled():
    """maildirmake -q, deliverquota x 3, then sluice on top (8 tests)"""
    md = os.path.join(homes["cour"], "Maildir")
    rc1, _, e1 = as_user([MAILDIRMAKE, md])
    rc2, _, e2 = as_user([MAILDIRMAKE, "-q", "20000S,50C", md])
    m = maildirsize(md)
    tap.ok(rc1 == 0 and rc2 == 0 and m is not None and m[0] == "20000S,50C",
           "cour: maildirmake, then maildirmake -q 20000S,50C",
           e1 + e2 + repr(m))
    rcs = [deliverquota(md, s)[0] for s in (3000, 4000, 5000)]
    tap.is_eq(rcs, [0, 0, 0], "cour: deliverquota delivers 3 messages")
    m = maildirsize(md)
    tap.ok(m is not None and m[1:] == (12000, 3) and
           counted(md) == (12000, 3),
           "cour: Courier's maildirsize says 12000 bytes, 3 messages, as "
           "the files", repr((m, counted(md))))
    sluice_quota_get("cour", {"bytes": 12000, "messages": 3,
                              "limit_bytes": 20000, "limit_messages": 50,
                              "limit_source": "maildirsize"})
    rc, err = sluice_deliver("cour", 20000 - 12000 + 1)
    tap.ok(rc == st.EX_TEMPFAIL and n_files(md) == 3,
           "cour: sluice refuses a message 1 byte larger than the room "
           "Courier left (8001 bytes: 75)", err)
    rc, err = sluice_deliver("cour", 20000 - 12000)
    tap.ok(rc == 0 and n_files(md) == 4,
           "cour: sluice takes one that fills it to the byte (8000 bytes)",
           err)
    m = maildirsize(md)
    tap.ok(m is not None and m[0] == "20000S,50C" and m[1:] == (20000, 4) and
           counted(md) == (20000, 4),
           "cour: sluice appended to Courier's maildirsize: 20000 bytes, 4 "
           "messages, limit line kept", repr((m, counted(md))))
    rc, out = deliverquota(md, 100)
    tap.ok(rc == 77 and n_files(md) == 4,
           "cour: deliverquota now refuses even 100 bytes (77)", out)


if have_courier:
    courier_filled()
else:
    tap.skip(NO_COURIER, 8)

# --- sluice filled it; Courier and Dovecot see the same -----------------

md = os.path.join(homes["mix"], "Maildir")
made, e = make_maildir(md, "30000S,50C")
st.write_file(os.path.join(homes["mix"], ".dovecot.sieve"),
              'require ["fileinto", "mailbox"];\n'
              'if header :contains "subject" "sub" '
              '{ fileinto :create "Sub"; }\n', user)
rcs = [sluice_deliver("mix", s, subject=subj)[0] for s, subj in
       ((1000, "one"), (2500, "sub two"), (4000, "three"),
        (3333, "sub four"), (5555, "five"))]
U = 1000 + 2500 + 4000 + 3333 + 5555
R = 30000 - U
tap.ok(made and rcs == [0] * 5,
       "mix: sluice delivers 5 messages (2 into Sub) into a Maildir with "
       "the limit line 30000S,50C", e + repr(rcs))
m = maildirsize(md)
tap.ok(m is not None and m[0] == "30000S,50C" and m[1:] == (U, 5) and
       counted(md) == (U, 5) and
       len(os.listdir(os.path.join(md, ".Sub", "new"))) == 2,
       "mix: maildirsize sums to %d bytes, 5 messages, as the files" % U,
       repr((m, counted(md))))
sluice_quota_get("mix", {"bytes": U, "messages": 5,
                         "limit_bytes": 30000})

# Courier's view: deliverquota on copies takes R, refuses R + 1
if have_courier:
    probe_ok = copy_home("mix", "fit")
    rc_fit, out_fit = deliverquota(probe_ok, R)
    probe_over = copy_home("mix", "over")
    rc_over, out_over = deliverquota(probe_over, R + 1)
    tap.ok(rc_fit == 0 and n_files(probe_ok) == 6,
           "mix: deliverquota takes a message that fills it to the byte "
           "(%d)" % R,
           out_fit)
    tap.ok(rc_over == 77 and n_files(probe_over) == 5,
           "mix: deliverquota refuses one byte more (77)", out_over)
    m = maildirsize(probe_ok)
    tap.ok(m is not None and m[1:] == (30000, 6),
           "mix: Courier's maildirsize after its delivery sums to 30000, 6 "
           "(it read sluice's lines)", repr(m))
else:
    tap.skip(NO_COURIER, 3)

# sluice's decisions are the same: R fits, R + 1 is refused
res = with_home("mix", md, lambda: (sluice_deliver("mix", R + 1)[0],
                                    n_files(os.path.join(homes["mix"],
                                                         "Maildir"))))
tap.ok(res == (st.EX_TEMPFAIL, 5),
       "mix: sluice refuses R + 1 bytes where deliverquota does", repr(res))
res = with_home("mix", md, lambda: (sluice_deliver("mix", R)[0],
                                    n_files(os.path.join(homes["mix"],
                                                         "Maildir"))))
tap.ok(res == (0, 6), "mix: sluice takes R bytes where deliverquota does",
       repr(res))

# --- message count: 3C ------------------------------------------------

md = os.path.join(homes["cnt"], "Maildir")
made, e = make_maildir(md, "1000000S,3C")
rcs = [sluice_deliver("cnt", 500)[0] for _ in range(3)]
rc4, err4 = sluice_deliver("cnt", 500)
tap.ok(made and rcs == [0, 0, 0] and rc4 == st.EX_TEMPFAIL and
       n_files(md) == 3,
       "cnt: 3C: sluice takes 3 messages, refuses the 4th",
       repr((rcs, rc4)) + err4)
if have_courier:
    rc, out = deliverquota(copy_home("cnt", "4th"), 500)
    tap.ok(rc == 77, "cnt: deliverquota refuses the 4th as well (77)", out)
else:
    tap.skip(NO_COURIER)

# --- Dovecot's quota plugin -------------------------------------------

if not have_dovecot:
    tap.skip(NO_DOVECOT, 8)
    sys.exit(tap.done())

dv = box.path("dovecot")
for d in ("run", "state"):
    st.make_dirs(os.path.join(dv, d), user, 0o755)
dconf = os.path.join(dv, "dovecot.conf")
st.write_file(dconf, """\
base_dir = %(dv)s/run
state_dir = %(dv)s/state
log_path = %(dv)s/dovecot.log
ssl = no
first_valid_uid = 1
mail_location = maildir:~/Maildir
mail_plugins = quota
plugin {
  quota = maildir:User quota
  quota_rule = *:bytes=30000:messages=50
}
""" % {"dv": dv}, user)


def dove_env(home):
    return {"HOME": home, "USER": "mix@example.test",
            "PATH": "/usr/bin:/bin:/usr/sbin:/sbin"}


def doveadm_save(size):
    """doveadm save of a size-byte message into a fresh copy of mix's
    Maildir (Dovecot's quota check): (exit code, text, messages after)"""
    home = os.path.dirname(copy_home("mix", "save%d" % size))
    rc, out, err = as_user([DOVEADM, "-c", dconf, "save"],
                           msg(size, "dovecot"), env=dove_env(home))
    return rc, out + err, n_files(os.path.join(home, "Maildir"))


probe_home = os.path.dirname(copy_home("mix", "dovecot"))
env = dove_env(probe_home)


def doveadm_quota():
    """{type: (value, limit)} from doveadm quota get, or the error text"""
    rc, out, err = as_user([DOVEADM, "-c", dconf, "-f", "tab", "quota",
                            "get"], env=env)
    if rc != 0:
        return "exit %d: %s" % (rc, err)
    got = {}
    for line in out.splitlines()[1:]:
        f = line.split("\t")
        if len(f) >= 4:
            got[f[1]] = (f[2], f[3])
    return got


q = doveadm_quota()
# doveadm shows KiB rounded up
tap.ok(isinstance(q, dict) and
       q.get("STORAGE", ("",))[0] == str((U + 1023) // 1024) and
       q.get("MESSAGE", ("",))[0] == "5",
       "dovecot: doveadm quota get: %d KiB (%d bytes), 5 messages, as sluice"
       % ((U + 1023) // 1024, U), repr(q))
tap.ok(isinstance(q, dict) and q.get("STORAGE", ("", ""))[1] == "30" and
       q.get("MESSAGE", ("", ""))[1] == "50",
       "dovecot: with the same limit (30000 bytes: 30 KiB, 50 messages)",
       repr(q))
rc, out, n = doveadm_save(R + 1)
tap.ok(rc != 0 and "Quota exceeded" in out and n == 5,
       "dovecot: doveadm save refuses R + 1 bytes (over quota) as sluice "
       "does", "exit %d: %s" % (rc, out))
rc, out, n = doveadm_save(R)
tap.ok(rc == 0 and n == 6, "dovecot: doveadm save takes R bytes as sluice "
       "does", "exit %d: %s" % (rc, out))
pmd = os.path.join(probe_home, "Maildir")
tap.ok(maildirsize(pmd)[1:] == (U, 5),
       "dovecot: quota get left the sum at %d, 5" % U, repr(maildirsize(pmd)))
rc, out, err = as_user([DOVEADM, "-c", dconf, "quota", "recalc"], env=env)
m = maildirsize(pmd)
tap.ok(rc == 0 and m is not None and m[1:] == (U, 5),
       "dovecot: doveadm quota recalc counts %d bytes, 5 messages, as sluice"
       % U, err + repr(m))
# and sluice reads what Dovecot wrote
res = with_home("mix", pmd, lambda: sluice_deliver("mix", R + 1)[0])
tap.is_eq(res, st.EX_TEMPFAIL,
          "dovecot: on Dovecot's recalculated maildirsize sluice still "
          "refuses R + 1 bytes")
res = with_home("mix", pmd, lambda: sluice_deliver("mix", R)[0])
tap.is_eq(res, 0, "dovecot: ... and takes R bytes")

sys.exit(tap.done())
