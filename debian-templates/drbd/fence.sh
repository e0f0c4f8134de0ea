# DRBD's fence-peer handler: who may go on writing when the peer is lost,
# decided the way clusters do, with a witness and optional power fencing.
# A part of the node-side command, not a script of its own.
#
# The kernel runs it when a Primary (or a node being promoted) loses its
# peer without knowing the peer's disk, and reads its exit status
# (conn_try_outdate_peer in drbd_nl.c, DRBD 8.4): 3 (peer Inconsistent),
# 4 (peer Outdated) and 7 (peer stonithed) mark the peer's disk as no
# better than Outdated, 5 (peer unreachable) does so only while this
# node's disk is UpToDate; a peer's disk at Outdated or below is what ends
# resource-and-stonith's freeze (after_state_ch: "the outdate peer handler
# is successful"). Anything else (here 1) keeps I/O frozen until the link is
# back or the admin decides. 6 (outdate myself) is never used.
#
# The rule, in order, every step time-limited:
#   1. outdate the peer's disk over the admin network (root's ssh trust, if
#      the admin gave it): done 4, Inconsistent there 3, Primary there 1;
#   2. probe, all at once, every address of the peer (admin network and
#      replication link) and the witness ([drbd] witness, by default the
#      install server);
#   3. the peer answers anywhere: it is alive, the replication link is what
#      failed: 1 (frozen: two Primaries that cannot replicate must not both
#      write);
#   4. the peer answers nowhere: with a power-fencing command for it
#      ([drbd.fence_command]), power it off: success 7;
#   5. otherwise, this node reaches the witness: it is not the one cut
#      off, the peer is dead: 5; it reaches neither: it may be the one cut
#      off (and the peer may be going on): 1, frozen.
# Time: ssh <= 3 s, the probes <= 3 s together, the power command <= 5 s,
# the whole handler <= 12 s (a watchdog; past it, 1): well inside o2cb's
# disk heartbeat window (2 s x (O2CB_HEARTBEAT_THRESHOLD - 1): 60 s at
# o2cb's default 31, 120 s at 61), past which a node whose heartbeat
# writes hang on the frozen device reboots itself.
FENCE_SSH_LIMIT=3
FENCE_PROBE_LIMIT=2
FENCE_POWER_LIMIT=4
FENCE_LIMIT=12
RUN_DIR=${STORPKG_RUN_DIR:-/run}

fence_peer() {
    _res=${DRBD_RESOURCE:-}
    case "$_res" in
        "" | *[!A-Za-z0-9_.-]*)
            say "fence-peer: no valid DRBD_RESOURCE in the environment (run by DRBD only)"
            exit 1
            ;;
    esac
    if [ "${STORPKG_FENCE_INNER:-0}" != 1 ]; then
        # The watchdog: the decision never outlasts FENCE_LIMIT seconds.
        _t0=$(date +%s)
        timeout -k 1 "$FENCE_LIMIT" env STORPKG_FENCE_INNER=1 sh "$0" fence-peer
        _rc=$?
        case "$_rc" in
            3 | 4 | 5 | 7) ;;
            124 | 137) say "fence-peer $_res: no decision within $FENCE_LIMIT s: I/O stays frozen (see the messages above)"; _rc=1 ;;
            *) _rc=1 ;;
        esac
        journal "fence-peer $_res: exit $_rc after $(($(date +%s) - _t0)) s"
        exit "$_rc"
    fi
    fence_decide "$_res"
}

# fence_note RESOURCE TEXT: the decision, for status (RUN_DIR/PROG.fence-R).
fence_note() {
    printf '%s %s\n' "$(date +%s)" "$2" >"$RUN_DIR/$PROG.fence-$1" 2>/dev/null || true
}

