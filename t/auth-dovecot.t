#!/usr/bin/env python3
"""auth-dovecot.t - sluice-auth answers as Dovecot's own auth service.

A private Dovecot (no protocols, only its auth service, a client socket
in the temp dir) and a private sluice-auth read the same passwd-file
({PLAIN}, {SHA512-CRYPT} and {CRAM-MD5} users, one with the extra field
nodelay) with the same mechanisms and failure delay. The same
conversations go to both over the auth client protocol, and their reply
lines must be the same, byte for byte, once SPID, CUID, COOKIE and the
CRAM-MD5 challenge (random) are set aside: the handshake, PLAIN with and
without an initial response, LOGIN in two steps and with the name as
initial response, wrong passwords, unknown users, bad base64 (initial and
continued), a CONT for no request, CANCEL, an authorization id other than
the user, PLAIN data without two NULs, an empty initial response, a name
outside auth_username_chars, a password with a TAB, names in upper case
(original_user=), CRAM-MD5 for each user (the digest computed from each
server's challenge), a failure after the delay in both (also for a user
with nodelay: the passwd-file's extra fields come with the right
password only). The two documented differences are checked as
such: an unknown mechanism (Dovecot disconnects, sluice-auth answers
FAIL) and a passdb nologin field (Dovecot answers OK and leaves the
refusal to its login processes, which Postfix does not have; sluice-auth
answers FAIL with the reason).

Every request carries no-penalty, so Dovecot's own auth_penalty (a
growing delay per remote IP) does not blur the timing.

Needs root (Dovecot's master) and Debian's dovecot-core.
"""
import base64
import hmac
import os
import re
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "lib"))
from sluicetest import Tap, is_root, start, wait_for, write_conf, \
    write_file  # noqa: E402
from sluiceauth import AuthConn, AuthProcess, b64, plain_resp  # noqa: E402

PATHS = "/usr/sbin:/usr/bin:/sbin:/bin"
if not is_root():
    Tap().skip_all("not root: Dovecot's master must be started as root")
DOVECOT = shutil.which("dovecot", path=PATHS)
if DOVECOT is None:
    Tap().skip_all("Dovecot is not installed (Debian package dovecot-core)")

USERS = """\
alice@example.test:{PLAIN}alicepw:1000:1000::/nonexistent::
bob@example.test:{SHA512-CRYPT}$6$3ez666j576mQyddM$kgcPuPTX2O.PLv7P6xdNnIH32JvzA1r2f6lmyqx4Ku/KyjSG281YJWVq7X6BQU42AS2mpIitR9V6Pl/xdmffB1:1000:1000::/nonexistent::
carol@example.test:{CRAM-MD5}cc9276ab169739c89105c8f3c503b859257094106c7cef59bcc659d5096fab63:1000:1000::/nonexistent::
dora@example.test:{PLAIN}dorapw:1000:1000::/nonexistent::nologin reason=Suspended
fast@example.test:{PLAIN}fastpw:1000:1000::/nonexistent::nodelay
"""
PASSWORDS = {"alice@example.test": b"alicepw", "bob@example.test": b"bobpw",
             "carol@example.test": b"carolpw"}
DELAY = 1

tap, sb, user = start("auth-dovecot")
PASSWD = sb.path("users")
DV = sb.path("dovecot")
DV_CONF = os.path.join(DV, "dovecot.conf")
DV_SOCK = os.path.join(DV, "auth-client")
SL_SOCK = sb.path("sluice-auth")

DOVECOT_CONF = """\
protocols =
base_dir = {dv}/run
state_dir = {dv}/state
log_path = {dv}/dovecot.log
ssl = no
auth_mechanisms = plain login cram-md5
auth_failure_delay = {delay}s
passdb {{
  driver = passwd-file
  args = {passwd}
}}
userdb {{
  driver = static
  args = uid=1000 gid=1000 home=/nonexistent
}}
service auth {{
  unix_listener {sock} {{
    mode = 0666
  }}
}}
service anvil {{
  chroot =
}}
"""


def stop_dovecot():
    subprocess.run([DOVECOT, "-c", DV_CONF, "stop"], stdin=subprocess.DEVNULL,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   timeout=30)
    pidfile = os.path.join(DV, "run", "master.pid")
    wait_for(lambda: not os.path.exists(pidfile), 10, 0.1)


