#!/usr/bin/env python3
"""lmtpd.t - sluice-lmtpd's protocol contract (RFC 2033, lmtpd-spec).

A private server (t/lmtpd_helper.py) on a free 127.0.0.1 port and a UNIX
socket, three virtual users in a passwd-file (one with a UTF-8 local
part, one with a Sieve script), Maildirs, log and pid file in a temp dir.
Checks: greeting and LHLO capabilities, HELO/EHLO refused, delivery with
smtplib over TCP and the UNIX socket (stored with LF, Return-Path,
Delivered-To and Received on top), several recipients with per-recipient
replies in RCPT order and one inode hard-linked, pipelining, BDAT,
SIZE, 8BITMIME, SMTPUTF8, ORCPT, RSET, NOOP, VRFY, sequencing errors,
error limit, overlong lines, disconnect mid-DATA, dot-stuffing, Sieve
fileinto and reject, the per-recipient log line with queue_id, a second
instance that cannot bind, SIGHUP reload and SIGTERM stop.
"""
import os
import signal
import smtplib
import sys
import time
import traceback

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lmtpd_helper import (HOSTNAME, Client, Lmtpd, ProtocolError, Tap,  # noqa: E402
                          crlf, field_name, field_value, top_fields,
                          wait_for, wire)

ALICE = "alice@example.test"
BOB = "bob@example.test"
JOERG = "jörg@example.test"
UNKNOWN = "nosuch@example.test"
SENDER = "sender@example.org"
SIZE_MAX = 100000
MAX_ERRORS = 4

tap = Tap()
srv = Lmtpd(tap, {ALICE: "alice", BOB: "bob", JOERG: "joerg"},
            {"lmtp_message_size_max": str(SIZE_MAX),
             "lmtp_max_errors": str(MAX_ERRORS)})
TCP = ("127.0.0.1", srv.port)
ok = tap.ok

# bob's Sieve script: fileinto :create / reject, chosen by Subject
srv.write_user_file(BOB, ".dovecot.sieve",
                    'require ["fileinto", "mailbox", "reject"];\n'
                    'if header :contains "subject" "sieve-fileinto" {\n'
                    '  fileinto :create "Lists/Test";\n'
                    '} elsif header :contains "subject" "sieve-reject" {\n'
                    '  reject "rejected by the test script";\n'
                    '}\n')

counter = [0]


def message(subject, body=b"body line\n", top=b"", extra=b""):
    """a small LF message with a unique Message-ID"""
    counter[0] += 1
    return (top + b"From: <sender@example.org>\nTo: <alice@example.test>\n"
            b"Subject: " + subject.encode() + b"\n"
            b"Message-ID: <lmtpd-t-%d@example.org>\n" % counter[0] +
            extra + b"\n" + body)


def new_files(addr, before, folder=""):
    return {p: d for p, d in srv.files(addr, folder).items()
            if p not in before}


def connect(addr=TCP, lhlo=True):
    c = Client(addr)
    r = c.reply()
    if r.code != 220:
        raise ProtocolError("greeting %r" % r)
    if lhlo:
        r = c.cmd("LHLO client.example.test")
        if r.code != 250:
            raise ProtocolError("LHLO %r" % r)
    return c


def check_stored(name, stored, msg, rcpt, sender=SENDER):
    """stored == Return-Path, Delivered-To (rcpt, or none when rcpt is
    None), Received in any order, then msg byte for byte"""
    want = ["delivered-to", "received", "return-path"] if rcpt else \
        ["received", "return-path"]
    fields, rest = top_fields(stored, len(want))
    names = sorted(field_name(f) for f in fields)
    vals = {field_name(f): field_value(f) for f in fields}
    good = (names == want and rest == msg and
            vals.get("return-path") == "<%s>" % sender and
            (rcpt is None or vals.get("delivered-to") == rcpt))
    ok(good, name, "stored: %r\nsent:   %r" % (stored[:600], msg[:300]))
    if rcpt is None:
        head = stored.split(b"\n\n", 1)[0]
        ok(b"\ndelivered-to:" not in b"\n" + head.lower(),
           name + ": no Delivered-To with two recipients", stored[:400])
    return vals


