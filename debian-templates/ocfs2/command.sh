# OCFS2: the o2cb cluster and the OCFS2 filesystems on DRBD devices,
# mounted only on a Primary with an UpToDate disk (converge and status). A
# part of the node-side command, not a script of its own.

o2cb_online() {
    [ -n "$OCFS2_CLUSTER" ] && [ -d "${CONFIGFS_CLUSTER:-/sys/kernel/config/cluster}/$OCFS2_CLUSTER/node/$NODE" ]
}

# mounted_on MOUNTPOINT: prints the device mounted there (nothing if none).
mounted_on() {
    findmnt -n -o SOURCE --mountpoint "$1" 2>/dev/null | head -n 1
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
    blockdev --flushbufs "$_dev" 2>/dev/null || true
    _sig=$(signatures "$_dev")
    if [ -z "$_sig" ] && [ "$DRBD_INITIALISER" = 1 ]; then
        act mkfs.ocfs2 -q -T "$(item OCFS2 "$1" MODE)" \
            --fs-feature-level="$(item OCFS2 "$1" FEATURE_LEVEL)" \
            -N "$(item OCFS2 "$1" SLOTS)" -L "$(item OCFS2 "$1" LABEL)" "$_dev" </dev/null ||
            { fail "mkfs.ocfs2 on $_dev failed: see the message above"; return 1; }
        _sig=ocfs2
    elif [ -z "$_sig" ]; then
        say "$_dev: waiting up to $DRBD_PEER_WAIT s for $(item OCFS2 "$1" PEER) to make the OCFS2 filesystem"
        _t=0
        while [ "$_t" -lt $((DRBD_PEER_WAIT * 2)) ]; do
            sleep 0.5
            blockdev --flushbufs "$_dev" 2>/dev/null || true
            _sig=$(signatures "$_dev")
            [ -n "$_sig" ] && break
            _t=$((_t + 1))
        done
        if [ -z "$_sig" ]; then
            say "$_dev: still no filesystem from $(item OCFS2 "$1" PEER): converge again once it has run its converge"
            WAITING=1
            return 0
        fi
    fi
    case "$_sig" in
        ocfs2) mount_fstab "$_mp" ;;
        *)
            fail "$_dev carries '$_sig', not ocfs2: not formatted, not mounted. Check 'blkid -p $_dev' on both nodes; storpkg never formats a device that holds a signature"
            return 1
            ;;
    esac
}

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
                if is_mounted "$_mp"; then row ocfs2 "$_mp" "mounted, I/O frozen ($_res)"; else bad ocfs2 "$_mp" "not mounted" "once $_res runs again, '$PROG converge'"; fi
                continue
                ;;
        esac
        if is_mounted "$_mp"; then row ocfs2 "$_mp" "mounted ($(mounted_on "$_mp"))"; else bad ocfs2 "$_mp" "not mounted" "run '$PROG converge'"; fi
    done
}
