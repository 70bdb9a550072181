#!/usr/bin/env bash
# demo.sh - the `./quickstart demo` walk-through: a demo store under
# ./demo, a passwd-file with virtual users, and a few real messages
# delivered through sluice-deliver into Maildir and mbox.
set -euo pipefail
top=${1:-$(cd "$(dirname "$0")/.." && pwd)}
demo="$top/demo"
corpus=${SLUICE_CORPUS:-$top/../shared/corpus}
deliver="$top/sluice-deliver"
lmtpd="$top/sluice-lmtpd"
authd="$top/sluice-auth"
sluice="$top/sluice"

bold() { printf '\n\033[1m%s\033[0m\n' "$*"; }

# daemons left running by an earlier demo
for pidf in "$demo/lmtpd.pid" "$demo/auth.pid"; do
	if [ -f "$pidf" ]; then
		kill "$(cat "$pidf")" 2>/dev/null || true
		for _ in 1 2 3 4 5 6 7 8 9 10; do [ -f "$pidf" ] || break; sleep 0.5; done
	fi
done
rm -rf "$demo"
mkdir -p "$demo/home/alice" "$demo/home/bob"

# the mail user: virtual users are stored under one system uid
if [ "$(id -u)" -eq 0 ]; then
	id vmail >/dev/null 2>&1 || useradd --system --no-create-home \
		--home-dir /nonexistent --shell /usr/sbin/nologin vmail
	uid=$(id -u vmail) gid=$(id -g vmail)
else
	uid=$(id -u) gid=$(id -g)
fi

cat > "$demo/users" <<USERS
# Dovecot passwd-file format: user:password:uid:gid:gecos:home:shell:extra
alice@example.test:{PLAIN}alice-secret:$uid:$gid::$demo/home/alice::
bob@example.test:{PLAIN}bob-secret:$uid:$gid::$demo/home/bob::userdb_mail=mbox:~/mail:INBOX=~/mbox
USERS
cat > "$demo/sluice.conf" <<CONF
# the demo's sluice.conf: only what differs from the built-in defaults
userdb = passwd-file:$demo/users
mail_location = maildir:~/Maildir
mailbox_autocreate = yes
log_path = $demo/sluice.log
first_valid_uid = $uid
CONF
chown -R "$uid:$gid" "$demo/home"
chmod 0700 "$demo/home/alice" "$demo/home/bob"

msg() {
	local f="$corpus/$1"
	if [ -f "$f" ]; then cat "$f"; else
		printf 'From: demo@example.org\nTo: %s\nSubject: %s\n\nHello from the sluice demo.\n' "$2" "$1"
	fi
}

deliver() { # deliver RCPT FILE [ARGS]
	local rcpt=$1 file=$2 rc=0 why
	shift 2
	why=$(msg "$file" "$rcpt" | "$deliver" -c "$demo/sluice.conf" -f sender@example.org -d "$rcpt" "$@" 2>&1) || rc=$?
	printf '  %-25s %-45s exit %s%s\n' "$rcpt" "$(basename "$file")${*:+ ($*)}" "$rc" "${why:+  ($why)}"
}

bold "sluice demo: users in $demo/users, config in $demo/sluice.conf"
sed -n '2,$p' "$demo/users" | sed 's/:{PLAIN}[^:]*:/:{PLAIN}...:/; s/^/  /'

bold "What a delivery to alice would use (sluice user lookup):"
"$sluice" -c "$demo/sluice.conf" user lookup alice@example.test | sed 's/^/  /'

bold "Delivering messages from the shared corpus through sluice-deliver:"
deliver alice@example.test mail-gem/emails/plain_emails/basic_email.eml
deliver alice@example.test mail-gem/emails/attachment_emails/attachment_pdf.eml
deliver alice+lists@example.test mimekit/messages/multipart-digest.txt -m Lists/Debian
deliver Alice@Example.TEST mail-gem/emails/rfc6532/utf8_headers.eml
deliver bob@example.test mail-gem/emails/mime_emails/raw_email2.eml
deliver bob@example.test mimekit/messages/bounce.txt
deliver carol@example.test mail-gem/emails/plain_emails/basic_email.eml

bold "Where they went:"
(cd "$demo/home" && find . -type f ! -name maildirfolder | sort | sed 's/^/  /')

bold "The log ($demo/sluice.log), one line per delivery:"
sed 's/^/  /' "$demo/sluice.log"

