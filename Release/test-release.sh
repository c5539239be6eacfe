#!/bin/sh
# Tries a release archive as a user without Swift would: checks SHA256SUMS, unpacks the archive,
# and runs `sift --version`, `generate`, a query, the man page and `collect` against the local
# AWS emulator, with the Swift toolchain out of reach:
#   default:   in a mount namespace where /opt/swift (the toolchain) is an empty directory;
#   --chroot:  in a minimal Debian root made with debootstrap (libsqlite3-0, libcurl4 and libxml2
#              only), the strictest test: no toolchain, no -dev package, nothing else.
# Usage: Release/test-release.sh [--chroot] out/release/sift-VERSION-linux-ARCH.tar.gz
# Needs root (unshare, mount, chroot), python3 with moto for the emulator; debootstrap for --chroot.
set -eu
cd "$(dirname "$0")/.."
mode=namespace
if [ "${1:-}" = --chroot ]; then mode=chroot; shift; fi
archive=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
name=$(basename "$archive" .tar.gz)
work=$(mktemp -d)
emu=
cleanup() {
  [ -n "$emu" ] && kill "$emu" 2>/dev/null || true
  if [ "$mode" = chroot ]; then umount "$work/root/proc" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

(cd "$(dirname "$archive")" && sha256sum -c SHA256SUMS) >&2

# The emulator on 127.0.0.1 (the chroot shares the network), with the walkthrough's scenario.
python3 Tests/Fixtures/emulator.py >"$work/emulator.out" 2>"$work/emulator.err" &
emu=$!
for _ in $(seq 1 100); do grep -q '^PORT=' "$work/emulator.out" 2>/dev/null && break; sleep 0.1; done
port=$(sed -n 's/^PORT=//p' "$work/emulator.out")
[ -n "$port" ] || { echo "emulator did not start" >&2; cat "$work/emulator.err" >&2; exit 1; }

# The commands run where the toolchain is out of reach; each prints what it did.
cat > "$work/try.sh" <<SCRIPT
set -eu
cd /tmp
tar xzf /tmp/$name.tar.gz
sift=/tmp/$name/bin/sift
export HOME=/tmp/home AWS_ENDPOINT_URL=http://127.0.0.1:$port AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_DEFAULT_REGION=us-east-1
mkdir -p \$HOME
echo "toolchain: \$(ls /opt/swift 2>/dev/null | wc -l) entries in /opt/swift"
\$sift --version
\$sift --db /tmp/g.db 'generate --accounts 2 --users 100 --seed 7'
\$sift --db /tmp/g.db 'search is(access_key) and last_access > 90days <-- is(user) | count'
\$sift --db /tmp/g.db 'search is(user) | head 3 | list name'
\$sift --man | head -3
\$sift --db /tmp/c.db collect
\$sift --db /tmp/c.db 'search is(access_key) and last_access > 90days | count'
echo RELEASE-OK
SCRIPT

case $mode in
namespace)
  # A private /tmp and an empty /opt/swift, in a mount namespace of this command only.
  mkdir -p "$work/empty" "$work/tmp"
  cp "$archive" "$work/tmp/$name.tar.gz"
  cp "$work/try.sh" "$work/tmp/try.sh"
  unshare --mount sh -c "mount --make-rprivate / && mount --bind '$work/empty' /opt/swift && mount --bind '$work/tmp' /tmp && env -i PATH=/usr/bin:/bin sh /tmp/try.sh"
  ;;
chroot)
  command -v debootstrap >/dev/null || { echo "debootstrap not found: apt-get install -y debootstrap" >&2; exit 1; }
  cache=${SIFT_DEBOOTSTRAP_CACHE:-/var/cache/sift-debootstrap}
  mkdir -p "$cache"
  if [ ! -x "$cache/root/bin/sh" ]; then
    debootstrap --variant=minbase --include=libsqlite3-0,libcurl4,libxml2 bookworm "$cache/root.tmp" >&2
    mv "$cache/root.tmp" "$cache/root"
  fi
  cp -a "$cache/root" "$work/root"
  cp "$archive" "$work/root/tmp/$name.tar.gz"
  cp "$work/try.sh" "$work/root/tmp/try.sh"
  mount -t proc proc "$work/root/proc"
  chroot "$work/root" env -i PATH=/usr/bin:/bin sh /tmp/try.sh
  ;;
esac
