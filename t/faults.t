#!/usr/bin/env python3
"""faults.t - sluice-deliver when things go wrong: never lose mail, never
leave half a message behind, and say "try later" (75) for anything that
may succeed later.

  - an unwritable Maildir (new/ mode 0500) -> 75, nothing in new/ or tmp/
  - a full filesystem (1 MiB tmpfs, root only): Maildir -> 75 with no
    partial file and every delivered file byte-exact; mbox -> 75 and the
    mbox truncated back to its previous bytes
  - unknown user -> 67; missing or unreadable passwd-file -> 75, never 67;
    bad config -> 75
  - an mbox fcntl-locked by another process -> 75 after mbox_lock_timeout
  - SIGKILL at random points during 200 deliveries: every acknowledged
    message present once and byte-exact, nothing half-written in new/

As root, sluice-deliver switches to the test user (sluicetest, created if
missing) so file modes apply; the tmpfs cases need root to mount.
SLUICE_TEST_SEED=N repeats a run of the SIGKILL case.
"""
import fcntl
import os
import random
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "lib"))
from sluicetest import (EX_NOUSER, EX_TEMPFAIL, Deliverer, header_value,
                        is_root, maildir_files, maildir_make, make_dirs,
                        make_message, mbox_split, start, strip_trace,
                        write_conf, write_file, write_passwd)

SENDER = "sender@example.test"
RCPT = "alice@example.test"

tap, sb, user = start("faults")
dl = Deliverer(tap)


def setup(name, location="maildir:~/Maildir", home=None, userdb=None,
          conf_extra=None):
    """a config dir for alice: passwd-file, sluice.conf, log, spool.
    Returns (conf path, home)."""
    d = sb.path(name)
    make_dirs(d, user, 0o711)
    home = home or os.path.join(d, "home")
    make_dirs(home, user)
    make_dirs(os.path.join(d, "spool"), user)
    write_file(os.path.join(d, "deliver.log"), b"", user, 0o600)
    passwd = os.path.join(d, "passwd")
    write_passwd(passwd, [(RCPT, user.uid, user.gid, home)])
    conf = {
        "userdb": userdb or "passwd-file:" + passwd,
        "mail_location": location,
        "log_path": os.path.join(d, "deliver.log"),
        "temp_dir": os.path.join(d, "spool"),
    }
    if is_root() and user.uid < 500:
        conf["first_valid_uid"] = str(user.uid)
    conf.update(conf_extra or {})
    path = os.path.join(d, "sluice.conf")
    write_conf(path, conf)
    return path, home


def log_tail(name, n=5):
    try:
        with open(sb.path(name, "deliver.log"), errors="replace") as f:
            return "".join(f.readlines()[-n:])
    except OSError:
        return ""


def deliver(conf, msg, rcpt=RCPT, extra=()):
    dl.conf = conf
    return dl.run(msg, rcpt, SENDER, extra)


