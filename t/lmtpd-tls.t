#!/usr/bin/env python3
"""lmtpd-tls.t - STARTTLS in sluice-lmtpd (RFC 3207).

A private server (t/lmtpd_helper.py) with a self-signed certificate made
by openssl(1) for the run. Checks: STARTTLS is offered only with
lmtp_tls_cert and lmtp_tls_key set and only before TLS; after the
handshake the client must send LHLO again, and a message delivered over
TLS is stored with "with LMTPS" in its Received field; commands the
client pipelined behind STARTTLS in the clear are dropped, not run
inside TLS (the command injection of RFC 3207 section 5 / CVE-2011-0411);
STARTTLS a second time or with arguments is refused; a missing key file
keeps the server from starting (exit 78, the reason on stderr); a server
without a certificate offers no STARTTLS and refuses it with 502.
"""
import os
import shutil
import socket
import ssl
import subprocess
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lmtpd_helper import Client, Lmtpd, Tap, wire  # noqa: E402

ALICE = "alice@example.test"
SENDER = "sender@example.org"

tap = Tap()
if shutil.which("openssl") is None:
    tap.skip_all("openssl(1) is not installed")
srv = Lmtpd(tap, {ALICE: "alice"})
cert, key = srv.path("cert.pem"), srv.path("key.pem")
r = subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                    "-keyout", key, "-out", cert, "-days", "2",
                    "-subj", "/CN=lmtp.example.test"],
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
if r.returncode != 0:
    tap.bail("openssl req failed: %s" % r.stderr.decode()[-300:])
srv.write_conf(lmtp_tls_cert=cert, lmtp_tls_key=key)
ok = tap.ok
TCP = ("127.0.0.1", srv.port)

if not ok(srv.start(), "server with a certificate started", srv.read_stderr()):
    tap.bail("sluice-lmtpd did not start")


class TlsClient(Client):
    """Client whose socket can be wrapped after STARTTLS"""

    def starttls(self):
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        self.s = ctx.wrap_socket(self.s, server_hostname="lmtp.example.test")
        self.buf = b""


def lhlo_caps(c):
    r = c.cmd("LHLO client.example.test")
    return r.code, [l.split(" ")[0].upper() for l in r.lines[1:]]


c = TlsClient(TCP)
c.reply()
code, caps = lhlo_caps(c)
ok(code == 250 and "STARTTLS" in caps, "LHLO offers STARTTLS with a certificate", caps)
r = c.cmd("STARTTLS now")
ok(r.code == 501, "STARTTLS with an argument: 501", r)
r = c.cmd("STARTTLS")
ok(r.code == 220 and r.enh == "2.0.0", "STARTTLS: 220 2.0.0", r)
try:
    c.starttls()
    shaken = True
except (ssl.SSLError, OSError) as e:
    shaken = e
ok(shaken is True, "TLS handshake", shaken)
ok(c.s.version() in ("TLSv1.2", "TLSv1.3"), "TLS 1.2 or newer (%s)" % c.s.version())
r = c.cmd("MAIL FROM:<%s>" % SENDER)
ok(r.code == 503, "after the handshake the client must LHLO again (MAIL: 503)", r)
code, caps = lhlo_caps(c)
ok(code == 250 and "STARTTLS" not in caps, "LHLO inside TLS offers no STARTTLS", caps)
r = c.cmd("STARTTLS")
ok(r.code == 502, "STARTTLS inside TLS: 502", r)
before = set(os.listdir(os.path.join(srv.maildir(ALICE), "new"))) \
    if os.path.isdir(os.path.join(srv.maildir(ALICE), "new")) else set()
msg = b"From: <sender@example.org>\nSubject: over TLS\n\nsecret body\n"
rr = [c.cmd("MAIL FROM:<%s>" % SENDER), c.cmd("RCPT TO:<%s>" % ALICE), c.cmd("DATA")]
ok([x.code for x in rr] == [250, 250, 354], "MAIL, RCPT, DATA inside TLS", rr)
c.send(wire(msg))
r = c.reply()
ok(r.code == 250, "delivered over TLS: 250", r)
new = [f for f in os.listdir(os.path.join(srv.maildir(ALICE), "new")) if f not in before]
stored = open(os.path.join(srv.maildir(ALICE), "new", new[0]), "rb").read() if len(new) == 1 else b""
ok(b" with LMTPS id " in stored and stored.endswith(msg),
   "stored with 'with LMTPS' in Received and the message intact", stored[:400])
c.cmd("QUIT")
c.s.close()

# command injection: RSET+MAIL pipelined behind STARTTLS in the clear
c = TlsClient(TCP)
c.reply()
lhlo_caps(c)
c.send(b"STARTTLS\r\nMAIL FROM:<injected@example.org>\r\n")
r = c.reply()
ok(r.code == 220, "STARTTLS with a command pipelined behind it: 220", r)
c.starttls()
code, caps = lhlo_caps(c)
r = c.cmd("RCPT TO:<%s>" % ALICE)
ok(r.code == 503, "the pipelined clear-text MAIL was dropped (RCPT inside TLS: 503)", r)
c.cmd("QUIT")
c.s.close()

srv.stop()

# a key that does not exist: the server refuses to start
srv.write_conf(lmtp_tls_key=srv.path("missing-key.pem"))
rc, err = srv.run_other([])
ok(rc == 78 and "lmtp_tls_key" in err, "missing key file: exit 78 naming lmtp_tls_key", (rc, err))

# no certificate: no STARTTLS
srv.write_conf(lmtp_tls_cert="", lmtp_tls_key="")
ok(srv.start(), "server without a certificate started", srv.read_stderr())
c = Client(TCP)
c.reply()
code, caps = lhlo_caps(c)
ok(code == 250 and "STARTTLS" not in caps, "no certificate: LHLO offers no STARTTLS", caps)
r = c.cmd("STARTTLS")
ok(r.code == 502, "no certificate: STARTTLS refused with 502", r)
c.cmd("QUIT")
c.s.close()
srv.stop()
sys.exit(tap.done())
