#!/usr/bin/env python3
"""auth.t - sluice-auth in Dovecot's auth client protocol, by a raw
socket client.

A private sluice-auth (-F, two workers) on a UNIX socket in the temp dir,
its passdb a passwd-file with a {PLAIN}, an {SHA512-CRYPT}, a {CRAM-MD5}
and an {SSHA256} user (hashes made by `doveadm pw`), mechanisms PLAIN,
LOGIN and CRAM-MD5, a failure delay of 1 s, 3 failures per remote IP per
minute. Checks: the handshake (VERSION 1 2, MECH lines before SPID, CUID,
COOKIE, DONE; SPID a worker's pid); PLAIN with and without an initial
response, every stored scheme, LOGIN's two steps, CRAM-MD5; a wrong
password and an unknown user get the same FAIL, after the delay, while
another connection on the same worker is answered at once; bad base64 and
an unknown mechanism get FAIL at once; protocol errors disconnect;
connections are spread evenly over the workers; the per-IP block holds
across workers and spares other addresses; no password, plain or in
base64, reaches the log, which has one result line per request; SIGHUP
to a passdb that is gone gives FAIL temp on new connections (old ones
keep the old settings), and to auth_disable_plaintext_auth refuses PLAIN
without TLS unless the address is local; a killed worker is replaced; a
second server on the same pid file refuses to start; auth_user and
auth_unix_user (as root); SIGTERM stops everything and removes the socket
and the pid file.
"""
import os
import re
import signal
import stat
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "lib"))
from sluicetest import (is_root, log_fields, proc_status, start,  # noqa: E402
                        wait_for, write_conf, write_file)
from sluiceauth import AuthConn, AuthProcess, b64, plain_resp  # noqa: E402

DELAY = 1.0
USERS = {
    "alice@example.test": ("{PLAIN}alicepw", "alicepw"),
    "bob@example.test": ("{SHA512-CRYPT}$6$3ez666j576mQyddM$kgcPuPTX2O.PLv7P6x"
                         "dNnIH32JvzA1r2f6lmyqx4Ku/KyjSG281YJWVq7X6BQU42AS2mpI"
                         "itR9V6Pl/xdmffB1", "bobpw"),
    "carol@example.test": ("{CRAM-MD5}cc9276ab169739c89105c8f3c503b859257094"
                           "106c7cef59bcc659d5096fab63", "carolpw"),
    "dave@example.test": ("{SSHA256}x1RPYU+mfMMAf5n+fi7WSFvhRiviCM6oBy5AD0xWd"
                          "sIywpyU", "davepw"),
}
WRONG = "Wr0ngPassw0rd"

tap, sb, user = start("auth")
SOCK = sb.path("auth.sock")
PIDFILE = sb.path("auth.pid")
LOG = sb.path("auth.log")
PASSWD = sb.path("passwd")
CONF = sb.path("sluice.conf")
sent_secrets = set()


def settings(**extra):
    s = {"passdb": "passwd-file:" + PASSWD,
         "auth_listen": "unix:" + SOCK,
         "auth_pid_file": PIDFILE,
         "auth_workers": "2",
         "auth_mechanisms": "plain login cram-md5",
         "auth_failure_delay": "%ds" % DELAY,
         "auth_max_failures": "3",
         "auth_block_time": "1m",
         "log_path": LOG}
    s.update(extra)
    return s


def log_lines():
    try:
        with open(LOG, errors="replace") as f:
            return f.read().splitlines()
    except OSError:
        return []


def plain(c, rid, u, pw, extra=""):
    sent_secrets.add(pw)
    sent_secrets.add(plain_resp(u, pw))
    return c.plain(rid, u, pw, extra)


def check_handshake(srv):
    c = AuthConn(SOCK)
    g = c.greeting
    want = re.compile(r"VERSION\t1\t2\nMECH\tPLAIN\tplaintext\n"
                      r"MECH\tLOGIN\tplaintext\n"
                      r"MECH\tCRAM-MD5\tdictionary\tactive\n"
                      r"SPID\t\d+\nCUID\t\d+\nCOOKIE\t[0-9a-f]{32}\nDONE$")
    tap.ok(want.match("\n".join(g)), "handshake: VERSION 1 2, MECH PLAIN, "
           "LOGIN, CRAM-MD5 (with Dovecot's flags) before SPID, CUID, COOKIE,"
           " DONE", "\n".join(g))
    tap.ok(c.spid in srv.workers(), "SPID is one of the workers (%s)" %
           c.spid, "workers %r" % srv.workers())
    c2 = AuthConn(SOCK)
    cuid = [l for l in g if l.startswith("COOKIE")] != \
        [l for l in c2.greeting if l.startswith("COOKIE")]
    tap.ok(cuid, "each connection gets its own COOKIE")
    c2.close()
    return c


