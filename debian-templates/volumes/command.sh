# Volumes: LVM logical volumes and their ext4 filesystems (converge and
# status). A part of the node-side command, not a script of its own.

# lv_sizes: "name bytes" for every LV of VG (one lvs call).
LV_TABLE=
lv_table() {
    LV_TABLE=$(bounded "$PROBE_LIMIT" lvs --noheadings --nosuffix --units b -o lv_name,lv_size "$VG" 2>/dev/null) || return 1
}
lv_size() {
    printf '%s\n' "$LV_TABLE" | while read -r _n _s; do
        [ "$_n" = "$1" ] && printf '%s' "$_s"
    done
}

# converge_volumes: the LVs, then the ext4 filesystems on them.
converge_volumes() {
    converge_lvm && converge_ext4
}

# --- converge: LVM ----------------------------------------------------------

converge_lvm() {
    if lv_table; then
        :
    elif ! bounded "$PROBE_LIMIT" vgs "$VG" >/dev/null 2>&1; then
        fail "volume group $VG not found on $NODE: the installer should have made it. Check 'vgs' and 'pvs'; create it with 'vgcreate $VG /dev/DISK' and run '$PROG converge' again"
        return 1
    fi
    _i=1
    while [ "$_i" -le "$LV_COUNT" ]; do
        _name=$(item LV "$_i" NAME)
        _bytes=$(item LV "$_i" BYTES)
        _have=$(lv_size "$_name")
        if [ -z "$_have" ]; then
            # --wipesignatures n --zero n: a recreated LV over old extents
            # keeps what it finds, and the mkfs guard below then stops.
            act lvcreate --yes --wipesignatures n --zero n --name "$_name" --size "${_bytes}b" "$VG" >/dev/null ||
                fail "lvcreate of $VG/$_name ($(item LV "$_i" SIZE)) failed: check 'vgs $VG' for free space"
        elif [ "$_have" -ge $((_bytes + 64 * 1024 * 1024)) ]; then
            # (A smaller one grows: volume_grow, in the same converge.)
            warn "$VG/$_name is $_have bytes, the profile says $(item LV "$_i" SIZE) ($_bytes bytes): left as it is (storpkg never shrinks a volume; its data may use the space)"
        fi
        if [ "$DRY" = 0 ] && [ ! -e "$(item LV "$_i" DEVICE)" ]; then
            act lvchange -ay "$VG/$_name" || fail "$VG/$_name is not active and lvchange -ay failed"
        fi
        _i=$((_i + 1))
    done
    if [ "$ACTED" = 1 ] && [ "$DRY" = 0 ]; then
        udevadm settle 2>/dev/null || true
    fi
}

# --- converge: ext4 volumes -------------------------------------------------

converge_ext4() {
    _i=1
    while [ "$_i" -le "$LV_COUNT" ]; do
        _kind=$(item LV "$_i" KIND)
        _mp=$(item LV "$_i" MOUNTPOINT)
        _dev=$(item LV "$_i" DEVICE)
        _i=$((_i + 1))
        case "$_kind" in ext4 | unison) ;; *) continue ;; esac
        [ -n "$_mp" ] || continue
        if is_mounted "$_mp"; then
            continue
        fi
        if [ ! -b "$_dev" ]; then
            [ "$DRY" = 1 ] || fail "$_dev does not exist: $_mp not mounted"
            continue
        fi
        _sig=$(signatures "$_dev")
        case "$_sig" in
            "")
                act mkfs.ext4 -q "$_dev" || { fail "mkfs.ext4 $_dev failed"; continue; }
                ;;
            ext4) ;;
            *)
                fail "$_dev carries '$_sig', not ext4: not formatted, not mounted. Check what it holds ('blkid -p $_dev', 'wipefs -n $_dev'); if it really is unused, clear it yourself ('wipefs -a $_dev') and run '$PROG converge' again"
                continue
                ;;
        esac
        mount_fstab "$_mp"
    done
}

# mount_fstab MOUNTPOINT: mount through the fstab entry the package made.
mount_fstab() {
    if ! bounded "$PROBE_LIMIT" findmnt --fstab -n --mountpoint "$1" >/dev/null 2>&1; then
        fail "no fstab entry for $1: is the node package configured? ('dpkg --configure -a')"
        return 1
    fi
    [ -d "$1" ] || act mkdir -p "$1"
    act mount "$1" || { fail "mount $1 failed: see 'journalctl -k' and 'findmnt --fstab $1'"; return 1; }
    mounts_read
}

# status_volumes: the volume group, every LV's size, every ext4 mount.
status_volumes() {
    bounded "$PROBE_LIMIT" vgs "$VG" >/dev/null 2>&1
    _vrc=$?
    if timed_out "$_vrc"; then
        bad vg "$VG" "$(unknown)" "LVM did not answer (vgs): a device it scans may hang (a frozen DRBD device?); see 'drbdadm status'"
    elif [ "$_vrc" = 0 ]; then
        lv_table
        _i=1
        while [ "$_i" -le "$LV_COUNT" ]; do
            _name=$(item LV "$_i" NAME)
            _have=$(lv_size "$_name")
            _bytes=$(item LV "$_i" BYTES)
            if [ -z "$_have" ]; then
                bad lv "$VG/$_name" "missing" "run '$PROG converge'"
            elif [ "$_have" -lt "$_bytes" ]; then
                bad lv "$VG/$_name" "$_have bytes, profile $(item LV "$_i" SIZE)" "smaller than the profile: run '$PROG converge' (it grows LVs, never shrinks them)"
            elif [ "$_have" -ge $((_bytes + 64 * 1024 * 1024)) ]; then
                row lv "$VG/$_name" "$_have bytes, larger than the profile's $(item LV "$_i" SIZE): kept (storpkg never shrinks a volume)"
            else
                row lv "$VG/$_name" "$(item LV "$_i" SIZE) ok"
            fi
            _i=$((_i + 1))
        done
    else
        bad vg "$VG" "missing" "create it (vgcreate)"
    fi
    _i=1
    while [ "$_i" -le "$LV_COUNT" ]; do
        _mp=$(item LV "$_i" MOUNTPOINT)
        _i=$((_i + 1))
        [ -n "$_mp" ] || continue
        if is_mounted "$_mp"; then row ext4 "$_mp" "mounted"; else bad ext4 "$_mp" "not mounted" "run '$PROG converge'"; fi
    done
}
