"""ldapserver - a private OpenLDAP slapd for script tests.

LdapServer: a temp dir with a generated slapd.conf (the stock core,
cosine, nis and inetorgperson schemas from /etc/ldap/schema, so
inetOrgPerson and posixAccount entries; one mdb database, or the
built-in ldif backend when back_mdb is not installed; the suffix's
rootdn with a password), seeded with slapadd before the first start,
then `slapd -d stats` in the foreground, listening on
ldap://127.0.0.1:PORT (a free port) and on ldapi:// (a socket in the
temp dir). With tls=True a self-signed certificate for 127.0.0.1 is
made with openssl and slapd offers StartTLS; `cert` is its path (the CA
a client trusts).

missing() says why a server cannot be had (slapd, slapadd or the schemas
not installed) or None. seed(ldif) loads entries (slapadd; only while
the server is stopped); start() starts it and waits until it answers
(LdapError with the log's tail if it does not); stop() shuts it down
(start() again brings it back on the same data, port and socket);
pause() and resume() stop and continue it (SIGSTOP: a hung server).
log() is slapd's stats log (connections, binds, every search with its
base and filter as slapd received it); searches() the SRCH lines of it
as (base, filter) pairs. ssha(password) is an {SSHA} userPassword value
both slapd and sluice check.

Cleanup: slapd is killed and the temp dir removed at exit (atexit) and
on SIGTERM/SIGINT/SIGHUP (the handler then calls the one that was
installed before: create the server after lmtpd_helper.Lmtpd, whose
handler exits without running atexit). slapd also gets
PR_SET_PDEATHSIG=SIGKILL, so it dies with the test even when the test
is killed with SIGKILL.
"""

import atexit
import base64
import ctypes
import hashlib
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.parse

START_TIMEOUT = 15.0
STOP_TIMEOUT = 10.0
SCHEMA_DIR = "/etc/ldap/schema"
SCHEMAS = ("core", "cosine", "nis", "inetorgperson")
MODULE_DIRS = ("/usr/lib/ldap", "/usr/lib/openldap",
               "/usr/lib/x86_64-linux-gnu/openldap")


class LdapError(Exception):
    pass


def free_port():
    """a TCP port on 127.0.0.1 nobody listens on right now"""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _which(name):
    return shutil.which(name) or next(
        (p for p in ("/usr/sbin/" + name, "/usr/local/sbin/" + name)
         if os.access(p, os.X_OK)), None)


def _pdeathsig():
    """preexec_fn: die with the parent (Linux)"""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)   # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def ssha(password, salt=None):
    """{SSHA} userPassword: base64(sha1(password + salt) + salt)"""
    salt = salt if salt is not None else os.urandom(8)
    digest = hashlib.sha1(password.encode() + salt).digest()
    return "{SSHA}" + base64.b64encode(digest + salt).decode()


