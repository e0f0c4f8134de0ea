# DRBD: bring-up, the peer wait, promotion (converge), its status view,
# and DRBD's fence-peer and after-resync-target handlers. A part of the
# node-side command, not a script of its own.

# DRBD's state (tests that source this file point it elsewhere).
PROC_DRBD=${STORPKG_PROC_DRBD:-/proc/drbd}

# drbd_read MINOR: CS, RO, DS, SUSP from /proc/drbd (CS=Unconfigured when the
# minor is not configured).
drbd_read() {
    # " 0: cs:Connected ro:Primary/Primary ds:UpToDate/UpToDate C r-----":
    # after ds, the protocol (blank when StandAlone) and the first flag, r
    # (I/O running) or s (suspended: fencing resource-and-stonith waiting
    # to know the peer's disk). One sed: a no-op converge reads this often.
    CS='' RO='' DS='' _flag=''
    read -r CS RO DS _flag <<EOF
$(sed -n -e "s/^ *$1: cs:\([^ ]*\) ro:\([^ ]*\) ds:\([^ ]*\) . \(.\).*/\1 \2 \3 \4/p" \
    -e "s/^ *$1: cs:\([^ ]*\) *\$/\1/p" "$PROC_DRBD" 2>/dev/null)
EOF
    SUSP=0
    [ "$_flag" = s ] && SUSP=1
    CS=${CS:-Unconfigured} RO=${RO:--} DS=${DS:--}
}

drbd_fresh_mark() { printf '%s/drbd-%s.fresh' "$STATE_DIR" "$1"; }
# Left once a resource of this node has been UpToDate or Primary: metadata
# created later (a replaced LV) is never marked fresh, never forced.
drbd_used_mark() { printf '%s/drbd-%s.used' "$STATE_DIR" "$1"; }

# Bring every resource up (create-md first when there is none); fresh ones
# are marked in STATE_DIR until their initial sync question is settled.
drbd_up() {
    _name=$1 _minor=$2 _disk=$3
    drbd_read "$_minor"
    # Configured with its disk: nothing to bring up. Configured without
    # (drbd.service or an fstab mount ran 'adjust' before there was any
    # metadata): the metadata check below, then 'adjust' attaches the disk.
    # (A StandAlone one is reported by drbd_settle, and never promoted.)
    if [ "$CS" != Unconfigured ] && [ "${DS%%/*}" != Diskless ]; then
        return 0
    fi
    if [ ! -b "$_disk" ]; then
        [ "$DRY" = 1 ] || fail "backing device $_disk of DRBD $_name does not exist"
        return 1
    fi
    _md=$(drbdadm dump-md "$_name" 2>&1)
    _rc=$?
    if [ "$_rc" != 0 ]; then
        case "$_md" in
            *"No valid meta data found"* | *"no valid meta data"*)
                _sig=$(signatures "$_disk")
                if [ -n "$_sig" ]; then
                    fail "$_disk (backing device of DRBD $_name) has no DRBD metadata but carries '$_sig': not initialised. Check what it holds ('blkid -p $_disk'); if it is unused, clear it yourself ('wipefs -a $_disk') and run '$PROG converge' again"
                    return 1
                fi
                act drbdadm create-md "$_name" </dev/null || {
                    fail "drbdadm create-md $_name failed on an empty $_disk: see the message above"
                    return 1
                }
                if [ -e "$(drbd_used_mark "$_name")" ]; then
                    warn "DRBD $_name: new metadata on an empty $_disk, but this node has had $_name UpToDate before ($(drbd_used_mark "$_name")): was its volume replaced? This leg is never forced; it syncs from its peer when they connect"
                elif [ "$DRY" = 0 ]; then
                    : >"$(drbd_fresh_mark "$_name")"
                fi
                ;;
            *"unclean"*)
                # An unclean shutdown: the activity log goes into the
                # bitmap first (metadata only; the data is not touched).
                act drbdadm apply-al "$_name" </dev/null || {
                    fail "drbdadm apply-al $_name failed (its metadata is marked unclean): see the message above and 'drbdadm dump-md $_name'"
                    return 1
                }
                ;;
            *)
                fail "drbdadm dump-md $_name failed: $(printf '%s' "$_md" | tail -n 2 | tr '\n' ' '). Check /etc/drbd.d/$_name.res and $_disk"
                return 1
                ;;
        esac
    fi
    if [ "$CS" = Unconfigured ]; then
        act drbdadm up "$_name" || { fail "drbdadm up $_name failed: check 'drbdadm -d up $_name' and 'dmesg'"; return 1; }
    else
        act drbdadm adjust "$_name" || { fail "drbdadm adjust $_name (attaching $_disk) failed: check 'drbdadm -d adjust $_name' and 'dmesg'"; return 1; }
    fi
}

