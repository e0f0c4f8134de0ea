# DRBD after day one: the guided split-brain recovery, the online verify
# (run by the verify timer on the initialiser) and the Prometheus metrics
# (run by the metrics timer). A part of the node-side command, not a
# script of its own.

# drbd_index RESOURCE: its number in the layout (nothing if none).
drbd_index() {
    _j=1
    while [ "$_j" -le "$DRBD_COUNT" ]; do
        [ "$(item DRBD "$_j" NAME)" = "$1" ] && { printf '%s' "$_j"; return 0; }
        _j=$((_j + 1))
    done
    return 1
}

# split-brain RESOURCE [--discard-here]: after a split brain (both sides
# wrote while apart; DRBD's after-sb policies disconnect instead of
# discarding), drop THIS node's changes and resync it from the peer. Without
# --discard-here it only says what it finds and would do. Refused while the
# resource's filesystem is mounted here, or when there is no split brain.
split_brain() {
    _res=$1 _go=$2
    case "$_res" in "" | -*) usage ;; esac
    _i=$(drbd_index "$_res") || { printf '%s: this node has no DRBD resource %s\n' "$PROG" "$_res" >&2; exit 2; }
    _minor=$(item DRBD "$_i" MINOR)
    _peer=$(item DRBD "$_i" PEER)
    _padm=$(item DRBD "$_i" PEER_ADMIN)
    drbd_read "$_minor"
    if ! drbd_split_brain "$_res" "$_minor"; then
        if [ "$CS" = StandAlone ]; then
            printf '%s: %s is StandAlone (%s %s) but the kernel log has no unresolved split brain for it: not a split brain. Check '"'"'dmesg | grep drbd'"'"'; a StandAlone resource is reconnected with '"'"'drbdadm connect %s'"'"'\n' "$PROG" "$_res" "$RO" "$DS" "$_res" >&2
        else
            printf '%s: %s is %s %s %s: no split brain to recover (a split brain leaves it StandAlone, with "Split-Brain detected but unresolved" in the kernel log)\n' "$PROG" "$_res" "$CS" "$RO" "$DS" >&2
        fi
        exit 1
    fi
    # The filesystem on it, if mounted here: its writes would be dropped.
    _j=1
    while [ "$_j" -le "${OCFS2_COUNT:-0}" ]; do
        _mp=$(item OCFS2 "$_j" MOUNTPOINT)
        if [ "$(item OCFS2 "$_j" RESOURCE)" = "$_res" ] && is_mounted "$_mp"; then
            printf '%s: %s is mounted here on DRBD %s: refused (its changes since the split would vanish under it). To drop this node'"'"'s changes: stop what uses it (nfs-server, libvirt), '"'"'umount %s'"'"', then run this again. To keep them, run this on %s instead\n' "$PROG" "$_mp" "$_res" "$_mp" "$_peer" >&2
            exit 1
        fi
        _j=$((_j + 1))
    done
    if [ "$_go" != 1 ]; then
        printf '%s: split brain on %s: this node and %s both wrote while apart. Choose the node whose changes since the split are to be DROPPED (check both copies first: mount read-only elsewhere, or compare with backups). On that node:\n  %s split-brain %s --discard-here\nwhich runs there: drbdadm disconnect %s; drbdadm secondary %s; drbdadm connect --discard-my-data %s; and on the other node (over ssh when root has that trust, else by you): drbdadm connect %s. Only the dropped node'"'"'s changed blocks are resynced\n' \
            "$PROG" "$_res" "$_peer" "$PROG" "$_res" "$_res" "$_res" "$_res" "$_res" >&2
        exit 0
    fi
    if [ "$(id -u)" != 0 ]; then
        printf '%s: split-brain --discard-here needs root\n' "$PROG" >&2
        exit 1
    fi
    say "split brain on $_res: dropping this node's changes since the split, resyncing from $_peer"
    act drbdadm disconnect "$_res" || true
    act drbdadm secondary "$_res" || { fail "drbdadm secondary $_res failed: is something still using /dev/drbd$_minor ('fuser -vm /dev/drbd$_minor')?"; exit 1; }
    act drbdadm connect --discard-my-data "$_res" || { fail "drbdadm connect --discard-my-data $_res failed: see 'dmesg | grep drbd'"; exit 1; }
    # The survivor: StandAlone after the split, it must connect too.
    _rc=0
    bounded 10 ssh -n -o BatchMode=yes -o ConnectTimeout=3 -o StrictHostKeyChecking=yes \
        "root@$_padm" drbdadm connect "$_res" >/dev/null 2>&1 || _rc=$?
    if [ "$_rc" = 0 ]; then
        say "$_peer: 'drbdadm connect $_res' done over ssh"
    else
        say "now run on $_peer (the survivor): 'drbdadm connect $_res' (could not do it over ssh here: exit $_rc); then watch '$PROG status' on both: this node resyncs from $_peer, and converge promotes and mounts it when it is UpToDate"
    fi
}

