# IDs: the status view of the pinned groups and users (the ids package
# makes them; converge has nothing to do). A part of the node-side command,
# not a script of its own.

# status_ids: pinned IDs: the profile's, hence the same as on every other node.
status_ids() {
    _i=1
    while [ "$_i" -le "${GROUP_COUNT:-0}" ]; do
        _name=$(item GROUP "$_i" NAME)
        _want=$(item GROUP "$_i" GID)
        _i=$((_i + 1))
        _have=$(getent group "$_name" | cut -d: -f3)
        if [ "$_have" = "$_want" ]; then row ids "group $_name" "$_have (pinned)"; else bad ids "group $_name" "${_have:-missing}, pinned $_want" "reinstall $TAG-ids (its preinst says what blocks the move)"; fi
    done
    _i=1
    while [ "$_i" -le "${USER_COUNT:-0}" ]; do
        _name=$(item USER "$_i" NAME)
        _want=$(item USER "$_i" UID)
        _i=$((_i + 1))
        _have=$(id -u "$_name" 2>/dev/null || true)
        if [ "$_have" = "$_want" ]; then row ids "user $_name" "$_have (pinned)"; else bad ids "user $_name" "${_have:-missing}, pinned $_want" "reinstall $TAG-ids (its preinst says what blocks the move)"; fi
    done
}

# status_ids_peer: the pinned IDs as the peer resolves them, over the admin
# network with root's ssh trust (the admin's choice; storpkg does not set
# it up), within 3 s; without that trust, said and not counted as wrong.
status_ids_peer() {
    [ "${DRBD_COUNT:-0}" -gt 0 ] || return 0
    _pname=$(item DRBD 1 PEER)
    _padm=$(item DRBD 1 PEER_ADMIN)
    [ -n "$_padm" ] || return 0
    _names='' _unames=''
    _i=1
    while [ "$_i" -le "${GROUP_COUNT:-0}" ]; do _names="$_names $(item GROUP "$_i" NAME)"; _i=$((_i + 1)); done
    _i=1
    while [ "$_i" -le "${USER_COUNT:-0}" ]; do _unames="$_unames $(item USER "$_i" NAME)"; _i=$((_i + 1)); done
    [ -n "$_names$_unames" ] || return 0
    [ "$(id -u)" = 0 ] || { row ids "peer $_pname" "not compared (status as root compares over ssh)"; return 0; }
    _theirs=$(bounded 3 ssh -n -o BatchMode=yes -o ConnectTimeout=2 -o StrictHostKeyChecking=yes \
        "root@$_padm" "getent group$_names; getent passwd$_unames" 2>/dev/null)
    _rc=$?
    if timed_out "$_rc"; then
        row ids "peer $_pname" "not compared: $(unknown)"
        return 0
    fi
    case "$_theirs" in
        *:*) ;;
        *) row ids "peer $_pname" "not compared (no ssh trust for root to $_padm)"; return 0 ;;
    esac
    _diff=''
    for _n in $_names; do
        _m=$(getent group "$_n" | cut -d: -f3)
        _t=$(printf '%s\n' "$_theirs" | awk -F: -v n="$_n" 'NF == 4 && $1 == n { print $3; exit }')
        [ "$_m" = "$_t" ] || _diff="$_diff group $_n ${_m:-missing}/${_t:-missing}"
    done
    for _n in $_unames; do
        _m=$(id -u "$_n" 2>/dev/null || true)
        _t=$(printf '%s\n' "$_theirs" | awk -F: -v n="$_n" 'NF == 7 && $1 == n { print $3; exit }')
        [ "$_m" = "$_t" ] || _diff="$_diff user $_n ${_m:-missing}/${_t:-missing}"
    done
    if [ -z "$_diff" ]; then
        row ids "peer $_pname" "the same IDs"
    else
        bad ids "peer $_pname" "differ (here/there):$_diff" "reinstall $TAG-ids on the node that differs from the profile"
    fi
}