def check_plain(c):
    for i, (u, (_, pw)) in enumerate(sorted(USERS.items())):
        r, _ = plain(c, 10 + i, u, pw)
        tap.is_eq(r, "OK\t%d\tuser=%s" % (10 + i, u),
                  "PLAIN with initial response: %s (%s)" % (
                      u, USERS[u][0].split("}")[0] + "}"))
    r, _ = c.request("AUTH\t20\tPLAIN\tservice=smtp\tnologin\trip=192.0.2.1"
                     "\tlip=192.0.2.2")
    tap.is_eq(r, "CONT\t20\t", "PLAIN without initial response (as Postfix "
              "sends it): an empty CONT")
    resp = plain_resp("alice@example.test", "alicepw")
    r, _ = c.request("CONT\t20\t" + resp)
    tap.is_eq(r, "OK\t20\tuser=alice@example.test", "its CONT: OK")
    r, _ = plain(c, 21, "ALICE@Example.TEST", "alicepw")
    tap.is_eq(r, "OK\t21\tuser=alice@example.test\toriginal_user="
              "ALICE@Example.TEST", "the name is lowercased; OK gives the "
              "passdb's name and, as Dovecot, original_user=")


def check_failures(c, srv):
    r, secs = plain(c, 30, "alice@example.test", WRONG)
    tap.ok(r == "FAIL\t30\tuser=alice@example.test" and
           DELAY - 0.05 <= secs < DELAY + 0.8,
           "wrong password: FAIL user= after the failure delay (%.2fs)" %
           secs, repr(r))
    r, secs = plain(c, 31, "nobody@example.test", WRONG)
    tap.ok(r == "FAIL\t31\tuser=nobody@example.test" and
           DELAY - 0.05 <= secs < DELAY + 0.8,
           "unknown user: the same FAIL, the same delay (%.2fs)" % secs,
           repr(r))
    # the delay holds up nobody else on the same worker
    same = None
    others = []
    for _ in range(6):
        d = AuthConn(SOCK)
        if d.spid == c.spid:
            same = d
            break
        others.append(d)
    tap.ok(same is not None, "a second connection on the same worker "
           "(SPID %d)" % c.spid)
    if same is not None:
        t0 = time.monotonic()
        c.send("AUTH\t32\tPLAIN\tservice=smtp\tresp=" +
               plain_resp("alice@example.test", WRONG))
        r2, secs2 = plain(same, 1, "alice@example.test", "alicepw")
        r1 = c.readline()
        secs1 = time.monotonic() - t0
        tap.ok(r2 == "OK\t1\tuser=alice@example.test" and secs2 < 0.5 and
               r1 == "FAIL\t32\tuser=alice@example.test" and
               secs1 >= DELAY - 0.05,
               "while one FAIL waits its %.1fs, the same worker answers "
               "another client at once (%.3fs)" % (secs1, secs2),
               "%r %r" % (r1, r2))
        same.close()
    for d in others:
        d.close()
    r, secs = c.request("AUTH\t33\tPLAIN\tservice=smtp\tresp=AGFsaWNl!!")
    tap.ok(r == "FAIL\t33\tcode=invalid_base64\treason=Invalid base64 data "
           "in initial response" and secs < 0.5,
           "bad base64: FAIL code=invalid_base64 at once", repr(r))
    r, secs = c.request("AUTH\t34\tDIGEST-MD5\tservice=smtp")
    tap.ok(r == "FAIL\t34\treason=Unsupported authentication mechanism" and
           secs < 0.5, "unknown mechanism: FAIL at once", repr(r))
    r, secs = c.request("AUTH\t35\tPLAIN\tservice=smtp\tresp=" +
                        b64(b"alice@example.test\0alicepw"))
    tap.ok(r == "FAIL\t35" and secs >= DELAY - 0.05,
           "PLAIN data without two NULs: FAIL after the delay", repr(r))
    r, _ = c.request("CONT\t99\tAA==")
    tap.is_eq(r, "FAIL\t99\treason=Authentication request timed out",
              "CONT for no request: FAIL timed out")


