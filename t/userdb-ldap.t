#!/usr/bin/env python3
"""userdb-ldap.t - userdb = ldap:PATH and passdb = ldap:PATH against a
private slapd (t/lib/ldapserver.py), end to end.

The directory holds 1,000 posixAccount/inetOrgPerson users (some with
their own uidNumber/gidNumber, a third with a quota in `description`,
one with two mail values, one whose uid holds a comma) and is read
through dovecot-ldap.conf.ext files written as Dovecot takes them
(comments, continued lines, quotes; uris and hosts; ldap:// and
ldapi://; anonymous and dn/dnpass binds; StartTLS). Checks:
`sluice user lookup` gives each user's home, uid, gid, quota rule and
mail location from user_attrs (with %{ldap:...} and prefix templates);
deliveries through sluice-deliver and sluice-lmtpd land in the homes,
owned by the directory's uid/gid, and the directory's quota is
enforced; unknown users get 67 / 550 5.1.1; names with *, (, ), \ never
widen the search (every filter slapd received is the template with one
escaped assertion value; a name that would match a user unescaped
matches nobody); 100 LMTP messages to one user cost one search (the
cache); slapd stopped mid-test gives 75 / 451 4.3.0 within seconds,
never "no such user", and LMTP recovers once slapd is back; a hung
slapd (SIGSTOP) gives 75 after the timeout; a wrong
dnpass, a base that does not exist or a CA that does not match are
75 too; sluice-auth accepts the right password and refuses a wrong one
with the password looked up (userPassword, {SSHA}) and with auth_bind =
yes (DN by pass_filter, and by auth_bind_userdn with RFC 4514 escaping),
and no password reaches a log.
"""
import base64
import json
import os
import re
import shutil
import subprocess
import sys
import time
import traceback

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "lib"))
from lmtpd_helper import Client, Lmtpd, Tap, wire  # noqa: E402
from ldapserver import LdapError, LdapServer, ssha  # noqa: E402
from sluiceauth import AuthConn, AuthProcess  # noqa: E402

N_USERS = 1000
CACHE_MESSAGES = 100
SENDER = "sender@example.org"
SUFFIX = "dc=example,dc=test"
PEOPLE = "ou=people," + SUFFIX
DOWN_SECS = 5.0         # a stopped slapd must be answered within this
HUNG_SECS = 8.0         # and a hung one (LDAP_DB_TIMEOUT_MS is 5 s)
FILTER_PREFIX = "(&(objectClass=posixAccount)(mail="

tap = Tap()
ok = tap.ok
builddir = os.environ.get("SLUICE_BUILDDIR") or os.getcwd()
SLUICE = os.path.join(builddir, "sluice")
DELIVER = os.path.join(builddir, "sluice-deliver")

srv = Lmtpd(tap, {}, {"userdb_cache_ttl": "10m", "lmtp_workers": "2"})
# after the Lmtpd: its signal handler runs the Lmtpd's after its own
ldap = LdapServer(suffix=SUFFIX, tls=shutil.which("openssl") is not None)
why = ldap.missing()
if why is not None:
    tap.skip_all(why)
U = srv.user
ROOT = os.geteuid() == 0
VMAIL = srv.path("vmail")
UIDS = srv.path("uids")         # homes of users with their own uid
U_CONF = srv.path("dovecot-ldap.conf.ext")
sent_passwords = set()


def run(argv, stdin=b"", timeout=60):
    """(exit code, stdout, stderr, seconds) of a command"""
    t0 = time.monotonic()
    r = subprocess.run(argv, input=stdin, capture_output=True,
                       timeout=timeout)
    return (r.returncode, r.stdout.decode("utf-8", "replace"),
            r.stderr.decode("utf-8", "replace"), time.monotonic() - t0)


