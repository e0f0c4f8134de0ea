# OCFS2: the o2cb cluster and the OCFS2 filesystems on DRBD devices,
# mounted only on a Primary with an UpToDate disk (converge and status). A
# part of the node-side command, not a script of its own.

o2cb_online() {
    [ -n "$OCFS2_CLUSTER" ] && [ -d "${CONFIGFS_CLUSTER:-/sys/kernel/config/cluster}/$OCFS2_CLUSTER/node/$NODE" ]
}

# mounted_on MOUNTPOINT: prints the device mounted there (nothing if none).
mounted_on() {
    bounded "$PROBE_LIMIT" findmnt -n -o SOURCE --mountpoint "$1" 2>/dev/null | head -n 1
}

# converge_ocfs2: the o2cb cluster online, then every OCFS2 filesystem.
converge_ocfs2() {
    [ "$OCFS2_COUNT" -gt 0 ] || return 0
    converge_o2cb
    _i=1
    while [ "$_i" -le "$OCFS2_COUNT" ]; do
        ocfs2_fs "$_i"
        _i=$((_i + 1))
    done
}

converge_o2cb() {
    [ "$OCFS2_COUNT" -gt 0 ] || return 0
    o2cb_online && return 0
    # o2cb.service may be active from a boot when O2CB_ENABLED was still
    # false (the package set it later): restart it, nothing is on it yet.
    if [ -d /run/systemd/system ]; then
        act systemctl restart o2cb.service || true
    else
        act /etc/init.d/o2cb start || true
    fi
    [ "$DRY" = 1 ] && return 0
    o2cb_online || {
        fail "the o2cb cluster $OCFS2_CLUSTER is not online with node $NODE: check /etc/default/o2cb (O2CB_ENABLED=true, O2CB_BOOTCLUSTER=$OCFS2_CLUSTER), /etc/ocfs2/cluster.conf and 'systemctl status o2cb'; then run '$PROG converge' again"
        return 1
    }
}

ocfs2_fs() {
    _dev=$(item OCFS2 "$1" DEVICE)
    _mp=$(item OCFS2 "$1" MOUNTPOINT)
    _res=$(item OCFS2 "$1" RESOURCE)
    is_mounted "$_mp" && return 0
    o2cb_online || { [ "$DRY" = 1 ] || fail "$_mp not mounted: the o2cb cluster is not online"; return 1; }
    _minor=${_dev#/dev/drbd}
    drbd_read "$_minor"
    # Primary on an UpToDate disk only (a node that became a sync target
    # while it was being promoted waits for its sync).
    case "$RO $DS" in
        "Primary/"*" UpToDate/"*) ;;
        *)
            [ "$DRY" = 1 ] || say "$_mp not mounted yet: DRBD $_res is $CS $RO $DS (OCFS2 is mounted once it is Primary on an UpToDate disk)"
            [ "$DRY" = 1 ] || WAITING=1
            return 0
            ;;
    esac
    bounded "$PROBE_LIMIT" blockdev --flushbufs "$_dev" 2>/dev/null || true
    _sig=$(signatures "$_dev")
    _label=$(item OCFS2 "$1" LABEL)
    _init=$(item OCFS2 "$1" INITIALISER)
    if [ -z "$_sig" ] && [ "$_init" = 1 ]; then
        # Made under a label of its own and given its real one once
        # mkfs.ocfs2 has finished: the superblock (the signature) is written
        # long before the slot map and the journals, and a peer that
        # mounted on the signature alone would mount a filesystem still
        # being made ("Slot map file is too small", or worse).
        act mkfs.ocfs2 -q -T "$(item OCFS2 "$1" MODE)" \
            --fs-feature-level="$(item OCFS2 "$1" FEATURE_LEVEL)" \
            -N "$(item OCFS2 "$1" SLOTS)" -L "$OCFS2_MKFS_LABEL" "$_dev" </dev/null ||
            { fail "mkfs.ocfs2 on $_dev failed: see the message above"; return 1; }
        act tunefs.ocfs2 -L "$_label" "$_dev" </dev/null ||
            { fail "tunefs.ocfs2 -L $_label $_dev failed: see the message above; the filesystem is complete but not labelled, so neither node mounts it: run 'tunefs.ocfs2 -L $_label $_dev', then '$PROG converge'"; return 1; }
        _sig=ocfs2
    elif [ -z "$_sig" ] || { [ "$_sig" = ocfs2 ] && [ "$(fs_label "$_dev")" = "$OCFS2_MKFS_LABEL" ] && [ "$_init" != 1 ]; }; then
        say "$_dev: waiting up to $DRBD_PEER_WAIT s for $(item OCFS2 "$1" PEER) to make the OCFS2 filesystem"
        _t=0
        while [ "$_t" -lt $((DRBD_PEER_WAIT * 2)) ]; do
            sleep 0.5
            bounded "$PROBE_LIMIT" blockdev --flushbufs "$_dev" 2>/dev/null || true
            _sig=$(signatures "$_dev")
            [ -n "$_sig" ] && { [ "$_sig" != ocfs2 ] || [ "$(fs_label "$_dev")" != "$OCFS2_MKFS_LABEL" ]; } && break
            _t=$((_t + 1))
        done
        if [ -z "$_sig" ] || { [ "$_sig" = ocfs2 ] && [ "$(fs_label "$_dev")" = "$OCFS2_MKFS_LABEL" ]; }; then
            say "$_dev: $(item OCFS2 "$1" PEER) has not finished making the OCFS2 filesystem: converge again once it has run its converge"
            WAITING=1
            return 0
        fi
    fi
    case "$_sig" in
        ocfs2)
            if [ "$(fs_label "$_dev")" = "$OCFS2_MKFS_LABEL" ]; then
                # Only the initialiser gets here: its own mkfs.ocfs2 was cut
                # short (the label is given once it has finished), so the
                # filesystem was never mounted and holds nothing.
                fail "$_dev: an OCFS2 filesystem whose making never finished (label '$OCFS2_MKFS_LABEL'; it was never mounted, so it holds nothing). Check 'blkid -p $_dev' on both nodes; then clear it ('wipefs -a $_dev') and run '$PROG converge' again to make it anew"
                return 1
            fi
            mount_fstab "$_mp"
            ;;
        *)
            fail "$_dev carries '$_sig', not ocfs2: not formatted, not mounted. Check 'blkid -p $_dev' on both nodes; storpkg never formats a device that holds a signature"
            return 1
            ;;
    esac
}

