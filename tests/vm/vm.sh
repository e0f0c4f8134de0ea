# shellcheck shell=bash
# tests/vm/vm.sh: starting, reaching and stopping the suite's VMs, sourced
# by tests/vm/run. One QEMU process per VM (TCG, 1 vCPU, 1 GiB); a guest
# reboot stays inside its QEMU process, so the socket links survive it.
#
# Networks (all on 127.0.0.1, nothing leaves the machine):
#   LAN          -netdev socket: fiori listens on PORT, torchio connects;
#                with a third VM (the client scenario) a VDE switch instead
#                (vde_switch on a unix socket in the work directory)
#   replication  -netdev socket: fiori listens on PORT+1, torchio connects
#                (the client VM's is a user-mode net that goes nowhere)
#   management   -netdev user,restrict=on (no route out), ssh forwarded from
#                127.0.0.1:PORT+2 (fiori) / PORT+3 (torchio) / PORT+4 (client)

declare -A VM_PID VM_SSH VM_NUM VM_RESTORED VM_FRESH VM_ROOT VM_VG
VM_NUM[fiori]=6
VM_NUM[torchio]=7
VM_NUM[client]=5
LAN_VDE=
VM_MEM=${VM_MEM:-1024}
# One size of second disk for every scenario, so that one booted snapshot
# serves them all (sparse: only what vg0 holds takes space).
VG_DISK_MIB=1280

# Booted snapshots. A VM's first boot in a run is a real boot; once systemd
# says it is running (nothing of storpkg on it yet), vm_save keeps its
# machine state and freezes its disks under SNAP_DIR, and the VM goes on
# from new overlays. Every later scenario starts that VM from the saved
# state (-incoming) on overlays of the frozen disks: the same freshly
# booted machine in seconds instead of a minute of emulated boot. Reboots
# inside a scenario are real reboots. VM_SNAPSHOT=0: every start boots.
VM_SNAPSHOT=${VM_SNAPSHOT:-1}
QMP=$VMDIR/qmp.py

# snap_dir: where the booted snapshots of this image live; its name hashes
# what the saved state depends on (the image, QEMU, the machine's devices).
snap_dir() {
    local key
    key=$({
        printf '%s\n' "$IMAGE_DIR" "$VM_MEM" "$VG_DISK_MIB"
        qemu-system-x86_64 --version | head -n 1
        declare -f vm_start
    } | sha256sum | cut -c1-12)
    SNAP_DIR=$IMAGE_DIR/booted-$key
    find "$IMAGE_DIR" -mindepth 1 -maxdepth 1 -name 'booted-*' ! -name "booted-$key" -exec rm -rf {} +
    mkdir -p "$SNAP_DIR"
}