def start_dovecot():
    os.makedirs(DV, 0o755)
    write_file(DV_CONF, DOVECOT_CONF.format(dv=DV, passwd=PASSWD,
                                            sock=DV_SOCK, delay=DELAY))
    sb.add_cleanup(stop_dovecot)
    errpath = os.path.join(DV, "start-stderr.txt")
    with open(errpath, "wb") as err:
        # the master goes into the background holding its output: a file
        r = subprocess.run([DOVECOT, "-c", DV_CONF], stdout=err, stderr=err,
                           stdin=subprocess.DEVNULL, timeout=30)
    ok = r.returncode == 0 and wait_for(lambda: os.path.exists(DV_SOCK), 10,
                                        0.05)
    with open(errpath, errors="replace") as f:
        tap.ok(ok, "a private Dovecot with only its auth service on %s" %
               DV_SOCK, f.read())
    return ok


def start_sluice():
    conf = sb.path("sluice.conf")
    write_conf(conf, {"passdb": "passwd-file:" + PASSWD,
                      "auth_listen": "unix:" + SL_SOCK,
                      "auth_pid_file": sb.path("sluice-auth.pid"),
                      "auth_mechanisms": "plain login cram-md5",
                      "auth_failure_delay": "%ds" % DELAY,
                      "log_path": sb.path("sluice-auth.log")})
    srv = AuthProcess(tap, sb, conf, SL_SOCK)
    ok = srv.start()
    tap.ok(ok, "sluice-auth with the same passwd-file on %s" % SL_SOCK,
           srv.stderr())
    return srv if ok else None


NP = "\tno-penalty"


def conversations():
    """(name, [lines to send, one reply read per line]) in order"""
    P = "AUTH\t%d\tPLAIN\tservice=smtp" + NP + "\tresp=%s"
    return [
        ("PLAIN {PLAIN} user", [P % (1, plain_resp("alice@example.test",
                                                  "alicepw"))]),
        ("PLAIN {SHA512-CRYPT} user", [P % (2, plain_resp(
            "bob@example.test", "bobpw"))]),
        ("PLAIN {CRAM-MD5} user", [P % (3, plain_resp(
            "carol@example.test", "carolpw"))]),
        ("PLAIN wrong password", [P % (4, plain_resp("alice@example.test",
                                                     "nope"))]),
        ("PLAIN unknown user", [P % (5, plain_resp("nobody@example.test",
                                                   "nope"))]),
        ("PLAIN without initial response, then CONT",
         ["AUTH\t6\tPLAIN\tservice=smtp" + NP,
          "CONT\t6\t" + plain_resp("alice@example.test", "alicepw")]),
        ("LOGIN in two steps", ["AUTH\t7\tLOGIN\tservice=smtp" + NP,
                                "CONT\t7\t" + b64(b"bob@example.test"),
                                "CONT\t7\t" + b64(b"bobpw")]),
        ("LOGIN, the name as initial response, wrong password",
         ["AUTH\t8\tLOGIN\tservice=smtp" + NP + "\tresp=" +
          b64(b"bob@example.test"), "CONT\t8\t" + b64(b"nope")]),
        ("bad base64 in the initial response",
         [P % (9, "AGFsaWNl!!")]),
        ("bad base64 in a CONT", ["AUTH\t10\tLOGIN\tservice=smtp" + NP,
                                  "CONT\t10\t%%%"]),
        ("CONT for no request", ["CONT\t99\tAA=="]),
        ("CANCEL, then CONT", ["AUTH\t11\tLOGIN\tservice=smtp" + NP,
                               "CANCEL\t11\nCONT\t11\tAA=="]),
        ("an authorization id other than the user",
         [P % (12, plain_resp("alice@example.test", "alicepw",
                              "bob@example.test"))]),
        ("PLAIN data with one NUL",
         [P % (13, b64(b"alice@example.test\0alicepw"))]),
        ("an empty initial response", [P % (14, "")]),
        ("a name outside auth_username_chars",
         [P % (15, plain_resp("al ice@example.test", "alicepw"))]),
        ("a password with a TAB",
         [P % (16, plain_resp("alice@example.test", "a\tb"))]),
        ("a name in upper case", [P % (17, plain_resp("ALICE@Example.TEST",
                                                      "alicepw"))]),
        ("a parameter given twice, unknown ones",
         ["AUTH\t18\tPLAIN\tservice=imap\tservice=smtp\tlport=25\tfoo\t"
          "rip=192.0.2.1\tlip=192.0.2.2\tsecured" + NP + "\tresp=" +
          plain_resp("alice@example.test", "alicepw")]),
    ]


