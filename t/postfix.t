#!/usr/bin/env python3
"""postfix.t - sluice-deliver as the pipe transport of a real Postfix.

A private Postfix instance (t/lib/postfixtest.py: postfix -c DIR start,
its own queue and data directories in the temp dir, SMTP on
127.0.0.1:PORT only, no other service touched; every non-local
destination goes to the error transport) hands mail for example.test to

    sluice unix - n n - - pipe
      flags=Xhu user=sluicetest null_sender=
      argv=sluice-deliver -c CONF
      -f ${sender} -d ${recipient}

Pipe flags: no D and no R, because sluice-deliver prepends Delivered-To
and Return-Path itself (with them, each would appear twice); no F (a
From_ line is the mbox backend's business); X: the command does final
delivery (DSN "delivered", not "relayed"); h and u: lowercase the
recipient's domain and local part, so ${recipient} matches the userdb.
null_sender= (empty): without it pipe(8) passes the null sender of a
bounce as "MAILER-DAEMON" and the bounce would carry Return-Path:
<MAILER-DAEMON> instead of <>. sluice_destination_recipient_limit = 1:
one recipient per run.

Checks: 50 messages injected over SMTP all arrive in alice's Maildir
(created on the first delivery), each with exactly one Return-Path (the
envelope sender) and one Delivered-To (the recipient) at the top and the
message bytes intact after Postfix's Received: header; a message to an
unknown user is bounced by Postfix on exit 67 (logged status=bounced,
dsn=5.1.1: the sysexits mapping of 67 is "5.1.1 user unknown", and
Postfix shows sluice-deliver's own "5.1.1 no such user" text), and the
bounce reaches the sender's Maildir with Return-Path <>.

Needs root (Postfix's master runs as root) and Debian's postfix package;
swaks is not needed (injection uses Python's smtplib).
"""
import os
import shutil
import smtplib
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "lib"))
from sluicetest import (Deliverer, free_port,  # noqa: E402
                        header_count, header_value, maildir_files, make_dirs,
                        make_message, start, strip_trace, sum_ok, wait_for,
                        write_conf, write_file, write_passwd)
from postfixtest import Postfix, skip_unless_postfix  # noqa: E402

COUNT = 50
SENDER = "bob@example.test"
RCPT = "alice@example.test"
UNKNOWN = "nobody@example.test"
SIEVE_RCPT = "carol@example.test"
ARRIVAL_TIMEOUT = 60

skip_unless_postfix()

tap, sb, user = start("postfix")
dl = Deliverer(tap)
pfx = Postfix(tap, sb, "postfix")


def deliver_binary():
    """sluice-deliver as the pipe's user can run it: the build's, or a
    copy in the temp dir if the build dir is closed to that user"""
    try:
        r = subprocess.run([dl.path, "-Z"], user=user.uid, group=user.gid,
                           extra_groups=[], capture_output=True, timeout=30)
        if r.returncode == 64:
            return dl.path
    except PermissionError:
        pass
    copy = sb.path("sluice", "sluice-deliver")
    shutil.copy2(dl.path, copy)
    os.chmod(copy, 0o755)
    tap.diag("%s is not executable by %s; using a copy" % (dl.path,
                                                          user.name))
    return copy


SENDMAIL_PY = """#!/usr/bin/python3
# sendmail_path for postfix.t: sendmail -oi -f SENDER -- RCPT... by SMTP
import smtplib, sys
args = sys.argv[1:]
sender = args[args.index("-f") + 1] if "-f" in args else ""
rcpts = args[args.index("--") + 1:]
data = sys.stdin.buffer.read().replace(b"\\r\\n", b"\\n").replace(b"\\n", b"\\r\\n")
with smtplib.SMTP("127.0.0.1", {port}, timeout=30) as s:
    s.sendmail("" if sender == "<>" else sender, rcpts, data)
"""