bold "The top of a delivered message (Return-Path and Delivered-To added):"
f=$(ls "$demo/home/alice/Maildir/new/" | head -1)
head -4 "$demo/home/alice/Maildir/new/$f" | sed 's/^/  /'

# sluice-lmtpd on a free loopback port, in the background
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >> "$demo/sluice.conf" <<CONF
lmtp_listen = 127.0.0.1:$port, unix:$demo/lmtp.sock
lmtp_pid_file = $demo/lmtpd.pid
lmtp_workers = 2
CONF
bold "Starting sluice-lmtpd on 127.0.0.1:$port and $demo/lmtp.sock:"
"$lmtpd" -c "$demo/sluice.conf"
echo "  running, pid $(cat "$demo/lmtpd.pid")"

bold "One LMTP transaction to three recipients (a reply for each after the data):"
python3 - "$port" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
f = s.makefile("rb")
def reply():
    lines = []
    while True:
        line = f.readline().decode().rstrip("\r\n")
        lines.append(line)
        if len(line) < 4 or line[3] != "-":
            return lines
def say(cmd, n=1):
    print("  C: " + cmd)
    s.sendall(cmd.encode() + b"\r\n")
    for _ in range(n):
        for line in reply():
            print("  S: " + line)
for line in reply():
    print("  S: " + line)
say("LHLO demo.example")
say("MAIL FROM:<newsletter@example.org>")
say("RCPT TO:<alice@example.test>")
say("RCPT TO:<bob@example.test>")
say("RCPT TO:<carol@example.test>")
say("DATA")
body = ("From: newsletter@example.org\r\nTo: alice@example.test, bob@example.test\r\n"
        "Subject: over LMTP\r\n\r\nOne message, one copy per recipient.\r\n.")
print("  C: (the message, then a dot)")
s.sendall(body.encode() + b"\r\n")
for _ in range(2):
    for line in reply():
        print("  S: " + line)
say("QUIT")
PY
sleep 0.2
bold "The log lines of that transaction:"
grep 'sluice-lmtpd' "$demo/sluice.log" | grep 'rcpt=' | sed 's/^/  /'

# sluice-auth: SMTP AUTH for Postfix (smtpd_sasl_type = dovecot) against
# the same users, on a socket in the demo directory
cat >> "$demo/sluice.conf" <<CONF
passdb = passwd-file:$demo/users
auth_listen = unix:$demo/auth.sock
auth_pid_file = $demo/auth.pid
auth_workers = 1
auth_failure_delay = 0
CONF
bold "Starting sluice-auth on $demo/auth.sock; Postfix's side of two logins:"
"$authd" -c "$demo/sluice.conf"
python3 - "$demo/auth.sock" <<'PY'
import base64, socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
f = s.makefile("rb")
s.sendall(b"VERSION\t1\t2\nCPID\t4242\n")
while True:
    line = f.readline().decode().rstrip("\n")
    if line.startswith(("VERSION", "MECH")):
        print("  S: " + line.replace("\t", " "))
    if line == "DONE":
        break
for n, (user, pw) in enumerate((("alice@example.test", "alice-secret"),
                                ("alice@example.test", "wrong")), 1):
    resp = base64.b64encode(b"\0" + user.encode() + b"\0" + pw.encode()).decode()
    print("  C: AUTH %d PLAIN service=smtp (%s, %s password)"
          % (n, user, "right" if n == 1 else "a wrong"))
    s.sendall(("AUTH\t%d\tPLAIN\tservice=smtp\tresp=%s\n" % (n, resp)).encode())
    print("  S: " + f.readline().decode().rstrip("\n").replace("\t", " "))
PY

bold "How to look:"
cat <<HOW
  ls $demo/home/alice/Maildir/new/              # alice's INBOX (Maildir)
  ls $demo/home/alice/Maildir/.Lists.Debian/new/ # the folder asked for with -m
  less $demo/home/bob/mbox                      # bob's INBOX (mbox)
  $sluice -c $demo/sluice.conf config -n
  echo 'Subject: hi' | $deliver -c $demo/sluice.conf -d alice@example.test -f you@example.org
carol@example.test is not in the passwd-file: exit 67 (no such user), which
the MTA turns into a bounce; over LMTP, 550 5.1.1 at RCPT.

sluice-lmtpd and sluice-auth are still running for you to try (swaks
--protocol LMTP --server 127.0.0.1:$port --to alice@example.test, or
Python's smtplib.LMTP; Postfix: smtpd_sasl_path = $demo/auth.sock);
stop them with:  kill \$(cat $demo/lmtpd.pid) \$(cat $demo/auth.pid)
HOW