def transaction(c, rcpts, msg, mail_args=""):
    """MAIL, RCPTs, DATA; (rcpt replies, data replies or None)"""
    r = c.cmd("MAIL FROM:<%s>%s" % (SENDER, mail_args))
    if r.code != 250:
        raise ProtocolError("MAIL %r" % r)
    rr = [c.cmd("RCPT TO:<%s>" % a) for a in rcpts]
    good = sum(1 for r in rr if r.code == 250)
    r = c.cmd("DATA")
    if r.code != 354:
        return rr, [r]
    c.send(wire(msg))
    return rr, c.replies_n(good)


sections = []


def section(fn):
    sections.append(fn)
    return fn


# --- start -----------------------------------------------------------

if not ok(srv.start(), "server started: 220 on TCP %d and on %s"
          % (srv.port, srv.sock), srv.read_stderr()):
    tap.bail("sluice-lmtpd did not start")
ok(wait_for(lambda: os.path.exists(srv.pidfile), 2) and
   open(srv.pidfile).read().strip() == str(srv.proc.pid),
   "pid file written with the server's pid",
   os.path.exists(srv.pidfile) and open(srv.pidfile).read())


@section
def greeting_and_lhlo():
    c = Client(TCP)
    r = c.reply()
    ok(r.code == 220 and r.text == "%s LMTP sluice-lmtpd ready" % HOSTNAME,
       "greeting: 220 HOST LMTP sluice-lmtpd ready", r)
    r = c.cmd("LHLO client.example.test")
    caps = r.lines[1:]
    want = ["PIPELINING", "ENHANCEDSTATUSCODES", "8BITMIME",
            "SIZE %d" % SIZE_MAX, "CHUNKING", "SMTPUTF8", "DSN"]
    ok(r.code == 250 and r.lines[0] == HOSTNAME, "LHLO: 250, first line the host name", r)
    ok(sorted(caps) == sorted(want), "LHLO capabilities exactly " + ", ".join(want), r)
    ok(caps == want, "LHLO capabilities in the spec's order", r)
    ok(not any(c_.upper().startswith("STARTTLS") for c_ in caps),
       "no STARTTLS without lmtp_tls_cert/key", r)
    for verb in ("EHLO", "HELO"):
        r = c.cmd("%s client.example.test" % verb)
        ok(r.code == 500 and r.enh == "5.5.1", "%s refused: 500 5.5.1" % verb, r)
    r = c.cmd("NOOP")
    ok(r.code == 250 and r.enh == "2.0.0", "NOOP: 250 2.0.0", r)
    r = c.cmd("VRFY <%s>" % ALICE)
    ok(r.code == 252 and r.enh == "2.5.0", "VRFY (lmtp_vrfy = no): 252 2.5.0", r)
    r = c.cmd("QUIT")
    ok(r.code == 221 and c.closed(), "QUIT: 221 and closed", r)
    c.close()


def smtplib_delivery(where, addr, rcpt):
    before = srv.files(rcpt)
    msg = message("smtplib over %s" % where,
                  b"first line\n\nsecond paragraph\n.dot line\n")
    try:
        if isinstance(addr, str):
            s = smtplib.LMTP(addr, timeout=5)
        else:
            s = smtplib.LMTP(addr[0], addr[1], timeout=5)
        refused = s.sendmail(SENDER, [rcpt], crlf(msg))  # bytes go as given
        s.quit()
        err = None
    except (smtplib.SMTPException, OSError) as e:
        refused, err = None, e
    ok(refused == {} and err is None, "smtplib.LMTP over %s: accepted" % where,
       err or refused)
    got = new_files(rcpt, before)
    ok(len(got) == 1, "over %s: one file in %s's Maildir/new" % (where, rcpt), got)
    if got:
        vals = check_stored("over %s: message stored with LF, Return-Path, "
                            "Delivered-To, Received on top" % where,
                            list(got.values())[0], msg, rcpt)
        ok(HOSTNAME in vals.get("received", ""),
           "over %s: Received names lmtp_hostname" % where, vals.get("received"))


@section
def smtplib_tcp():
    smtplib_delivery("TCP", TCP, ALICE)


@section
def smtplib_unix():
    smtplib_delivery("the UNIX socket", srv.sock, BOB)


