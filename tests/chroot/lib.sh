# shellcheck shell=bash
# shellcheck disable=SC2016 # the single-quoted scripts run in the test roots
# Helpers for the chroot tests: a Debian base system from mmdebstrap (cached),
# extracted fresh per scenario, with a policy-rc.d that denies every service
# start as the installer's target has, and /proc, /dev, /sys mounted inside a
# private mount namespace only. Sourced by tests/chroot/run.

: "${STORPKG_CACHE:=${HOME:-/root}/.cache/storpkg}"
SUITE=${SUITE:-bookworm}
PASSED=0
FAILED=0

log() { printf '%s\n' "chroot-test: $*" >&2; }

ok() {
    PASSED=$((PASSED + 1))
    printf 'ok %d - %s\n' "$((PASSED + FAILED))" "$1"
}

not_ok() {
    FAILED=$((FAILED + 1))
    printf 'not ok %d - %s\n' "$((PASSED + FAILED))" "$1"
}

# check NAME COMMAND...: run COMMAND, count it.
check() {
    local name=$1
    shift
    if "$@" >"$WORK/last.log" 2>&1; then
        ok "$name"
    else
        not_ok "$name"
        sed 's/^/    # /' "$WORK/last.log" | tail -n 40
    fi
}

# base_tarball VARIANT: path of a cached mmdebstrap tarball of $SUITE.
base_tarball() {
    local variant=$1 tar="$STORPKG_CACHE/base-$SUITE-$1.tar"
    if [ ! -s "$tar" ]; then
        mkdir -p "$STORPKG_CACHE"
        log "making $tar (mmdebstrap --variant=$variant $SUITE)"
        mmdebstrap --quiet --format=tar --variant="$variant" "$SUITE" "$tar.tmp" "$(scripts/debian-mirror)" >&2
        mv "$tar.tmp" "$tar"
    fi
    printf '%s\n' "$tar"
}

# new_root NAME VARIANT: a fresh root directory from the base tarball.
new_root() {
    local root="$WORK/$1"
    rm -rf "$root"
    mkdir -p "$root"
    tar -C "$root" -xf "$(base_tarball "$2")"
    printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
    chmod 0755 "$root/usr/sbin/policy-rc.d"
    cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
    printf '%s\n' "$root"
}

# in_root ROOT COMMAND...: run COMMAND inside ROOT (sh -c), with /proc,
# /dev and /sys mounted in a private mount namespace.
in_root() {
    local root=$1
    shift
    APT_CACHE="$STORPKG_CACHE/apt-archives" unshare -m -- sh -c '
        set -e
        root=$1; shift
        mount -t proc proc "$root/proc"
        mount --rbind /dev "$root/dev"
        mount --make-rslave "$root/dev"
        mount -t sysfs sysfs "$root/sys"
        if [ -n "${APT_CACHE:-}" ]; then
            mount --bind "$APT_CACHE" "$root/var/cache/apt/archives"
        fi
        exec chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
            DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 sh -c "$*"
    ' sh "$root" "$@"
}

# serve DIR PORT: a static HTTP server on 127.0.0.1 for the test's lifetime.
serve() {
    python3 -m http.server "$2" --bind 127.0.0.1 --directory "$1" >"$WORK/http-$2.log" 2>&1 &
    SERVERS="${SERVERS:-} $!"
    local _
    for _ in $(seq 50); do
        if python3 -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:$2/')" 2>/dev/null; then
            return 0
        fi
        sleep 0.1
    done
    log "HTTP server on 127.0.0.1:$2 did not start"
    return 1
}

# snapshot ROOT: every path with type, mode and owner, and every /etc file's
# checksum, for before/after comparisons (purge must leave nothing).
snapshot() {
    (cd "$1" && find . -xdev \( -path ./proc -o -path ./sys -o -path ./dev -o -path ./run -o -path ./tmp \
        -o -path ./var/cache -o -path ./var/lib/apt/lists -o -path ./var/log -o -path ./var/lib/dpkg \
        -o -path ./var/lib/systemd/deb-systemd-helper-enabled -o -path ./var/lib/ucf -o -path ./var/lib/debconf \) -prune \
        -o -printf '%y %m %u:%g %p\n' | sort)
    (cd "$1" && find ./etc -xdev -type f -exec md5sum {} + | sort -k2)
}

cleanup() {
    local pid
    for pid in ${SERVERS:-}; do kill "$pid" 2>/dev/null || true; done
    [ -n "${KEEP:-}" ] || rm -rf "$WORK"
}
