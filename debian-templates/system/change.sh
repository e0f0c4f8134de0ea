# The replication link after day one: status checks the address on the
# interface and the peer reachable over it. A part of the node-side
# command, not a script of its own.

status_link() {
    [ -n "${REPL_IFACE:-}" ] || return 0
    if ip -o addr show dev "$REPL_IFACE" 2>/dev/null | grep -q " $REPL_ADDRESS "; then
        row link "$REPL_IFACE" "$REPL_ADDRESS"
    else
        bad link "$REPL_IFACE" "without $REPL_ADDRESS" "ifup $REPL_IFACE (or 'ifdown $REPL_IFACE && ifup $REPL_IFACE' once nothing runs over it)"
        return 0
    fi
    if ping -n -q -c 1 -W 2 "$REPL_PEER" >/dev/null 2>&1; then
        row link "peer $REPL_PEER" "reachable"
    else
        bad link "peer $REPL_PEER" "no answer" "check the cable and the peer's $REPL_IFACE"
    fi
}