def check_login_cram(c):
    r, _ = c.request("AUTH\t40\tLOGIN\tservice=smtp")
    tap.is_eq(r, "CONT\t40\tVXNlcm5hbWU6", "LOGIN: CONT Username:")
    r, _ = c.request("CONT\t40\t" + b64(b"bob@example.test"))
    tap.is_eq(r, "CONT\t40\tUGFzc3dvcmQ6", "LOGIN: CONT Password:")
    sent_secrets.update(("bobpw", b64(b"bobpw")))
    r, _ = c.request("CONT\t40\t" + b64(b"bobpw"))
    tap.is_eq(r, "OK\t40\tuser=bob@example.test", "LOGIN: OK")
    r, _ = c.request("AUTH\t41\tLOGIN\tservice=smtp\tresp=" +
                     b64(b"bob@example.test"))
    sent_secrets.update((WRONG, b64(WRONG.encode())))
    r, secs = c.request("CONT\t41\t" + b64(WRONG.encode()))
    tap.ok(r == "FAIL\t41\tuser=bob@example.test" and secs >= DELAY - 0.05,
           "LOGIN (name as initial response) wrong password: FAIL after "
           "the delay", repr(r))
    import hmac
    for i, (u, ok) in enumerate((("carol@example.test", True),
                                 ("alice@example.test", True),
                                 ("bob@example.test", False))):
        rid = 42 + i
        r, _ = c.request("AUTH\t%d\tCRAM-MD5\tservice=smtp" % rid)
        chal = __import__("base64").b64decode(r.split("\t")[2]) \
            if r and r.startswith("CONT\t%d\t" % rid) else b""
        pw = {"carol@example.test": b"carolpw",
              "alice@example.test": b"alicepw",
              "bob@example.test": b"bobpw"}[u]
        digest = hmac.new(pw, chal, "md5").hexdigest()
        r, _ = c.request("CONT\t%d\t%s" % (rid, b64(("%s %s" % (
            u, digest)).encode())))
        want = ("OK\t%d\tuser=%s" if ok else "FAIL\t%d\tuser=%s") % (rid, u)
        tap.ok(re.match(rb"<\d+\.\d+@[^>]+>$", chal) and r == want,
               "CRAM-MD5 for %s (%s): %s" % (u, USERS[u][0].split("}")[0] +
                                            "}", want.split("\t")[0]),
               "challenge %r reply %r" % (chal, r))


def check_bugs():
    for line, what in (("HELLO", "an unknown command"),
                       ("AUTH\t1\tPLAIN", "AUTH without service="),
                       ("AUTH\t0\tPLAIN\tservice=smtp", "AUTH id 0")):
        c = AuthConn(SOCK)
        c.send(line)
        tap.ok(c.closed(), "%s: disconnected" % what)
        c.close()
    c = AuthConn(SOCK, handshake=False)
    c.read_handshake()
    c.send("VERSION\t2\t0")
    tap.ok(c.closed(), "client VERSION 2: disconnected")
    c.close()
    c = AuthConn(SOCK)
    c.s.sendall(b"A" * 17000)
    tap.ok(c.closed(), "a line over 16384 bytes: disconnected")
    c.close()


def check_spread(srv):
    conns = [AuthConn(SOCK) for _ in range(10)]
    per = {}
    for c in conns:
        per[c.spid] = per.get(c.spid, 0) + 1
    counts = sorted(per.values())
    tap.ok(len(per) == 2 and counts[1] - counts[0] <= 2,
           "10 connections spread over the 2 workers (%r)" % per)
    for c in conns:
        c.close()


def check_penalty():
    a, b = None, None
    for _ in range(6):
        x = AuthConn(SOCK)
        if a is None:
            a = x
        elif x.spid != a.spid:
            b = x
            break
    ip = "192.0.2.77"
    for i in range(3):
        a.send("AUTH\t%d\tPLAIN\tservice=smtp\trip=%s\tresp=%s" % (
            i + 1, ip, plain_resp("alice@example.test", WRONG)))
    fails = [a.readline() for _ in range(3)]
    tap.ok(all(f and f.startswith("FAIL\t") for f in fails),
           "3 wrong passwords from %s" % ip, repr(fails))
    r, _ = plain(b, 1, "alice@example.test", "alicepw", "\trip=" + ip)
    tap.is_eq(r, "FAIL\t1\tuser=alice@example.test\treason=Too many failed "
              "authentications from your address, try again later",
              "then the right password from %s on the other worker: "
              "blocked" % ip)
    r, _ = plain(b, 2, "alice@example.test", "alicepw", "\trip=192.0.2.78")
    tap.is_eq(r, "OK\t2\tuser=alice@example.test",
              "another address is not blocked")
    blocked = [l for l in log_lines() if "rip=192.0.2.77 blocked" in l]
    tap.ok(len(blocked) == 1, "the block is logged once", "\n".join(blocked))
    a.close()
    b.close()