# fence_decide RESOURCE: the rule above; exits with DRBD's code.
fence_decide() {
    _res=$1
    _peer='' _padm='' _addrs='' _fencing='' _power='' _prep=''
    _i=1
    while [ "$_i" -le "$DRBD_COUNT" ]; do
        if [ "$(item DRBD "$_i" NAME)" = "$_res" ]; then
            _peer=$(item DRBD "$_i" PEER) _padm=$(item DRBD "$_i" PEER_ADMIN)
            _addrs=$(item DRBD "$_i" PEER_ADDRESSES) _fencing=$(item DRBD "$_i" FENCING)
            _power=$(item DRBD "$_i" PEER_FENCE) _prep=$(item DRBD "$_i" PEER_ADDRESS)
        fi
        _i=$((_i + 1))
    done
    if [ -z "$_peer" ] || [ -z "$_padm" ]; then
        say "fence-peer $_res: this node has no DRBD resource $_res with a peer in its layout"
        exit 1
    fi
    # A switch to a new configuration with the peer (drbd/change.sh).
    drbd_switch_fence "$_res" && exit 1
    _addrs=${_addrs:-$_padm}
    if [ "$_fencing" = resource-and-stonith ]; then
        _frozen="I/O on $_res stays frozen here, so the two copies cannot diverge; it resumes by itself when the replication link is back"
    else
        _frozen="not declaring it down (with fencing $_fencing this Primary writes on; a Secondary is not promoted)"
    fi
    # 1. With root's ssh trust to the peer (the admin's choice; storpkg does
    # not set it up), outdate the peer's disk. drbdadm outdate answers 17
    # when the peer is Primary, 5 when its disk is Inconsistent or worse.
    _rc=0
    timeout -k 1 "$FENCE_SSH_LIMIT" ssh -n -o BatchMode=yes -o ConnectTimeout=2 -o StrictHostKeyChecking=yes \
        "root@$_padm" drbdadm outdate "$_res" >/dev/null 2>&1 || _rc=$?
    case "$_rc" in
        0)
            fence_say "$_res" "the disk of $_peer outdated over the admin network ($_padm): going on"
            exit 4
            ;;
        5)
            fence_say "$_res" "the disk of $_peer is Inconsistent or worse ('drbdadm outdate' there says so): it cannot take over; going on"
            exit 3
            ;;
        17)
            fence_say "$_res" "$_peer is up and Primary (it refuses to be outdated): the replication link to $_prep failed, not $_peer. $_frozen. To go on without $_peer: stop its use of $_res there (unmount, 'drbdadm secondary $_res'), or power it off, then run 'drbdadm resume-io $_res' here"
            exit 1
            ;;
    esac
    # 2. Every address of the peer and the witness, all at once.
    _dir=$(mktemp -d "${TMPDIR:-/tmp}/$PROG-fence.XXXXXX") || { say "fence-peer $_res: mktemp failed: $_frozen"; exit 1; }
    for _a in $_addrs; do
        probe_host "$_a" 22 "$_dir/peer-$_a" &
    done
    probe_host "$DRBD_WITNESS" 80 "$_dir/witness" &
    wait
    _up=''
    for _a in $_addrs; do
        [ -e "$_dir/peer-$_a" ] && _up="$_up${_up:+, }$_a"
    done
    _witness=0
    [ -e "$_dir/witness" ] && _witness=1
    rm -rf "$_dir"
    # 3. Alive somewhere: the link failed, not the peer.
    if [ -n "$_up" ]; then
        fence_say "$_res" "$_peer is up (it answers on $_up) but DRBD lost it on the replication link and its disk could not be outdated (no ssh trust for root?): $_frozen. Check the replication link ('ip link', 'drbdadm status $_res' on both nodes). To go on without $_peer: make sure it is off (or run 'drbdadm outdate $_res' there), then run 'drbdadm resume-io $_res' here"
        exit 1
    fi
    # 4. Silent everywhere: power fencing makes sure it stays that way.
    if [ -n "$_power" ] && [ "$_fencing" = resource-and-stonith ]; then
        # Words split at spaces, never a shell (the profile's grammar has
        # no metacharacter); no globbing.
        set -f
        # shellcheck disable=SC2086 # words, by design
        timeout -k 1 "$FENCE_POWER_LIMIT" $_power </dev/null >/dev/null 2>&1
        _rc=$?
        set +f
        if [ "$_rc" = 0 ]; then
            fence_say "$_res" "$_peer answered on none of its addresses ($_addrs) and was powered off by the fence command: going on (peer stonithed)"
            exit 7
        fi
        say "fence-peer $_res: the fence command for $_peer failed (exit $_rc; 124: it took over $FENCE_POWER_LIMIT s): deciding by the witness"
    fi
    # 5. The witness tells a dead peer from this node being cut off.
    if [ "$_witness" = 1 ]; then
        fence_say "$_res" "$_peer answers on none of its addresses ($_addrs) while the witness $DRBD_WITNESS answers: $_peer is down, this node is not cut off: going on alone (peer unreachable; DRBD resumes only on an UpToDate disk). When $_peer comes back it syncs from here"
        exit 5
    fi
    fence_say "$_res" "neither $_peer ($_addrs) nor the witness $DRBD_WITNESS answers: this node may be the one cut off, and $_peer may be writing: $_frozen. Check this node's network; if $_peer is down for good, make sure it is off, then run 'drbdadm resume-io $_res' here"
    exit 1
}

fence_say() {
    say "fence-peer $1: $2"
    fence_note "$1" "$2"
}

# probe_host ADDRESS PORT FILE: FILE is made when ADDRESS answers a ping or
# a TCP connection to PORT succeeds or is refused (a host that is down does
# neither), each probe within FENCE_PROBE_LIMIT seconds, both at once.
probe_host() {
    probe_ping "$1" "$3" &
    probe_tcp "$1" "$2" "$3" &
    wait
}
probe_ping() {
    if command -v ping >/dev/null 2>&1 &&
        timeout -k 1 "$FENCE_PROBE_LIMIT" ping -n -q -c 1 -W "$FENCE_PROBE_LIMIT" "$1" >/dev/null 2>&1; then
        : >"$2"
    fi
    return 0
}
probe_tcp() {
    # shellcheck disable=SC2016 # $1 and $2 are bash's, not ours
    _out=$(timeout -k 1 "$FENCE_PROBE_LIMIT" bash -c 'exec 3<>"/dev/tcp/$1/$2"' peer-probe "$1" "$2" 2>&1)
    _r=$?
    if [ "$_r" = 0 ]; then
        : >"$3"
    else
        case "$_out" in *refused*) : >"$3" ;; esac
    fi
    return 0
}

# peer_alive ADDRESS: the host answers (probe_host, bounded).
peer_alive() {
    _pd=$(mktemp -d "${TMPDIR:-/tmp}/$PROG-probe.XXXXXX") || return 0
    probe_host "$1" 22 "$_pd/up"
    _alive=1
    [ -e "$_pd/up" ] && _alive=0
    rm -rf "$_pd"
    return "$_alive"
}
