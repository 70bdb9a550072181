#!/bin/sh
# docs.t - docs move with code: every config key is in sluice.conf(5),
# every program has a man page, every sluice-deliver and sluice-lmtpd option
# is in its page, and the README opens with the two quickstart commands.
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
first=$(grep -m2 -E '^\./quickstart' "$SLUICE_SRCDIR/README.md" | awk '{print $1, $2}' | tr '\n' ';')
[ "$first" = "./quickstart demo;./quickstart check;" ]; tap $? "README opens with ./quickstart demo and ./quickstart check"
echo "1..$n"
exit $fail
