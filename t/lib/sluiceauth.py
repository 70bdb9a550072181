"""sluiceauth - a private sluice-auth and a raw client of Dovecot's auth
protocol, for t/auth.t and t/auth-postfix.t.

AuthProcess runs $SLUICE_BUILDDIR/sluice-auth -F -c CONF in its own
process group (killed whole at cleanup); AuthConn speaks the protocol
line by line over the UNIX socket, as Postfix's xsasl_dovecot_server.c
does, and keeps the handshake it got.
"""

import base64
import os
import signal
import socket
import subprocess
import time

from sluicetest import proc_children, wait_for


def b64(data):
    return base64.b64encode(data).decode()


def plain_resp(user, password, authzid=""):
    return b64(authzid.encode() + b"\0" + user.encode() + b"\0" +
               password.encode())


class AuthConn:
    """one client connection; lines are str without their LF"""

    def __init__(self, path, handshake=True, cpid=None, timeout=10):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.settimeout(timeout)
        self.s.connect(path)
        self.buf = b""
        self.greeting = []
        self.spid = None
        if handshake:
            self.read_handshake()
            self.send("VERSION\t1\t2")
            self.send("CPID\t%d" % (cpid or os.getpid()))

    def read_handshake(self):
        while True:
            line = self.readline()
            if line is None:
                raise OSError("sluice-auth closed during the handshake")
            self.greeting.append(line)
            if line.startswith("SPID\t"):
                self.spid = int(line.split("\t")[1])
            if line == "DONE":
                return self.greeting

    def send(self, line):
        self.s.sendall(line.encode("latin-1") + b"\n")

    def readline(self, timeout=None):
        """the next line, or None when the server closed"""
        if timeout is not None:
            self.s.settimeout(timeout)
        while b"\n" not in self.buf:
            try:
                data = self.s.recv(65536)
            except ConnectionResetError:
                data = b""
            if not data:
                return None
            self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        return line.decode("latin-1")

    def request(self, line, timeout=10):
        """send line; (reply, seconds it took)"""
        t0 = time.monotonic()
        self.send(line)
        reply = self.readline(timeout)
        return reply, time.monotonic() - t0

    def plain(self, rid, user, password, extra="", timeout=10):
        return self.request("AUTH\t%d\tPLAIN\tservice=smtp%s\tresp=%s" % (
            rid, extra, plain_resp(user, password)), timeout)

    def closed(self, timeout=5):
        """True when the server closes the connection within timeout"""
        self.s.settimeout(timeout)
        try:
            while True:
                data = self.s.recv(65536)
                if not data:
                    return True
        except ConnectionResetError:
            return True
        except socket.timeout:
            return False

    def close(self):
        self.s.close()


class AuthProcess:
    """$SLUICE_BUILDDIR/sluice-auth -F -c CONF [args]"""

    def __init__(self, tap, sb, conf, sock, extra_args=()):
        builddir = os.environ.get("SLUICE_BUILDDIR", os.getcwd())
        self.binary = os.path.join(builddir, "sluice-auth")
        if not os.access(self.binary, os.X_OK):
            tap.bail("no sluice-auth at %s (set SLUICE_BUILDDIR)" %
                     self.binary)
        self.tap, self.sb, self.conf, self.sock = tap, sb, conf, sock
        self.argv = [self.binary, "-F", "-c", conf] + list(extra_args)
        self.proc = None
        self.stderr_path = None

    def start(self, timeout=10.0):
        """start; True once a client gets the whole handshake"""
        self.stderr_path = self.sb.path("auth-stderr-%d.txt" %
                                        len(self.sb.procs))
        err = open(self.stderr_path, "wb")
        self.proc = self.sb.popen(self.argv, stdin=subprocess.DEVNULL,
                                  stdout=err, stderr=err,
                                  start_new_session=True)
        err.close()
        pgid = self.proc.pid
        self.sb.add_cleanup(lambda: self._killpg(pgid))
        return bool(wait_for(lambda: self.proc.poll() is None and
                             self.answers(), timeout, 0.05))

    def answers(self):
        try:
            c = AuthConn(self.sock, handshake=False, timeout=2)
            ok = c.read_handshake()[-1] == "DONE"
            c.close()
            return ok
        except OSError:
            return False

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