# verify [RES]: DRBD's online verify of every connected, UpToDate resource
# this node initialises on the site's schedule (run by PROG-verify.timer),
# or of RES alone, a resource this node initialises (PROG-verify-RES.timer
# of a resource of its own schedule); the result comes later, in the kernel
# log and as oos: in /proc/drbd, which status and the metrics report.
verify() {
    _i=1
    _rc=0
    _found=0
    while [ "$_i" -le "$DRBD_COUNT" ]; do
        _name=$(item DRBD "$_i" NAME)
        _j=$_i
        _i=$((_i + 1))
        if [ -n "$1" ]; then
            [ "$_name" = "$1" ] || continue
            _found=1
            if [ "$(item DRBD "$_j" INITIALISER)" != 1 ]; then
                say "verify $_name: skipped, its initialiser $(item DRBD "$_j" PEER) verifies it"
                continue
            fi
        else
            [ "$(item DRBD "$_j" VERIFY)" = 1 ] || continue
        fi
        drbd_read "$(item DRBD "$_j" MINOR)"
        if [ "$CS" != Connected ] || [ "$DS" != UpToDate/UpToDate ]; then
            say "verify $_name: skipped, it is $CS $DS (online verify needs both disks UpToDate and connected)"
            continue
        fi
        if act drbdadm verify "$_name"; then
            say "verify $_name: started; out-of-sync blocks show as oos: in /proc/drbd and in '$PROG status'; they are resynced by 'drbdadm disconnect --force $_name; drbdadm connect $_name' (on one node)"
        else
            warn "drbdadm verify $_name failed: see 'dmesg | grep drbd' (is verify-alg in /etc/drbd.d/$_name.res?)"
            _rc=1
        fi
    done
    if [ -n "$1" ] && [ "$_found" = 0 ]; then
        warn "verify $1: no DRBD resource of this node is called so (see '$PROG status')"
        return 1
    fi
    return "$_rc"
}

# metrics: the Prometheus textfile collector's file of this site
# (PROM_DIR/SITE_storage.prom), written to a temporary name and renamed,
# from /proc/drbd only (never a filesystem: nothing here can hang). Nothing
# is written while the directory does not exist (no node exporter).
PROM_DIR=${STORPKG_PROM_DIR:-/var/lib/prometheus/node-exporter}
metrics() {
    metrics_journal
    [ -d "$PROM_DIR" ] || return 0
    _out="$PROM_DIR/${SITE}_storage.prom"
    _tmp="$_out.$$.tmp"
    if metrics_text >"$_tmp" && mv -f "$_tmp" "$_out"; then
        return 0
    fi
    rm -f "$_tmp"
    return 1
}

# metrics_journal: out-of-sync blocks on a connected resource (what online
# verify found) are said in the journal once, when they appear.
metrics_journal() {
    _k=1
    while [ "$_k" -le "$DRBD_COUNT" ]; do
        _name=$(item DRBD "$_k" NAME)
        _oflag="$RUN_DIR/$PROG.oos-$_name"
        drbd_read "$(item DRBD "$_k" MINOR)"
        drbd_detail "$(item DRBD "$_k" MINOR)"
        _k=$((_k + 1))
        if [ "$CS" = Connected ] && [ "${OOS:-0}" != 0 ] && [ -z "$RUNNING" ]; then
            [ -e "$_oflag" ] && continue
            warn "DRBD $_name: $OOS KiB out of sync while connected (online verify found blocks that differ): check which copy is right, then resync them with 'drbdadm disconnect --force $_name; drbdadm connect $_name' on one node (hard: a Primary refuses a graceful disconnect from a Primary peer)"
            : >"$_oflag" 2>/dev/null || true
        else
            rm -f "$_oflag" 2>/dev/null || true
        fi
    done
}

