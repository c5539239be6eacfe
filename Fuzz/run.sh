#!/usr/bin/env bash
# Runs one fuzz target for N seconds: Fuzz/run.sh TARGET SECONDS [libFuzzer options...]
# Builds it first (Fuzz/build.sh). New inputs go to Fuzz/.build/corpus/TARGET (not committed); the
# committed seeds in Fuzz/Corpus/TARGET start it. A crash leaves crash-* / timeout-* / leak-* in
# Fuzz/.build/artifacts/ and makes this script fail.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:?usage: Fuzz/run.sh TARGET SECONDS}
seconds=${2:?usage: Fuzz/run.sh TARGET SECONDS}
shift 2
[ -n "${SIFT_FUZZ_NO_BUILD:-}" ] || Fuzz/build.sh "$target" >/dev/null
work=Fuzz/.build/corpus/$target
mkdir -p "$work" Fuzz/.build/artifacts
seeds=Fuzz/Corpus/$target
[ -d "$seeds" ] || seeds=
dict=()
[ -f "Fuzz/Dictionaries/$target.dict" ] && dict=(-dict="Fuzz/Dictionaries/$target.dict")
# detect_leaks=0: the Swift runtime keeps metadata caches that LeakSanitizer reports at exit.
# SWIFT_BACKTRACE off: the Swift backtracer and AddressSanitizer fight over a crashing process.
SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0} "Fuzz/.build/$target" "$work" $seeds \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=4096 -print_final_stats=1 \
    -artifact_prefix=Fuzz/.build/artifacts/"$target"- "${dict[@]}" "$@"