# drbd_just_created RESOURCE: the metadata has never seen a peer or a
# promotion: DRBD's current UUID is still UUID_JUST_CREATED (4) and there is
# no bitmap or history UUID ('drbdadm get-gi').
drbd_just_created() {
    _gi=$(drbdadm get-gi "$1" 2>/dev/null) || return 1
    case "$_gi" in
        0000000000000004:0000000000000000:0000000000000000:0000000000000000:*) return 0 ;;
    esac
    return 1
}

# drbd_settle I: decide the role of resource I after the peer wait. Only
# a disk that is UpToDate is promoted, but for one case: the initialising
# node's own fresh device (metadata created by storpkg, never connected,
# never promoted) while the peer does not answer at all.
drbd_settle() {
    _name=$(item DRBD "$1" NAME)
    _minor=$(item DRBD "$1" MINOR)
    _init=$(item DRBD "$1" INITIALISER)
    _peer=$(item DRBD "$1" PEER)
    _padm=$(item DRBD "$1" PEER_ADMIN)
    _mark=$(drbd_fresh_mark "$_name")
    drbd_read "$_minor"
    _cs=$CS _ro=$RO _ds=$DS
    [ "$_cs" = Unconfigured ] && return 0
    case "$_ro $_ds" in
        Primary/* | *" UpToDate/"*)
            [ "$DRY" = 1 ] || : >"$(drbd_used_mark "$_name")"
            ;;
    esac
    case "$_ro" in
        Primary/*) rm -f "$_mark"; return 0 ;;
    esac
    # The peer has data, or a sync has begun: this leg is no longer one
    # that may be forced.
    case "$_cs/${_ds#*/}" in
        SyncTarget/* | PausedSyncT/* | WFBitMapT/* | WFSyncUUID/* | */UpToDate | */Outdated | */Consistent)
            [ "$DRY" = 1 ] || rm -f "$_mark"
            ;;
    esac
    drbd_first_sync "$1" || return 1
    drbd_read "$_minor"
    _cs=$CS _ro=$RO _ds=$DS
    drbd_promote "$1"
}

# drbd_first_sync I: a fresh connected pair skips its initial sync (the
# initialiser clears the bitmap; the other node waits for it), a sync under
# way gets a short wait. 1 when the initialiser cannot tell which side holds
# data, or new-current-uuid failed. On drbd_settle's _name, _minor, _init,
# _mark, _cs and _ds.
drbd_first_sync() {
    case "$_cs/$_ds" in
        Connected/Inconsistent/Inconsistent)
            if [ "$_init" = 1 ] && [ -e "$_mark" ]; then
                say "DRBD $_name: both legs fresh and connected: skipping the initial sync (new-current-uuid --clear-bitmap)"
                act drbdadm new-current-uuid --clear-bitmap "$_name" || { fail "new-current-uuid --clear-bitmap $_name failed"; return 1; }
                [ "$DRY" = 1 ] || rm -f "$_mark"
                drbd_wait_uptodate "$_minor" 30
            elif [ "$_init" = 1 ]; then
                fail "DRBD $_name: both legs Inconsistent, but this node did not create its metadata: storpkg cannot tell which side holds data. If both are empty, run 'drbdadm new-current-uuid --clear-bitmap $_name' here; if one side has the data, run 'drbdadm primary --force $_name' on that side only"
                return 1
            else
                debug "DRBD $_name: fresh pair, waiting for the initialiser's new-current-uuid"
                drbd_wait_uptodate "$_minor" "$(item DRBD "$1" PEER_WAIT)"
            fi
            ;;
        Sync*/* | PausedSync*/*)
            # A short wait (a resync after a reboot is a bitmap's worth);
            # a long one ends in the after-resync-target handler, which
            # runs the converge unit again.
            drbd_wait_uptodate "$_minor" "${STORPKG_SYNC_WAIT:-$(item DRBD "$1" PEER_WAIT)}"
            ;;
    esac
    return 0
}