def lookup(name, conf=U_CONF):
    """`sluice user lookup --json`: (exit code, record or {}, stderr,
    seconds)"""
    r, out, err, secs = run([SLUICE, "-c", srv.conf, "-o",
                             "userdb=ldap:" + conf, "user", "lookup",
                             "--json", name])
    try:
        rec = json.loads(out) if r == 0 else {}
    except ValueError:
        rec = {}
    return r, rec, err, secs


def deliver(rcpt, msg):
    """sluice-deliver's exit code, stderr and seconds"""
    r, _, err, secs = run([DELIVER, "-c", srv.conf, "-f", SENDER, "-d",
                           rcpt], msg)
    return r, err, secs


def message(tag, size=0):
    body = b"body of %s\n" % tag.encode() + b"x" * size + b"\n"
    return (b"From: <sender@example.org>\nSubject: " + tag.encode() +
            b"\nMessage-ID: <" + tag.encode() + b"@test>\n\n" + body)


def new_files(maildir):
    d = os.path.join(maildir, "new")
    try:
        return [os.path.join(d, n) for n in sorted(os.listdir(d))]
    except FileNotFoundError:
        return []


def users():
    """(address, home, uid, gid, quota bytes or 0) of the 1,000 users"""
    out = []
    for i in range(N_USERS):
        addr = "user%04d@d%d.example" % (i, i % 10)
        if i % 100 == 7:        # their own uid/gid, a home elsewhere
            out.append((addr, os.path.join(UIDS, "user%04d" % i),
                        61000 + i, 62000 + i, 0))
        else:
            out.append((addr, os.path.join(VMAIL, "d%d.example" % (i % 10),
                                           "user%04d" % i),
                        U.uid, U.gid, (i + 1) * 1048576 if i % 3 == 0 else 0))
    return out


def password(i):
    return "pw-%04d-Secr3t" % i


def entry(uid_value, rdn, mails, home, uid, gid, pw, quota=0):
    lines = ["dn: uid=%s,%s" % (rdn, PEOPLE), "objectClass: inetOrgPerson",
             "objectClass: posixAccount", "uid: " + uid_value,
             "cn: " + uid_value, "sn: " + uid_value]
    lines += ["mail: " + m for m in mails]
    lines += ["uidNumber: %d" % uid, "gidNumber: %d" % gid,
              "homeDirectory: " + home, "userPassword: " + ssha(pw)]
    if quota:
        lines.append("description: %d" % quota)
    return "\n".join(lines) + "\n"


COMMA_USER = "a,b@d1.example"   # uid "a,b": its DN needs RFC 4514 escaping


def seed_ldif():
    out = ["dn: %s\nobjectClass: dcObject\nobjectClass: organization\n"
           "o: example\ndc: example\n" % SUFFIX,
           "dn: %s\nobjectClass: organizationalUnit\nou: people\n" % PEOPLE]
    for i, (addr, home, uid, gid, quota) in enumerate(users()):
        mails = [addr] + (["alias%04d@d2.example" % i] if i == 2 else [])
        out.append(entry(addr.split("@")[0], addr.split("@")[0], mails, home,
                         uid, gid, password(i), quota))
    out.append(entry("a,b", "a\\,b", [COMMA_USER],
                     os.path.join(VMAIL, "comma"), U.uid, U.gid, "comma-pw"))
    return "\n".join(out)


def write(path, text):
    with open(path, "w") as f:
        f.write(text)


def setup():
    t0 = time.monotonic()
    try:
        ldap.seed(seed_ldif())
        ldap.start()
    except LdapError as e:
        tap.bail("private slapd: %s" % e)
    ok(True, "private slapd with %d users (%.1fs)" %
       (N_USERS + 1, time.monotonic() - t0))
    os.mkdir(VMAIL, 0o755)
    os.mkdir(UIDS)
    os.chmod(UIDS, 0o1777)      # mkdir's mode passes the umask
    if ROOT:
        os.chown(VMAIL, U.uid, U.gid)
    # the userdb's conf, as a Dovecot site writes it
    write(U_CONF,
          "# dovecot-ldap.conf.ext - as Dovecot reads it\n"
          "uris = %s   # anonymous bind\n"
          "base = %s\n"
          "scope = subtree\n"
          "deref = never\n"
          "user_filter = (&(objectClass=posixAccount)(mail=%%u))\n"
          "user_attrs = homeDirectory=home, uidNumber=uid, gidNumber=gid, \\\n"
          "  =mail=maildir:%%{ldap:homeDirectory}/Maildir, \\\n"
          "  description=quota_rule=*:bytes=, mail=alias\n"
          % (ldap.url, PEOPLE))
    srv.write_conf(userdb="ldap:" + U_CONF)


