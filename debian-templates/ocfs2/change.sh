# OCFS2 after day one: the o2cb cluster as it runs (configfs) against the
# profile, and the window step that changes it (`apply`). o2cb reads node
# addresses, the port and the timeouts only when it goes online, and cannot
# go offline while a filesystem is mounted: converge changes it only when
# nothing is mounted here; otherwise the step is pending until the admin
# runs 'SITE-storage apply' on each node. A part of the node-side command,
# not a script of its own.

CONFIGFS_CLUSTER=/sys/kernel/config/cluster
O2CB_CONF=/etc/ocfs2/cluster.conf
# Seconds the first node's apply waits for the peer's.
APPLY_WAIT=${STORPKG_APPLY_WAIT:-900}

# o2cb_drift: one line per setting where the running cluster differs from
# the profile; nothing when they agree or the cluster is offline.
o2cb_drift() {
    _c="$CONFIGFS_CLUSTER/$OCFS2_CLUSTER"
    [ -d "$_c/node" ] || return 0
    for _kv in "idle_timeout_ms:${O2CB_IDLE_MS:-}" "keepalive_delay_ms:${O2CB_KEEPALIVE_MS:-}" \
        "reconnect_delay_ms:${O2CB_RECONNECT_MS:-}" "heartbeat/dead_threshold:${O2CB_THRESHOLD:-}"; do
        _k=${_kv%%:*} _w=${_kv#*:}
        if [ -z "$_w" ] || [ ! -e "$_c/$_k" ]; then continue; fi
        _h=$(cat "$_c/$_k" 2>/dev/null)
        [ "$_h" = "$_w" ] || printf '%s %s (profile %s)\n' "${_k#heartbeat/}" "$_h" "$_w"
    done
    _j=1
    while [ "$_j" -le "${O2CB_NODE_COUNT:-0}" ]; do
        _n=$(item O2CB_NODE "$_j" NAME)
        _want="$(item O2CB_NODE "$_j" ADDRESS):$O2CB_PORT #$(item O2CB_NODE "$_j" NUMBER)"
        _j=$((_j + 1))
        _d="$_c/node/$_n"
        if [ -d "$_d" ]; then
            _have="$(cat "$_d/ipv4_address" 2>/dev/null):$(cat "$_d/ipv4_port" 2>/dev/null) #$(cat "$_d/num" 2>/dev/null)"
        else
            _have=none
        fi
        [ "$_have" = "$_want" ] || printf 'node %s %s (profile %s)\n' "$_n" "$_have" "$_want"
    done
}

# The token of the cluster configuration (the same on both nodes once
# both run the same version), left on every mounted OCFS2 filesystem for
# the peer's apply.
o2cb_token() {
    md5sum <"$O2CB_CONF" 2>/dev/null | cut -d' ' -f1
}
ocfs2_any_mounted() {
    _j=1
    while [ "$_j" -le "$OCFS2_COUNT" ]; do
        is_mounted "$(item OCFS2 "$_j" MOUNTPOINT)" && return 0
        _j=$((_j + 1))
    done
    return 1
}
o2cb_mark_token() {
    _j=1
    while [ "$_j" -le "$OCFS2_COUNT" ]; do
        _mp=$(item OCFS2 "$_j" MOUNTPOINT)
        _j=$((_j + 1))
        is_mounted "$_mp" || continue
        mkdir -p "$_mp/.$PROG" && printf '%s\n' "$(o2cb_token)" >"$_mp/.$PROG/o2cb.$NODE"
    done
}
# o2cb_peer_token PEER: the token PEER left (on any mounted filesystem).
o2cb_peer_token() {
    _j=1
    while [ "$_j" -le "$OCFS2_COUNT" ]; do
        _f="$(item OCFS2 "$_j" MOUNTPOINT)/.$PROG/o2cb.$1"
        _j=$((_j + 1))
        [ -r "$_f" ] && { cat "$_f"; return 0; }
    done
}

# converge_o2cb_change: after converge_ocfs2. Nothing mounted: o2cb is
# restarted on the new settings (nothing is interrupted); else pending.
converge_o2cb_change() {
    [ "$OCFS2_COUNT" -gt 0 ] || return 0
    o2cb_online || return 0
    _drift=$(o2cb_drift)
    if [ -z "$_drift" ]; then
        pending_clear o2cb
        return 0
    fi
    if ! ocfs2_any_mounted; then
        say "o2cb runs other settings than the profile ($(printf '%s' "$_drift" | tr '\n' ';')) and nothing is mounted: restarting it"
        o2cb_restart
        return 0
    fi
    [ "$DRY" = 1 ] || o2cb_mark_token
    pending_set o2cb "o2cb runs $(printf '%s' "$_drift" | tr '\n' ';' | sed 's/;$//'): a window (OCFS2 unmounted here): run '$PROG apply' here and on $PEERS"
}

o2cb_restart() {
    if [ -d /run/systemd/system ]; then
        act systemctl restart o2cb.service
    else
        act /etc/init.d/o2cb restart
    fi
}

# status_o2cb_change: the running cluster against the profile.
status_o2cb_change() {
    if [ "$OCFS2_COUNT" = 0 ] || ! o2cb_online; then return 0; fi
    _drift=$(o2cb_drift)
    if [ -z "$_drift" ]; then
        row o2cb "$OCFS2_CLUSTER settings" "as in the profile"
    else
        bad o2cb "$OCFS2_CLUSTER settings" "$(printf '%s' "$_drift" | tr '\n' ';' | sed 's/;$//')" "run '$PROG apply' here and on $PEERS (a window: OCFS2 is unmounted meanwhile)"
    fi
}

# ocfs2_mounting_peers: the peers (once each, space-separated) that have
# an OCFS2 filesystem of this node mounted.
ocfs2_mounting_peers() {
    _mps=''
    _j=1
    while [ "$_j" -le "$OCFS2_COUNT" ]; do
        _p=$(item OCFS2 "$_j" PEER)
        _j=$((_j + 1))
        case " $_mps " in *" $_p "*) continue ;; esac
        if [ -n "$_p" ] && mounted.ocfs2 -f "$(item OCFS2 "$((_j - 1))" DEVICE)" 2>/dev/null | tail -n +2 | grep -qw "$_p"; then
            _mps="${_mps:+$_mps }$_p"
        fi
    done
    printf '%s' "$_mps"
}

