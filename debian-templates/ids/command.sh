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
