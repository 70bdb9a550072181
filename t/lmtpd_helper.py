"""lmtpd_helper - a private sluice-lmtpd for t/lmtpd.t.

Lmtpd: a temp dir with a passwd-file of virtual users (all delivered as
one unprivileged uid: as root the system user sluicetest, created if
missing, see t/lib/sluicetest.py), their homes with Maildirs, a
sluice.conf (log_path, lmtp_pid_file, temp_dir and the listeners all in
the temp dir: a free 127.0.0.1 port and a UNIX socket), and the server
started in the foreground (-F) in its own process group. start() waits
until both listeners answer with a 220 greeting; stop() sends SIGTERM
and reports whether and how it exited. Everything it started is killed
and the temp dir removed at exit, also when the test dies or gets
SIGTERM/SIGINT/SIGHUP.

Client: a raw LMTP client (bytes on the wire, replies parsed into code,
enhanced status code and text), recording every reply so a test can
check the protocol-wide rules (CRLF, enhanced codes).

Tap: the TAP printer (ok / is_eq / skip / diag / skip_all / done).
"""

import atexit
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "lib"))
from sluicetest import mail_user  # noqa: E402  (as root: creates sluicetest)

HOSTNAME = "lmtp.example.test"
IO_TIMEOUT = 5.0


class Tap:
    """TAP producer; the plan is printed by done()"""

    def __init__(self):
        self.n = 0
        self.failed = 0
        self.failed_names = []

    def _out(self, line):
        sys.stdout.write(line + "\n")
        sys.stdout.flush()

    def ok(self, cond, name, detail=None):
        self.n += 1
        name = name.replace("#", "\\#").replace("\n", " ")
        self._out("%s %d - %s" % ("ok" if cond else "not ok", self.n, name))
        if not cond:
            self.failed += 1
            self.failed_names.append(name)
            if detail is not None:
                self.diag(detail)
        return bool(cond)

    def is_eq(self, got, want, name):
        return self.ok(got == want, name,
                       "     got: %r\nexpected: %r" % (got, want))

    def skip(self, reason, count=1):
        for _ in range(count):
            self.n += 1
            self._out("ok %d # skip %s" % (self.n, reason))

    def diag(self, text):
        text = text if isinstance(text, str) else repr(text)
        for line in text.splitlines() or [""]:
            sys.stdout.write("#   " + line + "\n")
        sys.stdout.flush()

    def skip_all(self, reason):
        self._out("1..0 # SKIP " + reason)
        sys.exit(0)

    def bail(self, reason):
        self._out("Bail out! " + reason)
        sys.exit(255)

    def done(self):
        self._out("1..%d" % self.n)
        return 1 if self.failed else 0


def free_port():
    """a TCP port on 127.0.0.1 nobody listens on right now"""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _temp_base():
    """$TMPDIR, or /tmp when the mail user could not traverse it"""
    base = tempfile.gettempdir()
    if os.geteuid() == 0:
        p = os.path.realpath(base)
        while p != "/":
            if not os.stat(p).st_mode & 0o001:
                return "/tmp"
            p = os.path.dirname(p)
    return base


