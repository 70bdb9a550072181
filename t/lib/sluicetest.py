"""sluicetest - shared helpers for sluice's Python script tests.

TAP output, a private temp dir removed on exit (also on SIGTERM/SIGINT),
a registry of cleanups (processes, mounts, anything), the mail user the
tests deliver as, sluice.conf and passwd-file writers, running
sluice-deliver, and readers for what it stores (Maildir files, mbox
files) that check a message came back byte for byte.

Test messages carry two headers that make them self-checking:
  X-Sluice-Test-Id: a unique id
  X-Sluice-Sum: sha256 of the body (the bytes after the first empty line)
and their bodies never contain a line starting with ">From " (only
"From " lines), so an mbox read back with one level of >From unquoting
gives the original bytes whether the writer used mboxo or mboxrd quoting.
"""

import atexit
import hashlib
import os
import pwd
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time

TEST_USER = "sluicetest"

# exit codes of sluice-deliver (sysexits)
EX_OK, EX_USAGE, EX_DATAERR, EX_NOUSER, EX_TEMPFAIL, EX_NOPERM = \
    0, 64, 65, 67, 75, 77


class Tap:
    """TAP producer: ok/is_eq/skip/diag, plan printed by done()."""

    def __init__(self):
        self.n = 0
        self.failed = 0

    def _out(self, line):
        sys.stdout.write(line + "\n")
        sys.stdout.flush()

    def ok(self, cond, name, detail=None):
        self.n += 1
        name = name.replace("#", "\\#").replace("\n", " ")
        self._out("%s %d - %s" % ("ok" if cond else "not ok", self.n, name))
        if not cond:
            self.failed += 1
            if detail:
                self.diag(detail, err=True)
        return bool(cond)

    def is_eq(self, got, want, name):
        return self.ok(got == want, name,
                       "     got: %r\nexpected: %r" % (got, want))

    def skip(self, reason, count=1):
        for _ in range(count):
            self.n += 1
            self._out("ok %d # skip %s" % (self.n, reason))

    def diag(self, text, err=False):
        stream = sys.stderr if err else sys.stdout
        for line in str(text).splitlines() or [""]:
            stream.write("# " + line + "\n")
        stream.flush()

    def skip_all(self, reason):
        self._out("1..0 # SKIP " + reason)
        sys.exit(0)

    def bail(self, reason):
        self._out("Bail out! " + reason)
        sys.exit(255)

    def done(self):
        self._out("1..%d" % self.n)
        return 1 if self.failed else 0


def _temp_base():
    """$TMPDIR, unless running as root and the mail user could not reach
    below it (then /tmp)"""
    base = tempfile.gettempdir()
    if os.geteuid() == 0:
        p = os.path.realpath(base)
        while p != "/":
            if not os.stat(p).st_mode & 0o001:
                return "/tmp"
            p = os.path.dirname(p)
    return base


class Sandbox:
    """A temp dir plus cleanups run in reverse order at exit or signal."""

    def __init__(self, name):
        self.cleanups = []
        self.procs = []
        self.dir = tempfile.mkdtemp(prefix="sluice-%s-" % name,
                                    dir=_temp_base())
        # the mail user (not root) must be able to reach homes below it
        os.chmod(self.dir, 0o711)
        self.add_cleanup(lambda: shutil.rmtree(self.dir, ignore_errors=True))
        atexit.register(self.cleanup)
        # (not SIGPIPE: Python ignores it so that a child that exits
        # without reading its stdin is a BrokenPipeError, not a death)
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(sig, self._on_signal)

    def _on_signal(self, signum, frame):
        self.cleanup()
        sys.exit(128 + signum)

    def add_cleanup(self, fn):
        self.cleanups.append(fn)

    def cleanup(self):
        for p in self.procs:
            if p.poll() is None:
                try:
                    p.kill()
                    p.wait(timeout=10)
                except (OSError, subprocess.TimeoutExpired):
                    pass
        self.procs = []
        while self.cleanups:
            fn = self.cleanups.pop()
            try:
                fn()
            except Exception as e:  # keep cleaning up
                sys.stderr.write("# cleanup: %s\n" % e)

    def path(self, *parts):
        return os.path.join(self.dir, *parts)

    def popen(self, *args, **kw):
        p = subprocess.Popen(*args, **kw)
        self.procs.append(p)
        return p

    def mount_tmpfs(self, where, size):
        """mount a tmpfs of size (e.g. "1m") at where (root only);
        returns None, or why it could not be mounted"""
        os.makedirs(where, exist_ok=True)
        r = subprocess.run(["mount", "-t", "tmpfs", "-o",
                            "size=%s,mode=0755" % size, "sluice-test", where],
                           capture_output=True, text=True)
        if r.returncode != 0:
            return (r.stderr.strip() or "mount exit %d" % r.returncode)

        def umount():
            r = subprocess.run(["umount", where], capture_output=True)
            if r.returncode != 0:
                subprocess.run(["umount", "-l", where], capture_output=True)
        self.add_cleanup(umount)
        return None


