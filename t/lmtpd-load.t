#!/usr/bin/env python3
"""lmtpd-load.t - sluice-lmtpd under load and faults.

A private sluice-lmtpd (lmtp_workers 4, lmtp_max_connections 32, a
passwd-file of six virtual users all delivered as one unprivileged uid,
Maildirs, spool, log and pid file in a temp dir, TCP on 127.0.0.1 only,
spool_memory_max 64k so the larger messages go through a spool file):

(a) load: 16 concurrent connections share SLUICE_LMTP_LOAD_TOTAL
    messages (default 2000), pipelined MAIL/RCPT/DATA, each message with
    a unique id and body, a third of them to 3 recipients, the rest to
    1, every 50th over 64k. Afterwards every message is in each of its
    recipients' Maildirs exactly once (id, sha256 of the body, the sent
    bytes intact), nowhere else, nothing in tmp/ or the spool dir, the
    log has one result=ok line per copy, the master added workers for
    the 16 connections (within lmtp_max_connections), and the VmRSS and
    VmHWM of the master and of every worker stayed under RSS_BOUND_KIB.
(b) kill -9 of the worker serving a transaction half-way through DATA:
    nothing delivered, nothing left in tmp/ or the spool dir, the master
    logs it and brings the pool back to lmtp_workers, the server still
    accepts, and the client's retry of the same message is delivered
    exactly once.
(c) kill -9 of the worker right after its 250 replies: the message is
    already in new/ of every recipient (acknowledged means stored).
(d) SIGTERM while a client is in the middle of DATA
    (lmtp_shutdown_timeout 3s): (1) the client sends the rest within the
    timeout: the transaction is answered all-250 (stored once) or
    all-421 (stored nowhere); (2) the client stalls: it gets a 421 before
    the connection closes, nothing is stored. Either way the server
    exits 0 within the timeout plus STOP_SLACK seconds, every worker
    having stopped by itself (none killed by the master), with no
    process left, and removes its pid file.
(e) socket activation: systemd-socket-activate -l 127.0.0.1:PORT
    sluice-lmtpd -F -c CONF, with lmtp_listen naming a UNIX socket that
    must then not be created: a message is delivered through the passed
    socket, and SIGTERM stops the server cleanly.
"""
import os
import random
import shutil
import signal
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "lib"))
from sluicetest import (LmtpdProcess, free_port, header_value,  # noqa: E402
                        log_fields, make_dirs, make_message, proc_kib, start,
                        sum_ok, wait_for, write_conf, write_passwd)

CONNECTIONS = 16
TOTAL = max(CONNECTIONS, int(os.environ.get("SLUICE_LMTP_LOAD_TOTAL",
                                            "2000")))
WORKERS = 4
MAX_CONNECTIONS = 32
SHUTDOWN_TIMEOUT = 3
STOP_SLACK = 3          # seconds beyond lmtp_shutdown_timeout to exit
RSS_BOUND_KIB = 16 * 1024
USERS = ["u%d@example.test" % i for i in range(6)]
SENDER = "sender@example.test"
IO_TIMEOUT = 30
BIG = 300 * 1024        # the half-sent messages of (b) and (d): half is
                        # well over spool_memory_max (64k)

tap, sb, user = start("lmtpd-load")
if shutil.which("systemd-socket-activate") is None:
    SSA = None
else:
    SSA = shutil.which("systemd-socket-activate")

ROOT = sb.path("srv")
SPOOL = os.path.join(ROOT, "spool")
LOG = os.path.join(ROOT, "lmtpd.log")
PIDFILE = os.path.join(ROOT, "run", "lmtpd.pid")


def home(addr):
    return os.path.join(ROOT, "home", addr.split("@")[0])


def setup():
    make_dirs(ROOT, user, 0o755)
    for a in USERS:
        make_dirs(home(a), user)
    make_dirs(SPOOL, user, 0o1777)
    os.makedirs(os.path.dirname(PIDFILE), exist_ok=True)
    passwd = os.path.join(ROOT, "passwd")
    write_passwd(passwd, [(a, user.uid, user.gid, home(a)) for a in USERS])


