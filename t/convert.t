#!/usr/bin/env python3
# convert.t - `sluice convert mbox2maildir|maildir2mbox`: round trips over
# the corpus mboxes (bytes, flags, dates and senders as sluice(1)
# documents them), mboxrd quoting, -r folders, resuming after SIGKILL and
# SIGINT (no duplicates, a partial mbox append repaired), the state file's
# guards, the progress bar on a terminal only, and the errors.
#
# The mboxes are read back here with a parser of our own (split at lines
# starting "From ", the empty last line of each message is the separator,
# one '>' taken off ^>+From lines), not with sluice, so a fault the two
# directions share would still show.
import atexit
import email.utils
import fcntl
import glob
import json
import os
import pty
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from calendar import timegm

BUILD = os.environ.get("SLUICE_BUILDDIR")
CORPUS = os.environ.get("SLUICE_CORPUS")
if not BUILD or not CORPUS:
    print("1..0 # SKIP SLUICE_BUILDDIR or SLUICE_CORPUS not set")
    sys.exit(0)
SLUICE = os.path.join(BUILD, "sluice")
T = tempfile.mkdtemp(prefix="convert-t.")
CONF = os.path.join(T, "empty.conf")
open(CONF, "w").close()

n = 0
failed = 0
children = []


def cleanup():
    """every process the test started, and its files, gone"""
    for c in children:
        if c.poll() is None:
            c.kill()
            c.wait()
    shutil.rmtree(T, ignore_errors=True)


atexit.register(cleanup)


def ok(cond, name, why=None):
    global n, failed
    n += 1
    print("%s %d - %s" % ("ok" if cond else "not ok", n, name))
    if not cond:
        failed += 1
        if why:
            for line in str(why).splitlines()[:20]:
                print("#   " + line)
    sys.stdout.flush()
    return cond


def sluice(*args, **kw):
    """run sluice convert; (rc, stdout, stderr) as text"""
    p = subprocess.run([SLUICE, "-c", CONF] + list(kw.pop("pre", [])) +
                       ["convert"] + list(args), stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, **kw)
    return p.returncode, p.stdout.decode("utf-8", "replace"), \
        p.stderr.decode("utf-8", "replace")


def path(*parts):
    return os.path.join(T, *parts)


# ---- an mbox reader of our own ----

FROM_DATE = re.compile(
    rb" ((Sun|Mon|Tue|Wed|Thu|Fri|Sat) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep"
    rb"|Oct|Nov|Dec) +(\d{1,2}) (\d\d):(\d\d)(?::(\d\d))? (?:\S+ )?(\d{4}))")
MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
UNQUOTE = re.compile(rb"^>(>*From )", re.M)


def from_date(line):
    """the asctime date of a From_ line as UTC seconds, or None"""
    m = FROM_DATE.search(line)
    if not m:
        return None
    mon = MONTHS.index(m.group(3).decode()) + 1
    return timegm((int(m.group(8)), mon, int(m.group(4)), int(m.group(5)),
                   int(m.group(6)), int(m.group(7) or 0)))


def parse_mbox(data):
    """(leading bytes, [(From_ line, message bytes)])"""
    starts = [0] if data.startswith(b"From ") else []
    starts += [m.start() + 1 for m in re.finditer(rb"\nFrom ", data)]
    msgs = []
    for i, s in enumerate(starts):
        e = starts[i + 1] if i + 1 < len(starts) else len(data)
        chunk = data[s:e]
        nl = chunk.find(b"\n")
        line, body = (chunk, b"") if nl < 0 else (chunk[:nl + 1],
                                                  chunk[nl + 1:])
        for sep in (b"\r\n", b"\n"):
            # the writer's separator: an empty last line
            if body == sep or body.endswith(b"\n" + sep):
                body = body[:-len(sep)]
                break
        msgs.append((line, UNQUOTE.sub(rb"\1", body)))
    return data[:starts[0]] if starts else data, msgs


def header_lines(body):
    """(header lines, rest): lines up to and without the empty line"""
    lines = body.splitlines(keepends=True)
    for i, l in enumerate(lines):
        if l in (b"\n", b"\r\n"):
            return lines[:i], b"".join(lines[i:])
    return lines, b""


