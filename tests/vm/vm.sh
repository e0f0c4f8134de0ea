# shellcheck shell=bash
# tests/vm/vm.sh: starting, reaching and stopping the suite's VMs, sourced
# by tests/vm/run. One QEMU process per VM (TCG, 1 vCPU, 1 GiB); a guest
# reboot stays inside its QEMU process, so the socket links survive it.
#
# Networks (all on 127.0.0.1, nothing leaves the machine):
#   LAN          -netdev socket: fiori listens on PORT, torchio connects;
#                with a third VM (the pair scenario's client) a VDE switch
#                instead (vde_switch on a unix socket in the work directory)
#   replication  -netdev socket: fiori listens on PORT+1, torchio connects
#                (the client VM's is a user-mode net that goes nowhere)
#   management   -netdev user,restrict=on (no route out), ssh forwarded from
#                127.0.0.1:PORT+2 (fiori) / PORT+3 (torchio) / PORT+4 (client)
#                / PORT+5 (ponte, the hub scenario's third storage VM, on VDE
#                switches for both the LAN and the replication segment)

declare -A VM_PID VM_SSH VM_NUM
VM_NUM[fiori]=6
VM_NUM[torchio]=7
VM_NUM[client]=5
VM_NUM[ponte]=8
LAN_VDE=
REP_VDE=
VM_MEM=${VM_MEM:-1024}
VG_DISK_MIB=${VG_DISK_MIB:-256}
# shellcheck disable=SC2034 # scenarios.sh reads it (the size to go back to)
VG_DISK_MIB_BASE=$VG_DISK_MIB

# work_new: a fresh work directory (disks, consoles) for one scenario.
work_new() {
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/storpkg-vm.XXXXXX")
    # Fresh VMs: no canaries of an earlier scenario to look for.
    # shellcheck disable=SC2034 # scenarios.sh reads it
    CANARY=()
    # Ports: a block of six nobody listens on (runs go at once).
    local try p busy
    for try in $(seq 20); do
        PORT=$((20000 + ($$ * 7 + RANDOM + try) % 20000))
        busy=
        for p in $(seq "$PORT" $((PORT + 5))); do
            ss -Hltn "sport = :$p" | grep -q . && busy=1
        done
        [ -n "$busy" ] || break
    done
    VM_SSH[fiori]=$((PORT + 2))
    VM_SSH[torchio]=$((PORT + 3))
    VM_SSH[client]=$((PORT + 4))
    VM_SSH[ponte]=$((PORT + 5))
    LAN_VDE=
    REP_VDE=
    local k
    k=$(debugfs -R "cat /etc/ssh/ssh_host_ed25519_key.pub" "$IMAGE_DIR/root.img" 2>/dev/null)
    [ -n "$k" ] || die "no ssh host key in $IMAGE_DIR/root.img"
    printf 'storpkg-vm %s\n' "$k" >"$WORK/known_hosts"
    log "work directory $WORK (ports $PORT-$((PORT + 5)))"
    http_start
}

work_done() {
    local n
    for n in "${!TUNNEL_PID[@]}"; do tunnel_close "$n"; done
    for n in "${!VM_PID[@]}"; do vm_kill "$n"; done
    http_stop
    lan_switch_stop
    if [ "${VM_KEEP:-0}" = 1 ]; then
        log "kept $WORK"
    else
        rm -rf "$WORK"
    fi
}

# vm_disks NAME: a qcow2 overlay of the image and an empty disk for vg0.
vm_disks() {
    qemu-img create -q -f qcow2 -F raw -b "$IMAGE_DIR/root.img" "$WORK/$1.qcow2"
    rm -f "$WORK/$1-vg.raw" "$WORK/$1-vg.qcow2"
    truncate -s "${VG_DISK_MIB}M" "$WORK/$1-vg.raw"
}