def write_config(port, listen=None):
    conf = os.path.join(ROOT, "sluice-%d.conf" % port)
    settings = {"userdb": "passwd-file:" + os.path.join(ROOT, "passwd"),
                "mail_location": "maildir:~/Maildir",
                "log_path": LOG,
                "temp_dir": SPOOL,
                "spool_memory_max": "64k",
                "lmtp_listen": listen or "127.0.0.1:%d" % port,
                "lmtp_pid_file": PIDFILE,
                "lmtp_hostname": "lmtp.example.test",
                "lmtp_workers": str(WORKERS),
                "lmtp_max_connections": str(MAX_CONNECTIONS),
                "lmtp_shutdown_timeout": "%ds" % SHUTDOWN_TIMEOUT,
                "lmtp_timeout": "60s"}
    if user.uid < 500:
        settings["first_valid_uid"] = str(user.uid)
    write_conf(conf, settings)
    return conf


def log_lines():
    try:
        with open(LOG, errors="replace") as f:
            return f.read().splitlines()
    except OSError:
        return []


# --- a raw LMTP client -----------------------------------------------

class LmtpError(Exception):
    pass


class Client:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port),
                                             timeout=IO_TIMEOUT)
        self.buf = b""
        code, text = self.reply()
        if code != 220:
            raise LmtpError("greeting: %d %s" % (code, text))
        self.send(b"LHLO client.example.test\r\n")
        code, text = self.reply()
        if code != 250:
            raise LmtpError("LHLO: %d %s" % (code, text))

    def local_port(self):
        return self.sock.getsockname()[1]

    def send(self, data):
        self.sock.sendall(data)

    def line(self):
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise LmtpError("connection closed; partial %r" % self.buf)
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line.decode(errors="replace")

    def reply(self):
        """(code, text of the last line)"""
        while True:
            line = self.line()
            if len(line) < 3 or not line[:3].isdigit():
                raise LmtpError("bad reply line %r" % line)
            if line[3:4] != "-":
                return int(line[:3]), line[4:]

    def begin(self, sender, rcpts):
        """MAIL, RCPTs and DATA pipelined; raises unless all accepted"""
        cmds = ["MAIL FROM:<%s>" % sender]
        cmds += ["RCPT TO:<%s>" % r for r in rcpts] + ["DATA"]
        self.send(("\r\n".join(cmds) + "\r\n").encode())
        replies = [self.reply() for _ in cmds]
        if [c for c, _ in replies] != [250] * (len(cmds) - 1) + [354]:
            raise LmtpError("envelope refused: %r" % replies)

    def finish(self, rest, n_rcpts):
        """the rest of the (wire) data and the dot; one reply per rcpt"""
        self.send(rest + b".\r\n")
        return [self.reply() for _ in range(n_rcpts)]

    def transaction(self, sender, rcpts, msg):
        self.begin(sender, rcpts)
        return self.finish(wire(msg), len(rcpts))

    def closed_after(self, timeout):
        """(replies read, True if the server closed) within timeout"""
        replies = []
        self.sock.settimeout(timeout)
        try:
            while True:
                replies.append(self.reply())
        except (LmtpError, ConnectionError):
            return replies, True
        except socket.timeout:
            return replies, False

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def wire(msg):
    """LF message -> CRLF, dot-stuffed (without the final dot)"""
    lines = msg.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    return b"".join((b"." + l if l.startswith(b".") else l) + b"\r\n"
                    for l in lines)


# --- what is stored ----------------------------------------------------

def stored(addr):
    """{path: bytes} of new/ and cur/ in addr's Maildir"""
    out = {}
    for sub in ("new", "cur"):
        d = os.path.join(home(addr), "Maildir", sub)
        try:
            names = os.listdir(d)
        except FileNotFoundError:
            continue
        for n in names:
            p = os.path.join(d, n)
            with open(p, "rb") as f:
                out[p] = f.read()
    return out


def copies_of(mid):
    """{addr: count} of the stored copies of message mid (each user)"""
    out = {}
    for a in USERS:
        n = sum(1 for d in stored(a).values()
                if header_value(d, "X-Sluice-Test-Id") == mid)
        if n:
            out[a] = n
    return out


def leftovers():
    """files in any Maildir tmp/ and in the spool dir"""
    left = []
    for a in USERS:
        d = os.path.join(home(a), "Maildir", "tmp")
        if os.path.isdir(d):
            left += [os.path.join(d, n) for n in os.listdir(d)]
    left += [os.path.join(SPOOL, n) for n in os.listdir(SPOOL)]
    return left


# --- processes ---------------------------------------------------------