def conf_variant(name, text):
    p = srv.path(name)
    write(p, text)
    return p


def test_lookup():
    bad = []
    us = users()
    for i in (0, 7, 33, 500, 999):
        addr, home, uid, gid, quota = us[i]
        r, rec, err, _ = lookup(addr)
        want = {"source": "ldap", "home": home, "uid": uid, "gid": gid,
                "mail": os.path.join(home, "Maildir"),
                "quota_rule": "*:bytes=%d" % quota if quota else None}
        got = {k: rec.get(k) for k in want}
        if r != 0 or got != want:
            bad.append((addr, r, got, want, err))
    ok(not bad, "user lookup: home, uid, gid, %{ldap:...} mail, prefix "
       "template quota_rule from the directory", bad)
    r, rec, err, _ = lookup(us[2][0])
    aliases = [f["value"] for f in rec.get("fields", [])
               if f["key"] == "alias"]
    ok(r == 0 and aliases == [us[2][0], "alias0002@d2.example"],
       "a multi-valued attribute: one field per value", (aliases, err))
    r, rec, err, _ = lookup("Alias0002@D2.example")
    ok(r == 0 and rec.get("home") == us[2][1],
       "found by its second mail value, name lowercased", (r, err))
    r, rec, err, _ = lookup("nobody@d1.example")
    ok(r == 1 and "no such user" in err, "unknown user: not found", (r, err))

    if ldap.cert is not None:
        tls = conf_variant("tls.conf",
                           "uris = %s\nbase = %s\ntls = yes\n"
                           "tls_ca_cert_file = %s\ntls_require_cert = demand\n"
                           "user_filter = (&(objectClass=posixAccount)"
                           "(mail=%%u))\n" % (ldap.url, PEOPLE, ldap.cert))
        r, rec, err, _ = lookup(us[5][0], tls)
        ok(r == 0 and rec.get("home") == us[5][1],
           "StartTLS (tls = yes) with the server's CA", (r, err))
        other = srv.path("other-ca.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec",
                        "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                        "-days", "1", "-subj", "/CN=other", "-keyout",
                        srv.path("other-key.pem"), "-out", other],
                       capture_output=True, timeout=60)
        badtls = conf_variant("badtls.conf", open(tls).read().replace(
            ldap.cert, other))
        r, _, err, _ = lookup(us[5][0], badtls)
        ok(r == 75 and "StartTLS" in err,
           "StartTLS with a CA that did not sign the server's certificate: "
           "75", (r, err))
    else:
        tap.skip("no openssl: no TLS", 2)
    wrong = conf_variant("wrongpw.conf",
                         "hosts = 127.0.0.1:%d\ndn = %s\ndnpass = nope\n"
                         "base = %s\n" % (ldap.port, ldap.rootdn, PEOPLE))
    r, _, err, _ = lookup("user0001", wrong)
    ok(r == 75 and "bind" in err, "a wrong dnpass: 75, not no such user",
       (r, err))
    nobase = conf_variant("nobase.conf", "uris = %s\nbase = ou=nowhere,%s\n"
                          % (ldap.url, SUFFIX))
    r, _, err, _ = lookup("user0001", nobase)
    ok(r == 75, "a base that does not exist: 75, not no such user",
       (r, err))
    peruser = conf_variant("peruser.conf",
                           "uris = %s\nbase = uid=%%n,%s\nscope = base\n"
                           "user_filter = (objectClass=posixAccount)\n"
                           % (ldap.ldapi, PEOPLE))
    r, rec, err, _ = lookup("user0004@d4.example", peruser)
    r2, _, err2, _ = lookup("nobody@d4.example", peruser)
    ok(r == 0 and rec.get("home") == users()[4][1] and r2 == 1,
       "ldapi://, a per-user base (scope = base): found, and a missing "
       "entry is no such user", (r, err, r2, err2))


