#!/usr/bin/env python3
"""lmtpd-postfix.t - sluice-lmtpd as the LMTP server of a real Postfix.

A private Postfix instance (t/lib/postfixtest.py: postfix -c DIR start,
its own queue and data directories in the temp dir, SMTP on
127.0.0.1:PORT only, every service unchrooted, every non-local
destination to the error transport) hands mail for example.test to a
private sluice-lmtpd listening on 127.0.0.1:LPORT and on a UNIX socket
in the temp dir:

  phase 1: virtual_transport = lmtp:inet:127.0.0.1:LPORT
  phase 2: virtual_transport = lmtp:unix:PATH (postconf -e; postfix reload)

smtpd_reject_unlisted_recipient = no, so Postfix accepts any address at
example.test and leaves the user check to sluice-lmtpd's RCPT reply.

Checks, in each phase: COUNT messages from dave, each to alice, bob and
carol, injected with smtplib (MESSAGES_PER_SESSION per SMTP session), all
arrive: each exactly once per recipient, the sent bytes intact after the
two Received fields (sluice-lmtpd's, then Postfix's) with the body's
sha256 right, Return-Path <dave@example.test>, and no Delivered-To
(lmtp_delivered_to = single: Postfix's lmtp client delivered the three
recipients in one transaction); Postfix logged each copy status=sent
with the relay of the phase (127.0.0.1[127.0.0.1]:LPORT, or [PATH]).
Phase 1 also sends one message to carol
and nobody@example.test: carol gets it; Postfix bounces nobody (status=
bounced, dsn=5.1.1, sluice-lmtpd's "550 5.1.1" text) and the bounce
reaches dave's Maildir from <>. The sluice log has one result=ok line
per stored copy, its queue_id= equal to the id in Postfix's Received
field of that copy, and the stored file's name as id=.

Needs root (Postfix's master runs as root) and Debian's postfix package.
"""
import os
import re
import smtplib
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "lib"))
from sluicetest import (LmtpdProcess, free_port,  # noqa: E402
                        header_value, log_fields, make_dirs, make_message,
                        start, sum_ok, wait_for, write_conf, write_passwd)
from postfixtest import (Postfix, read_log,  # noqa: E402
                         skip_unless_postfix)

COUNT = 200                 # messages per phase, each to 3 recipients
MESSAGES_PER_SESSION = 25
SENDER = "dave@example.test"
RCPTS = ["alice@example.test", "bob@example.test", "carol@example.test"]
UNKNOWN = "nobody@example.test"
ARRIVAL_TIMEOUT = 30

skip_unless_postfix()

tap, sb, user = start("lmtpd-postfix")
pfx = Postfix(tap, sb, "lmtpd-postfix")
SL = sb.path("sluice")
SL_LOG = os.path.join(SL, "lmtpd.log")
SOCK = os.path.join(SL, "lmtp.sock")


def home(addr):
    return os.path.join(SL, "home", addr.split("@")[0])


def setup_sluice(lport):
    make_dirs(SL, user, 0o755)
    users = RCPTS + [SENDER]
    for a in users:
        make_dirs(home(a), user)
    make_dirs(os.path.join(SL, "spool"), user)
    passwd = os.path.join(SL, "passwd")
    write_passwd(passwd, [(a, user.uid, user.gid, home(a)) for a in users])
    conf = os.path.join(SL, "sluice.conf")
    settings = {"userdb": "passwd-file:" + passwd,
                "mail_location": "maildir:~/Maildir",
                "log_path": SL_LOG,
                "temp_dir": os.path.join(SL, "spool"),
                "lmtp_listen": "127.0.0.1:%d, unix:%s" % (lport, SOCK),
                # Postfix's lmtp client runs as user postfix
                "lmtp_unix_mode": "0666",
                "lmtp_pid_file": os.path.join(SL, "lmtpd.pid"),
                "lmtp_hostname": "lmtp.example.test",
                "lmtp_workers": "4",
                "lmtp_max_connections": "32"}
    if user.uid < 500:
        settings["first_valid_uid"] = str(user.uid)
    write_conf(conf, settings)
    return conf


