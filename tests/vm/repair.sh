# shellcheck shell=bash
# tests/vm/repair.sh: scenario repair (issue 15): power loss of each node
# while a writer runs on the survivor, a node replaced by a blank disk and
# reinstalled, a provoked split brain and its guided recovery, online
# verify finding an injected difference. Sourced by tests/vm/run after
# scenarios.sh (its helpers: install_pair, wait_dual_primary, canaries_*).
#
# The witness of the test site is its install server, 192.168.1.1, which
# this suite puts on each VM's loopback (repo_tunnel; witness_up here): it
# always answers, so these scenarios prove "the peer is dead, the survivor
# goes on" and "the peer is up, both stay frozen", not the partition in
# which a node loses the witness too (tests/converge_script.rs covers that
# decision with stubs).

# vm_crash NAME: power loss: its QEMU killed at once (vm_kill shuts down first).
vm_crash() {
    local pid=${VM_PID[$1]:-}
    [ -n "$pid" ] || return 0
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    unset "VM_PID[$1]"
    log "$1: power lost (QEMU killed)"
}

witness_up() {
    on "$1" "ip addr replace $INSTALL_SERVER/32 dev lo"
}

boot_id() {
    on "$1" cat /proc/sys/kernel/random/boot_id
}

# json_valid NODE: NODE's status --json parses as JSON; else the output
# and the parser's complaint go to the log.
json_valid() {
    on "$1" "$SITE-storage status --json" >"$WORK/$1.status.json" 2>"$WORK/$1.status.err" || true
    python3 -m json.tool "$WORK/$1.status.json" >/dev/null 2>"$WORK/$1.json.err" && return 0
    sed 's/^/    [status --json] /' "$WORK/$1.status.json" "$WORK/$1.status.err" "$WORK/$1.json.err" >&2
    return 1
}

# power_loss DEAD SURVIVOR: the writer runs on SURVIVOR, DEAD loses power;
# SURVIVOR resumes within o2cb's window and never reboots; DEAD boots and
# rejoins.
power_loss() {
    local dead=$1 live=$2 boot0 t_kill acked pause
    wait_dual_primary "$live" 60
    witness_up "$live"
    boot0=$(boot_id "$live")
    writer_start "$live"
    sleep 5
    acked=$(writer_acked "$live")
    t_kill=$(on "$live" date +%s)
    vm_crash "$dead"
    # Resumed: at least 10 more acknowledged writes within 60 s.
    within 60 eval "[ \"\$(writer_acked $live)\" -ge $((acked + 10)) ]" ||
        { show "$live"; diag "$live"; die "$live: writes did not resume within 60 s of $dead's power loss"; }
    pause=$(writer_pause "$live" "$t_kill")
    log "BENCH repair: $dead lost power; $live's longest write pause ${pause} s (o2cb's window: 60 s)"
    on "$live" "journalctl -t $SITE-storage --no-pager -n 20 | grep 'fence-peer'" >&2 || true
    # Well past o2cb's heartbeat window: still the same boot, still writing.
    sleep 70
    [ "$(boot_id "$live")" = "$boot0" ] || die "$live rebooted after $dead's power loss"
    acked=$(writer_acked "$live")
    sleep 3
    [ "$(writer_acked "$live")" -gt "$acked" ] || die "$live stopped writing after $dead's power loss"
    on "$live" "grep -Eq '^ *0: cs:WFConnection ro:Primary/Unknown ds:UpToDate/(DUnknown|Outdated) . r' /proc/drbd" ||
        { show "$live"; die "$live: drbd0 is not running alone (Primary, UpToDate, I/O not suspended)"; }
    json_valid "$live" || die "$live: status --json is not valid JSON"
    writer_stop_check "$live"
    log "repair: $live kept writing through $dead's power loss, no acknowledged write lost, no reboot"
    # The dead node boots again and rejoins (its converge: connect, resync
    # from the survivor, promote, mount).
    local t0=$SECONDS
    vm_start "$dead"
    vm_wait "$dead"
    witness_up "$dead"
    wait_dual_primary "$dead" 300
    wait_dual_primary "$live" 60
    log "BENCH repair: $dead boot → rejoined, synced, dual-primary: $((SECONDS - t0)) s"
    local sum_dead sum_live
    sum_dead=$(on "$dead" "sha256sum </vol/ocfs2-small/writer-$live.log")
    sum_live=$(on "$live" "sha256sum </vol/ocfs2-small/writer-$live.log")
    if [ -z "$sum_dead" ] || [ "$sum_dead" != "$sum_live" ]; then
        die "$dead and $live read different writer logs after the rejoin ($sum_dead, $sum_live)"
    fi
}