HOSTILE = [
    "*@d0.example",
    "user000*@d0.example",          # unescaped: exactly user0000
    "*)(uid=user0001",              # unescaped: (mail=*)(uid=user0001)
    "user0001)(|(mail=*",
    "user0000\\@d0.example",        # unescaped: a broken filter (75)
    "(mail=*)@d0.example",
    "\\2a@d0.example",
]


def unescape_value(v):
    return re.sub(r"\\([0-9A-Fa-f]{2})",
                  lambda m: chr(int(m.group(1), 16)), v)


def test_hostile():
    bad = []
    for name in HOSTILE:
        r, rec, err, _ = lookup(name)
        if r != 1:
            bad.append((name, r, rec.get("user"), err.strip()))
    ok(not bad, "%d hostile names (* ( ) \\): no such user, never someone "
       "else, never a broken filter" % len(HOSTILE), bad)
    value_re = re.compile(r"^\(&\(objectClass=posixAccount\)\(mail="
                          r"((?:[^()*\\]|\\[0-9A-Fa-f]{2})*)\)\)$")
    ours = [f for _, f in ldap.searches() if f.startswith(FILTER_PREFIX)]
    malformed = [f for f in ours if not value_re.match(f)]
    ok(ours and not malformed, "every one of %d filters slapd received is "
       "the template with one escaped assertion value" % len(ours),
       malformed[:5])
    got = {unescape_value(value_re.match(f).group(1)) for f in ours
           if value_re.match(f)}
    missing = [n for n in HOSTILE if n.lower() not in got]
    ok(not missing, "each hostile name reached slapd only as a value",
       missing)


def test_deliver():
    us = users()
    sample = [u for i, u in enumerate(us) if i % 50 in (0, 7, 33)]
    bad = []
    t0 = time.monotonic()
    for addr, home, uid, gid, quota in sample:
        code, err, _ = deliver(addr, message("deliver-" + addr))
        files = new_files(os.path.join(home, "Maildir"))
        if code != 0 or len(files) != 1:
            bad.append((addr, code, err.strip()[-200:], files))
            continue
        st = os.stat(files[0])
        if ROOT and (st.st_uid, st.st_gid) != (uid, gid):
            bad.append((addr, "owner", st.st_uid, st.st_gid, uid, gid))
    ok(not bad, "sluice-deliver: %d users, each message in its home%s "
       "(%.1fs)" % (len(sample), ", owned by the directory's uid/gid"
                    if ROOT else "", time.monotonic() - t0), bad[:5])
    code, err, _ = deliver("nobody@d1.example", message("unknown"))
    ok(code == 67, "sluice-deliver: unknown user exits 67", (code, err))
    before = len(new_files(os.path.join(us[0][1], "Maildir")))
    codes = [deliver(n, message("hostile"))[0] for n in HOSTILE]
    ok(codes == [67] * len(HOSTILE) and
       len(new_files(os.path.join(us[0][1], "Maildir"))) == before,
       "sluice-deliver: hostile names are no user (67), nothing reaches "
       "user0000", codes)
    # the directory's quota: user0000 has 1 MiB
    code, err, _ = deliver(us[0][0], message("q1", 600 * 1024))
    code2, err2, _ = deliver(us[0][0], message("q2", 600 * 1024))
    ok(code == 0 and code2 == 75 and "quota" in err2.lower(),
       "quota_rule from the directory: 600K fits 1 MiB, the next 600K is "
       "refused (75)", (code, code2, err2))


