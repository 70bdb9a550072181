# sievecase - the Sieve conformance corpus (t/sieve/cases/) for
# t/sieve-conformance.t, t/sieve-pigeonhole.t and pigeonhole-json: loading
# a case, its arguments and its expected result, and comparing a result
# in the canonical JSON of shared/sieve-json.md with the expected one.
#
# A case NAME is cases/NAME.sieve, the message NAME.eml or
# messages/<case.message>, optional NAME.args (shell words: -f -r -a -x
# -o KEY=VALUE; @SIEVE@ stands for this directory) and NAME.json: the
# expected canonical result plus a "case" object that is not part of it:
#   extensions  the capabilities the script requires ("core" if none)
#   message     the shared message, when there is no NAME.eml
#   note        what the case checks, with the RFC section
#   reference   "rfc" when the expected result is the RFC's answer and not
#               Pigeonhole's (see NOTES.md); Pigeonhole's own result is
#               then in "pigeonhole", for t/sieve-pigeonhole.t
import email.header
import glob
import json
import os
import re
import shlex

SIEVEDIR = os.path.dirname(os.path.abspath(__file__))
CASEDIR = os.path.join(SIEVEDIR, "cases")

# canonical fields compared per action; a field the expected action does
# not name is not compared, a field it names that the result leaves out
# takes its default
DEFAULTS = {"flags": [], "copy": False, "create": False,
            "extended": False, "implicit": False, "last": False}


class CaseError(Exception):
    pass


def case_names():
    return sorted(os.path.basename(p)[:-6]
                  for p in glob.glob(os.path.join(CASEDIR, "*.sieve")))


def parse_args(words):
    """-f/-r/-a/-x/-o words -> opts dict; stray words are an error"""
    opts = {"from": "", "rcpt": "", "orig": "", "exts": None,
            "settings": []}
    keys = {"-f": "from", "-r": "rcpt", "-a": "orig", "-x": "exts"}
    i = 0
    rest = []
    while i < len(words):
        w = words[i]
        if w in keys or w == "-o":
            if i + 1 >= len(words):
                raise CaseError("%s needs a value" % w)
            if w == "-o":
                opts["settings"].append(words[i + 1])
            else:
                opts[keys[w]] = words[i + 1]
            i += 2
            continue
        rest.append(w)
        i += 1
    return opts, rest


def load(name_or_base):
    """a case by name (or DIR/NAME) -> dict with name, base, script,
    message, words (the NAME.args words), opts, expected, meta"""
    base = name_or_base
    if os.sep not in base:
        base = os.path.join(CASEDIR, base)
    base = re.sub(r"\.(sieve|json|eml|args)$", "", base)
    sievedir = os.path.dirname(os.path.dirname(os.path.abspath(base)))
    c = {"name": os.path.basename(base), "base": base,
         "script": base + ".sieve", "json": base + ".json"}
    c["expected"] = None
    if os.path.exists(c["json"]):
        with open(c["json"], encoding="utf-8") as f:
            c["expected"] = json.load(f)
    c["meta"] = (c["expected"] or {}).pop("case", {}) \
        if c["expected"] is not None else {}
    words = []
    if os.path.exists(base + ".args"):
        with open(base + ".args", encoding="utf-8") as f:
            words = shlex.split(f.read().replace("@SIEVE@", sievedir))
    c["words"] = words
    c["opts"], rest = parse_args(words)
    if rest:
        raise CaseError("%s.args: stray words %r" % (base, rest))
    if os.path.exists(base + ".eml"):
        c["message"] = base + ".eml"
    elif c["meta"].get("message"):
        c["message"] = os.path.join(sievedir, "messages",
                                    c["meta"]["message"])
    else:
        raise CaseError("%s: no .eml and no case.message" % base)
    return c


def pigeonhole_expected(c):
    """what Pigeonhole itself gives for case C"""
    if c["meta"].get("reference") == "rfc":
        return c["meta"]["pigeonhole"]
    return c["expected"]