# metric NAME TYPE HELP: a family's header, then its sample per resource,
# labelled with the resource, its minor and its peer (a hub's resources
# each have their own) (metric_value I: the value for resource I).
metric() {
    printf '# HELP %s %s\n# TYPE %s %s\n' "$1" "$3" "$1" "$2"
    _k=1
    while [ "$_k" -le "$DRBD_COUNT" ]; do
        drbd_read "$(item DRBD "$_k" MINOR)"
        drbd_detail "$(item DRBD "$_k" MINOR)"
        printf '%s{resource="%s",minor="%s",peer="%s"} %s\n' "$1" "$(item DRBD "$_k" NAME)" "$(item DRBD "$_k" MINOR)" "$(item DRBD "$_k" PEER)" "$(metric_value "$1")"
        _k=$((_k + 1))
    done
}

# metric_value NAME: from drbd_read's and drbd_detail's variables.
metric_value() {
    case "$1" in
        drbd_connected) [ "$CS" = Connected ] && echo 1 || echo 0 ;;
        drbd_configured) [ "$CS" = Unconfigured ] && echo 0 || echo 1 ;;
        drbd_standalone) [ "$CS" = StandAlone ] && echo 1 || echo 0 ;;
        drbd_role_primary) case "$RO" in Primary/*) echo 1 ;; *) echo 0 ;; esac ;;
        drbd_peer_role_primary) case "$RO" in */Primary) echo 1 ;; *) echo 0 ;; esac ;;
        drbd_disk_uptodate) case "$DS" in UpToDate/*) echo 1 ;; *) echo 0 ;; esac ;;
        drbd_peer_disk_uptodate) case "$DS" in */UpToDate) echo 1 ;; *) echo 0 ;; esac ;;
        drbd_io_suspended) echo "$SUSP" ;;
        drbd_out_of_sync_bytes) echo $((${OOS:-0} * 1024)) ;;
        drbd_sync_running) [ "$RUNNING" = sync ] && echo 1 || echo 0 ;;
        drbd_verify_running) [ "$RUNNING" = verify ] && echo 1 || echo 0 ;;
        drbd_sync_progress_ratio) if [ -n "$PCT" ]; then awk -v p="$PCT" 'BEGIN { printf "%.4f\n", p / 100 }'; else echo 1; fi ;;
        drbd_sync_eta_seconds) if [ -n "$ETA" ]; then printf '%s\n' "$ETA" | awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }'; else echo 0; fi ;;
        *) echo 0 ;;
    esac
}

metrics_text() {
    metric drbd_configured gauge "DRBD resource is configured (1) or not (0)."
    metric drbd_connected gauge "DRBD connection state is Connected (1) or not (0)."
    metric drbd_standalone gauge "DRBD resource is StandAlone: refused to connect, e.g. after a split brain."
    metric drbd_role_primary gauge "This node is Primary for the resource."
    metric drbd_peer_role_primary gauge "The peer is Primary for the resource."
    metric drbd_disk_uptodate gauge "This node's disk is UpToDate."
    metric drbd_peer_disk_uptodate gauge "The peer's disk is UpToDate."
    metric drbd_io_suspended gauge "I/O is frozen (fencing waits for fence-peer, or suspended)."
    metric drbd_out_of_sync_bytes gauge "Bytes marked out of sync (oos: in /proc/drbd): a resync's rest, or what online verify found."
    metric drbd_sync_running gauge "A resync is running."
    metric drbd_verify_running gauge "An online verify is running."
    metric drbd_sync_progress_ratio gauge "Progress of the running resync or verify (1 when none runs)."
    metric drbd_sync_eta_seconds gauge "DRBD's estimate of the running resync's or verify's remaining time (0 when none runs)."
    printf '# HELP storage_metrics_timestamp_seconds When %s metrics last wrote this file.\n# TYPE storage_metrics_timestamp_seconds gauge\nstorage_metrics_timestamp_seconds{site="%s",node="%s"} %s\n' "$PROG" "$SITE" "$NODE" "$(date +%s)"
}
