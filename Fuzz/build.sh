#!/usr/bin/env bash
# Builds the libFuzzer targets in Fuzz/Targets into Fuzz/.build/TARGET.
#
# The modules under test (SiftTime, SiftQuery, SiftStore, and the SiftShell / SiftOps files the targets
# need) are compiled here with `-sanitize=fuzzer,address` (coverage and AddressSanitizer); their
# dependencies (GRDB, SiftSchema) are linked from the SwiftPM debug build, which this script
# runs first. Usage: Fuzz/build.sh [TARGET...]   (default: every target)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
out=$root/Fuzz/.build
mkdir -p "$out"
sanitize=${SIFT_FUZZ_SANITIZE:-fuzzer,address}

swift build --target SiftAWS >/dev/null
bin=$(swift build --show-bin-path)
modules=$bin/Modules
grdb_map=$root/.build/checkouts/GRDB.swift/Sources/GRDBSQLite/module.modulemap
crypto=$root/.build/checkouts/swift-crypto/Sources
common=(-sanitize="$sanitize" -parse-as-library -swift-version 5 -Onone -enable-testing -gline-tables-only -wmo -I "$out" -I "$modules"
        -Xcc -fmodule-map-file="$grdb_map" -module-cache-path "$out/ModuleCache"
        -Xcc -fmodule-map-file="$crypto/CCryptoBoringSSLShims/include/module.modulemap" -Xcc -I -Xcc "$crypto/CCryptoBoringSSLShims/include"
        -Xcc -fmodule-map-file="$crypto/CCryptoBoringSSL/include/module.modulemap" -Xcc -I -Xcc "$crypto/CCryptoBoringSSL/include")

# A module from source files, instrumented: NAME FILES...
module() {
    local name=$1; shift
    local stamp=$out/$name.o
    local newest
    newest=$(ls -t "$@" | head -1)
    if [ -f "$stamp" ] && [ "$stamp" -nt "$newest" ]; then return; fi
    swiftc "${common[@]}" -module-name "$name" -emit-module -emit-module-path "$out/$name.swiftmodule" \
        -c "$@" -o "$stamp"
}

module SiftTime Sources/SiftTime/*.swift
module SiftQuery Sources/SiftQuery/*.swift
module SiftStore Sources/SiftStore/*.swift
# The pure parts of the shell and ops the targets use, as small modules of their own.
module SiftShellLines Sources/SiftShell/LineGrammar.swift Sources/SiftShell/ScriptReader.swift
module SiftAWSXML Sources/SiftAWS/XMLTree.swift
module SiftPolicy Sources/SiftPolicy/*.swift
module SiftAWS Sources/SiftAWS/*.swift
module SiftOpsConfig Sources/SiftOps/Cron.swift Sources/SiftOps/OpsDuration.swift Sources/SiftOps/ConfigYAML.swift \
    Sources/SiftOps/ConfigKey.swift Sources/SiftOps/OpsConfig.swift

deps=("$bin"/GRDB.build/*.o "$bin"/SiftSchema.build/*.o)
mapfile -t aws_deps < <(find "$bin"/Crypto.build "$bin"/CryptoBoringWrapper.build "$bin"/CCryptoBoringSSL.build \
                             "$bin"/CCryptoBoringSSLShims.build "$bin"/Logging.build -name '*.o')
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=()
    for file in Fuzz/Targets/*.swift; do targets+=("$(basename "$file" .swift)"); done
fi
for target in "${targets[@]}"; do
    objects=("$out/SiftTime.o" "$out/SiftQuery.o")
    case $target in
        Compiler|NDJSON) objects+=("$out/SiftStore.o" "${deps[@]}") ;;
        Lines) objects+=("$out/SiftShellLines.o") ;;
        IAMXML) objects+=("$out/SiftAWSXML.o") ;;
        Policy) objects+=("$out/SiftPolicy.o") ;;
        CredentialReport|SharedFiles) objects+=("$out/SiftAWS.o" "$out/SiftPolicy.o" "$out/SiftStore.o" "${deps[@]}" "${aws_deps[@]}") ;;
        Cron|ConfigYAML) objects+=("$out/SiftOpsConfig.o" "$out/SiftStore.o" "${deps[@]}") ;;
    esac
    # ld.gold warns about every AddressSanitizer symbol it cannot export: harmless, filtered out.
    swiftc "${common[@]}" -module-name "Fuzz$target" "Fuzz/Targets/$target.swift" "${objects[@]}" -lsqlite3 -o "$out/$target" \
        2> >(grep -v "Cannot export local symbol" >&2)
    echo "built Fuzz/.build/$target"
done