def requires(script):
    """the capabilities the require commands of SCRIPT name, in order"""
    with open(script, "rb") as f:
        text = f.read().decode("utf-8", "replace")
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r"#[^\n]*", " ", text)
    out = []
    for m in re.finditer(r"\brequire\s*(\[[^\]]*\]|\"(?:[^\"\\]|\\.)*\")",
                         text, re.I):
        for s in re.findall(r"\"((?:[^\"\\]|\\.)*)\"", m.group(1)):
            if s not in out:
                out.append(s)
    return out


def _decode_2047(v):
    """a stored header value with RFC 2047 words decoded (any valid
    encoding of the same text compares equal)"""
    if "=?" not in v:
        return v
    try:
        parts = email.header.decode_header(v)
        return "".join(p.decode(cs or "ascii", "replace")
                       if isinstance(p, bytes) else p for p, cs in parts)
    except Exception:
        return v


def _flags_key(flags):
    return sorted(f.lower() for f in flags)


def compare(want, got, strict=False):
    """differences between the expected canonical result WANT and the
    result GOT, as a list of strings (empty: they agree). Without STRICT
    only the fields WANT names are compared (shared/sieve-json.md) and
    flags ignore case (RFC 5232 2); STRICT compares every field exactly
    (Pigeonhole against its own stored result)."""
    diffs = []
    if not isinstance(got, dict):
        return ["result is not a JSON object"]
    if got.get("status") != want.get("status"):
        diffs.append("status: want %r, got %r" % (want.get("status"),
                                                    got.get("status")))
        return diffs
    if want.get("status") == "compile-error" or "error_line" in want:
        if got.get("error_line") != want.get("error_line"):
            diffs.append("error_line: want %r, got %r (%s)" % (
                want.get("error_line"), got.get("error_line"),
                "; ".join(got.get("errors", [])[:2])))
    wa, ga = want.get("actions", []), got.get("actions")
    if not isinstance(ga, list):
        return diffs + ["actions missing or not a list"]
    for i in range(max(len(wa), len(ga))):
        if i >= len(wa):
            diffs.append("action %d: unexpected %s" % (i + 1,
                                                       json.dumps(ga[i])))
            continue
        if i >= len(ga):
            diffs.append("action %d: missing %s" % (i + 1,
                                                    json.dumps(wa[i])))
            continue
        w, g = wa[i], ga[i]
        if not isinstance(g, dict):
            diffs.append("action %d: not an object" % (i + 1))
            continue
        keys = set(w) | (set(g) if strict else set())
        for k in sorted(keys, key=lambda x: (x != "action", x)):
            wv = w.get(k, DEFAULTS.get(k))
            gv = g.get(k, DEFAULTS.get(k))
            if k == "flags" and not strict and isinstance(gv, list):
                same = _flags_key(wv) == _flags_key(gv)
                if same and gv != sorted(gv):
                    diffs.append("action %d: flags not sorted: %r"
                                 % (i + 1, gv))
            else:
                same = wv == gv
            if not same:
                diffs.append("action %d (%s): %s: want %s, got %s" % (
                    i + 1, w.get("action"), k, json.dumps(wv),
                    json.dumps(gv)))
                if k == "action":
                    break
    if "headers" in want or (strict and "headers" in got):
        wh = [[n, _decode_2047(v)] for n, v in want.get("headers", [])]
        gh = got.get("headers")
        if not isinstance(gh, list):
            diffs.append("headers: want %d fields, got none" % len(wh))
        else:
            gh = [[n, _decode_2047(v)] for n, v in gh] if not strict \
                else gh
            if not strict:
                wh2 = wh
            else:
                wh2 = want.get("headers", [])
            if gh != wh2:
                diffs.append("headers: want %s, got %s" % (
                    json.dumps(wh2, ensure_ascii=False),
                    json.dumps(gh, ensure_ascii=False)))
    if strict:
        for k in set(want) | set(got):
            if k in ("status", "error_line", "actions", "headers",
                     "errors"):
                continue
            if want.get(k) != got.get(k):
                diffs.append("%s: want %r, got %r" % (k, want.get(k),
                                                      got.get(k)))
    return diffs
