#!/bin/sh
# tests/installer/readback.sh: run by the REAL debian-installer as the test
# preseed's `preseed/run` script (network-preseed, right after the preseed
# file and its includes were loaded, before preseed/early_command runs).
# Busybox sh inside the installer, POSIX only.
#
#  - reads back every question listed in questions.txt (the generated
#    fragment's) and canary.txt (a deliberately mangled copy) with the
#    installer's own debconf-get, with its seen flag (db_fget);
#  - lists /usr/lib/pre-pkgsel.d as the installer ships it (before the
#    fragment's early_command ran);
#  - fetches, with the installer's fetch-url, what apt-setup would fetch from
#    the site repository the fragment names (the key, Release, Packages);
#  - wraps preseed/early_command as "(FRAGMENT'S COMMAND); rc; hook-check",
#    so the installer runs the fragment's own command exactly as loaded and
#    then hook-check.sh, which reports the hook, makes the installer's
#    loader meet broken.cfg (when served) and powers off.
# Everything goes to the second serial port; the host (tests/installer/run)
# judges it. Note: the debconf protocol runs on stdin/stdout of this script
# (confmodule), so files are read on descriptor 7, never on stdin.
out=/dev/ttyS1
# shellcheck source=/dev/null # the installer's own
. /usr/share/debconf/confmodule

preseed_fetch questions.txt /tmp/storpkg-questions
preseed_fetch canary.txt /tmp/storpkg-canary
preseed_fetch hook-check.sh /tmp/storpkg-hook-check
# The negative case of hook-check.sh runs when there is a broken.cfg to load.
if preseed_fetch broken.cfg /tmp/storpkg-broken.cfg 2>/dev/null; then
    touch /tmp/storpkg-broken-load
fi

# readback TAG FILE: one "TAG question rc seen value" line per question.
readback() {
    while IFS= read -r q <&7; do
        [ -n "$q" ] || continue
        if v=$(debconf-get "$q"); then rc=0; else rc=$?; fi
        if db_fget "$q" seen; then seen=$RET; else seen=unknown; fi
        printf '%s %s %s %s %s\n' "$1" "$q" "$rc" "$seen" "$v"
    done 7<"$2"
}

# fetch WHAT URL: what the installer's fetch-url got from URL.
fetch() {
    rm -f /tmp/storpkg-fetched
    if fetch-url "$2" /tmp/storpkg-fetched 2>/dev/null; then rc=0; else rc=$?; fi
    printf 'F %s %s %s %s\n' "$1" "$rc" "$(wc -c </tmp/storpkg-fetched 2>/dev/null || echo 0)" "$2"
    [ "$rc" = 0 ] || return 0
    case $1 in
    key) printf 'FKEY %s\n' "$(sed -n 1p /tmp/storpkg-fetched)" ;;
    release) sed -n -e 's/^Suite: /FREL Suite /p' -e 's/^Codename: /FREL Codename /p' \
        -e 's/^Components: /FREL Components /p' /tmp/storpkg-fetched ;;
    packages) sed -n 's/^Package: /FPKG /p' /tmp/storpkg-fetched ;;
    esac
}

{
    echo STORPKG-READBACK-BEGIN
    readback Q /tmp/storpkg-questions
    readback C /tmp/storpkg-canary
    for h in /usr/lib/pre-pkgsel.d/*; do
        [ -e "$h" ] && printf 'PRE %s\n' "${h##*/}"
    done
    while IFS= read -r q <&7; do
        case $q in
        apt-setup/local*/repository)
            db_get "$q"
            # "URL SUITE COMPONENT", as apt-setup's local repositories take it.
            # shellcheck disable=SC2086 # split into its words on purpose
            set -- $RET
            fetch release "$1/dists/$2/Release"
            fetch packages "$1/dists/$2/$3/binary-amd64/Packages"
            ;;
        apt-setup/local*/key)
            db_get "$q"
            fetch key "$RET"
            ;;
        esac
    done 7</tmp/storpkg-questions
    db_get preseed/early_command
    orig=$RET
    db_set preseed/early_command "(${orig:-false}); echo \$? >/tmp/storpkg-early-rc; sh /tmp/storpkg-hook-check"
    echo READBACK-DONE
} >"$out" 2>&1
exit 0
