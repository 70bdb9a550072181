#!/usr/bin/env python3
"""auth-postfix.t - sluice-auth as the SASL server of a real Postfix.

A private Postfix instance (postfix -c DIR start, its own queue and data
directories in the temp dir, SMTP on 127.0.0.1:PORT only, every service
unchrooted, every destination the discard transport; the test stops
at RCPT, so nothing is even queued) with

  smtpd_sasl_auth_enable = yes
  smtpd_sasl_type = dovecot
  smtpd_sasl_path = private/auth          (phase 1, as most sites have it)
  smtpd_relay_restrictions = permit_sasl_authenticated, reject_unauth_destination

and mynetworks holding no local address, so relaying needs SMTP AUTH. A
private sluice-auth listens on two sockets: QUEUE/private/auth (owner
and group postfix, mode 0660, the way Dovecot's is usually set up) and
an absolute path elsewhere, which phase 2 switches Postfix to (postconf
-e; postfix reload). Its passdb is a passwd-file with a {PLAIN}, an
{SHA512-CRYPT} and a {CRAM-MD5} user; mechanisms PLAIN, LOGIN and
CRAM-MD5; a 1 s failure delay; 5 failures per remote IP per minute.
Phase 3 moves the passdb to SQL (a postfixadmin-style mailbox table in
SQLite, dovecot-sql.conf.ext's password_query; SIGHUP, postfix reload).

Checks, with swaks: Postfix advertises AUTH PLAIN LOGIN CRAM-MD5 (the
MECH lines it read); --auth PLAIN, --auth LOGIN and --auth CRAM-MD5 with
the right password get 235 for each user whose stored scheme allows the
mechanism (phase 3: the database's passwords, the passwd-file's no
longer); relaying to another domain is allowed after AUTH and denied
without; a wrong password, an unknown user and CRAM-MD5 for a crypt hash
get 535 after the failure delay; after the 5th failure from 127.0.0.1
even the right password gets 535 with sluice-auth's reason. Postfix's
log shows the SASL failures and no warning about the auth server; the
sluice log has a result line (rip=127.0.0.1, service=smtp) per attempt
and no password.

Needs root (Postfix's master runs as root), Debian's postfix package and
swaks.
"""
import os
import pwd
import re
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "lib"))
from sluicetest import (Tap, free_port, is_root, log_fields,  # noqa: E402
                        make_dirs, start, wait_for, write_conf, write_file)
from sluiceauth import AuthProcess  # noqa: E402

DELAY = 1.0
USERS = {
    "alice@example.test": ("{PLAIN}alice-Pw1", "alice-Pw1"),
    "bob@example.test": ("{SHA512-CRYPT}$6$3ez666j576mQyddM$kgcPuPTX2O.PLv7P6x"
                         "dNnIH32JvzA1r2f6lmyqx4Ku/KyjSG281YJWVq7X6BQU42AS2mpI"
                         "itR9V6Pl/xdmffB1", "bobpw"),
    "carol@example.test": ("{CRAM-MD5}cc9276ab169739c89105c8f3c503b859257094"
                           "106c7cef59bcc659d5096fab63", "carolpw"),
}
WRONG = "not-the-Passw0rd"

PATHS = "/usr/sbin:/usr/bin:/sbin:/bin"
if not is_root():
    Tap().skip_all("not root: Postfix's master must be started as root")
if shutil.which("postfix", path=PATHS) is None:
    Tap().skip_all("Postfix is not installed (Debian package postfix)")
if shutil.which("swaks", path=PATHS) is None:
    Tap().skip_all("swaks is not installed (Debian package swaks)")
try:
    pwd.getpwnam("postfix")
except KeyError:
    Tap().skip_all("no postfix user (Debian package postfix not set up)")

tap, sb, user = start("auth-postfix")
POSTFIX = shutil.which("postfix", path=PATHS)
POSTCONF = shutil.which("postconf", path=PATHS)
SWAKS = shutil.which("swaks", path=PATHS)
PF = sb.path("postfix")
PF_ETC = os.path.join(PF, "etc")
MAILLOG = os.path.join(PF, "maillog")
PRIVATE_SOCK = os.path.join(PF, "queue", "private", "auth")
SL = sb.path("sluice")
SL_LOG = os.path.join(SL, "auth.log")
ABS_SOCK = os.path.join(SL, "auth.sock")

