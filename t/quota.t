#!/usr/bin/env python3
"""quota.t - Maildir++ and mbox quotas at delivery, end to end.

sluice-deliver with a private sluice.conf and a passwd-file whose users
carry Dovecot-style userdb_quota_rule fields: over quota is exit 75 with
nothing stored; quota_exceeded=bounce is 77 with -e, else a notice to the
sender through sendmail_path (a script that records what it is given);
Sieve copies count and a failed Sieve transaction gives its room back;
quota_warning sends one warning per threshold crossed upwards; parallel
writers keep maildirsize equal to a recalculation; an mbox quota is the
file size. Then sluice-lmtpd: 452 4.2.2 (552 5.2.2 with bounce) at RCPT
for a mailbox already full, and per recipient after DATA for a message
that does not fit.

SLUICE_QUOTA_MESSAGES (default 500) is the number of messages each of
the two parallel writers delivers."""

import os
import subprocess
import sys
import threading

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "lib"))
sys.path.insert(0, HERE)
import sluicetest as st  # noqa: E402

tap = st.Tap()
B = os.environ.get("SLUICE_BUILDDIR", os.getcwd())
DELIVER = os.path.join(B, "sluice-deliver")
SLUICE = os.path.join(B, "sluice")
if not os.access(DELIVER, os.X_OK):
    tap.skip_all("no sluice-deliver in %s (set SLUICE_BUILDDIR)" % B)
user = st.mail_user()
if user is None:
    tap.skip_all("running as root but cannot create user sluicetest")

box = st.Sandbox("quota")
os.mkdir(box.path("home"), 0o711)
sent_dir = box.path("sent")
os.mkdir(sent_dir)
os.chmod(sent_dir, 0o777)
sendmail = box.path("sendmail")
st.write_file(sendmail, '#!/bin/sh\nf=$(mktemp %s/mail.XXXXXX)\n'
              'echo "$*" > "$f.args"\ncat > "$f"\n' % sent_dir, mode=0o755)

# address -> extra passwd-file fields ('%' is written '%%': userdb_
# fields are %-expanded, as in Dovecot)
USERS = {
    "full": "userdb_quota_rule=*:storage=2K",
    "sieve": "userdb_quota_rule=*:storage=3K",
    "txn": "userdb_quota_rule=*:storage=2K",
    "rules": "userdb_quota_rule=*:storage=2K "
             "userdb_quota_rule2=Trash:storage=+100%% "
             "userdb_quota_rule3=Spam:ignore",
    "warn": "userdb_quota_rule=*:storage=20K",
    "conc": "userdb_quota_rule=*:storage=1G",
    "site": "",
    "mbox": "userdb_quota_rule=*:storage=3K "
            "userdb_mail=mbox:~/mail:INBOX=~/mbox",
}
homes = {}
lines = []
for name, extra in USERS.items():
    homes[name] = box.path("home", name)
    st.make_dirs(homes[name], user)
    lines.append("%s@example.test::%d:%d::%s::%s\n"
                 % (name, user.uid, user.gid, homes[name], extra))
st.write_file(box.path("users"), "".join(lines))
conf = box.path("sluice.conf")
st.write_conf(conf, {
    "userdb": "passwd-file:" + box.path("users"),
    "mail_location": "maildir:~/Maildir",
    "log_path": box.path("log"),
    "first_valid_uid": str(min(user.uid, 500)),
    "sendmail_path": sendmail,
    "postmaster_address": "postmaster@example.test",
})

SENDER = "sender@example.org"


