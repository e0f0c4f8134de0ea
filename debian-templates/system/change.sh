# The replication link after day one: status checks the address on the
# interface and each peer reachable over it. A part of the node-side
# command, not a script of its own.

status_link() {
    [ -n "${REPL_IFACE:-}" ] || return 0
    if ip -o addr show dev "$REPL_IFACE" 2>/dev/null | grep -q " $REPL_ADDRESS "; then
        row link "$REPL_IFACE" "$REPL_ADDRESS"
    else
        bad link "$REPL_IFACE" "without $REPL_ADDRESS" "ifup $REPL_IFACE (or 'ifdown $REPL_IFACE && ifup $REPL_IFACE' once nothing runs over it)"
        return 0
    fi
    # Each peer's end (a node of several pairs has several).
    for _p in $REPL_PEER; do
        if ping -n -q -c 1 -W 2 "$_p" >/dev/null 2>&1; then
            row link "peer $_p" "reachable"
        else
            bad link "peer $_p" "no answer" "check the cable and the peer's $REPL_IFACE"
        fi
    done
}