class Lmtpd:
    """a private sluice-lmtpd with its users, config, log and sockets"""

    def __init__(self, tap, users, settings=None):
        """users: {address: home dir name}; settings: extra conf keys"""
        self.tap = tap
        builddir = os.environ.get("SLUICE_BUILDDIR") or os.getcwd()
        self.binary = os.path.join(builddir, "sluice-lmtpd")
        if not os.access(self.binary, os.X_OK):
            tap.skip_all("no sluice-lmtpd in %s (set SLUICE_BUILDDIR)"
                         % builddir)
        self.user = mail_user()
        if self.user is None:
            tap.skip_all("running as root but cannot create user sluicetest")
        self.proc = None
        self.stderr_file = None
        self.others = []          # extra server processes started
        self.dir = tempfile.mkdtemp(prefix="sluice-lmtpd-t.",
                                    dir=_temp_base())
        os.chmod(self.dir, 0o711)  # the mail user must reach the homes
        atexit.register(self.cleanup)
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(sig, self._on_signal)

        self.port = free_port()
        self.sock = self.path("lmtp.sock")
        self.log = self.path("sluice.log")
        self.pidfile = self.path("lmtpd.pid")
        self.stderr_path = self.path("lmtpd.stderr")
        self.conf = self.path("sluice.conf")
        self.spool = self.path("spool")
        os.mkdir(self.spool)
        os.chmod(self.spool, 0o1777)
        self.homes = {}
        lines = []
        os.mkdir(self.path("home"))
        os.chmod(self.path("home"), 0o711)
        for addr, name in users.items():
            home = self.path("home", name)
            self._mkdir_user(home)
            self.homes[addr] = home
            lines.append("%s::%d:%d::%s::\n"
                         % (addr, self.user.uid, self.user.gid, home))
        self.users_file = self.path("users")
        with open(self.users_file, "w", encoding="utf-8") as f:
            f.write("".join(lines))
        self.sent_dir = self.path("sent")  # what sendmail_path was given
        os.mkdir(self.sent_dir)
        os.chmod(self.sent_dir, 0o777)
        sendmail = self.path("sendmail")
        with open(sendmail, "w") as f:
            f.write('#!/bin/sh\nf=$(mktemp %s/mail.XXXXXX)\n'
                    'echo "$*" > "$f.args"\ncat > "$f"\n' % self.sent_dir)
        os.chmod(sendmail, 0o755)
        self.settings = {
            "userdb": "passwd-file:" + self.users_file,
            "mail_location": "maildir:~/Maildir",
            "log_path": self.log,
            "temp_dir": self.spool,
            "first_valid_uid": str(min(self.user.uid, 500)),
            "sendmail_path": sendmail,
            "lmtp_listen": "127.0.0.1:%d, unix:%s" % (self.port, self.sock),
            "lmtp_pid_file": self.pidfile,
            "lmtp_hostname": HOSTNAME,
            "lmtp_timeout": "10s",
        }
        self.settings.update(settings or {})
        self.write_conf()

    # --- files -------------------------------------------------------

    def path(self, *parts):
        return os.path.join(self.dir, *parts)

    def _mkdir_user(self, d, mode=0o700):
        os.mkdir(d, mode)
        if os.geteuid() == 0:
            os.chown(d, self.user.uid, self.user.gid)

    def write_conf(self, **changes):
        self.settings.update(changes)
        with open(self.conf, "w", encoding="utf-8") as f:
            for k, v in self.settings.items():
                f.write("%s = %s\n" % (k, v))

    def write_user_file(self, addr, name, data):
        p = os.path.join(self.homes[addr], name)
        with open(p, "wb") as f:
            f.write(data if isinstance(data, bytes) else data.encode())
        if os.geteuid() == 0:
            os.chown(p, self.user.uid, self.user.gid)
        return p

    def maildir(self, addr, folder=""):
        """the Maildir (or Maildir++ folder, dotted name) of a user"""
        md = os.path.join(self.homes[addr], "Maildir")
        return os.path.join(md, "." + folder) if folder else md

    def files(self, addr, folder="", sub="new"):
        """{path: bytes} of the messages in a folder's new/ (or sub)"""
        d = os.path.join(self.maildir(addr, folder), sub)
        try:
            names = sorted(n for n in os.listdir(d) if not n.startswith("."))
        except FileNotFoundError:
            return {}
        out = {}
        for n in names:
            p = os.path.join(d, n)
            with open(p, "rb") as f:
                out[p] = f.read()
        return out

    def tmp_leftovers(self):
        """files in any tmp/ below any user's Maildir"""
        left = []
        for home in self.homes.values():
            for dirpath, dirnames, filenames in os.walk(
                    os.path.join(home, "Maildir")):
                if os.path.basename(dirpath) == "tmp":
                    left += [os.path.join(dirpath, f) for f in filenames]
        return left

    def read_log(self):
        try:
            with open(self.log, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except FileNotFoundError:
            return ""

    def read_stderr(self):
        try:
            with open(self.stderr_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except FileNotFoundError:
            return ""

    def sent(self):
        return sorted(n for n in os.listdir(self.sent_dir)
                      if not n.endswith(".args"))

    # --- the process -------------------------------------------------

    def run_other(self, args, timeout=5):
        """run a second sluice-lmtpd -F with this config plus args;
        (exit code or None if it kept running, stderr text)"""
        err = open(self.path("other.stderr"), "wb")
        p = subprocess.Popen([self.binary, "-F", "-c", self.conf] + args,
                             stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL, stderr=err,
                             start_new_session=True)
        self.others.append(p)
        try:
            rc = p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            rc = None
            _kill_group(p)
        err.close()
        with open(self.path("other.stderr"), "rb") as f:
            return rc, f.read().decode("utf-8", "replace")

    def start(self, timeout=10):
        """start the server; True once TCP and UNIX listeners greet"""
        self.stderr_file = open(self.stderr_path, "ab")
        self.proc = subprocess.Popen(
            [self.binary, "-F", "-c", self.conf],
            stdin=subprocess.DEVNULL, stdout=self.stderr_file,
            stderr=self.stderr_file, start_new_session=True)
        end = time.monotonic() + timeout
        pending = [("127.0.0.1", self.port), self.sock]
        while pending and time.monotonic() < end:
            if self.proc.poll() is not None:
                return False
            addr = pending[0]
            try:
                c = Client(addr, timeout=2)
                r = c.reply()
                c.close()
                if r.code == 220:
                    pending.pop(0)
                    continue
            except (OSError, ProtocolError):
                pass
            time.sleep(0.05)
        return not pending

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def group_alive(self):
        """any process left in the server's process group"""
        if self.proc is None:
            return False
        try:
            os.killpg(self.proc.pid, 0)
            return True
        except ProcessLookupError:
            return False
        except PermissionError:
            return True

    def group_ps(self):
        """ps lines of the server's process group, for diagnostics"""
        if self.proc is None:
            return ""
        r = subprocess.run(["ps", "-o", "pid,ppid,stat,wchan:20,args",
                            "-g", str(self.proc.pid)],
                           capture_output=True, text=True)
        return r.stdout

    def signal(self, sig):
        os.kill(self.proc.pid, sig)

    def wait(self, timeout):
        """the exit code, or None if still running after timeout"""
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self, timeout=5.0):
        """SIGTERM; (exit code or None if still running, seconds taken)"""
        t0 = time.monotonic()
        self.signal(signal.SIGTERM)
        rc = self.wait(timeout)
        return rc, time.monotonic() - t0

    def cleanup(self):
        for p in [self.proc] + self.others:
            if p is not None:
                _kill_group(p)
        if self.stderr_file is not None:
            self.stderr_file.close()
            self.stderr_file = None
        if os.environ.get("SLUICE_KEEP_TMP"):
            sys.stdout.write("# kept %s\n" % self.dir)
        else:
            shutil.rmtree(self.dir, ignore_errors=True)

    def _on_signal(self, signum, frame):
        self.cleanup()
        os._exit(128 + signum)


def _kill_group(p):
    """SIGKILL the process group of a server this module started"""
    try:
        os.killpg(p.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        p.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pass


# --- the client ------------------------------------------------------

class ProtocolError(Exception):
    pass


ENH_RE = re.compile(r"^[245]\.\d{1,3}\.\d{1,3}(?: |$)")


class Reply:
    """one (possibly multi-line) reply"""

    def __init__(self, code, lines, crlf):
        self.code = code
        self.lines = lines          # text after "NNN-" / "NNN " (str)
        self.crlf = crlf            # every line ended in CRLF
        self.text = lines[0] if lines else ""
        m = ENH_RE.match(self.text)
        self.enh = m.group(0).strip() if m else None

    def __repr__(self):
        return "<%s>" % " | ".join("%d %s" % (self.code, t)
                                   for t in self.lines)


class Client:
    """raw LMTP over TCP ((host, port)) or a UNIX socket (path)"""

    replies = []  # every reply any client read, for protocol-wide checks

    def __init__(self, addr, timeout=IO_TIMEOUT):
        if isinstance(addr, str):
            self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        else:
            self.s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.s.settimeout(timeout)
        try:
            self.s.connect(addr)
        except OSError:
            self.s.close()
            raise
        self.buf = b""
        self.eof = False

    def send(self, data):
        if isinstance(data, str):
            data = data.encode("utf-8")
        self.s.sendall(data)

    def line(self):
        """one line without its end (bytes), None at EOF; CR kept"""
        while b"\n" not in self.buf:
            if self.eof:
                return None
            try:
                chunk = self.s.recv(65536)
            except ConnectionResetError:
                chunk = b""
            if not chunk:
                self.eof = True
                if self.buf:
                    line, self.buf = self.buf, b""
                    return line
                return None
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return line

    def reply(self):
        lines, crlf = [], True
        while True:
            raw = self.line()
            if raw is None:
                raise ProtocolError("connection closed, got %r" % lines)
            if raw.endswith(b"\r"):
                raw = raw[:-1]
            else:
                crlf = False
            if len(raw) < 3 or not raw[:3].isdigit():
                raise ProtocolError("bad reply line %r" % raw)
            lines.append(raw[4:].decode("utf-8", "replace"))
            if raw[3:4] != b"-":
                r = Reply(int(raw[:3]), lines, crlf)
                Client.replies.append(r)
                return r

    def replies_n(self, n):
        return [self.reply() for _ in range(n)]

    def cmd(self, line):
        self.send(line + ("\r\n" if isinstance(line, str) else b"\r\n"))
        return self.reply()

    def closed(self, timeout=3.0):
        """True once the server has closed the connection (EOF)"""
        self.s.settimeout(timeout)
        try:
            while not self.eof:
                try:
                    chunk = self.s.recv(65536)
                except ConnectionResetError:
                    chunk = b""
                if not chunk:
                    self.eof = True
                else:
                    self.buf += chunk
        except socket.timeout:
            return False
        return True

    def close(self):
        try:
            self.s.close()
        except OSError:
            pass


def wire(msg):
    """a message with LF ends as DATA sends it: CRLF, dot-stuffed, ending
    in CRLF.CRLF"""
    if msg and not msg.endswith(b"\n"):
        msg += b"\n"
    out = []
    for line in msg.split(b"\n")[:-1]:
        if line.startswith(b"."):
            line = b"." + line
        out.append(line + b"\r\n")
    return b"".join(out) + b".\r\n"


def crlf(msg):
    return msg.replace(b"\n", b"\r\n")


def top_fields(stored, n):
    """([the first n header fields, continuation lines included], rest)"""
    fields, pos = [], 0
    for _ in range(n):
        end = stored.find(b"\n", pos)
        while end != -1 and stored[end + 1:end + 2] in (b" ", b"\t"):
            end = stored.find(b"\n", end + 1)
        if end == -1:
            break
        fields.append(stored[pos:end + 1])
        pos = end + 1
    return fields, stored[pos:]


def field_name(field):
    return field.split(b":", 1)[0].strip().lower().decode("ascii", "replace")


def field_value(field):
    v = field.split(b":", 1)[1] if b":" in field else b""
    return b" ".join(v.split()).decode("utf-8", "replace")


def wait_for(pred, timeout, step=0.05):
    end = time.monotonic() + timeout
    while True:
        v = pred()
        if v or time.monotonic() >= end:
            return v
        time.sleep(step)
