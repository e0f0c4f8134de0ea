# DRBD after day one: what runs against the profile (converge applies what
# DRBD takes live, coordinates a reconnect with the peer, records what needs
# the admin; status reports the drift). A part of the node-side command,
# not a script of its own.
#
# A change that needs a reconnect (addresses, port, protocol) cannot be made
# by one node alone: with both Primary and fencing resource-and-stonith, a
# node that reconnects on the new addresses while its peer still runs the
# old ones leaves both frozen until the peer changes too. So the node that
# upgrades first only waits: it leaves a token (the checksum of the
# resource's .res file, the same on both nodes) on an OCFS2 filesystem of
# the resource, which both nodes see, and a mark in STATE_DIR. The second
# node finds the peer's token equal to its own and completes the switch:
# it reconnects (disconnect, connect on the new addresses); the first node's
# fence-peer handler, run by DRBD the moment the connection drops, sees its
# mark and reconnects there too. I/O waits only between the two.

DRBD_CONF_DIR=/etc/drbd.d
# How long a waiting node's fence-peer probes for its peer's new endpoint.
SWITCH_PROBE_S=${SWITCH_PROBE_S:-10}

# drbd_end IP PORT: an endpoint as drbdsetup show prints it.
drbd_end() {
    case "$1" in
        *:*) printf '[%s]:%s' "$1" "$2" ;;
        *) printf '%s:%s' "$1" "$2" ;;
    esac
}

# drbd_running_ends NAME: "THIS PEER" as the running resource has them
# ('drbdsetup show'), nothing when it is not configured.
drbd_running_ends() {
    drbdsetup show "$1" 2>/dev/null | awk '
        /_this_host/ { s = "this" }
        /_remote_host/ { s = "remote" }
        $1 == "address" { a = $NF; sub(/;$/, "", a); if (s == "this") t = a; else if (s == "remote") r = a }
        END { if (t != "" || r != "") print t, r }'
}

# drbd_running_conn NAME: "AF:THIS AF:PEER" of the running connection, as
# drbdsetup disconnect takes them (drbdadm would take the file's, which a
# switch has already changed).
drbd_running_conn() {
    drbdsetup show "$1" 2>/dev/null | awk '
        /_this_host/ { s = "this" }
        /_remote_host/ { s = "remote" }
        $1 == "address" { a = $(NF - 1) ":" $NF; sub(/;$/, "", a); if (s == "this") t = a; else if (s == "remote") r = a }
        END { if (t != "" && r != "") print t, r }'
}

# drbd_wanted_ends I: "THIS PEER" as the profile has them.
drbd_wanted_ends() {
    printf '%s %s' "$(drbd_end "$(item DRBD "$1" ADDRESS)" "$(item DRBD "$1" PORT)")" \
        "$(drbd_end "$(item DRBD "$1" PEER_ADDRESS)" "$(item DRBD "$1" PORT)")"
}

drbd_switch_mark() { printf '%s/drbd-%s.switch' "$STATE_DIR" "$1"; }

# drbd_token NAME: the checksum of the resource's file (the same on both nodes).
drbd_token() {
    md5sum <"$DRBD_CONF_DIR/$1.res" 2>/dev/null | cut -d' ' -f1
}

# drbd_shared_dir NAME: the rendezvous directory on a mounted OCFS2
# filesystem of resource NAME (nothing when none is mounted here).
drbd_shared_dir() {
    _j=1
    while [ "$_j" -le "${OCFS2_COUNT:-0}" ]; do
        if [ "$(item OCFS2 "$_j" RESOURCE)" = "$1" ] && is_mounted "$(item OCFS2 "$_j" MOUNTPOINT)"; then
            printf '%s/.%s' "$(item OCFS2 "$_j" MOUNTPOINT)" "$PROG"
            return 0
        fi
        _j=$((_j + 1))
    done
}

# drbd_wait_connected MINOR SECONDS
drbd_wait_connected() {
    _t=0
    while [ "$_t" -lt "$(($2 * 10))" ]; do
        drbd_read "$1"
        [ "$CS" = Connected ] && return 0
        sleep 0.1
        _t=$((_t + 1))
    done
    return 1
}

# converge_drbd_change: every configured resource against its file.
converge_drbd_change() {
    _i=1
    while [ "$_i" -le "$DRBD_COUNT" ]; do
        drbd_change "$_i"
        _i=$((_i + 1))
    done
}