@section
def multi_recipient():
    ba, bb = srv.files(ALICE), srv.files(BOB)
    msg = message("two recipients")
    c = connect()
    rr, dr = transaction(c, [ALICE, UNKNOWN, BOB], msg)
    ok([r.code for r in rr] == [250, 550, 250] and rr[1].enh == "5.1.1"
       and rr[0].enh == "2.1.5",
       "RCPT: known 250 2.1.5, unknown 550 5.1.1", rr)
    ok([r.code for r in dr] == [250, 250], "after DATA: two 250 replies", dr)
    ok(len(dr) == 2 and ALICE in dr[0].text and BOB in dr[1].text,
       "per-recipient replies in RCPT order, naming the recipient", dr)
    c.cmd("QUIT")
    c.close()
    ga, gb = new_files(ALICE, ba), new_files(BOB, bb)
    ok(len(ga) == 1 and len(gb) == 1, "both Maildirs have the message", (ga, gb))
    if len(ga) == 1 and len(gb) == 1:
        (pa, da), (pb, db) = list(ga.items())[0], list(gb.items())[0]
        check_stored("two recipients: stored with LF, Return-Path, Received",
                     da, msg, None)
        ok(da == db, "both copies identical")
        sa, sb = os.stat(pa), os.stat(pb)
        ok(sa.st_ino == sb.st_ino and sa.st_dev == sb.st_dev and sa.st_nlink == 2,
           "same uid and filesystem: one inode hard-linked (st_nlink 2)",
           (sa.st_ino, sb.st_ino, sa.st_nlink))
        ok(sa.st_uid == srv.user.uid, "stored file owned by the user's uid", sa.st_uid)


@section
def pipelining():
    ba, bb = srv.files(ALICE), srv.files(BOB)
    msg = message("pipelined")
    c = connect()
    c.send("MAIL FROM:<%s>\r\nRCPT TO:<%s>\r\nRCPT TO:<%s>\r\nRCPT TO:<%s>\r\nDATA\r\n"
           % (SENDER, ALICE, UNKNOWN, BOB))
    rs = c.replies_n(5)
    ok([r.code for r in rs] == [250, 250, 550, 250, 354],
       "MAIL, RCPT, RCPT(unknown), RCPT, DATA in one send: replies in order", rs)
    c.send(wire(msg) + b"QUIT\r\n")
    rs = c.replies_n(3)
    ok([r.code for r in rs] == [250, 250, 221],
       "message and QUIT in one send: 250, 250, 221", rs)
    c.close()
    ok(len(new_files(ALICE, ba)) == 1 and len(new_files(BOB, bb)) == 1,
       "pipelined message delivered to both")


def bdat_send(c, chunks, last_separate):
    """BDAT chunks (each answered), then BDAT 0 LAST or the last chunk
    with LAST; the replies of the non-LAST chunks"""
    rs = []
    body = chunks if last_separate else chunks[:-1]
    for ch in body:
        c.send(b"BDAT %d\r\n" % len(ch) + ch)
        rs.append(c.reply())
    if last_separate:
        c.send(b"BDAT 0 LAST\r\n")
    else:
        c.send(b"BDAT %d LAST\r\n" % len(chunks[-1]) + chunks[-1])
    return rs


