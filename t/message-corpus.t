#!/usr/bin/env python3
"""message-corpus.t - our parser's reading of every corpus file against
Python's (the corpus's expected.jsonl), field by field.

t/unit/msgdump prints our reading of a file as JSON; this compares each
message's header_count, decoded Subject, From/To address lists and the
MIME tree (content_type, charset, cte, disposition, filename,
header_count, decoded_length, boundary, preamble/epilogue lengths,
children, the subject and From of embedded messages) with expected.jsonl.
mbox files are split by msgdump at From_ lines. Every file is also parsed
fed one byte at a time and in 7-byte chunks: the output must be the same.

Python is a reference, not the truth. Where we read a message differently
on purpose, the difference is listed in EXCEPTIONS below with its reason,
by file and field; everything else must match, and every listed exception
must still be needed. The match rate is printed at the end.
"""

import json
import os
import re
import subprocess
import sys

# ---------------------------------------------------------------- TAP

n_tests = 0
n_failed = 0


def ok(cond, name, detail=None):
    global n_tests, n_failed
    n_tests += 1
    print("%s %d - %s" % ("ok" if cond else "not ok", n_tests, name))
    if not cond:
        n_failed += 1
        for line in (detail or "").splitlines():
            print("#   " + line)
    sys.stdout.flush()


def diag(text):
    for line in text.splitlines():
        print("# " + line)


# ------------------------------------------------ normalization rules
#
# These apply to every message: they are differences of representation,
# not of reading.
#
# unfold: Python's compat32 keeps the line breaks of folded fields in
#   values; RFC 5322 2.2.3 unfolding removes them, and our values are
#   unfolded, leading blanks stripped (message.h). Python's Subject is
#   compared unfolded and left-stripped.
# case: Python keeps the Content-Transfer-Encoding as written; ours is
#   lowercased (message.h). Compared lowercased.
# null-vs-0: Python's preamble/epilogue is None when there is none and ""
#   when it is empty; we keep offsets, so both are 0 (corpus README).
# decoded names: where Python's display name or filename holds
#   encoded-words, describe.py adds name_decoded/filename_decoded; ours
#   are decoded (address.h, message.h), so we compare with those.


def unfold(s):
    if s is None:
        return None
    return re.sub(r"\r\n|\r|\n", "", s).lstrip(" \t")


# ---------------------------------------------------------- exceptions
#
# Deliberate differences from Python, each with its reason. A case is
# (path, message index or None, field-path regex). A mismatch that matches
# a case is an expected difference; a case that matches no mismatch is an
# error (the exception is stale).

MG = "mail-gem/emails/"
MK = "mimekit/"