# The checksum of the resource file that converge last applied (or found
# applied): an adjust that 'drbdadm -d adjust' keeps listing for a file
# already applied (a value it reads back differently) is not run again, so
# a converge with nothing new stays a no-op.
drbd_applied_mark() { printf '%s/drbd-%s.applied' "$STATE_DIR" "$1"; }
drbd_applied() {
    [ "$DRY" = 1 ] || printf '%s\n' "$(drbd_token "$1")" >"$(drbd_applied_mark "$1")"
}

drbd_change() {
    _name=$(item DRBD "$1" NAME)
    _minor=$(item DRBD "$1" MINOR)
    drbd_read "$_minor"
    [ "$CS" = Unconfigured ] && return 0
    drbd_grown "$1"
    if [ "$(cat "$(drbd_applied_mark "$_name")" 2>/dev/null)" = "$(drbd_token "$_name")" ] &&
        [ "$(drbd_running_ends "$_name")" = "$(drbd_wanted_ends "$1")" ]; then
        debug "DRBD $_name: its file is applied"
        return 0
    fi
    _plan=$(drbdadm -d adjust "$_name" 2>/dev/null) || _plan=''
    if [ -z "$_plan" ]; then
        drbd_applied "$_name"
        # Nothing left to change: what a finished switch left goes.
        if [ -e "$(drbd_switch_mark "$_name")" ] && [ "$DRY" = 0 ]; then
            rm -f "$(drbd_switch_mark "$_name")"
            _sd=$(drbd_shared_dir "$_name")
            [ -n "$_sd" ] && rm -f "$_sd/drbd-$_name.$NODE"
        fi
        return 0
    fi
    case "$_plan" in
        *disconnect*) drbd_switch "$1" ;;
        *)
            # Options DRBD takes while connected and attached (net-options,
            # disk-options, resource-options): no interruption.
            if act drbdadm adjust "$_name"; then
                drbd_applied "$_name"
            else
                fail "drbdadm adjust $_name failed: check 'drbdadm -d adjust $_name' and 'dmesg'"
            fi
            ;;
    esac
}

# drbd_switch I: a change of resource I that needs a reconnect.
drbd_switch() {
    _peer=$(item DRBD "$1" PEER)
    _tok=$(drbd_token "$_name")
    if [ "$DRY" = 1 ]; then
        printf '%s: would reconnect DRBD %s (%s -> %s): the second node to be upgraded does it on both\n' \
            "$PROG" "$_name" "$(drbd_running_ends "$_name")" "$(drbd_wanted_ends "$1")" >&2
        ACTED=1
        return 0
    fi
    _sd=$(drbd_shared_dir "$_name")
    if [ -z "$_sd" ] || [ "$CS" != Connected ] || [ "$RO" != Primary/Primary ]; then
        # Not both Primary with a filesystem here (or not connected): a
        # reconnect freezes nothing that waits for the peer.
        act drbdadm adjust "$_name" || fail "drbdadm adjust $_name failed: check 'drbdadm -d adjust $_name' and 'dmesg'"
        return 0
    fi
    mkdir -p "$_sd"
    printf '%s\n' "$_tok" >"$_sd/drbd-$_name.$NODE"
    if [ "$(cat "$_sd/drbd-$_name.$_peer" 2>/dev/null)" != "$_tok" ]; then
        printf 'waiting %s %s\n' "$_tok" "$(drbd_end "$(item DRBD "$1" PEER_ADDRESS)" "$(item DRBD "$1" PORT)")" >"$(drbd_switch_mark "$_name")"
        say "DRBD $_name: its new configuration needs a reconnect ($(drbd_running_ends "$_name") -> $(drbd_wanted_ends "$1")): waiting for $_peer to run the same version; its upgrade completes the switch on both nodes (I/O pauses a few seconds then)"
        WAITING=1
        return 0
    fi
    printf 'second %s\n' "$_tok" >"$(drbd_switch_mark "$_name")"
    say "DRBD $_name: $_peer waits on the same configuration: reconnecting both now"
    _t0=$(date +%s)
    # Under fencing, the peer refuses a graceful disconnect while both are
    # Primary ("Need access to UpToDate data": it would have to outdate
    # itself): a hard one, of the connection that runs (drbdadm's would
    # name the file's new addresses); both freeze until they reconnect.
    _conn=$(drbd_running_conn "$_name")
    if [ -n "$_conn" ]; then
        act drbdsetup disconnect "${_conn% *}" "${_conn#* }" --force ||
            { fail "DRBD $_name: the disconnect from ${_conn#* } failed: check 'drbdsetup show $_name' and 'dmesg'"; return 1; }
    fi
    act drbdadm adjust "$_name" || { fail "drbdadm adjust $_name failed after the disconnect: check 'drbdadm -d adjust $_name' on both nodes and 'dmesg'"; return 1; }
    if drbd_wait_connected "$_minor" 30; then
        say "DRBD $_name: connected on $(drbd_running_ends "$_name") after $(($(date +%s) - _t0)) s"
        rm -f "$(drbd_switch_mark "$_name")" "$_sd/drbd-$_name.$NODE"
        drbd_applied "$_name"
    else
        fail "DRBD $_name: not connected 30 s after the switch ($CS $RO $DS): check 'drbdadm -d adjust $_name' on $_peer (it should reconnect by itself) and the link to $(item DRBD "$1" PEER_ADDRESS)"
    fi
}