# drbd_primary_retried MINOR: drbdadm primary of _name. Refused while
# Connected on an UpToDate disk, it is tried twice more, 2 s apart: DRBD's
# state may be changing under the peer's own new-current-uuid or
# promotion (seen when both nodes were installed at once).
drbd_primary_retried() {
    _try=1
    while ! act drbdadm primary "$_name"; do
        drbd_read "$1"
        if [ "$CS" != Connected ] || [ "${DS%%/*}" != UpToDate ] || [ "$_try" -ge 3 ]; then
            return 1
        fi
        _try=$((_try + 1))
        sleep 2
    done
}

# drbd_promote I: resource I's role from its state after the waits (read
# into drbd_settle's _cs, _ro, _ds): Primary on an UpToDate disk, the
# initialiser's one-legged start (drbd_one_legged), or a message saying what
# it waits for. StandAlone is never promoted.
drbd_promote() {
    case "$_cs/$_ds" in
        StandAlone/*)
            CS=$_cs
            if drbd_split_brain "$_name" "$_minor"; then
                fail "DRBD $_name: SPLIT BRAIN with $_peer (both wrote while apart; StandAlone, $_ro $_ds): nothing was discarded and it is not promoted. Decide whose changes since the split are to be dropped; on that node run '$PROG split-brain $_name' (it says what it will do), then '$PROG split-brain $_name --discard-here'"
            else
                fail "DRBD $_name is StandAlone ($_ro $_ds): it refused to connect to $_peer: not promoted. Check 'dmesg | grep drbd' and 'drbdadm status $_name' on both nodes; then 'drbdadm connect $_name'"
            fi
            ;;
        */UpToDate/*)
            if drbd_primary_retried "$_minor"; then
                [ "$DRY" = 1 ] || { rm -f "$_mark"; : >"$(drbd_used_mark "$_name")"; }
            elif [ "$_cs" != Connected ]; then
                # DRBD asked fence-peer, which could not say that the peer's
                # disk is outdated: not Primary alone (see the journal).
                say "DRBD $_name: not promoted while $_peer is not connected and not known to be outdated (fencing; 'journalctl -t $PROG' says why): waiting for $_peer; the converge runs again every 2 minutes while waiting"
                WAITING=1
            else
                fail "drbdadm primary $_name failed ($_cs $_ro $_ds): see 'dmesg | grep drbd'"
            fi
            ;;
        WFConnection/Inconsistent/*)
            drbd_one_legged "$1"
            ;;
        Sync* | PausedSync*)
            say "DRBD $_name: still syncing from $_peer ($(drbd_progress "$_minor")): it becomes Primary when the sync ends (the after-resync-target handler runs ${PROG}-converge.service again)"
            WAITING=1
            ;;
        *)
            say "DRBD $_name: $_cs $_ro $_ds: not promoted; it is promoted when its disk is UpToDate (run '$PROG converge' again once $_peer is back)"
            WAITING=1
            ;;
    esac
}

# drbd_one_legged I: resource I is Inconsistent and its peer did not
# connect: forced Primary only on the initialiser's own fresh, never used
# metadata while the peer answers on no network; otherwise it waits.
drbd_one_legged() {
    if [ "$_init" != 1 ] || [ ! -e "$_mark" ]; then
        say "DRBD $_name: Inconsistent and $_peer not connected: waiting for $_peer to come (it holds the data or initialises the pair); the converge runs again every 2 minutes while waiting"
        WAITING=1
    elif ! drbd_just_created "$_name"; then
        fail "DRBD $_name: this node marked its metadata fresh, but DRBD's generation identifiers ('drbdadm get-gi $_name') say it has been connected or promoted since: not forced. Check 'drbdadm status $_name' on both nodes; if this side is the one to keep, run 'drbdadm primary --force $_name' yourself"
    elif peer_answers "$1" && _up=$ANSWERS && [ -n "$_up" ]; then
        say "DRBD $_name: $_peer answers ($_up) but its DRBD did not connect within $(item DRBD "$1" PEER_WAIT) s: waiting for it (install or configure its package; check the replication link to $(item DRBD "$1" PEER_ADDRESS)). Nothing is forced while $_peer is up"
        WAITING=1
    elif ! peer_alive "$DRBD_WITNESS"; then
        say "DRBD $_name: neither $_peer nor the witness $DRBD_WITNESS answers: this node may be the one cut off: not forced; waiting (the converge runs again every 2 minutes while waiting)"
        WAITING=1
    else
        say "DRBD $_name: $_peer did not connect within $(item DRBD "$1" PEER_WAIT) s and answers on none of its addresses ($(item DRBD "$1" PEER_ADDRESSES)) while the witness $DRBD_WITNESS does: going on one-legged (primary --force on the device whose metadata this node just created); $_peer joins and syncs when it comes"
        act drbdadm primary --force "$_name" || { fail "drbdadm primary --force $_name failed"; return 1; }
        [ "$DRY" = 1 ] || rm -f "$_mark"
    fi
}

# peer_answers I: ANSWERS, the addresses of resource I's peer that answer
# (none: empty), all probed at once, within FENCE_PROBE_LIMIT seconds (and
# its grace); remembered for the peer for the rest of this run (call it
# outside $(...)).
ANSWERS_PEER='' ANSWERS=''
peer_answers() {
    if [ -n "$ANSWERS_PEER" ] && [ "$ANSWERS_PEER" = "$(item DRBD "$1" PEER)" ]; then
        return 0
    fi
    _pd=$(mktemp -d "${TMPDIR:-/tmp}/$PROG-probe.XXXXXX") || { ANSWERS=unknown; return 0; }
    for _a in $(item DRBD "$1" PEER_ADDRESSES); do
        probe_host "$_a" 22 "$_pd/$_a" &
    done
    wait
    _ans=''
    for _a in $(item DRBD "$1" PEER_ADDRESSES); do
        [ -e "$_pd/$_a" ] && _ans="$_ans${_ans:+, }$_a"
    done
    rm -rf "$_pd"
    ANSWERS_PEER=$(item DRBD "$1" PEER) ANSWERS=$_ans
}

drbd_progress() {
    sed -n "/^ *$1: /,/^ *[0-9]*: /p" "$PROC_DRBD" | sed -n 's/.*sync.ed: *\([0-9.]*%\).*/\1/p' | head -n 1
}