def setup_sluice(port):
    d = sb.path("sluice")
    make_dirs(d, user, 0o755)
    for who in ("alice", "bob", "carol"):
        make_dirs(os.path.join(d, "home", who), user)
    # carol's Sieve script: a redirected copy to bob and a vacation reply,
    # both sent through this Postfix's own sendmail (sendmail_path)
    write_file(os.path.join(d, "home", "carol", ".dovecot.sieve"),
               b'require ["copy", "vacation"];\n'
               b'redirect :copy "bob@example.test";\n'
               b'vacation :days 1 :subject "Away" "Carol is away.";\n', user)
    # sendmail_path: submit over SMTP to this private Postfix (its own
    # sendmail -C DIR would need the system main.cf to allow DIR)
    sendmail = os.path.join(d, "sendmail")
    write_file(sendmail, SENDMAIL_PY.format(port=port).encode(), user, 0o755)
    make_dirs(os.path.join(d, "spool"), user)
    write_file(os.path.join(d, "deliver.log"), b"", user, 0o600)
    passwd = os.path.join(d, "passwd")
    write_passwd(passwd, [
        (RCPT, user.uid, user.gid, os.path.join(d, "home", "alice")),
        (SENDER, user.uid, user.gid, os.path.join(d, "home", "bob")),
        (SIEVE_RCPT, user.uid, user.gid, os.path.join(d, "home", "carol"))])
    conf = os.path.join(d, "sluice.conf")
    settings = {"userdb": "passwd-file:" + passwd,
                "mail_location": "maildir:~/Maildir",
                "log_path": os.path.join(d, "deliver.log"),
                "temp_dir": os.path.join(d, "spool"),
                "sendmail_path": sendmail}
    if user.uid < 500:
        settings["first_valid_uid"] = str(user.uid)
    write_conf(conf, settings)
    return conf


# on top of postfixtest's base main.cf: mail for example.test to the pipe
MAIN_CF = {
    "virtual_mailbox_domains": "example.test",
    "virtual_transport": "sluice",
    "sluice_destination_recipient_limit": "1",
    "smtpd_reject_unlisted_recipient": "no",
}

MASTER_CF = """\
sluice    unix  -       n       n       -       -       pipe
  flags=Xhu user={user} null_sender=
  argv={deliver} -c {conf} -f ${{sender}} -d ${{recipient}}
"""


def start_postfix(port, conf):
    pfx.prepare(port, MAIN_CF, MASTER_CF.format(
        user=user.name, deliver=deliver_binary(), conf=conf))
    return pfx.start("private Postfix started, SMTP on 127.0.0.1:%d" % port)


def inject(port):
    """the 50 messages (5 to a mixed-case address) and one to UNKNOWN"""
    sent = {}
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as s:
        s.ehlo("client.example.test")
        for i in range(COUNT):
            mid = "pf-%d" % i
            to = "Alice@EXAMPLE.test" if i % 10 == 9 else RCPT
            # lines starting with dots exercise SMTP dot-stuffing
            msg = make_message(mid, 300 + 997 * i, sender=SENDER, rcpt=to,
                               body_tail=b".\n..\n.x\n" if i == 3 else b"")
            sent[mid] = msg
            s.sendmail(SENDER, [to], msg.replace(b"\n", b"\r\n"))
        s.sendmail(SENDER, [UNKNOWN], make_message(
            "pf-unknown", 500, sender=SENDER,
            rcpt=UNKNOWN).replace(b"\n", b"\r\n"))
    return sent


def check_arrivals(sent):
    md = os.path.join(sb.path("sluice"), "home", "alice", "Maildir")
    t0 = time.monotonic()
    got = wait_for(lambda: len(maildir_files(md)) >= COUNT,
                   ARRIVAL_TIMEOUT, 0.5)
    stored = maildir_files(md)
    tap.ok(got, "all %d messages arrived in alice's Maildir (%.1fs)" %
           (COUNT, time.monotonic() - t0),
           "%d arrived\n%s" % (len(stored), pfx.maillog()[-3000:]))
    tap.is_eq(len(stored), COUNT, "... and no more")
    bad_trace, bad_body, seen = [], [], set()
    for name, data in stored.items():
        rest = strip_trace(data, SENDER, RCPT)
        if (rest is None or header_count(data, "Return-Path") != 1 or
                header_count(data, "Delivered-To") != 1):
            bad_trace.append("%s: %r" % (name, data[:120]))
            continue
        mid = header_value(rest, "X-Sluice-Test-Id")
        orig = sent.get(mid)
        # Postfix puts its Received: header first; the rest is untouched
        prefix = rest[:len(rest) - len(orig)] if orig else b""
        if (orig is None or mid in seen or not rest.endswith(orig) or
                not sum_ok(rest) or not prefix.startswith(b"Received:") or
                header_count(prefix + b"\n", "Received") != 1):
            bad_body.append("%s (id %s)" % (name, mid))
        seen.add(mid)
    tap.ok(not bad_trace, "each has exactly one Return-Path: <%s> and one "
           "Delivered-To: %s at the top" % (SENDER, RCPT),
           "\n".join(bad_trace[:5]))
    tap.ok(not bad_body, "each is the sent message, intact after Postfix's "
           "Received: header, each once", "\n".join(bad_body[:5]))