def server_conn_inode(server_port, client_port):
    """the socket inode of the server's end of a loopback connection"""
    # the address is in host byte order: 0100007F little-endian
    loop = ("0100007F", "7F000001")
    want_l = {"%s:%04X" % (a, server_port) for a in loop}
    want_r = {"%s:%04X" % (a, client_port) for a in loop}
    with open("/proc/net/tcp") as f:
        for line in f.readlines()[1:]:
            p = line.split()
            if p[1] in want_l and p[2] in want_r:
                return p[9]
    return None


def serving_worker(srv, server_port, client):
    """the worker holding the server end of client's connection"""
    inode = wait_for(lambda: server_conn_inode(server_port,
                                               client.local_port()), 5, 0.05)
    if inode is None:
        return None
    target = "socket:[%s]" % inode

    def find():
        for pid in srv.workers():
            try:
                for fd in os.listdir("/proc/%d/fd" % pid):
                    if os.readlink("/proc/%d/fd/%s" % (pid, fd)) == target:
                        return pid
            except OSError:
                continue
        return None
    return wait_for(find, 5, 0.05)


def deleted_spool_file(pid):
    """an unlinked file in the spool dir that the process holds open"""
    try:
        for fd in os.listdir("/proc/%d/fd" % pid):
            t = os.readlink("/proc/%d/fd/%s" % (pid, fd))
            if t.startswith(SPOOL) and t.endswith("(deleted)"):
                return t
    except OSError:
        pass
    return None


def start_server(port, what):
    conf = write_config(port)
    srv = LmtpdProcess(tap, sb, conf)
    ok = srv.start(("127.0.0.1", port))
    ok = ok and wait_for(lambda: len(srv.workers()) >= WORKERS, 10, 0.05)
    tap.ok(ok, "%s: sluice-lmtpd started on 127.0.0.1:%d with %d workers"
           % (what, port, WORKERS), srv.stderr() + "\n".join(log_lines()))
    return srv if ok else None


# --- (a) load ------------------------------------------------------------

def plan_messages():
    rng = random.Random(2033)
    plan = []
    for i in range(TOTAL):
        mid = "load-%05d" % i
        rcpts = (rng.sample(USERS, 3) if i % 3 == 0
                 else [rng.choice(USERS)])
        size = (rng.randrange(80 * 1024, 200 * 1024) if i % 50 == 49
                else rng.randrange(200, 6000))
        tail = b".\n..\n.leading dot\n" if i % 7 == 0 else b""
        plan.append((mid, rcpts, make_message(mid, size, rng, SENDER,
                                              rcpts[0], body_tail=tail)))
    return plan


class MemWatch(threading.Thread):
    """samples VmRSS of the master and its workers until stopped"""

    def __init__(self, srv):
        super().__init__(daemon=True)
        self.srv = srv
        self.stop_ev = threading.Event()
        self.peak = {}          # pid -> highest VmRSS/VmHWM seen, KiB
        self.max_workers = 0

    def sample(self):
        kids = self.srv.workers()
        self.max_workers = max(self.max_workers, len(kids))
        for pid in [self.srv.pid] + kids:
            kib = max(proc_kib(pid, "VmRSS"), proc_kib(pid, "VmHWM"))
            if kib:
                self.peak[pid] = max(self.peak.get(pid, 0), kib)

    def run(self):
        while not self.stop_ev.is_set():
            self.sample()
            self.stop_ev.wait(0.1)
        self.sample()


def load_sender(port, batch, errors):
    try:
        c = Client(port)
        for mid, rcpts, msg in batch:
            replies = c.transaction(SENDER, rcpts, msg)
            if [code for code, _ in replies] != [250] * len(rcpts):
                errors.append("%s: %r" % (mid, replies))
        c.send(b"QUIT\r\n")
        c.reply()
        c.close()
    except (OSError, LmtpError) as e:
        errors.append("connection failed: %s" % e)


