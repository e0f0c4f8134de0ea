# System: the status view of the kernel settings (systemd-sysctl applies
# them; converge has nothing to do). A part of the node-side command, not a
# script of its own.

# status_sysctl: every sysctl of the profile against the running kernel.
status_sysctl() {
    _i=1
    while [ "$_i" -le "${SYSCTL_COUNT:-0}" ]; do
        _key=$(item SYSCTL "$_i" KEY)
        _want=$(item SYSCTL "$_i" VALUE)
        _i=$((_i + 1))
        _have=$(cat "/proc/sys/$(printf '%s' "$_key" | tr . /)" 2>/dev/null || true)
        if [ "$_have" = "$_want" ]; then row sysctl "$_key" "$_have"; else bad sysctl "$_key" "${_have:-unknown}, profile $_want" "systemctl restart systemd-sysctl"; fi
    done
}
