#!/usr/bin/env python3
"""concurrency.t - two writers deliver 500 messages each at the same time
into one mbox, then into one Maildir. Afterwards every message is there
exactly once and intact: each carries a unique id and a sha256 of its
body (X-Sluice-Test-Id, X-Sluice-Sum), and for the mbox the file is
parsed back From_ line by From_ line, so two appends that interleaved
or overlapped show up as broken checksums or missing messages.

Message sizes vary from 200 bytes to 200 kB so that appends take several
writes; half of each writer's messages go through stdin, half through -p.
SLUICE_TEST_SEED=N repeats a run.
"""
import os
import random
import subprocess
import sys
import threading

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "lib"))
from sluicetest import (Deliverer, header_value, is_root, maildir_files,
                        maildir_make, make_dirs, make_message, mbox_split,
                        start, strip_trace, sum_ok, write_conf, write_file,
                        write_passwd)

SENDER = "sender@example.test"
RCPT = "alice@example.test"
WRITERS = 2
PER_WRITER = 500

tap, sb, user = start("concurrency")
dl = Deliverer(tap)
seed = int(os.environ.get("SLUICE_TEST_SEED", "0")) or \
    random.randrange(1, 10**9)
tap.diag("seed %d (SLUICE_TEST_SEED to repeat)" % seed)


def setup(name, location):
    d = sb.path(name)
    make_dirs(d, user, 0o711)
    home = os.path.join(d, "home")
    make_dirs(home, user)
    make_dirs(os.path.join(d, "spool"), user)
    make_dirs(os.path.join(d, "msgs"), user)
    write_file(os.path.join(d, "deliver.log"), b"", user, 0o600)
    passwd = os.path.join(d, "passwd")
    write_passwd(passwd, [(RCPT, user.uid, user.gid, home)])
    conf = {"userdb": "passwd-file:" + passwd, "mail_location": location,
            "log_path": os.path.join(d, "deliver.log"),
            "temp_dir": os.path.join(d, "spool")}
    if is_root() and user.uid < 500:
        conf["first_valid_uid"] = str(user.uid)
    write_conf(os.path.join(d, "sluice.conf"), conf)
    return os.path.join(d, "sluice.conf"), home


def make_set(name):
    """{id: message}, PER_WRITER per writer, written to msgs/ as well"""
    rng = random.Random("%s-%d" % (name, seed))
    msgs = {}
    for w in range(WRITERS):
        for i in range(PER_WRITER):
            mid = "%s-w%d-%d" % (name, w, i)
            size = int(200 * (1000 ** rng.random()))  # 200 B .. 200 kB
            msgs[mid] = make_message(mid, size, rng)
            write_file(sb.path(name, "msgs", mid), msgs[mid])
    return msgs


def writer(name, w, conf, results):
    """one writer: its messages one after another"""
    for i in range(PER_WRITER):
        mid = "%s-w%d-%d" % (name, w, i)
        path = sb.path(name, "msgs", mid)
        argv = dl.argv(RCPT, SENDER)
        if i % 2:
            argv += ["-p", path]
            stdin = subprocess.DEVNULL
        else:
            stdin = open(path, "rb")
        try:
            r = subprocess.run(argv, stdin=stdin, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, timeout=60)
            results[mid] = (r.returncode, r.stderr.decode(errors="replace"))
        except subprocess.TimeoutExpired:
            results[mid] = (None, "timed out")
        finally:
            if stdin is not subprocess.DEVNULL:
                stdin.close()


def run_writers(name, conf):
    results = {}
    threads = [threading.Thread(target=writer, args=(name, w, conf, results))
               for w in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    failed = {m: r for m, r in results.items() if r[0] != 0}
    tap.ok(len(results) == WRITERS * PER_WRITER and not failed,
           "%s: %d writers x %d deliveries all exit 0" %
           (name, WRITERS, PER_WRITER),
           "%d failed, e.g. %s" % (len(failed), list(failed.items())[:3]))


def check_messages(name, stored, sent):
    """stored: [(where, bytes)]; each sent message exactly once, intact"""
    seen, bad = {}, []
    for where, data in stored:
        body = strip_trace(data, SENDER, RCPT)
        mid = header_value(body, "X-Sluice-Test-Id") if body else None
        if body is None or not sum_ok(body) or sent.get(mid) != body:
            bad.append("%s (%d bytes, id %s)" % (where, len(data), mid))
            continue
        seen[mid] = seen.get(mid, 0) + 1
    tap.is_eq(len(stored), len(sent), "%s: %d messages stored" %
              (name, len(sent)))
    tap.ok(not bad, "%s: every message intact (trace headers, checksum, "
           "bytes)" % name, "%d broken, e.g. %s" % (len(bad), bad[:5]))
    missing = [m for m in sent if seen.get(m) != 1]
    tap.ok(not missing, "%s: every message present exactly once" % name,
           "%d missing or repeated, e.g. %s" % (len(missing), missing[:5]))


def mbox_case():
    conf, home = setup("mbox", "mbox:~/mail:INBOX=~/mbox")
    make_dirs(os.path.join(home, "mail"), user)
    dl.conf = conf
    sent = make_set("mbox")
    run_writers("mbox", conf)
    with open(os.path.join(home, "mbox"), "rb") as f:
        data = f.read()
    parsed = mbox_split(data)
    tap.ok(data.startswith(b"From ") and all(p[0].startswith(b"From ")
                                             for p in parsed),
           "mbox: every message starts with a From_ line")
    unsep = [i for i, p in enumerate(parsed) if not p[2]]
    tap.is_eq(unsep, [], "mbox: every message is followed by an empty line")
    check_messages("mbox", [("message %d" % i, p[1])
                            for i, p in enumerate(parsed)], sent)
    left = sorted(n for n in os.listdir(home) if n not in ("mbox", "mail"))
    tap.is_eq(left, [], "mbox: no lock file left behind")


def maildir_case():
    conf, home = setup("maildir", "maildir:~/Maildir")
    md = os.path.join(home, "Maildir")
    maildir_make(md, user)
    dl.conf = conf
    sent = make_set("maildir")
    run_writers("maildir", conf)
    stored = maildir_files(md)
    check_messages("maildir", sorted(stored.items()), sent)
    tap.is_eq(os.listdir(os.path.join(md, "tmp")), [],
              "maildir: tmp/ is empty")


mbox_case()
maildir_case()
sys.exit(tap.done())