# drbd_wait_uptodate MINOR SECONDS: until the local disk is UpToDate.
drbd_wait_uptodate() {
    [ "$DRY" = 1 ] && return 0
    _t=0
    while [ "$_t" -lt "$(($2 * 2))" ]; do
        drbd_read "$1"
        case "$DS" in UpToDate/*) return 0 ;; esac
        case "$CS" in WFConnection | StandAlone | Unconfigured) return 1 ;; esac
        sleep 0.5
        _t=$((_t + 1))
    done
    return 1
}

converge_drbd() {
    [ "$DRBD_COUNT" -gt 0 ] || return 0
    if [ ! -e /proc/drbd ]; then
        act modprobe drbd || { fail "modprobe drbd failed: is the kernel's drbd module there?"; return 1; }
    fi
    _i=1
    _pending=0
    while [ "$_i" -le "$DRBD_COUNT" ]; do
        drbd_up "$(item DRBD "$_i" NAME)" "$(item DRBD "$_i" MINOR)" "$(item DRBD "$_i" DISK)"
        _i=$((_i + 1))
    done
    [ "$DRY" = 1 ] && return 0
    drbd_wait_peers
    _i=1
    while [ "$_i" -le "$DRBD_COUNT" ]; do
        drbd_settle "$_i"
        _i=$((_i + 1))
    done
}

# drbd_wait_peers: wait for the peer once, for all resources together, up to
# DRBD_PEER_WAIT seconds.
drbd_wait_peers() {
    _t=0
    _limit=$((DRBD_PEER_WAIT * 2))
    while :; do
        _pending=0
        _i=1
        while [ "$_i" -le "$DRBD_COUNT" ]; do
            drbd_read "$(item DRBD "$_i" MINOR)"
            # Waiting for the peer: not connected yet, or connected while
            # its disk is not attached yet (its converge is still running).
            case "$CS/${DS#*/}" in
                WFConnection/* | WFReportParams/* | Unconnected/* | NetworkFailure/* | BrokenPipe/* | Timeout/* | TearDown/* | Disconnecting/* | ProtocolError/* | Connected/Diskless | Connected/DUnknown) _pending=1 ;;
            esac
            _i=$((_i + 1))
        done
        [ "$_pending" = 0 ] && break
        [ "$_t" -ge "$_limit" ] && break
        [ "$_t" = 0 ] && say "DRBD: waiting up to $DRBD_PEER_WAIT s for $PEERS to connect"
        sleep 0.5
        _t=$((_t + 1))
    done
}

# drbd_detail MINOR: OOS (KiB out of sync), PCT (a sync's or verify's
# progress, %), ETA (its estimate, H:MM:SS), SPEED (K/sec), RUNNING (sync
# or verify) from the lines under MINOR in /proc/drbd (8.4: "oos:", "[==>...]
# sync'ed: 10.1% (..)M", "finish: 0:00:42 speed: 24,576 (24,576) K/sec").
drbd_detail() {
    OOS='' PCT='' ETA='' SPEED='' RUNNING=''
    read -r OOS PCT ETA SPEED RUNNING <<EOF
$(awk -v m="$1:" '
    $1 == m { on = 1; next }
    on && $1 ~ /^[0-9]+:$/ { on = 0 }
    on {
        for (i = 1; i <= NF; i++) if ($i ~ /^oos:/) oos = substr($i, 5)
        if (match($0, /(sync.ed|verified): *[0-9.]+%/)) {
            t = substr($0, RSTART, RLENGTH); run = (t ~ /^verified/) ? "verify" : "sync"
            sub(/^[^:]*: */, "", t); sub(/%$/, "", t); pct = t
        }
        if ($1 == "finish:") { eta = $2; sp = $4; gsub(/,/, "", sp) }
    }
    END { printf "%s %s %s %s %s\n", (oos == "" ? "-" : oos), (pct == "" ? "-" : pct), (eta == "" ? "-" : eta), (sp == "" ? "-" : sp), (run == "" ? "-" : run) }
