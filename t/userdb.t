#!/bin/sh
# userdb.t - `sluice user lookup` on passwd-file, bdb (after `sluice
# userdb build`) and static userdbs; exit codes 0 / 1 / 75 / 64.
set -u

SL="${SLUICE_BUILDDIR:?SLUICE_BUILDDIR not set}/sluice"
T=$(mktemp -d "${TMPDIR:-/tmp}/userdb-t.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
trap 'exit 1' INT TERM

n=0
failed=0
ok() {	# ok STATUS NAME
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		failed=$((failed + 1))
	fi
}

# json_has JSON EXPECTED: every key of the EXPECTED object is in JSON with
# the same value
json_has() {
	python3 -c '
import json, sys
got, want = json.loads(sys.argv[1]), json.loads(sys.argv[2])
bad = {k: got.get(k, "<missing>") for k in want if got.get(k, "<missing>") != want[k]}
if bad:
    print("# differs: %r" % bad)
sys.exit(1 if bad else 0)' "$1" "$2"
}

# json_same A B: equal objects once "source" is removed
json_same() {
	python3 -c '
import json, sys
a, b = json.loads(sys.argv[1]), json.loads(sys.argv[2])
a.pop("source", None); b.pop("source", None)
sys.exit(0 if a == b else 1)' "$1" "$2"
}

: >"$T/empty.conf"
cat >"$T/passwd" <<'EOF'
# users, Dovecot passwd-file format
bob@example.com:{SHA512-CRYPT}$6$rounds=5000$salt$topsecrethash:1001:1002::/home/bob::userdb_mail=maildir:~/Mail userdb_quota_rule=*:storage=1G
alice@example.com:{PLAIN}alicesecret:1003:1003::/home/alice
mary@example.com:{PLAIN}x:1004:1004::/home/mary::mail=mbox:~/mail:INBOX=/var/mail/%n sieve=/s/mary.sieve pass=proxysecret
nohome@example.com:{PLAIN}x:1005
EOF

lookup() {	# lookup USERDB USER [more sluice args]: JSON on stdout
	db=$1
	user=$2
	shift 2
	"$SL" -c "$T/empty.conf" -o "userdb=$db" "$@" user lookup --json "$user"
}

PF="passwd-file:$T/passwd"
out=$(lookup "$PF" bob@example.com)
ok $? "passwd-file: bob found"
json_has "$out" '{"user":"bob@example.com","source":"passwd-file",
	"localpart":"bob","domain":"example.com","detail":null,"uid":1001,
	"gid":1002,"home":"/home/bob","store":"maildir",
	"mail":"/home/bob/Mail","inbox":null,"quota_rule":"*:storage=1G",
	"sieve":null}'
ok $? "passwd-file: bob's fields"
bob_json=$out

out=$(lookup "$PF" Bob+Lists@EXAMPLE.com)
json_has "$out" '{"user":"bob@example.com","detail":"Lists","uid":1001}'
ok $? "detail split and case folded"

out=$(lookup "$PF" alice@example.com)
json_has "$out" '{"uid":1003,"home":"/home/alice","store":"maildir",
	"mail":"/home/alice/Maildir"}'
ok $? "passwd-file: alice gets the default mail_location"
alice_json=$out

out=$(lookup "$PF" alice@example.com -o mail_location=maildir:/var/vmail/%d/%n)
json_has "$out" '{"mail":"/var/vmail/example.com/alice"}'
ok $? "mail_location with %d/%n"

out=$(lookup "$PF" mary@example.com)
json_has "$out" '{"store":"mbox","mail":"/home/mary/mail",
	"inbox":"/var/mail/mary","sieve":"/s/mary.sieve"}'
ok $? "plain mail= and sieve= extra fields, mbox with INBOX="
mary_json=$out

out=$(lookup "$PF" nohome@example.com)
json_has "$out" '{"home":null,"uid":1005,"gid":null}'
ok $? "fewer fields: no home, no gid"
case $out in *'"mail_error"'*) r=0 ;; *) r=1 ;; esac
ok $r "~ without a home is reported as a mail error"

all=$(lookup "$PF" bob@example.com; lookup "$PF" alice@example.com;
	lookup "$PF" mary@example.com;
	"$SL" -c "$T/empty.conf" -o "userdb=$PF" user lookup mary@example.com)
case $all in *secret*|*'$6$'*|*PLAIN*) r=1 ;; *) r=0 ;; esac
ok $r "no password is ever printed"

lookup "$PF" nobody@example.com >/dev/null 2>&1
ok $(($? != 1)) "unknown user exits 1"

lookup "passwd-file:$T/missing" bob@example.com >/dev/null 2>"$T/err"
ok $(($? != 75)) "missing passwd-file exits 75"
grep -q "$T/missing: No such file" "$T/err"
ok $? "... and says which file"

lookup "passwd-file:$T/missing, static:uid=1 gid=1 home=/h/%n" \
	bob@example.com >/dev/null 2>&1
ok $(($? != 75)) "a failing backend is not skipped"

"$SL" -c "$T/empty.conf" userdb build "$T/passwd"
ok $? "userdb build"
test -f "$T/passwd.db"
ok $? "... writes FILE.db"
BD="bdb:$T/passwd.db"
out=$(lookup "$BD" bob@example.com)
json_has "$out" '{"source":"bdb"}' && json_same "$out" "$bob_json"
ok $? "bdb: bob as from the passwd-file"
out=$(lookup "$BD" alice@example.com)
json_same "$out" "$alice_json"
ok $? "bdb: alice as from the passwd-file"
out=$(lookup "$BD" mary@example.com)
json_same "$out" "$mary_json"
ok $? "bdb: mary as from the passwd-file"
lookup "$BD" nobody@example.com >/dev/null 2>&1
ok $(($? != 1)) "bdb: unknown user exits 1"
lookup "bdb:$T/missing.db" bob@example.com >/dev/null 2>&1
ok $(($? != 75)) "bdb: missing database exits 75"
cp "$T/passwd" "$T/garbage.db"
lookup "bdb:$T/garbage.db" bob@example.com >/dev/null 2>&1
ok $(($? != 75)) "bdb: corrupt database exits 75"
"$SL" -c "$T/empty.conf" userdb build "$T/passwd" "$T/other.db" &&
	test -f "$T/other.db"
ok $? "userdb build FILE DBFILE"
"$SL" -c "$T/empty.conf" userdb build "$T/none" 2>/dev/null
ok $(($? != 1)) "userdb build of a missing file exits 1"
ls "$T" | grep -q tmp
ok $(($? == 0)) "no temp files left behind"

out=$(lookup "$PF, static:uid=2000 gid=2000 home=/var/vmail/%d/%n" \
	Zed@Example.org)
json_has "$out" '{"source":"static","user":"zed@example.org","uid":2000,
	"home":"/var/vmail/example.org/zed",
	"mail":"/var/vmail/example.org/zed/Maildir"}'
ok $? "static after passwd-file takes the rest"

lookup "static:home=/x/%q" bob@example.com >/dev/null 2>&1
ok $(($? != 64)) "bad userdb setting exits 64"

out=$(lookup system root)
json_has "$out" '{"source":"system","uid":0}'
ok $? "system: root"

echo "1..$n"
[ "$failed" -eq 0 ]