EXCEPTIONS = {
    "leaf-report-types": {
        "reason": "message/delivery-status (RFC 3464), "
                  "message/disposition-notification (RFC 8098) and "
                  "message/partial (RFC 2046 5.2.2) are leaf parts for us: "
                  "their bodies are report fields or a fragment, not a "
                  "message. Python parses delivery-status as blocks of "
                  "header fields and the others as embedded messages.",
        "cases": [
            (MG + "mime_emails/raw_email_with_mimepart_without_content_type"
             ".eml", None, r"mime\.children\[1\]\.(decoded_length|children\.count)"),
            (MG + "multipart_report_emails/multi_address_bounce1.eml", None,
             r"mime\.children\[1\]\.(decoded_length|children\.count)"),
            (MG + "multipart_report_emails/multi_address_bounce2.eml", None,
             r"mime\.children\[1\]\.(decoded_length|children\.count)"),
            (MG + "multipart_report_emails/multipart_report_multiple_status"
             ".eml", None,
             r"mime\.children\[[01]\]\.(decoded_length|children\.count)"),
            (MG + "multipart_report_emails/report_422.eml", None,
             r"mime\.children\[1\]\.(decoded_length|children\.count)"),
            (MG + "multipart_report_emails/report_530.eml", None,
             r"mime\.children\[1\]\.(decoded_length|children\.count)"),
            (MK + "mbox/content-length.mbox.txt", 27,
             r"mime\.children\[0\]\.(decoded_length|children\.count)"),
            (MK + "messages/bounce.txt", None,
             r"mime\.children\[1\]\.(decoded_length|children\.count)"),
            (MK + "messages/delivery-status-multiple-blank-lines.txt", None,
             r"mime\.children\[1\]\.(decoded_length|children\.count)"),
            (MK + "messages/delivery-status-no-blank-line.txt", None,
             r"mime\.children\[0\]\.(decoded_length|children\.count)"),
            (MK + "messages/delivery-status.anonymized.eml", None,
             r"mime\.children\[0\]\.(decoded_length|children\.count)"),
            (MK + "messages/delivery-status.txt", None,
             r"mime\.children\[0\]\.(decoded_length|children\.count)"),
            (MK + "messages/delivery-status2.txt", None,
             r"mime\.children\[1\]\.(decoded_length|children\.count)"),
            (MK + "messages/disposition-notification.anonymized.eml", None,
             r"mime\.children\[1\]\.(decoded_length|children\.count)"),
            (MK + "messages/disposition-notification.txt", None,
             r"mime\.children\[1\]\.(decoded_length|children\.count)"),
            (MK + "partial/message-partial.0.eml", None,
             r"mime\.(decoded_length|children\.count)"),
            (MK + "partial/message-partial.1.eml", None,
             r"mime\.(decoded_length|children\.count)"),
            (MK + "partial/message-partial.2.eml", None,
             r"mime\.(decoded_length|children\.count)"),
            (MK + "partial/rfc2046.0.eml", None,
             r"mime\.(decoded_length|children\.count)"),
            (MK + "partial/rfc2046.1.eml", None,
             r"mime\.(decoded_length|children\.count)"),
        ],
    },
    "boundary-not-found": {
        "reason": "A multipart whose boundary line never comes stays a "
                  "multipart for us, with no parts and its whole body as "
                  "preamble (MSG_PART_NO_START_BOUNDARY); Python makes it "
                  "a leaf with a payload (corpus README, known case).",
        "cases": [
            (MG + "error_emails/bad_date_header2.eml", None,
             r"mime\.(decoded_length|boundary|preamble_length)"),
            (MG + "error_emails/empty_in_reply_to.eml", None,
             r"mime\.(decoded_length|boundary)"),
            (MG + "error_emails/missing_body.eml", None,
             r"mime\.(decoded_length|boundary|preamble_length)"),
            (MG + "error_emails/must_supply_encoding.eml", None,
             r"mime\.(decoded_length|boundary)"),
            (MG + "attachment_emails/attachment_message_rfc822_inline_image"
             ".eml", None,
             r"mime\.children\[1\]\.children\[0\]\.(decoded_length|boundary)"),
            (MK + "messages/empty-multipart.txt", None,
             r"mime\.children\[0\]\.(decoded_length|boundary)"),
        ],
    },
    "nested-same-boundary": {
        "reason": "A multipart inside a multipart with the same boundary "
                  "(which RFC 2046 5.1.2 forbids): we give each boundary "
                  "line to the innermost multipart, the nesting its author "
                  "drew (and MimeKit reads); Python gives it to the outer "
                  "one, so the inner multiparts lose their parts.",
        "cases": [
            (MK + "mbox/simple.mbox.txt", 1,
             r"mime\.children\.count|mime\.children\[0\]\."
             r"(decoded_length|boundary|children\.count)"),
            (MK + "mbox/simple.mbox.txt", 2,
             r"mime\.children\.count|mime\.children\[0\]\."
             r"(decoded_length|boundary|children\.count)"),
        ],
    },
    "embedded-trailing-eol": {
        "reason": "RFC 2046 5.1.1: the line break before a boundary "
                  "belongs to the boundary, also when the part before it "
                  "is the last part of a message embedded in the "
                  "multipart; Python strips it only from direct children "
                  "of the multipart.",
        "cases": [
            (MG + "attachment_emails/attachment_message_rfc822_inline_image"
             ".eml", None,
             r"mime\.children\[0\]\.children\[0\]\.children\[0\]\."
             r"decoded_length"),
        ],
    },
    "bom": {
        "reason": "A UTF-8 byte order mark before the first header is "
                  "skipped (message.h); Python takes the first line for "
                  "body text and sees no header (corpus README).",
        "cases": [(MK + "messages/feedback-report.txt", None, r".*")],
    },
    "unmunged-mbox": {
        "reason": "msgdump splits an mbox at real From_ lines (a sender, "
                  "a date with a time if any, then a header field), so "
                  "the unquoted 'From Russia with love' body lines do not "
                  "start messages: 2 messages where Python's mailbox.mbox "
                  "finds 3 and drops the first as junk (corpus README).",
        "cases": [(MK + "mbox/unmunged.mbox.txt", None, "message_count")],
        "ours": {"subjects": [
            "This is a test message with an unmunged From line",
            "Another test message with an unmunged From line"]},
    },
    "missing-subtype": {
        "reason": "A Content-Type with a type but no subtype "
                  "('application-x-gzip', 'X-BE2; 12') is "
                  "application/octet-stream for us (opaque data, RFC 2049 "
                  "2 (7)); Python uses text/plain (corpus README).",
        "cases": [
            (MK + "messages/missing-subtype.txt", None, r"mime\.content_type"),
            (MK + "benchmarks/startrek.eml", None,
             r"mime\.children\[1\]\.children\[2\]\.content_type"),
        ],
    },
    "obs-header-syntax": {
        "reason": "RFC 5322 4.1 obsolete syntax allows white space before "
                  "a field's colon ('From  : John Doe'); we read those "
                  "fields, Python takes the first one for body text.",
        "cases": [(MG + "rfc2822/example13.eml", None,
                   r"header_count|from|to|mime\.(header_count|decoded_length)")],
    },
    "python-8bit-param": {
        "reason": "Raw UTF-8 in a filename parameter (RFC 6532) is kept as "
                  "written; Python turns each 8-bit byte into U+FFFD.",
        "cases": [
            (MG + "attachment_emails/attachment_nonascii_filename.eml", None,
             r"mime\.children\[1\]\.filename"),
            (MK + "mbox/content-length.mbox.txt", 4,
             r"mime(\.children\[[01]\]){4}\.filename"),
        ],
    },
    "folding-whitespace": {
        "reason": "Around encoded-words we keep the unfolded white space "
                  "as written (RFC 5322 2.2.3, RFC 2047 6.2); Python "
                  "rebuilds the text from the folded lines, dropping "
                  "blank lines and adding its own spaces.",
        "cases": [
            (MG + "error_emails/bad_subject.eml", None, "subject"),
            (MG + "rfc2822/example14.eml", None, "subject"),
        ],
    },
    "address-empty-element": {
        "reason": "RFC 5322 4.4 obs-addr-list: empty list elements "
                  "(', ,') are ignored; Python adds ('', '') for each.",
        "cases": [
            (MG + "error_emails/weird_to_header.eml", None, "to"),
            (MG + "rfc2822/example11.eml", None, "to"),
        ],
    },
    "address-comments": {
        "reason": "RFC 5322 3.4: comments are not part of a display name; "
                  "Python appends them to it.",
        "cases": [(MG + "rfc2822/example10.eml", None, "from|to")],
    },
    "address-missing-comma": {
        "reason": "'a@x b@y' (no comma) is two mailboxes for us "
                  "(address.h); Python's lenient parser yields ('', '') "
                  "and a bare '@domain'.",
        "cases": [(MG + "plain_emails/raw_email_multiple_from.eml", None,
                   "from|to")],
    },
    "address-at-in-name": {
        "reason": "An unquoted display name with '@' before an angle "
                  "address ('Mikel@Lindsaar <a@b>') is one mailbox with "
                  "that name for us; Python splits it into two entries.",
        "cases": [
            (MG + "plain_emails/raw_email_with_at_display_name.eml", None,
             "to"),
            (MK + "messages/issue358.txt", None, "from"),
        ],
    },
    "address-name-without-brackets": {
        "reason": "'Big Bug bb@bug.com' is the mailbox bb@bug.com with "
                  "display name 'Big Bug' for us; Python takes all of it "
                  "for the address.",
        "cases": [(MG + "plain_emails/mix_caps_content_type.eml", None,
                   "from")],
    },
    "address-double-at": {
        "reason": "'a@b@c' is one invalid entry kept as written "
                  "(ADDRESS_INVALID, no domain to match); Python yields "
                  "('', '') and a bare '@domain'.",
        "cases": [(MK + "mbox/content-length.mbox.txt", 6, "from")],
    },
    "address-garbage": {
        "reason": "Lists with no valid mailbox where each reader salvages "
                  "differently: '<Undisclosed-Recipient:@x;>' is one "
                  "local part for us (four entries for Python), and 2,700 "
                  "folded encoded-words with specials inside are one "
                  "phrase for us (encoded-words are words, address.h) "
                  "while Python keeps the tail of the last one.",
        "cases": [
            (MG + "error_emails/missing_body.eml", None, "to"),
            (MK + "messages/stack-overflow.txt", None, "to"),
        ],
    },
    "disposition-not-a-token": {
        "reason": "The disposition is the RFC 2183 token; a field with "
                  "none ('=?utf-8?Q?invalid?=') gives '' for us, Python "
                  "keeps the whole value.",
        "cases": [(MG + "error_emails/multiple_invalid_content_dispositions"
                   ".eml", None, r"mime\.disposition")],
    },
}


