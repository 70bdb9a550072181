"""postfixtest - a private Postfix instance for t/postfix.t,
t/lmtpd-postfix.t and t/auth-postfix.t.

Postfix(tap, sb, name) is postfix -c DIR with DIR (etc/), its queue and
data directories and its maillog below "postfix" in the test's temp dir:
no other Postfix on the machine is touched. The base main.cf has SMTP on
127.0.0.1:PORT only (inet_interfaces, and the one smtpd entry of the
base master.cf), no local domain, every destination to the error
transport, short queue timers and its own maillog file; the base
master.cf runs every service unchrooted (chroot n: the sockets and
programs a test hands Postfix are reached by their absolute paths). A
test gives its own main.cf parameters (one that the base has replaces
its value in place, a new one is added at the end, so main.cf holds
each parameter once and postconf -e edits the one line) and its own
master.cf entries (added after the base's).

The processes of the instance are those with MAIL_CONFIG=DIR/etc in
their environment (postfix -c sets it, and every process master starts
inherits it). stop() runs postfix stop, waits for them to go and
SIGKILLs what is left; start() registers stop() as a cleanup of the
sandbox before it starts anything, so no process of the instance
outlives the test, also when a check fails or the test is killed.

skip_unless_postfix() skips a test where none can run (not root, no
postfix package); read_log() reads a log file that may not exist yet.
"""

import os
import pwd
import shutil
import signal
import subprocess

from sluicetest import Tap, is_root, listener_up, wait_for, write_file

PATHS = "/usr/sbin:/usr/bin:/sbin:/bin"


def skip_unless_postfix():
    """skip_all unless we are root and Debian's postfix is set up"""
    if not is_root():
        Tap().skip_all("not root: Postfix's master must be started as root")
    if shutil.which("postfix", path=PATHS) is None:
        Tap().skip_all("Postfix is not installed (Debian package postfix)")
    try:
        pwd.getpwnam("postfix")
    except KeyError:
        Tap().skip_all("no postfix user (Debian package postfix not set up)")


def read_log(path):
    """the text of a log file (the maillog, a sluice log), "" while it
    does not exist"""
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def base_main(pf):
    """the base main.cf parameters of an instance in pf, in order"""
    return {
        "compatibility_level": "3.6",
        "queue_directory": pf + "/queue",
        "data_directory": pf + "/data",
        "mail_owner": "postfix",
        "setgid_group": "postdrop",
        "myhostname": "sluice-test.example.invalid",
        "mydomain": "example.invalid",
        "myorigin": "$myhostname",
        "mydestination": "",
        "inet_interfaces": "127.0.0.1",
        "inet_protocols": "ipv4",
        "mynetworks": "127.0.0.0/8",
        "relayhost": "",
        "default_transport": "error:outbound mail is disabled in this test",
        "relay_transport": "error:outbound mail is disabled in this test",
        "local_transport": "error:no local delivery in this test",
        "alias_maps": "",
        "alias_database": "",
        "local_recipient_maps": "",
        "smtpd_peername_lookup": "no",
        "smtpd_banner": "$myhostname ESMTP",
        "biff": "no",
        "notify_classes": "",
        "delay_warning_time": "0",
        "queue_run_delay": "5s",
        "minimal_backoff_time": "5s",
        "maximal_backoff_time": "10s",
        "maillog_file": pf + "/maillog",
        "maillog_file_prefixes": pf,
    }


BASE_MASTER = """\
# service type  private unpriv  chroot  wakeup  maxproc command
127.0.0.1:{port} inet n - n - - smtpd
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
"""