def check_log():
    lines = log_lines()
    leaks = sorted({s for s in sent_secrets for l in lines if s in l})
    tap.ok(not leaks and len(sent_secrets) > 10, "no password, plain or "
           "base64, in the log (%d secrets looked for)" % len(sent_secrets),
           repr(leaks))
    res = [log_fields(l) for l in lines if " result=" in l]
    ok_alice = [f for f in res if f.get("user") == "alice@example.test" and
                f.get("result") == "ok" and f.get("mech") == "PLAIN" and
                f.get("service") == "smtp"]
    fail = [f for f in res if f.get("user") == "alice@example.test" and
            f.get("result") == "fail" and f.get("reason") ==
            "password mismatch"]
    nouser = [f for f in res if f.get("user") == "nobody@example.test" and
              f.get("reason") == "unknown user"]
    withrip = [f for f in res if f.get("rip") == "192.0.2.78" and
               f.get("result") == "ok"]
    tap.ok(ok_alice and fail and nouser and withrip,
           "log lines: user=, mech=, service=, rip=, result=ok/fail, "
           "reason= (password mismatch, unknown user)",
           "\n".join(lines[-20:]))


def reload(srv, **extra):
    write_conf(CONF, settings(**extra))
    n = len(log_lines())
    srv.proc.send_signal(signal.SIGHUP)
    return wait_for(lambda: any("configuration reloaded" in l
                                for l in log_lines()[n:]), 10, 0.05)


def check_reload(srv):
    old = AuthConn(SOCK)
    old_workers = set(srv.workers())
    ok = reload(srv, passdb="passwd-file:" + sb.path("missing"))
    tap.ok(ok, "SIGHUP: configuration reloaded")
    c = AuthConn(SOCK)
    tap.ok(c.spid not in old_workers, "a new connection goes to a new worker")
    r, _ = plain(c, 1, "alice@example.test", "alicepw")
    tap.is_eq(r, "FAIL\t1\tuser=alice@example.test\tcode=temp_fail\ttemp\t"
              "reason=Temporary authentication failure, try again later",
              "passdb file gone: FAIL code=temp_fail temp")
    r, _ = plain(old, 1, "alice@example.test", "alicepw")
    tap.is_eq(r, "OK\t1\tuser=alice@example.test",
              "a connection from before the reload keeps its settings")
    c.close()
    old.close()
    tap.ok(reload(srv, auth_disable_plaintext_auth="yes"),
           "SIGHUP: auth_disable_plaintext_auth = yes")
    c = AuthConn(SOCK)
    r, secs = plain(c, 2, "alice@example.test", "alicepw",
                    "\trip=192.0.2.5\tlip=192.0.2.6")
    tap.ok(r == "FAIL\t2\tcode=auth_mech_ssl_required\treason=Plaintext "
           "authentication disallowed on non-secure (SSL/TLS) connections."
           and secs < 0.5, "PLAIN without TLS: refused at once", repr(r))
    for rid, extra, what in ((3, "\trip=192.0.2.5\tlip=192.0.2.6\tsecured",
                              "secured"),
                             (4, "\trip=127.0.0.1\tlip=127.0.0.1", "loopback"),
                             (5, "\trip=192.0.2.6\tlip=192.0.2.6",
                              "rip = lip")):
        r, _ = plain(c, rid, "alice@example.test", "alicepw", extra)
        tap.is_eq(r, "OK\t%d\tuser=alice@example.test" % rid,
                  "PLAIN %s: OK" % what)
    c.close()
    tap.ok(reload(srv), "SIGHUP: back to the first settings")
    tap.ok(wait_for(lambda: len(srv.workers()) == 2, 60, 0.2),
           "the old workers leave once their clients are gone",
           repr(srv.workers()))
    # a retire signal that reaches a worker before it has set its
    # handlers must not be lost: SIGHUPs in quick succession
    n = len(log_lines())
    for _ in range(30):
        srv.proc.send_signal(signal.SIGHUP)
        time.sleep(0.005)
    done = wait_for(lambda: sum("configuration reloaded" in l
                                for l in log_lines()[n:]) >= 1 and
                    len(srv.workers()) == 2, 20, 0.1)
    tap.ok(done, "30 SIGHUPs 5 ms apart: every retired worker leaves, two "
           "remain", repr(srv.workers()))