def exception_for(path, index, field):
    for name, ex in EXCEPTIONS.items():
        for (p, i, pat) in ex["cases"]:
            if p == path and (i is None or i == index) and \
                    re.fullmatch(pat, field):
                return name, (p, i, pat)
    return None, None


# ---------------------------------------------------------- comparing

def addr_list(lst):
    if lst is None:
        return None
    out = []
    for a in lst:
        if "error" in a:
            out.append(("error", a["error"]))
            continue
        name = a.get("name_decoded", a["name"])
        out.append((unfold(name), a["addr"]))
    return out


def our_addr_list(lst):
    if lst is None:
        return None
    return [(a["name"], a["addr"]) for a in lst]


def compare_node(exp, got, where, out):
    """Append (field, expected, got) for every difference."""
    def cmp(field, e, g):
        if e != g:
            out.append((where + "." + field, e, g))

    cmp("content_type", exp["content_type"], got["content_type"])
    cmp("charset", exp["charset"], got["charset"])
    cte = exp["cte"].lower() if exp["cte"] is not None else None
    cmp("cte", cte, got["cte"])
    cmp("disposition", exp["disposition"], got["disposition"])
    cmp("filename", exp.get("filename_decoded", exp["filename"]),
        got["filename"])
    cmp("header_count", exp["header_count"], got["header_count"])
    cmp("decoded_length", exp["decoded_length"], got["decoded_length"])
    if "boundary" in exp or "boundary" in got:
        cmp("boundary", exp.get("boundary"), got.get("boundary"))
        cmp("preamble_length", exp.get("preamble_length") or 0,
            got.get("preamble_length"))
        cmp("epilogue_length", exp.get("epilogue_length") or 0,
            got.get("epilogue_length"))
    if "embedded_message" in exp or "embedded_message" in got:
        ee = exp.get("embedded_message") or {}
        ge = got.get("embedded_message") or {}
        cmp("embedded_message.subject", unfold(ee.get("subject")),
            ge.get("subject"))
        cmp("embedded_message.from", addr_list(ee.get("from")),
            our_addr_list(ge.get("from")))
    ec, gc = exp["children"], got["children"]
    cmp("children.count", len(ec), len(gc))
    for k in range(min(len(ec), len(gc))):
        compare_node(ec[k], gc[k], "%s.children[%d]" % (where, k), out)


