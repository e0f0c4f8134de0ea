# Unison: the first sync of a client (converge) and the status view of the
# sync and its timer. A part of the node-side command, not a script of its
# own.

# unison: the first sync runs once, non-interactively, when the client's key
# is authorised and the server's host key is pinned (the package's pending
# notes are gone); the timer does the rest.
converge_unison() {
    [ "$UNISON_ROLE" = client ] || return 0
    _done="$STATE_DIR/unison-first-sync"
    [ -e "$_done" ] && return 0
    for _f in "$STATE_DIR/pending"/unison*; do
        if [ -e "$_f" ]; then
            debug "unison: the first sync waits for the manual steps 'status' lists"
            return 0
        fi
    done
    is_mounted "$UNISON_MOUNTPOINT" || return 0
    # Queued, not waited for: a first sync of a full volume takes its time,
    # and at boot the unit waits for what waits for this converge.
    act systemctl start --no-block "$UNISON_SERVICE" || { warn "the first unison sync with $UNISON_PEER could not be queued: see 'systemctl status $UNISON_SERVICE'"; return 0; }
    [ "$DRY" = 1 ] || say "the first unison sync with $UNISON_PEER is running: see 'journalctl -u $UNISON_SERVICE'; the timer repeats it"
    [ "$DRY" = 1 ] || : >"$_done"
}

# status_unison: this node's role; for a client its last run and its timer.
status_unison() {
    if [ -n "$UNISON_ROLE" ]; then
        if [ "$UNISON_ROLE" = client ]; then
            _last=$(systemctl show -P ExecMainExitTimestamp "$UNISON_SERVICE" 2>/dev/null || true)
            _res=$(systemctl show -P Result "$UNISON_SERVICE" 2>/dev/null || true)
            row unison "client of $UNISON_PEER" "last run: ${_last:-never} (${_res:-?})"
        else
            row unison "server for $UNISON_PEER" "ok"
        fi
    fi
    if [ -n "${UNISON_SERVES:-}" ]; then
        row unison "server for $UNISON_SERVES" "ok"
    fi
    if [ "$UNISON_ROLE" = client ]; then
        _timer=${UNISON_SERVICE%.service}.timer
        if systemctl -q is-enabled "$_timer" 2>/dev/null && systemctl -q is-active "$_timer" 2>/dev/null; then
            row unison "$_timer" "active, next: $(systemctl show -P NextElapseUSecRealtime "$_timer" 2>/dev/null || echo '?')"
        else
            bad unison "$_timer" "not active" "systemctl enable --now $_timer"
        fi
    fi
}