# vde_start LINK: a VDE switch for LINK (lan or rep) in the work directory;
# prints its socket. lan_switch_start: the LAN on one (three VMs on one
# segment). rep_switch_start: the replication link too, for a scenario
# that kills and restarts fiori's QEMU (a power loss): the connecting end
# of a -netdev socket link never reconnects to a restarted listener.
# Call them before the VMs start.
vde_start() {
    command -v vde_switch >/dev/null || die "vde_switch missing: apt-get install vde2"
    local sock=$WORK/$1.vde _
    vde_switch --sock "$sock" --daemon --pidfile "$WORK/vde-$1.pid" --mode 0600 ||
        die "vde_switch ($1) did not start"
    for _ in $(seq 50); do
        [ -S "$sock/ctl" ] && { printf '%s' "$sock"; return 0; }
        sleep 0.1
    done
    die "vde_switch: no $sock/ctl"
}
lan_switch_start() { LAN_VDE=$(vde_start lan); }
rep_switch_start() { REP_VDE=$(vde_start rep); }
lan_switch_stop() {
    local f
    for f in "$WORK"/vde-*.pid; do
        [ -e "$f" ] || continue
        kill "$(cat "$f")" 2>/dev/null || true
        rm -f "$f"
    done
}

vm_start() {
    local name=$1 n=${VM_NUM[$1]} role lan rep vg=$WORK/$1-vg.raw vgfmt=raw incoming=()
    if [ "$name" = fiori ]; then role=listen; else role=connect; fi
    lan="socket,id=lan,$role=127.0.0.1:$PORT"
    rep="socket,id=rep,$role=127.0.0.1:$((PORT + 1))"
    [ -z "$LAN_VDE" ] || lan="vde,id=lan,sock=$LAN_VDE"
    [ -z "$REP_VDE" ] || rep="vde,id=rep,sock=$REP_VDE"
    [ "$name" != client ] || rep="user,id=rep,restrict=on"
    if [ "$role" = connect ] && [ "$name" != client ] && [ -z "$REP_VDE" ]; then
        # The listener must be there first, or the link stays down (fiori's
        # QEMU opens its listening sockets together).
        local _
        for _ in $(seq 50); do
            ss -Hltn "sport = :$((PORT + 1))" | grep -q . && break
            sleep 0.2
        done
    fi
    # A restored VM (snap_restore) runs on overlays of its snapshot's disks,
    # from its saved state: same devices, same order (the state is theirs).
    if [ -e "$WORK/$name-vg.qcow2" ]; then vg=$WORK/$name-vg.qcow2 vgfmt=qcow2; fi
    if [ -n "${VM_INCOMING[$name]:-}" ]; then
        incoming=(-incoming "exec:cat ${VM_INCOMING[$name]}")
        unset "VM_INCOMING[$name]"
    fi
    local mac
    mac=$(printf '52:54:00:00:%02x' "$n")
    rm -f "$WORK/$name.qmp"
    # -nodefaults, -vga none: no CD-ROM, VGA or parallel port, whose
    # drivers (and a framebuffer console) cost boot time under TCG.
    qemu-system-x86_64 -machine q35,accel=tcg -cpu max -smp 1 -m "$VM_MEM" \
        -nodefaults -vga none -display none -monitor none -serial "file:$WORK/$name.console" \
        -qmp "unix:$WORK/$name.qmp,server=on,wait=off" \
        -kernel "$IMAGE_DIR/vmlinuz" -initrd "$IMAGE_DIR/initrd.img" \
        -append "console=ttyS0 root=/dev/vda rw net.ifnames=0 systemd.hostname=$name quiet" \
        -drive "file=$WORK/$name.qcow2,if=virtio,format=qcow2,cache=unsafe" \
        -drive "file=$vg,if=virtio,format=$vgfmt,cache=unsafe" \
        -netdev "$lan" -device "virtio-net-pci,netdev=lan,mac=$mac:01" \
        -netdev "$rep" -device "virtio-net-pci,netdev=rep,mac=$mac:02" \
        -netdev "user,id=mgmt,restrict=on,hostfwd=tcp:127.0.0.1:${VM_SSH[$name]}-:22" \
        -device "virtio-net-pci,netdev=mgmt,mac=$mac:03" \
        "${incoming[@]}" >>"$WORK/$name.qemu.log" 2>&1 &
    VM_PID[$name]=$!
    log "$name: QEMU started (pid ${VM_PID[$name]}${incoming:+, restoring its snapshot})"
}