class LdapServer:
    """a private slapd with its config, data, log and sockets"""

    def __init__(self, suffix="dc=example,dc=test", tls=False):
        self.suffix = suffix
        self.rootdn = "cn=admin," + suffix
        self.rootpw = "admin-" + base64.b16encode(os.urandom(6)).decode()
        self.slapd = _which("slapd")
        self.slapadd = _which("slapadd")
        self.proc = None
        self.logf = None
        self.dir = tempfile.mkdtemp(prefix="sluice-slapd.")
        os.chmod(self.dir, 0o711)   # the mail user reaches the socket
        atexit.register(self.cleanup)
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(sig, self._signal_handler(signal.getsignal(sig)))
        self.port = free_port()
        self.sock = self.path("ldapi")
        self.url = "ldap://127.0.0.1:%d" % self.port
        self.ldapi = "ldapi://" + urllib.parse.quote(self.sock, safe="")
        self.cert = self.path("cert.pem") if tls else None
        self.log_path = self.path("slapd.log")
        self.conf = self.path("slapd.conf")
        if self.missing() is None:
            if tls:
                self._make_cert()
            self._write_conf()

    # --- setup -------------------------------------------------------

    @staticmethod
    def _module_dir():
        for d in MODULE_DIRS:
            if os.path.exists(os.path.join(d, "back_mdb.so")) or \
                    os.path.exists(os.path.join(d, "back_mdb.la")):
                return d
        return None

    def missing(self):
        """why no server can be had here, or None"""
        if self.slapd is None:
            return "slapd is not installed (Debian: slapd)"
        if self.slapadd is None:
            return "slapadd is not installed (Debian: slapd)"
        for s in SCHEMAS:
            if not os.path.exists(os.path.join(SCHEMA_DIR, s + ".schema")):
                return "no %s/%s.schema (Debian: slapd)" % (SCHEMA_DIR, s)
        if self.cert is not None and shutil.which("openssl") is None:
            return "openssl is not installed (for the TLS certificate)"
        return None

    def path(self, *parts):
        return os.path.join(self.dir, *parts)

    def _make_cert(self):
        r = subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
             "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
             "-subj", "/CN=127.0.0.1", "-addext",
             "subjectAltName=IP:127.0.0.1,DNS:localhost",
             "-keyout", self.path("key.pem"), "-out", self.cert],
            capture_output=True, text=True, timeout=60)
        if r.returncode != 0:
            raise LdapError("openssl req: " + r.stderr.strip())

    def _write_conf(self):
        lines = ["include %s/%s.schema" % (SCHEMA_DIR, s) for s in SCHEMAS]
        lines += ["pidfile %s" % self.path("slapd.pid"),
                  "argsfile %s" % self.path("slapd.args")]
        if self.cert is not None:
            lines += ["TLSCertificateFile %s" % self.cert,
                      "TLSCertificateKeyFile %s" % self.path("key.pem")]
        moddir = self._module_dir()
        os.mkdir(self.path("db"), 0o700)
        if moddir is not None:
            lines += ["modulepath " + moddir, "moduleload back_mdb",
                      "database mdb", "maxsize 268435456"]
        else:
            lines += ["database ldif"]
        lines += ['suffix "%s"' % self.suffix,
                  'rootdn "%s"' % self.rootdn,
                  "rootpw %s" % self.rootpw,
                  "directory %s" % self.path("db")]
        if moddir is not None:
            lines += ["index objectClass eq", "index uid,mail eq"]
        # users may read their own entry and bind; anyone may search
        # but not read passwords (as a site would have it)
        lines += ["access to attrs=userPassword by anonymous auth "
                  "by self read by * none",
                  "access to * by * read"]
        with open(self.conf, "w") as f:
            f.write("\n".join(lines) + "\n")

    def seed(self, ldif):
        """load LDIF text with slapadd (the server must be stopped)"""
        if self.running():
            raise LdapError("seed() while slapd runs")
        p = self.path("seed.ldif")
        with open(p, "w", encoding="utf-8") as f:
            f.write(ldif)
        r = subprocess.run([self.slapadd, "-q", "-f", self.conf, "-l", p],
                           capture_output=True, text=True, timeout=120)
        os.unlink(p)
        if r.returncode != 0:
            raise LdapError("slapadd: " + r.stderr.strip()[-2000:])

    # --- the process -------------------------------------------------

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def start(self):
        """start slapd; returns once it answers on TCP and ldapi"""
        if self.running():
            return
        self.logf = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [self.slapd, "-f", self.conf, "-h",
             "%s/ %s" % (self.url, self.ldapi), "-d", "stats"],
            stdin=subprocess.DEVNULL, stdout=self.logf, stderr=self.logf,
            start_new_session=True, preexec_fn=_pdeathsig)
        end = time.monotonic() + START_TIMEOUT
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                break
            if self._answers():
                return
            time.sleep(0.05)
        tail = self.log_tail()
        self._kill()
        raise LdapError("slapd did not start:\n" + tail)

    def _answers(self):
        try:
            with socket.create_connection(("127.0.0.1", self.port), 1):
                pass
            with socket.socket(socket.AF_UNIX) as s:
                s.settimeout(1)
                s.connect(self.sock)
            return True
        except OSError:
            return False

    def stop(self):
        """SIGTERM, wait; the port and the socket are free afterwards"""
        if not self.running():
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            self.proc.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self._kill()
        self._close_log()

    def pause(self):
        """SIGSTOP: connections are still accepted (the kernel's
        backlog), nothing is answered"""
        os.kill(self.proc.pid, signal.SIGSTOP)

    def resume(self):
        os.kill(self.proc.pid, signal.SIGCONT)

    def _kill(self):
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        self._close_log()

    def _close_log(self):
        if self.logf is not None:
            self.logf.close()
            self.logf = None

    # --- what slapd saw ----------------------------------------------

    def log(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except FileNotFoundError:
            return ""

    def log_tail(self, n=30):
        return "\n".join(self.log().splitlines()[-n:])

    SRCH_RE = re.compile(r' SRCH base="(.*)" scope=\d+ deref=\d+ '
                         r'filter="(.*)"$')

    def searches(self):
        """(base, filter) of every search slapd received, in order"""
        out = []
        for line in self.log().splitlines():
            m = self.SRCH_RE.search(line)
            if m:
                out.append((m.group(1), m.group(2)))
        return out

    # --- cleanup -----------------------------------------------------

    def _signal_handler(self, prev):
        def handler(signum, frame):
            self.cleanup()
            if callable(prev):
                prev(signum, frame)
            os._exit(128 + signum)
        return handler

    def cleanup(self):
        self._kill()
        if os.environ.get("SLUICE_KEEP_TMP"):
            print("# kept %s" % self.dir)
        else:
            shutil.rmtree(self.dir, ignore_errors=True)