def check_bounce():
    line = pfx.wait_log_line(("to=<%s>" % UNKNOWN, "status=bounced"),
                             ARRIVAL_TIMEOUT, 0.5)
    # exit 67 is a bounce for pipe(8) (sysexits: 5.1.1 "user unknown");
    # as sluice-deliver's stderr starts with an enhanced status code,
    # Postfix logs that code and text instead of its own "user unknown"
    tap.ok(line and "relay=sluice" in line and "dsn=5.1.1" in line,
           "unknown user: Postfix logs status=bounced, dsn=5.1.1 (exit 67: "
           "user unknown) from the sluice transport",
           line or pfx.maillog()[-3000:])
    tap.ok(line and ("no such user" in line or "user unknown" in line),
           "... with the reason from sluice-deliver", line)
    md = os.path.join(sb.path("sluice"), "home", "bob", "Maildir")
    got = wait_for(lambda: maildir_files(md), ARRIVAL_TIMEOUT, 0.5) or {}
    bounces = [d for d in got.values()
               if strip_trace(d, "", SENDER) is not None and UNKNOWN.encode()
               in d]
    tap.ok(len(bounces) == 1, "the bounce reached the sender's Maildir, "
           "with Return-Path: <>", "%d messages for bob: %r" % (
               len(got), [d[:200] for d in got.values()]))
    tap.is_eq(pfx.log_lines("status=deferred"), [],
              "no delivery was deferred")


def check_sieve(port):
    """redirect and vacation from carol's script go out through Postfix"""
    msg = make_message("pf-sieve", 700, sender=SENDER, rcpt=SIEVE_RCPT)
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as s:
        s.sendmail(SENDER, [SIEVE_RCPT], msg.replace(b"\n", b"\r\n"))
    home = os.path.join(sb.path("sluice"), "home")
    carol = wait_for(lambda: maildir_files(os.path.join(home, "carol", "Maildir")),
                     ARRIVAL_TIMEOUT, 0.5) or {}
    tap.ok(len(carol) == 1, "Sieve: carol keeps her copy (redirect :copy)",
           pfx.maillog()[-2000:])

    def bob_has(pred):
        return [d for d in maildir_files(os.path.join(home, "bob", "Maildir")).values()
                if pred(d)]
    redirected = wait_for(lambda: bob_has(
        lambda d: b"pf-sieve" in d and b"Auto-Submitted" not in d),
        ARRIVAL_TIMEOUT, 0.5) or []
    tap.ok(len(redirected) == 1 and header_count(redirected[0], "Delivered-To") == 2
           and redirected[0].startswith(b"Return-Path: <%s>" % SENDER.encode()),
           "Sieve redirect went through Postfix to bob, with the original sender "
           "and both Delivered-To fields", redirected and redirected[0][:400])
    replies = wait_for(lambda: bob_has(lambda d: b"Carol is away." in d),
                       ARRIVAL_TIMEOUT, 0.5) or []
    tap.ok(len(replies) == 1 and replies[0].startswith(b"Return-Path: <>")
           and b"Auto-Submitted: auto-replied" in replies[0]
           and b"In-Reply-To:" in replies[0],
           "Sieve vacation reply went through Postfix to the sender, from <>",
           replies and replies[0][:400])


def main():
    port = free_port()
    conf = setup_sluice(port)
    if not start_postfix(port, conf):
        return
    sent = inject(port)
    check_arrivals(sent)
    check_bounce()
    check_sieve(port)
    pfx.diag_warnings()
    pfx.check_stopped()


main()
sys.exit(tap.done())