def msg(size, subject="quota test", tag=None):
    """a message of exactly size bytes (before the trace headers)"""
    head = ("From: <%s>\nTo: <someone@example.test>\nSubject: %s\n"
            "Message-ID: <%s@example.org>\n\n"
            % (SENDER, subject,
               tag or "%s.%d" % (subject.replace(" ", "-"), size)))
    body_len = size - len(head)
    assert body_len > 1
    body = ("x" * 71 + "\n") * (body_len // 72)
    body += "y" * (body_len - len(body) - 1) + "\n"
    return (head + body).encode()


def deliver(name, data, *args, sender=SENDER):
    a = [DELIVER, "-c", conf, "-d", "%s@example.test" % name]
    if sender is not None:
        a += ["-f", sender]
    p = subprocess.run(a + list(args), input=data, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=60)
    return p.returncode, p.stderr.decode("utf-8", "replace")


def maildir(name):
    return os.path.join(homes[name], "Maildir")


def files(name, folder=""):
    """{path: size} of the messages in a folder's new/ and cur/"""
    d = os.path.join(maildir(name), "." + folder if folder else "")
    out = {}
    for sub in ("new", "cur"):
        try:
            for n in os.listdir(os.path.join(d, sub)):
                p = os.path.join(d, sub, n)
                out[p] = os.path.getsize(p)
        except FileNotFoundError:
            pass
    return out


def tmp_files(name):
    left = []
    for dirpath, _, filenames in os.walk(maildir(name)):
        if os.path.basename(dirpath) == "tmp":
            left += [os.path.join(dirpath, f) for f in filenames]
    return left


def maildirsize(name):
    """(limit line, bytes, count, number of lines) or None"""
    try:
        with open(os.path.join(maildir(name), "maildirsize")) as f:
            text = f.read()
    except FileNotFoundError:
        return None
    rows = text.split("\n")
    b = c = 0
    for row in rows[1:]:
        if row.strip():
            x, y = row.split()
            b += int(x)
            c += int(y)
    return rows[0], b, c, len(rows) - 2


def name_size(path):
    """the ,S= size of a Maildir file name, else the file size"""
    base = os.path.basename(path)
    if ",S=" in base:
        v = base.split(",S=", 1)[1]
        digits = ""
        for ch in v:
            if not ch.isdigit():
                break
            digits += ch
        if digits:
            return int(digits)
    return os.path.getsize(path)


def counted(name, ignore=()):
    """(bytes, count) of every folder as a recalculation counts them"""
    root = maildir(name)
    dirs = [root] + [os.path.join(root, d) for d in os.listdir(root)
                     if d.startswith(".") and d not in (".", "..") and
                     d[1:] not in ignore and
                     os.path.isdir(os.path.join(root, d))]
    b = c = 0
    for d in dirs:
        for sub in ("new", "cur"):
            try:
                names = os.listdir(os.path.join(d, sub))
            except FileNotFoundError:
                continue
            for n in names:
                if not n.startswith("."):
                    b += name_size(os.path.join(d, sub, n))
                    c += 1
    return b, c


def sum_of(name):
    m = maildirsize(name)
    return None if m is None else (m[1], m[2])


def sent():
    """[(args, text)] recorded by the sendmail script, oldest first"""
    out = []
    names = [n for n in os.listdir(sent_dir) if not n.endswith(".args")]
    names.sort(key=lambda n: os.stat(os.path.join(sent_dir, n)).st_mtime_ns)
    for n in names:
        with open(os.path.join(sent_dir, n), "rb") as f:
            text = f.read().decode("utf-8", "replace")
        try:
            with open(os.path.join(sent_dir, n + ".args")) as f:
                args = f.read().strip()
        except FileNotFoundError:
            args = ""
        out.append((args, text))
    return out


def clear_sent():
    for n in os.listdir(sent_dir):
        os.unlink(os.path.join(sent_dir, n))


def set_script(name, text):
    st.write_file(os.path.join(homes[name], ".dovecot.sieve"), text, user)


# --- over quota: tempfail, bounce -------------------------------------

rc, err = deliver("full", msg(1500))
tap.ok(rc == 0 and len(files("full")) == 1,
       "full: a 1500-byte message fits in 2K (exit %d)" % rc, err)
m = maildirsize("full")
tap.ok(m is not None and m[0] == "2048S" and (m[1], m[2]) == counted("full"),
       "full: maildirsize has the userdb limit 2048S and the sum of the files",
       repr((m, counted("full"))))
before = maildirsize("full")
rc, err = deliver("full", msg(1500, "second"))
tap.ok(rc == st.EX_TEMPFAIL, "full: over quota exits 75 (got %d)" % rc, err)
tap.ok("quota" in err.lower(), "full: stderr says it is the quota", err)
tap.is_eq(len(files("full")), 1, "full: nothing stored over quota")
tap.is_eq(tmp_files("full"), [], "full: tmp/ is empty")
tap.is_eq(maildirsize("full"), before, "full: maildirsize unchanged")
rc, err = deliver("full", msg(300, "small"))
tap.ok(rc == 0 and len(files("full")) == 2,
       "full: a 300-byte message still fits (exit %d)" % rc, err)

clear_sent()
rc, err = deliver("full", msg(1500, "third"), "-e", "-o",
                  "quota_exceeded=bounce")
tap.ok(rc == st.EX_NOPERM, "full: quota_exceeded=bounce with -e exits 77 "
       "(got %d)" % rc, err)
tap.ok(len(files("full")) == 2 and tmp_files("full") == [] and sent() == [],
       "full: ... nothing stored, no mail sent")

rc, err = deliver("full", msg(1500, "fourth"), "-o", "quota_exceeded=bounce")
notes = sent()
tap.ok(rc == 0, "full: quota_exceeded=bounce without -e exits 0 (got %d)"
       % rc, err)
tap.ok(len(files("full")) == 2 and tmp_files("full") == [],
       "full: ... and stores nothing")
tap.ok(len(notes) == 1 and notes[0][0].endswith("-- " + SENDER),
       "full: one notice to the sender through sendmail_path",
       repr([a for a, _ in notes]))
if notes:
    t = notes[0][1]
    tap.ok("To: <%s>" % SENDER in t and "From: <postmaster@example.test>" in t
           and "full@example.test" in t and "Subject: fourth" in t and
           "mailbox is full" in t,
           "full: the notice names the recipient, says it is full and quotes "
           "the header", t)
else:
    tap.ok(False, "full: the notice names the recipient and quotes the header")
clear_sent()
rc, err = deliver("full", msg(1500, "fifth"), "-o", "quota_exceeded=bounce",
                  sender="")
tap.ok(rc == 0 and sent() == [] and len(files("full")) == 2,
       "full: bounce for the null sender: no notice, nothing stored", err)

# --- sluice.conf's quota_rule (no userdb rule) ------------------------

rc, err = deliver("site", msg(1500, "site one"), "-o",
                  "quota_rule=*:storage=2K")
rc2, err2 = deliver("site", msg(1500, "site two"), "-o",
                    "quota_rule=*:storage=2K")
tap.ok(rc == 0 and rc2 == st.EX_TEMPFAIL and len(files("site")) == 1,
       "site: quota_rule from sluice.conf: 1500 bytes fit in 2K, 1500 more "
       "do not (0, 75)", err + err2)
rc, err = deliver("site", msg(1500, "site three"), "-o",
                  "quota_rule=*:storage=100K")
tap.ok(rc == 0 and len(files("site")) == 2,
       "site: the site raises quota_rule to 100K: the next message fits "
       "(got %d; maildirsize limit line %r)"
       % (rc, (maildirsize("site") or ("",))[0]), err)

# --- Sieve: fileinto counts -------------------------------------------

set_script("sieve", 'require ["fileinto", "mailbox"];\n'
           'fileinto :create "Lists";\n')
rc, err = deliver("sieve", msg(1000, "list one"))
lists = files("sieve", "Lists")
tap.ok(rc == 0 and len(lists) == 1 and not files("sieve"),
       "sieve: fileinto :create stores in Lists", err)
tap.is_eq(sum_of("sieve"), (sum(lists.values()), 1),
          "sieve: the fileinto copy is counted in maildirsize")
rc, err = deliver("sieve", msg(1000, "list two"))
tap.ok(rc == 0 and len(files("sieve", "Lists")) == 2, "sieve: a second "
       "one fits (about 2100 of 3072 bytes)", err)
rc, err = deliver("sieve", msg(1000, "list three"))
tap.ok(rc == st.EX_TEMPFAIL and len(files("sieve", "Lists")) == 2 and
       not files("sieve") and tmp_files("sieve") == [],
       "sieve: a third does not fit: 75, nothing stored anywhere (got %d)"
       % rc, err)
tap.is_eq(sum_of("sieve"), counted("sieve"),
          "sieve: maildirsize agrees with the files")

# --- Sieve transaction: keep + fileinto, the second copy over ----------

set_script("txn", 'require ["fileinto", "mailbox"];\n'
           'fileinto :create "Copy";\nkeep;\n')
rc, err = deliver("txn", msg(500, "both fit"))
tap.ok(rc == 0 and len(files("txn")) == 1 and len(files("txn", "Copy")) == 1,
       "txn: keep + fileinto of 500 bytes: two copies", err)
tap.is_eq(sum_of("txn"), counted("txn"), "txn: maildirsize counts both")
before = sum_of("txn")
rc, err = deliver("txn", msg(800, "second over"))
tap.ok(rc == st.EX_TEMPFAIL, "txn: 2 x 860 more do not fit in 2K: 75 "
       "(got %d)" % rc, err)
tap.ok(len(files("txn")) == 1 and len(files("txn", "Copy")) == 1 and
       tmp_files("txn") == [],
       "txn: the first copy was rolled back, nothing left in tmp/",
       repr((files("txn"), files("txn", "Copy"))))
tap.is_eq(sum_of("txn"), before, "txn: maildirsize sum back to before")
tap.is_eq(sum_of("txn"), counted("txn"),
          "txn: maildirsize agrees with a recalculation")
with open(os.path.join(maildir("txn"), "maildirsize")) as f:
    rows = f.read().split("\n")
tap.ok(any(ln.startswith("-") for ln in rows),
       "txn: the rollback is a negative line (not a recalculation)", rows)

# --- folder rules from the userdb: Trash +100%, Spam ignored ------------

set_script("rules", 'require ["fileinto", "mailbox"];\n'
           'if header :contains "subject" "spam" '
           '{ fileinto :create "Spam"; }\n'
           'elsif header :contains "subject" "trash" '
           '{ fileinto :create "Trash"; }\n')
rc, err = deliver("rules", msg(1500, "inbox one"))
tap.ok(rc == 0, "rules: 1500 bytes into INBOX fit in 2K", err)
rc, err = deliver("rules", msg(1500, "inbox two"))
tap.is_eq(rc, st.EX_TEMPFAIL, "rules: 1500 more into INBOX do not")
rc, err = deliver("rules", msg(1500, "trash one"))
tap.ok(rc == 0 and len(files("rules", "Trash")) == 1,
       "rules: Trash:storage=+100%: 1500 more fit into Trash (4K)", err)
before = sum_of("rules")
rc, err = deliver("rules", msg(3000, "spam one"))
tap.ok(rc == 0 and len(files("rules", "Spam")) == 1,
       "rules: Spam:ignore: 3000 bytes into Spam over quota (exit %d)" % rc,
       err)
tap.is_eq(sum_of("rules"), before, "rules: the Spam copy is not counted")
tap.is_eq(sum_of("rules"), counted("rules", ignore=("Spam",)),
          "rules: maildirsize agrees with a count that leaves Spam out")

# --- warnings: 80% and 95%, once each ---------------------------------

tpl = box.path("warning.tpl")
st.write_file(tpl, "Subject: Quota %p%% reached for %u\n\n"
              "%u uses %b of %B KiB (%c messages, limit %C).\n")
clear_sent()
LIMIT = 20 * 1024
steps = []       # (percent before, percent after, warnings sent)
for i in range(40):
    b0 = (sum_of("warn") or (0, 0))[0]
    n0 = len(sent())
    rc, err = deliver("warn", msg(900, "warn %d" % i), "-o",
                      "quota_warning=80% 95%", "-o",
                      "quota_warning_template=" + tpl)
    if rc != 0:
        break
    b1 = sum_of("warn")[0]
    steps.append((b0 * 100 // LIMIT, b1 * 100 // LIMIT, len(sent()) - n0, b1))
tap.ok(rc == st.EX_TEMPFAIL and steps and steps[-1][1] >= 95,
       "warn: delivered %d messages up to %d%%, then over quota (75)"
       % (len(steps), steps[-1][1] if steps else -1), err)
want = [sum(1 for t in (80, 95) if pb < t <= pa) for pb, pa, _, _ in steps]
got = [w for _, _, w, _ in steps]
tap.is_eq(got, want, "warn: a warning exactly on the deliveries that cross "
          "80% and 95% upwards")
tap.is_eq(sum(got), 2, "warn: two warnings in all, none above 95%")
warns = sent()
cross = [s for s in steps if s[2] > 0]
if len(warns) == 2 and len(cross) == 2:
    for (args, text), pct, s in zip(warns, (80, 95), cross):
        head, _, body = text.partition("\n\n")
        tap.ok(args.endswith("-- warn@example.test") and
               "To: <warn@example.test>" in head and
               "Auto-Submitted: auto-generated" in head,
               "warn: the %d%% warning goes to the user, auto-generated" % pct,
               text + "\n" + args)
        subj = "Subject: Quota %d%% reached for warn@example.test" % pct
        tap.ok(subj in head and
               body.strip() == "warn@example.test uses %d of 20 KiB "
               "(%d messages, limit 0)." % (s[3] // 1024, len(
                   [x for x in steps if x[3] <= s[3]])),
               "warn: quota_warning_template expanded for %d%% (%%p %%u %%b "
               "%%B %%c %%C)" % pct, text)
else:
    tap.ok(False, "warn: the warnings' content", repr(warns))

# --- mbox: the file size ----------------------------------------------

mbox = os.path.join(homes["mbox"], "mbox")
sizes = []
last = None
for i in range(6):
    size0 = os.path.getsize(mbox) if os.path.exists(mbox) else 0
    data = msg(900, "mbox %d" % i)
    rc, err = deliver("mbox", data)
    size1 = os.path.getsize(mbox) if os.path.exists(mbox) else 0
    sizes.append((rc, size0, size1))
    if rc != 0:
        last = (rc, size0, size1, len(data))
        break
tap.ok(len(sizes) >= 2 and all(r == 0 and s1 > s0 for r, s0, s1 in sizes[:-1]),
       "mbox: deliveries that fit in 3K are appended", repr(sizes))
tap.ok(last is not None and last[0] == st.EX_TEMPFAIL and last[1] == last[2],
       "mbox: the one that would go over is refused (75), the file unchanged",
       repr(sizes))
tap.ok(last is not None and last[1] + last[3] > 3072 and
       all(s0 + 900 <= 3072 for _, s0, _ in sizes[:-1]),
       "mbox: refused exactly when file size + message > 3072",
       repr(sizes))
tap.ok(not os.path.exists(os.path.join(homes["mbox"], "mail", "maildirsize"))
       and not os.path.exists(os.path.join(homes["mbox"], "maildirsize")),
       "mbox: no maildirsize")

# --- concurrency: 2 writers into one Maildir ---------------------------

N = int(os.environ.get("SLUICE_QUOTA_MESSAGES", "500"))
os.mkdir(box.path("msgs"))
paths = []
for i in range(2 * N):
    p = box.path("msgs", "m%d" % i)
    with open(p, "wb") as f:
        f.write(msg(300 + (i * 37) % 1700, "conc %d" % i))
    paths.append(p)
results = [[], []]


def writer(k):
    for p in paths[k::2]:
        r = subprocess.run([DELIVER, "-c", conf, "-d", "conc@example.test",
                            "-f", SENDER, "-p", p], stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, timeout=60)
        results[k].append((r.returncode, r.stderr[-300:]))


threads = [threading.Thread(target=writer, args=(k,)) for k in (0, 1)]
for t in threads:
    t.start()
for t in threads:
    t.join()
bad = [r for k in (0, 1) for r in results[k] if r[0] != 0]
tap.ok(not bad, "conc: 2 writers x %d deliveries all exit 0" % N,
       repr(bad[:3]))
tap.is_eq(len(files("conc")), 2 * N, "conc: %d messages stored" % (2 * N))
tap.is_eq(tmp_files("conc"), [], "conc: tmp/ is empty")
final = sum_of("conc")
want = counted("conc")
tap.is_eq(final, want, "conc: the maildirsize sum equals a recalculation "
          "(counted from the files)")
m = maildirsize("conc")
tap.ok(m is not None and m[3] < 2 * N,
       "conc: maildirsize was recalculated on the way (it passed 5120 "
       "bytes): %s lines for %d deliveries" % (m and m[3], 2 * N))
has_quota_cmd = subprocess.run([SLUICE, "help", "quota"],
                               stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL).returncode == 0
if has_quota_cmd:
    r = subprocess.run([SLUICE, "-c", conf, "quota", "recalc",
                        "conc@example.test"], capture_output=True, text=True)
    tap.ok(r.returncode == 0 and sum_of("conc") == want and final == want,
           "conc: sluice quota recalc gives the same sum",
           r.stderr + repr((final, sum_of("conc"), want)))
else:
    tap.skip("no `sluice quota` command in this build")

# --- sluice-lmtpd: RCPT and after DATA -------------------------------

import lmtpd_helper as lh  # noqa: E402
import signal  # noqa: E402

srv = lh.Lmtpd(tap, {"full@example.test": "lfull",
                     "tip@example.test": "ltip",
                     "other@example.test": "lother"})


def on_signal(signum, frame):
    """both the server's and the sandbox's cleanups"""
    srv.cleanup()
    box.cleanup()
    os._exit(128 + signum)


for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
    signal.signal(sig, on_signal)
rules = {"full@example.test": "userdb_quota_rule=*:storage=1K",
         "tip@example.test": "userdb_quota_rule=*:storage=2K",
         "other@example.test": "userdb_quota_rule=*:storage=1M"}
with open(srv.users_file, "w") as f:
    for addr, home in srv.homes.items():
        f.write("%s::%d:%d::%s::%s\n" % (addr, srv.user.uid, srv.user.gid,
                                         home, rules[addr]))
for addr in srv.homes:
    srv._mkdir_user(srv.maildir(addr))
    for sub in ("new", "cur", "tmp"):
        srv._mkdir_user(os.path.join(srv.maildir(addr), sub))
srv.write_user_file("full@example.test", "Maildir/maildirsize",
                    "1024S\n1024 1\n")
srv.write_user_file("tip@example.test", "Maildir/maildirsize",
                    "2048S\n1500 1\n")


def lmtp_session(rcpts, data):
    """[(rcpt reply), ...], [data replies] for one transaction"""
    c = lh.Client(srv.sock)
    c.reply()
    c.cmd("LHLO client.example.test")
    c.cmd("MAIL FROM:<%s>" % SENDER)
    rr = [c.cmd("RCPT TO:<%s>" % r) for r in rcpts]
    dr = []
    if data is not None and any(r.code == 250 for r in rr):
        if c.cmd("DATA").code == 354:
            c.send(lh.wire(data))
            dr = [c.reply() for r in rr if r.code == 250]
    c.cmd("QUIT")
    c.close()
    return rr, dr


for mode, code, enh in (("tempfail", 452, "4.2.2"), ("bounce", 552, "5.2.2")):
    srv.write_conf(quota_exceeded=mode)
    if not srv.start():
        tap.ok(False, "lmtp: sluice-lmtpd starts", srv.read_stderr())
        break
    rr, dr = lmtp_session(["full@example.test", "other@example.test"],
                          msg(500, "lmtp %s" % mode))
    tap.ok(rr[0].code == code and rr[0].enh == enh,
           "lmtp %s: a full mailbox gets %d %s at RCPT" % (mode, code, enh),
           repr(rr))
    tap.ok(rr[1].code == 250 and len(dr) == 1 and dr[0].code == 250,
           "lmtp %s: the other recipient gets 250 at RCPT and after DATA"
           % mode, repr((rr, dr)))
    n_tip, n_other = len(srv.files("tip@example.test")), \
        len(srv.files("other@example.test"))
    rr, dr = lmtp_session(["tip@example.test", "other@example.test"],
                          msg(1000, "lmtp tip %s" % mode))
    tap.ok([r.code for r in rr] == [250, 250],
           "lmtp %s: a mailbox not yet full gets 250 at RCPT" % mode, repr(rr))
    tap.ok(len(dr) == 2 and dr[0].code == code and dr[0].enh == enh and
           dr[1].code == 250,
           "lmtp %s: the message that tips it over: %d %s for it after DATA, "
           "250 for the other" % (mode, code, enh), repr(dr))
    tap.ok(len(srv.files("tip@example.test")) == n_tip and
           len(srv.files("other@example.test")) == n_other + 1,
           "lmtp %s: stored for the other recipient only" % mode)
    rc, secs = srv.stop()
    tap.ok(rc == 0, "lmtp %s: sluice-lmtpd stops cleanly (%r)" % (mode, rc))
tap.is_eq(srv.tmp_leftovers(), [], "lmtp: nothing left in tmp/")
with open(os.path.join(srv.maildir("tip@example.test"), "maildirsize")) as f:
    tap.is_eq(f.read(), "2048S\n1500 1\n",
              "lmtp: the refused recipient's maildirsize is unchanged")

sys.exit(tap.done())
