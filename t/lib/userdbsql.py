"""userdbsql - the end-to-end checks of userdb = sql:PATH, run against one
backend: t/userdb-sql.t (SQLite), t/userdb-pgsql.t (a private
PostgreSQL), t/userdb-mysql.t (a private MariaDB), see t/lib/sqlservers.py.

A postfixadmin-style database (the `mailbox` and `domain` tables plus
sluice's nullable home/uid/gid columns) with its dovecot-sql.conf.ext:
for SQLite both come from `sluice userdb init`, for the servers the
schema is made as the administrator and the conf is written here (the
same queries, in the server's dialect). 1,000 users are loaded (some
with their own uid/gid and home, a third with a quota) and a few with
hostile names through `sluice user add`. Then: deliveries through
sluice-deliver and sluice-lmtpd land in the homes, owned by the uid/gid
the database gives, and the database's quota is enforced; unknown users
get 67 / 550 5.1.1; a database that is gone (SQLite: removed, corrupt
or unreadable; a server: stopped, unreachable, wrong password, or
answering nothing) gives 75 / 451 4.3.0 and never "no such user", and
the service is back when the database is; every query in the query log
(sql_query_log) holds the recipient as one well-formed SQL literal of
the backend's dialect (SQLite and PostgreSQL double a quote, MySQL puts
a backslash before it and before a backslash), whatever quotes,
backslashes, % or length it had; 1,000 LMTP messages to one user cost
one query (the cache); `sluice user add/del/passwd/list`, also on a
database postfixadmin itself made.
"""
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import traceback

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))
from lmtpd_helper import Client, Lmtpd, Tap, wire  # noqa: E402

N_USERS = 1000
CACHE_MESSAGES = 1000
SENDER = "sender@example.org"
APP_USER, APP_PASSWORD = "sluice", "s3cr'et\\x"   # quotes in the password
HOSTILE = ["o'brien@example.com", "back\\slash@example.com",
           "pct%u%d%%@example.com", "q''uote'@example.com"]

tap = Tap()
ok = tap.ok
builddir = os.environ.get("SLUICE_BUILDDIR") or os.getcwd()
SLUICE = os.path.join(builddir, "sluice")
DELIVER = os.path.join(builddir, "sluice-deliver")
ROOT = os.geteuid() == 0

srv = None      # the Lmtpd (its dir holds the conf, the log, vmail)
B = None        # the backend
SQLCONF = QLOG = VMAIL = UIDS = U = None


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


def user_rows():
    """the users as mailbox rows: (username, password, maildir, quota,
    local_part, domain, uid, gid)"""
    rows = []
    for addr, md, uid, gid, quota in users():
        own = md.startswith("/")
        local, dom = addr.split("@")
        rows.append((addr, "{PLAIN}pw", md, quota, local, dom,
                     str(uid) if own else None, str(gid) if own else None))
    return rows


def maildir_of(md):
    return md.rstrip("/") if md.startswith("/") else \
        os.path.join(VMAIL, md.rstrip("/"))


def json_or(text, default):
    try:
        return json.loads(text)
    except ValueError:
        return default


# ---- backends --------------------------------------------------------

def built(driver):
    """configure found the driver's library (auto-config.h says so; if
    it cannot be read, assume so and let the test say otherwise)"""
    define = {"pgsql": "HAVE_PGSQL", "mysql": "HAVE_MYSQL"}[driver]
    try:
        with open(os.path.join(builddir, "auto-config.h")) as f:
            return "#define %s 1" % define in f.read()
    except OSError:
        return True


# the query's one literal, as user_query writes it: a whole query that is
# the template with a well-formed SQL string literal in place of %u
Q_HEAD = rb"^SELECT COALESCE\(home, .* FROM mailbox WHERE username = '"
Q_TAIL = rb"' AND active = 1$"


