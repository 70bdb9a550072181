#!/usr/bin/env python3
"""deliver-sieve.t - Sieve at delivery: sluice-deliver runs sieve_before,
the user's script and sieve_after, then carries the actions out into a
real Maildir as one transaction. redirect and reject go through
sendmail_path (here a script that records what it was given)."""
import glob, os, pwd, shutil, stat, subprocess, sys, tempfile

B = os.environ["SLUICE_BUILDDIR"]
DELIVER = os.path.join(B, "sluice-deliver")
n = 0
failed = 0
def ok(cond, name, diag=None):
    global n, failed
    n += 1
    print(("ok %d - %s" if cond else "not ok %d - %s") % (n, name))
    if not cond:
        failed += 1
        for line in str(diag or "").splitlines():
            print("#   " + line)
    sys.stdout.flush()

root = os.geteuid() == 0
if root:
    pw = pwd.getpwnam("nobody")
    uid, gid = pw.pw_uid, pw.pw_gid
else:
    uid, gid = os.getuid(), os.getgid()
tmp = tempfile.mkdtemp(prefix="sluice-deliver-sieve.")
os.chmod(tmp, 0o755)
home = os.path.join(tmp, "alice")
os.mkdir(home, 0o700)
if root:
    os.chown(home, uid, gid)
rec = os.path.join(tmp, "sent")
os.mkdir(rec)
os.chmod(rec, 0o777)
sendmail = os.path.join(tmp, "sendmail")
with open(sendmail, "w") as f:
    f.write('#!/bin/sh\nf=$(mktemp %s/mail.XXXXXX)\necho "$*" > "$f.args"\ncat > "$f"\n' % rec)
os.chmod(sendmail, 0o755)
with open(os.path.join(tmp, "users"), "w") as f:
    f.write("alice@example.test::%d:%d::%s::\n" % (uid, gid, home))
conf = os.path.join(tmp, "sluice.conf")
with open(conf, "w") as f:
    f.write("userdb = passwd-file:%s/users\nlog_path = %s/log\nfirst_valid_uid = %d\n"
            "sendmail_path = %s\n" % (tmp, tmp, min(uid, 500), sendmail))
script = os.path.join(home, ".dovecot.sieve")

def set_script(text, path=script):
    with open(path, "w") as f:
        f.write(text)
    if root:
        os.chown(path, uid, gid)

MSG = b"From: bob@example.org\nTo: alice@example.test\nSubject: hello\nMessage-ID: <m1@example.org>\n\nbody\n"

