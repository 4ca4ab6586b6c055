#!/usr/bin/env bash
# Installs Debian's builds of Rust 1.48.0, 1.63.0, 1.78.0, 1.85.0 and 1.96.0 as rustup toolchains,
# so that `cargo +1.63.0` etc. work beside the official `stable`. rustup cannot download toolchains
# on a machine without internet, but Debian's archive is reachable: each toolchain is unpacked from
# its .deb files (never installed system-wide, so /usr/bin/rustc stays untouched) into
# ~/.rustup/toolchains/<version>-<host>/. rustup's proxy sets the library path for them.
#
# 1.63.0, 1.85.0 and 1.96.0 come from bookworm (this machine's release). 1.48.0 (with cargo 0.47,
# which calls itself `cargo 1.46.0`) and 1.78.0 come from bullseye, read through a private sources
# list and lists directory in a temporary directory, so the machine's apt setup stays untouched.
# The bullseye libraries that bookworm lacks (libLLVM-11, libssl1.1, libgit2 1.1, ...) are unpacked
# into the toolchain's own lib/ directory, where rustup's proxy finds them.
#
# Idempotent: a toolchain whose `rustc +VERSION -vV` already answers is left alone.
# Usage: scripts/install-debian-toolchains.sh [VERSION...]
#        (default: 1.48.0 1.63.0 1.78.0 1.85.0 1.96.0)
# Env:   BULLSEYE_MIRROR and BULLSEYE_SECURITY_MIRROR override where bullseye is read from (default
#        deb.debian.org; once bullseye is archived: http://archive.debian.org/debian{,-security}).
# Needs: root (or sudo) for apt-get, rustup on PATH.
set -euo pipefail

host=x86_64-unknown-linux-gnu
rustup_home=${RUSTUP_HOME:-$HOME/.rustup}
sudo=""
[ "$(id -u)" -eq 0 ] || sudo=sudo
bullseye_mirror=${BULLSEYE_MIRROR:-http://deb.debian.org/debian}
bullseye_security_mirror=${BULLSEYE_SECURITY_MIRROR:-http://deb.debian.org/debian-security}

# Package names and exact Debian versions per toolchain: 1.85 and 1.96 share package names, so the
# version pins which one apt downloads. The bullseye toolchains also take bullseye's shared
# libraries that bookworm does not have (under that soname); those are left unpinned, so apt takes
# bullseye-security's newest build (the security archive keeps only that one).
packages_for() {
  case "$1" in
    1.48.0) echo "rustc=1.48.0+dfsg1-2 cargo=0.47.0-3+b1 libstd-rust-dev=1.48.0+dfsg1-2 libstd-rust-1.48=1.48.0+dfsg1-2" \
              "libllvm11 libffi7 libgit2-1.1 libhttp-parser2.9 libmbedtls12 libmbedx509-0 libmbedcrypto3 libssl1.1" ;;
    1.63.0) echo "rustc=1.63.0+dfsg1-2 cargo=0.66.0+ds1-1 libstd-rust-dev=1.63.0+dfsg1-2 libstd-rust-1.63=1.63.0+dfsg1-2" ;;
    1.78.0) echo "rustc-web=1.78.0+dfsg1-2~deb11u3 cargo-web=1.78.0+dfsg1-2~deb11u3 libstd-rust-web-dev=1.78.0+dfsg1-2~deb11u3 libstd-rust-web-1.78=1.78.0+dfsg1-2~deb11u3" \
              "libssl1.1" ;;
    1.85.0) echo "rustc-web=1.85.0+dfsg3-1~deb12u3 cargo-web=1.85.0+dfsg3-1~deb12u3 libstd-rust-web-dev=1.85.0+dfsg3-1~deb12u3 libstd-rust-web-1.85=1.85.0+dfsg3-1~deb12u3" ;;
    1.96.0) echo "rustc-web=1.96.0+dfsg1-1~deb12u2 cargo-web=1.96.0+dfsg1-1~deb12u2 libstd-rust-web-dev=1.96.0+dfsg1-1~deb12u2 libstd-rust-web-1.96=1.96.0+dfsg1-1~deb12u2" ;;
    *) echo "error: no Debian package known for toolchain \`$1\` (known: 1.48.0 1.63.0 1.78.0 1.85.0 1.96.0)" >&2; return 1 ;;
  esac
}

# The Debian release a toolchain's packages come from.
suite_for() {
  case "$1" in
    1.48.0|1.78.0) echo bullseye ;;
    *) echo bookworm ;;
  esac
}