# fs_label DEVICE: the filesystem label, read from the device itself.
fs_label() {
    blkid -p -o value -s LABEL "$1" 2>/dev/null
}

# The label an OCFS2 filesystem has while mkfs.ocfs2 makes it (":" is in
# no filesystem name of a profile).
OCFS2_MKFS_LABEL=storpkg:mkfs

# status_ocfs2: the o2cb cluster and every OCFS2 mount. FROZEN_MPS lists
# the mountpoints on a resource of FROZEN_RES: status_shares reads nothing
# under them.
FROZEN_MPS=' '
status_ocfs2() {
    if [ "$OCFS2_COUNT" -gt 0 ]; then
        if o2cb_online; then row o2cb "$OCFS2_CLUSTER" "online"; else bad o2cb "$OCFS2_CLUSTER" "offline" "systemctl start o2cb"; fi
    fi
    _i=1
    # Nothing below reads a filesystem whose DRBD I/O is frozen (it would
    # hang until the I/O resumes).
    FROZEN_MPS=' '
    while [ "$_i" -le "$OCFS2_COUNT" ]; do
        _mp=$(item OCFS2 "$_i" MOUNTPOINT)
        _res=$(item OCFS2 "$_i" RESOURCE)
        _i=$((_i + 1))
        case "$FROZEN_RES" in
            *" $_res "*)
                FROZEN_MPS="$FROZEN_MPS$_mp "
                ROW_EXTRA=",\"resource\":$(json_str "$_res"),\"mounted\":$(is_mounted "$_mp" && echo true || echo false),\"frozen\":true"
                if is_mounted "$_mp"; then bad ocfs2 "$_mp" "mounted, I/O frozen ($_res): not read" "see the drbd row of $_res"; else bad ocfs2 "$_mp" "not mounted" "once $_res runs again, '$PROG converge'"; fi
                continue
                ;;
        esac
        ROW_EXTRA=",\"resource\":$(json_str "$_res"),\"mounted\":$(is_mounted "$_mp" && echo true || echo false)"
        if is_mounted "$_mp"; then
            _src=$(mounted_on "$_mp")
            row ocfs2 "$_mp" "mounted (${_src:-$(unknown)})"
        else
            _why="run '$PROG converge'"
            drbd_read "$(item OCFS2 "$((_i - 1))" DEVICE | sed 's/^[^0-9]*//')"
            case "$RO $DS" in
                "Primary/"*" UpToDate/"*) ;;
                *) _why="DRBD $_res is $CS $RO $DS: it is mounted once $_res is Primary on an UpToDate disk (converge does it)" ;;
            esac
            bad ocfs2 "$_mp" "not mounted" "$_why"
        fi
    done
}