def field_name(line):
    m = re.match(rb"([!-9;-~]+)[ \t]*:", line)
    return m.group(1).lower() if m else None


def strip_status(body):
    """the message without its header's Status:/X-Status: fields"""
    hdr, rest = header_lines(body)
    out, drop = [], False
    for l in hdr:
        if l[:1] not in (b" ", b"\t"):
            drop = field_name(l) in (b"status", b"x-status")
        if not drop:
            out.append(l)
    return b"".join(out) + rest


def field(body, name):
    """the first header field's value, unfolded, or None"""
    hdr, _ = header_lines(body)
    val = None
    for l in hdr:
        if val is not None:
            if l[:1] in (b" ", b"\t"):
                val += l
                continue
            break
        if field_name(l) == name.lower().encode():
            val = l.split(b":", 1)[1]
    return val


def mbox_flags(body):
    """Maildir flag letters the message's Status/X-Status (the last of
    each) and X-Mozilla-Status give"""
    hdr, _ = header_lines(body)
    st = xst = b""
    for l in hdr:
        if field_name(l) == b"status":
            st = l.split(b":", 1)[1]
        elif field_name(l) == b"x-status":
            xst = l.split(b":", 1)[1]
    f = set()
    if b"R" in st:
        f.add("S")
    for c, letter in ((b"A", "R"), (b"F", "F"), (b"T", "D"), (b"D", "T")):
        if c in xst:
            f.add(letter)
    moz = field(body, "X-Mozilla-Status")
    if moz is not None:
        try:
            v = int(moz.strip(), 16)
        except ValueError:
            v = 0
        for bit, letter in ((1, "S"), (2, "R"), (4, "F"), (8, "T")):
            if v & bit:
                f.add(letter)
    return "".join(sorted(f))


def header_date(body):
    d = field(body, "Date")
    if d is None:
        return None
    try:
        return int(email.utils.parsedate_to_datetime(
            d.decode("latin-1").strip()).timestamp())
    except (TypeError, ValueError, IndexError):
        return None


def addr_spec(text):
    """the address of one mailbox as sluice's parser reads it: inside
    <>, else the word with an '@'; None if it is not a usable one"""
    m = re.search(r"<([^>]*)>", text)
    if m:
        a = m.group(1).strip()
    else:
        words = [w for w in text.split() if "@" in w]
        a = words[-1] if words else text.strip()
    return a if a == "" or a.count("@") == 1 else None


def envelope(body):
    """the From_ sender sluice is documented to write for a message: the
    first Return-Path (<> is MAILER-DAEMON), else the first usable From:
    address, else MAILER-DAEMON"""
    rp = field(body, "Return-Path")
    if rp is not None:
        a = addr_spec(rp.decode("latin-1"))
        if a is not None:
            return a or "MAILER-DAEMON"
        return None  # "a@b@c": how lenient parsers read it varies
    fr = field(body, "From")
    if fr is not None:
        for part in fr.decode("latin-1").split(","):
            a = addr_spec(part)
            if a:
                return a
    return "MAILER-DAEMON"


def maildir_msgs(md):
    """[(name, flags, mtime, bytes)] in name order, new/ and cur/"""
    out = []
    for sub in ("new", "cur"):
        for f in os.listdir(os.path.join(md, sub)):
            p = os.path.join(md, sub, f)
            base, _, info = f.partition(":2,")
            with open(p, "rb") as fh:
                out.append((base, "".join(sorted(info)),
                            int(os.stat(p).st_mtime), fh.read()))
    return sorted(out)


def write(p, data):
    os.makedirs(os.path.dirname(p), exist_ok=True)
    with open(p, "wb") as f:
        f.write(data)


def read(p):
    with open(p, "rb") as f:
        return f.read()


# ---- round trips over the corpus ----