def start_lmtpd(conf, lport):
    srv = LmtpdProcess(tap, sb, conf)
    ok = srv.start(("127.0.0.1", lport)) and os.path.exists(SOCK)
    tap.ok(ok, "sluice-lmtpd started on 127.0.0.1:%d and %s" % (lport, SOCK),
           srv.stderr())
    return srv if ok else None


def start_postfix(port, lport):
    # postfixtest's base runs every service with chroot n: the lmtp
    # client must reach the UNIX socket by its absolute path
    pfx.prepare(port, {
        "virtual_mailbox_domains": "example.test",
        "virtual_transport": "lmtp:inet:127.0.0.1:%d" % lport,
        "smtpd_reject_unlisted_recipient": "no",
    }, "lmtp      unix  -       -       n       -       -       lmtp\n")
    return pfx.start("private Postfix started, SMTP on 127.0.0.1:%d, "
                     "virtual_transport = lmtp:inet:127.0.0.1:%d" %
                     (port, lport))


def switch_to_unix():
    ok, err = pfx.postconf("virtual_transport = lmtp:unix:" + SOCK)
    # the processes that may hold the old transport exit when idle
    reloaded, err2 = pfx.reload(("qmgr", "trivial-rewrite", "lmtp"), 20)
    return tap.ok(ok and reloaded, "postconf -e virtual_transport = "
                  "lmtp:unix:%s; postfix reload; the old qmgr, "
                  "trivial-rewrite and lmtp have exited" % SOCK, err + err2)


def sluice_log():
    return read_log(SL_LOG).splitlines()


# --- sending and reading back ------------------------------------------

def inject(port, phase, extra=()):
    """COUNT messages to RCPTS, then each (mid, rcpts) of extra; returns
    {mid: (message, rcpts)}"""
    plan = []
    for i in range(COUNT):
        mid = "%s-%03d" % (phase, i)
        # a few big ones; lines starting with dots exercise dot-stuffing
        size = 120000 + 997 * i if i % 40 == 7 else 300 + 97 * i
        plan.append((mid, RCPTS, make_message(
            mid, size, sender=SENDER, rcpt=RCPTS[0],
            body_tail=b".\n..\n.x\n" if i % 10 == 3 else b"")))
    for mid, rcpts in extra:
        plan.append((mid, rcpts, make_message(mid, 500, sender=SENDER,
                                              rcpt=rcpts[0])))
    t0 = time.monotonic()
    refused = []
    for k in range(0, len(plan), MESSAGES_PER_SESSION):
        with smtplib.SMTP("127.0.0.1", port, timeout=30) as s:
            s.ehlo("client.example.test")
            for mid, rcpts, msg in plan[k:k + MESSAGES_PER_SESSION]:
                r = s.sendmail(SENDER, rcpts, msg.replace(b"\n", b"\r\n"))
                if r:
                    refused.append((mid, r))
    tap.ok(not refused, "%s: %d messages accepted by Postfix over SMTP "
           "(%.1fs)" % (phase, len(plan), time.monotonic() - t0),
           repr(refused[:5]))
    return {mid: (msg, rcpts) for mid, rcpts, msg in plan}


def stored(addr):
    """{maildir file path: bytes} of new/ and cur/"""
    out = {}
    for sub in ("new", "cur"):
        d = os.path.join(home(addr), "Maildir", sub)
        try:
            names = os.listdir(d)
        except FileNotFoundError:
            continue
        for n in names:
            with open(os.path.join(d, n), "rb") as f:
                out[os.path.join(d, n)] = f.read()
    return out


def unfolded_fields(msg):
    """the header block as a list of unfolded fields"""
    head = msg.split(b"\n\n", 1)[0].decode(errors="replace")
    fields = []
    for line in head.split("\n"):
        if line[:1] in (" ", "\t") and fields:
            fields[-1] += " " + line.strip()
        else:
            fields.append(line)
    return fields


POSTFIX_ID = re.compile(r"\(Postfix\)(?: with [A-Z]+)? id ([0-9A-Za-z]+)")