def deliver(msg=MSG, *args):
    p = subprocess.run([DELIVER, "-c", conf, "-d", "alice@example.test", "-f", "bob@example.org"] + list(args),
                       input=msg, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return p.returncode, p.stderr.decode("utf-8", "replace")

def files(folder=""):
    md = os.path.join(home, "Maildir", folder)
    return sorted(glob.glob(os.path.join(md, "new", "*")) + glob.glob(os.path.join(md, "cur", "*")))

def clear():
    shutil.rmtree(os.path.join(home, "Maildir"), ignore_errors=True)
    for x in glob.glob(os.path.join(rec, "*")):
        os.unlink(x)

def sent():
    return sorted(x for x in glob.glob(os.path.join(rec, "mail.*")) if not x.endswith(".args"))

# fileinto :create
clear()
set_script('require ["fileinto", "mailbox"];\nif header :contains "subject" "hello" { fileinto :create "Lists/Debian"; }\n')
rc, err = deliver()
ok(rc == 0 and len(files(".Lists.Debian")) == 1 and not files(), "fileinto :create stores only in the folder", err)

# fileinto a missing folder without :create: INBOX
clear()
set_script('require "fileinto";\nfileinto "Nowhere";\n')
rc, err = deliver()
ok(rc == 0 and len(files()) == 1 and not os.path.isdir(os.path.join(home, "Maildir", ".Nowhere")),
   "fileinto a missing folder without :create falls back to INBOX", err)

# discard
clear()
set_script('discard;\n')
rc, err = deliver()
ok(rc == 0 and not files(), "discard: exit 0, nothing stored", err)

# keep + fileinto: two copies, byte-exact after the trace headers
clear()
set_script('require ["fileinto", "mailbox"];\nfileinto :create "Copy";\nkeep;\n')
rc, err = deliver()
both = files() + files(".Copy")
ok(rc == 0 and len(both) == 2 and all(open(x, "rb").read().endswith(MSG) for x in both),
   "keep and fileinto: one copy each, byte-exact", err)

# flags
clear()
set_script('require ["imap4flags"];\naddflag "\\\\Seen";\nkeep;\n')
rc, err = deliver()
fs = files()
ok(rc == 0 and len(fs) == 1 and "/cur/" in fs[0] and fs[0].endswith(":2,S"), "imap4flags \\Seen: saved to cur/ with :2,S", fs)

# keywords: letters after the flags, numbered in dovecot-keywords (as
# Dovecot keeps them); a second delivery reuses the numbers, a new
# keyword gets the next one; a name that is no IMAP atom is left out
clear()
set_script('require ["imap4flags", "fileinto", "mailbox"];\n'
           'addflag ["$Junk", "\\\\Flagged", "NonJunk", "bad(name"];\n'
           'keep;\nfileinto :create "Spam";\n')
rc, err = deliver()
fs, spam = files(), files(".Spam")
kwf = os.path.join(home, "Maildir", "dovecot-keywords")
kw = open(kwf).read() if os.path.exists(kwf) else None
ok(rc == 0 and len(fs) == 1 and "/cur/" in fs[0] and fs[0].endswith(":2,Fab"),
   "keywords: saved to cur/ as :2,Fab (\\Flagged, keywords 0 and 1)", (fs, err))
ok(kw == "0 $Junk\n1 NonJunk\n", "dovecot-keywords numbers them in order", kw)
spamkw = os.path.join(home, "Maildir", ".Spam", "dovecot-keywords")
ok(len(spam) == 1 and spam[0].endswith(":2,Fab") and os.path.exists(spamkw),
   "the fileinto copy has its folder's own dovecot-keywords", spam)
ok(not os.path.exists(kwf + ".lock"), "no lock file left")
set_script('require ["imap4flags"];\naddflag ["Later", "NonJunk"];\nkeep;\n')
rc, err = deliver()
new = [f for f in files() if f not in fs]
kw = open(kwf).read()
ok(rc == 0 and len(new) == 1 and new[0].endswith(":2,bc") and
   kw == "0 $Junk\n1 NonJunk\n2 Later\n",
   "a known keyword keeps its letter, a new one gets the next (:2,bc)", (new, kw))

# compile error: kept, error in the .log beside the script
clear()
set_script('require "fileinto";\nif header :is "subject" {\n')
rc, err = deliver()
log = open(script + ".log").read() if os.path.exists(script + ".log") else ""
ok(rc == 0 and len(files()) == 1, "script that does not compile: message kept in INBOX", err)
ok(".dovecot.sieve:" in log, "compile error written to .dovecot.sieve.log with its location", log)

# no script at all: keep
clear()
os.unlink(script)
rc, err = deliver()
ok(rc == 0 and len(files()) == 1, "no script: kept", err)

# redirect through sendmail_path, with our Delivered-To for loop detection
clear()
set_script('redirect "carol@example.net";\n')
rc, err = deliver()
s = sent()
args = open(s[0] + ".args").read() if s else ""
body = open(s[0], "rb").read() if s else b""
ok(rc == 0 and not files() and len(s) == 1, "redirect: sent once, no local copy", err)
ok("-f bob@example.org" in args and "carol@example.net" in args, "redirect: envelope sender kept, recipient given", args)
ok(body.startswith(b"Delivered-To: alice@example.test\n") and body.endswith(MSG), "redirect: Delivered-To prepended, message intact", body[:200])

# redirect loop: the message was delivered to the target before
clear()
rc, err = deliver(b"Delivered-To: carol@example.net\n" + MSG)
ok(rc == 0 and not sent() and len(files()) == 1, "redirect loop refused: kept instead", err)

# reject with -e: exit 77, the reason on stderr, nothing stored or sent
clear()
set_script('require "reject";\nreject "no thanks";\n')
rc, err = deliver(MSG, "-e")
ok(rc == 77 and "no thanks" in err and not files() and not sent(), "reject with -e: exit 77 with the reason", (rc, err))
# reject without -e: a notice to the sender through sendmail_path
rc, err = deliver()
s = sent()
note = open(s[0], "rb").read() if s else b""
ok(rc == 0 and len(s) == 1 and not files(), "reject: notice sent, nothing stored", err)
ok(b"To: <bob@example.org>" in note and b"Auto-Submitted: auto-replied" in note and b"no thanks" in note,
   "reject notice: to the sender, auto-submitted, with the reason", note[:400])

# sieve_before runs first; the user's script after it while the implicit
# keep is in effect (Pigeonhole's multiscript rule)
clear()
before = os.path.join(tmp, "before.sieve")
set_script('require ["fileinto", "mailbox", "copy"];\nfileinto :copy :create "Global";\n', before)
set_script('require ["fileinto", "mailbox"];\nfileinto :create "User";\n')
rc, err = deliver(MSG, "-o", "sieve_before=" + before)
ok(rc == 0 and len(files(".Global")) == 1 and len(files(".User")) == 1 and not files(),
   "sieve_before (fileinto :copy) and the user's script both act", err)
clear()
set_script('require ["fileinto", "mailbox"];\nfileinto :create "Global";\n', before)
set_script('keep;\n')
rc, err = deliver(MSG, "-o", "sieve_before=" + before)
ok(rc == 0 and len(files(".Global")) == 1 and not files(),
   "a sieve_before script that cancels the implicit keep ends the sequence (the user's keep does not run)", err)
clear()
set_script('discard;\n', before)
set_script('keep;\n')
rc, err = deliver(MSG, "-o", "sieve_before=" + before)
ok(rc == 0 and not files(), "discard in sieve_before: the user's script does not run", err)
clear()
after = os.path.join(tmp, "after.sieve")
set_script('require ["fileinto", "mailbox"];\nfileinto :create "After";\n', after)
set_script('require ["fileinto", "mailbox"];\nfileinto :create "User";\n')
rc, err = deliver(MSG, "-o", "sieve_after=" + after)
ok(rc == 0 and len(files(".User")) == 1 and not files(".After"),
   "sieve_after does not run once the user's script cancelled the implicit keep", err)
set_script('require "imap4flags";\naddflag "\\\\Seen";\n')
clear()
rc, err = deliver(MSG, "-o", "sieve_after=" + after)
ok(rc == 0 and len(files(".After")) == 1 and not files(),
   "sieve_after runs when the user's script left the implicit keep", err)

# vacation: one reply per sender per period, through sendmail_path, with
# the RFC 3834 rules: nothing to lists, automatic mail, <>, or when the
# recipient is not addressed
clear()
set_script('require "vacation";\nvacation :days 1 :subject "Away" "I am away.";\n')
rc, err = deliver()
s = sent()
reply = open(s[0], "rb").read() if s else b""
args = open(s[0] + ".args").read() if s else ""
ok(rc == 0 and len(files()) == 1 and len(s) == 1, "vacation: message kept, one reply sent", err)
ok(b"To: <bob@example.org>" in reply and b"Subject: Away" in reply and b"Auto-Submitted: auto-replied" in reply
   and b"In-Reply-To: <m1@example.org>" in reply and b"I am away." in reply, "vacation reply: headers and text", reply)
ok("-f <>" in args, "vacation reply sent with the null envelope sender", args)
rc, err = deliver()
ok(rc == 0 and len(sent()) == 1, "vacation: no second reply to the same sender within the period", err)
tracking = os.path.join(home, ".sluice.tracking.db")
ok(os.path.exists(tracking), "vacation: tracking database in the home")
for name, m, frm in (("list mail", b"List-Id: <l.example.org>\n" + MSG, "bob2@example.org"),
                     ("automatic mail", b"Auto-Submitted: auto-generated\n" + MSG, "bob3@example.org"),
                     ("the null sender", MSG, ""),
                     ("a daemon", MSG, "MAILER-DAEMON@example.org"),
                     ("mail not addressed to the user", MSG.replace(b"To: alice@example.test", b"To: list@example.org"), "bob4@example.org")):
    nsent = len(sent())
    p = subprocess.run([DELIVER, "-c", conf, "-d", "alice@example.test", "-f", frm], input=m,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    ok(p.returncode == 0 and len(sent()) == nsent, "vacation: no reply to %s" % name, p.stderr)
os.unlink(tracking)

# vacation: a non-ASCII subject is RFC 2047-encoded; no reply to oneself
clear()
set_script('require "vacation";\nvacation :subject "Abwesend: Grüße" "Bin weg.";\n')
rc, err = deliver()
s = sent()
reply = open(s[0], "rb").read() if s else b""
ok(rc == 0 and b"Subject: =?utf-8?b?" in reply and "Grüße".encode() not in reply.split(b"\n\n")[0],
   "vacation: non-ASCII subject encoded", reply[:300])
nsent = len(sent())
rc, err = deliver(MSG, "-f", "alice@example.test")
ok(rc == 0 and len(sent()) == nsent, "vacation: no reply to the recipient's own address", err)
os.unlink(tracking)

# fcc (RFC 8580): the vacation reply, as sent (with Date and Message-ID),
# is filed in the :fcc folder with its :flags; :create makes the folder;
# notify :fcc the same
clear()
set_script('require ["vacation", "fcc", "mailbox", "imap4flags"];\n'
           'vacation :fcc "Sent" :create :flags "\\\\Seen" :subject "Away" "I am away.";\n')
rc, err = deliver()
s = sent()
reply = open(s[0], "rb").read() if s else b""
fcc = files(".Sent")
copy = open(fcc[0], "rb").read() if fcc else b""
ok(rc == 0 and len(s) == 1 and len(fcc) == 1 and fcc[0].endswith(":2,S") and copy == reply,
   "vacation :fcc :create :flags: the reply as sent, filed in Sent with \\Seen", (fcc, err))
ok(b"\nMessage-ID: <sluice." in b"\n" + reply and b"\nDate: " in b"\n" + reply,
   "the reply carries Date and Message-ID", reply[:300])
os.unlink(tracking)
clear()
set_script('require ["enotify", "fcc"];\nnotify :fcc "Notices" "mailto:carol@example.net";\n')
rc, err = deliver()
s = sent()
note = open(s[0], "rb").read() if s else b""
ok(rc == 0 and len(files(".Notices")) == 0 and any(note == open(f, "rb").read() for f in files()),
   "notify :fcc into a missing folder without :create: the copy goes to INBOX", (files(), err))

# special-use (RFC 8579) with mailbox_special_use = \\Junk=Junk: fileinto
# :specialuse prefers the folder with the attribute when it exists, else
# the named one; specialuse_exists sees the attribute
SU = ["-o", "mailbox_special_use=\\Sent=Sent, \\Junk=Junk"]
clear()
set_script('require ["fileinto", "special-use", "mailbox"];\n'
           'fileinto :specialuse "\\\\Junk" :create "Spam";\n')
rc, err = deliver(MSG, *SU)
ok(rc == 0 and len(files(".Spam")) == 1 and not files(),
   "fileinto :specialuse without a Junk folder: the named folder (Spam)", err)
os.makedirs(os.path.join(home, "Maildir", ".Junk", "new"))
for d in ("cur", "tmp"):
    os.makedirs(os.path.join(home, "Maildir", ".Junk", d))
if root:
    for d in ("", "new", "cur", "tmp"):
        os.chown(os.path.join(home, "Maildir", ".Junk", d), uid, gid)
rc, err = deliver(MSG, *SU)
ok(rc == 0 and len(files(".Junk")) == 1 and len(files(".Spam")) == 1,
   "fileinto :specialuse with a Junk folder: into Junk", err)
set_script('require ["fileinto", "special-use"];\n'
           'if specialuse_exists "\\\\Junk" { fileinto "Junk"; }\n'
           'if specialuse_exists "\\\\Trash" { fileinto "Junk"; discard; }\n')
rc, err = deliver(MSG, *SU)
ok(rc == 0 and len(files(".Junk")) == 2 and not files(),
   "specialuse_exists: true for \\Junk (configured, exists), false for \\Trash", err)

# duplicate: the second copy of a Message-ID is seen (marked only after a
# successful delivery)
clear()
set_script('require ["duplicate", "fileinto", "mailbox"];\nif duplicate { fileinto :create "Dups"; }\n')
rc1, err1 = deliver()
rc2, err2 = deliver()
ok(rc1 == 0 and rc2 == 0 and len(files()) == 1 and len(files(".Dups")) == 1,
   "duplicate: first copy kept, the second one seen as a duplicate", err1 + err2)
os.unlink(tracking)

# enotify mailto: a notice through sendmail_path
clear()
set_script('require "enotify";\nnotify :message "new mail from bob" "mailto:carol@example.net";\n')
rc, err = deliver()
s = sent()
note = open(s[0], "rb").read() if s else b""
ok(rc == 0 and len(files()) == 1 and len(s) == 1 and b"To: <carol@example.net>" in note
   and b"Auto-Submitted: auto-notified" in note, "notify mailto: notice sent, message kept", note[:300] or err)

# a mailto URI cannot inject header lines into the notice
clear()
set_script('require "enotify";\nnotify "mailto:carol@example.net?X-Evil=a%0D%0ABcc:%20victim@example.org";\n')
rc, err = deliver()
s = sent()
note = open(s[0], "rb").read() if s else b""
ok(rc == 0 and len(s) == 1 and b"Bcc:" not in note and b"victim" not in note,
   "notify: a header value with CR/LF from the URI is dropped", note[:400] or err)

# an envelope sender with a line break cannot add header lines
clear()
rc, err = deliver(MSG, "-f", "evil@example.org\nX-Injected: yes")
fs = files()
got = open(fs[0], "rb").read() if fs else b""
ok(rc == 0 and b"\nX-Injected" not in got.split(b"\n\n")[0] and got.startswith(b"Return-Path: <evil@example.org?X-Injected: yes>\n"),
   "-f with a line break: control characters replaced, no header injected", got[:200])

# environment at delivery
clear()
set_script('require ["environment", "fileinto", "mailbox"];\nif environment :is "name" "sluice" { fileinto :create "Env"; }\n')
rc, err = deliver()
ok(rc == 0 and len(files(".Env")) == 1, "environment name is sluice at delivery", err)

# ereject: refused at the protocol level (exit 77) even without -e
clear()
set_script('require "ereject";\nereject "go away";\n')
rc, err = deliver()
ok(rc == 77 and "go away" in err and not files() and not sent(), "ereject: exit 77 with the reason", (rc, err))

# one copy per folder: keep and fileinto :copy "INBOX"
clear()
set_script('require ["fileinto", "copy"];\nfileinto :copy "INBOX";\nkeep;\n')
rc, err = deliver()
ok(rc == 0 and len(files()) == 1, "keep and fileinto :copy INBOX: stored once", (err, files()))

# a runtime error in a later script: the earlier scripts' actions stand
# (Pigeonhole has carried them out by then), the failing script's do not,
# and the implicit keep applies; the error goes to the script's .log
clear()
for x in glob.glob(os.path.join(rec, "*")):
    os.unlink(x)
set_script('require ["fileinto", "mailbox", "copy"];\nfileinto :copy :create "Global";\n', before)
set_script('require "fileinto";\nfileinto "Lost";\nredirect "one@example.net";\nredirect "two@example.net";\n')
rc, err = deliver(MSG, "-o", "sieve_before=" + before, "-o", "sieve_max_redirects=1")
log = open(script + ".log").read() if os.path.exists(script + ".log") else ""
ok(rc == 0 and len(files(".Global")) == 1 and len(files()) == 1 and not files(".Lost") and not sent(),
   "runtime error in the user's script: sieve_before's copy stays, implicit keep, no redirect", (err, files(), sent()))
ok("redirect" in log, "the runtime error is written to the script's .log", log)

# a spam filter in sieve_before that files and stops: the user's script
# does not run; a bare stop ends only its own script (as Pigeonhole)
clear()
set_script('require ["fileinto", "mailbox"];\nfileinto :create "Spam";\nstop;\n', before)
set_script('require ["fileinto", "mailbox"];\nfileinto :create "User";\n')
rc, err = deliver(MSG, "-o", "sieve_before=" + before)
ok(rc == 0 and len(files(".Spam")) == 1 and not files(".User") and not files(),
   "fileinto + stop in a sieve_before script: the user's script does not run", err)
clear()
set_script('stop;\n', before)
rc, err = deliver(MSG, "-o", "sieve_before=" + before)
ok(rc == 0 and len(files(".User")) == 1 and not files(),
   "a bare stop in sieve_before ends only that script: the user's script runs", err)

# editheader changes the stored copy: an added field (encoded), a deleted
# one, every other byte as received (folded fields too)
clear()
set_script('require "editheader";\naddheader "X-Sieve" "Grüße";\ndeleteheader "X-Drop";\nkeep;\n')
m = (b"From: bob@example.org\nX-Drop: remove me\nSubject: folded\n\tsecond line\n"
     b"X-Keep: stays\nX-Drop: and me\n\nbody\nX-Drop: not a header here\n")
rc, err = deliver(m)
fs = files()
got = open(fs[0], "rb").read() if fs else b""
want = (b"Return-Path: <bob@example.org>\nDelivered-To: alice@example.test\n"
        b"X-Sieve: =?utf-8?q?Gr=C3=BC=C3=9Fe?=\n" + m.replace(b"X-Drop: remove me\n", b"", 1)
        .replace(b"X-Drop: and me\n", b"", 1))
ok(rc == 0 and len(fs) == 1 and got.split(b"\n", 3)[3] == want.split(b"\n", 3)[3],
   "editheader: stored copy edited, the rest byte for byte", got)
ok(got.split(b"\n")[2].startswith(b"X-Sieve: =?utf-8?"), "editheader: added non-ASCII value stored encoded", got[:200])

# transaction: the second copy fails -> temporary failure, first copy removed
clear()
set_script('require ["fileinto", "mailbox"];\nfileinto :create "A";\nfileinto :create "B";\n')
rc, err = deliver()
ok(rc == 0 and len(files(".A")) == 1 and len(files(".B")) == 1, "two fileinto: two copies", err)
if root or os.getuid() != 0:
    for x in files(".A") + files(".B"):
        os.unlink(x)
    bnew = os.path.join(home, "Maildir", ".B", "new")
    os.chmod(bnew, 0o500)
    rc, err = deliver()
    os.chmod(bnew, 0o700)
    ok(rc == 75 and not files(".A") and not files(".B"),
       "one copy fails: exit 75 and the copy already saved is removed", (rc, err, files(".A")))

print("1..%d" % n)
shutil.rmtree(tmp, ignore_errors=True)
sys.exit(1 if failed else 0)
