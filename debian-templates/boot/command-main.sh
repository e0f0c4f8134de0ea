# The drivers: converge runs each layer's step, status each layer's view,
# in a fixed order; then the argument dispatch. A part of the node-side
# command, not a script of its own.

converge() {
    if [ "$(id -u)" != 0 ]; then
        printf '%s: converge needs root\n' "$PROG" >&2
        exit 1
    fi
    if ! running_system; then
        say "not a running system (chroot or installer target): converge waits for the first boot (${PROG}-converge.service)"
        return 0
    fi
    if [ "$DRY" = 0 ]; then
        mkdir -p "$STATE_DIR"
        exec 9>"/run/$PROG.lock"
        if ! flock -w 900 9; then
            printf '%s: another converge is still running\n' "$PROG" >&2
            exit 1
        fi
    fi
    converge_volumes
    converge_volumes_change
    converge_drbd
    converge_drbd_change
    converge_ocfs2
    converge_o2cb_change
    converge_ocfs2_remount
    converge_shares
    converge_exports
    converge_libvirt
    converge_unison
    # While waiting, PROG-converge-retry.timer runs converge again every 2
    # minutes (its service runs only while this flag is there), even when
    # another step needs the admin: a peer that comes back is still seen.
    if [ "$DRY" = 0 ]; then
        if [ "$WAITING" = 1 ]; then
            : >"$WAITING_FLAG"
        else
            rm -f "$WAITING_FLAG"
        fi
    fi
    if [ "$FAILED" = 1 ]; then
        say "converge on $NODE stopped short: see the ERROR lines above, then run '$PROG status'"
        exit 1
    fi
    if [ "$WAITING" = 1 ]; then
        say "converge on $NODE: done for now, waiting for $PEERS or a sync (run '$PROG converge' again later)"
        exit 3
    fi
    if [ "$ACTED" = 0 ]; then
        printf '%s: %s converged: nothing to do\n' "$PROG" "$NODE" >&2
    elif [ "$DRY" = 0 ]; then
        say "$NODE converged"
    fi
}

status() {
    LOGGER=0
    [ "$JSON" = 1 ] || printf 'node %s (peers: %s) of site %s\n' "$NODE" "${PEERS:-none}" "$SITE"
    status_volumes
    status_volumes_change
    status_drbd
    status_drbd_change
    status_ocfs2
    status_o2cb_change
    status_shares
    status_unison
    status_ids
    status_ids_peer
    status_sysctl
    status_link
    status_pending
    if [ "$JSON" = 1 ]; then
        _ok=true
        [ "$BAD" = 0 ] || _ok=false
        printf '{"site":%s,"node":%s,"peers":%s,"time":%s,"ok":%s,"rows":[%s\n]}\n' \
            "$(json_str "$SITE")" "$(json_str "$NODE")" "$(json_strs "${PEERS:-}")" \
            "$(json_num "$(date +%s)")" "$_ok" "$JSON_ROWS"
    elif [ "$BAD" = 0 ]; then
        printf 'all layers ok\n'
    fi
    return "$BAD"
}

# status_pending: the manual steps the maintainer scripts left in STATE_DIR/pending.
status_pending() {
    if [ -d "$STATE_DIR/pending" ]; then
        for _f in "$STATE_DIR/pending"/*; do
            [ -e "$_f" ] || continue
            bad manual "${_f##*/}" "$(cat "$_f")" "manual step"
        done
    fi
}

usage() {
    printf 'usage: %s converge [--dry-run] | status [--json] | apply [--dry-run] | split-brain RESOURCE [--discard-here] | verify [RESOURCE] | metrics | fence-peer | after-resync\n' "$PROG" >&2
    exit 2
}

# Sourced by storpkg's own tests (tests/converge_script.rs) for its
# functions alone.
if [ "${STORPKG_CONVERGE_LIBRARY:-0}" = 1 ]; then
    # shellcheck disable=SC2317
    return 0 2>/dev/null || exit 0
fi

cmd=${1:-}
[ $# -gt 0 ] && shift
SB_RES=''
SB_DISCARD=0
if [ "$cmd" = split-brain ]; then
    SB_RES=${1:-}
    [ $# -gt 0 ] && shift
fi
VERIFY_RES=''
if [ "$cmd" = verify ] && [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then
    VERIFY_RES=$1
    shift
fi
for _a in "$@"; do
    case "$_a" in
        --dry-run) DRY=1 ;;
        --json) [ "$cmd" = status ] || usage; JSON=1 ;;
        --discard-here) [ "$cmd" = split-brain ] || usage; SB_DISCARD=1 ;;
        --from-boot) FROM_BOOT=1 ;;
        --from-postinst) ;;
        -v | --verbose) VERBOSE=1 ;;
        *) usage ;;
    esac
done
case "$cmd" in
    converge)
        load_layout
        converge
        ;;
    status)
        load_layout
        status
        exit $?
        ;;
    split-brain)
        load_layout
        split_brain "$SB_RES" "$SB_DISCARD"
        ;;
    verify)
        load_layout
        verify "$VERIFY_RES"
        ;;
    metrics)
        load_layout
        metrics
        ;;
    apply)
        load_layout
        apply
        ;;
    fence-peer)
        load_layout
        fence_peer
        ;;
    after-resync)
        load_layout
        after_resync
        ;;
    *)
        usage
        ;;
esac
