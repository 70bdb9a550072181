#!/bin/sh
# fuzz-seeds.t - every fuzz harness, built with ASan + UBSan and a
# standalone driver, runs cleanly over its seed corpus: the shared message
# corpus for the message and address parsers, t/data/fuzz-* for the rest.
: "${SLUICE_BUILDDIR:?}" "${SLUICE_SRCDIR:?}"
if [ "$SLUICE_SANITIZERS" != yes ]; then
	echo "1..0 # SKIP the compiler cannot build with ASan + UBSan"
	exit 0
fi
set -- $SLUICE_FUZZERS
echo "1..$#"
n=0
for f in "$@"; do
	n=$((n + 1))
	seeds="$SLUICE_SRCDIR/t/data/fuzz-$f"
	case $f in
	message|address)
		if [ -n "$SLUICE_CORPUS" ] && [ -d "$SLUICE_CORPUS" ]; then
			seeds="$SLUICE_CORPUS"
		fi
		[ -d "$SLUICE_SRCDIR/t/data/fuzz-$f" ] && seeds="$seeds $SLUICE_SRCDIR/t/data/fuzz-$f"
		;;
	esac
	out=$("$SLUICE_BUILDDIR/t/fuzz/san-fuzz-$f" $seeds 2>&1)
	rc=$?
	if [ $rc -eq 0 ]; then
		echo "ok $n - fuzz-$f seeds: $(echo "$out" | tail -1)"
	else
		echo "not ok $n - fuzz-$f seeds (exit $rc)"
		echo "$out" | tail -30 | sed 's/^/# /'
	fi
done
