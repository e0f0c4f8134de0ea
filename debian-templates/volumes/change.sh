# Volumes after day one: grown LVs (lvextend; ext4 grown online with
# resize2fs), changed mount options (remount, or pending when the
# journalling mode changes), and the status view of both, with the LVs of
# the volume group that the profile no longer names (their data stays). A
# part of the node-side command, not a script of its own.

# converge_volumes_change: after converge_volumes.
converge_volumes_change() {
    lv_table || return 0
    _i=1
    while [ "$_i" -le "$LV_COUNT" ]; do
        volume_grow "$_i"
        volume_remount "$_i"
        _i=$((_i + 1))
    done
}

# volume_grow I: an LV smaller than the profile grows (never shrinks).
volume_grow() {
    _name=$(item LV "$1" NAME)
    _have=$(lv_size "$_name")
    _bytes=$(item LV "$1" BYTES)
    if [ -z "$_have" ] || [ "$_have" -ge "$_bytes" ]; then return 0; fi
    act lvextend --size "${_bytes}b" "$VG/$_name" >/dev/null || { fail "lvextend of $VG/$_name to $(item LV "$1" SIZE) failed: check 'vgs $VG' for free space"; return 1; }
    _mp=$(item LV "$1" MOUNTPOINT)
    if [ -n "$_mp" ] && is_mounted "$_mp"; then
        act resize2fs "$(item LV "$1" DEVICE)" >/dev/null || fail "resize2fs $(item LV "$1" DEVICE) failed: run it by hand (ext4 grows while mounted)"
    fi
}

# mount_options_differ MOUNTPOINT WANTED: the wanted options (comma list)
# that the mount does not show ('findmnt -o OPTIONS'); defaults-like
# words and nodiratime under noatime are not shown by the kernel.
mount_options_missing() {
    _have=",$(findmnt -n -o OPTIONS --mountpoint "$1" 2>/dev/null | head -n 1),"
    printf '%s\n' "$2" | tr ',' '\n' | while read -r _o; do
        case "$_o" in
            "" | defaults | _netdev | nofail | auto | noauto | x-systemd.* | user | nouser) continue ;;
            nodiratime) case "$_have" in *,noatime,*) continue ;; esac ;;
        esac
        case "$_have" in *",$_o,"*) ;; *) printf '%s ' "$_o" ;; esac
    done
}

# volume_remount I: new mount options of a mounted volume.
volume_remount() {
    _mp=$(item LV "$1" MOUNTPOINT)
    if [ -z "$_mp" ] || ! is_mounted "$_mp"; then return 0; fi
    remount_or_pending "$_mp" "$(item LV "$1" OPTIONS)"
}

# remount_or_pending MOUNTPOINT OPTIONS: the options converge last saw
# for MOUNTPOINT are kept in STATE_DIR (first sight: recorded, nothing
# done; what the kernel prints of them varies by filesystem). New ones are
# applied with a remount; a new journalling mode (data=, heartbeat=), or
# an option dropped without a new value (a remount keeps what it is not
# given: commit=30 stays), only by a new mount: pending for apply.
# mount_fixed_opts OPTIONS: the options a remount cannot change.
mount_fixed_opts() { printf '%s\n' "$1" | tr ',' '\n' | grep -E '^(data|heartbeat)=' | sort | tr '\n' ' '; }
# mount_opts_dropped OLD NEW: the words of OLD whose key (before =) NEW
# does not name.
mount_opts_dropped() {
    for _w in $(printf '%s' "$1" | tr ',' ' '); do
        case ",$2," in *",${_w%%=*},"* | *",${_w%%=*}="*) ;; *) printf '%s ' "$_w" ;; esac
    done
}
mount_opts_file() { printf '%s/mount-options%s' "$STATE_DIR" "$(printf '%s' "$1" | tr '/' '_')"; }
remount_or_pending() {
    _key=remount-$(printf '%s' "$1" | tr '/' '_')
    _rec=$(mount_opts_file "$1")
    if [ ! -e "$_rec" ]; then
        [ "$DRY" = 1 ] || printf '%s\n' "$2" >"$_rec"
        return 0
    fi
    _old=$(cat "$_rec")
    if [ "$_old" = "$2" ]; then
        pending_clear "$_key"
        return 0
    fi
    if [ "$(mount_fixed_opts "$_old")" != "$(mount_fixed_opts "$2")" ]; then
        pending_set "$_key" "$1: mount options $_old -> $2 need a new mount (the journalling mode does not change on remount): run '$PROG apply'"
        return 0
    fi
    _gone=$(mount_opts_dropped "$_old" "$2")
    if [ -n "$_gone" ]; then
        pending_set "$_key" "$1: mount options $_old -> $2 need a new mount (a remount keeps ${_gone% } in effect): run '$PROG apply'"
        return 0
    fi
    if act mount -o "remount,$2" "$1"; then
        [ "$DRY" = 1 ] || printf '%s\n' "$2" >"$_rec"
    else
        fail "mount -o remount,$2 $1 failed: see 'dmesg'"
    fi
}

# status_volumes_change: mount options against the profile, and the LVs
# of VG that the profile does not name.
status_volumes_change() {
    _i=1
    while [ "$_i" -le "$LV_COUNT" ]; do
        _mp=$(item LV "$_i" MOUNTPOINT)
        _opts=$(item LV "$_i" OPTIONS)
        _i=$((_i + 1))
        if [ -z "$_mp" ] || ! is_mounted "$_mp"; then continue; fi
        _miss=$(mount_options_missing "$_mp" "$_opts")
        [ -z "$_miss" ] || bad mount "$_mp" "without $_miss" "run '$PROG converge' (remount) or '$PROG apply'"
    done
    lv_table || return 0
    printf '%s\n' "$LV_TABLE" | while read -r _n _s; do
        [ -n "$_n" ] || continue
        _j=1 _known=0
        while [ "$_j" -le "$LV_COUNT" ]; do
            [ "$(item LV "$_j" NAME)" = "$_n" ] && _known=1
            _j=$((_j + 1))
        done
        [ "$_known" = 1 ] || row kept "$VG/$_n" "not in the profile: its data stays (lvremove by hand once unwanted)"
    done
}