def compare_message(exp, got):
    out = []

    def cmp(field, e, g):
        if e != g:
            out.append((field, e, g))

    cmp("header_count", exp["header_count"], got["header_count"])
    cmp("subject", unfold(exp["subject"]), got["subject"])
    cmp("from", addr_list(exp["from"]), our_addr_list(got["from"]))
    cmp("to", addr_list(exp["to"]), our_addr_list(got["to"]))
    compare_node(exp["mime"], got["mime"], "mime", out)
    return out


def short(v):
    r = repr(v)
    return r if len(r) <= 300 else r[:300] + "..."


def count_fields(exp):
    """How many fields compare_message looks at (for the match rate)."""
    def node(n):
        k = 8 + (3 if "boundary" in n else 0) + \
            (2 if "embedded_message" in n else 0)
        return k + sum(node(c) for c in n["children"])
    return 4 + node(exp["mime"])


# ---------------------------------------------------------------- main

def run_msgdump(prog, path, mbox, chunk=None):
    cmd = [prog]
    if mbox:
        cmd.append("--mbox")
    if chunk is not None:
        cmd += ["--chunk", str(chunk)]
    cmd.append(path)
    res = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         timeout=120)
    if res.returncode != 0:
        raise RuntimeError("%s exited %d: %s" % (
            " ".join(cmd), res.returncode,
            res.stderr.decode("utf-8", "replace")))
    return res.stdout