class MailUser:
    """who deliveries run as: uid, gid and a name (None if no user)."""

    def __init__(self, name, uid, gid):
        self.name, self.uid, self.gid = name, uid, gid


def is_root():
    return os.geteuid() == 0


def mail_user():
    """the uid/gid mail is delivered as.

    As root: the dedicated user sluicetest, created (and left in place)
    if missing, so sluice-deliver has an unprivileged uid to switch to.
    Otherwise: ourselves. Returns None if root and no user can be had."""
    if not is_root():
        pw = pwd.getpwuid(os.getuid())
        return MailUser(pw.pw_name, os.getuid(), os.getgid())
    try:
        pw = pwd.getpwnam(TEST_USER)
    except KeyError:
        subprocess.run(["useradd", "--system", "--user-group",
                        "--no-create-home", "--home-dir", "/nonexistent",
                        "--shell", "/usr/sbin/nologin",
                        "--comment", "sluice test suite", TEST_USER],
                       capture_output=True)
        try:
            pw = pwd.getpwnam(TEST_USER)  # also if a parallel test made it
        except KeyError:
            return None
    return MailUser(pw.pw_name, pw.pw_uid, pw.pw_gid)


def make_dirs(path, user, mode=0o700):
    """mkdir -p, the new directories owned by user"""
    missing = []
    p = path
    while not os.path.isdir(p):
        missing.append(p)
        p = os.path.dirname(p)
    for d in reversed(missing):
        os.mkdir(d, mode)
        if is_root():
            os.chown(d, user.uid, user.gid)


def maildir_make(root, user):
    for sub in ("cur", "new", "tmp"):
        make_dirs(os.path.join(root, sub), user)


def write_file(path, data, user=None, mode=0o644):
    with open(path, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())
    os.chmod(path, mode)
    if user is not None and is_root():
        os.chown(path, user.uid, user.gid)


def write_passwd(path, entries, user=None):
    """passwd-file with (address, uid, gid, home) entries"""
    lines = ["%s::%d:%d::%s::\n" % e for e in entries]
    write_file(path, "".join(lines), user)


def write_conf(path, settings, user=None):
    write_file(path, "".join("%s = %s\n" % kv for kv in settings.items()),
               user)


class Deliverer:
    """runs $SLUICE_BUILDDIR/sluice-deliver with a config"""

    def __init__(self, tap, conf=None):
        builddir = os.environ.get("SLUICE_BUILDDIR", os.getcwd())
        self.path = os.path.join(builddir, "sluice-deliver")
        if not os.access(self.path, os.X_OK):
            tap.bail("no sluice-deliver at %s (set SLUICE_BUILDDIR)" %
                     self.path)
        self.conf = conf

    def argv(self, rcpt, sender="sender@example.test", extra=()):
        a = [self.path]
        if self.conf is not None:
            a += ["-c", self.conf]
        if sender is not None:
            a += ["-f", sender]
        return a + ["-d", rcpt] + list(extra)

    def run(self, msg, rcpt, sender="sender@example.test", extra=(),
            timeout=60):
        """(exit code, stderr text); msg is bytes for stdin or a path"""
        a = self.argv(rcpt, sender, extra)
        if isinstance(msg, str):
            a += ["-p", msg]
            msg = b""
        r = subprocess.run(a, input=msg, stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, timeout=timeout)
        return r.returncode, r.stderr.decode(errors="replace")


# --- test messages ---------------------------------------------------

WORDS = ("mail delivery sluice maildir mbox quota sieve header body "
         "message fsync rename lock append postfix sender recipient "
         "From from From: >From From_ line envelope trace").split()


def make_body(rng, size):
    """text lines (some starting with "From ") of about size bytes"""
    out, n = [], 0
    while n < size:
        if rng.random() < 0.05:
            line = "From %s %d" % (rng.choice(WORDS), rng.randrange(10**6))
        else:
            line = " ".join(rng.choice(WORDS)
                            for _ in range(rng.randrange(1, 16)))
            if line.startswith(">"):
                line = "x" + line
        out.append(line + "\n")
        n += len(line) + 1
    return "".join(out).encode()