def check_load(srv, port):
    plan = plan_messages()
    watch = MemWatch(srv)
    watch.start()
    errors = []
    threads = [threading.Thread(target=load_sender,
                                args=(port, plan[k::CONNECTIONS], errors),
                                daemon=True)
               for k in range(CONNECTIONS)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    secs = time.monotonic() - t0
    watch.stop_ev.set()
    watch.join()
    copies = sum(len(r) for _, r, _ in plan)
    tap.ok(not errors and not any(t.is_alive() for t in threads),
           "(a) %d messages (%d copies) over %d concurrent connections, "
           "every recipient answered 250 (%.1fs, %.0f msg/s)" %
           (TOTAL, copies, CONNECTIONS, secs, TOTAL / secs),
           "\n".join(errors[:10]))

    want = {}           # (addr, mid) -> message
    for mid, rcpts, msg in plan:
        for r in rcpts:
            want[(r, mid)] = msg
    seen, bad, extra = {}, [], []
    for a in USERS:
        for path, data in stored(a).items():
            mid = header_value(data, "X-Sluice-Test-Id")
            key = (a, mid)
            seen[key] = seen.get(key, 0) + 1
            if key not in want:
                extra.append("%s: %s" % (path, mid))
            elif not sum_ok(data) or not data.endswith(want[key]):
                bad.append(path)
    missing = [k for k in want if k not in seen]
    dups = [(k, n) for k, n in seen.items() if n > 1]
    tap.ok(not missing, "(a) every message is in each recipient's Maildir",
           "%d missing, e.g. %r" % (len(missing), missing[:5]))
    tap.ok(not dups and not extra, "(a) ... exactly once, and in no other "
           "Maildir", "dups %r extra %r" % (dups[:5], extra[:5]))
    tap.ok(not bad, "(a) ... with the body's sha256 and the sent bytes "
           "intact", "%d bad, e.g. %r" % (len(bad), bad[:5]))
    tap.is_eq(leftovers(), [], "(a) nothing left in tmp/ or the spool dir")
    ok_lines = [f for f in map(log_fields, log_lines())
                if f.get("result") == "ok"
                and f.get("rcpt") in USERS]
    tap.is_eq(len(ok_lines), copies, "(a) one result=ok log line per copy")
    tap.ok(CONNECTIONS <= watch.max_workers <= MAX_CONNECTIONS,
           "(a) the master added workers for %d connections: peak %d "
           "(lmtp_workers %d, lmtp_max_connections %d)" %
           (CONNECTIONS, watch.max_workers, WORKERS, MAX_CONNECTIONS))
    master = watch.peak.get(srv.pid, 0)
    workers = {p: k for p, k in watch.peak.items() if p != srv.pid}
    top = max(workers.values()) if workers else 0
    tap.ok(0 < master < RSS_BOUND_KIB and 0 < top < RSS_BOUND_KIB,
           "(a) VmRSS/VmHWM under %d KiB: master %d KiB, largest of %d "
           "workers %d KiB" % (RSS_BOUND_KIB, master, len(workers), top),
           repr(watch.peak))


# --- (b) and (c): kill -9 of a worker ----------------------------------

def fault_message(mid, size=BIG):
    rcpts = USERS[:3]
    return rcpts, make_message(mid, size, sender=SENDER, rcpt=rcpts[0])


def check_kill_mid_data(srv, port):
    mid = "kill-mid-data"
    rcpts, msg = fault_message(mid)
    data = wire(msg)
    half = len(data) // 2
    c = Client(port)
    c.begin(SENDER, rcpts)
    c.send(data[:half])
    pid = serving_worker(srv, port, c)
    if not tap.ok(pid is not None, "(b) found the worker serving the "
                  "transaction"):
        c.close()
        return
    # let the worker take in the first half (into its spool file)
    spool = wait_for(lambda: deleted_spool_file(pid), 3, 0.05)
    tap.ok(spool, "(b) the worker holds the first half in an unlinked "
           "spool file", "no spool file among worker %d's descriptors" % pid)
    os.kill(pid, signal.SIGKILL)
    replies, closed = c.closed_after(5)
    c.close()
    tap.ok(closed and not replies, "(b) kill -9 of worker %d half-way "
           "through DATA: the client's connection is closed, no reply" % pid,
           "replies %r closed %r" % (replies, closed))
    time.sleep(0.3)
    tap.is_eq(copies_of(mid), {}, "(b) nothing of the half-sent message "
              "was delivered")
    tap.is_eq(leftovers(), [], "(b) nothing left in tmp/ or the spool dir")
    died = wait_for(lambda: [l for l in log_lines()
                             if "worker %d killed by signal 9" % pid in l],
                    5, 0.1)
    tap.ok(died, "(b) the master logged the worker's death",
           "\n".join(log_lines()[-10:]))
    back = wait_for(lambda: (len(srv.workers()) >= WORKERS and
                             pid not in srv.workers()), 10, 0.1)
    tap.ok(back, "(b) the master is back at lmtp_workers (%d) workers" %
           WORKERS, "workers now %r" % srv.workers())
    try:
        c = Client(port)
        replies = c.transaction(SENDER, rcpts, msg)
        c.close()
    except (OSError, LmtpError) as e:
        replies = [("failed", str(e))]
    tap.is_eq([r[0] for r in replies], [250] * 3, "(b) the server still "
              "accepts: the client's retry is answered 250 for each "
              "recipient")
    tap.is_eq(copies_of(mid), {a: 1 for a in rcpts},
              "(b) ... and stored exactly once for each")


def check_kill_after_reply(srv, port):
    mid = "kill-after-250"
    rcpts, msg = fault_message(mid, 20000)
    c = Client(port)
    pid = serving_worker(srv, port, c)
    c.begin(SENDER, rcpts)
    replies = c.finish(wire(msg), len(rcpts))
    if pid is not None:
        os.kill(pid, signal.SIGKILL)
    c.close()
    tap.ok(pid is not None and [r[0] for r in replies] == [250] * 3,
           "(c) 250 for each recipient, then kill -9 of the worker (%s)" %
           pid, repr(replies))
    tap.is_eq(copies_of(mid), {a: 1 for a in rcpts},
              "(c) acknowledged means stored: the message is in every "
              "recipient's Maildir, once")
    news = [p for a in rcpts for p, d in stored(a).items()
            if header_value(d, "X-Sluice-Test-Id") == mid and
            os.path.basename(os.path.dirname(p)) == "new"]
    tap.is_eq(len(news), 3, "(c) ... in new/")
    tap.is_eq(leftovers(), [], "(c) nothing left in tmp/ or the spool dir")
    wait_for(lambda: len(srv.workers()) >= WORKERS, 10, 0.1)


# --- (d) SIGTERM in the middle of DATA ----------------------------------

def check_stopped(srv, what, t0, mark):
    """the server, sent SIGTERM at t0 (its log then mark lines long),
    exits in time and cleanly"""
    limit = SHUTDOWN_TIMEOUT + STOP_SLACK
    wait_for(lambda: srv.proc.poll() is not None,
             max(0.1, t0 + limit - time.monotonic()), 0.05)
    code, secs = srv.proc.poll(), time.monotonic() - t0
    tap.ok(code == 0, "(d%s) the server exits 0 within %ds of SIGTERM "
           "(lmtp_shutdown_timeout %ds): %.1fs" % (
               what, limit, SHUTDOWN_TIMEOUT, secs), "exit %r\n%s" % (
               code, "\n".join(log_lines()[-10:])))
    tap.ok(wait_for(lambda: not srv.group_alive(), 3, 0.05),
           "(d%s) ... with no process left" % what,
           "left: %r" % srv.group_alive())
    killed = [l for l in log_lines()[mark:] if "did not stop" in l]
    tap.is_eq(killed, [], "(d%s) ... every worker stopped by itself (the "
              "master killed none)" % what)
    tap.ok(not os.path.exists(PIDFILE), "(d%s) ... and its pid file "
           "removed" % what)


def check_term_completes():
    port = free_port()
    srv = start_server(port, "(d1)")
    if srv is None:
        return
    mid = "term-completes"
    rcpts, msg = fault_message(mid)
    data = wire(msg)
    half = len(data) // 2
    c = Client(port)
    c.begin(SENDER, rcpts)
    c.send(data[:half])
    pid = serving_worker(srv, port, c)
    wait_for(lambda: pid and deleted_spool_file(pid), 3, 0.05)
    mark = len(log_lines())
    t0 = time.monotonic()
    os.kill(srv.pid, signal.SIGTERM)
    time.sleep(0.5)
    try:
        c.send(data[half:] + b".\r\n")
    except OSError:
        pass
    # the replies up to the server's close: 3 x 250 then 421, or a 421
    replies, closed = c.closed_after(5)
    c.close()
    codes = [r[0] for r in replies]
    done = codes[:3] == [250] * 3
    tap.ok(done or codes[:1] == [421],
           "(d1) SIGTERM, the rest of the data sent 0.5s later: the "
           "transaction is answered all-250 or 421 (%r)" % codes,
           repr(replies))
    want = {a: 1 for a in rcpts} if done else {}
    tap.is_eq(copies_of(mid), want, "(d1) ... and is stored once per "
              "recipient exactly when it was answered 250")
    tap.ok(closed and codes[-1:] == [421] and len(codes) in (1, 4),
           "(d1) ... then a 421 (shutting down) and the server closes the "
           "connection", "replies %r closed %r" % (replies, closed))
    tap.is_eq(leftovers(), [], "(d1) nothing left in tmp/ or the spool "
              "dir")
    check_stopped(srv, "1", t0, mark)


def check_term_stalls():
    port = free_port()
    srv = start_server(port, "(d2)")
    if srv is None:
        return
    mid = "term-stalls"
    rcpts, msg = fault_message(mid)
    data = wire(msg)
    c = Client(port)
    c.begin(SENDER, rcpts)
    c.send(data[:len(data) // 2])
    pid = serving_worker(srv, port, c)
    wait_for(lambda: pid and deleted_spool_file(pid), 3, 0.05)
    mark = len(log_lines())
    t0 = time.monotonic()
    os.kill(srv.pid, signal.SIGTERM)
    replies, closed = c.closed_after(SHUTDOWN_TIMEOUT + STOP_SLACK + 2)
    secs = time.monotonic() - t0
    c.close()
    tap.ok(closed and replies and replies[0][0] == 421,
           "(d2) SIGTERM and the client sends nothing more: it gets a 421 "
           "before the connection closes (%.1fs)" % secs,
           "replies %r, closed %r after %.1fs\n%s" % (
               replies, closed, secs, "\n".join(log_lines()[-6:])))
    tap.is_eq(copies_of(mid), {}, "(d2) nothing of it is stored")
    tap.is_eq(leftovers(), [], "(d2) nothing left in tmp/ or the spool "
              "dir")
    check_stopped(srv, "2", t0, mark)


# --- (e) systemd socket activation --------------------------------------

def check_socket_activation():
    if SSA is None:
        tap.skip("systemd-socket-activate is not installed", 4)
        return
    port = free_port()
    unused = os.path.join(ROOT, "run", "not-used.sock")
    conf = write_config(port, listen="unix:" + unused)
    srv = LmtpdProcess(tap, sb, conf,
                       argv_prefix=[SSA, "-l", "127.0.0.1:%d" % port])
    up = srv.start(("127.0.0.1", port))
    tap.ok(up and not os.path.exists(unused),
           "(e) systemd-socket-activate -l 127.0.0.1:%d: sluice-lmtpd "
           "serves the passed socket, and creates no listener of its own"
           % port, "up %r, %s exists %r\n%s" % (up, unused,
                                                 os.path.exists(unused),
                                                 srv.stderr()))
    mid = "socket-activated"
    rcpts, msg = fault_message(mid, 3000)
    try:
        c = Client(port)
        replies = c.transaction(SENDER, rcpts, msg)
        c.close()
    except (OSError, LmtpError) as e:
        replies = [("failed", str(e))]
    tap.ok([r[0] for r in replies] == [250] * 3 and
           copies_of(mid) == {a: 1 for a in rcpts},
           "(e) a message through the passed socket is delivered",
           "%r %r" % (replies, copies_of(mid)))
    code, secs = srv.stop(timeout=SHUTDOWN_TIMEOUT + STOP_SLACK)
    tap.ok(code == 0 and not srv.group_alive(),
           "(e) SIGTERM: exit 0 in %.1fs, no process left" % secs,
           "exit %r left %r\n%s" % (code, srv.group_alive(), srv.stderr()))
    tap.ok(not accepting(port) and not os.path.exists(PIDFILE),
           "(e) ... the port is closed and the pid file removed")


def accepting(port):
    """something accepts connections on 127.0.0.1:port"""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def step(fn, *args):
    """run one part; a client error there is a failure, not a crash"""
    try:
        fn(*args)
    except (OSError, LmtpError) as e:
        tap.ok(False, "%s: no client error" % fn.__name__, repr(e))


def main():
    t0 = time.monotonic()
    setup()
    port = free_port()
    srv = start_server(port, "(a)")
    if srv is None:
        return
    step(check_load, srv, port)
    step(check_kill_mid_data, srv, port)
    step(check_kill_after_reply, srv, port)
    code, secs = srv.stop(timeout=SHUTDOWN_TIMEOUT + STOP_SLACK)
    tap.ok(code == 0, "(a-c) the server stops on SIGTERM (exit %r, %.1fs)"
           % (code, secs), srv.stderr())
    step(check_term_completes)
    step(check_term_stalls)
    step(check_socket_activation)
    for line in log_lines():
        if " error: " in line or "fatal" in line or "panic" in line:
            tap.diag("log: " + line)
    tap.diag("%.1fs in all" % (time.monotonic() - t0))


main()
sys.exit(tap.done())
