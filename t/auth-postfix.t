#!/usr/bin/env python3
"""auth-postfix.t - sluice-auth as the SASL server of a real Postfix.

A private Postfix instance (t/lib/postfixtest.py: postfix -c DIR start,
its own queue and data directories in the temp dir, SMTP on
127.0.0.1:PORT only, every service unchrooted, every non-local
destination the discard transport; the test stops at RCPT, so nothing
is even queued) with

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
SQLite, then in a private PostgreSQL and a private MariaDB server;
dovecot-sql.conf.ext's password_query with %s, which must be "smtp";
SIGHUP, postfix reload each time).

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
from sluicetest import (Tap, free_port, log_fields,  # noqa: E402
                        make_dirs, start, wait_for, write_conf, write_file)
from sluiceauth import AuthProcess  # noqa: E402
from postfixtest import (PATHS, Postfix, read_log,  # noqa: E402
                         skip_unless_postfix)

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

skip_unless_postfix()
if shutil.which("swaks", path=PATHS) is None:
    Tap().skip_all("swaks is not installed (Debian package swaks)")

tap, sb, user = start("auth-postfix")
pfx = Postfix(tap, sb, "auth-postfix")
SWAKS = shutil.which("swaks", path=PATHS)
PRIVATE_SOCK = os.path.join(pfx.private, "auth")
SL = sb.path("sluice")
SL_LOG = os.path.join(SL, "auth.log")
ABS_SOCK = os.path.join(SL, "auth.sock")


def sluice_log():
    return read_log(SL_LOG).splitlines()


def prepare_postfix(port):
    """the instance's directories (its private/ too, so that
    sluice-auth's socket is there before smtpd first looks for it) and
    files: mynetworks with no local address, so relaying needs SMTP
    AUTH; every destination the discard transport"""
    pfx.prepare(port, {
        "mynetworks": "192.0.2.255/32",
        "default_transport": "discard:nothing leaves this test",
        "relay_transport": "discard:nothing leaves this test",
        "smtpd_sasl_auth_enable": "yes",
        "smtpd_sasl_type": "dovecot",
        "smtpd_sasl_path": "private/auth",
        "smtpd_relay_restrictions": "permit_mynetworks, "
        "permit_sasl_authenticated,\n    reject_unauth_destination",
        "smtpd_client_auth_rate_limit": "0",
    })


def start_postfix(port):
    return pfx.start("private Postfix started, SMTP on 127.0.0.1:%d, "
                     "smtpd_sasl_type = dovecot, smtpd_sasl_path = "
                     "private/auth" % port)


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


def switch_to_absolute():
    ok, err = pfx.postconf("smtpd_sasl_path = " + ABS_SOCK)
    # the smtpd processes of the old configuration exit when idle
    reloaded, err2 = pfx.reload(("smtpd",), 30)
    return tap.ok(ok and reloaded, "postconf -e smtpd_sasl_path = %s; "
                  "postfix reload; the old smtpd processes have exited" %
                  ABS_SOCK, err + err2)


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


def have_driver(define):
    path = os.path.join(os.environ.get("SLUICE_BUILDDIR", "."),
                        "auto-config.h")
    try:
        with open(path) as f:
            return "#define %s 1" % define in f.read()
    except OSError:
        return False


def sqlite_db():
    """a postfixadmin-style mailbox table in an SQLite file; its conf's
    driver and connect lines"""
    import sqlite3
    db_path = os.path.join(SL, "mail.db")
    db = sqlite3.connect(db_path)
    db.execute("CREATE TABLE mailbox (username TEXT PRIMARY KEY, password "
               "TEXT NOT NULL, active INTEGER NOT NULL DEFAULT 1)")
    db.executemany("INSERT INTO mailbox (username, password) VALUES (?, ?)",
                   sorted(SQL_USERS.items()))
    db.commit()
    db.close()
    os.chmod(db_path, 0o600)
    return "driver = sqlite\nconnect = %s\n" % db_path


def server_db(server):
    """the same table in a private PostgreSQL or MariaDB server"""
    pw = "Auth-db-pw-7"
    server.start()
    server.create_app("postfix", "dovecot", pw)
    table = ("CREATE TABLE mailbox (username VARCHAR(255) PRIMARY KEY, "
             "password VARCHAR(255) NOT NULL, active SMALLINT NOT NULL "
             "DEFAULT 1);\n")
    rows = "".join("INSERT INTO mailbox (username, password) VALUES "
                   "('%s', '%s');\n" % (u, h)
                   for u, h in sorted(SQL_USERS.items()))
    if server.name == "pgsql":
        server.sql(table + rows, db="postfix", user="dovecot")
    else:
        server.sql(table + rows, db="postfix")
    return "driver = %s\nconnect = %s\n" % (
        server.name, server.connect_string("postfix", "dovecot", pw))


def check_sql(port, srv, name, what, make_db):
    """passdb = sql: SIGHUP to sluice-auth, postfix reload, then swaks
    with the database's passwords"""
    sqlconf = os.path.join(SL, "dovecot-sql-%s.conf.ext" % name)
    write_file(sqlconf, make_db() +
               "default_pass_scheme = SHA512-CRYPT\n"
               "password_query = SELECT username AS user, password FROM "
               "mailbox WHERE username = '%u' AND active = '1' "
               # %s is the service Postfix names in AUTH, as in Dovecot
               "AND '%s' = 'smtp'\n", mode=0o600)
    conf = srv.conf
    with open(conf) as f:
        text = f.read()
    write_file(conf, re.sub(r"(?m)^passdb = .*$", "passdb = sql:" + sqlconf,
                            text))
    n = len(sluice_log())
    srv.proc.send_signal(signal.SIGHUP)
    reloaded = wait_for(lambda: any("configuration reloaded" in l for l in
                                    sluice_log()[n:]), 10, 0.05)
    pf_reloaded, _ = pfx.reload(("smtpd",), 30)
    tap.ok(reloaded and pf_reloaded, "passdb = sql:%s "
           "(%s, postfixadmin's mailbox table, %%s = smtp); SIGHUP to "
           "sluice-auth, postfix reload" % (sqlconf, what), srv.stderr())
    code, out, _ = swaks(port, "PLAIN", "alice@example.test",
                         USERS["alice@example.test"][1])
    tap.ok(code == 28 and last_reply(out, "535"), "%s: the passwd-file "
           "password of alice no longer works (535)" % name, out)
    for mech in ("PLAIN", "LOGIN"):
        for u in sorted(SQL_USERS):
            code, out, _ = swaks(port, mech, u, SQL_PASSWORDS[u])
            tap.ok(code == 0 and last_reply(out, "235"),
                   "%s: --auth %s %s with the password in the database:"
                   " 235" % (name, mech, u), out)
    code, out, _ = swaks(port, "CRAM-MD5", "alice@example.test",
                         SQL_PASSWORDS["alice@example.test"])
    tap.ok(code == 0 and last_reply(out, "235"),
           "%s: --auth CRAM-MD5 alice ({PLAIN} in the database): 235" % name,
           out)