def round_trip(name, src, expect_junk):
    """mbox -> Maildir -> mbox, every documented promise checked"""
    data = read(src)
    junk, msgs = parse_mbox(data)
    md, back = path(name + ".md"), path(name + ".back")
    rc, out, err = sluice("--json", "mbox2maildir", src, md)
    want_rc = 1 if junk.strip() else 0
    if not ok(rc == want_rc, "%s: mbox2maildir exits %d" % (name, want_rc),
              "rc %d: %s" % (rc, err)):
        return
    summary = json.loads(out)
    if expect_junk:
        ok("bytes before the first \"From \" line" in err and
           summary["skipped_bytes"] == len(junk),
           "%s: the text before the first From_ line is reported" % name,
           err)
    got = maildir_msgs(md)
    ok(len(got) == len(msgs) == summary["messages"],
       "%s: %d messages in the Maildir" % (name, len(msgs)),
       "%d in Maildir, %d in mbox" % (len(got), len(msgs)))
    bad_bytes, bad_flags, bad_dates = [], [], []
    for i, ((line, body), (_, flags, mtime, mbytes)) in \
            enumerate(zip(msgs, got)):
        if mbytes != strip_status(body):
            bad_bytes.append(i)
        if flags != mbox_flags(body):
            bad_flags.append((i, flags, mbox_flags(body)))
        want = from_date(line) or header_date(body)
        if want is not None and mtime != want:
            bad_dates.append((i, mtime, want))
    ok(not bad_bytes, "%s: Maildir files are the messages' bytes, Status "
       "and X-Status removed, mboxrd quoting undone" % name, bad_bytes)
    ok(not bad_flags, "%s: flags in the Maildir names" % name, bad_flags)
    ok(not bad_dates, "%s: mtime is the From_ date (else the Date: field)"
       % name, bad_dates)

    rc, out, err = sluice("-q", "maildir2mbox", md, back)
    if not ok(rc == 0, "%s: maildir2mbox exits 0" % name, err):
        return
    junk2, msgs2 = parse_mbox(read(back))
    ok(junk2 == b"" and len(msgs2) == len(msgs),
       "%s: %d messages back in the mbox" % (name, len(msgs)),
       "%d back, junk %r" % (len(msgs2), junk2[:40]))
    bad = []
    for i, ((line, body), (line2, body2)) in enumerate(zip(msgs, msgs2)):
        a, b = strip_status(body), strip_status(body2)
        eol = b"\r\n" if a.split(b"\n", 1)[0].endswith(b"\r") else b"\n"
        if not (b == a or (not a.endswith(b"\n") and b == a + eol)):
            bad.append((i, "bytes"))
        if mbox_flags(body2) != mbox_flags(body):
            bad.append((i, "flags", mbox_flags(body2), mbox_flags(body)))
        want = from_date(line) or header_date(body)
        if want is not None and from_date(line2) != want:
            bad.append((i, "date", line2))
        if envelope(body) not in (None, line2.split(b" ")[1].decode()):
            bad.append((i, "sender", line2, envelope(body)))
    ok(not bad, "%s: round trip equals the original but for the "
       "documented normalisations (From_ line, Status lines, separator, "
       "final line end)" % name, bad)
    # a second trip changes nothing: the normal form is stable
    md2, back2 = path(name + ".md2"), path(name + ".back2")
    r1 = sluice("-q", "mbox2maildir", back, md2)[0]
    r2 = sluice("-q", "maildir2mbox", md2, back2)[0]
    ok(r1 == 0 and r2 == 0 and read(back2) == read(back),
       "%s: a second round trip gives the same mbox, byte for byte" % name)


mboxes = sorted(glob.glob(os.path.join(CORPUS, "**", "*.mbox*"),
                          recursive=True))
single = []
for f in sorted(glob.glob(os.path.join(CORPUS, "**", "*"), recursive=True)):
    if os.path.isfile(f) and f not in mboxes and "LICENSES" not in f:
        with open(f, "rb") as fh:
            if fh.read(5) == b"From ":
                single.append(f)
ok(len(mboxes) >= 4 and len(single) >= 20,
   "the corpus has its mbox files (%d) and single-message mboxes (%d)"
   % (len(mboxes), len(single)))
for f in mboxes:
    round_trip(os.path.basename(f), f, "unmunged" in f)
# the single-message files (real From_ senders and dates, CRLF ones too)
# as one mbox
joined = b""
for f in single:
    d = read(f)
    joined += d + (b"" if d.endswith(b"\n") else b"\n") + b"\n"
write(path("single.mbox"), joined)
round_trip("single-message files", path("single.mbox"), False)

# ---- flags, quoting, senders: a made-up mbox ----

