#!/usr/bin/env python3
"""deliver.t - sluice-deliver's contract: options, exit codes, byte-exact
storage with only Return-Path and Delivered-To prepended, the mbox From_
line handed over by an MTA, -m folders, and the sluice admin command's
config and user lookup."""
import glob, json, os, shutil, subprocess, sys, tempfile

B = os.environ["SLUICE_BUILDDIR"]
DELIVER = os.path.join(B, "sluice-deliver")
SLUICE = os.path.join(B, "sluice")
CORPUS = os.environ.get("SLUICE_CORPUS") or ""

n = 0
failed = 0
def ok(cond, name, diag=None):
    global n, failed
    n += 1
    print(("ok %d - %s" if cond else "not ok %d - %s") % (n, name))
    if not cond:
        failed += 1
        if diag:
            for line in str(diag).splitlines():
                print("#   " + line)
    sys.stdout.flush()
    return cond

tmp = tempfile.mkdtemp(prefix="sluice-deliver-t.")
root = os.geteuid() == 0
if root:
    # deliveries switch to the userdb's uid: use a real unprivileged user
    try:
        import pwd
        pw = pwd.getpwnam("nobody")
        uid, gid = pw.pw_uid, pw.pw_gid
    except KeyError:
        uid, gid = 65534, 65534
else:
    uid, gid = os.getuid(), os.getgid()
home_a = os.path.join(tmp, "alice")
home_b = os.path.join(tmp, "bob")
for h in (home_a, home_b):
    os.mkdir(h, 0o700)
    os.chown(h, uid, gid) if root else None
os.chmod(tmp, 0o755)
users = os.path.join(tmp, "users")
with open(users, "w") as f:
    f.write("# test users\n")
    f.write("alice@example.test:{PLAIN}secret:%d:%d::%s::\n" % (uid, gid, home_a))
    f.write("bob@example.test::%d:%d::%s::userdb_mail=mbox:~/mail:INBOX=~/mbox\n" % (uid, gid, home_b))
conf = os.path.join(tmp, "sluice.conf")
log = os.path.join(tmp, "sluice.log")
with open(conf, "w") as f:
    f.write("userdb = passwd-file:%s\nlog_path = %s\nfirst_valid_uid = %d\n" % (users, log, min(uid, 500)))

