#!/bin/sh
# docs.t - docs move with code: every config key is in sluice.conf(5),
# every program has a man page, every sluice-deliver and sluice-lmtpd option
# is in its page, the sluice.conf in sluice-migrate(7) is valid, and the
# README opens with the two quickstart commands.
: "${SLUICE_BUILDDIR:?}" "${SLUICE_SRCDIR:?}"
man="$SLUICE_SRCDIR/man"
keys=$(SLUICE_CONFIG= "$SLUICE_BUILDDIR/sluice" -c /dev/null config | sed -n 's/^\([a-z_0-9]*\) = .*/\1/p')
n=0; fail=0
tap() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=1; fi; }
missing=""
for k in $keys; do
	grep -Eq "^\.(B|BR) .*\b$k\b" "$man/sluice.conf.5" || missing="$missing $k"
done
[ -n "$keys" ] && [ -z "$missing" ]; tap $? "every config key documented in sluice.conf(5)${missing:+ (missing:$missing)}"
for p in sluice-deliver.1 sluice.1 sluice-lmtpd.8; do
	[ -f "$man/$p" ]; tap $? "${p%.*} has a man page"
done
missing=""
for o in d f a r m c o p e; do
	grep -q "^\.BI* \\\\-$o\b" "$man/sluice-deliver.1" || missing="$missing -$o"
done
[ -z "$missing" ]; tap $? "every sluice-deliver option in sluice-deliver(1)${missing:+ (missing:$missing)}"
missing=""
for o in F c o; do
	grep -q "^\.BI* \\\\-$o\b" "$man/sluice-lmtpd.8" || missing="$missing -$o"
done
[ -z "$missing" ]; tap $? "every sluice-lmtpd option in sluice-lmtpd(8)${missing:+ (missing:$missing)}"
# sluice-migrate(7)'s sluice.conf for a Dovecot site is one sluice accepts
conf=$(mktemp)
sed -n '/^\.\\" sluice.conf begin/,/^\.\\" sluice.conf end/p' "$man/sluice-migrate.7" |
	grep -v '^\.' | sed 's/\\-/-/g' > "$conf"
out=$("$SLUICE_BUILDDIR/sluice" -c "$conf" config 2>&1)
rc=$?
[ $rc = 0 ] && [ "$(grep -c . "$conf")" -ge 10 ] &&
	printf '%s\n' "$out" | grep -qx 'passdb = sql:/etc/dovecot/dovecot-sql.conf.ext' &&
	printf '%s\n' "$out" | grep -qx 'auth_listen = unix:/var/spool/postfix/private/sluice-auth'
r=$?
[ $r = 0 ] || printf '%s\n' "$out" | sed 's/^/# /' | head -n 5
tap $r "sluice-migrate(7)'s sluice.conf is accepted as written (sluice config)"
rm -f "$conf"
first=$(grep -m2 -E '^\./quickstart' "$SLUICE_SRCDIR/README.md" | awk '{print $1, $2}' | tr '\n' ';')
[ "$first" = "./quickstart demo;./quickstart check;" ]; tap $? "README opens with ./quickstart demo and ./quickstart check"
echo "1..$n"
exit $fail
