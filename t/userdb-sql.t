#!/usr/bin/env python3
"""userdb-sql.t - userdb = sql:PATH with SQLite, end to end.

`sluice userdb init` makes a postfixadmin-style database and its
dovecot-sql.conf.ext; 1,000 users are loaded into the `mailbox` table
(some with their own uid/gid and home, a third with a quota) and a few
with hostile names through `sluice user add`. Then: deliveries through
sluice-deliver and sluice-lmtpd land in the homes, owned by the uid/gid
the database gives, and the database's quota is enforced; unknown users
get 67 / 550 5.1.1; a database that is removed, corrupt or unreadable
gives 75 / 451 4.3.0 and never "no such user"; every query in the query
log (sql_query_log) holds the recipient as one well-formed SQL literal,
whatever quotes, backslashes, % or length it had; 1,000 LMTP messages to
one user cost one query (the cache); `sluice user del/passwd/list`.
"""
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import traceback

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from lmtpd_helper import Client, Lmtpd, Tap, wire  # noqa: E402

N_USERS = 1000
CACHE_MESSAGES = 1000
SENDER = "sender@example.org"

tap = Tap()
ok = tap.ok
builddir = os.environ.get("SLUICE_BUILDDIR") or os.getcwd()
SLUICE = os.path.join(builddir, "sluice")
DELIVER = os.path.join(builddir, "sluice-deliver")

srv = Lmtpd(tap, {}, {"userdb_cache_ttl": "10m"})
D = srv.dir
DB = srv.path("users.db")
SQLCONF = srv.path("dovecot-sql.conf.ext")
QLOG = srv.path("queries.log")
VMAIL = srv.path("vmail")
UIDS = srv.path("uids")         # homes of users with their own uid
U = srv.user
ROOT = os.geteuid() == 0


def run(argv, stdin=b"", user=None):
    """(exit code, stdout, stderr) of a command, as user (uid, gid)"""
    if user is not None:
        argv = ["setpriv", "--reuid=%d" % user[0], "--regid=%d" % user[1],
                "--clear-groups"] + argv
    r = subprocess.run(argv, input=stdin, capture_output=True, timeout=120)
    return (r.returncode, r.stdout.decode("utf-8", "replace"),
            r.stderr.decode("utf-8", "replace"))


def sluice(*args, stdin=b"", user=None):
    return run([SLUICE, "-c", srv.conf] + list(args), stdin, user)


def deliver(rcpt, msg):
    """sluice-deliver's exit code and stderr"""
    r = subprocess.run([DELIVER, "-c", srv.conf, "-f", SENDER, "-d", rcpt],
                       input=msg, capture_output=True, timeout=60)
    return r.returncode, r.stderr.decode("utf-8", "replace")


def message(tag, size=0):
    body = b"body of %s\n" % tag.encode() + b"x" * size + b"\n"
    return (b"From: <sender@example.org>\nSubject: " + tag.encode() +
            b"\nMessage-ID: <" + tag.encode() + b"@test>\n\n" + body)


def queries():
    """the query log's lines (bytes)"""
    try:
        with open(QLOG, "rb") as f:
            return f.read().split(b"\n")[:-1]
    except FileNotFoundError:
        return []


def new_files(maildir):
    d = os.path.join(maildir, "new")
    try:
        return [os.path.join(d, n) for n in sorted(os.listdir(d))]
    except FileNotFoundError:
        return []


def users():
    """(address, maildir, uid, gid, quota) of the 1,000 users"""
    out = []
    for i in range(N_USERS):
        addr = "user%04d@d%d.example" % (i, i % 10)
        if i % 100 == 7:        # their own uid/gid, an absolute maildir
            out.append((addr, os.path.join(UIDS, "user%04d" % i) + "/",
                        61000 + i, 62000 + i, 0))
        else:
            out.append((addr, "d%d.example/user%04d/" % (i % 10, i),
                        U.uid, U.gid, (i + 1) * 1048576 if i % 3 == 0 else 0))
    return out


def maildir_of(md):
    return md.rstrip("/") if md.startswith("/") else \
        os.path.join(VMAIL, md.rstrip("/"))


# the query's one literal, as user_query writes it: a whole query that is
# the template with a well-formed SQL string literal in place of %u
Q_RE = re.compile(rb"^SELECT COALESCE\(home, .* FROM mailbox WHERE "
                  rb"username = '((?:[^']|'')*)' AND active = 1$")


def literal_of(q):
    m = Q_RE.match(q)
    return m.group(1).replace(b"''", b"'") if m else None


