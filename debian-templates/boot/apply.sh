# Pending steps and `apply`: what the upgrade leaves for the admin (window
# steps: services stop, filesystems unmount) is a file in STATE_DIR/pending
# whose text says what to run; status lists them and exits 1. `apply`
# carries them out on this node, in order, each refusing while the peer is
# not ready for it. A part of the node-side command, not a script of its own.

# pending_set KEY TEXT / pending_clear KEY
pending_set() {
    [ "$DRY" = 1 ] && { printf '%s: pending: %s\n' "$PROG" "$2" >&2; return 0; }
    mkdir -p "$STATE_DIR/pending"
    if [ "$(cat "$STATE_DIR/pending/$1" 2>/dev/null)" != "$2" ]; then
        printf '%s\n' "$2" >"$STATE_DIR/pending/$1"
        warn "$2"
    fi
}
pending_clear() {
    [ "$DRY" = 1 ] || rm -f "$STATE_DIR/pending/$1"
}

# apply: the window steps of this node, in order: the o2cb cluster (which
# also remounts every OCFS2 filesystem, so a pending remount of one is
# done by it), then the remounts, then the guided DRBD resizes (printed).
apply() {
    if [ "$(id -u)" != 0 ]; then
        printf '%s: apply needs root\n' "$PROG" >&2
        exit 1
    fi
    if [ "$DRY" = 0 ]; then
        exec 9>"/run/$PROG.lock"
        flock -w 900 9 || { printf '%s: a converge is still running\n' "$PROG" >&2; exit 1; }
    fi
    mounts_read
    apply_ocfs2
    [ "$FAILED" = 1 ] && exit 1
    apply_remounts
    apply_drbd_resize
    if [ "$FAILED" = 1 ]; then
        exit 1
    fi
    _left=0
    for _f in "$STATE_DIR"/pending/*; do [ -e "$_f" ] && _left=1; done
    # What waited on the window (the shares and exports of a filesystem
    # that was not mounted, ...): a converge, as an upgrade runs one (in a
    # subshell, which takes the lock itself: released here first).
    [ "$DRY" = 1 ] || exec 9>&-
    MOUNTS=
    _rc=0
    (converge) || _rc=$?
    if [ "$_left" = 1 ]; then
        say "apply on $NODE: done; what is still pending is listed by '$PROG status'"
        exit 3
    fi
    [ "$_rc" = 0 ] || exit "$_rc"
    say "apply on $NODE: nothing pending"
}

# apply_remounts: a new mount for each pending remount (ext4 or OCFS2).
apply_remounts() {
    for _f in "$STATE_DIR"/pending/remount-*; do
        [ -e "$_f" ] || continue
        _mp=$(printf '%s' "${_f##*/remount-}" | tr '_' '/')
        is_mounted "$_mp" || { pending_clear "${_f##*/}"; continue; }
        act umount "$_mp" || { fail "apply: $_mp is busy ('fuser -vm $_mp'): stop what uses it, then run '$PROG apply' again"; continue; }
        mounts_read
        if mount_fstab "$_mp"; then
            pending_clear "${_f##*/}"
            # The options the new mount has: the profile's (converge compares with them).
            rm -f "$(mount_opts_file "$_mp")"
        fi
    done
}

# apply_drbd_resize: guided, never run: DRBD 8.4 resizes a dual-primary
# resource only with one Primary, which means unmounting on the peer.
apply_drbd_resize() {
    for _f in "$STATE_DIR"/pending/drbd-resize-*; do
        [ -e "$_f" ] || continue
        _r=${_f##*/drbd-resize-}
        _dev=$(drbdadm sh-dev "$_r" 2>/dev/null || echo "/dev/drbdN")
        say "apply: DRBD $_r is left to you (one Primary while it resizes); once both legs are grown:"
        say "  1. on $PEERS: stop what uses the filesystem on $_dev, umount it, 'drbdadm secondary $_r'"
        say "  2. on $NODE: 'drbdadm resize $_r', then 'tunefs.ocfs2 -S $_dev' (OCFS2 grows mounted)"
        say "  3. on $PEERS: 'drbdadm primary $_r' and '$PROG converge' (it mounts again)"
    done
}