MAIN_CF = """\
# a private Postfix for sluice's auth-postfix.t: 127.0.0.1 only
compatibility_level = 3.6
queue_directory = {pf}/queue
data_directory = {pf}/data
mail_owner = postfix
setgid_group = postdrop
myhostname = sluice-test.example.invalid
mydomain = example.invalid
myorigin = $myhostname
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 192.0.2.255/32
relayhost =
default_transport = discard:nothing leaves this test
relay_transport = discard:nothing leaves this test
local_transport = error:no local delivery in this test
alias_maps =
alias_database =
local_recipient_maps =
smtpd_peername_lookup = no
smtpd_banner = $myhostname ESMTP
smtpd_sasl_auth_enable = yes
smtpd_sasl_type = dovecot
smtpd_sasl_path = private/auth
smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated,
    reject_unauth_destination
smtpd_client_auth_rate_limit = 0
biff = no
notify_classes =
maillog_file = {pf}/maillog
maillog_file_prefixes = {pf}
"""

MASTER_CF = """\
# service type  private unpriv  chroot  wakeup  maxproc command
127.0.0.1:{port} inet n - n - - smtpd
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
proxymap  unix  -       -       n       -       -       proxymap
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
"""


def postfix_cmd(*args):
    return subprocess.run([POSTFIX, "-c", PF_ETC] + list(args),
                          capture_output=True, text=True, timeout=60)


def our_postfix_pids():
    """processes of this instance: they carry MAIL_CONFIG=PF_ETC"""
    mark = ("MAIL_CONFIG=" + PF_ETC).encode()
    pids = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            with open("/proc/%s/environ" % pid, "rb") as f:
                if mark in f.read().split(b"\0"):
                    pids.append(int(pid))
        except OSError:
            pass
    return pids


def stop_postfix():
    """postfix stop, then SIGKILL whatever of ours is left; returns the
    pids that had to be killed"""
    if not os.path.exists(os.path.join(PF_ETC, "main.cf")):
        return []
    postfix_cmd("stop")
    wait_for(lambda: not our_postfix_pids(), 15, 0.2)
    left = our_postfix_pids()
    for pid in left:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    return left