def main():
    corpus = os.environ.get("SLUICE_CORPUS")
    if not corpus:
        print("1..0 # SKIP SLUICE_CORPUS is not set (the shared corpus)")
        return 0
    builddir = os.environ.get("SLUICE_BUILDDIR", ".")
    prog = os.path.join(builddir, "t", "unit", "msgdump")
    if not os.access(prog, os.X_OK):
        print("1..0 # SKIP %s is not built (make check builds it)" % prog)
        return 0
    with open(os.path.join(corpus, "expected.jsonl"), encoding="utf-8") as f:
        records = [json.loads(line) for line in f if line.strip()]

    used = set()
    total_fields = matched_fields = excused = 0
    total_msgs = exact_msgs = 0
    for rec in records:
        path = rec["path"]
        full = os.path.join(corpus, path)
        mbox = rec["format"] == "mbox"
        try:
            whole = run_msgdump(prog, full, mbox)
            bytewise = run_msgdump(prog, full, mbox, 1)
            chunked = run_msgdump(prog, full, mbox, 7)
        except (RuntimeError, subprocess.TimeoutExpired) as e:
            ok(False, "%s: msgdump runs" % path, str(e))
            continue
        ok(whole == bytewise and whole == chunked,
           "%s: same reading whole, byte by byte and in 7-byte chunks" % path)
        got_msgs = [json.loads(line) for line in
                    whole.decode("utf-8").splitlines()]
        exp_msgs = rec["messages"] if mbox else [rec]
        problems = []
        name_c = None
        if len(got_msgs) != len(exp_msgs):
            name_c, case = exception_for(path, None, "message_count")
            if name_c and "ours" not in EXCEPTIONS[name_c]:
                name_c = None
            if name_c:
                used.add((name_c, case))
                want = EXCEPTIONS[name_c]["ours"]["subjects"]
                have = [m["subject"] for m in got_msgs]
                if have != want:
                    problems.append("our messages: expected subjects %r, "
                                    "got %r" % (want, have))
            else:
                problems.append("message count: expected %d, got %d" % (
                    len(exp_msgs), len(got_msgs)))
        for i, exp in enumerate(exp_msgs):
            index = i if mbox else None
            total_msgs += 1
            nf = count_fields(exp)
            total_fields += nf
            if name_c:
                excused += nf
                continue    # the split differs: messages do not line up
            if i >= len(got_msgs):
                problems.append("message %d missing" % i)
                continue
            diffs = compare_message(exp, got_msgs[i])
            matched_fields += nf - len(diffs)
            if not diffs:
                exact_msgs += 1
            for field, e, g in diffs:
                name, case = exception_for(path, index, field)
                if name:
                    used.add((name, case))
                    excused += 1
                    continue
                problems.append("%s%s: expected %s, got %s" % (
                    "" if index is None else "[%d] " % index, field,
                    short(e), short(g)))
        ok(not problems, "%s: matches Python's reading%s" % (
            path, "" if not mbox else " (%d messages)" % len(exp_msgs)),
           "\n".join(problems))

    stale = []
    for name, ex in EXCEPTIONS.items():
        for case in ex["cases"]:
            if (name, case) not in used:
                stale.append("%s: %r" % (name, case))
    ok(not stale, "every listed exception is still needed", "\n".join(stale))
    diag("match rate: %d of %d compared fields match Python (%.1f%%), "
         "%d differ as listed in EXCEPTIONS, %d otherwise; %d of %d "
         "messages match in every field" % (
             matched_fields, total_fields,
             100.0 * matched_fields / max(total_fields, 1), excused,
             total_fields - matched_fields - excused, exact_msgs,
             total_msgs))
    print("1..%d" % n_tests)
    return 1 if n_failed else 0


if __name__ == "__main__":
    sys.exit(main())