@section
def bdat():
    # content with lines BDAT must not unstuff or end at: ".", "..x"
    msg = message("bdat chunks", b"line one\n.\n..two dots\n.one dot\nend\n")
    raw = crlf(msg)
    # several chunks split at line ends, then BDAT 0 LAST
    cuts = [0]
    for i, ch in enumerate(raw):
        if ch == 0x0A and len(cuts) < 4 and i + 1 - cuts[-1] > 20:
            cuts.append(i + 1)
    cuts.append(len(raw))
    chunks = [raw[a:b] for a, b in zip(cuts, cuts[1:])]
    before = srv.files(ALICE)
    c = connect()
    c.cmd("MAIL FROM:<%s>" % SENDER)
    c.cmd("RCPT TO:<%s>" % ALICE)
    rs = bdat_send(c, chunks, True)
    last = c.reply()
    ok(all(r.code == 250 for r in rs) and last.code == 250,
       "%d BDAT chunks each 250, BDAT 0 LAST 250" % len(chunks), rs + [last])
    got = new_files(ALICE, before)
    ok(len(got) == 1, "BDAT: one file stored", got)
    if got:
        check_stored("BDAT chunks + BDAT 0 LAST: stored exactly (LF, dots untouched)",
                     list(got.values())[0], msg, ALICE)

    # BDAT n LAST to two recipients
    ba, bb = srv.files(ALICE), srv.files(BOB)
    msg2 = message("bdat last", b"single chunk\n.\n")
    c.cmd("MAIL FROM:<%s>" % SENDER)
    c.cmd("RCPT TO:<%s>" % ALICE)
    c.cmd("RCPT TO:<%s>" % BOB)
    bdat_send(c, [crlf(msg2)], False)
    rs = c.replies_n(2)
    ok([r.code for r in rs] == [250, 250], "BDAT n LAST, two recipients: two 250", rs)
    ga, gb = new_files(ALICE, ba), new_files(BOB, bb)
    ok(len(ga) == 1 and len(gb) == 1, "BDAT n LAST: both stored")
    if ga:
        check_stored("BDAT n LAST: stored exactly", list(ga.values())[0], msg2, None)

    # a chunk boundary between CR and LF
    before = srv.files(ALICE)
    msg3 = message("bdat cr lf split", b"abc\ndef\n")
    raw3 = crlf(msg3)
    cut = raw3.index(b"\r\n", raw3.index(b"abc")) + 1
    c.cmd("MAIL FROM:<%s>" % SENDER)
    c.cmd("RCPT TO:<%s>" % ALICE)
    rs = bdat_send(c, [raw3[:cut], raw3[cut:]], True)
    rs.append(c.reply())
    got = new_files(ALICE, before)
    ok(all(r.code == 250 for r in rs) and len(got) == 1 and
       top_fields(list(got.values())[0], 3)[1] == msg3,
       "BDAT: CRLF split across two chunks stored as LF",
       (rs, list(got.values())[:1]))
    c.cmd("QUIT")
    c.close()