# ocfs2_peer_mounted: the peer has an OCFS2 filesystem of this node mounted
# (read from the disk's slot map by mounted.ocfs2, as o2cb knows it).
ocfs2_peer_mounted() {
    _j=1
    while [ "$_j" -le "$OCFS2_COUNT" ]; do
        _p=$(item OCFS2 "$_j" PEER)
        if [ -n "$_p" ] && mounted.ocfs2 -f "$(item OCFS2 "$_j" DEVICE)" 2>/dev/null | tail -n +2 | grep -qw "$_p"; then
            return 0
        fi
        _j=$((_j + 1))
    done
    return 1
}

# apply_ocfs2: the o2cb window on this node. Refused while the peer runs
# another cluster configuration and still mounts (its package not yet
# upgraded). The first node to apply waits, unmounted, until the peer's
# apply has unmounted it there, then mounts; the second goes straight on.
apply_ocfs2() {
    [ -e "$STATE_DIR/pending/o2cb" ] || return 0
    _first=0
    _tok=$(o2cb_token)
    if [ -z "$_tok" ]; then
        fail "apply: $O2CB_CONF cannot be read: is the node package configured? ('dpkg --configure -a')"
        return 1
    fi
    # Every peer that mounts a filesystem of this node (a node of several
    # pairs has several) must have announced the new configuration.
    _peer=$(ocfs2_mounting_peers)
    for _p in $_peer; do
        if [ "$(o2cb_peer_token "$_p")" != "$_tok" ]; then
            fail "apply: $_p mounts OCFS2 and has not announced the new cluster configuration: upgrade its package first (apt-get upgrade on $_p), then run '$PROG apply' here again. Nothing was stopped"
            return 1
        fi
        _first=1
    done
    # o2cb cannot go offline under a filesystem that left the profile.
    for _mp in $(findmnt -n -t ocfs2 -o TARGET 2>/dev/null); do
        if ! apply_on_ocfs2 "$_mp"; then
            fail "apply: $_mp is an OCFS2 filesystem that is no longer in the profile, and o2cb cannot go offline under it: unmount it yourself ('umount $_mp'; its data stays), then run '$PROG apply' again. Nothing was stopped"
            return 1
        fi
    done
    say "apply: the o2cb window on $NODE: exports, pools, unmount, o2cb restart, mount"
    apply_stop_users
    # What this apply unmounts, it mounts again (a filesystem new in the
    # profile, not mounted yet, is converge's).
    APPLY_UNMOUNTED=''
    _j=1
    while [ "$_j" -le "$OCFS2_COUNT" ]; do
        _mp=$(item OCFS2 "$_j" MOUNTPOINT)
        _j=$((_j + 1))
        is_mounted "$_mp" || continue
        APPLY_UNMOUNTED="$APPLY_UNMOUNTED $_mp"
        if ! act umount "$_mp"; then
            fail "apply: $_mp is busy ('fuser -vm $_mp' shows who uses it): stop that, then run '$PROG apply' again. Mounting back what was unmounted"
            apply_mount_all
            return 1
        fi
    done
    mounts_read
    o2cb_restart || { fail "apply: o2cb did not restart: 'systemctl status o2cb'; then '$PROG converge'"; return 1; }
    if [ "$DRY" = 0 ] && [ -n "$(o2cb_drift)" ]; then
        fail "apply: o2cb still runs $(o2cb_drift | tr '\n' ';'): check /etc/ocfs2/cluster.conf and /etc/default/o2cb"
        return 1
    fi
    if [ "$_first" = 1 ] && [ "$DRY" = 0 ]; then
        say "apply: now run '$PROG apply' on $_peer; $NODE mounts once $_peer has unmounted (up to $APPLY_WAIT s)"
        # Polled often: the peer's window (unmount, o2cb restart, mount)
        # lasts seconds.
        _t=0
        while ocfs2_peer_mounted && [ "$_t" -lt "$((APPLY_WAIT * 5))" ]; do
            sleep 0.2
            _t=$((_t + 1))
        done
        if ocfs2_peer_mounted; then
            fail "apply: $_peer still mounts OCFS2 with the old configuration after $APPLY_WAIT s: run '$PROG apply' on $_peer, then '$PROG converge' here (it mounts)"
            return 1
        fi
    fi
    apply_mount_all
    pending_clear o2cb
    say "apply: o2cb on $NODE runs the profile's settings"
}