' "$PROC_DRBD" 2>/dev/null)
EOF
    [ "$OOS" = - ] && OOS=''
    [ "$PCT" = - ] && PCT=''
    [ "$ETA" = - ] && ETA=''
    [ "$SPEED" = - ] && SPEED=''
    [ "$RUNNING" = - ] && RUNNING=''
    return 0
}

# drbd_split_brain RESOURCE MINOR: the kernel logged an unresolved split
# brain for it (a bounded read of the kernel log) and it is StandAlone
# (read into CS by drbd_read).
drbd_split_brain() {
    [ "$CS" = StandAlone ] || return 1
    # 8.4 logs it per device ("block drbd0: Split-Brain detected but
    # unresolved, dropping connection!"); the ring buffer may have
    # rotated, the journal keeps the boot's kernel messages.
    _pat="[ :]($1|drbd$2): .*Split-Brain detected but unresolved"
    bounded 3 dmesg 2>/dev/null | grep -qE "$_pat" && return 0
    bounded 3 journalctl -k -b -q --no-pager 2>/dev/null | grep -qE "$_pat"
}

# status_drbd: a row per resource, with its detail in --json. FROZEN_RES
# lists the resources whose I/O is frozen: status_ocfs2 reads nothing on
# them.
FROZEN_RES=' '
status_drbd() {
    _i=1
    FROZEN_RES=' '
    while [ "$_i" -le "$DRBD_COUNT" ]; do
        _name=$(item DRBD "$_i" NAME)
        _minor=$(item DRBD "$_i" MINOR)
        _peer=$(item DRBD "$_i" PEER)
        drbd_read "$_minor"
        drbd_detail "$_minor"
        _sb=false
        drbd_split_brain "$_name" "$_minor" && _sb=true
        _fence=$(cut -d' ' -f2- "$RUN_DIR/$PROG.fence-$_name" 2>/dev/null)
        _state="$CS $RO $DS"
        [ -n "$RUNNING" ] && _state="$_state, $RUNNING ${PCT}% done${ETA:+, about $ETA left}${SPEED:+ at $SPEED K/s}"
        [ -n "$OOS" ] && [ "$OOS" != 0 ] && _state="$_state, $OOS KiB out of sync"
        ROW_EXTRA=",\"resource\":$(json_str "$_name"),\"peer\":$(json_str "$_peer"),\"minor\":$(json_num "$_minor"),\"cs\":$(json_str "$CS"),\"role\":$(json_str "${RO%%/*}"),\"peer_role\":$(json_str "${RO#*/}"),\"disk\":$(json_str "${DS%%/*}"),\"peer_disk\":$(json_str "${DS#*/}"),\"suspended\":$([ "$SUSP" = 1 ] && echo true || echo false),\"out_of_sync_kib\":$(json_num "$OOS"),\"running\":$(json_str "$RUNNING"),\"done_percent\":$(json_num "$PCT"),\"eta\":$(json_str "$ETA"),\"speed_kib_s\":$(json_num "$SPEED"),\"split_brain\":$_sb,\"last_fence_peer\":$(json_str "$_fence")"
        if [ "$SUSP" = 1 ]; then
            FROZEN_RES="$FROZEN_RES$_name "
            _why=$_fence
            [ -n "$_why" ] || _why="see 'journalctl -t $PROG'"
            bad drbd "$_name" "$_state, I/O FROZEN" "fencing: $_peer is not known to be outdated or dead ($_why)"
        elif [ "$_sb" = true ]; then
            bad drbd "$_name" "$_state, SPLIT BRAIN" "both sides wrote while apart: on the node whose changes are to be dropped, '$PROG split-brain $_name' says what it will do, '--discard-here' does it"
        elif [ -n "$OOS" ] && [ "$OOS" != 0 ] && [ "$CS" = Connected ]; then
            bad drbd "$_name" "$_state" "online verify found blocks that differ: check which copy is right, then resync them with 'drbdadm disconnect --force $_name; drbdadm connect $_name' (on one node; a hard disconnect, since a Primary whose peer is Primary refuses a graceful one: I/O waits until they are connected)"
        elif [ "$CS" = Connected ] && [ "$RO" = Primary/Primary ] && [ "$DS" = UpToDate/UpToDate ]; then
            row drbd "$_name" "$_state"
        else
            case "$CS" in
                Sync* | PausedSync*) _hint="a resync is running: Primary/Primary once it ends (both nodes show its progress)" ;;
                StandAlone) _hint="it refuses to connect to $_peer: see 'dmesg | grep drbd'; then 'drbdadm connect $_name'" ;;
                WFConnection)
                    peer_answers "$_i"
                    _hint=$(drbd_why "$_i")
                    ;;
                *) _hint="want Connected Primary/Primary UpToDate/UpToDate" ;;
            esac
            bad drbd "$_name" "$_state" "$_hint"
        fi
        _i=$((_i + 1))
    done
}

