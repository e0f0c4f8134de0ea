# Shares: the share directories and their links, the NFS exports and the
# libvirt pools (converge), and their status view. A part of the node-side
# command, not a script of its own.

converge_shares() {
    _i=1
    while [ "$_i" -le "$SHARE_COUNT" ]; do
        _path=$(item SHARE "$_i" PATH)
        _on=$(item SHARE "$_i" ON)
        _link=$(item SHARE "$_i" LINK)
        _i=$((_i + 1))
        if ! is_mounted "$_on"; then
            [ "$DRY" = 1 ] || say "share $_path: $_on is not mounted yet: directory not made (never on the root filesystem underneath)"
            continue
        fi
        is_dir "$_path"
        _dr=$?
        if [ "$_dr" = 2 ]; then
            fail "share $_path: its filesystem ($_on) did not answer within $PROBE_LIMIT s (a frozen DRBD device, or OCFS2 recovering): not touched; see '$PROG status'"
            continue
        fi
        if [ "$_dr" = 1 ]; then
            act mkdir -p "$_path" || { fail "mkdir $_path failed"; continue; }
            act chown "$(item SHARE $((_i - 1)) OWNER):$(item SHARE $((_i - 1)) GROUP)" "$_path" || fail "chown of $_path failed"
            act chmod "$(item SHARE $((_i - 1)) MODE)" "$_path" || fail "chmod of $_path failed"
        fi
        [ -n "$_link" ] || continue
        if [ -L "$_link" ]; then
            [ "$(readlink "$_link")" = "$_path" ] ||
                fail "$_link points at $(readlink "$_link"), not $_path: left as it is. Check it and fix it with 'ln -sfn $_path $_link'"
        elif [ -e "$_link" ]; then
            fail "$_link exists and is not a symlink to $_path: left as it is. Move it away and run '$PROG converge' again"
        else
            act ln -s "$_path" "$_link" || fail "ln -s $_path $_link failed"
        fi
    done
}

converge_exports() {
    _want=0
    _missing=0
    _i=1
    while [ "$_i" -le "$SHARE_COUNT" ]; do
        if [ "$(item SHARE "$_i" EXPORTED)" = 1 ]; then
            _want=1
            _p=$(item SHARE "$_i" PATH)
            if ! is_dir "$_p"; then
                # nfs-server requires the mounts of every export path.
                [ "$DRY" = 1 ] || say "exports wait: $_p does not exist yet (its volume is not mounted)"
                [ "$DRY" = 1 ] || WAITING=1
                return 0
            elif ! awk -v p="$_p" '$1 == p { f = 1 } END { exit !f }' /var/lib/nfs/etab 2>/dev/null; then
                _missing=1
            fi
        fi
        _i=$((_i + 1))
    done
    [ "$_want" = 1 ] || return 0
    if [ -d /run/systemd/system ] && ! systemctl -q is-active nfs-server.service; then
        if [ "$FROM_BOOT" = 1 ]; then
            # From the unit: nfs-server's own start job may be queued
            # behind the OCFS2 mounts, which wait for this unit.
            act systemctl start --no-block nfs-server.service || fail "nfs-server could not be queued: see 'systemctl status nfs-server'"
        else
            act systemctl start nfs-server.service || fail "nfs-server did not start: see 'systemctl status nfs-server'"
        fi
        return 0
    fi
    [ "$_missing" = 1 ] || return 0
    act exportfs -ra || fail "exportfs -ra failed: check /etc/exports.d/"
}

converge_libvirt() {
    command -v virsh >/dev/null 2>&1 || return 0
    # From the unit at boot libvirtd waits for the pool mounts, which wait
    # for this unit: virsh would hang. Autostarted pools come up with it.
    if [ "$FROM_BOOT" = 1 ] && ! systemctl -q is-active libvirtd.service virtqemud.service 2>/dev/null; then
        debug "libvirt: not running yet, its autostarted pools come up with it"
        return 0
    fi
    _i=1
    while [ "$_i" -le "$SHARE_COUNT" ]; do
        _pool=$(item SHARE "$_i" POOL)
        _path=$(item SHARE "$_i" PATH)
        _i=$((_i + 1))
        [ -n "$_pool" ] || continue
        [ -d "$_path" ] || continue
        if ! virsh -q pool-info "$_pool" >/dev/null 2>&1; then
            act virsh -q pool-define-as "$_pool" dir --target "$_path" >/dev/null || { fail "virsh pool-define-as $_pool failed"; continue; }
            act virsh -q pool-autostart "$_pool" >/dev/null || fail "virsh pool-autostart $_pool failed"
        fi
        if ! virsh -q pool-info "$_pool" 2>/dev/null | grep -q '^State: *running'; then
            act virsh -q pool-start "$_pool" >/dev/null || fail "virsh pool-start $_pool failed"
        fi
    done
}

# status_shares: every share's directory, link and export (nothing is read
# under a mountpoint of FROZEN_MPS).
status_shares() {
    _i=1
    while [ "$_i" -le "$SHARE_COUNT" ]; do
        _path=$(item SHARE "$_i" PATH)
        _link=$(item SHARE "$_i" LINK)
        _exp=$(item SHARE "$_i" EXPORTED)
        case "$FROZEN_MPS" in
            *" $(item SHARE "$_i" ON) "*)
                _i=$((_i + 1))
                row share "$_path" "not read: I/O frozen"
                continue
                ;;
        esac
        _i=$((_i + 1))
        is_dir "$_path"
        case $? in
            1)
                bad share "$_path" "missing" "run '$PROG converge'"
                continue
                ;;
            2)
                bad share "$_path" "$(unknown)" "its filesystem does not answer (a frozen DRBD device, or OCFS2 recovering): see the drbd and ocfs2 rows"
                continue
                ;;
        esac
        _s="dir ok"
        if [ -n "$_link" ]; then
            if [ "$(readlink "$_link" 2>/dev/null)" = "$_path" ]; then _s="$_s, $_link"; else bad share "$_link" "not a link to $_path" "fix the symlink"; continue; fi
        fi
        if [ "$_exp" = 1 ]; then
            if awk -v p="$_path" '$1 == p { f = 1 } END { exit !f }' /var/lib/nfs/etab 2>/dev/null; then _s="$_s, exported"; else bad share "$_path" "$_s, not exported" "exportfs -ra"; continue; fi
        fi
        row share "$_path" "$_s"
    done
    status_nfsd
}

# status_nfsd: the kernel NFS server runs the profile's thread count
# ([nfs] threads; nfs.conf's [nfsd] threads, read when nfs-server starts).
status_nfsd() {
    [ -n "${NFS_THREADS:-}" ] || return 0
    _n=$(cat /proc/fs/nfsd/threads 2>/dev/null) || _n=""
    if [ -z "$_n" ] || [ "$_n" = 0 ]; then
        bad nfsd threads "not running" "systemctl start nfs-server"
    elif [ "$_n" != "$NFS_THREADS" ]; then
        bad nfsd threads "$_n running, the profile says $NFS_THREADS" "rpc.nfsd $NFS_THREADS"
    else
        row nfsd threads "$_n"
    fi
}