apply_mount_all() {
    for _mp in $APPLY_UNMOUNTED; do
        is_mounted "$_mp" || mount_fstab "$_mp"
    done
    apply_start_users
}

# apply_stop_users / apply_start_users: the NFS exports and the libvirt
# pools on OCFS2 filesystems of this node.
apply_on_ocfs2() {
    _j=1
    while [ "$_j" -le "$OCFS2_COUNT" ]; do
        [ "$(item OCFS2 "$_j" MOUNTPOINT)" = "$1" ] && return 0
        _j=$((_j + 1))
    done
    return 1
}
apply_stop_users() {
    # Every export goes for the window (exportfs -ua; -ra gives them back):
    # an NFS client of an OCFS2 export would hold the unmount.
    if [ "$(cat /proc/fs/nfsd/threads 2>/dev/null || echo 0)" != 0 ]; then
        act exportfs -ua || true
    fi
    apply_pools pool-destroy
}
apply_start_users() {
    if command -v exportfs >/dev/null 2>&1; then act exportfs -ra || true; fi
    apply_pools pool-start
}
# apply_pools VERB: `virsh VERB` on each libvirt pool of a share on OCFS2.
apply_pools() {
    _s=1
    while [ "$_s" -le "${SHARE_COUNT:-0}" ]; do
        _on=$(item SHARE "$_s" ON) _pool=$(item SHARE "$_s" POOL)
        _s=$((_s + 1))
        apply_on_ocfs2 "$_on" || continue
        if [ -n "$_pool" ] && command -v virsh >/dev/null 2>&1; then
            act virsh -q "$1" "$_pool" >/dev/null 2>&1 || true
        fi
    done
}

# converge_ocfs2_remount: mounted OCFS2 filesystems with options the
# profile added: a remount (or pending for the data mode).
converge_ocfs2_remount() {
    _k=1
    while [ "$_k" -le "$OCFS2_COUNT" ]; do
        _mp=$(item OCFS2 "$_k" MOUNTPOINT)
        _opts=$(item OCFS2 "$_k" OPTIONS)
        _k=$((_k + 1))
        if [ -z "$_opts" ] || ! is_mounted "$_mp"; then continue; fi
        remount_or_pending "$_mp" "$_opts"
    done
}