# Shared libraries the unpacked compilers and cargos link against, from bookworm: libllvm16 is for
# bullseye's 1.78; libedit2, libz3-4 and libgssapi-krb5-2 for the bullseye libraries of 1.48.
runtime_libs="libllvm14 libllvm16 libllvm19 libllvm22 libgit2-1.5 libpcre3 libhttp-parser2.9 libssh2-1 libcurl3-gnutls libcurl4 libsqlite3-0 libedit2 libz3-4 libgssapi-krb5-2 gcc libc6-dev binutils"

versions=("$@")
[ ${#versions[@]} -gt 0 ] || versions=(1.48.0 1.63.0 1.78.0 1.85.0 1.96.0)

# Never let rustup try to download a toolchain it does not have: that cannot work here.
export RUSTUP_AUTO_INSTALL=0

missing=()
for v in "${versions[@]}"; do
  packages_for "$v" >/dev/null
  if [ -x "$rustup_home/toolchains/$v-$host/bin/rustc" ] && rustc "+$v" -vV >/dev/null 2>&1; then
    echo "toolchain $v: already installed"
  else
    missing+=("$v")
  fi
done
[ ${#missing[@]} -gt 0 ] || exit 0

command -v rustup >/dev/null || { echo "error: rustup is not on PATH; install it first" >&2; exit 1; }
$sudo apt-get update -qq
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $runtime_libs >/dev/null

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# apt reading bullseye instead of this machine's sources: its own sources list, lists, cache,
# (empty) dpkg status and (no) pinning, all under $work; /etc/apt and /var/lib/apt stay untouched.
bullseye_apt=(apt-get -qq
  -o "Dir::Etc::SourceList=$work/bullseye/sources.list" -o Dir::Etc::SourceParts=/dev/null
  -o Dir::Etc::Preferences=/dev/null -o Dir::Etc::PreferencesParts=/dev/null
  -o "Dir::State::Lists=$work/bullseye/lists" -o "Dir::Cache=$work/bullseye/cache"
  -o Dir::State::status=/dev/null)
for v in "${missing[@]}"; do
  [ "$(suite_for "$v")" = bullseye ] || continue
  mkdir -p "$work/bullseye/lists/partial" "$work/bullseye/cache/archives/partial"
  keyring=/usr/share/keyrings/debian-archive-keyring.gpg
  printf 'deb [signed-by=%s] %s bullseye main\ndeb [signed-by=%s] %s bullseye-security main\n' \
    "$keyring" "$bullseye_mirror" "$keyring" "$bullseye_security_mirror" >"$work/bullseye/sources.list"
  "${bullseye_apt[@]}" update
  break
done

for v in "${missing[@]}"; do
  echo "toolchain $v: unpacking Debian $(suite_for "$v") packages"
  mkdir -p "$work/$v/debs" "$work/$v/root"
  apt=(apt-get -qq)
  [ "$(suite_for "$v")" = bookworm ] || apt=("${bullseye_apt[@]}")
  # shellcheck disable=SC2046
  (cd "$work/$v/debs" && "${apt[@]}" download $(packages_for "$v"))
  for deb in "$work/$v/debs"/*.deb; do dpkg -x "$deb" "$work/$v/root"; done
  usr="$work/$v/root/usr"
  if [ -d "$usr/lib/x86_64-linux-gnu" ]; then
    cp -a "$usr/lib/x86_64-linux-gnu/." "$usr/lib/"
    rm -rf "$usr/lib/x86_64-linux-gnu"
  fi
  # Debian names the 1.85/1.96 binaries after the package (rustc-web is installed as rustc).
  for tool in rustc cargo rustdoc; do
    # shellcheck disable=SC2012 # Debian's binary names are plain
    [ -e "$usr/bin/$tool" ] || { cand=$(ls "$usr/bin/$tool"-* 2>/dev/null | head -n1 || true); [ -n "$cand" ] && ln -sf "$(basename "$cand")" "$usr/bin/$tool"; }
  done
  dest="$rustup_home/toolchains/$v-$host"
  rm -rf "$dest"
  mkdir -p "$dest"
  cp -a "$usr/." "$dest/"
  if ! rustc "+$v" -vV >/dev/null 2>&1 || ! cargo "+$v" -V >/dev/null 2>&1; then
    echo "error: toolchain $v was unpacked to \`$dest\` but \`rustc +$v -vV\` or \`cargo +$v -V\` does not run" >&2
    exit 1
  fi
  echo "toolchain $v: installed at $dest ($(rustc "+$v" -V))"
done