FLAG_CASES = [  # (Status, X-Status, Maildir letters)
    (None, None, ""), ("RO", None, "S"), ("O", None, ""), ("R", "A", "RS"),
    (None, "F", "F"), ("RO", "AFTD", "DFRST"), ("U", "T", "D"),
    (None, "D", "T"),
]
made = b""
for i, (st, xst, _) in enumerate(FLAG_CASES):
    made += b"From flags%d@example.org Tue Mar  3 10:%02d:00 2015\n" % (i, i)
    made += b"Message-ID: <flags%d@example.org>\n" % i
    if st is not None:
        made += b"Status: %s\n" % st.encode()
    made += b"Subject: flags %d\n" % i
    if xst is not None:
        made += b"X-Status: %s\n" % xst.encode()
    made += b"\nbody %d\n\n" % i
# mboxrd quoting: ">From" is "From", ">>From" is ">From", ">Fromage" is
# not quoted; a Return-Path, a null Return-Path, only a From:
made += (b"From quoting@example.org Wed Mar  4 11:00:00 2015\n"
         b"Return-Path: <bounce@example.org>\n"
         b"From: Someone Else <else@example.org>\n"
         b"Subject: quoting\n\n"
         b">From the start\n>>From deeper\n>Fromage\nFrom-less\n\n"
         b"From x Thu Mar  5 12:00:00 2015\n"
         b"Return-Path: <>\nSubject: null sender\n\nbody\n\n"
         b"From y Fri Mar  6 13:00:00 2015\n"
         b"From: \"Alice A.\" <alice@example.com>\nSubject: no Return-Path\n"
         b"\nbody\n\n")
write(path("made.mbox"), made)
rc, out, err = sluice("--json", "mbox2maildir", path("made.mbox"),
                      path("made.md"))
got = maildir_msgs(path("made.md"))
ok(rc == 0 and len(got) == len(FLAG_CASES) + 3, "made-up mbox converted",
   err)
ok([g[1] for g in got[:len(FLAG_CASES)]] == [c[2] for c in FLAG_CASES],
   "Status/X-Status letters become Maildir flags (R->S, A->R, F->F, "
   "T->D, D->T; O and U dropped)",
   [g[1] for g in got[:len(FLAG_CASES)]])
ok(all(b"Status:" not in g[3] for g in got),
   "no Status:/X-Status: line is left in the Maildir files")
ok(json.loads(out)["flags"] == {"seen": 3, "answered": 2, "flagged": 2,
                                "deleted": 2, "draft": 2},
   "the summary counts the flags", out)
q = got[len(FLAG_CASES)][3]
ok(q.endswith(b"\n\nFrom the start\n>From deeper\n>Fromage\nFrom-less\n"),
   "mboxrd quoting is undone in the Maildir file", q)
ok(got[0][2] == timegm((2015, 3, 3, 10, 0, 0)),
   "the From_ date is the file's mtime")
rc, out, err = sluice("-q", "maildir2mbox", path("made.md"),
                      path("made.back"))
back = read(path("made.back"))
ok(rc == 0 and b"\n>From the start\n>>From deeper\n>Fromage\nFrom-less\n"
   in back, "quoted again on the way back", err)
_, msgs = parse_mbox(back)
ok([l.split(b" ")[1] for l, _ in msgs[-3:]] ==
   [b"bounce@example.org", b"MAILER-DAEMON", b"alice@example.com"],
   "From_ sender: Return-Path, <> as MAILER-DAEMON, else From:",
   [l for l, _ in msgs[-3:]])
ok([mbox_flags(b) for _, b in msgs[:len(FLAG_CASES)]] ==
   [c[2] for c in FLAG_CASES], "flags come back as Status/X-Status")
ok(b"Status: R\nX-Status: AFTD\n\nbody 5\n" in back,
   "canonical Status/X-Status lines at the end of the header")
ok(msgs[5][0] == b"From MAILER-DAEMON Tue Mar  3 10:05:00 2015\n",
   "the From_ date comes back from the mtime", msgs[5][0])

# ---- -r: a directory of mbox folders ----

