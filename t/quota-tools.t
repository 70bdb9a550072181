#!/usr/bin/env python3
"""quota-tools.t - `sluice maildirmake` and `sluice quota get|recalc|set`.

maildirmake is compared with Courier's own (maildrop's
maildirmake.maildrop): the same tree with the same modes for a Maildir,
-f folders (hierarchy, modified UTF-7 names), -S and -s; the same
maildirsize limit line for -q; and the errors (exists, missing parent,
not a Maildir, bad quota) with nothing left behind.

quota runs on a Maildir made and filled by Courier (maildirmake -q,
deliverquota): get reports the sum of maildirsize's lines, recalc a
fresh count of the files, both equal to the count made here; --json has
its documented shape; set rewrites the limit line, which Courier's
deliverquota then enforces. A user from a passwd-file userdb with a
userdb quota_rule gets limit_source userdb, and the files the command
writes as root stay the user's. Without maildrop the Courier
comparisons are skipped.
"""
import json
import os
import re
import shutil
import stat
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "lib"))
from sluicetest import Sandbox, Tap, is_root, mail_user, write_file  # noqa

BUILD = os.environ.get("SLUICE_BUILDDIR")
tap = Tap()
if not BUILD:
    tap.skip_all("SLUICE_BUILDDIR not set")
SLUICE = os.path.join(BUILD, "sluice")
COURIER_MM = "/usr/bin/maildirmake.maildrop"
COURIER_DQ = "/usr/sbin/deliverquota.maildrop"
have_courier = os.access(COURIER_MM, os.X_OK) and os.access(COURIER_DQ,
                                                              os.X_OK)
sb = Sandbox("quota-tools")
EMPTY = sb.path("empty.conf")
write_file(EMPTY, "")


def run(argv, conf=EMPTY, stdin=None, cwd=None):
    """(rc, stdout, stderr) of a command; sluice gets -c conf"""
    if argv[0] == "sluice":
        argv = [SLUICE, "-c", conf] + list(argv[1:])
    p = subprocess.run(argv, input=stdin, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, cwd=cwd, timeout=60)
    return (p.returncode, p.stdout.decode("utf-8", "replace"),
            p.stderr.decode("utf-8", "replace"))


def tree(root):
    """{relative path: (type, mode bits)} of everything below root"""
    out = {}
    for d, dirs, files in os.walk(root):
        for name in dirs + files:
            p = os.path.join(d, name)
            st = os.lstat(p)
            kind = "d" if stat.S_ISDIR(st.st_mode) else "f"
            out[os.path.relpath(p, root)] = (kind,
                                             oct(stat.S_IMODE(st.st_mode)))
    return out


def maildirsize(root):
    """(limit line, summed bytes, summed count, lines after the first)"""
    with open(os.path.join(root, "maildirsize")) as f:
        lines = f.read().split("\n")
    assert lines[-1] == "", "maildirsize ends with a newline"
    body = [ln.split() for ln in lines[1:-1]]
    return (lines[0], sum(int(b) for b, c in body),
            sum(int(c) for b, c in body), len(body))


def fresh_count(root):
    """bytes and messages of a Maildir++ (INBOX and every folder),
    counted here: ,S= in the name, else the file's size"""
    dirs = [root] + [os.path.join(root, e) for e in os.listdir(root)
                     if e.startswith(".") and e not in (".", "..") and
                     os.path.isdir(os.path.join(root, e))]
    nbytes = count = 0
    for d in dirs:
        for sub in ("new", "cur"):
            for name in os.listdir(os.path.join(d, sub)):
                if name.startswith("."):
                    continue
                m = re.search(r",S=(\d+)", name)
                nbytes += int(m.group(1)) if m else \
                    os.path.getsize(os.path.join(d, sub, name))
                count += 1
    return nbytes, count