# work_new: a fresh work directory (disks, consoles) for one scenario.
work_new() {
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/storpkg-vm.XXXXXX")
    # Fresh VMs: no canaries of an earlier scenario to look for.
    # shellcheck disable=SC2034 # scenarios.sh reads it
    CANARY=()
    # Ports: a free-looking block of four from the PID.
    PORT=$((20000 + ($$ * 7 + RANDOM) % 20000))
    VM_SSH[fiori]=$((PORT + 2))
    VM_SSH[torchio]=$((PORT + 3))
    VM_SSH[client]=$((PORT + 4))
    LAN_VDE=
    local k
    k=$(debugfs -R "cat /etc/ssh/ssh_host_ed25519_key.pub" "$IMAGE_DIR/root.img" 2>/dev/null)
    [ -n "$k" ] || die "no ssh host key in $IMAGE_DIR/root.img"
    printf 'storpkg-vm %s\n' "$k" >"$WORK/known_hosts"
    log "work directory $WORK (ports $PORT-$((PORT + 3)))"
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

# vm_disks NAME: NAME's root disk (an overlay of the image) and an empty
# disk for vg0. With a booted snapshot of NAME: overlays of its frozen disks.
# Without one: the disks of its first boot, made under SNAP_DIR, where
# vm_save freezes them.
vm_disks() {
    local n=$1
    rm -f "$WORK/$n.qcow2" "$WORK/$n-vg.qcow2"
    VM_FRESH[$n]=
    if [ "$VM_SNAPSHOT" = 1 ] && [ -e "$SNAP_DIR/$n.state" ]; then
        qemu-img create -q -f qcow2 -F qcow2 -b "$SNAP_DIR/$n-root.qcow2" "$WORK/$n.qcow2"
        qemu-img create -q -f qcow2 -F qcow2 -b "$SNAP_DIR/$n-vg.qcow2" "$WORK/$n-vg.qcow2"
        VM_ROOT[$n]=$WORK/$n.qcow2 VM_VG[$n]=$WORK/$n-vg.qcow2
        return 0
    fi
    local dir=$WORK
    if [ "$VM_SNAPSHOT" = 1 ]; then
        dir=$SNAP_DIR
        VM_FRESH[$n]=1
    fi
    VM_ROOT[$n]=$dir/$n-root.qcow2 VM_VG[$n]=$dir/$n-vg.qcow2
    rm -f "${VM_ROOT[$n]}" "${VM_VG[$n]}"
    qemu-img create -q -f qcow2 -F raw -b "$IMAGE_DIR/root.img" "${VM_ROOT[$n]}"
    qemu-img create -q -f qcow2 "${VM_VG[$n]}" "${VG_DISK_MIB}M"
}

# vm_save NAME: NAME has just booted for the first time: its state and
# disks become NAME's booted snapshot; NAME runs on from new overlays in
# WORK. Only once, right after the first boot of a fresh NAME.
vm_save() {
    local n=$1 t0=$SECONDS
    [ -n "${VM_FRESH[$n]:-}" ] || return 0
    VM_FRESH[$n]=
    python3 "$QMP" "$WORK/$n.qmp" save "$SNAP_DIR/$n.state.new" \
        "root=$WORK/$n.qcow2" "vg=$WORK/$n-vg.qcow2" ||
        die "$n: could not save the booted snapshot"
    VM_ROOT[$n]=$WORK/$n.qcow2 VM_VG[$n]=$WORK/$n-vg.qcow2
    mv "$SNAP_DIR/$n.state.new" "$SNAP_DIR/$n.state"
    log "$n: booted snapshot saved in $((SECONDS - t0)) s ($(du -sh "$SNAP_DIR/$n.state" | cut -f1))"
}

# lan_switch_start: the LAN as a VDE switch (three VMs on one segment);
# call before the VMs start.
lan_switch_start() {
    command -v vde_switch >/dev/null || die "vde_switch missing: apt-get install vde2"
    LAN_VDE=$WORK/lan.vde
    vde_switch --sock "$LAN_VDE" --daemon --pidfile "$WORK/vde.pid" --mode 0600 ||
        die "vde_switch did not start"
    local _
    for _ in $(seq 50); do
        [ -S "$LAN_VDE/ctl" ] && return 0
        sleep 0.1
    done
    die "vde_switch: no $LAN_VDE/ctl"
}
lan_switch_stop() {
    [ -e "$WORK/vde.pid" ] || return 0
    kill "$(cat "$WORK/vde.pid")" 2>/dev/null || true
    rm -f "$WORK/vde.pid"
}

vm_start() {
    local name=$1 n=${VM_NUM[$1]} role lan rep
    if [ "$name" = fiori ]; then role=listen; else role=connect; fi
    lan="socket,id=lan,$role=127.0.0.1:$PORT"
    rep="socket,id=rep,$role=127.0.0.1:$((PORT + 1))"
    [ -z "$LAN_VDE" ] || lan="vde,id=lan,sock=$LAN_VDE"
    [ "$name" != client ] || rep="user,id=rep,restrict=on"
    if [ "$role" = connect ] && [ "$name" != client ]; then
        # The listener must be there first, or the link stays down (fiori's
        # QEMU opens its listening sockets together).
        local _
        for _ in $(seq 50); do
            ss -Hltn "sport = :$((PORT + 1))" | grep -q . && break
            sleep 0.2
        done
    fi
    local mac incoming=()
    mac=$(printf '52:54:00:00:%02x' "$n")
    VM_RESTORED[$name]=
    if [ "$VM_SNAPSHOT" = 1 ] && [ -z "${VM_FRESH[$name]}" ] && [ -e "$SNAP_DIR/$name.state" ]; then
        incoming=(-incoming "exec:cat $SNAP_DIR/$name.state")
        VM_RESTORED[$name]=1
    fi
    # The devices (and their order) must stay as they are for a saved
    # state to load: snap_dir hashes this function.
    qemu-system-x86_64 -machine q35,accel=tcg -cpu max -smp 1 -m "$VM_MEM" \
        -display none -monitor none -serial "file:$WORK/$name.console" \
        -qmp "unix:$WORK/$name.qmp,server=on,wait=off" \
        -kernel "$IMAGE_DIR/vmlinuz" -initrd "$IMAGE_DIR/initrd.img" \
        -append "console=ttyS0 root=/dev/vda rw net.ifnames=0 systemd.hostname=$name quiet" \
        -drive "file=${VM_ROOT[$name]},if=virtio,format=qcow2,cache=unsafe,id=root" \
        -drive "file=${VM_VG[$name]},if=virtio,format=qcow2,cache=unsafe,id=vg" \
        -netdev "$lan" -device "virtio-net-pci,netdev=lan,mac=$mac:01" \
        -netdev "$rep" -device "virtio-net-pci,netdev=rep,mac=$mac:02" \
        -netdev "user,id=mgmt,restrict=on,hostfwd=tcp:127.0.0.1:${VM_SSH[$name]}-:22" \
        -device "virtio-net-pci,netdev=mgmt,mac=$mac:03" \
        "${incoming[@]}" >>"$WORK/$name.qemu.log" 2>&1 &
    VM_PID[$name]=$!
    log "$name: QEMU started (pid ${VM_PID[$name]}${VM_RESTORED[$name]:+, from the booted snapshot})"
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
    on "$n" "ip addr replace $INSTALL_SERVER/32 dev lo
        if [ ! -e /etc/ssh/sshd_config.d/storpkg-vm-suite.conf ]; then
            printf 'GatewayPorts clientspecified\n' >/etc/ssh/sshd_config.d/storpkg-vm-suite.conf
            systemctl reload ssh
        fi" || die "$n: could not prepare the install server address"
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

# vm_wait NAME: until ssh answers and systemd finished booting. A VM
# started from its booted snapshot resumes, and gets the host's clock (its
# own stopped when the state was saved). A first boot is saved (vm_save).
vm_wait() {
    local name=$1 t0=$SECONDS
    if [ -n "${VM_RESTORED[$name]:-}" ]; then
        python3 "$QMP" "$WORK/$name.qmp" resume || die "$name: the booted snapshot did not load (see $WORK/$name.qemu.log)"
        within 60 on "$name" "date -s @$(date +%s) >/dev/null" 2>/dev/null ||
            die "$name: no ssh 60 s after loading the booted snapshot"
        log "$name: up after $((SECONDS - t0)) s (from the booted snapshot)"
        VM_RESTORED[$name]=
        return 0
    fi
    while ! on "$name" true 2>/dev/null; do
        kill -0 "${VM_PID[$name]}" 2>/dev/null || die "$name: QEMU exited (see $WORK/$name.console)"
        [ $((SECONDS - t0)) -lt 300 ] || die "$name: no ssh after 300 s (see $WORK/$name.console)"
        sleep 2
    done
    local state
    state=$(on "$name" timeout 240 systemctl is-system-running --wait 2>/dev/null || true)
    [ -n "$state" ] || state="still starting after 240 s"
    if [ "$state" = "still starting after 240 s" ]; then
        on "$name" systemctl list-jobs --no-legend >&2 || true
    fi
    log "$name: up after $((SECONDS - t0)) s (systemd: $state)"
    if [ "$state" != running ]; then
        on "$name" systemctl --failed --no-legend >&2 || true
        diag "$name"
    fi
    [ "$state" != running ] || vm_save "$name"
}

# vm_reboot NAME: a guest reboot inside the same QEMU process.
vm_reboot() {
    local name=$1
    VM_FRESH[$name]=""
    VM_RESTORED[$name]=""
    on "$name" 'systemctl reboot' || true
    local t0=$SECONDS
    while on "$name" true 2>/dev/null; do
        [ $((SECONDS - t0)) -lt 120 ] || die "$name: still up 120 s after reboot"
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