def setup():
    r, out, err = run([SLUICE, "-c", srv.conf, "userdb", "init",
                       "--sql-conf", SQLCONF, "--vmail", VMAIL,
                       "--uid", str(U.uid), "--gid", str(U.gid), DB])
    if r != 0 and "without SQLite" in err:
        tap.skip_all("sluice was built without SQLite")
    if not ok(r == 0, "userdb init: database and dovecot-sql.conf.ext", err):
        tap.bail("cannot go on without a database")
    conf = open(SQLCONF).read()
    ok("driver = sqlite" in conf and "connect = %s" % DB in conf and
       "user_query = " in conf and "password_query = " in conf,
       "the conf has driver, connect and the queries")
    r, _, err = sluice("userdb", "init", "--sql-conf", SQLCONF, DB)
    ok(r == 1 and "exists" in err, "init does not overwrite a conf", err)
    os.chmod(SQLCONF, 0o644)  # no secrets in it; the db stays 0640
    os.mkdir(VMAIL, 0o755)
    os.mkdir(UIDS)
    os.chmod(UIDS, 0o1777)      # mkdir's mode passes the umask
    if ROOT:
        os.chown(VMAIL, U.uid, U.gid)
    db = sqlite3.connect(DB)
    tables = {r[0] for r in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table'")}
    ok({"mailbox", "domain"} <= tables, "postfixadmin tables", tables)
    cols = [r[1] for r in db.execute("PRAGMA table_info(mailbox)")]
    ok(all(c in cols for c in ("username", "password", "name", "maildir",
                               "quota", "local_part", "domain", "created",
                               "modified", "active")),
       "mailbox has postfixadmin's columns", cols)
    rows = []
    for addr, md, uid, gid, quota in users():
        own = md.startswith("/")
        local, dom = addr.split("@")
        rows.append((addr, "{PLAIN}pw", md, quota, local, dom,
                     str(uid) if own else None, str(gid) if own else None))
    db.executemany("INSERT INTO mailbox (username, password, maildir, quota,"
                   " local_part, domain, uid, gid) VALUES (?,?,?,?,?,?,?,?)",
                   rows)
    db.executemany("INSERT INTO domain (domain) VALUES (?)",
                   [("d%d.example" % i,) for i in range(10)])
    db.commit()
    db.close()
    srv.write_conf(userdb="sql:" + SQLCONF, sql_query_log=QLOG,
                   lmtp_workers="2")


HOSTILE = ["o'brien@example.com", "back\\slash@example.com",
           "pct%u%d%%@example.com", "q''uote'@example.com"]


def test_admin():
    for name in HOSTILE:
        r, _, err = sluice("user", "add", "--password", "pw", "--quota", "5M",
                           name)
        ok(r == 0, "user add %s" % name, err)
    r, _, err = sluice("user", "add", "--password", "pw", HOSTILE[0])
    ok(r == 1 and "exists" in err, "user add of an existing user: 1", err)
    r, out, err = sluice("user", "add", "Newbie@Example.NET",
                         stdin=b"typed-secret\n")
    ok(r == 0, "user add, password on standard input", err)
    r, out, err = sluice("user", "list", "--json")
    try:
        listed = {u["user"]: u for u in json.loads(out)["users"]}
    except (ValueError, KeyError):
        listed = {}
    ok(len(listed) == N_USERS + len(HOSTILE) + 1,
       "user list --json: all %d users" % (N_USERS + len(HOSTILE) + 1),
       "%d listed; %s" % (len(listed), err))
    nb = listed.get("newbie@example.net", {})
    ok(nb.get("maildir") == "example.net/newbie/" and nb.get("active"),
       "a new user: lowercased, postfixadmin maildir", nb)
    ok(listed.get(HOSTILE[0], {}).get("quota") == 5 * 1048576,
       "--quota 5M stored in bytes", listed.get(HOSTILE[0]))
    db = sqlite3.connect(DB)
    pw = db.execute("SELECT password FROM mailbox WHERE username = ?",
                    ("newbie@example.net",)).fetchone()
    db.close()
    ok(pw is not None and pw[0].startswith("{SHA512-CRYPT}$6$") and
       "typed-secret" not in pw[0], "password stored as {SHA512-CRYPT}", pw)
    r, _, err = sluice("user", "passwd", "--password", "other",
                       "newbie@example.net")
    db = sqlite3.connect(DB)
    pw2 = db.execute("SELECT password FROM mailbox WHERE username = ?",
                     ("newbie@example.net",)).fetchone()
    db.close()
    ok(r == 0 and pw2 is not None and pw2 != pw, "user passwd changes it",
       err)
    r, _, err = sluice("user", "passwd", "--password", "x", "nobody@x.example")
    ok(r == 1, "user passwd of an unknown user: 1", err)
    r, _, err = sluice("user", "del", "newbie@example.net")
    ok(r == 0, "user del", err)
    r, _, err = sluice("user", "del", "newbie@example.net")
    ok(r == 1 and "no such user" in err, "user del again: no such user", err)
    r, out, _ = sluice("user", "lookup", "--json", HOSTILE[0])
    try:
        rec = json.loads(out)
    except ValueError:
        rec = {}
    ok(r == 0 and rec.get("home") == os.path.join(VMAIL, "example.com",
                                                  "o'brien") + "/"
       and rec.get("quota_rule") == "*:bytes=5242880"
       and rec.get("uid") == U.uid and rec.get("source") == "sql",
       "user lookup through the written user_query", out)


def test_postfixadmin_db():
    """a database postfixadmin made (no home/uid/gid columns) and a conf
    written by hand, as on a site that moves to sluice"""
    pdb = srv.path("pfa.db")
    pconf = srv.path("pfa.conf")
    db = sqlite3.connect(pdb)
    db.execute("CREATE TABLE mailbox (username varchar(255) PRIMARY KEY, "
               "password varchar(255) NOT NULL, name varchar(255) NOT NULL "
               "DEFAULT '', maildir varchar(255) NOT NULL DEFAULT '', quota "
               "bigint NOT NULL DEFAULT 0, local_part varchar(255) NOT NULL,"
               " domain varchar(255) NOT NULL, created datetime NOT NULL "
               "DEFAULT '2000-01-01 00:00:00', modified datetime NOT NULL "
               "DEFAULT '2000-01-01 00:00:00', active tinyint(1) NOT NULL "
               "DEFAULT 1)")
    db.execute("CREATE TABLE domain (domain varchar(255) PRIMARY KEY, "
               "description varchar(255) NOT NULL DEFAULT '', created "
               "datetime, modified datetime, active tinyint(1) NOT NULL "
               "DEFAULT 1)")
    db.commit()
    db.close()
    with open(pconf, "w") as f:
        f.write("# as postfixadmin's documentation has it\n"
                "driver = sqlite\n"
                "connect = %s\n"
                "default_pass_scheme = SHA512-CRYPT\n"
                "user_query = SELECT '/var/vmail/' || maildir AS home, \\\n"
                "    %d AS uid, %d AS gid, '*:bytes=' || quota AS quota_rule \\\n"
                "    FROM mailbox WHERE username = '%%u' AND active = '1'\n"
                % (pdb, U.uid, U.gid))
    r, _, err = sluice("user", "add", "--sql-conf", pconf, "--password",
                       "pw", "--quota", "2G", "pf@example.org")
    ok(r == 0, "user add on a postfixadmin database", err)
    r, out, err = sluice("user", "list", "--sql-conf", pconf, "--json")
    try:
        u = json.loads(out)["users"]
    except (ValueError, KeyError):
        u = []
    ok(len(u) == 1 and u[0]["user"] == "pf@example.org" and
       u[0]["quota"] == 2 << 30 and u[0]["home"] is None,
       "user list on it", (out, err))
    r, out, err = sluice("-o", "userdb=sql:" + pconf, "user", "lookup",
                         "--json", "pf@example.org")
    try:
        rec = json.loads(out)
    except ValueError:
        rec = {}
    ok(r == 0 and rec.get("home") == "/var/vmail/example.org/pf/" and
       rec.get("quota_rule") == "*:bytes=%d" % (2 << 30),
       "looked up with the site's own user_query", (out, err))
    r, _, err = sluice("user", "add", "--sql-conf", pconf, "--password",
                       "pw", "--home", "/h", "pf2@example.org")
    ok(r != 0 and "home" in err, "--home on a postfixadmin database: a "
       "clear error", err)


def test_deliver():
    sample = [u for i, u in enumerate(users()) if i % 50 in (0, 7, 33)]
    bad = []
    for addr, md, uid, gid, quota in sample:
        code, err = deliver(addr, message("deliver-" + addr))
        files = new_files(maildir_of(md))
        if code != 0 or len(files) != 1:
            bad.append((addr, code, err.strip()[-200:], files))
            continue
        st = os.stat(files[0])
        if ROOT and (st.st_uid, st.st_gid) != (uid, gid):
            bad.append((addr, "owner", st.st_uid, st.st_gid, uid, gid))
    ok(not bad, "sluice-deliver: %d users, each message in its home%s"
       % (len(sample), ", owned by the database's uid/gid" if ROOT else ""),
       bad[:5])
    for name in HOSTILE:
        r, out, _ = sluice("user", "lookup", "--json", name)
        try:
            mail = json.loads(out)["mail"]
        except (ValueError, KeyError):
            mail = None
        code, err = deliver(name, message("hostile"))
        ok(code == 0 and mail is not None and len(new_files(mail)) == 1,
           "sluice-deliver to %s" % name, (code, err, mail))
    code, err = deliver("nobody@d1.example", message("unknown"))
    ok(code == 67, "sluice-deliver: unknown user exits 67", (code, err))
    code, err = deliver("x' OR '1'='1@d1.example", message("inject"))
    ok(code == 67, "sluice-deliver: an injection attempt is no user",
       (code, err))
    code, err = deliver("a" * 2000 + "@d1.example", message("long"))
    ok(code == 67, "sluice-deliver: a 2,000-byte name is no user", code)

    # the database's quota: user0000 has 1 MiB
    addr = users()[0][0]
    code, err = deliver(addr, message("q1", 600 * 1024))
    code2, err2 = deliver(addr, message("q2", 600 * 1024))
    ok(code == 0 and code2 == 75 and "quota" in err2.lower(),
       "quota_rule from the database: 600K fits 1 MiB, the next 600K "
       "is refused (75)", (code, code2, err2))


def test_tempfail_deliver():
    addr = users()[1][0]
    os.rename(DB, DB + ".away")
    code, err = deliver(addr, message("gone"))
    ok(code == 75, "database removed: sluice-deliver exits 75", (code, err))
    ok(not os.path.exists(DB), "... and no empty database was made")
    with open(DB, "wb") as f:
        f.write(b"not a database at all\n" * 100)
    code, err = deliver(addr, message("corrupt"))
    ok(code == 75, "corrupt database: 75", (code, err))
    code, err = deliver("nobody@d1.example", message("corrupt-unknown"))
    ok(code == 75, "corrupt database: an unknown user is 75 too, not 67",
       (code, err))
    os.rename(DB + ".away", DB)
    if ROOT:
        # 0640 root:root: the mail user cannot read it
        r, out, err = sluice("user", "lookup", addr, user=(U.uid, U.gid))
        ok(r == 75, "unreadable database (as the mail user): lookup 75",
           (r, err))
    else:
        os.chmod(DB, 0)
        code, err = deliver(addr, message("unreadable"))
        os.chmod(DB, 0o640)
        ok(code == 75, "unreadable database: 75", (code, err))
    code, err = deliver(addr, message("back"))
    ok(code == 0, "database back: delivered", (code, err))
    os.rename(SQLCONF, SQLCONF + ".away")
    code, err = deliver(addr, message("noconf"))
    os.rename(SQLCONF + ".away", SQLCONF)
    ok(code == 75, "dovecot-sql.conf.ext missing: 75", (code, err))


def lmtp_one(c, rcpt, msg):
    """MAIL, RCPT, DATA: (rcpt reply, data reply or None)"""
    r = c.cmd("MAIL FROM:<%s>" % SENDER)
    if r.code != 250:
        return r, None
    rr = c.cmd("RCPT TO:<%s>" % rcpt)
    if rr.code != 250:
        c.cmd("RSET")
        return rr, None
    r = c.cmd("DATA")
    if r.code != 354:
        return rr, r
    c.send(wire(msg))
    return rr, c.reply()


def test_lmtp():
    if not ok(srv.start(), "sluice-lmtpd started"):
        tap.diag(srv.read_stderr())
        return
    c = Client(srv.sock)
    c.reply()
    c.cmd("LHLO test")
    sample = [u for i, u in enumerate(users()) if i % 50 in (1, 7, 34)]
    bad = []
    for addr, md, uid, gid, quota in sample:
        before = len(new_files(maildir_of(md)))
        rr, dr = lmtp_one(c, addr, message("lmtp-" + addr))
        files = new_files(maildir_of(md))
        if rr.code != 250 or dr is None or dr.code != 250 or \
                len(files) != before + 1:
            bad.append((addr, rr, dr))
            continue
        st = os.stat(files[-1])
        if ROOT and (st.st_uid, st.st_gid) != (uid, gid):
            bad.append((addr, "owner", st.st_uid, uid))
    ok(not bad, "sluice-lmtpd: %d users, each message in its home" %
       len(sample), bad[:5])
    for rcpt in ("nobody@d2.example", "x' OR '1'='1@d2.example",
                 "\\'; DELETE FROM mailbox; --@d2.example"):
        r = c.cmd("RCPT TO:<%s>" % rcpt) if c.cmd(
            "MAIL FROM:<%s>" % SENDER).code == 250 else None
        ok(r is not None and r.code == 550 and r.enh == "5.1.1",
           "LMTP RCPT %s: 550 5.1.1" % rcpt, r)
        c.cmd("RSET")
    c.cmd("MAIL FROM:<%s>" % SENDER)
    c.send(b"RCPT TO:<a\x00b@d2.example>\r\n")
    r = c.reply()
    ok(r.code >= 500, "LMTP RCPT with a NUL byte: refused", r)
    c.cmd("RSET")
    db = sqlite3.connect(DB)
    n = db.execute("SELECT count(*) FROM mailbox").fetchone()[0]
    db.close()
    ok(n >= N_USERS, "the table is intact after the attempts (%d rows)" % n)

    # the cache: 1,000 messages to one user, one query
    addr, md = users()[500][0], users()[500][1]
    lit = b"'" + addr.encode() + b"'"
    before = sum(1 for q in queries() if lit in q)
    had = len(new_files(maildir_of(md)))
    fails = 0
    for i in range(CACHE_MESSAGES):
        rr, dr = lmtp_one(c, addr, message("cache-%d" % i))
        fails += rr.code != 250 or dr is None or dr.code != 250
    asked = sum(1 for q in queries() if lit in q) - before
    ok(fails == 0 and len(new_files(maildir_of(md))) == had + CACHE_MESSAGES,
       "%d LMTP messages to one user delivered" % CACHE_MESSAGES, fails)
    ok(asked == 1, "... with one query to the database (the cache)",
       "%d queries" % asked)
    lit = b"'nobody2@d3.example'"
    for i in range(20):
        c.cmd("MAIL FROM:<%s>" % SENDER)
        c.cmd("RCPT TO:<nobody2@d3.example>")
        c.cmd("RSET")
    ok(sum(1 for q in queries() if lit in q) == 1,
       "20 RCPTs of an unknown user: one query (negative cache)")

    # the database gone: a user not in the cache is 451 4.3.0
    os.rename(DB, DB + ".away")
    c.cmd("MAIL FROM:<%s>" % SENDER)
    r = c.cmd("RCPT TO:<%s>" % users()[611][0])
    ok(r.code == 451 and r.enh == "4.3.0",
       "LMTP, database removed: 451 4.3.0", r)
    r = c.cmd("RCPT TO:<nobody3@d3.example>")
    ok(r.code == 451, "... also for a user that does not exist", r)
    c.cmd("RSET")
    with open(DB, "wb") as f:
        f.write(b"garbage " * 1000)
    c.cmd("MAIL FROM:<%s>" % SENDER)
    r = c.cmd("RCPT TO:<%s>" % users()[612][0])
    ok(r.code == 451 and r.enh == "4.3.0",
       "LMTP, database corrupt: 451 4.3.0", r)
    c.cmd("RSET")
    os.rename(DB + ".away", DB)
    rr, dr = lmtp_one(c, users()[613][0], message("after"))
    ok(rr.code == 250 and dr is not None and dr.code == 250,
       "database back: the worker reconnects and delivers", (rr, dr))
    c.cmd("QUIT")
    c.close()
    rc, _ = srv.stop()
    ok(rc == 0, "sluice-lmtpd stopped", rc)


def test_query_log():
    # the user_query's (the admin commands' statements are logged too)
    qs = [q for q in queries() if q.startswith(b"SELECT COALESCE(home, ")]
    lits = [literal_of(q) for q in qs]
    malformed = [q[:200] for q, lit in zip(qs, lits) if lit is None]
    ok(qs and not malformed, "every one of %d queries is the template with "
       "one well-formed literal" % len(qs), malformed[:5])
    got = set(lits)
    for name in HOSTILE + ["x' or '1'='1@d1.example",
                           "\\'; delete from mailbox; --@d2.example"]:
        ok(name.encode() in got, "hostile name reached the query only as a "
           "literal: %s" % name)
    ok(not any(b"\x00" in q for q in qs), "no NUL byte in any query")
    ok(not any(len(q) > 1500 for q in qs),
       "the 2,000-byte name never reached the database")


def main():
    setup()
    for t in (test_admin, test_postfixadmin_db, test_deliver, test_tempfail_deliver, test_lmtp,
              test_query_log):
        try:
            t()
        except Exception:
            ok(False, "%s raised" % t.__name__, traceback.format_exc())
    tap.done()


if shutil.which("setpriv") is None and ROOT:
    tap.skip_all("setpriv (util-linux) is needed as root")
main()