write(path("tree", "inbox"), made)
write(path("tree", "Lists", "Debian"), made[:made.index(b"From flags3")])
write(path("tree", "Work"), b"")
rc, out, err = sluice("-r", "--json", "mbox2maildir", path("tree"),
                      path("tree.md"))
s = json.loads(out) if out else {}
ok(rc == 0 and s.get("folders") == 3 and
   os.path.isdir(path("tree.md", ".Lists.Debian", "cur")) and
   os.path.isdir(path("tree.md", ".Work", "cur")) and
   len(maildir_msgs(path("tree.md", ".Lists.Debian"))) == 3 and
   len(maildir_msgs(path("tree.md"))) == len(FLAG_CASES) + 3,
   "-r: every mbox folder becomes a Maildir++ folder", (rc, out, err))
rc, out, err = sluice("-r", "-q", "maildir2mbox", path("tree.md"),
                      path("tree.back"))
ok(rc == 0 and read(path("tree.back", "inbox")) == back and
   len(parse_mbox(read(path("tree.back", "Lists", "Debian")))[1]) == 3 and
   read(path("tree.back", "Work")) == b"",
   "-r: and back to a directory of mbox files", (rc, out, err))
rc, out, err = sluice("-r", "-i", path("made.back"), "-q", "mbox2maildir",
                      path("tree", "Lists"), path("tree2.md"))
ok(rc == 0 and len(maildir_msgs(path("tree2.md"))) == len(FLAG_CASES) + 3
   and len(maildir_msgs(path("tree2.md", ".Debian"))) == 3,
   "-r -i: the INBOX file given apart", (rc, err))

# ---- resuming ----

BIG = 1500


def big_mbox(p):
    with open(p, "wb") as f:
        for i in range(BIG):
            f.write(b"From s%d@example.org Mon Jan  5 09:%02d:03 2026\n"
                    b"Return-Path: <s%d@example.org>\n"
                    b"Message-ID: <big%d@example.org>\n%s"
                    b"Subject: message %d\n\n" % (
                        i, i % 60, i, i,
                        b"Status: RO\n" if i % 3 == 0 else b"", i))
            f.write((b"line of message %d\n" % i) * 40 + b"\n")


def ids_of(msgs):
    return [re.search(rb"Message-ID: <([^>]*)>", b).group(1) for b in msgs]


def maildir_count(md):
    return sum(len(os.listdir(os.path.join(md, s)))
               for s in ("new", "cur") if os.path.isdir(os.path.join(md, s)))