@section
def size_limit():
    c = connect()
    r = c.cmd("MAIL FROM:<%s> SIZE=%d" % (SENDER, SIZE_MAX + 1))
    ok(r.code == 552 and r.enh == "5.3.4", "MAIL SIZE= over the limit: 552 5.3.4", r)
    r = c.cmd("MAIL FROM:<%s> SIZE=%d" % (SENDER, 1000))
    ok(r.code == 250, "MAIL SIZE= under the limit: 250", r)
    c.cmd("RSET")
    before = srv.files(ALICE)
    big = message("too big", b"".join(b"%06d filler line of a message too big\n" % i
                                      for i in range(SIZE_MAX // 30)))
    rr, dr = transaction(c, [ALICE], big)
    ok(len(dr) == 1 and dr[0].code == 552 and dr[0].enh == "5.3.4",
       "%d bytes without SIZE=: 552 5.3.4 after DATA" % len(big), dr)
    time.sleep(0.2)
    ok(not new_files(ALICE, before) and not srv.tmp_leftovers(),
       "over the limit: nothing stored, nothing in tmp/", srv.tmp_leftovers())
    r = c.cmd("NOOP")
    ok(r.code == 250, "connection usable after the refused message", r)
    c.close()


@section
def eightbit():
    before = srv.files(ALICE)
    body = bytes(range(0x80, 0x100)) + b"\n" + "Grüße, ½ €\n".encode() + b"\x01\x7f tab\t\n"
    msg = message("8bit", body, extra=b"Content-Type: text/plain; charset=iso-8859-1\n"
                  b"Content-Transfer-Encoding: 8bit\n")
    c = connect()
    rr, dr = transaction(c, [ALICE], msg, " BODY=8BITMIME")
    ok([r.code for r in rr + dr] == [250, 250], "BODY=8BITMIME accepted and delivered", rr + dr)
    got = new_files(ALICE, before)
    ok(len(got) == 1, "8-bit message stored", got)
    if got:
        check_stored("8-bit body stored byte for byte", list(got.values())[0], msg, ALICE)
    c.close()


@section
def smtputf8():
    before = srv.files(JOERG)
    msg = message("utf8", "Grüße aus Köln\n".encode(),
                  extra="X-Name: Jörg Müller\n".encode())
    c = connect()
    r = c.cmd("MAIL FROM:<%s> SMTPUTF8 BODY=8BITMIME" % SENDER)
    ok(r.code == 250, "MAIL ... SMTPUTF8: 250", r)
    r = c.cmd("RCPT TO:<%s>" % JOERG)
    ok(r.code == 250 and r.enh == "2.1.5", "RCPT with a UTF-8 local part: 250 2.1.5", r)
    r = c.cmd("DATA")
    if r.code == 354:
        c.send(wire(msg))
        r = c.reply()
    ok(r.code == 250, "UTF-8 recipient: delivered", r)
    got = new_files(JOERG, before)
    ok(len(got) == 1, "stored in the UTF-8 user's Maildir", got)
    if got:
        check_stored("UTF-8 recipient: stored with Delivered-To in UTF-8",
                     list(got.values())[0], msg, JOERG)
    c.close()


@section
def orcpt():
    before = srv.files(ALICE)
    c = connect()
    c.cmd("MAIL FROM:<%s> RET=HDRS ENVID=abc123" % SENDER)
    r = c.cmd("RCPT TO:<%s> ORCPT=rfc822;Alice+2Borig@example.test NOTIFY=NEVER" % ALICE)
    ok(r.code == 250, "RCPT with ORCPT= and NOTIFY=: 250 (MAIL with RET=, ENVID=)", r)
    r = c.cmd("DATA")
    if r.code == 354:
        c.send(wire(message("orcpt")))
        r = c.reply()
    ok(r.code == 250 and len(new_files(ALICE, before)) == 1,
       "ORCPT= recipient delivered", r)
    c.close()


@section
def sequencing():
    c = connect()
    r = c.cmd("DATA")
    ok(r.code == 503 and r.enh == "5.5.1", "DATA without MAIL: 503 5.5.1", r)
    c.cmd("MAIL FROM:<%s>" % SENDER)
    r = c.cmd("DATA")
    ok(r.code == 503 and r.enh == "5.5.1", "DATA without RCPT: 503 5.5.1", r)
    c.cmd("RSET")
    before = srv.files(ALICE)
    c.cmd("MAIL FROM:<%s>" % SENDER)
    c.cmd("RCPT TO:<%s>" % ALICE)
    r = c.cmd("RSET")
    ok(r.code == 250 and r.enh is not None and r.enh.startswith("2."), "RSET: 250 2.x.x", r)
    r = c.cmd("DATA")
    ok(r.code == 503, "DATA after RSET: 503 (transaction cleared)", r)
    if r.code == 354:
        c.send(wire(message("after rset")))
        c.reply()
    r = c.cmd("RCPT TO:<%s>" % ALICE)
    ok(r.code == 503, "RCPT after RSET without MAIL: 503", r)
    ok(not new_files(ALICE, before), "nothing delivered after RSET")
    c.close()


@section
def error_limit():
    c = connect()
    codes, last = [], None
    try:
        for i in range(MAX_ERRORS + 2):
            r = c.cmd("XYZZY garbage %d" % i)
            codes.append(r.code)
            last = r
            if r.code == 421:
                break
    except (ProtocolError, OSError) as e:
        codes.append(str(e))
    ok(codes and codes[0] == 500, "garbage line: 500", codes)
    n500 = codes.count(500)
    ok(codes and codes[-1] == 421 and last.enh == "4.7.0" and n500 in (MAX_ERRORS - 1, MAX_ERRORS)
       and all(x == 500 for x in codes[:-1]),
       "after lmtp_max_errors (%d) bad commands: 421 4.7.0" % MAX_ERRORS, (codes, last))
    ok(c.closed(), "and the connection is closed")
    c.close()


@section
def long_line():
    c = connect()
    r = c.cmd("NOOP " + "x" * 3000)
    ok(r.code == 500 and r.enh == "5.5.2", "3000-byte command line: 500 5.5.2", r)
    r = c.cmd("NOOP")
    ok(r.code == 250, "connection still works after the overlong line", r)
    before = srv.files(ALICE)
    rr, dr = transaction(c, [ALICE], message("after long line"))
    ok([x.code for x in dr] == [250] and len(new_files(ALICE, before)) == 1,
       "and a transaction after it delivers", rr + dr)
    c.close()


@section
def disconnect_mid_data():
    before = {a: srv.files(a) for a in srv.homes}
    c = connect()
    c.cmd("MAIL FROM:<%s>" % SENDER)
    c.cmd("RCPT TO:<%s>" % ALICE)
    c.cmd("RCPT TO:<%s>" % BOB)
    r = c.cmd("DATA")
    ok(r.code == 354, "DATA: 354", r)
    c.send(crlf(message("cut off", b"x" * 5000 + b"\n" * 10)))
    time.sleep(0.1)
    c.close()
    time.sleep(0.5)
    ok(all(not new_files(a, before[a]) for a in srv.homes),
       "disconnect mid-DATA: nothing delivered")
    ok(not srv.tmp_leftovers(), "disconnect mid-DATA: nothing left in any tmp/",
       srv.tmp_leftovers())
    c = connect()
    ok(c.cmd("NOOP").code == 250, "server still serves after the disconnect")
    c.close()


@section
def dot_stuffing():
    before = srv.files(ALICE)
    body = b".leading dot\n..two dots\n...\nnot.first\n"
    msg = message("dots", body)
    w = wire(msg)
    ok(b"\r\n..leading dot\r\n...two dots\r\n....\r\n" in w, "(wire is dot-stuffed)")
    c = connect()
    rr, dr = transaction(c, [ALICE], msg)
    got = new_files(ALICE, before)
    ok(len(got) == 1 and [x.code for x in dr] == [250], "dot-stuffed message delivered", dr)
    if got:
        check_stored("'..' on the wire stored as '.'", list(got.values())[0], msg, ALICE)
    c.close()


@section
def sieve():
    inbox = srv.files(BOB)
    msg = message("sieve-fileinto please")
    c = connect()
    rr, dr = transaction(c, [BOB], msg)
    ok([x.code for x in dr] == [250], "Sieve fileinto: 250", dr)
    got = srv.files(BOB, "Lists.Test")
    ok(len(got) == 1 and not new_files(BOB, inbox),
       "Sieve fileinto :create \"Lists/Test\": stored only in .Lists.Test",
       (got, new_files(BOB, inbox)))
    if got:
        check_stored("stored in the folder with the trace headers",
                     list(got.values())[0], msg, BOB)

    ba, bb = srv.files(ALICE), srv.files(BOB)
    msg = message("sieve-reject me")
    rr, dr = transaction(c, [ALICE, BOB], msg)
    ok([x.code for x in dr] == [250, 550] and dr[1].enh == "5.7.1",
       "Sieve reject: 250 for alice, 550 5.7.1 for bob (RCPT order)", dr)
    ok(len(dr) == 2 and "rejected by the test script" in dr[1].text,
       "550 5.7.1 carries the script's reason", dr)
    rr, dr = transaction(c, [BOB, ALICE], message("sieve-reject again"))
    ok([x.code for x in dr] == [550, 250], "reversed RCPT order: 550 then 250", dr)
    ok(len(new_files(ALICE, ba)) == 2 and not new_files(BOB, bb),
       "rejected recipient got nothing, the other both")
    ok(not srv.sent(), "lmtp_rcpt_reject = yes: no rejection notice mailed", srv.sent())
    c.close()


@section
def log_line():
    top = (b"Received: from mx.example.org (mx.example.org [192.0.2.1])\n"
           b"\tby mx.example.test (Postfix) with ESMTP id ABC123\n"
           b"\tfor <alice@example.test>; Mon, 01 Jan 2024 00:00:00 +0000\n")
    c = connect()
    rr, dr = transaction(c, [ALICE, BOB], message("queue id", top=top))
    ok([x.code for x in dr] == [250, 250], "message with a queue id delivered", dr)
    c.close()

    def lines():
        return [l for l in srv.read_log().splitlines() if "queue_id=ABC123" in l]
    wait_for(lambda: len(lines()) >= 2, 2)
    ls = lines()
    for a in (ALICE, BOB):
        mine = [l for l in ls if "rcpt=%s" % a in l or "rcpt=<%s>" % a in l]
        ok(len(mine) == 1 and all(k in mine[0] for k in ("session=", "result=ok", "from=",
                                                        "size=", "msgid=", "folder=")),
           "log_path: one line for %s with session=, rcpt=, result=ok, queue_id=ABC123" % a,
           "\n".join(srv.read_log().splitlines()[-4:]) or
           ("log_path empty; stderr: " + srv.read_stderr()[-600:]))
    ok(not [l for l in srv.read_log().splitlines() if "result=ok" in l and "session=" not in l],
       "every result=ok line has session=")


@section
def second_instance():
    rc, err = srv.run_other(["-o", "lmtp_pid_file=" + srv.path("second.pid"),
                             "-o", "lmtp_listen=127.0.0.1:%d" % srv.port])
    ok(rc in (75, 78) and err.strip(), "second instance on a busy port: exit 75/78 with a reason",
       (rc, err))
    ok(srv.alive() and open(srv.pidfile).read().strip() == str(srv.proc.pid),
       "first instance and its pid file untouched")
    c = connect()
    ok(c.cmd("NOOP").code == 250, "first instance still serves")
    c.close()


@section
def sighup():
    srv.write_conf(lmtp_hostname="reloaded.example.test")
    srv.signal(signal.SIGHUP)
    time.sleep(0.3)
    ok(srv.alive(), "SIGHUP: server still running")

    def greeting():
        try:
            c = Client(TCP, timeout=2)
            r = c.reply()
            c.cmd("QUIT")
            c.close()
            return r
        except (OSError, ProtocolError):
            return None
    r = greeting()
    ok(r is not None and r.code == 220, "after SIGHUP: same port answers 220", r)
    r = wait_for(lambda: (lambda g: g if g and "reloaded.example.test" in g.text else None)(greeting()), 5, 0.2)
    ok(r is not None, "after SIGHUP: config re-read (greeting names the new lmtp_hostname)",
       greeting())
    before = srv.files(ALICE)
    try:
        s = smtplib.LMTP(srv.sock, timeout=5)
        refused = s.sendmail(SENDER, [ALICE], crlf(message("after reload")))
        s.quit()
    except (smtplib.SMTPException, OSError) as e:
        refused = e
    ok(refused == {} and len(new_files(ALICE, before)) == 1,
       "after SIGHUP: delivery over the UNIX socket works", refused)


for fn in sections:
    try:
        fn()
    except Exception:
        ok(False, "%s: ran to the end" % fn.__name__, traceback.format_exc())

bad = [r for r in Client.replies if not r.crlf]
ok(not bad, "every reply line ended in CRLF", bad[:5])
# the greeting, LHLO lines and 354 (intermediate, RFC 2034) carry none
bad = [r for r in Client.replies if r.code not in (220, 354) and r.enh is None
       and not (r.code == 250 and r.lines and r.lines[0] in (HOSTNAME, "reloaded.example.test"))]
ok(not bad, "every reply carried an enhanced status code", bad[:5])

# SIGTERM with an idle connection open (after LHLO, no transaction):
# it is answered 421 at once, and the server is gone within 5 s
try:
    idle = connect()
except (OSError, ProtocolError):
    idle = None
t0 = time.monotonic()
srv.signal(signal.SIGTERM)
if idle is not None:
    try:
        r = idle.reply()
    except (ProtocolError, OSError) as e:
        r = e
    t421 = time.monotonic() - t0
    ok(getattr(r, "code", None) == 421 and t421 < 5.0,
       "SIGTERM: an idle connection is answered 421 (after %.2f s)" % t421, r)
    idle.close()
rc = srv.wait(max(0.1, 5.0 - (time.monotonic() - t0)))
took = time.monotonic() - t0
ok(rc is not None and took < 5.3, "SIGTERM: exits within 5 s (%.2f s)" % took,
   None if rc is not None else srv.group_ps() + "\n" + srv.read_stderr()[-800:])
ok(rc == 0, "SIGTERM: exit 0", (rc, srv.read_stderr()[-600:]))
ok(not os.path.exists(srv.pidfile), "SIGTERM: pid file removed")
ok(wait_for(lambda: not srv.group_alive(), 2), "SIGTERM: no worker process left")
ok(not [x for x in os.listdir(srv.spool)], "temp_dir left empty", os.listdir(srv.spool))
sys.exit(tap.done())