def deliver(msg, *args, conf_path=conf):
    p = subprocess.run([DELIVER, "-c", conf_path] + list(args), input=msg,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return p.returncode, p.stderr.decode("utf-8", "replace")

def maildir_files(home, folder=""):
    d = os.path.join(home, "Maildir", folder, "new")
    return sorted(glob.glob(os.path.join(d, "*")))

def read(path):
    with open(path, "rb") as f:
        return f.read()

# 1. byte-exact with exactly two trace headers, LF
msg = b"From: a@example.org\nTo: alice@example.test\nSubject: t1\n\nbody\n\x00binary\xff\n"
rc, err = deliver(msg, "-d", "alice@example.test", "-f", "sender@example.org")
ok(rc == 0, "delivered to a Maildir user: exit 0", err)
files = maildir_files(home_a)
ok(len(files) == 1, "one file in new/")
want = b"Return-Path: <sender@example.org>\nDelivered-To: alice@example.test\n" + msg
ok(files and read(files[0]) == want, "stored byte for byte with Return-Path and Delivered-To prepended",
   files and read(files[0])[:200])
ok(files and (",S=%d" % len(want)) in files[0], "Maildir name carries ,S=size", files)
ok(not os.listdir(os.path.join(home_a, "Maildir", "tmp")), "nothing left in tmp/")
if root:
    st = os.stat(files[0])
    ok(st.st_uid == uid, "started as root: file owned by the userdb's uid")

# 2. CRLF message: trace headers in the message's line ending
msg = b"From: a@example.org\r\nSubject: crlf\r\n\r\nbody\r\n"
rc, err = deliver(msg, "-d", "alice@example.test", "-f", "")
new = [f for f in maildir_files(home_a) if f not in files]
ok(rc == 0 and len(new) == 1 and read(new[0]) == b"Return-Path: <>\r\nDelivered-To: alice@example.test\r\n" + msg,
   "CRLF message: CRLF trace headers, null sender as <>", err)
files = maildir_files(home_a)

# 3. a leading mbox From_ line from the MTA is not stored; its sender is used
body = b"Subject: fromline\n\nhi\n"
rc, err = deliver(b"From bounce@example.net Thu Nov 19 14:03:01 2026\n" + body, "-d", "alice@example.test")
new = [f for f in maildir_files(home_a) if f not in files]
ok(rc == 0 and new and read(new[0]) == b"Return-Path: <bounce@example.net>\nDelivered-To: alice@example.test\n" + body,
   "From_ line dropped, its address used as sender when -f is absent", new and read(new[0]))
files = maildir_files(home_a)

# 3b. the null sender as Postfix's pipe gives it by default, and in brackets
for given in ("MAILER-DAEMON", "<>", "mailer-daemon"):
    rc, err = deliver(b"Subject: bounce\n\nx\n", "-d", "alice@example.test", "-f", given)
    new = [f for f in maildir_files(home_a) if f not in files]
    ok(rc == 0 and new and read(new[0]).startswith(b"Return-Path: <>\n"), "-f %s is the null sender <>" % given)
    files = maildir_files(home_a)
rc, err = deliver(b"Subject: br\n\nx\n", "-d", "alice@example.test", "-f", "<s@example.org>")
new = [f for f in maildir_files(home_a) if f not in files]
ok(rc == 0 and new and read(new[0]).startswith(b"Return-Path: <s@example.org>\n"), "-f <addr> loses its brackets")
files = maildir_files(home_a)

# 4. -p FILE, +detail, uppercase
p = os.path.join(tmp, "msg.eml")
with open(p, "wb") as f:
    f.write(b"Subject: from file\n\nx\n")
rc, err = deliver(b"", "-d", "Alice+Tag@Example.TEST", "-f", "s@x", "-p", p)
new = [f for f in maildir_files(home_a) if f not in files]
ok(rc == 0 and len(new) == 1, "-p FILE with user+detail in any case delivered", err)
ok(new and b"Delivered-To: Alice+Tag@Example.TEST\n" in read(new[0]),
   "Delivered-To keeps the address as the MTA gave it")
files = maildir_files(home_a)

# 5. -m folder: missing without autocreate -> INBOX; with autocreate -> folder
rc, err = deliver(b"Subject: m1\n\n", "-d", "alice@example.test", "-m", "Lists/Debian")
new = [f for f in maildir_files(home_a) if f not in files]
ok(rc == 0 and len(new) == 1, "-m missing folder falls back to INBOX (mailbox_autocreate = no)", err)
files = maildir_files(home_a)
rc, err = deliver(b"Subject: m2\n\n", "-d", "alice@example.test", "-m", "Lists/Debian", "-o", "mailbox_autocreate=yes")
ok(rc == 0 and len(maildir_files(home_a, ".Lists.Debian")) == 1, "-m with autocreate stores in .Lists.Debian", err)
ok(os.path.exists(os.path.join(home_a, "Maildir", ".Lists.Debian", "maildirfolder")), "Maildir++ folder has maildirfolder")
rc, err = deliver(b"Subject: m3\n\n", "-d", "alice@example.test", "-m", "../../etc", "-o", "mailbox_autocreate=yes")
ok(rc == 0 and len(maildir_files(home_a)) == len(files) + 1, "-m escaping the mail root refused: INBOX instead", err)
ok(not os.path.exists(os.path.join(tmp, "etc")), "nothing created outside the mail root")

# 6. mbox user (mail location from the userdb's extra field)
msg = b"Subject: mb\n\nFrom here\n>From there\n"
rc, err = deliver(msg, "-d", "bob@example.test", "-f", "s@example.org")
mbox = os.path.join(home_b, "mbox")
data = read(mbox) if os.path.exists(mbox) else b""
ok(rc == 0 and data.startswith(b"From s@example.org "), "mbox user: From_ line with the sender", err)
ok(b"\nReturn-Path: <s@example.org>\nDelivered-To: bob@example.test\nSubject: mb\n\n>From here\n>>From there\n\n" in data,
   "mbox: trace headers, mboxrd quoting, blank line after", data)

# 7. exit codes
rc, err = deliver(b"Subject: x\n\n", "-d", "carol@example.test")
ok(rc == 67, "unknown user: exit 67", (rc, err))
ok("5.1.1" in err, "unknown user: reason on stderr for the MTA", err)
rc, err = deliver(b"Subject: x\n\n", "-d", "alice@example.test", "-x")
ok(rc == 64, "bad option: exit 64", rc)
bad = os.path.join(tmp, "bad.conf")
with open(bad, "w") as f:
    f.write("userdb = passwd-file:%s\nno_such_key = 1\n" % users)
rc, err = deliver(b"Subject: x\n\n", "-d", "alice@example.test", conf_path=bad)
ok(rc == 75 and "bad.conf:2" in err and "no_such_key" in err, "bad config: exit 75 naming file, line and key", (rc, err))
rc, err = deliver(b"Subject: x\n\n", "-d", "alice@example.test", "-o", "userdb=passwd-file:%s/missing" % tmp)
ok(rc == 75, "missing passwd-file: exit 75, never 67", (rc, err))
rc, err = deliver(b"Subject: x\n\n", "-d", "alice@example.test", "-o", "mail_location=nosuch:~/x")
ok(rc == 75, "unknown store driver: exit 75", (rc, err))

# 8. one log line per delivery, key=value
lines = open(log).read().splitlines()
okline = [l for l in lines if "result=ok" in l]
ok(len(okline) >= 8 and all("session=" in l and "rcpt=" in l and "folder=" in l and "size=" in l
                             and "time=" in l for l in okline), "log: one key=value line per delivery", "\n".join(lines[-3:]))
ok(any("result=nouser" in l and "carol@example.test" in l for l in lines), "log: unknown user logged")
ok(not any("secret" in l for l in lines), "log: no password")

# 9. sluice config and user lookup
p = subprocess.run([SLUICE, "-c", conf, "config", "-n"], stdout=subprocess.PIPE, text=True)
ok(p.returncode == 0 and ("userdb = passwd-file:%s" % users) in p.stdout and "mail_location" not in p.stdout,
   "sluice config -n prints only non-defaults", p.stdout)
p = subprocess.run([SLUICE, "-c", conf, "config"], stdout=subprocess.PIPE, text=True)
ok(p.returncode == 0 and "mail_location = maildir:~/Maildir" in p.stdout, "sluice config prints defaults too")
p = subprocess.run([SLUICE, "-c", conf, "user", "lookup", "--json", "bob+x@example.test"], stdout=subprocess.PIPE, text=True)
try:
    j = json.loads(p.stdout)
except ValueError:
    j = {}
ok(j.get("store") == "mbox" and j.get("mail") == os.path.join(home_b, "mail") and j.get("detail") == "x"
   and j.get("uid") == uid, "sluice user lookup --json: store, path, detail, uid", p.stdout)

# 10. a large message goes through the file spool and stays byte-exact
big = b"Subject: big\n\n" + b"".join(b"line %08d of a big message\n" % i for i in range(200000))
rc, err = deliver(big, "-d", "alice@example.test", "-f", "s@x", "-o", "spool_memory_max=64K", "-o", "temp_dir=" + tmp)
stored = [f for f in maildir_files(home_a) if os.path.getsize(f) > len(big)]
ok(rc == 0 and len(stored) == 1 and read(stored[0]).endswith(big), "5 MB message through the file spool byte-exact", err)
ok(not [x for x in os.listdir(tmp) if x.startswith("sluice-spool")], "spool file gone")

# 10b. past the parser's limits the message is still delivered as it is
nested = b"Subject: deep\nContent-Type: multipart/mixed; boundary=a\n\n--a\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\n" + b"x" * 5000 + b"\n--b--\n--a--\n"
many = b"".join(b"X-H%d: v\n" % i for i in range(50)) + b"Subject: many\n\n" + b"y" * 3000 + b"\n"
for name, m, opts in (("MIME depth", nested, ["-o", "message_max_mime_depth=1"]),
                      ("header count", many, ["-o", "message_max_header_fields=5"]),
                      ("line length", many, ["-o", "message_max_line_length=100"])):
    before = set(maildir_files(home_a))
    rc, err = deliver(m, "-d", "alice@example.test", "-f", "s@x", *opts)
    new = [f for f in maildir_files(home_a) if f not in before]
    ok(rc == 0 and len(new) == 1 and read(new[0]).endswith(m), "over the %s limit: delivered byte for byte" % name, err)

# 11. memory stays bounded: a 50 MiB message, peak RSS under 8 MiB. GNU
# time measures it: a child forked from this Python would count Python's
# own pages from before its exec.
chunk = b"".join(b"%07d a line of a fifty megabyte message, to check memory\n" % i for i in range(1000))
bigpath = os.path.join(tmp, "big.eml")
with open(bigpath, "wb") as f:
    f.write(b"Subject: 50 MiB\n\n")
    while f.tell() < 50 * 1024 * 1024:
        f.write(chunk)
bigsize = os.path.getsize(bigpath)
if os.access("/usr/bin/time", os.X_OK):
    rssfile = os.path.join(tmp, "rss")
    with open(bigpath, "rb") as f:
        p = subprocess.run(["/usr/bin/time", "-o", rssfile, "-f", "%M", DELIVER, "-c", conf,
                            "-d", "alice@example.test", "-f", "s@x", "-o", "temp_dir=" + tmp],
                           stdin=f, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    ok(p.returncode == 0 and any(os.path.getsize(x) > bigsize for x in maildir_files(home_a)),
       "50 MiB message delivered", p.stderr)
    maxrss_kib = int(open(rssfile).read().split()[-1])
    ok(maxrss_kib < 8 * 1024, "peak RSS of sluice-deliver for 50 MiB under 8 MiB (%d KiB)" % maxrss_kib)
else:
    ok(True, "# skip /usr/bin/time (package time) is not installed")

print("1..%d" % n)
shutil.rmtree(tmp, ignore_errors=True)
sys.exit(1 if failed else 0)