# replace_blank NODE PEER: NODE's disks are replaced by blank ones and it is
# reinstalled as the suite installs nodes; everything comes back from PEER.
replace_blank() {
    local n=$1 peer=$2 sum t0 mib
    wait_dual_primary "$peer" 60
    witness_up "$peer"
    vm_crash "$n"
    within 60 on "$peer" "! grep -q ' s-----' /proc/drbd" || die "$peer: I/O still frozen after $n's power loss"
    # Written while NODE is gone: must be on both after.
    on "$peer" "dd if=/dev/urandom of=/vol/ocfs2-large/while-away bs=1M count=8 status=none && sync"
    sum=$(on "$peer" "md5sum </vol/ocfs2-large/while-away")
    # NODE's unreplicated volumes are gone with its disk: not canaries any more.
    unset "CANARY[$n/vol/rep-no]" "CANARY[$n/vol/rep-unison]"
    t0=$SECONDS
    vm_boot "$n"
    vm_wait "$n"
    prepare "$n"
    install_node "$n"
    witness_up "$n"
    # The sync shows on both nodes' status while it runs (best effort: a
    # small volume may be done before we look).
    on "$peer" "$SITE-storage status" 2>&1 | grep -E '^drbd .*(sync|UpToDate)' | sed "s/^/    [$peer] /" >&2 || true
    on "$n" "$SITE-storage status" 2>&1 | grep -E '^drbd ' | sed "s/^/    [$n] /" >&2 || true
    json_valid "$n" || die "$n: status --json is not valid JSON"
    wait_dual_primary "$n" 600
    mib=${DRBD_MIB:-64}
    log "BENCH repair: $n replaced (blank disk, reinstall) → UpToDate and dual-primary: $((SECONDS - t0)) s for 2 x $mib MiB (resync-rate 20M)"
    assert_storage "$n"
    assert_storage "$peer"
    [ "$(on "$n" "md5sum </vol/ocfs2-large/while-away")" = "$sum" ] ||
        die "$n: what $peer wrote while it was away differs after the resync"
    on "$n" "journalctl -t $SITE-storage --no-pager | grep -q 'running: drbdadm create-md'" ||
        die "$n: converge did not create the metadata of its blank legs"
    on "$n" "journalctl -t $SITE-storage --no-pager | grep -Eq 'primary --force|new-current-uuid'" &&
        die "$n: a replaced node forced its blank leg or skipped its sync"
    canaries_check "replacing $n's disk"
}

# split_brain_guided: the link is cut, both write to drbd0 (the admin
# resumed I/O by hand on both), the link comes back: DRBD detects the
# split brain and discards nothing; the guided command on torchio (the
# victim) drops its changes; both copies are equal after (online verify).
split_brain_guided() {
    local dev blk pat since
    wait_dual_primary fiori 60
    wait_dual_primary torchio 60
    since=$(on fiori "date '+%Y-%m-%d %H:%M:%S'")
    # The victim's filesystem is unmounted first (its copy will be dropped).
    on torchio "systemctl stop nfs-server; umount /vol/ocfs2-small" || die "torchio: could not unmount /vol/ocfs2-small"
    blk=$(on fiori "echo \$((\$(blockdev --getsize64 /dev/drbd0) / 4096 - 1))")
    dev=$(on fiori "ip -o -4 addr show to 10.11.12.0/24 | awk '{ print \$2; exit }'")
    on fiori "ip link set dev $dev down"
    within 30 frozen_on_both || { on fiori "ip link set dev $dev up"; die "no freeze after the link cut"; }
    # What a hasty admin does: resume on both sides.
    on fiori "drbdadm resume-io drbd0"
    on torchio "drbdadm resume-io drbd0"
    # Its own file only: a global sync would wait on drbd1, still frozen.
    on fiori "echo fiori-during-split >/vol/ocfs2-small/split-fiori && sync /vol/ocfs2-small/split-fiori"
    pat=$(on torchio "head -c 4096 /dev/urandom | tee /run/split-block | dd of=/dev/drbd0 bs=4096 seek=$blk oflag=direct status=none && md5sum </run/split-block")
    on fiori "ip link set dev $dev up"
    # Detected on both, nothing discarded: torchio still has its block.
    for n in fiori torchio; do
        within 60 on "$n" "journalctl -k --since '$since' --no-pager | grep -q 'Split-Brain detected but unresolved'" ||
            { show "$n"; die "$n: no split brain detected"; }
    done
    on fiori "grep -q ' s-----' /proc/drbd && drbdadm resume-io drbd0; true"
    [ "$(on torchio "dd if=/dev/drbd0 bs=4096 skip=$blk count=1 iflag=direct status=none | md5sum")" = "$pat" ] ||
        die "torchio's changes were discarded without the admin"
    on fiori "$SITE-storage status" 2>&1 | grep -q 'SPLIT BRAIN' || die "fiori: status does not say SPLIT BRAIN"
    on torchio "$SITE-storage status --json" | python3 -c 'import json,sys; d=json.load(sys.stdin); sys.exit(not any(r.get("split_brain") for r in d["rows"]))' ||
        die "torchio: status --json does not report the split brain"
    # Refused where the filesystem is mounted (fiori), done on torchio.
    on fiori "$SITE-storage split-brain drbd0 --discard-here" 2>&1 | grep -q 'mounted here' ||
        die "fiori: split-brain --discard-here did not refuse with the filesystem mounted"
    on torchio "$SITE-storage split-brain drbd0 --discard-here" >&2 || die "torchio: split-brain --discard-here failed"
    on fiori "grep -q '^ *0: cs:StandAlone' /proc/drbd && drbdadm connect drbd0; true"
    on torchio "$SITE-storage converge" >/dev/null 2>&1 || true
    wait_dual_primary torchio 300
    on torchio "systemctl start nfs-server" || true
    on torchio "cat /vol/ocfs2-small/split-fiori" | grep -qx fiori-during-split || die "torchio lacks fiori's write after the recovery"
    [ "$(on torchio "dd if=/dev/drbd0 bs=4096 skip=$blk count=1 iflag=direct status=none | md5sum")" = \
        "$(on fiori "dd if=/dev/drbd0 bs=4096 skip=$blk count=1 iflag=direct status=none | md5sum")" ] ||
        die "the two copies of drbd0's last block differ after the recovery"
    verify_equal drbd0 0
    log "split brain: detected, nothing discarded until split-brain --discard-here on torchio; copies equal after"
}