def test_deliver_down():
    addr = users()[1][0]
    ldap.stop()
    code, err, secs = deliver(addr, message("down"))
    ok(code == 75 and secs < DOWN_SECS, "slapd stopped: sluice-deliver "
       "exits 75 (%.2fs)" % secs, (code, err))
    code, err, _ = deliver("nobody@d1.example", message("down-unknown"))
    ok(code == 75, "... an unknown user is 75 too, not 67", (code, err))
    r, _, err, secs = lookup(addr)
    ok(r == 75 and secs < DOWN_SECS, "... user lookup: 75 (%.2fs)" % secs,
       (r, err))
    ldap.start()
    code, err, _ = deliver(addr, message("back"))
    ok(code == 0, "slapd back: delivered", (code, err))
    # a hung slapd takes the connection and never answers: the timeout
    ldap.pause()
    try:
        code, err, secs = deliver(users()[11][0], message("hung"))
    finally:
        ldap.resume()
    ok(code == 75 and secs < HUNG_SECS, "slapd hung (SIGSTOP): "
       "sluice-deliver exits 75 after the timeout (%.1fs)" % secs,
       (code, err))


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


def searches_for(addr):
    return sum(1 for _, f in ldap.searches()
               if f == FILTER_PREFIX + addr + "))")


def test_lmtp():
    if not ok(srv.start(), "sluice-lmtpd started"):
        tap.diag(srv.read_stderr())
        return
    c = Client(srv.sock)
    c.reply()
    c.cmd("LHLO test")
    us = users()
    sample = [u for i, u in enumerate(us) if i % 50 in (1, 7, 34)]
    bad = []
    for addr, home, uid, gid, quota in sample:
        md = os.path.join(home, "Maildir")
        before = len(new_files(md))
        rr, dr = lmtp_one(c, addr, message("lmtp-" + addr))
        files = new_files(md)
        if rr.code != 250 or dr is None or dr.code != 250 or \
                len(files) != before + 1:
            bad.append((addr, rr, dr))
            continue
        st = os.stat(files[-1])
        if ROOT and (st.st_uid, st.st_gid) != (uid, gid):
            bad.append((addr, "owner", st.st_uid, uid))
    ok(not bad, "sluice-lmtpd: %d users, each message in its home" %
       len(sample), bad[:5])
    for rcpt in ["nobody@d2.example"] + HOSTILE[:4]:
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

    # the cache: many messages to one user, one search (a user no
    # other test looked up)
    addr, home = us[502][0], us[502][1]
    md = os.path.join(home, "Maildir")
    had = len(new_files(md))
    asked = searches_for(addr)
    fails = 0
    for i in range(CACHE_MESSAGES):
        rr, dr = lmtp_one(c, addr, message("cache-%d" % i))
        fails += rr.code != 250 or dr is None or dr.code != 250
    ok(fails == 0 and len(new_files(md)) == had + CACHE_MESSAGES,
       "%d LMTP messages to one user delivered" % CACHE_MESSAGES, fails)
    asked = searches_for(addr) - asked
    ok(asked == 1, "... with one search in slapd (the cache)",
       "%d searches" % asked)
    for i in range(20):
        c.cmd("MAIL FROM:<%s>" % SENDER)
        c.cmd("RCPT TO:<nobody2@d3.example>")
        c.cmd("RSET")
    ok(searches_for("nobody2@d3.example") == 1,
       "20 RCPTs of an unknown user: one search (negative cache)")

    # slapd stopped mid-session: a user not in the cache is 451 4.3.0
    ldap.stop()
    c.cmd("MAIL FROM:<%s>" % SENDER)
    t0 = time.monotonic()
    r = c.cmd("RCPT TO:<%s>" % us[611][0])
    secs = time.monotonic() - t0
    ok(r.code == 451 and r.enh == "4.3.0" and secs < DOWN_SECS,
       "LMTP, slapd stopped: 451 4.3.0 (%.2fs)" % secs, r)
    r = c.cmd("RCPT TO:<nobody3@d3.example>")
    ok(r.code == 451, "... also for a user that does not exist", r)
    c.cmd("RSET")
    ldap.start()
    rr, dr = lmtp_one(c, us[613][0], message("after"))
    ok(rr.code == 250 and dr is not None and dr.code == 250,
       "slapd back: the worker reconnects and delivers", (rr, dr))
    # a restart behind an open connection: the next search fails on it
    # and is made again on a new one, unseen by the client
    ldap.stop()
    ldap.start()
    rr, dr = lmtp_one(c, us[614][0], message("restarted"))
    ok(rr.code == 250 and dr is not None and dr.code == 250,
       "slapd restarted between two lookups: the search is retried on a "
       "new connection", (rr, dr))
    c.cmd("QUIT")
    c.close()
    rc, _ = srv.stop()
    ok(rc == 0, "sluice-lmtpd stopped", rc)