def check_db_down(port, name, server):
    """a database that is down: a temporary failure, not a wrong
    password; back up, logins work again"""
    server.stop()
    code, out, _ = swaks(port, "PLAIN", "bob@example.test",
                         SQL_PASSWORDS["bob@example.test"])
    # Postfix 3.7 answers a FAIL with "temp" as any other (535), with
    # the reason: Dovecot's auth gets the same
    down = last_reply(out, "535")
    server.start()
    code2, out2, _ = swaks(port, "PLAIN", "bob@example.test",
                           SQL_PASSWORDS["bob@example.test"])
    tap.ok(down and "Temporary authentication failure" in down and
           code2 == 0 and last_reply(out2, "235"), "%s stopped: the "
           "reason is a temporary failure, not a wrong password; started "
           "again: 235" % name, out + out2)


SQL_CHECKS = 7
SERVERS = []    # stopped at the end (the last one is the passdb then)


def check_sql_backends(port, srv):
    """SQLite, then PostgreSQL and MariaDB (private servers)"""
    if have_driver("HAVE_SQLITE3"):
        check_sql(port, srv, "sqlite", "SQLite", sqlite_db)
    else:
        tap.skip("sluice was built without SQLite", SQL_CHECKS)
    import sqlservers
    for name, define, what in (("pgsql", "HAVE_PGSQL", "PostgreSQL"),
                               ("mysql", "HAVE_MYSQL", "MariaDB")):
        cls = sqlservers.SERVERS[name]
        why = cls.missing() if have_driver(define) else \
            "sluice was built without the %s driver" % what
        if why:
            tap.skip(why, SQL_CHECKS + 1)
            continue
        server = cls()
        SERVERS.append(server)
        check_sql(port, srv, name, what, lambda: server_db(server))
        check_db_down(port, name, server)


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
    log = pfx.maillog()
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
    check_sql_backends(port, srv)
    check_failures(port)
    check_logs()
    for server in SERVERS:
        server.cleanup()
    pfx.check_stopped()
    code, secs = srv.stop(timeout=15)
    tap.ok(code == 0 and not srv.group_alive() and
           not os.path.exists(PRIVATE_SOCK) and not os.path.exists(ABS_SOCK),
           "sluice-auth stops on SIGTERM: exit 0, no process left, both "
           "sockets removed", "exit %r after %.1fs\n%s" % (code, secs,
                                                         srv.stderr()))
    tap.diag("%.1fs in all" % (time.monotonic() - t0))


main()
sys.exit(tap.done())