class Postfix:
    """one private instance; name is the test's, for main.cf's comment"""

    def __init__(self, tap, sb, name):
        self.tap, self.sb, self.name = tap, sb, name
        self.postfix = shutil.which("postfix", path=PATHS)
        self.postconf_path = shutil.which("postconf", path=PATHS)
        self.dir = sb.path("postfix")
        self.etc = os.path.join(self.dir, "etc")
        self.queue = os.path.join(self.dir, "queue")
        # where `postfix start` would make it: a test's server may put
        # its socket here (private/auth) before Postfix first looks
        self.private = os.path.join(self.queue, "private")
        self.maillog_path = os.path.join(self.dir, "maillog")
        self.port = None
        self.cleanup_set = False

    def prepare(self, port, main=None, master=""):
        """the directories (data and private/ owned by postfix, 0700, as
        `postfix start` makes them) and main.cf and master.cf: the base
        ones with the test's main parameters and master entries"""
        self.port = port
        os.makedirs(self.etc)
        os.chmod(self.dir, 0o755)
        os.makedirs(self.queue, 0o755)
        pf = pwd.getpwnam("postfix")
        for d in (os.path.join(self.dir, "data"), self.private):
            os.makedirs(d, 0o700)
            os.chown(d, pf.pw_uid, pf.pw_gid)
        params = base_main(self.dir)
        params.update(main or {})
        write_file(os.path.join(self.etc, "main.cf"),
                   "# a private Postfix for sluice's %s.t: 127.0.0.1 only\n"
                   % self.name +
                   "".join("%s = %s\n" % kv for kv in params.items()))
        write_file(os.path.join(self.etc, "master.cf"),
                   BASE_MASTER.format(port=port) + master)

    def cmd(self, *args):
        return subprocess.run([self.postfix, "-c", self.etc] + list(args),
                              capture_output=True, text=True, timeout=60)

    def start(self, check):
        """postfix start; the TAP check named check: it started and its
        smtpd answers 220 on 127.0.0.1:PORT. Returns whether it did."""
        if not self.cleanup_set:
            self.sb.add_cleanup(self.stop)
            self.cleanup_set = True
        r = self.cmd("start")
        if r.stderr.strip():
            self.tap.diag("postfix start: " + r.stderr.strip())
        ok = r.returncode == 0 and wait_for(
            lambda: listener_up(("127.0.0.1", self.port)), 20, 0.2)
        return self.tap.ok(ok, check, "postfix start: exit %d\n%s%s\n%s" % (
            r.returncode, r.stdout, r.stderr, self.maillog()))

    def pids(self):
        """processes of this instance: they carry MAIL_CONFIG=DIR/etc"""
        mark = ("MAIL_CONFIG=" + self.etc).encode()
        pids = []
        for pid in os.listdir("/proc"):
            if not pid.isdigit() or int(pid) == os.getpid():
                continue
            try:
                with open("/proc/%s/environ" % pid, "rb") as f:
                    if mark in f.read().split(b"\0"):
                        pids.append(int(pid))
            except OSError:
                pass
        return pids

    def pids_named(self, *names):
        """the processes of this instance whose command (comm) is one
        of names: smtpd, qmgr, trivial-rewrite, ..."""
        out = []
        for pid in self.pids():
            try:
                with open("/proc/%d/comm" % pid) as f:
                    if f.read().strip() in names:
                        out.append(pid)
            except OSError:
                pass
        return out

    def stop(self):
        """postfix stop, then SIGKILL whatever of ours is left; returns
        the pids that had to be killed"""
        if not os.path.exists(os.path.join(self.etc, "main.cf")):
            return []
        self.cmd("stop")
        wait_for(lambda: not self.pids(), 15, 0.2)
        left = self.pids()
        for pid in left:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        return left

    def check_stopped(self):
        """the TAP check that postfix stop leaves nothing behind"""
        return self.tap.is_eq(self.stop(), [], "postfix -c DIR stop: no "
                              "process of this instance left behind")

    def postconf(self, setting):
        """postconf -e "name = value"; (ok, its stderr)"""
        r = subprocess.run([self.postconf_path, "-c", self.etc, "-e",
                            setting], capture_output=True, text=True,
                           timeout=30)
        return r.returncode == 0, r.stderr

    def reload(self, names, timeout):
        """postfix reload; (ok, its stderr), ok once the processes named
        names that ran before it have exited: a reload is asynchronous,
        the processes that may hold the old configuration exit when
        idle"""
        old = set(self.pids_named(*names))
        r = self.cmd("reload")
        gone = wait_for(lambda: not old & set(self.pids_named(*names)),
                        timeout, 0.1)
        return r.returncode == 0 and gone, r.stderr

    def maillog(self):
        return read_log(self.maillog_path)

    def log_lines(self, *words):
        """the maillog lines that contain each of words"""
        return [line for line in self.maillog().splitlines()
                if all(w in line for w in words)]

    def wait_log_line(self, words, timeout, step):
        """the first maillog line with each of words, once there is one
        (None after timeout seconds)"""
        return wait_for(lambda: (self.log_lines(*words) or [None])[0],
                        timeout, step)

    def diag_warnings(self):
        """the maillog's warning:, fatal: and panic: lines as diag"""
        for line in self.maillog().splitlines():
            if "warning:" in line or "fatal:" in line or "panic:" in line:
                self.tap.diag("maillog: " + line)
