"""sqlservers - private PostgreSQL and MariaDB servers for script tests.

PgServer: initdb into a temp dir, then `postgres` in the foreground,
listening on a UNIX socket in the temp dir and on 127.0.0.1 at a free
port, password (scram-sha-256) authentication for everyone. As root it
runs as the mail user (sluicetest, see sluicetest.mail_user): postgres
refuses root. MariaServer: mariadb-install-db into a temp datadir, then
`mariadbd --no-defaults` on a UNIX socket in the temp dir and on
127.0.0.1 at a free port (--user=root when root), root with a random
password and no remote root accounts.

Both: missing() says why the server cannot be had (binaries not
installed) or None; start() makes the data dir the first time and waits
until the server answers (ServerError with the server's log if it does
not); stop() shuts it down (start() again brings it back on the same
data, socket and port); sql(text, db=...) runs SQL as the
administrator (PgServer: or user=, a login create_app made) and returns
the rows (lists of str, None for SQL NULL); create_app(db, user,
password) makes a database owned by (MariaDB: granted to) a new login;
connect_string(db, user, password) is the `connect =` value of a
dovecot-sql.conf.ext (PostgreSQL: over the socket, MariaDB: over TCP;
tcp= says otherwise); cleanup() stops and removes everything (also
early; it runs once).

Cleanup: the server is stopped and its temp dir removed at exit
(atexit) and on SIGTERM/SIGINT/SIGHUP (the handler then calls the one
that was installed before: create these after lmtpd_helper.Lmtpd,
whose handler exits without running atexit). The server process also
gets PR_SET_PDEATHSIG=SIGKILL, so it dies with the test even when the
test is killed with SIGKILL (only the temp dir is left then).
"""

import atexit
import ctypes
import glob
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sluicetest import mail_user  # noqa: E402

START_TIMEOUT = 30.0
STOP_TIMEOUT = 20.0
NULL_MARK = "\x1dNULL\x1d"   # how psql is told to print SQL NULL


class ServerError(Exception):
    pass


def free_port():
    """a TCP port on 127.0.0.1 nobody listens on right now"""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _which(name, dirs=()):
    for d in dirs:
        p = os.path.join(d, name)
        if os.access(p, os.X_OK):
            return p
    return shutil.which(name)


def _pdeathsig_preexec(run_as):
    """a preexec_fn: become run_as (uid, gid) if given, then die with
    the parent (set after the uid change, which clears it)"""
    def fn():
        if run_as is not None:
            os.setgroups([])
            os.setgid(run_as[1])
            os.setuid(run_as[0])
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
        os.setpgid(0, 0)
    return fn


class _Server:
    """what both servers share: temp dir, process, cleanup"""
    name = "sql"

    def __init__(self):
        self.proc = None
        self.log_file = None
        self.user = mail_user() if os.geteuid() == 0 else None
        # short: UNIX socket paths are limited to 107 bytes
        self.dir = tempfile.mkdtemp(prefix="sluice-%s." % self.name,
                                    dir="/tmp")
        os.chmod(self.dir, 0o711)
        self.port = free_port()
        self.log = os.path.join(self.dir, "server.log")
        self._cleaned = False
        atexit.register(self.cleanup)
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            prev = signal.getsignal(sig)
            signal.signal(sig, self._signal_handler(prev))

    def _signal_handler(self, prev):
        def handler(signum, frame):
            self.cleanup()
            if callable(prev):
                prev(signum, frame)
            os._exit(128 + signum)
        return handler

    def path(self, *parts):
        return os.path.join(self.dir, *parts)

    def run_as(self):
        return (self.user.uid, self.user.gid) if self.user else None

    def _mkdir_owned(self, d, mode=0o700):
        os.mkdir(d, mode)
        if self.user is not None:
            os.chown(d, self.user.uid, self.user.gid)

    def _spawn(self, argv):
        self.log_file = open(self.log, "ab")
        self.proc = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=self.log_file,
            stderr=subprocess.STDOUT, cwd=self.dir,
            preexec_fn=_pdeathsig_preexec(self.run_as()))

    def log_tail(self, n=20):
        try:
            with open(self.log, "rb") as f:
                lines = f.read().decode("utf-8", "replace").splitlines()
        except OSError:
            return ""
        return "\n".join(lines[-n:])

    def _wait_ready(self, probe):
        t0 = time.monotonic()
        while time.monotonic() - t0 < START_TIMEOUT:
            if self.proc.poll() is not None:
                raise ServerError("%s exited with %s:\n%s" % (
                    self.name, self.proc.returncode, self.log_tail()))
            if probe():
                return
            time.sleep(0.05)
        raise ServerError("%s did not answer in %ds:\n%s" % (
            self.name, START_TIMEOUT, self.log_tail()))

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, sig=signal.SIGTERM):
        """shut the server down; True if it went within STOP_TIMEOUT"""
        if self.proc is None:
            return True
        p, self.proc = self.proc, None
        clean = True
        if p.poll() is None:
            try:
                p.send_signal(sig)
                p.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                clean = False
                p.kill()
                p.wait(timeout=10)
        if self.log_file is not None:
            self.log_file.close()
            self.log_file = None
        return clean

    def cleanup(self):
        if self._cleaned:
            return
        self._cleaned = True
        try:
            self.stop()
        except Exception as e:  # keep cleaning up
            sys.stderr.write("# %s cleanup: %s\n" % (self.name, e))
            if self.proc is not None:
                try:
                    self.proc.kill()
                except OSError:
                    pass
        if os.environ.get("SLUICE_KEEP_TMP"):
            sys.stdout.write("# kept %s\n" % self.dir)
        else:
            shutil.rmtree(self.dir, ignore_errors=True)

    def _client(self, argv, text, env=None):
        e = dict(os.environ)
        e.update(env or {})
        r = subprocess.run(argv, input=text.encode("utf-8"),
                           capture_output=True, env=e, timeout=60)
        if r.returncode != 0:
            raise ServerError("%s: %s" % (self.name, r.stderr.decode(
                "utf-8", "replace").strip()))
        return r.stdout.decode("utf-8", "replace")


