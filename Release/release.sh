#!/bin/sh
# Builds a release of sift that runs on machines without Swift: the Swift runtime and Foundation
# linked statically (--static-swift-stdlib; the static libraries ship with the toolchain),
# stripped, its dynamic libraries checked, and packed as
#   out/release/sift-VERSION-linux-ARCH.tar.gz  (bin/sift, share/man/man1/sift.1, completions for
#   bash, zsh and fish, README.md, LICENSE) and out/release/SHA256SUMS.
# Usage: Release/release.sh [OUTPUT_DIR]            (default: out/release)
set -eu
cd "$(dirname "$0")/.."
out=${1:-out/release}
version=$(sed -n 's/.*static let version = "\(.*\)".*/\1/p' Sources/SiftVersion/Version.swift)
arch=$(uname -m)
commit=$(git describe --always --dirty --abbrev=12 2>/dev/null || echo unknown)
name="sift-$version-linux-$arch"
scratch=.build-release

# A fresh machine has libcurl.so.4 but not the link name `libcurl.so` (it comes with a -dev
# package): give the linker link names for the system libraries Foundation needs.
links=$(mktemp -d)
trap 'rm -rf "$links"' EXIT
for lib in curl xml2; do
  real=$(ldconfig -p | sed -n "s/^[[:space:]]*lib$lib\.so\.[0-9]* (.*) => \(.*\)$/\1/p" | head -1)
  [ -n "$real" ] || { echo "release: lib$lib not found (apt-get install lib$lib)" >&2; exit 1; }
  ln -s "$real" "$links/lib$lib.so"
done

echo "building $name (commit $commit)..." >&2
SIFT_COMMIT=$commit swift build -c release --static-swift-stdlib --product sift \
  --scratch-path "$scratch" -Xlinker -L"$links" 1>&2
binary="$scratch/release/sift"

# Only what a plain Debian or Ubuntu server has: glibc, libstdc++/libgcc, SQLite, curl, libxml2.
allowed='^(libc|libm|libpthread|libdl|librt|libutil|ld-linux-[a-z0-9_-]*|libstdc\+\+|libgcc_s|libsqlite3|libcurl|libxml2)\.so'
needed=$(readelf -d "$binary" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
bad=$(printf '%s\n' "$needed" | grep -Ev "$allowed" || true)
if [ -n "$bad" ]; then
  echo "release: $binary needs libraries a plain server lacks:" >&2
  printf '  %s\n' $bad >&2
  exit 1
fi
if ldd "$binary" | grep -q "not found\|/opt/swift\|swift"; then
  echo "release: ldd shows toolchain libraries:" >&2
  ldd "$binary" >&2
  exit 1
fi

stage=$(mktemp -d)
trap 'rm -rf "$links" "$stage"' EXIT
root="$stage/$name"
mkdir -p "$root/bin" "$root/share/man/man1" "$root/share/bash-completion/completions" \
  "$root/share/zsh/vendor-completions" "$root/share/fish/vendor_completions.d"
cp "$binary" "$root/bin/sift"
strip "$root/bin/sift"
"$root/bin/sift" --man > "$root/share/man/man1/sift.1"
cp Release/completions/sift.bash "$root/share/bash-completion/completions/sift"
cp Release/completions/sift.zsh "$root/share/zsh/vendor-completions/_sift"
cp Release/completions/sift.fish "$root/share/fish/vendor_completions.d/sift.fish"
cp README.md LICENSE "$root/"

mkdir -p "$out"
out=$(cd "$out" && pwd)
tar -C "$stage" -czf "$out/$name.tar.gz" --owner=0 --group=0 "$name"
(cd "$out" && sha256sum "$name.tar.gz" > SHA256SUMS)
echo "libraries: $(printf '%s ' $needed)" >&2
echo "binary: $(du -h "$root/bin/sift" | cut -f1) stripped; archive: $(du -h "$out/$name.tar.gz" | cut -f1)" >&2
echo "$out/$name.tar.gz"
