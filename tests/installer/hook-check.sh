#!/bin/sh
# tests/installer/hook-check.sh: run by the REAL debian-installer from
# preseed/early_command, right after the generated fragment's own early
# command (readback.sh joined the two). Reports that command's exit code and
# every pre-pkgsel hook (mode, size, content) to the second serial port.
#
# Then the negative case: the installer's own preseed loader
# (preseed_location of /lib/preseed/preseed.sh, what network-preseed runs on
# preseed/url and every include) loads broken.cfg, a copy of the fragment
# with one line broken. It must stop there with "Failed to process the
# preconfiguration file" (a critical error waiting for the user: the host
# sees it on the console and stops QEMU). Should the loader accept the file,
# BROKEN-LOAD-RETURNED is reported and the machine powers off.
# Busybox sh, POSIX only.
out=/dev/ttyS1
{
    printf 'EARLY-RC %s\n' "$(cat /tmp/storpkg-early-rc 2>/dev/null || echo missing)"
    for h in /usr/lib/pre-pkgsel.d/*; do
        [ -e "$h" ] || continue
        name=${h##*/}
        # busybox has no stat: the mode as ls shows it
        # shellcheck disable=SC2012
        printf 'HOOK %s %s %s\n' "$name" "$(ls -ld "$h" | cut -c1-10)" "$(wc -c <"$h")"
        while IFS= read -r line; do
            printf 'L %s %s\n' "$name" "$line"
        done <"$h"
    done
    echo STORPKG-READBACK-END
} >"$out" 2>&1

if [ -e /tmp/storpkg-broken-load ]; then
    # As network-preseed.postinst: the debconf module, then the loader.
    # shellcheck source=/dev/null # the installer's own
    . /usr/share/debconf/confmodule
    # shellcheck source=/dev/null # the installer's own
    . /lib/preseed/preseed.sh
    url=$(make_absolute_url broken.cfg "$(cat /var/run/preseed.last_location)")
    echo "BROKEN-LOAD-START $url" >"$out"
    sync
    if (preseed_location "$url"); then rc=0; else rc=$?; fi
    echo "BROKEN-LOAD-RETURNED $rc" >"$out"
fi
sync
sleep 1
poweroff -f