class PgServer(_Server):
    """a private PostgreSQL"""
    name = "pgsql"

    @staticmethod
    def bindir():
        env = os.environ.get("SLUICE_PG_BINDIR")
        if env:
            return env
        cands = sorted(glob.glob("/usr/lib/postgresql/*/bin"),
                       key=lambda d: [int(x) if x.isdigit() else 0 for x in
                                      d.split("/")[-2].split(".")])
        for d in reversed(cands):
            if os.access(os.path.join(d, "postgres"), os.X_OK):
                return d
        p = shutil.which("pg_ctl")
        return os.path.dirname(p) if p else None

    @classmethod
    def binaries(cls):
        """{name: path or None} of initdb, postgres, psql"""
        d = cls.bindir()
        return {b: _which(b, [d] if d else []) for b in
                ("initdb", "postgres", "psql")}

    @classmethod
    def missing(cls):
        for b, path in cls.binaries().items():
            if path is None:
                return "PostgreSQL server binaries not found (%s: install " \
                       "postgresql)" % b
        if os.geteuid() == 0 and mail_user() is None:
            return "running as root without a user to run postgres as"
        return None

    def __init__(self):
        super().__init__()
        self.bin = self.binaries()
        self.data = self.path("data")
        self.sockdir = self.path("sock")
        self.passwords = {"postgres": secrets.token_hex(12)}

    def _initdb(self):
        self._mkdir_owned(self.data)
        self._mkdir_owned(self.sockdir, 0o755)
        pwfile = self.path("pw")
        with open(pwfile, "w") as f:
            f.write(self.passwords["postgres"] + "\n")
        if self.user is not None:
            os.chown(pwfile, self.user.uid, self.user.gid)
        r = subprocess.run(
            [self.bin["initdb"], "-D", self.data, "-U",
             "postgres", "--pwfile", pwfile, "--auth=scram-sha-256",
             "-E", "UTF8", "--locale=C", "-N"],
            capture_output=True, preexec_fn=_pdeathsig_preexec(
                self.run_as()), cwd=self.dir, timeout=120)
        os.unlink(pwfile)
        if r.returncode != 0:
            raise ServerError("initdb: %s" % r.stderr.decode(
                "utf-8", "replace")[-2000:])

    def start(self):
        if self.running():
            return
        if not os.path.isdir(self.data):
            self._initdb()
        self._spawn([self.bin["postgres"], "-D", self.data,
                     "-k", self.sockdir, "-p", str(self.port),
                     "-c", "listen_addresses=127.0.0.1",
                     "-c", "fsync=off", "-c", "synchronous_commit=off",
                     "-c", "full_page_writes=off",
                     "-c", "shared_buffers=16MB", "-c", "max_connections=40",
                     "-c", "logging_collector=off",
                     "-c", "unix_socket_permissions=0777"])
        self._wait_ready(self._probe)

    def _probe(self):
        try:
            self.sql("SELECT 1")
            return True
        except ServerError:
            return False

    def stop(self, sig=signal.SIGINT):
        """fast shutdown: sessions are ended at once"""
        return super().stop(sig)

    def sql(self, text, db="postgres", user="postgres"):
        """run text with psql; the rows of its last statement"""
        out = self._client(
            [self.bin["psql"], "-X", "-q", "-A", "-t", "-F", "\x1f", "-0",
             "-v", "ON_ERROR_STOP=1", "-P", "null=" + NULL_MARK,
             "-h", self.sockdir, "-p", str(self.port), "-U", user,
             "-d", db],
            text, {"PGPASSWORD": self.passwords[user],
                   "PGCONNECT_TIMEOUT": "5"})
        rows = []
        for rec in out.split("\0"):
            rec = rec.lstrip("\n")
            if rec == "":
                continue
            rows.append([None if v == NULL_MARK else v
                         for v in rec.split("\x1f")])
        return rows

    def create_app(self, db, user, password):
        """a login user owning a new UTF8 database db"""
        self.sql("CREATE ROLE %s LOGIN PASSWORD '%s';\n"
                 "CREATE DATABASE %s OWNER %s ENCODING 'UTF8' "
                 "TEMPLATE template0;\n"
                 % (user, password.replace("'", "''"), db, user))
        self.passwords[user] = password

    def connect_string(self, db, user, password, tcp=False):
        """libpq's words, each value quoted as libpq reads them"""
        def q(v):
            return "'" + str(v).replace("\\", "\\\\").replace(
                "'", "\\'") + "'"
        host = "127.0.0.1" if tcp else self.sockdir
        return "host=%s port=%s dbname=%s user=%s password=%s" % (
            q(host), q(self.port), q(db), q(user), q(password))