def make_message(msg_id, size, rng=None, sender="sender@example.test",
                 rcpt="rcpt@example.test", extra_headers=(), body_tail=b""):
    """a self-checking message (see the module docstring)"""
    rng = rng or random.Random(msg_id)
    body = make_body(rng, size) + body_tail
    hdr = ["From: Test Sender <%s>" % sender,
           "To: <%s>" % rcpt,
           "Subject: sluice test message %s" % msg_id,
           "Date: Mon, 01 Jan 2024 00:00:00 +0000",
           "Message-ID: <%s@sluice.test>" % msg_id,
           "X-Sluice-Test-Id: %s" % msg_id,
           "X-Sluice-Sum: %s" % hashlib.sha256(body).hexdigest()]
    hdr += list(extra_headers)
    return ("\n".join(hdr) + "\n\n").encode() + body


def header_value(msg, name):
    """first value of a header in a message's header block, or None"""
    head = msg.split(b"\n\n", 1)[0]
    key = name.lower().encode() + b":"
    for line in head.split(b"\n"):
        if line.lower().startswith(key):
            return line[len(key):].strip().decode(errors="replace")
    return None


def header_count(msg, name):
    head = msg.split(b"\n\n", 1)[0]
    key = name.lower().encode() + b":"
    return sum(1 for line in head.split(b"\n")
               if line.lower().startswith(key))


def sum_ok(msg):
    """the X-Sluice-Sum header matches the body"""
    parts = msg.split(b"\n\n", 1)
    want = header_value(msg, "X-Sluice-Sum")
    return (len(parts) == 2 and want is not None and
            hashlib.sha256(parts[1]).hexdigest() == want)


def trace_prefix(sender, rcpt):
    return ("Return-Path: <%s>\nDelivered-To: %s\n" % (sender, rcpt)).encode()


def strip_trace(stored, sender, rcpt):
    """the message without sluice's two trace headers, or None if the
    stored bytes do not start with exactly them"""
    pre = trace_prefix(sender, rcpt)
    return stored[len(pre):] if stored.startswith(pre) else None


# --- reading what was stored -----------------------------------------

def maildir_files(root, sub="new"):
    d = os.path.join(root, sub)
    try:
        names = sorted(n for n in os.listdir(d) if not n.startswith("."))
    except FileNotFoundError:
        return {}
    out = {}
    for n in names:
        with open(os.path.join(d, n), "rb") as f:
            out[n] = f.read()
    return out


def mbox_split(data):
    """[(from_line, message, separated)]: each message with one level of
    >From unquoting and its separating empty line removed; separated is
    False if no empty line followed it"""
    msgs = []
    if not data:
        return msgs
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
        trailing_nl = True
    else:
        trailing_nl = False
    cur = None
    for line in lines:
        if line.startswith(b"From "):
            if cur is not None:
                msgs.append(cur)
            cur = [line, []]
            continue
        if cur is None:  # garbage before the first From_ line
            cur = [b"", []]
        if line.startswith(b">") and line.lstrip(b">").startswith(b"From "):
            line = line[1:]
        cur[1].append(line)
    if cur is not None:
        msgs.append(cur)
    out = []
    for i, (fl, body) in enumerate(msgs):
        last = i == len(msgs) - 1
        text = b"\n".join(body) + (b"\n" if (not last or trailing_nl) else b"")
        # each message is followed by an empty line
        sep_ok = text.endswith(b"\n\n")
        out.append((fl, text[:-1] if sep_ok else text, sep_ok))
    return out


def wait_for(pred, timeout, step=0.1):
    end = time.monotonic() + timeout
    while True:
        v = pred()
        if v or time.monotonic() >= end:
            return v
        time.sleep(step)


def start(name):
    """common start: (tap, sandbox, mail user or a skip_all)"""
    tap = Tap()
    user = mail_user()
    if user is None:
        tap.skip_all("running as root but cannot create user %s "
                     "(useradd failed)" % TEST_USER)
    sb = Sandbox(name)
    return tap, sb, user


# --- sluice-lmtpd: a private server, its processes and its log -------

def free_port():
    """a TCP port on 127.0.0.1 that nobody listens on right now"""
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def proc_status(pid):
    """/proc/PID/status as {field: value}; {} if the process is gone"""
    out = {}
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                k, _, v = line.partition(":")
                out[k] = v.strip()
    except OSError:
        pass
    return out


def proc_kib(pid, field):
    """a "NNN kB" field of /proc/PID/status (VmRSS, VmHWM) in KiB, or 0"""
    v = proc_status(pid).get(field, "0 kB").split()
    return int(v[0]) if v and v[0].isdigit() else 0