# verify_equal RES MINOR: online verify finds nothing out of sync.
verify_equal() {
    on fiori "drbdadm verify $1"
    within 300 on fiori "! grep -A3 '^ *$2:' /proc/drbd | grep -q verified" || die "verify of $1 did not end"
    on fiori "grep -A1 '^ *$2:' /proc/drbd | grep -q 'oos:0'" || { show fiori; die "$1: the copies differ (oos after verify)"; }
}

# verify_injected: a difference written into one leg's backing LV under a
# file's data is found by online verify and reported; disconnect/connect
# resyncs it.
verify_injected() {
    local off
    wait_dual_primary fiori 60
    on fiori "dd if=/dev/urandom of=/vol/ocfs2-large/verify-me bs=1M count=1 status=none && sync"
    # The file's first physical block (OCFS2 answers FIEMAP); with internal
    # metadata, DRBD's data starts at offset 0 of the backing LV.
    off=$(on fiori "filefrag -v -b4096 /vol/ocfs2-large/verify-me | awk '\$1 == \"0:\" { sub(/\\.\\..*/, \"\", \$4); print \$4; exit }'")
    [ -n "$off" ] || die "no physical offset for verify-me"
    on torchio "head -c 4096 /dev/zero | dd of=/dev/vg0/rep-drbd1 bs=4096 seek=$off oflag=direct conv=notrunc status=none"
    on fiori "drbdadm verify drbd1"
    within 300 on fiori "! grep -A3 '^ *1:' /proc/drbd | grep -q verified" || die "verify of drbd1 did not end"
    on fiori "grep -A1 '^ *1:' /proc/drbd | grep -Eq 'oos:[1-9]'" || { show fiori; die "verify did not find the injected difference"; }
    on fiori "$SITE-storage status" 2>&1 | grep -q 'KiB out of sync' || die "status does not report the out-of-sync blocks"
    on fiori "$SITE-storage metrics; mkdir -p /var/lib/prometheus/node-exporter; $SITE-storage metrics;
        grep -E '^drbd_out_of_sync_bytes\\{resource=\"drbd1\",minor=\"1\"\\} [1-9]' /var/lib/prometheus/node-exporter/${SITE}_storage.prom" >/dev/null ||
        die "the metrics do not report the out-of-sync blocks"
    on fiori "journalctl -t $SITE-storage --no-pager | grep -q 'out of sync while connected'" || die "the journal does not say it"
    log "verify: the injected difference found (oos), in status, metrics and journal"
    on fiori "drbdadm disconnect --force drbd1; drbdadm connect drbd1"
    wait_dual_primary fiori 120
    wait_dual_primary torchio 60
    verify_equal drbd1 1
    log "verify: disconnect/connect resynced it; a second verify finds the copies equal"
}

scenario_repair() {
    log "=== scenario repair: power loss of each node under a writer, a blank-disk replacement, a split brain, online verify"
    work_new
    trap work_done EXIT
    # Both links through switches: fiori's QEMU is killed and restarted.
    lan_switch_start
    rep_switch_start
    fresh_pair "64 MiB DRBD volumes"
    canaries_write fiori
    canaries_write torchio
    power_loss fiori torchio
    canaries_check "fiori's power loss"
    power_loss torchio fiori
    canaries_check "torchio's power loss"
    replace_blank torchio fiori
    replace_blank fiori torchio
    split_brain_guided
    verify_injected
    canaries_check "the split brain and the verify"
    work_done
    trap - EXIT
}