class MariaServer(_Server):
    """a private MariaDB (or MySQL with the same tools)"""
    name = "mysql"
    SBIN = ("/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin")

    @classmethod
    def binaries(cls):
        return (_which("mariadbd", cls.SBIN) or _which("mysqld", cls.SBIN),
                _which("mariadb-install-db", cls.SBIN) or
                _which("mysql_install_db", cls.SBIN),
                _which("mariadb", cls.SBIN) or _which("mysql", cls.SBIN))

    @classmethod
    def missing(cls):
        for b, what in zip(cls.binaries(), ("mariadbd", "mariadb-install-db",
                                            "the mariadb client")):
            if b is None:
                return "MariaDB server binaries not found (%s: install " \
                       "mariadb-server)" % what
        return None

    def __init__(self):
        super().__init__()
        self.user = None      # mariadbd runs as root with --user=root
        self.server, self.install, self.client = self.binaries()
        self.data = self.path("data")
        self.sock = self.path("mysqld.sock")
        self.root_pw = None

    def _install(self):
        argv = [self.install, "--no-defaults", "--datadir=" + self.data,
                "--auth-root-authentication-method=normal",
                "--skip-test-db"]
        if os.geteuid() == 0:
            argv.append("--user=root")
        r = subprocess.run(argv, capture_output=True, cwd=self.dir,
                           timeout=120)
        if r.returncode != 0:
            raise ServerError("mariadb-install-db: %s" % (
                r.stdout + r.stderr).decode("utf-8", "replace")[-2000:])

    def start(self):
        if self.running():
            return
        first = not os.path.isdir(self.data)
        if first:
            self._install()
        argv = [self.server, "--no-defaults", "--datadir=" + self.data,
                "--socket=" + self.sock, "--port=%d" % self.port,
                "--bind-address=127.0.0.1", "--skip-name-resolve",
                "--pid-file=" + self.path("mysqld.pid"),
                "--log-error=" + self.log, "--skip-log-bin",
                "--innodb-buffer-pool-size=16M",
                "--innodb-flush-log-at-trx-commit=0", "--max-connections=40"]
        if os.geteuid() == 0:
            argv.append("--user=root")
        self._spawn(argv)
        self._wait_ready(self._probe)
        if first:
            # root only on the socket, with a password; nobody else
            pw = secrets.token_hex(12)
            self.sql("DELETE FROM mysql.global_priv WHERE User = '' OR "
                     "(User = 'root' AND Host <> 'localhost');\n"
                     "FLUSH PRIVILEGES;\n"
                     "ALTER USER 'root'@'localhost' IDENTIFIED BY '%s';\n"
                     % pw)
            self.root_pw = pw

    def _probe(self):
        try:
            self.sql("SELECT 1")
            return True
        except ServerError:
            return False

    def sql(self, text, db=None):
        """run text as root with the mariadb client (batch, raw); the
        rows of the statements that return any; "NULL" is None"""
        argv = [self.client, "--no-defaults", "-S", self.sock, "-u", "root",
                "-N", "-B", "-r", "--connect-timeout=5"]
        if db is not None:
            argv += ["-D", db]
        env = {"MYSQL_PWD": self.root_pw} if self.root_pw else {}
        out = self._client(argv, text, env)
        return [[None if v == "NULL" else v for v in line.split("\t")]
                for line in out.split("\n") if line != ""]

    def create_app(self, db, user, password):
        """a utf8mb4 database db and a login user with every right on it
        (over the socket and over TCP from 127.0.0.1)"""
        text = "CREATE DATABASE %s CHARACTER SET utf8mb4;\n" % db
        lit = password.replace("\\", "\\\\").replace("'", "''")
        for host in ("localhost", "127.0.0.1"):
            text += ("CREATE USER '%s'@'%s' IDENTIFIED BY '%s';\n"
                     "GRANT ALL ON %s.* TO '%s'@'%s';\n"
                     % (user, host, lit, db, user, host))
        self.sql(text)

    def grant(self, db, user):
        text = ""
        for host in ("localhost", "127.0.0.1"):
            text += "GRANT ALL ON %s.* TO '%s'@'%s';\n" % (db, user, host)
        self.sql(text)

    def connect_string(self, db, user, password, tcp=True):
        """Dovecot's words split at white space: no quoting (nor white
        space in a value)"""
        if tcp:
            return "host=127.0.0.1 port=%d dbname=%s user=%s password=%s" \
                % (self.port, db, user, password)
        return "host=%s dbname=%s user=%s password=%s" % (
            self.sock, db, user, password)


SERVERS = {"pgsql": PgServer, "mysql": MariaServer}