def trace_of(data):
    """(return path, delivered-to count, sluice Received, Postfix
    Received, the bytes after the two Received fields) of a stored copy"""
    fields = unfolded_fields(data)
    rp = fields[0][len("Return-Path: "):] if fields and \
        fields[0].startswith("Return-Path: ") else None
    dt = sum(1 for f in fields if f.lower().startswith("delivered-to:"))
    rec = [f for f in fields if f.lower().startswith("received:")]
    # the message as Postfix got it starts after Postfix's own field,
    # which ends at the first line that does not start with a blank
    rest = None
    pos = data.find(b"(Postfix) with ")
    if pos >= 0:
        nl = data.find(b"\n", pos)
        while nl >= 0 and data[nl + 1:nl + 2] in (b" ", b"\t"):
            nl = data.find(b"\n", nl + 1)
        rest = data[nl + 1:] if nl >= 0 else None
    return (rp, dt, rec[0] if rec else "", rec[1] if len(rec) > 1 else "",
            rest)


def wait_arrivals(want):
    """want: {addr: count}; waits until each Maildir holds that many"""
    def done():
        return all(len(stored(a)) >= n for a, n in want.items())
    t0 = time.monotonic()
    ok = wait_for(done, ARRIVAL_TIMEOUT, 0.3)
    return ok, time.monotonic() - t0


SENT_LINE = re.compile(r": ([0-9A-F]+): to=<([^>]*)>, relay=(\S+), .*"
                       r"status=sent ")


def postfix_relays():
    """{(queue id, recipient): relay} of Postfix's status=sent lines"""
    out = {}
    for line in pfx.maillog().splitlines():
        m = SENT_LINE.search(line)
        if m:
            out[(m.group(1), m.group(2))] = m.group(3)
    return out


def check_phase(phase, sent, before, via):
    """the copies of this phase's messages; before: {addr: paths
    already checked}; via: what Postfix's relay= must contain"""
    want = {}
    for mid, (_, rcpts) in sent.items():
        for a in rcpts:
            want[a] = want.get(a, 0) + 1
    total = {a: len(before.get(a, ())) + n for a, n in want.items()}
    ok, secs = wait_arrivals(total)
    tap.ok(ok, "%s: all %d copies arrived (%.1fs)" % (
        phase, sum(want.values()), secs), "have %r want %r\n%s" % (
            {a: len(stored(a)) for a in total}, total,
            pfx.maillog()[-3000:]))
    seen, bad_body, bad_trace, bad_path, copies = {}, [], [], [], {}
    relays = postfix_relays()
    for a in total:
        for path, data in stored(a).items():
            if path in before.get(a, ()):
                continue
            mid = header_value(data, "X-Sluice-Test-Id")
            copies[path] = (a, data)
            seen[(a, mid)] = seen.get((a, mid), 0) + 1
            orig = sent.get(mid)
            rp, dt, srec, prec, rest = trace_of(data)
            if orig is None or a not in orig[1] or rest != orig[0] or \
                    not sum_ok(data):
                bad_body.append("%s: %s" % (path, mid))
            n_rcpts = len(orig[1]) if orig else 0
            if rp != "<%s>" % SENDER or dt != (1 if n_rcpts == 1 else 0) or \
                    not prec:
                bad_trace.append("%s: %r" % (path, data[:300]))
            qid = POSTFIX_ID.search(prec)
            relay = relays.get((qid.group(1) if qid else None, a), "")
            if via not in relay:
                bad_path.append("%s: %s %r" % (path, srec, relay))
    want_keys = {(a, mid) for mid, (_, rcpts) in sent.items() for a in rcpts}
    wrong = {k: n for k, n in seen.items() if n != 1 or k not in want_keys}
    missing = want_keys - set(seen)
    tap.ok(not wrong and not missing, "%s: each message exactly once in "
           "each of its recipients' Maildirs" % phase,
           "wrong %r missing %r" % (list(wrong.items())[:5],
                                    sorted(missing)[:5]))
    tap.ok(not bad_body, "%s: the sent bytes intact after the two Received "
           "fields, body sha256 right" % phase, "\n".join(bad_body[:5]))
    tap.ok(not bad_trace, "%s: Return-Path <%s>, Postfix's Received id, "
           "no Delivered-To (3 recipients in one LMTP transaction)" %
           (phase, SENDER), "\n".join(bad_trace[:3]))
    tap.ok(not bad_path, "%s: Postfix logged each copy status=sent, "
           "relay=...%s" % (phase, via), "\n".join(bad_path[:3]))
    return copies