def message(i, size):
    head = "From: a@example.test\nTo: b@example.test\nSubject: m%d\n\n" % i
    return (head + ("x" * 70 + "\n") * (size // 71) + "end\n").encode()


def quota_json(*args, conf=EMPTY):
    rc, out, err = run(["sluice", "quota"] + list(args) + ["--json"],
                       conf=conf)
    try:
        return rc, json.loads(out), err
    except ValueError:
        return rc, None, err + out


# --- maildirmake: a Maildir, folders, modes -------------------------
os.umask(0o022)
rc, out, err = run(["sluice", "maildirmake", sb.path("m1")])
tap.ok(rc == 0 and out == "" and err == "", "maildirmake DIR: exit 0, quiet",
       err)
want = {"tmp": ("d", "0o700"), "new": ("d", "0o700"), "cur": ("d", "0o700")}
tap.is_eq(tree(sb.path("m1")), want, "tmp new cur, mode 0700")
tap.is_eq(oct(stat.S_IMODE(os.stat(sb.path("m1")).st_mode)), "0o700",
          "the Maildir itself 0700")
for name in ("Drafts", "Lists.Debian", "Entw&APw-rfe"):
    rc, out, err = run(["sluice", "maildirmake", "-f", name, sb.path("m1")])
    tap.ok(rc == 0, "maildirmake -f %s: exit 0" % name, err)
rc, out, err = run(["sluice", "maildirmake", "-F", "Büro", sb.path("m1")])
tap.ok(rc == 0 and os.path.isdir(sb.path("m1", ".B&APw-ro", "cur")),
       "-F takes a UTF-8 name: .B&APw-ro", err)
t = tree(sb.path("m1"))
tap.is_eq(t.get(".Lists.Debian/maildirfolder"), ("f", "0o600"),
          "a folder has its maildirfolder file, 0600")
tap.ok(".Entw&APw-rfe/cur" in t and not any("&-" in k for k in t),
       "a modified UTF-7 name is kept as Courier gives it", sorted(t))

if have_courier:
    def courier_twin(ours, courier, steps):
        for args in steps:
            run(["sluice", "maildirmake"] + args + [ours])
            run([COURIER_MM] + args + [courier])
        return tree(ours), tree(courier)

    steps = [[], ["-f", "Drafts"], ["-f", "Lists.Debian"],
             ["-f", "Entw&APw-rfe"]]
    a, b = courier_twin(sb.path("o1"), sb.path("c1"), steps)
    tap.is_eq(a, b, "Maildir and -f folders: the same tree and modes as "
              "Courier's maildirmake")
    steps = [["-S"], ["-s", "write", "-f", "Pub"],
             ["-s", "read,group", "-f", "Grp"], ["-f", "Priv"],
             ["-S", "-f", "Sh"]]
    a, b = courier_twin(sb.path("o2"), sb.path("c2"), steps)
    tap.is_eq(a, b, "-S and -s read/write/group: the same modes as "
              "Courier's")
    tap.is_eq(oct(stat.S_IMODE(os.stat(sb.path("o2")).st_mode)), "0o755",
              "-S: the Maildir is 0755")
    # Courier's -q loops on a missing Maildir: give it one
    run([COURIER_MM, sb.path("c3")])
    run([COURIER_MM, "-q", "10000000S,1000C", sb.path("c3")])
    rc, out, err = run(["sluice", "maildirmake", "-q", "10000000S,1000C",
                        sb.path("o3")])
    tap.ok(rc == 0, "maildirmake -q on a new DIR makes the Maildir too", err)
    tap.is_eq(maildirsize(sb.path("o3"))[:3],
              maildirsize(sb.path("c3"))[:3],
              "-q: the same limit line and usage as Courier's maildirsize")
    tap.is_eq(set(tree(sb.path("o3"))), set(tree(sb.path("c3"))),
              "-q: the same files as Courier's")
else:
    tap.skip("no maildrop (Courier's maildirmake): comparisons", 6)

rc, out, err = run(["sluice", "maildirmake", "-q", "5000S", sb.path("m1")])
tap.ok(rc == 0 and maildirsize(sb.path("m1"))[0] == "5000S",
       "-q on an existing Maildir: the limit line is set", err)
rc, out, err = run(["sluice", "maildirmake", "-q", "1G,100C", sb.path("m1")])
tap.is_eq(maildirsize(sb.path("m1"))[0], "1073741824S,100C",
          "-q 1G,100C: a size with a unit, as bytes")
rc, out, err = run(["sluice", "maildirmake", "-q", "20000S", "-f", "Work",
                    sb.path("m1")])
tap.ok(rc == 0 and os.path.isdir(sb.path("m1", ".Work", "cur")) and
       maildirsize(sb.path("m1"))[0] == "20000S" and
       not os.path.exists(sb.path("m1", ".Work", "maildirsize")),
       "-q with -f: the folder, and the quota on the whole Maildir", err)

# --- maildirmake errors ---------------------------------------------
before = tree(sb.path("m1"))
rc, out, err = run(["sluice", "maildirmake", sb.path("m1")])
tap.ok(rc == 1 and "%s: File exists" % sb.path("m1") in err,
       "an existing DIR: exit 1, 'DIR: File exists' as Courier", err)
rc, out, err = run(["sluice", "maildirmake", "-f", "Drafts", sb.path("m1")])
tap.ok(rc == 1 and "%s: File exists" % sb.path("m1", ".Drafts") in err,
       "an existing folder: exit 1, 'DIR/.Drafts: File exists'", err)
rc, out, err = run(["sluice", "maildirmake", "-f", ".X", sb.path("m1")])
tap.ok(rc == 1 and err, "a folder name starting with '.' refused", err)
rc, out, err = run(["sluice", "maildirmake", "-q", "lots", sb.path("m1")])
tap.ok(rc == 64 and "quota 'lots'" in err, "a bad quota: exit 64, said",
       err)
tap.is_eq(tree(sb.path("m1")), before, "the failures changed nothing")
rc, out, err = run(["sluice", "maildirmake", sb.path("nope", "m")])
tap.ok(rc == 1 and "No such file or directory" in err and
       not os.path.exists(sb.path("nope")),
       "a missing parent: exit 1, nothing made", err)
rc, out, err = run(["sluice", "maildirmake", "-q", "100S",
                    sb.path("m9")])
rc2, out, err2 = run(["sluice", "maildirmake", "-q", "bad", sb.path("m8")])
tap.ok(rc == 0 and rc2 == 64 and not os.path.exists(sb.path("m8")),
       "a bad quota on a new DIR: nothing made", err + err2)
os.mkdir(sb.path("plain"))
rc, out, err = run(["sluice", "maildirmake", "-f", "X", sb.path("plain")])
tap.ok(rc == 1 and "not a Maildir" in err and
       os.listdir(sb.path("plain")) == [],
       "-f in a directory that is no Maildir: exit 1, nothing made", err)
rc, out, err = run(["sluice", "maildirmake", "-s", "read", sb.path("m7")])
tap.ok(rc == 64 and "usage" in err, "-s without -f: usage, exit 64", err)
rc, out, err = run(["sluice", "maildirmake"])
tap.ok(rc == 64 and "usage" in err, "no DIR: usage, exit 64", err)

# --- quota on a Maildir Courier made and filled -----------------------
if have_courier:
    q = sb.path("cq")
    run([COURIER_MM, q])
    run([COURIER_MM, "-q", "100000S,10C", q])
    run([COURIER_MM, "-f", "Work", q])
    sizes = [300, 1200, 5000, 70]
    for i, size in enumerate(sizes):
        rc, out, err = run([COURIER_DQ, q], stdin=message(i, size))
        assert rc == 0, err
    rc, out, err = run([COURIER_DQ, q + "/.Work"], stdin=message(9, 2500))
    assert rc == 0, err
    limit_line, sum_b, sum_c, lines = maildirsize(q)
    count_b, count_c = fresh_count(q)
    tap.ok(lines == 6 and (sum_b, sum_c) == (count_b, count_c) and
           sum_c == 5, "Courier's deliverquota kept maildirsize (%d lines)"
           % lines, (sum_b, sum_c, count_b, count_c))
    rc, j, err = quota_json("get", q)
    tap.ok(rc == 0 and j is not None, "quota get --json DIR: exit 0, JSON",
           err)
    j = j or {}
    keys = {"user", "location", "driver", "inbox", "bytes", "messages",
            "limit_bytes", "limit_messages", "limit_source", "percent"}
    tap.is_eq(set(j), keys, "--json: the documented keys")
    tap.ok(j.get("user") is None and j.get("location") == q and
           j.get("driver") == "maildir" and
           all(isinstance(j.get(k), int) for k in
               ("bytes", "messages", "limit_bytes", "limit_messages",
                "percent")), "--json: types (user null for a DIR)", j)
    tap.is_eq((j.get("bytes"), j.get("messages")), (sum_b, sum_c),
              "get: the sum of maildirsize's lines")
    tap.is_eq((j.get("limit_bytes"), j.get("limit_messages"),
               j.get("limit_source")), (100000, 10, "maildirsize"),
              "get: the limit line, limit_source maildirsize")
    tap.is_eq(j.get("percent"), max(sum_b * 100 // 100000,
                                     sum_c * 100 // 10),
              "get: percent of the tightest limit")
    tap.is_eq(lines, maildirsize(q)[3], "get left a small maildirsize alone")
    # a change only a recount sees: a message removed behind its back
    victim = sorted(os.listdir(os.path.join(q, "new")))[0]
    vsize = int(re.search(r",S=(\d+)", victim).group(1))
    os.unlink(os.path.join(q, "new", victim))
    rc, j, err = quota_json("get", q)
    tap.is_eq((j or {}).get("bytes"), sum_b,
              "get still reports maildirsize's sum (no recount)")
    rc, j, err = quota_json("recalc", q)
    count_b, count_c = fresh_count(q)
    tap.ok(rc == 0 and j and (j["bytes"], j["messages"]) ==
           (count_b, count_c) == (sum_b - vsize, sum_c - 1),
           "recalc: a fresh count, equal to the files'", (j, count_b,
                                                           count_c))
    tap.is_eq(maildirsize(q), ("100000S,10C", count_b, count_c, 1),
              "recalc: maildirsize rewritten, limit line kept, one sum line")
    rc, out, err = run([COURIER_DQ, q], stdin=message(20, 400))
    rc, j, err = quota_json("get", q)
    b2, c2 = fresh_count(q)
    tap.ok(rc == 0 and j and (j["bytes"], j["messages"]) == (b2, c2),
           "Courier appends to the recalculated file; get agrees", j)
    rc, out, err = run(["sluice", "quota", "get", q])
    tap.ok(rc == 0 and re.search(r"^storage +%d of 100000 bytes" % b2, out,
                                 re.M) and
           re.search(r"^messages +%d of 10\b" % c2, out, re.M) and
           re.search(r"^limit from +maildirsize", out, re.M),
           "human output: usage, limit, percentage, where it comes from",
           out + err)
    rc, j, err = quota_json("set", q, "200000S,20C")
    tap.ok(rc == 0 and maildirsize(q)[0] == "200000S,20C" and
           j["limit_bytes"] == 200000 and j["limit_messages"] == 20,
           "set NS,MC: the limit line changes, get shows it", err)
    tap.is_eq(maildirsize(q)[1:3], fresh_count(q),
              "set: the usage recounted with it")
    rc, j, err = quota_json("set", q, "2M")
    tap.is_eq(maildirsize(q)[0], "2097152S", "set 2M: the limit in bytes")
    rc, out, err = run(["sluice", "quota", "set", q, "%dS" % (b2 + 10)])
    rc, out, err = run([COURIER_DQ, q], stdin=message(21, 400))
    tap.is_eq(rc, 77, "Courier's deliverquota enforces the limit set "
              "(77 over quota)")
    rc, j, err = quota_json("set", q, "none")
    tap.ok(rc == 0 and maildirsize(q)[0] == "" and
           j["limit_bytes"] is None and j["limit_source"] == "none" and
           j["percent"] == 0, "set none: no limit line, limit null", j)
    rc, out, err = run(["sluice", "quota", "set", q, "12Q"])
    tap.ok(rc == 64 and maildirsize(q)[0] == "",
           "set with a bad quota: exit 64, nothing written", err)
else:
    tap.skip("no maildrop (Courier's maildirmake, deliverquota)", 19)

# --- quota on a user from the userdb ----------------------------------
user = mail_user()
home = sb.path("alice")
os.mkdir(home, 0o700)
md = os.path.join(home, "Maildir")
rc, out, err = run(["sluice", "maildirmake", md])
run(["sluice", "maildirmake", "-f", "Spam", md])
for sub, name, data in (("new", "1.1.host,S=1000", b"x" * 1000),
                        ("cur", "2.2.host,S=3000:2,S", b"y" * 3000),
                        (".Spam/new", "3.3.host", b"z" * 500)):
    write_file(os.path.join(md, sub, name), data)
if is_root():
    for d, dirs, files in os.walk(home):
        for n in [d] + [os.path.join(d, f) for f in files]:
            os.chown(n, user.uid, user.gid)
users = sb.path("users")
write_file(users,
           "alice@example.test::%d:%d::%s::userdb_quota_rule=*:storage=1M:"
           "messages=50\n"
           "bob@example.test::%d:%d::%s::\n" %
           (user.uid, user.gid, home, user.uid, user.gid, sb.path("bob")))
conf = sb.path("sluice.conf")
write_file(conf, "userdb = passwd-file:%s\nfirst_valid_uid = %d\n" %
           (users, min(user.uid, 500)))
rc, j, err = quota_json("get", "alice@example.test", conf=conf)
tap.ok(rc == 0 and j is not None, "quota get --json USER: exit 0", err)
j = j or {}
tap.is_eq((j.get("user"), j.get("location"), j.get("limit_source"),
           j.get("limit_bytes"), j.get("limit_messages")),
          ("alice@example.test", md, "userdb", 1048576, 50),
          "USER: the userdb's quota_rule, limit_source userdb")
tap.is_eq((j.get("bytes"), j.get("messages")), (4500, 3),
          "USER: the usage of INBOX and folders (a file without ,S= by "
          "its size)")
ms = os.path.join(md, "maildirsize")
st = os.stat(ms) if os.path.exists(ms) else None
tap.ok(st is not None and st.st_uid == user.uid,
       "the maildirsize written for it belongs to the user%s" %
       (" (run as root)" if is_root() else ""), st)
rc, out, err = run(["sluice", "quota", "get", "alice@example.test"],
                   conf=conf)
tap.ok(rc == 0 and re.search(r"^user +alice@example.test", out, re.M) and
       re.search(r"^limit from +userdb", out, re.M),
       "human output names the user and the userdb", out + err)
before = maildirsize(md)
rc, out, err = run(["sluice", "quota", "set", "alice@example.test",
                    "5M"], conf=conf)
tap.ok(rc == 1 and "userdb" in err and maildirsize(md) == before,
       "set on a user limited by the userdb: refused, exit 1", err)
rc, out, err = run(["sluice", "quota", "get", "nobody@example.test"],
                   conf=conf)
tap.ok(rc == 1 and "no such user" in err, "an unknown user: exit 1", err)
rc, out, err = run(["sluice", "quota", "get", "bob@example.test"],
                   conf=conf)
tap.ok(rc == 1 and "no Maildir" in err, "a user without a Maildir yet: "
       "exit 1, said", err)

if is_root():
    # as root on a DIR: the owner's files stay the owner's
    rc, j, err = quota_json("recalc", md)
    st = os.stat(ms)
    tap.ok(rc == 0 and st.st_uid == user.uid and st.st_gid == user.gid,
           "recalc DIR as root: the rewritten maildirsize is the owner's",
           err)
    rc, out, err = run(["sluice", "maildirmake", "-f", "Later", md])
    st = os.stat(os.path.join(md, ".Later", "maildirfolder"))
    tap.ok(rc == 0 and st.st_uid == user.uid,
           "maildirmake -f as root: the folder is the Maildir owner's", err)
else:
    tap.skip("not root", 2)

# --- quota usage errors ---------------------------------------------
for args, name in ((["quota"], "no subcommand"),
                   (["quota", "get"], "no USER|DIR"),
                   (["quota", "set", md], "set without QUOTA"),
                   (["quota", "frob", md], "an unknown subcommand")):
    rc, out, err = run(["sluice"] + args)
    tap.ok(rc == 64 and "usage" in err, "%s: usage, exit 64" % name, err)
rc, out, err = run(["sluice", "quota", "get", sb.path("plain") + "/"])
tap.ok(rc == 1 and "not a Maildir" in err, "get on a directory that is no "
       "Maildir: exit 1", err)

shutil.rmtree(sb.path("o1"), ignore_errors=True)
sys.exit(tap.done())
