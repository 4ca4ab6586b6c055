#!/usr/bin/env bash
# Installs Debian's builds of Rust 1.63.0, 1.85.0 and 1.96.0 as rustup toolchains, so that
# `cargo +1.63.0` etc. work beside the official `stable`. rustup cannot download toolchains on a
# machine without internet, but Debian's archive is reachable: each toolchain is unpacked from its
# .deb files (never installed system-wide, so /usr/bin/rustc stays untouched) into
# ~/.rustup/toolchains/<version>-<host>/. rustup's proxy sets the library path for them.
#
# Idempotent: a toolchain whose `rustc +VERSION -vV` already answers is left alone.
# Usage: scripts/install-debian-toolchains.sh [VERSION...]   (default: 1.63.0 1.85.0 1.96.0)
# Needs: root (or sudo) for apt-get, rustup on PATH.
set -euo pipefail

host=x86_64-unknown-linux-gnu
rustup_home=${RUSTUP_HOME:-$HOME/.rustup}
sudo=""
[ "$(id -u)" -eq 0 ] || sudo=sudo

# Package names and exact Debian versions per toolchain: 1.85 and 1.96 share package names, so the
# version pins which one apt downloads.
packages_for() {
  case "$1" in
    1.63.0) echo "rustc=1.63.0+dfsg1-2 cargo=0.66.0+ds1-1 libstd-rust-dev=1.63.0+dfsg1-2 libstd-rust-1.63=1.63.0+dfsg1-2" ;;
    1.85.0) echo "rustc-web=1.85.0+dfsg3-1~deb12u3 cargo-web=1.85.0+dfsg3-1~deb12u3 libstd-rust-web-dev=1.85.0+dfsg3-1~deb12u3 libstd-rust-web-1.85=1.85.0+dfsg3-1~deb12u3" ;;
    1.96.0) echo "rustc-web=1.96.0+dfsg1-1~deb12u2 cargo-web=1.96.0+dfsg1-1~deb12u2 libstd-rust-web-dev=1.96.0+dfsg1-1~deb12u2 libstd-rust-web-1.96=1.96.0+dfsg1-1~deb12u2" ;;
    *) echo "error: no Debian package known for toolchain \`$1\` (known: 1.63.0 1.85.0 1.96.0)" >&2; return 1 ;;
  esac
}

# Shared libraries the unpacked compilers and cargos link against.
runtime_libs="libllvm14 libllvm19 libllvm22 libgit2-1.5 libpcre3 libhttp-parser2.9 libssh2-1 libcurl3-gnutls libcurl4 libsqlite3-0 gcc libc6-dev binutils"

versions=("$@")
[ ${#versions[@]} -gt 0 ] || versions=(1.63.0 1.85.0 1.96.0)

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
for v in "${missing[@]}"; do
  echo "toolchain $v: unpacking Debian packages"
  mkdir -p "$work/$v/debs" "$work/$v/root"
  # shellcheck disable=SC2046
  (cd "$work/$v/debs" && apt-get download -qq $(packages_for "$v"))
  for deb in "$work/$v/debs"/*.deb; do dpkg -x "$deb" "$work/$v/root"; done
  usr="$work/$v/root/usr"
  if [ -d "$usr/lib/x86_64-linux-gnu" ]; then
    cp -a "$usr/lib/x86_64-linux-gnu/." "$usr/lib/"
    rm -rf "$usr/lib/x86_64-linux-gnu"
  fi
  # Debian names the 1.85/1.96 binaries after the package (rustc-web is installed as rustc).
  for tool in rustc cargo rustdoc; do
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