def check_log(copies):
    """one result=ok line per stored copy, with Postfix's queue id"""
    by_id = {}
    for f in map(log_fields, sluice_log()):
        if f.get("result") == "ok" and "id" in f:
            by_id.setdefault((f.get("rcpt"), f["id"]), []).append(f)
    bad = []
    for path, (a, data) in copies.items():
        name = os.path.basename(path).split(":", 1)[0]
        lines = by_id.get((a, name), [])
        m = POSTFIX_ID.search(trace_of(data)[3])
        if len(lines) != 1 or m is None or \
                lines[0].get("queue_id") != m.group(1):
            bad.append("%s: %r, Postfix id %s" % (
                path, lines, m.group(1) if m else None))
    n_ok = sum(len(v) for v in by_id.values())
    tap.ok(not bad and n_ok == len(copies), "sluice log: one result=ok "
           "line per copy (%d), each with queue_id= Postfix's queue id" %
           len(copies), "%d ok lines\n%s" % (n_ok, "\n".join(bad[:5])))


def check_bounce(mixed_mid):
    line = pfx.wait_log_line(("to=<%s>" % UNKNOWN, "status=bounced"),
                             ARRIVAL_TIMEOUT, 0.3)
    tap.ok(line and "dsn=5.1.1" in line and "relay=127.0.0.1" in line and
           "550 5.1.1" in line, "unknown user: Postfix bounced it, dsn=5.1.1,"
           " on sluice-lmtpd's 550 5.1.1 to RCPT",
           line or pfx.maillog()[-3000:])
    nouser = [f for f in map(log_fields, sluice_log())
              if f.get("rcpt") == UNKNOWN]
    tap.ok(len(nouser) == 1 and nouser[0].get("result") == "nouser",
           "sluice log: one result=nouser line for it", repr(nouser))

    def bounces():
        return [d for d in stored(SENDER).values()
                if d.startswith(b"Return-Path: <>\n") and
                UNKNOWN.encode() in d and mixed_mid.encode() in d]
    got = wait_for(bounces, ARRIVAL_TIMEOUT, 0.3) or []
    tap.ok(len(got) == 1 and len(stored(SENDER)) == 1,
           "the bounce reached the sender's Maildir, from <>",
           "%d messages for %s: %r" % (len(stored(SENDER)), SENDER,
                                       [d[:300] for d in
                                        stored(SENDER).values()]))


def main():
    t0 = time.monotonic()
    port, lport = free_port(), free_port()
    while lport == port:
        lport = free_port()
    conf = setup_sluice(lport)
    srv = start_lmtpd(conf, lport)
    if srv is None or not start_postfix(port, lport):
        return
    mixed = ("inet-unknown", [RCPTS[2], UNKNOWN])
    sent = inject(port, "inet", [mixed])
    for mid in list(sent):  # nobody's copy is the bounce, checked below
        sent[mid] = (sent[mid][0], [a for a in sent[mid][1] if a != UNKNOWN])
    copies = check_phase("inet", sent, {},
                         "127.0.0.1[127.0.0.1]:%d" % lport)
    check_bounce(mixed[0])
    before = {}
    for path, (a, _) in copies.items():
        before.setdefault(a, set()).add(path)
    if switch_to_unix():
        sent2 = inject(port, "unix")
        copies.update(check_phase("unix", sent2, before, "[%s]" % SOCK))
    # the bounce, too, went through sluice-lmtpd
    for path, data in stored(SENDER).items():
        copies[path] = (SENDER, data)
    check_log(copies)
    tap.is_eq(pfx.log_lines("status=deferred"), [],
              "no delivery was deferred")
    pfx.diag_warnings()
    pfx.check_stopped()
    code, secs = srv.stop(timeout=15)
    tap.ok(code == 0 and not srv.group_alive() and not os.path.exists(SOCK),
           "sluice-lmtpd stops on SIGTERM: exit 0, no process left, its "
           "UNIX socket removed", "exit %r after %.1fs\n%s" % (
               code, secs, srv.stderr()))
    tap.diag("%.1fs in all" % (time.monotonic() - t0))


main()
sys.exit(tap.done())