# vm_boot NAME: NAME on blank disks, booted (vm_wait waits for it): restored
# from the suite's snapshot of a booted, prepared VM (snap_restore) when
# there is one, else a cold boot (vm_disks, vm_start).
vm_boot() {
    if [ -n "$SNAP" ]; then
        snap_restore "$1"
    else
        vm_disks "$1"
        vm_start "$1"
    fi
}

# --- Snapshots of booted VMs ---------------------------------------------
# A boot costs 80-150 s under TCG, and every scenario starts from the same
# state: fiori, torchio and the client booted on blank disks, fiori and
# torchio prepared (vg0, the witness). That state is made once per image
# (snap_ensure: booted, prepared, then each QEMU's state migrated to a
# file and its disks kept), cached in $CACHE/vm-snap-KEY/, and every
# scenario restores it in seconds (snap_restore: overlays of the kept
# disks, -incoming from the state file). The key hashes the image, the
# functions that make the state and the device list. VM_SNAPSHOT=0 boots
# every VM cold instead. A guest reboot or a power cycle inside a scenario
# is a real boot either way.
declare -A VM_INCOMING VM_RESTORED
SNAP=
SNAP_REV=1
SNAP_VG_MIB=1280

snap_key() {
    {
        image_key
        printf '%s\n' "$SNAP_REV" "$SNAP_VG_MIB" "$VM_MEM"
        declare -f snap_make prepare vm_start vm_disks
    } | sha256sum | cut -c1-16
}

# qmp NAME COMMAND [ARGS-JSON]: one QMP command to NAME's QEMU.
qmp() {
    "$VMDIR/qmp" "$WORK/$1.qmp" "${@:2}"
}

# vm_save NAME DIR: NAME's QEMU stopped, its state migrated to DIR/NAME.state
# and its disks moved to DIR; the QEMU process ends.
vm_save() {
    local name=$1 dir=$2 st _
    on "$name" sync
    qmp "$name" stop >/dev/null
    qmp "$name" migrate "{\"uri\": \"exec:cat >$dir/$name.state\"}" >/dev/null
    for _ in $(seq 600); do
        st=$(qmp "$name" query-migrate | python3 -c 'import json,sys; print(json.load(sys.stdin).get("status", ""))')
        case "$st" in
            completed) break ;;
            failed | cancelled) die "$name: saving its state failed ($st)" ;;
        esac
        sleep 0.5
    done
    [ "$st" = completed ] || die "$name: saving its state did not complete"
    qmp "$name" quit >/dev/null || true
    wait "${VM_PID[$name]}" 2>/dev/null || true
    unset "VM_PID[$name]"
    mv "$WORK/$name.qcow2" "$dir/$name.qcow2"
    mv "$WORK/$name-vg.raw" "$dir/$name-vg.raw"
}

# snap_make DIR: the snapshot's state: the three VMs booted on blank disks
# at once, fiori and torchio prepared, then saved into DIR.
snap_make() {
    local dir=$1 n
    VG_DISK_MIB=$SNAP_VG_MIB
    work_new
    trap work_done EXIT
    lan_switch_start
    for n in fiori torchio client; do
        vm_disks "$n"
        vm_start "$n"
    done
    for n in fiori torchio client; do vm_wait "$n"; done
    prepare fiori
    prepare torchio
    for n in fiori torchio client; do vm_save "$n" "$dir"; done
    work_done
    trap - EXIT
    VG_DISK_MIB=$VG_DISK_MIB_BASE
}

# snap_ensure: SNAP names the cached snapshot, made first if need be.
snap_ensure() {
    SNAP=
    [ "${VM_SNAPSHOT:-1}" = 1 ] || { log "snapshot: none (VM_SNAPSHOT=0): every VM boots cold"; return 0; }
    local dir tmp t0=$SECONDS
    dir=$CACHE/vm-snap-$(snap_key)
    # Suites of one release run at once (scripts/test): one makes the
    # snapshot, the others wait for it on the lock.
    exec {SNAP_LOCK}>"$dir.lock"
    flock "$SNAP_LOCK"
    if [ ! -e "$dir/client.state" ]; then
        log "snapshot: making $dir (three VMs booted, two prepared)"
        tmp=$(mktemp -d "$CACHE/vm-snap-build.XXXXXX")
        snap_make "$tmp"
        rm -rf "$dir"
        mv "$tmp" "$dir"
        log "snapshot: made in $((SECONDS - t0)) s ($(du -sh "$dir" | cut -f1))"
    else
        log "snapshot: cached $dir (waited $((SECONDS - t0)) s)"
    fi
    exec {SNAP_LOCK}>&-
    SNAP=$dir
}