def start(*args, **kw):
    p = subprocess.Popen([SLUICE, "-c", CONF] + list(kw.pop("pre", [])) +
                         ["convert"] + list(args), stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    children.append(p)
    return p


def wait_for(cond, secs=60):
    end = time.time() + secs
    while time.time() < end:
        if cond():
            return True
        time.sleep(0.005)
    return False


big_mbox(path("big.mbox"))
want_ids = ids_of([b for _, b in parse_mbox(read(path("big.mbox")))[1]])
md, state = path("big.md"), path("big.md.sluice-convert")
# the reader locks the source mbox for each message, and a SIGKILL
# leaves a dotlock behind (stale only after mbox_dotlock_stale): fcntl
# locks only where the test kills
FCNTL = ["-o", "mbox_lock=fcntl"]
p = start("-q", "mbox2maildir", path("big.mbox"), md, pre=FCNTL)
ok(wait_for(lambda: maildir_count(md) >= 100),
   "mbox2maildir under way (100 messages written)")
p.kill()
p.wait()
part = maildir_count(md)
ok(os.path.exists(state) and 0 < part < BIG,
   "killed with SIGKILL after %d of %d: the state file stays" % (part, BIG))
rc, out, err = sluice("--json", "mbox2maildir", path("big.mbox"), md,
                      pre=FCNTL)
s = json.loads(out) if out else {}
got = maildir_msgs(md)
ok(rc == 0 and s.get("resumed", 0) >= part and
   s["resumed"] + s["messages"] == BIG,
   "the same command again goes on where it stopped (%s before)"
   % s.get("resumed"), (rc, out, err))
ok(ids_of([g[3] for g in got]) == want_ids and len(got) == BIG,
   "no message twice, none missing, in the mbox's order")
ok(not os.path.exists(state), "the state file is gone once complete")
ok(sum(1 for g in got if g[1] == "S") == (BIG + 2) // 3,
   "flags kept across the interruption")
rc, out, err = sluice("mbox2maildir", path("big.mbox"), md)
ok(rc == 1 and "already holds %d messages" % BIG in err and
   maildir_count(md) == BIG,
   "a complete conversion run again refuses: no duplicates", err)

# maildir -> mbox, stopped by SIGINT (exit 75), then a partial append
mb = path("big.back")
mstate = mb + ".sluice-convert"
p = start("-q", "maildir2mbox", md, mb)
ok(wait_for(lambda: os.path.exists(mb) and os.path.getsize(mb) > 200000),
   "maildir2mbox under way")
p.send_signal(signal.SIGINT)
out, err = p.communicate()
ok(p.returncode == 75 and b"interrupted" in err and
   b"run the same command again" in err and os.path.exists(mstate),
   "SIGINT stops it between messages: exit 75, state kept", err)
_, part_msgs = parse_mbox(read(mb))
ok(0 < len(part_msgs) < BIG and
   ids_of([b for _, b in part_msgs]) == want_ids[:len(part_msgs)],
   "what was written is whole messages, in order (%d)" % len(part_msgs))
# an append cut short (a crash mid-write): half of the next message
nxt = got[len(part_msgs)][3]
with open(mb, "ab") as f:
    f.write(b"From s@example.org Mon Jan  5 09:00:03 2026\n" +
            nxt[:len(nxt) // 2])
rc, out, err = sluice("--json", "maildir2mbox", md, mb)
s = json.loads(out) if out else {}
_, back_msgs = parse_mbox(read(mb))
ok(rc == 0 and s.get("partial_removed") == 1 and
   "removed the last message" in err, "the partial message is found and "
   "taken away", (rc, out, err))
ok(ids_of([b for _, b in back_msgs]) == want_ids,
   "then every message once, in order (%d)" % len(back_msgs))
ok(all(strip_status(b2) == strip_status(b1) for (_, b1), (_, b2) in
       zip(parse_mbox(read(path("big.mbox")))[1], back_msgs)),
   "with the original bytes")
ok(not os.path.exists(mstate), "state file removed")

# SIGKILL of maildir2mbox (fcntl locks only: a dotlock would outlive it)
mb2 = path("big.back2")
p = start("-q", "maildir2mbox", md, mb2, pre=FCNTL)
ok(wait_for(lambda: os.path.exists(mb2) and os.path.getsize(mb2) > 200000),
   "maildir2mbox under way again")
p.kill()
p.wait()
rc, out, err = sluice("-q", "maildir2mbox", md, mb2, pre=FCNTL)
ok(rc == 0 and ids_of([b for _, b in parse_mbox(read(mb2))[1]]) == want_ids,
   "SIGKILL, then again: every message once", err)

# ---- the state file's guards ----

write(path("other.mbox"), made)
write(path("guard.md.sluice-convert"), b"sluice-convert-state 1\n")
rc, out, err = sluice("mbox2maildir", path("other.mbox"), path("guard.md"))
ok(rc == 1 and "does not record this conversion" in err and
   not os.path.exists(path("guard.md")),
   "a damaged state file is not taken up", err)
os.unlink(path("guard.md.sluice-convert"))
p = start("-q", "mbox2maildir", path("big.mbox"), path("guard.md"),
          pre=FCNTL)
ok(wait_for(lambda: maildir_count(path("guard.md")) > 10), "a run started")
p.kill()
p.wait()
rc, out, err = sluice("mbox2maildir", path("other.mbox"), path("guard.md"))
ok(rc == 1 and "does not record this conversion" in err,
   "another source into an interrupted conversion's destination refused",
   err)
fd = os.open(path("guard.md.sluice-convert"), os.O_RDONLY)
fcntl.flock(fd, fcntl.LOCK_EX)
rc, out, err = sluice("mbox2maildir", path("big.mbox"), path("guard.md"))
ok(rc == 75 and "another sluice convert is working" in err,
   "a state file held by a running conversion: exit 75", err)
os.close(fd)

# ---- errors ----

def refused(args, code, text, name, pre_exists=None):
    rc, out, err = sluice(*args)
    ok(rc == code and text in err and
       (pre_exists is None or not os.path.exists(pre_exists)),
       name, "rc %d: %s" % (rc, err))


write(path("plain.eml"), b"Subject: not an mbox\n\nbody\n")
write(path("afile"), b"x")
write(path("notmd", "something"), b"x")
write(path("notmbox"), b"Subject: x\n\n")
os.makedirs(path("emptydir"))
refused(["mbox2maildir", path("nothere"), path("e1")], 1,
        "No such file or directory", "missing source mbox: exit 1",
        path("e1"))
refused(["mbox2maildir", path("tree"), path("e2")], 1, "is a directory",
        "a directory as the mbox without -r: exit 1", path("e2"))
refused(["mbox2maildir", path("plain.eml"), path("e3")], 1,
        "is not an mbox file", "a file that is no mbox: exit 1, nothing "
        "made", path("e3"))
refused(["mbox2maildir", path("made.mbox"), path("afile")], 1,
        "exists and is not a directory", "Maildir destination is a file")
refused(["mbox2maildir", path("made.mbox"), path("notmd")], 1,
        "is not a Maildir", "Maildir destination is some other directory")
refused(["mbox2maildir", path("made.mbox"), path("made.md")], 1,
        "already holds", "Maildir destination already holds mail")
refused(["maildir2mbox", path("nothere"), path("e4")], 1,
        "No such file or directory", "missing source Maildir: exit 1",
        path("e4"))
refused(["maildir2mbox", path("emptydir"), path("e5")], 1,
        "is not a Maildir", "a directory that is no Maildir: exit 1",
        path("e5"))
refused(["maildir2mbox", path("made.mbox"), path("e6")], 1,
        "is not a directory", "a file as the Maildir: exit 1", path("e6"))
refused(["maildir2mbox", path("made.md"), path("emptydir")], 1,
        "is a directory", "mbox destination is a directory")
refused(["maildir2mbox", path("made.md"), path("notmbox")], 1,
        "is not an mbox file", "mbox destination is some other file")
refused(["maildir2mbox", path("made.md"), path("made.back")], 1,
        "already holds", "mbox destination already holds mail")
rc, out, err = sluice("-q", "mbox2maildir", path("made.mbox"),
                      path("emptydir"))
ok(rc == 0 and maildir_count(path("emptydir")) == len(FLAG_CASES) + 3,
   "an empty directory is a fine Maildir destination", err)
write(path("empty.mbox"), b"")
rc, out, err = sluice("-q", "maildir2mbox", path("made.md"),
                      path("empty.mbox"))
ok(rc == 0 and read(path("empty.mbox")) == back,
   "an empty file is a fine mbox destination", err)
for args in ([], ["mbox2maildir", "a"], ["sideways", "a", "b"],
             ["-i", "x", "mbox2maildir", "a", "b"], ["--bogus"]):
    rc, out, err = sluice(*args)
    ok(rc == 64 and "usage: sluice convert" in err,
       "usage error %s: exit 64" % (args,), (rc, err))

# ---- the progress bar: on a terminal, and only there ----

def on_tty(*args):
    """run with standard error on a pseudo-terminal; (rc, its bytes)"""
    master, slave = pty.openpty()
    p = subprocess.Popen([SLUICE, "-c", CONF, "convert"] + list(args),
                         stdout=subprocess.PIPE, stderr=slave)
    os.close(slave)
    seen = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    p.communicate()
    os.close(master)
    return p.returncode, seen


rc, tty = on_tty("mbox2maildir", path("big.mbox"), path("tty.md"))
ok(rc == 0 and b"\rINBOX" in tty and b"100%" in tty and
   b"1500/1500 messages" in tty and b"[####" in tty,
   "a progress bar on a terminal", tty[-300:])
rc, tty = on_tty("-q", "mbox2maildir", path("made.mbox"), path("tty2.md"))
ok(rc == 0 and tty == b"", "-q: none", tty)
rc, out, err = sluice("mbox2maildir", path("made.mbox"), path("quiet.md"))
ok(rc == 0 and err == "" and "messages  11 converted" in out and
   "errors    0" in out,
   "not a terminal: quiet, and the summary on standard output", (out, err))

print("1..%d" % n)
sys.exit(1 if failed else 0)