def read(path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except FileNotFoundError:
        return None


# --- unwritable Maildir ---------------------------------------------

def unwritable_maildir():
    conf, home = setup("ro")
    md = os.path.join(home, "Maildir")
    maildir_make(md, user)
    os.chmod(os.path.join(md, "new"), 0o500)
    rc, err = deliver(conf, make_message("ro-1", 2000))
    tap.is_eq(rc, EX_TEMPFAIL, "Maildir new/ mode 0500: exit 75")
    tap.ok(err.strip() != "", "... and says why on stderr", err)
    tap.is_eq(sorted(os.listdir(os.path.join(md, "tmp"))), [],
              "... nothing left in tmp/")
    tap.is_eq(sorted(os.listdir(os.path.join(md, "new"))), [],
              "... nothing in new/")
    os.chmod(os.path.join(md, "new"), 0o700)
    msg = make_message("ro-2", 2000)
    rc, err = deliver(conf, msg)
    files = list(maildir_files(md).values())
    tap.ok(rc == 0 and len(files) == 1 and
           strip_trace(files[0], SENDER, RCPT) == msg,
           "mode 0700 again: the same Maildir takes a message",
           "exit %d %s %s" % (rc, err, log_tail("ro")))


# --- full filesystem ------------------------------------------------

def fill_maildir():
    home = sb.path("full-md")
    why = sb.mount_tmpfs(home, "1m")
    if why:
        tap.skip("cannot mount a tmpfs: " + why, 4)
        return
    os.chown(home, user.uid, user.gid)
    conf, _ = setup("full-md-cfg", home=home)
    md = os.path.join(home, "Maildir")
    maildir_make(md, user)
    sent, rcs, last_err = {}, [], ""
    for i in range(40):
        mid = "full-md-%d" % i
        msg = make_message(mid, 90000 + 1000 * i)
        rc, last_err = deliver(conf, msg)
        rcs.append(rc)
        if rc == 0:
            sent[mid] = msg
        else:
            break
    tap.ok(len(sent) >= 3 and rcs[-1] == EX_TEMPFAIL,
           "Maildir on a full 1 MiB tmpfs: %d delivered, then exit 75" %
           len(sent), "exit codes %s; %s %s" % (rcs, last_err,
                                               log_tail("full-md-cfg")))
    tap.is_eq(sorted(os.listdir(os.path.join(md, "tmp"))), [],
              "... no partial file left in tmp/")
    stored = maildir_files(md)
    tap.is_eq(len(stored), len(sent), "... new/ holds exactly the "
              "delivered messages")
    bad = []
    for name, data in stored.items():
        mid = header_value(data, "X-Sluice-Test-Id")
        if mid not in sent or strip_trace(data, SENDER, RCPT) != sent[mid]:
            bad.append(name)
    tap.ok(stored and not bad, "... every file in new/ is byte-exact",
           "differing: %s" % bad)


def fill_mbox():
    home = sb.path("full-mbox")
    why = sb.mount_tmpfs(home, "1m")
    if why:
        tap.skip("cannot mount a tmpfs: " + why, 3)
        return
    os.chown(home, user.uid, user.gid)
    conf, _ = setup("full-mbox-cfg", location="mbox:~/mail:INBOX=~/mbox",
                    home=home)
    make_dirs(os.path.join(home, "mail"), user)
    mbox = os.path.join(home, "mbox")
    rcs, ok_appends, last_err = [], 0, ""
    before = after = b""
    for i in range(40):
        msg = make_message("full-mbox-%d" % i, 150000 + 1000 * i)
        before = read(mbox) or b""
        rc, last_err = deliver(conf, msg)
        rcs.append(rc)
        after = read(mbox) or b""
        if rc != 0:
            break
        new = mbox_split(after[len(before):])
        if (after.startswith(before) and len(new) == 1 and new[0][2] and
                strip_trace(new[0][1], SENDER, RCPT) == msg):
            ok_appends += 1
    tap.ok(ok_appends >= 3 and rcs[-1] == EX_TEMPFAIL,
           "mbox on a full 1 MiB tmpfs: %d appended, then exit 75" %
           ok_appends, "exit codes %s (%d appends checked); %s %s" % (
               rcs, ok_appends, last_err, log_tail("full-mbox-cfg")))
    tap.ok(after == before, "... the mbox is truncated back to its "
           "previous %d bytes" % len(before),
           "before %d bytes, after %d bytes" % (len(before), len(after)))
    left = [n for n in os.listdir(home) if n not in ("mbox", "mail")]
    tap.is_eq(left, [], "... no lock or temp file left beside the mbox")


# --- userdb and config faults ---------------------------------------

def lookup_faults():
    conf, home = setup("lookup")
    md = os.path.join(home, "Maildir")
    maildir_make(md, user)
    msg = make_message("lookup-1", 1000)
    rc, err = deliver(conf, msg, rcpt="nobody@example.test")
    tap.is_eq(rc, EX_NOUSER, "unknown user: exit 67")
    tap.ok("5.1.1" in err, "... with 5.1.1 on stderr", err)
    rc, err = deliver(conf, msg)
    tap.is_eq(rc, 0, "a known user in the same passwd-file: exit 0")

    conf, _ = setup("nopasswd", userdb="passwd-file:" +
                    sb.path("nopasswd", "no-such-file"))
    rc, err = deliver(conf, msg)
    tap.is_eq(rc, EX_TEMPFAIL, "missing passwd-file: exit 75 (not 67)")
    rc, err = deliver(conf, msg, rcpt="nobody@example.test")
    tap.is_eq(rc, EX_TEMPFAIL, "missing passwd-file, unknown user: 75, "
              "not 67")
    conf, _ = setup("dirpasswd", userdb="passwd-file:" + sb.path("dirpasswd"))
    rc, err = deliver(conf, msg, rcpt="nobody@example.test")
    tap.is_eq(rc, EX_TEMPFAIL, "passwd-file that cannot be read (a "
              "directory): exit 75")


def config_faults():
    msg = make_message("conf-1", 1000)
    conf, home = setup("conf")
    maildir_make(os.path.join(home, "Maildir"), user)
    good = read(conf).decode()
    cases = [
        ("a line that is not key = value", good + "this is not a setting\n"),
        ("an unknown key", good + "no_such_key = 1\n"),
        ("a bad time value", good + "mbox_lock_timeout = soon\n"),
        ("a bad boolean", good + "log_debug = perhaps\n"),
    ]
    for what, text in cases:
        write_file(conf, text)
        rc, err = deliver(conf, msg)
        tap.ok(rc == EX_TEMPFAIL and err.strip(),
               "config with %s: exit 75 with a message" % what,
               "exit %d, stderr %r" % (rc, err))
    write_file(conf, good)
    rc, err = deliver(conf, msg, extra=["-o", "no_such_key=1"])
    tap.is_eq(rc, EX_TEMPFAIL, "-o with an unknown key: exit 75")
    rc, err = deliver(sb.path("conf", "missing.conf"), msg)
    tap.is_eq(rc, EX_TEMPFAIL, "-c naming a missing file: exit 75")
    stored = maildir_files(os.path.join(home, "Maildir"))
    tap.is_eq(len(stored), 0, "... none of them stored anything")


# --- mbox lock timeout ----------------------------------------------

def lock_timeout():
    conf, home = setup("lock", location="mbox:~/mail:INBOX=~/mbox")
    make_dirs(os.path.join(home, "mail"), user)
    mbox = os.path.join(home, "mbox")
    rc, err = deliver(conf, make_message("lock-1", 3000))
    tap.is_eq(rc, 0, "mbox: first delivery")
    before = read(mbox)
    fd = os.open(mbox, os.O_RDWR)
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX)
        t0 = time.monotonic()
        rc, err = deliver(conf, make_message("lock-2", 3000),
                          extra=["-o", "mbox_lock_timeout=2s"])
        took = time.monotonic() - t0
    finally:
        os.close(fd)  # drops the lock
    tap.is_eq(rc, EX_TEMPFAIL, "mbox fcntl-locked by another process: "
              "exit 75")
    tap.ok(1.5 <= took <= 8, "... after the 2s lock timeout (%.1fs)" % took)
    tap.ok(read(mbox) == before, "... the mbox is unchanged")
    tap.is_eq(sorted(os.listdir(home)), ["mail", "mbox"],
              "... no dotlock left behind")
    rc, err = deliver(conf, make_message("lock-3", 3000))
    msgs = mbox_split(read(mbox) or b"")
    tap.ok(rc == 0 and len(msgs) == 2,
           "lock released: the next delivery appends",
           "exit %d, %d messages %s" % (rc, len(msgs), err))