# snap_restore NAME: NAME's QEMU from the snapshot (overlays of its disks,
# its saved state); vm_wait then sets its clock.
snap_restore() {
    local name=$1
    qemu-img create -q -f qcow2 -F qcow2 -b "$SNAP/$name.qcow2" "$WORK/$name.qcow2"
    rm -f "$WORK/$name-vg.raw"
    qemu-img create -q -f qcow2 -F raw -b "$SNAP/$name-vg.raw" "$WORK/$name-vg.qcow2"
    VM_INCOMING[$name]=$SNAP/$name.state
    VM_RESTORED[$name]=1
    vm_start "$name"
    # The state was saved stopped, so it loads stopped: run it once loaded.
    local st _ t0=$SECONDS
    for _ in $(seq 240); do
        st=$(qmp "$name" query-status 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])' 2>/dev/null) || st=
        case "$st" in
            paused | postmigrate | prelaunch) qmp "$name" cont >/dev/null && break ;;
            running) break ;;
        esac
        kill -0 "${VM_PID[$name]}" 2>/dev/null || die "$name: QEMU exited while restoring (see $WORK/$name.qemu.log)"
        sleep 0.5
    done
    [ "$st" = running ] || [ "$st" = paused ] || [ "$st" = postmigrate ] || [ "$st" = prelaunch ] ||
        die "$name: its snapshot did not load (QEMU status '$st')"
    log "$name: restored in $((SECONDS - t0)) s"
}

# vm_ssh NAME ARGS...: ssh to the VM's management NIC.
vm_ssh() {
    local name=$1
    shift
    ssh -q -i "$IMAGE_DIR/id_ed25519" -p "${VM_SSH[$name]}" \
        -o HostKeyAlias=storpkg-vm -o UserKnownHostsFile="$WORK/known_hosts" \
        -o StrictHostKeyChecking=yes -o BatchMode=yes -o ConnectTimeout=5 \
        -o ServerAliveInterval=5 -o ServerAliveCountMax=6 "$@"
}

# on NAME CMD: run a shell command as root in the VM.
on() {
    local name=$1
    shift
    vm_ssh "$name" root@127.0.0.1 "$*"
}

# The install server. The site's repository (storpkg build's repo/) is
# served over HTTP on 127.0.0.1 (http_start); each VM reaches it at the
# profile's install server address, 192.168.1.1, which repo_tunnel puts on
# the VM's loopback and forwards back over its ssh connection (ssh -R). So
# the packages' own apt sources work in the VMs, and nothing leaves
# loopback and the VMs.
declare -A TUNNEL_PID
INSTALL_SERVER=192.168.1.1
http_start() {
    mkdir -p "$DIST/www"
    ln -sfn "$OUT/repo" "$DIST/www/$SITE"
    local _
    for _ in $(seq 20); do
        HTTP_PORT=$((20000 + RANDOM % 20000))
        ss -Hltn "sport = :$HTTP_PORT" | grep -q . || break
    done
    python3 -m http.server --bind 127.0.0.1 --directory "$DIST/www" "$HTTP_PORT" >"$WORK/http.log" 2>&1 &
    HTTP_PID=$!
    for _ in $(seq 50); do
        ss -Hltn "sport = :$HTTP_PORT" | grep -q . && return 0
        sleep 0.2
    done
    die "the repository's HTTP server on 127.0.0.1:$HTTP_PORT did not start (see $WORK/http.log)"
}
http_stop() {
    [ -n "${HTTP_PID:-}" ] || return 0
    kill "$HTTP_PID" 2>/dev/null || true
    wait "$HTTP_PID" 2>/dev/null || true
    HTTP_PID=
}