def proc_children(pid):
    """live (not zombie) processes whose parent is pid"""
    kids = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                stat = f.read()
        except OSError:
            continue
        # "pid (comm) state ppid ...": comm may hold spaces or parentheses
        fields = stat[stat.rfind(")") + 2:].split()
        if len(fields) > 1 and fields[0] != "Z" and int(fields[1]) == pid:
            kids.append(int(d))
    return sorted(kids)


def log_fields(line):
    """the key=value pairs of a sluice log line ("quoted" values
    unquoted), plus "_msg" for the text before the first pair"""
    import shlex
    out = {}
    try:
        words = shlex.split(line.split(": ", 1)[-1], posix=True)
    except ValueError:
        words = line.split()
    for w in words:
        k, eq, v = w.partition("=")
        if eq and k.replace("_", "").isalnum():
            out.setdefault(k, v)
    return out


def listener_up(addr, timeout=2.0):
    """a 220 greeting at addr: (host, port) or a UNIX socket path"""
    import socket
    fam = socket.AF_UNIX if isinstance(addr, str) else socket.AF_INET
    try:
        with socket.socket(fam, socket.SOCK_STREAM) as s:
            s.settimeout(timeout)
            s.connect(addr)
            ok = s.recv(512).startswith(b"220")
            s.sendall(b"QUIT\r\n")
            return ok
    except OSError:
        return False


class DaemonProcess:
    """$SLUICE_BUILDDIR/PROGRAM -F -c CONF [args] in its own process group
    (argv_prefix: e.g. systemd-socket-activate and its options, which
    execs the server in place). The whole group is SIGKILLed at cleanup
    if anything of it is left; stderr goes to a file in the sandbox.
    Subclasses say when the daemon is ready (start's ready)."""

    def __init__(self, tap, sb, program, conf, argv_prefix=(),
                 extra_args=()):
        builddir = os.environ.get("SLUICE_BUILDDIR", os.getcwd())
        self.binary = os.path.join(builddir, program)
        if not os.access(self.binary, os.X_OK):
            tap.bail("no %s at %s (set SLUICE_BUILDDIR)" %
                     (program, self.binary))
        self.program = program
        self.tap, self.sb, self.conf = tap, sb, conf
        self.argv = (list(argv_prefix) + [self.binary, "-F", "-c", conf] +
                     list(extra_args))
        self.proc = None
        self.stderr_path = None

    def _start(self, ready, timeout):
        """start; True once ready() says so while the process runs"""
        # lmtpd-stderr-N.txt, auth-stderr-N.txt
        short = self.program[len("sluice-"):]
        self.stderr_path = self.sb.path("%s-stderr-%d.txt" %
                                        (short, len(self.sb.procs)))
        err = open(self.stderr_path, "wb")
        self.proc = self.sb.popen(self.argv, stdin=subprocess.DEVNULL,
                                  stdout=err, stderr=err,
                                  start_new_session=True)
        err.close()
        pgid = self.proc.pid
        self.sb.add_cleanup(lambda: self._killpg(pgid))
        return bool(wait_for(lambda: self.proc.poll() is None and ready(),
                             timeout, 0.05))

    @staticmethod
    def _killpg(pgid):
        try:
            os.killpg(pgid, signal.SIGKILL)
        except OSError:
            pass

    @property
    def pid(self):
        return self.proc.pid

    def workers(self):
        return proc_children(self.proc.pid) if self.proc else []

    def group_alive(self):
        """pids still in the server's process group"""
        pids = []
        for d in os.listdir("/proc"):
            if d.isdigit():
                try:
                    if os.getpgid(int(d)) == self.proc.pid:
                        pids.append(int(d))
                except OSError:
                    pass
        return pids

    def stop(self, timeout=10.0, sig=signal.SIGTERM):
        """send sig; (exit status or None if still running, seconds)"""
        t0 = time.monotonic()
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            pass
        return self.proc.poll(), time.monotonic() - t0

    def stderr(self):
        try:
            with open(self.stderr_path, errors="replace") as f:
                return f.read()
        except (OSError, TypeError):
            return ""


class LmtpdProcess(DaemonProcess):
    """sluice-lmtpd (see DaemonProcess)"""

    def __init__(self, tap, sb, conf, argv_prefix=(), extra_args=()):
        super().__init__(tap, sb, "sluice-lmtpd", conf, argv_prefix,
                         extra_args)

    def start(self, addr, timeout=10.0):
        """start, and wait for a 220 at addr; True when it answers"""
        return self._start(lambda: listener_up(addr), timeout)
