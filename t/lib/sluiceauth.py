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

from sluicetest import DaemonProcess


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


class AuthProcess(DaemonProcess):
    """$SLUICE_BUILDDIR/sluice-auth -F -c CONF [args] (see DaemonProcess)"""

    def __init__(self, tap, sb, conf, sock, extra_args=()):
        super().__init__(tap, sb, "sluice-auth", conf, (), extra_args)
        self.sock = sock

    def start(self, timeout=10.0):
        """start; True once a client gets the whole handshake"""
        return self._start(self.answers, timeout)

    def answers(self):
        try:
            c = AuthConn(self.sock, handshake=False, timeout=2)
            ok = c.read_handshake()[-1] == "DONE"
            c.close()
            return ok
        except OSError:
            return False