# drbd_switch_fence NAME: from fence-peer. While this node waits for a
# switch of NAME and the connection drops, the peer has switched if its
# DRBD listens on its new endpoint (a link failure looks different: the
# peer is still on the old one, or unreachable): then reconnect here on the
# new addresses (in the background: DRBD waits for this handler) and keep
# I/O frozen until connected. 1 when this is not a switch.
drbd_switch_fence() {
    _m=$(drbd_switch_mark "$1")
    [ -e "$_m" ] || return 1
    read -r _state _tok _pend <"$_m" || true
    case "$_state" in
        waiting)
            _host=${_pend%:*} _port=${_pend##*:}
            _host=${_host#[}
            _host=${_host%]}
            # The peer drops the connection first and listens on its new
            # endpoint only after its drbdadm adjust: probed for up to
            # SWITCH_PROBE_S seconds, not once (a single probe can come
            # too early, and both nodes then stay frozen until the retry
            # timer's converge: 54 s in the VM suite).
            [ -n "$_pend" ] || return 1
            _until=$(($(date +%s) + SWITCH_PROBE_S))
            while :; do
                # shellcheck disable=SC2016 # $1 and $2 are bash's, not ours
                if timeout 1 bash -c 'exec 3<>"/dev/tcp/$1/$2"' switch-probe "$_host" "$_port" >/dev/null 2>&1; then
                    say "fence-peer $1: the peer listens on its new endpoint $_pend: it has switched; reconnecting here (drbdadm adjust $1)"
                    (sleep 1 && drbdadm adjust "$1") </dev/null >/dev/null 2>&1 &
                    return 0
                fi
                [ "$(date +%s)" -lt "$_until" ] || break
                sleep 0.5
            done
            return 1
            ;;
        *) say "fence-peer $1: switching to the new configuration here: I/O resumes once connected" ;;
    esac
    return 0
}

# drbd_grown I: the backing LV has grown past the device (the volumes
# layer extends both legs): DRBD resizes only with one Primary, so the
# steps are left pending for the admin ('apply' prints them).
drbd_grown() {
    _lvb=$(blockdev --getsize64 "$(item DRBD "$1" DISK)" 2>/dev/null) || return 0
    _devb=$(blockdev --getsize64 "$(item DRBD "$1" DEVICE)" 2>/dev/null) || return 0
    _key=drbd-resize-$(item DRBD "$1" NAME)
    if [ "$((_lvb - _devb))" -gt "$((_lvb / 100 + 8388608))" ]; then
        pending_set "$_key" "DRBD $(item DRBD "$1" NAME) is $_devb bytes on a $_lvb-byte LV: grow it with one Primary (run '$PROG apply' for the commands)"
    else
        pending_clear "$_key"
    fi
}

# status_drbd_change: the addresses each resource runs on against the profile.
status_drbd_change() {
    _i=1
    while [ "$_i" -le "$DRBD_COUNT" ]; do
        _name=$(item DRBD "$_i" NAME)
        _run=$(drbd_running_ends "$_name")
        _want=$(drbd_wanted_ends "$_i")
        _i=$((_i + 1))
        [ -n "$_run" ] || continue
        ROW_EXTRA=",\"resource\":$(json_str "$_name"),\"addresses\":$(json_str "$_run"),\"profile_addresses\":$(json_str "$_want")"
        if [ "$_run" = "$_want" ]; then
            row drbd "$_name addresses" "$_run"
        elif [ -e "$(drbd_switch_mark "$_name")" ]; then
            bad drbd "$_name addresses" "runs $_run, profile $_want" "waits for its peer's upgrade to the same version, which completes the switch"
        else
            bad drbd "$_name addresses" "runs $_run, profile $_want" "run '$PROG converge' (it reconnects with the peer); 'drbdadm -d adjust $_name' shows the commands"
        fi
    done
}