# drbd_why I: why resource I's peer is not connected, in one phrase: up on
# some network (the replication link is what fails), or silent everywhere.
drbd_why() {
    peer_answers "$1"
    _up=$ANSWERS
    if [ -n "$_up" ]; then
        printf '%s answers (%s) but DRBD is not connected over the replication link (%s): check the link and DRBD there' "$(item DRBD "$1" PEER)" "$_up" "$(item DRBD "$1" PEER_ADDRESS)"
    else
        printf '%s answers on none of its addresses (%s): down, or cut off from here' "$(item DRBD "$1" PEER)" "$(item DRBD "$1" PEER_ADDRESSES)"
    fi
}

# after-resync: DRBD's after-resync-target handler. This node's disk of
# DRBD_RESOURCE has just become UpToDate: run the converge unit again (it
# promotes and mounts), unless a converge is running, which sees it itself.
after_resync() {
    say "DRBD ${DRBD_RESOURCE:-?}: resync finished, disk UpToDate"
    [ -d /run/systemd/system ] || return 0
    # A converge is running (or its unit is starting and has not taken the
    # lock yet, which a restart would kill): it may have read the state
    # before this sync ended; the retry timer runs it again.
    if ! flock -n "/run/$PROG.lock" true 2>/dev/null ||
        [ "$(systemctl show -P ActiveState "$PROG-converge.service" 2>/dev/null)" = activating ]; then
        : >"$WAITING_FLAG"
        return 0
    fi
    systemctl restart --no-block "$PROG-converge.service" || true
}