# --- SIGKILL during deliveries --------------------------------------

def kill_storm(count=200):
    seed = int(os.environ.get("SLUICE_TEST_SEED", "0")) or \
        random.randrange(1, 10**9)
    rng = random.Random(seed)
    tap.diag("SIGKILL storm: seed %d (SLUICE_TEST_SEED to repeat)" % seed)
    conf, home = setup("kill", conf_extra={"spool_memory_max": "64k"})
    md = os.path.join(home, "Maildir")
    maildir_make(md, user)
    msgdir = sb.path("kill", "msgs")
    os.mkdir(msgdir)
    sent, rcs = {}, {}
    for i in range(count):
        mid = "kill-%d" % i
        size = int(400 * (1000 ** rng.random()))  # 400 B .. 400 kB
        sent[mid] = make_message(mid, size, rng)
        write_file(os.path.join(msgdir, mid), sent[mid])
    dl.conf = conf
    for i in range(count):
        mid = "kill-%d" % i
        p = sb.popen(dl.argv(RCPT, SENDER, ["-p", os.path.join(msgdir, mid)]),
                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                     stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0, 0.020))
        if p.poll() is None:
            p.send_signal(signal.SIGKILL)
        rcs[mid] = p.wait()
        sb.procs.remove(p)
    stored = maildir_files(md)
    seen, bad = {}, []
    for name, data in stored.items():
        body = strip_trace(data, SENDER, RCPT)
        mid = header_value(body, "X-Sluice-Test-Id") if body else None
        if body is None or mid not in sent or body != sent[mid]:
            bad.append("%s (%d bytes)" % (name, len(data)))
            continue
        seen[mid] = seen.get(mid, 0) + 1
    acked = [m for m in sent if rcs[m] == 0]
    killed = [m for m in sent if rcs[m] == -signal.SIGKILL]
    other = {m: rcs[m] for m in sent if rcs[m] not in (0, -signal.SIGKILL)}
    tap.diag("%d exited 0, %d killed (%d of them stored anyway), other "
             "exits %s" % (len(acked), len(killed),
                           sum(1 for m in killed if m in seen),
                           sorted(set(other.values()))))
    tap.ok(len(acked) >= 5 and len(killed) >= 5,
           "the storm both completed and killed deliveries",
           "%d completed, %d killed" % (len(acked), len(killed)))
    tap.is_eq(bad, [], "every file in new/ is a whole message, byte-exact")
    missing = [m for m in acked if seen.get(m) != 1]
    tap.is_eq(missing, [], "every message acknowledged with exit 0 is in "
              "new/ exactly once")
    dup = [m for m, n in seen.items() if n > 1]
    tap.is_eq(dup, [], "no message is stored twice")
    tap.is_eq(sorted(os.listdir(os.path.join(md, "cur"))), [],
              "nothing appeared in cur/")
    tmp_left = os.listdir(os.path.join(md, "tmp"))
    spool_left = os.listdir(sb.path("kill", "spool"))
    tap.diag("left by killed processes: %d file(s) in Maildir tmp/, %d in "
             "the spool temp_dir" % (len(tmp_left), len(spool_left)))
    tap.ok(len(tmp_left) <= len(killed), "tmp/ leftovers (%d) only from "
           "killed processes" % len(tmp_left))


unwritable_maildir()
if is_root():
    fill_maildir()
    fill_mbox()
else:
    tap.skip("not root: cannot mount a tmpfs to fill", 7)
lookup_faults()
config_faults()
lock_timeout()
kill_storm()
sys.exit(tap.done())