def maillog():
    try:
        with open(MAILLOG, errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def sluice_log():
    try:
        with open(SL_LOG, errors="replace") as f:
            return f.read().splitlines()
    except OSError:
        return []


def smtp_up(port):
    import socket
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
            return s.recv(200).startswith(b"220")
    except OSError:
        return False


def prepare_postfix(port):
    """the instance's directories and files; its private/ made here (as
    postfix 0700, what `postfix start` would make) so that sluice-auth's
    socket is there before smtpd first looks for it"""
    os.makedirs(PF_ETC)
    os.chmod(PF, 0o755)
    os.makedirs(os.path.join(PF, "queue"), 0o755)
    os.makedirs(os.path.join(PF, "data"), 0o700)
    pf = pwd.getpwnam("postfix")
    os.chown(os.path.join(PF, "data"), pf.pw_uid, pf.pw_gid)
    private = os.path.dirname(PRIVATE_SOCK)
    os.makedirs(private, 0o700)
    os.chown(private, pf.pw_uid, pf.pw_gid)
    write_file(os.path.join(PF_ETC, "main.cf"), MAIN_CF.format(pf=PF))
    write_file(os.path.join(PF_ETC, "master.cf"), MASTER_CF.format(port=port))


def start_postfix(port):
    sb.add_cleanup(stop_postfix)
    r = postfix_cmd("start")
    ok = r.returncode == 0 and wait_for(lambda: smtp_up(port), 20, 0.2)
    tap.ok(ok, "private Postfix started, SMTP on 127.0.0.1:%d, "
           "smtpd_sasl_type = dovecot, smtpd_sasl_path = private/auth" % port,
           "postfix start: exit %d\n%s%s\n%s" % (
               r.returncode, r.stdout, r.stderr, maillog()))
    return ok


def start_auth():
    make_dirs(SL, user, 0o755)
    passwd = os.path.join(SL, "passwd")
    write_file(passwd, "".join("%s:%s:1000:1000::/nonexistent::\n" % (u, h)
                               for u, (h, _) in sorted(USERS.items())),
               mode=0o600)
    conf = os.path.join(SL, "sluice.conf")
    write_conf(conf, {"passdb": "passwd-file:" + passwd,
                      "auth_listen": "unix:%s, unix:%s" % (PRIVATE_SOCK,
                                                           ABS_SOCK),
                      "auth_unix_user": "postfix",
                      "auth_unix_group": "postfix",
                      "auth_unix_mode": "0660",
                      "auth_pid_file": os.path.join(SL, "auth.pid"),
                      "auth_mechanisms": "plain login cram-md5",
                      "auth_failure_delay": "%ds" % DELAY,
                      "auth_max_failures": "5",
                      "auth_block_time": "2m",
                      "log_path": SL_LOG})
    srv = AuthProcess(tap, sb, conf, ABS_SOCK)
    ok = srv.start()
    st = os.stat(PRIVATE_SOCK) if ok else None
    pf = pwd.getpwnam("postfix")
    tap.ok(ok and st.st_uid == pf.pw_uid and st.st_gid == pf.pw_gid and
           st.st_mode & 0o777 == 0o660,
           "sluice-auth started on %s (postfix:postfix 0660) and %s" % (
               PRIVATE_SOCK, ABS_SOCK), srv.stderr())
    return srv if ok else None


def swaks(port, auth=None, u=None, pw=None, quit_after="AUTH",
          to="someone@example.net"):
    """(exit code, transcript, seconds)"""
    argv = [SWAKS, "--server", "127.0.0.1", "--port", str(port),
            "--ehlo", "client.example.test", "--from", "sender@example.test",
            "--to", to, "--quit-after", quit_after, "--timeout", "30"]
    if auth is not None:
        argv += ["--auth", auth, "--auth-user", u, "--auth-password", pw]
    t0 = time.monotonic()
    r = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    return r.returncode, r.stdout + r.stderr, time.monotonic() - t0


def last_reply(out, code):
    """the server's line starting with code (swaks prints '<~ ' or '<- ')"""
    for line in out.splitlines():
        m = re.match(r"\s*<[-~*]+\s+(%s.*)" % code, line)
        if m:
            return m.group(1)
    return None


def check_ehlo(port):
    code, out, _ = swaks(port, quit_after="EHLO")
    mechs = None
    for line in out.splitlines():
        m = re.search(r"250[ -]AUTH (.*)$", line)
        if m:
            mechs = m.group(1).split()
    tap.ok(code == 0 and mechs == ["PLAIN", "LOGIN", "CRAM-MD5"],
           "EHLO: Postfix advertises AUTH PLAIN LOGIN CRAM-MD5 from "
           "sluice-auth's MECH lines", out)


def check_success(port, phase):
    for mech in ("PLAIN", "LOGIN", "CRAM-MD5"):
        for u, (stored, pw) in sorted(USERS.items()):
            if mech == "CRAM-MD5" and "CRYPT" in stored:
                continue
            code, out, secs = swaks(port, mech, u, pw)
            ok_line = last_reply(out, "235")
            tap.ok(code == 0 and ok_line and "2.7.0" in ok_line,
                   "%s: --auth %s %s (%s) with the right password: 235 "
                   "(%.2fs)" % (phase, mech, u, stored.split("}")[0] + "}",
                                secs), out)
    code, out, _ = swaks(port, "PLAIN", "alice@example.test",
                         USERS["alice@example.test"][1], quit_after="RCPT")
    tap.ok(code == 0 and last_reply(out, "250 2.1.5"),
           "%s: after AUTH, relaying to example.net is allowed" % phase, out)
    code, out, _ = swaks(port, quit_after="RCPT")
    deny = last_reply(out, "554")
    tap.ok(code == 24 and deny and "Relay access denied" in deny,
           "%s: without AUTH it is denied (554 Relay access denied)" % phase,
           out)


def check_failures(port):
    cases = (("PLAIN", "alice@example.test", WRONG, "wrong password"),
             ("LOGIN", "bob@example.test", WRONG, "wrong password"),
             ("PLAIN", "nobody@example.test", "whatever", "unknown user"),
             ("CRAM-MD5", "bob@example.test", "bobpw",
              "CRAM-MD5 for a crypt hash"))
    for mech, u, pw, what in cases:
        code, out, secs = swaks(port, mech, u, pw)
        fail = last_reply(out, "535")
        tap.ok(code == 28 and fail and "5.7.8" in fail and
               secs >= DELAY - 0.05,
               "--auth %s %s, %s: 535 5.7.8 after the failure delay "
               "(%.2fs)" % (mech, u, what, secs), out)
    # the 5th failure from 127.0.0.1 blocks it
    code, out, _ = swaks(port, "PLAIN", "carol@example.test", WRONG)
    code, out, _ = swaks(port, "PLAIN", "alice@example.test",
                         USERS["alice@example.test"][1])
    fail = last_reply(out, "535")
    tap.ok(code == 28 and fail and "Too many failed authentications" in fail,
           "after 5 failures from 127.0.0.1 the right password gets 535 "
           "with sluice-auth's reason", out)


def postfix_pids_named(*names):
    out = []
    for pid in our_postfix_pids():
        try:
            with open("/proc/%d/comm" % pid) as f:
                if f.read().strip() in names:
                    out.append(pid)
        except OSError:
            pass
    return out


def switch_to_absolute():
    r = subprocess.run([POSTCONF, "-c", PF_ETC, "-e",
                        "smtpd_sasl_path = " + ABS_SOCK],
                       capture_output=True, text=True, timeout=30)
    old = postfix_pids_named("smtpd")
    r2 = postfix_cmd("reload")
    # the smtpd processes of the old configuration exit when idle
    gone = wait_for(lambda: not set(old) & set(postfix_pids_named("smtpd")),
                    30, 0.1)
    ok = r.returncode == 0 and r2.returncode == 0 and gone
    tap.ok(ok, "postconf -e smtpd_sasl_path = %s; postfix reload; the old "
           "smtpd processes have exited" % ABS_SOCK, r.stderr + r2.stderr)
    return ok


def unix_connections(path):
    """connected sockets of the UNIX socket path (/proc/net/unix lists
    the server ends of accepted connections under the listener's path)"""
    n = 0
    with open("/proc/net/unix") as f:
        for line in f:
            fields = line.split()
            if len(fields) >= 8 and fields[7] == path and fields[5] == "03":
                n += 1
    return n


SQL_USERS = {"alice@example.test": "{PLAIN}alice-sql-1",
             # no {SCHEME}: the conf's default_pass_scheme
             "bob@example.test": USERS["bob@example.test"][0].split("}")[1]}
SQL_PASSWORDS = {"alice@example.test": "alice-sql-1",
                 "bob@example.test": "bobpw"}


def have_sqlite():
    path = os.path.join(os.environ.get("SLUICE_BUILDDIR", "."),
                        "auto-config.h")
    try:
        with open(path) as f:
            return "#define HAVE_SQLITE3 1" in f.read()
    except OSError:
        return False


def check_sqlite(port, srv):
    """passdb = sql: a postfixadmin-style mailbox table in SQLite"""
    import sqlite3
    if not have_sqlite():
        tap.skip("sluice was built without SQLite", 6)
        return
    db_path = os.path.join(SL, "mail.db")
    db = sqlite3.connect(db_path)
    db.execute("CREATE TABLE mailbox (username TEXT PRIMARY KEY, password "
               "TEXT NOT NULL, active INTEGER NOT NULL DEFAULT 1)")
    db.executemany("INSERT INTO mailbox (username, password) VALUES (?, ?)",
                   sorted(SQL_USERS.items()))
    db.commit()
    db.close()
    os.chmod(db_path, 0o600)
    sqlconf = os.path.join(SL, "dovecot-sql.conf.ext")
    write_file(sqlconf, "driver = sqlite\nconnect = %s\n"
               "default_pass_scheme = SHA512-CRYPT\n"
               "password_query = SELECT username AS user, password FROM "
               "mailbox WHERE username = '%%u' AND active = '1' "
               # %s is the service Postfix names in AUTH, as in Dovecot
               "AND '%%s' = 'smtp'\n" % db_path,
               mode=0o600)
    conf = srv.conf
    with open(conf) as f:
        text = f.read()
    write_file(conf, re.sub(r"(?m)^passdb = .*$", "passdb = sql:" + sqlconf,
                            text))
    n = len(sluice_log())
    srv.proc.send_signal(signal.SIGHUP)
    reloaded = wait_for(lambda: any("configuration reloaded" in l for l in
                                    sluice_log()[n:]), 10, 0.05)
    old = postfix_pids_named("smtpd")
    r = postfix_cmd("reload")
    gone = wait_for(lambda: not set(old) & set(postfix_pids_named("smtpd")),
                    30, 0.1)
    tap.ok(reloaded and r.returncode == 0 and gone, "passdb = sql:%s "
           "(SQLite, postfixadmin's mailbox table, %%s = smtp); SIGHUP to sluice-auth, "
           "postfix reload" % sqlconf, srv.stderr())
    code, out, _ = swaks(port, "PLAIN", "alice@example.test",
                         USERS["alice@example.test"][1])
    tap.ok(code == 28 and last_reply(out, "535"), "sqlite: the passwd-file "
           "password of alice no longer works (535)", out)
    for mech in ("PLAIN", "LOGIN"):
        for u in sorted(SQL_USERS):
            code, out, _ = swaks(port, mech, u, SQL_PASSWORDS[u])
            tap.ok(code == 0 and last_reply(out, "235"),
                   "sqlite: --auth %s %s with the password in the database:"
                   " 235" % (mech, u), out)
    code, out, _ = swaks(port, "CRAM-MD5", "alice@example.test",
                         SQL_PASSWORDS["alice@example.test"])
    tap.ok(code == 0 and last_reply(out, "235"),
           "sqlite: --auth CRAM-MD5 alice ({PLAIN} in the database): 235",
           out)


def check_logs():
    lines = sluice_log()
    res = [log_fields(l) for l in lines if " result=" in l]
    good = [f for f in res if f.get("result") == "ok" and
            f.get("rip") == "127.0.0.1" and f.get("service") == "smtp"]
    mechs = {f.get("mech") for f in good}
    tap.ok(len(good) >= 16 and mechs == {"PLAIN", "LOGIN", "CRAM-MD5"},
           "sluice log: a result=ok line per success, rip=127.0.0.1 "
           "service=smtp, all three mechanisms (%d)" % len(good),
           "\n".join(lines[-20:]))
    secrets = [pw for _, pw in USERS.values()] + [WRONG] + \
        list(SQL_PASSWORDS.values())
    leaks = [s for s in secrets for l in lines if s in l]
    tap.ok(not leaks, "no password in the sluice log", repr(leaks))
    log = maillog()
    pf_fail = re.findall(r"SASL (PLAIN|LOGIN|CRAM-MD5) authentication failed",
                         log)
    tap.ok(len(pf_fail) >= 6, "Postfix logged the SASL failures (%d)" %
           len(pf_fail), log[-3000:])
    trouble = [l for l in log.splitlines() if re.search(
        r"warning: SASL: |auth server|Connect to Dovecot|fatal:|panic:", l)]
    tap.is_eq(trouble, [], "Postfix logged no trouble with the auth server")


def main():
    t0 = time.monotonic()
    port = free_port()
    prepare_postfix(port)
    srv = start_auth()
    if srv is None or not start_postfix(port):
        return
    check_ehlo(port)
    check_success(port, "private/auth")
    if switch_to_absolute():
        check_success(port, "absolute path")
        n = unix_connections(ABS_SOCK)
        tap.ok(n > 0 and unix_connections(PRIVATE_SOCK) == 0,
               "smtpd holds a connection to %s (%d), none to private/auth" %
               (ABS_SOCK, n))
    check_sqlite(port, srv)
    check_failures(port)
    check_logs()
    tap.is_eq(stop_postfix(), [], "postfix -c DIR stop: no process of this "
              "instance left behind")
    code, secs = srv.stop(timeout=15)
    tap.ok(code == 0 and not srv.group_alive() and
           not os.path.exists(PRIVATE_SOCK) and not os.path.exists(ABS_SOCK),
           "sluice-auth stops on SIGTERM: exit 0, no process left, both "
           "sockets removed", "exit %r after %.1fs\n%s" % (code, secs,
                                                         srv.stderr()))
    tap.diag("%.1fs in all" % (time.monotonic() - t0))


main()
sys.exit(tap.done())