def talk(path):
    """the normalized reply lines of every conversation, and seconds the
    failures took: ({name: [replies]}, greeting)"""
    c = AuthConn(path)
    greeting = [re.sub(r"^(SPID|CUID|COOKIE)\t.*", r"\1\tX", l)
                for l in c.greeting]
    out = {}
    for name, lines in conversations():
        replies = []
        for line in lines:
            replies.append(c.request(line, timeout=10)[0])
        out[name] = replies
    # CRAM-MD5: each server's own challenge
    for i, u in enumerate(sorted(PASSWORDS) + ["nobody@example.test"]):
        rid = 30 + i
        r, _ = c.request("AUTH\t%d\tCRAM-MD5\tservice=smtp%s" % (rid, NP))
        chal = base64.b64decode(r.split("\t")[2]) \
            if r and r.startswith("CONT\t%d\t" % rid) else b""
        shape = bool(re.match(rb"<\d+\.\d+@[^>]+>$", chal))
        digest = hmac.new(PASSWORDS.get(u, b"x"), chal, "md5").hexdigest()
        r2, _ = c.request("CONT\t%d\t%s" % (rid, b64(("%s %s" % (
            u, digest)).encode())))
        out["CRAM-MD5 " + u] = [shape, r2]
    # timing: nodelay at once, a plain failure after the delay
    t = {}
    for rid, u in ((40, "fast@example.test"), (41, "alice@example.test")):
        r, secs = c.plain(rid, u, "wrong", NP)
        t[u] = (r, secs)
    c.close()
    return out, greeting, t


def main():
    write_file(PASSWD, USERS, mode=0o644)
    if not start_dovecot():
        return
    srv = start_sluice()
    if srv is None:
        return
    # both at once: each waits out its own failure delays
    import threading
    res = {}
    th = [threading.Thread(target=lambda p=p: res.__setitem__(p, talk(p)))
          for p in (DV_SOCK, SL_SOCK)]
    for t in th:
        t.start()
    for t in th:
        t.join()
    if len(res) != 2:
        tap.bail("a conversation failed")
    dv, dv_greet, dv_t = res[DV_SOCK]
    sl, sl_greet, sl_t = res[SL_SOCK]
    tap.is_eq(sl_greet, dv_greet, "the handshake: the same lines (SPID, "
              "CUID, COOKIE values aside)")
    for name in dv:
        tap.is_eq(sl[name], dv[name], "%s: the same replies" % name)
    r_dv, s_dv = dv_t["fast@example.test"]
    r_sl, s_sl = sl_t["fast@example.test"]
    # a passwd-file's extra fields come with the right password only
    tap.ok(r_dv == r_sl and s_dv >= DELAY - 0.55 and s_sl >= DELAY - 0.05,
           "nodelay with a wrong password: the same FAIL, after the delay in "
           "both (Dovecot %.2fs, sluice %.2fs)" % (s_dv, s_sl),
           "%r %r" % (r_dv, r_sl))
    r_dv, s_dv = dv_t["alice@example.test"]
    r_sl, s_sl = sl_t["alice@example.test"]
    # Dovecot flushes delayed failures every 0.5 s: 0.5 to 1.5 s
    tap.ok(r_dv == r_sl and s_dv >= DELAY - 0.55 and s_sl >= DELAY - 0.05,
           "a failure: the same FAIL after the delay (Dovecot %.2fs, "
           "sluice %.2fs)" % (s_dv, s_sl), "%r %r" % (r_dv, r_sl))
    # the documented differences
    replies = {}
    for label, path in (("dovecot", DV_SOCK), ("sluice", SL_SOCK)):
        c = AuthConn(path)
        r1, _ = c.request("AUTH\t1\tPLAIN\tservice=smtp%s\tresp=%s" % (
            NP, plain_resp("dora@example.test", "dorapw")))
        r2, _ = c.request("AUTH\t2\tDIGEST-MD5\tservice=smtp" + NP,
                          timeout=5)
        replies[label] = (r1, r2, r2 is None or c.closed(2))
        c.close()
    tap.is_eq(replies["dovecot"][0], "OK\t1\tuser=dora@example.test\tnologin"
              "\treason=Suspended", "nologin: Dovecot answers OK with the "
              "field (its login processes refuse)")
    tap.is_eq(replies["sluice"][0], "FAIL\t1\tuser=dora@example.test\t"
              "reason=Suspended", "nologin: sluice-auth refuses (Postfix "
              "would let an OK in)")
    tap.ok(replies["dovecot"][1] is None and replies["dovecot"][2],
           "an unknown mechanism: Dovecot disconnects",
           repr(replies["dovecot"]))
    tap.ok(replies["sluice"][1] == "FAIL\t2\treason=Unsupported "
           "authentication mechanism",
           "an unknown mechanism: sluice-auth answers FAIL",
           repr(replies["sluice"]))
    code, _ = srv.stop()
    tap.ok(code == 0 and not srv.group_alive(), "sluice-auth stopped")
    stop_dovecot()


main()
sys.exit(tap.done())
