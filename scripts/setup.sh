#!/usr/bin/env bash
# Installs what CambiOS needs on a Debian 12/13 machine, idempotently:
# clang, lld, llvm and the sanitizer runtime, QEMU for both arches, GRUB
# (UEFI and BIOS) and the UEFI firmware for `cambi image`, valgrind
# (the constant-time check of Ed25519 signing runs under memcheck) (Debian
# packages), and the npm packages. With --bench, also libsodium and b3sum for
# `npm run bench:compiler`. Prints one line per step it takes (a
# failing step's whole output), nothing when all is present.
set -euo pipefail
cd "$(dirname "$0")/.."

want=(clang lld llvm qemu-system-x86 qemu-system-arm gdb-multiarch valgrind)
# cambi image: GRUB for UEFI and legacy BIOS, and the UEFI firmware that boots the images.
want+=(grub-efi-amd64-bin grub-pc-bin grub-common ovmf qemu-efi-aarch64)
if [[ "${1:-}" == "--bench" ]]; then want+=(libsodium-dev b3sum pkg-config); fi

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

# Runs a step with its output kept in a log: one line when it succeeds, the
# whole log when it fails.
step() {
  local what=$1
  shift
  local log
  log=$(mktemp)
  printf 'setup: %s… ' "$what" >&2
  if "$@" >"$log" 2>&1; then
    echo "done" >&2
    rm -f "$log"
  else
    local status=$?
    echo "failed (status $status):" >&2
    cat "$log" >&2
    rm -f "$log"
    exit "$status"
  fi
}

apt_install() {
  local sudo=""
  if [[ $(id -u) -ne 0 ]]; then
    if command -v sudo >/dev/null; then sudo="sudo"; else
      echo "setup: need root to install: $*" >&2
      echo "setup: run as root, or: apt-get install $*" >&2
      exit 1
    fi
  fi
  # Refresh the package lists only when they are missing or a day old.
  if [[ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -mtime -1 2>/dev/null | head -1)" ]]; then
    step "refreshing apt's package lists" $sudo apt-get update
  fi
  step "installing $* (apt-get)" $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@"
}

if ((${#missing[@]})); then apt_install "${missing[@]}"; fi

# The sanitizer runtime matches clang's major version (clang 14 on Debian 12, 19 on 13).
major=$(clang --version | sed -n 's/.*clang version \([0-9]*\).*/\1/p' | head -1)
rt="libclang-rt-${major}-dev"
if ! dpkg-query -W -f='${Status}' "$rt" 2>/dev/null | grep -q "install ok installed"; then
  if apt-cache show "$rt" >/dev/null 2>&1; then apt_install "$rt"; fi
fi
# libFuzzer's runtime (npm run fuzz, test/fuzz) comes with it: libclang_rt.fuzzer*.a in
# clang's runtime folder. Where it does not, llvm-defaults' unversioned package may bring it.
if ! compgen -G "$(clang -print-runtime-dir 2>/dev/null)/libclang_rt.fuzzer*.a" >/dev/null; then
  if apt-cache show libclang-rt-dev >/dev/null 2>&1; then apt_install libclang-rt-dev; fi
  compgen -G "$(clang -print-runtime-dir 2>/dev/null)/libclang_rt.fuzzer*.a" >/dev/null ||
    echo "setup: clang ${major} has no libFuzzer runtime (libclang_rt.fuzzer*.a): npm run fuzz and test/fuzz will not build" >&2
fi

# npm packages: install when node_modules is missing or older than the lock file.
if [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
  step "installing npm packages (npm ci)" npm ci --no-audit --no-fund
fi