class SqliteBackend:
    """SQLite: the database file and conf `sluice userdb init` makes"""
    name = "sqlite"
    Q_RE = re.compile(Q_HEAD + rb"((?:[^']|'')*)" + Q_TAIL)

    def __init__(self):
        import sqlite3
        self.sqlite3 = sqlite3
        self.db = srv.path("users.db")

    def decode(self, lit):
        return lit.replace(b"''", b"'")

    def setup(self):
        r, out, err = run([SLUICE, "-c", srv.conf, "userdb", "init",
                           "--sql-conf", SQLCONF, "--vmail", VMAIL,
                           "--uid", str(U.uid), "--gid", str(U.gid),
                           self.db])
        if r != 0 and "without SQLite" in err:
            tap.skip_all("sluice was built without SQLite")
        if not ok(r == 0, "userdb init: database and dovecot-sql.conf.ext",
                  err):
            tap.bail("cannot go on without a database")
        conf = open(SQLCONF).read()
        ok("driver = sqlite" in conf and "connect = %s" % self.db in conf
           and "user_query = " in conf and "password_query = " in conf,
           "the conf has driver, connect and the queries")
        r, _, err = sluice("userdb", "init", "--sql-conf", SQLCONF, self.db)
        ok(r == 1 and "exists" in err, "init does not overwrite a conf", err)
        os.chmod(SQLCONF, 0o644)  # no secrets in it; the db stays 0640
        db = self.sqlite3.connect(self.db)
        tables = {r[0] for r in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
        ok({"mailbox", "domain"} <= tables, "postfixadmin tables", tables)
        cols = [r[1] for r in db.execute("PRAGMA table_info(mailbox)")]
        db.close()
        ok(all(c in cols for c in ("username", "password", "name",
                                   "maildir", "quota", "local_part",
                                   "domain", "created", "modified",
                                   "active")),
           "mailbox has postfixadmin's columns", cols)

    def load(self):
        db = self.sqlite3.connect(self.db)
        db.executemany("INSERT INTO mailbox (username, password, maildir, "
                       "quota, local_part, domain, uid, gid) VALUES "
                       "(?,?,?,?,?,?,?,?)", user_rows())
        db.executemany("INSERT INTO domain (domain) VALUES (?)",
                       [("d%d.example" % i,) for i in range(10)])
        db.commit()
        db.close()

    def scalar(self, q):
        db = self.sqlite3.connect(self.db)
        r = db.execute(q).fetchone()
        db.close()
        return None if r is None else r[0]

    def pfa_db(self):
        """a database postfixadmin made; its connect string"""
        pdb = srv.path("pfa.db")
        db = self.sqlite3.connect(pdb)
        db.execute("CREATE TABLE mailbox (username varchar(255) PRIMARY KEY,"
                   " password varchar(255) NOT NULL, name varchar(255) NOT "
                   "NULL DEFAULT '', maildir varchar(255) NOT NULL DEFAULT "
                   "'', quota bigint NOT NULL DEFAULT 0, local_part "
                   "varchar(255) NOT NULL, domain varchar(255) NOT NULL, "
                   "created datetime NOT NULL DEFAULT '2000-01-01 00:00:00',"
                   " modified datetime NOT NULL DEFAULT '2000-01-01 "
                   "00:00:00', active tinyint(1) NOT NULL DEFAULT 1)")
        db.execute("CREATE TABLE domain (domain varchar(255) PRIMARY KEY, "
                   "description varchar(255) NOT NULL DEFAULT '', created "
                   "datetime, modified datetime, active tinyint(1) NOT NULL "
                   "DEFAULT 1)")
        db.commit()
        db.close()
        return pdb

    concat = staticmethod(lambda *parts: " || ".join(parts))

    def session(self):
        pass        # no server settings to survive

    def tempfail_deliver(self):
        addr = users()[1][0]
        DB = self.db
        os.rename(DB, DB + ".away")
        code, err = deliver(addr, message("gone"))
        ok(code == 75, "database removed: sluice-deliver exits 75",
           (code, err))
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

    def lmtp_down(self, c):
        DB = self.db
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


class ServerBackend:
    """a private server (t/lib/sqlservers.py) and a conf written here"""
    DB = "mail"

    def __init__(self, name):
        import sqlservers
        self.name = name
        cls = sqlservers.SERVERS[name]
        why = None if built(name) else "sluice was built without the %s " \
            "driver (configure found no %s)" % (name, "libpq" if name ==
                                               "pgsql" else "libmariadb")
        why = why or cls.missing()
        if why is not None:
            tap.skip_all(why)
        self.server = cls()
        try:
            self.server.start()
            self.server.create_app(self.DB, APP_USER, APP_PASSWORD)
            tap.diag("a private %s in %s" % (name, self.server.dir))
        except (sqlservers.ServerError, OSError) as e:
            tap.bail("cannot start a private %s: %s" % (name, e))
        self.connect = self.server.connect_string(self.DB, APP_USER,
                                                  APP_PASSWORD)

    def esc(self, s):
        s = s.replace("'", "''")
        return s.replace("\\", "\\\\") if self.name == "mysql" else s

    def sqllit(self, v):
        if v is None:
            return "NULL"
        if isinstance(v, int):
            return str(v)
        return "'" + self.esc(v) + "'"

    def admin(self, text, db=DB):
        """SQL as the administrator in the app's database, as the app's
        user where that matters (PostgreSQL: the tables' owner)"""
        if self.name == "pgsql":
            return self.server.sql("SET ROLE %s;\n%s" % (APP_USER, text),
                                   db=db)
        return self.server.sql(text, db=db)

    def scalar(self, q):
        rows = self.admin(q + ";")
        return rows[0][0] if rows else None

    def schema(self, pfa=False):
        """the postfixadmin tables in this dialect (pfa: exactly as
        postfixadmin makes them, else with sluice's home/uid/gid and
        an integer active column)"""
        pg = self.name == "pgsql"
        ts = "timestamp" if pg else "datetime"
        if pg and pfa:
            active, act_def = "boolean", "true"
        else:
            active, act_def = ("smallint" if pg else "tinyint(1)"), "1"
        extra = "" if pfa else (",\n  home varchar(255) DEFAULT NULL,\n"
                                "  uid varchar(64) DEFAULT NULL,\n"
                                "  gid varchar(64) DEFAULT NULL")
        return (
            "CREATE TABLE domain (\n"
            "  domain varchar(255) NOT NULL PRIMARY KEY,\n"
            "  description varchar(255) NOT NULL DEFAULT '',\n"
            "  aliases int NOT NULL DEFAULT 0,\n"
            "  mailboxes int NOT NULL DEFAULT 0,\n"
            "  maxquota bigint NOT NULL DEFAULT 0,\n"
            "  quota bigint NOT NULL DEFAULT 0,\n"
            "  transport varchar(255) DEFAULT NULL,\n"
            "  backupmx %s NOT NULL DEFAULT %s,\n"
            "  created %s NOT NULL DEFAULT '2000-01-01 00:00:00',\n"
            "  modified %s NOT NULL DEFAULT '2000-01-01 00:00:00',\n"
            "  active %s NOT NULL DEFAULT %s);\n"
            "CREATE TABLE mailbox (\n"
            "  username varchar(255) NOT NULL PRIMARY KEY,\n"
            "  password varchar(255) NOT NULL,\n"
            "  name varchar(255) NOT NULL DEFAULT '',\n"
            "  maildir varchar(255) NOT NULL DEFAULT '',\n"
            "  quota bigint NOT NULL DEFAULT 0,\n"
            "  local_part varchar(255) NOT NULL,\n"
            "  domain varchar(255) NOT NULL,\n"
            "  created %s NOT NULL DEFAULT '2000-01-01 00:00:00',\n"
            "  modified %s NOT NULL DEFAULT '2000-01-01 00:00:00',\n"
            "  active %s NOT NULL DEFAULT %s%s);\n"
            "CREATE INDEX mailbox_domain ON mailbox (domain);\n"
            % (active, "false" if pg and pfa else "0", ts, ts, active,
               act_def, ts, ts, active, act_def, extra))

    def concat(self, *parts):
        if self.name == "mysql":
            return "CONCAT(" + ", ".join(parts) + ")"
        return " || ".join(parts)

    def conf_text(self, connect, extra=""):
        """the conf `sluice userdb init` writes for SQLite, in this
        server's dialect"""
        d = ("CASE WHEN substr(maildir, 1, 1) = '/' THEN maildir ELSE %s "
             "END" % self.concat("'%s/'" % VMAIL, "maildir"))
        q = ("%%s COALESCE(home, %s) AS %%shome, %s AS %%smail, "
             "COALESCE(uid, '%d') AS %%suid, COALESCE(gid, '%d') AS "
             "%%sgid, CASE WHEN quota > 0 THEN %s END AS %%squota_rule "
             "FROM mailbox WHERE username = '%%%%u' AND active = 1"
             % (d, self.concat("'maildir:'", d), U.uid, U.gid,
                self.concat("'*:bytes='", "quota")))
        pre = "SELECT username AS user, password,"
        return ("# written by userdbsql.py: the queries of `sluice "
                "userdb init`\n"
                "driver = %s\nconnect = %s\n"
                "default_pass_scheme = SHA512-CRYPT\n"
                "password_query = %s\n"
                "user_query = %s\n"
                "iterate_query = SELECT username AS user FROM mailbox "
                "WHERE active = 1\n%s"
                % (self.name, connect,
                   q % ((pre,) + ("userdb_",) * 5),
                   q % (("SELECT",) + ("",) * 5), extra))

    def setup(self):
        try:
            self.admin(self.schema())
            ok(True, "%s: the postfixadmin-style tables" % self.name)
        except Exception as e:
            ok(False, "%s: the postfixadmin-style tables" % self.name, e)
            tap.bail("cannot go on without tables")
        with open(SQLCONF, "w") as f:
            f.write(self.conf_text(self.connect))
        os.chmod(SQLCONF, 0o600)    # the password is in it
        cols = [r[0] for r in self.admin(
            "SELECT column_name FROM information_schema.columns WHERE "
            "table_name = 'mailbox'%s;" % (
                " AND table_schema = 'mail'" if self.name == "mysql"
                else ""))]
        ok(all(c in cols for c in ("username", "password", "name",
                                   "maildir", "quota", "local_part",
                                   "domain", "created", "modified",
                                   "active", "home", "uid", "gid")),
           "mailbox has postfixadmin's columns and home/uid/gid", cols)

    def load(self):
        vals = ",\n".join("(%s)" % ", ".join(self.sqllit(v) for v in row)
                          for row in user_rows())
        self.admin("INSERT INTO mailbox (username, password, maildir, "
                   "quota, local_part, domain, uid, gid) VALUES\n%s;\n"
                   "INSERT INTO domain (domain) VALUES %s;\n"
                   % (vals, ", ".join("('d%d.example')" % i
                                      for i in range(10))))

    def decode(self, lit):
        if self.name != "mysql":
            return lit.replace(b"''", b"'")
        table = {b"0": b"\0", b"n": b"\n", b"r": b"\r", b"Z": b"\x1a"}
        return re.sub(rb"\\(.)", lambda m: table.get(m.group(1),
                                                     m.group(1)), lit,
                      flags=re.S)

    @property
    def Q_RE(self):
        lit = rb"((?:[^'\\]|\\.)*)" if self.name == "mysql" else \
            rb"((?:[^']|'')*)"
        return re.compile(Q_HEAD + lit + Q_TAIL, re.S)

    def pfa_db(self):
        """a database as postfixadmin makes it, in this server; the
        connect string"""
        if self.name == "pgsql":
            self.server.sql("CREATE DATABASE pfa OWNER %s ENCODING 'UTF8' "
                            "TEMPLATE template0;" % APP_USER)
        else:
            self.server.sql("CREATE DATABASE pfa CHARACTER SET utf8mb4;")
            self.server.grant("pfa", APP_USER)
        self.admin(self.schema(pfa=True), db="pfa")
        return self.server.connect_string("pfa", APP_USER, APP_PASSWORD)

    def session(self):
        """the server's settings that would change what a literal means
        (PostgreSQL: standard_conforming_strings off; MySQL:
        NO_BACKSLASH_ESCAPES, a client character set from an option
        file) are put right on every connection"""
        path = srv.path("session.conf")
        extra = ""
        if self.name == "pgsql":
            self.admin("ALTER DATABASE mail SET standard_conforming_strings "
                       "= off;")
            home = ("'/' || current_setting('standard_conforming_strings')"
                    " || '/' || current_setting('client_encoding')")
            want = "/on/UTF8"
        else:
            cnf = srv.path("my.cnf")
            with open(cnf, "w") as f:
                f.write("[sluice]\ndefault-character-set = latin1\n")
            extra = " option_file=%s option_group=sluice" % cnf
            self.server.sql("SET GLOBAL sql_mode = CONCAT("
                            "@@GLOBAL.sql_mode, ',NO_BACKSLASH_ESCAPES');")
            home = ("CONCAT('/', @@character_set_client, '/', "
                    "@@SESSION.sql_mode LIKE '%%NO_BACKSLASH_ESCAPES%%')")
            want = "/utf8mb4/0"
        with open(path, "w") as f:
            f.write("driver = %s\nconnect = %s%s\nuser_query = SELECT %s "
                    "AS home, %d AS uid, %d AS gid FROM mailbox WHERE "
                    "username = '%%u'\n" % (self.name, self.connect, extra,
                                            home, U.uid, U.gid))
        try:
            for name in (HOSTILE[1], HOSTILE[0]):
                r, out, err = sluice("-o", "userdb=sql:" + path, "user",
                                     "lookup", "--json", name)
                ok(r == 0 and json_or(out, {}).get("home") == want,
                   "%s: %s found with the session put right (%s)"
                   % (self.name, name, want), (r, out, err))
        finally:
            if self.name == "pgsql":
                self.admin("ALTER DATABASE mail RESET "
                           "standard_conforming_strings;")
            else:
                self.server.sql("SET GLOBAL sql_mode = REPLACE("
                                "@@GLOBAL.sql_mode, 'NO_BACKSLASH_ESCAPES', "
                                "'');")

    def tempfail_deliver(self):
        addr = users()[1][0]
        self.server.stop()
        t0 = time.monotonic()
        code, err = deliver(addr, message("stopped"))
        took = time.monotonic() - t0
        ok(code == 75, "server stopped: sluice-deliver exits 75", (code, err))
        ok(took < 4, "... at once (%.1f s)" % took)
        code, err = deliver("nobody@d1.example", message("stopped-unknown"))
        ok(code == 75, "server stopped: an unknown user is 75 too, not 67",
           (code, err))
        r, out, err = sluice("user", "list")
        ok(r == 75, "server stopped: user list exits 75", (r, err))
        self.server.start()
        code, err = deliver(addr, message("back"))
        ok(code == 0, "server back: delivered", (code, err))
        self.bad_conf("wrong password", self.server.connect_string(
            self.DB, APP_USER, "wrong"), 75)
        self.bad_conf("no such database", self.server.connect_string(
            "nosuchdb", APP_USER, APP_PASSWORD), 75)
        # a lookup is a temporary failure (mail waits for the fix), the
        # admin command says it is the configuration
        self.bad_conf("an unknown connect key", self.connect + " bogus=1",
                      64, "bogus")
        self.blackhole()

    def bad_conf(self, what, connect, want_list, says=None):
        """a lookup through a conf that cannot work: 75, and `user list`
        on it exits want_list"""
        path = srv.path("bad.conf")
        with open(path, "w") as f:
            f.write(self.conf_text(connect))
        r, out, err = sluice("-o", "userdb=sql:" + path, "user", "lookup",
                             users()[2][0])
        ok(r == 75 and (says is None or says in err),
           "%s: lookup exits 75" % what, (r, err))
        r, out, err2 = sluice("user", "list", "--sql-conf", path)
        ok(r == want_list and (says is None or says in err2),
           "... user list exits %d" % want_list, (r, err2))
        ok(APP_PASSWORD not in err + err2 and "wrong" not in err + err2,
           "... and the password is not in the messages", err + err2)
        os.unlink(path)

    def blackhole(self):
        """a port that accepts connections and never answers: the
        connect timeout (5 s) ends the wait"""
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.bind(("127.0.0.1", 0))
        s.listen(16)
        path = srv.path("hole.conf")
        with open(path, "w") as f:
            f.write(self.conf_text("host=127.0.0.1 port=%d dbname=mail "
                                   "user=x password=y"
                                   % s.getsockname()[1]))
        t0 = time.monotonic()
        try:
            r, out, err = run([SLUICE, "-c", srv.conf, "-o", "userdb=sql:" +
                               path, "user", "lookup", users()[2][0]])
        except subprocess.TimeoutExpired:
            r, err = None, "hung"
        took = time.monotonic() - t0
        s.close()
        ok(r == 75 and took < 15, "a server that never answers: 75 after "
           "the connect timeout (%.1f s)" % took, (r, err))

    def lmtp_down(self, c):
        self.server.stop()
        c.cmd("MAIL FROM:<%s>" % SENDER)
        r = c.cmd("RCPT TO:<%s>" % users()[611][0])
        ok(r.code == 451 and r.enh == "4.3.0",
           "LMTP, server stopped: 451 4.3.0", r)
        r = c.cmd("RCPT TO:<nobody3@d3.example>")
        ok(r.code == 451, "... also for a user that does not exist", r)
        c.cmd("RSET")
        self.server.start()


# ---- the checks ------------------------------------------------------

def setup():
    os.mkdir(VMAIL, 0o755)
    os.mkdir(UIDS)
    os.chmod(UIDS, 0o1777)      # mkdir's mode passes the umask
    if ROOT:
        os.chown(VMAIL, U.uid, U.gid)
    B.setup()
    B.load()
    srv.write_conf(userdb="sql:" + SQLCONF, sql_query_log=QLOG,
                   lmtp_workers="2")


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
    listed = {u["user"]: u for u in json_or(out, {}).get("users", [])}
    ok(len(listed) == N_USERS + len(HOSTILE) + 1,
       "user list --json: all %d users" % (N_USERS + len(HOSTILE) + 1),
       "%d listed; %s" % (len(listed), err))
    nb = listed.get("newbie@example.net", {})
    ok(nb.get("maildir") == "example.net/newbie/" and nb.get("active"),
       "a new user: lowercased, postfixadmin maildir", nb)
    ok(listed.get(HOSTILE[0], {}).get("quota") == 5 * 1048576,
       "--quota 5M stored in bytes", listed.get(HOSTILE[0]))
    ok(all(n in listed for n in HOSTILE), "hostile names stored as they are",
       [n for n in HOSTILE if n not in listed])
    q = "SELECT password FROM mailbox WHERE username = 'newbie@example.net'"
    pw = B.scalar(q)
    ok(pw is not None and pw.startswith("{SHA512-CRYPT}$6$") and
       "typed-secret" not in pw, "password stored as {SHA512-CRYPT}", pw)
    r, _, err = sluice("user", "passwd", "--password", "other",
                       "newbie@example.net")
    pw2 = B.scalar(q)
    ok(r == 0 and pw2 is not None and pw2 != pw, "user passwd changes it",
       err)
    r, _, err = sluice("user", "passwd", "--password", "x", "nobody@x.example")
    ok(r == 1, "user passwd of an unknown user: 1", err)
    r, _, err = sluice("user", "del", "newbie@example.net")
    ok(r == 0, "user del", err)
    r, _, err = sluice("user", "del", "newbie@example.net")
    ok(r == 1 and "no such user" in err, "user del again: no such user", err)
    r, out, _ = sluice("user", "lookup", "--json", HOSTILE[0])
    rec = json_or(out, {})
    ok(r == 0 and rec.get("home") == os.path.join(VMAIL, "example.com",
                                                  "o'brien") + "/"
       and rec.get("quota_rule") == "*:bytes=5242880"
       and rec.get("uid") == U.uid and rec.get("source") == "sql",
       "user lookup through the written user_query", out)


def test_postfixadmin_db():
    """a database postfixadmin made (no home/uid/gid columns) and a conf
    written by hand, as on a site that moves to sluice"""
    connect = B.pfa_db()
    pconf = srv.path("pfa.conf")
    with open(pconf, "w") as f:
        f.write("# as postfixadmin's documentation has it\n"
                "driver = %s\n"
                "connect = %s\n"
                "default_pass_scheme = SHA512-CRYPT\n"
                "user_query = SELECT %s AS home, \\\n"
                "    %d AS uid, %d AS gid, %s AS quota_rule \\\n"
                "    FROM mailbox WHERE username = '%%u' AND active = '1'\n"
                % (B.name, connect, B.concat("'/var/vmail/'", "maildir"),
                   U.uid, U.gid, B.concat("'*:bytes='", "quota")))
    r, _, err = sluice("user", "add", "--sql-conf", pconf, "--password",
                       "pw", "--quota", "2G", "pf@example.org")
    ok(r == 0, "user add on a postfixadmin database", err)
    r, out, err = sluice("user", "list", "--sql-conf", pconf, "--json")
    u = json_or(out, {}).get("users", [])
    ok(len(u) == 1 and u[0]["user"] == "pf@example.org" and
       u[0]["quota"] == 2 << 30 and u[0]["home"] is None and
       u[0]["active"] is True,
       "user list on it", (out, err))
    r, out, err = sluice("-o", "userdb=sql:" + pconf, "user", "lookup",
                         "--json", "pf@example.org")
    rec = json_or(out, {})
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
        mail = json_or(out, {}).get("mail")
        code, err = deliver(name, message("hostile"))
        ok(code == 0 and mail is not None and len(new_files(mail)) == 1,
           "sluice-deliver to %s" % name, (code, err, mail))
    code, err = deliver("nobody@d1.example", message("unknown"))
    ok(code == 67, "sluice-deliver: unknown user exits 67", (code, err))
    code, err = deliver("x' OR '1'='1@d1.example", message("inject"))
    ok(code == 67, "sluice-deliver: an injection attempt is no user",
       (code, err))
    code, err = deliver("x\\' OR 1=1 -- @d1.example", message("inject2"))
    ok(code == 67, "sluice-deliver: a backslash-quote injection is no user",
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
    B.tempfail_deliver()
    os.rename(SQLCONF, SQLCONF + ".away")
    code, err = deliver(users()[1][0], message("noconf"))
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
    n = int(B.scalar("SELECT count(*) FROM mailbox"))
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
    B.lmtp_down(c)
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
    lits = []
    malformed = []
    for q in qs:
        m = B.Q_RE.match(q)
        if m is None:
            malformed.append(q[:200])
        else:
            lits.append(B.decode(m.group(1)))
    ok(qs and not malformed, "every one of %d queries is the template with "
       "one well-formed literal" % len(qs), malformed[:5])
    got = set(lits)
    for name in HOSTILE + ["x' or '1'='1@d1.example",
                           "x\\' or 1=1 -- @d1.example",
                           "\\'; delete from mailbox; --@d2.example"]:
        ok(name.encode() in got, "hostile name reached the query only as a "
           "literal: %s" % name)
    raw = b"'back\\\\slash@example.com'" if B.name == "mysql" else \
        b"'back\\slash@example.com'"
    ok(any(raw in q for q in qs), "%s's literal of back\\slash: %s"
       % (B.name, raw.decode()))
    ok(not any(b"\x00" in q for q in qs), "no NUL byte in any query")
    ok(not any(len(q) > 1500 for q in qs),
       "the 2,000-byte name never reached the database")


def main(backend):
    global srv, B, SQLCONF, QLOG, VMAIL, UIDS, U
    if shutil.which("setpriv") is None and ROOT:
        tap.skip_all("setpriv (util-linux) is needed as root")
    srv = Lmtpd(tap, {}, {"userdb_cache_ttl": "10m"})
    SQLCONF = srv.path("dovecot-sql.conf.ext")
    QLOG = srv.path("queries.log")
    VMAIL = srv.path("vmail")
    UIDS = srv.path("uids")         # homes of users with their own uid
    U = srv.user
    # after Lmtpd: the server's signal handler calls Lmtpd's
    B = SqliteBackend() if backend == "sqlite" else ServerBackend(backend)
    t0 = time.monotonic()
    setup()
    for t in (test_admin, test_postfixadmin_db, B.session, test_deliver,
              test_tempfail_deliver, test_lmtp, test_query_log):
        try:
            t()
        except Exception:
            ok(False, "%s raised" % t.__name__, traceback.format_exc())
    tap.diag("%s: %.1f s" % (backend, time.monotonic() - t0))
    sys.exit(tap.done())