class AuthBox:
    """what AuthProcess needs of a sandbox, over the Lmtpd's temp dir
    (its cleanup kills the process groups in srv.others)"""

    def __init__(self):
        self.procs = []

    def path(self, *parts):
        return srv.path(*parts)

    def popen(self, *args, **kw):
        p = subprocess.Popen(*args, **kw)
        self.procs.append(p)
        srv.others.append(p)
        return p

    def add_cleanup(self, fn):
        pass


AUTHBOX = AuthBox()


def auth_run(name, passdb_conf, checks):
    """sluice-auth on passdb = ldap:passdb_conf; checks: (user, password,
    want OK?, label); returns the replies"""
    sock = srv.path("auth-%s.sock" % name)
    log = srv.path("auth-%s.log" % name)
    conf = srv.path("auth-%s.conf" % name)
    write(conf, "".join("%s = %s\n" % kv for kv in {
        "passdb": "ldap:" + passdb_conf, "auth_listen": "unix:" + sock,
        "auth_pid_file": srv.path("auth-%s.pid" % name),
        "auth_workers": "1", "auth_mechanisms": "plain",
        "auth_failure_delay": "0", "auth_max_failures": "1000",
        # any name reaches the passdb (the default refuses * ( ) ,)
        "auth_username_chars": "", "log_path": log}.items()))
    ap = AuthProcess(tap, AUTHBOX, conf, sock)
    if not ok(ap.start(), "sluice-auth (%s) started" % name, ap.stderr()):
        return []
    c = AuthConn(sock)
    replies = []
    for rid, (user, pw, want, label) in enumerate(checks, 1):
        sent_passwords.add(pw)
        r, _ = c.plain(rid, user, pw)
        replies.append(r)
        good = r.startswith("OK\t%d\t" % rid) if want else \
            r.startswith("FAIL\t%d\t" % rid) and "temp" not in r
        ok(good, "%s: %s" % (name, label), r)
    c.close()
    ap.stop()
    return replies