def check_respawn(srv):
    victim = srv.workers()[0]
    os.kill(victim, signal.SIGKILL)
    ok = wait_for(lambda: len(srv.workers()) == 2 and
                  victim not in srv.workers(), 10, 0.1)
    c = AuthConn(SOCK)
    r, _ = plain(c, 1, "dave@example.test", "davepw")
    tap.ok(ok and r == "OK\t1\tuser=dave@example.test",
           "a killed worker is replaced; authentication goes on",
           repr(srv.workers()))
    c.close()


def check_second():
    import subprocess
    r = subprocess.run([os.path.join(os.environ.get("SLUICE_BUILDDIR", "."),
                                     "sluice-auth"), "-F", "-c", CONF,
                        "-o", "auth_listen=unix:" + sb.path("other.sock")],
                       capture_output=True, text=True, timeout=20)
    tap.ok(r.returncode == 75 and "already running" in r.stderr and
           not os.path.exists(sb.path("other.sock")),
           "a second sluice-auth with the same pid file exits 75",
           "exit %d: %s" % (r.returncode, r.stderr))


def check_privileges():
    if not is_root():
        tap.skip("not root: auth_user and auth_unix_user", 3)
        return
    sock2 = sb.path("priv.sock")
    conf2 = sb.path("priv.conf")
    write_conf(conf2, settings(auth_listen="unix:" + sock2,
                               auth_pid_file=sb.path("priv.pid"),
                               auth_user=user.name,
                               auth_unix_user=user.name,
                               auth_unix_mode="0600",
                               log_path=sb.path("priv.log")))
    srv = AuthProcess(tap, sb, conf2, sock2)
    ok = srv.start()
    st = os.stat(sock2) if ok else None
    tap.ok(ok and st.st_uid == user.uid and stat.S_IMODE(st.st_mode) == 0o600,
           "auth_unix_user %s, auth_unix_mode 0600 on the socket" %
           user.name, srv.stderr())
    # A worker is forked as root and drops to auth_user at once; allow
    # a fresh one that moment before judging.
    deadline = time.monotonic() + 5
    while True:
        uids = [proc_status(p).get("Uid", "").split()
                for p in srv.workers()]
        dropped = uids and all(u and int(u[0]) == user.uid and
                               int(u[1]) == user.uid for u in uids)
        if dropped or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    tap.ok(dropped,
           "auth_user: the workers run as %s" % user.name, repr(uids))
    c = AuthConn(sock2)
    r, _ = plain(c, 1, "alice@example.test", "alicepw")
    tap.is_eq(r, "OK\t1\tuser=alice@example.test",
              "and read the passdb as that user")
    c.close()
    srv.stop()


def main():
    lines = "".join("%s:%s:1000:1000::/nonexistent::\n" % (u, h)
                    for u, (h, _) in sorted(USERS.items()))
    write_file(PASSWD, lines, mode=0o644)
    write_conf(CONF, settings())
    srv = AuthProcess(tap, sb, CONF, SOCK)
    if not tap.ok(srv.start(), "sluice-auth -F started on %s" % SOCK,
                  srv.stderr()):
        return
    st = os.stat(SOCK)
    with open(PIDFILE) as f:
        pid = f.read().strip()
    tap.ok(stat.S_ISSOCK(st.st_mode) and stat.S_IMODE(st.st_mode) == 0o660 and
           pid == str(srv.pid) and len(srv.workers()) == 2,
           "socket mode 0660, pid file holds the master, 2 workers")
    c = check_handshake(srv)
    check_plain(c)
    check_failures(c, srv)
    check_login_cram(c)
    c.close()
    check_bugs()
    check_spread(srv)
    check_penalty()
    check_log()
    check_reload(srv)
    check_respawn(srv)
    check_second()
    check_privileges()
    code, secs = srv.stop(timeout=10)
    tap.ok(code == 0 and secs < 6 and not srv.group_alive() and
           not os.path.exists(SOCK) and not os.path.exists(PIDFILE),
           "SIGTERM: exit 0 in %.1fs, no process left, socket and pid file "
           "removed" % secs, "exit %r\n%s" % (code, srv.stderr()))
    bad = [l for l in log_lines() if "error" in l.lower() and
           "already running" not in l]
    tap.is_eq(bad, [], "no errors logged (but the second server's)")


main()
sys.exit(tap.done())