# repo_tunnel NAME: (re)open NAME's way to the install server.
repo_tunnel() {
    local n=$1 try _
    tunnel_close "$n"
    # sshd binds remote forwards to loopback only unless GatewayPorts says
    # otherwise; its reload closes the listener for a moment, so the tunnel
    # is (re)tried below.
    # Tried three times: once, on a VM restored beside two other runs, sshd
    # closed the first connection after the restore.
    for try in 1 2 3; do
        on "$n" "ip addr replace $INSTALL_SERVER/32 dev lo
            if [ ! -e /etc/ssh/sshd_config.d/storpkg-vm-suite.conf ]; then
                printf 'GatewayPorts clientspecified\n' >/etc/ssh/sshd_config.d/storpkg-vm-suite.conf
                systemctl reload ssh
            fi" && break
        [ "$try" != 3 ] || die "$n: could not prepare the install server address"
        sleep 2
    done
    for try in 1 2 3 4 5; do
        vm_ssh "$n" -N -o ExitOnForwardFailure=yes -R "$INSTALL_SERVER:80:127.0.0.1:$HTTP_PORT" root@127.0.0.1 &
        TUNNEL_PID[$n]=$!
        for _ in $(seq 10); do
            kill -0 "${TUNNEL_PID[$n]}" 2>/dev/null || break
            on "$n" "exec 3<>/dev/tcp/$INSTALL_SERVER/80" 2>/dev/null && return 0
            sleep 1
        done
        tunnel_close "$n"
        sleep "$try"
    done
    die "$n: the install server $INSTALL_SERVER:80 is not reachable through the tunnel"
}
tunnel_close() {
    local pid=${TUNNEL_PID[$1]:-}
    [ -n "$pid" ] || return 0
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    unset "TUNNEL_PID[$1]"
}

# put NAME SRC DEST: copy a file into the VM.
put() {
    scp -q -i "$IMAGE_DIR/id_ed25519" -P "${VM_SSH[$1]}" \
        -o HostKeyAlias=storpkg-vm -o UserKnownHostsFile="$WORK/known_hosts" \
        -o StrictHostKeyChecking=yes -o BatchMode=yes "$2" "root@127.0.0.1:$3"
}

# vm_wait NAME: until ssh answers and systemd finished booting.
vm_wait() {
    local name=$1 t0=$SECONDS
    while ! on "$name" true 2>/dev/null; do
        kill -0 "${VM_PID[$name]}" 2>/dev/null || die "$name: QEMU exited (see $WORK/$name.console)"
        [ $((SECONDS - t0)) -lt 600 ] || die "$name: no ssh after 600 s (see $WORK/$name.console)"
        sleep 2
    done
    if [ -n "${VM_RESTORED[$name]:-}" ]; then
        # Its clock stood still since the snapshot was saved.
        on "$name" "date -s @$(date +%s.%N) >/dev/null"
        unset "VM_RESTORED[$name]"
    fi
    local state
    state=$(on "$name" timeout 480 systemctl is-system-running --wait 2>/dev/null || true)
    [ -n "$state" ] || state="still starting after 480 s"
    if [ "$state" = "still starting after 480 s" ]; then
        on "$name" systemctl list-jobs --no-legend >&2 || true
    fi
    log "$name: up after $((SECONDS - t0)) s (systemd: $state)"
    if [ "$state" != running ]; then
        on "$name" systemctl --failed --no-legend >&2 || true
        diag "$name"
    fi
}

# vm_reboot NAME: a guest reboot inside the same QEMU process.
vm_reboot() {
    local name=$1
    on "$name" 'systemctl reboot' || true
    local t0=$SECONDS
    while on "$name" true 2>/dev/null; do
        [ $((SECONDS - t0)) -lt 300 ] || die "$name: still up 300 s after reboot"
        sleep 1
    done
    log "$name: rebooting"
}

vm_kill() {
    local pid=${VM_PID[$1]:-}
    [ -n "$pid" ] || return 0
    if kill -0 "$pid" 2>/dev/null; then
        on "$1" 'systemctl poweroff' 2>/dev/null || true
        local _
        for _ in $(seq 30); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 1
        done
        kill "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
    unset "VM_PID[$1]"
}

# diag NAME: the boot's story of the storage units, into the log.
diag() {
    on "$1" "journalctl -b --no-pager -o short-monotonic -u drbd.service -u o2cb.service -u ocfs2.service \
        -u 'vol-*.mount' -u '$SITE-storage-converge.service' -u nfs-server.service | tail -n 80" 2>&1 |
        sed "s/^/    [$1 journal] /" >&2 || true
}