def test_auth():
    us = users()
    lookup_conf = conf_variant(
        "passdb-lookup.conf",
        "# the password read with a service account\n"
        "hosts = 127.0.0.1:%d\n"
        "dn = %s\n"
        "dnpass = \"%s\"\n"
        "base = %s\n"
        "pass_filter = (&(objectClass=posixAccount)(mail=%%u))\n"
        "pass_attrs = mail=user, userPassword=password\n"
        "default_pass_scheme = SSHA\n" % (ldap.port, ldap.rootdn,
                                          ldap.rootpw, SUFFIX))
    replies = auth_run("lookup", lookup_conf, [
        (us[3][0], password(3), True, "password lookup, right password"),
        (us[3][0], "Wrong-pw", False, "... a wrong password: FAIL"),
        (us[4][0], password(3), False, "... another user's password: FAIL"),
        ("nobody@d1.example", password(3), False, "... unknown user: FAIL"),
        ("*@d0.example", password(0), False, "... user '*': FAIL"),
        ("user000*@d0.example", password(0), False, "... a name that "
         "would match user0000 unescaped, with its password: FAIL"),
    ])
    ok(replies and replies[0] == "OK\t1\tuser=%s" % us[3][0],
       "... OK carries the directory's name (mail=user)", replies[:1])
    bind_conf = conf_variant(
        "passdb-bind.conf",
        "uris = %s\n"
        "auth_bind = yes\n"
        "base = %s\n"
        "pass_filter = (&(objectClass=posixAccount)(mail=%%u))\n"
        "pass_attrs = mail=user\n" % (ldap.ldapi, PEOPLE))
    auth_run("auth_bind", bind_conf, [
        (us[6][0], password(6), True, "auth_bind (DN by pass_filter), right "
         "password"),
        (us[6][0], password(6) + "x", False, "... wrong password: FAIL"),
        ("nobody@d1.example", "Nobody-pw", False, "... unknown user: FAIL"),
        ("user000*@d0.example", password(0), False, "... a name that "
         "would match user0000 unescaped, with its password: FAIL"),
    ])
    ok(('BIND dn="uid=user0006,%s" method=128' % PEOPLE) in ldap.log(),
       "... slapd saw the bind as the user's DN")
    userdn_conf = conf_variant(
        "passdb-userdn.conf",
        "uris = %s\n"
        "auth_bind = yes\n"
        "auth_bind_userdn = uid=%%n,%s\n"
        "base = %s\n" % (ldap.url, PEOPLE, PEOPLE))
    auth_run("auth_bind_userdn", userdn_conf, [
        (us[8][0], password(8), True, "auth_bind_userdn, right password"),
        (us[8][0], password(9), False, "... wrong password: FAIL"),
        (COMMA_USER, "comma-pw", True, "... a uid with a comma: its DN "
         "escaped per RFC 4514"),
        ("user0008,ou=people@d8.example", password(8), False,
         "... a name that tries to add an RDN: FAIL"),
    ])
    # the directory down: a temporary failure, not a wrong password
    ldap.stop()
    sock = srv.path("auth-down.sock")
    conf = srv.path("auth-down.conf")
    write(conf, "passdb = ldap:%s\nauth_listen = unix:%s\nauth_pid_file = "
          "%s\nauth_workers = 1\nauth_failure_delay = 0\nlog_path = %s\n"
          % (lookup_conf, sock, srv.path("auth-down.pid"),
             srv.path("auth-down.log")))
    ap = AuthProcess(tap, AUTHBOX, conf, sock)
    if ok(ap.start(), "sluice-auth with slapd stopped started"):
        c = AuthConn(sock)
        r, secs = c.plain(1, us[3][0], password(3))
        ok(r is not None and r.startswith("FAIL\t1\t") and "temp" in r and
           secs < DOWN_SECS, "slapd stopped: FAIL with temp (%.2fs)" % secs,
           r)
        c.close()
        ap.stop()
    ldap.start()
    logs = ""
    for n in os.listdir(srv.dir):
        if n.startswith("auth-") and (n.endswith(".log") or
                                      n.startswith("auth-stderr")):
            with open(srv.path(n), errors="replace") as f:
                logs += f.read()
    logs += srv.read_log() + ldap.log()
    leaked = [p for p in sent_passwords if p in logs or
              base64.b64encode(p.encode()).decode() in logs]
    ok(not leaked, "no password in sluice's or slapd's logs", leaked)


def main():
    setup()
    for t in (test_lookup, test_hostile, test_deliver, test_deliver_down,
              test_lmtp, test_auth):
        try:
            t()
        except Exception:
            ok(False, "%s raised" % t.__name__, traceback.format_exc())
            tap.diag(ldap.log_tail(10))
    sys.exit(tap.done())


main()
