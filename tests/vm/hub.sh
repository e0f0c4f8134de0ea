# shellcheck shell=bash
# tests/vm/hub.sh: scenario hub (issue 12): a node that pairs with two
# peers. fiori carries resource ft with torchio and resource fp with
# ponte (tests/vm/hub.toml), an OCFS2 filesystem on each, one o2cb
# cluster of the three; the replication link is one segment for the
# three (a VDE switch), as is the LAN. Sourced by tests/vm/run after
# scenarios.sh (its helpers: install_node, prepare, within, show, diag).
#
# What the real tools must show: each node runs exactly its own
# resources (drbdadm sh-resources, /proc/drbd), each filesystem is
# mounted by exactly its resource's two nodes (mounted.ocfs2 -f reads the
# slot map), o2cb knows the three nodes (configfs), each node exports its
# own shares (exportfs); a replication failure of one pair freezes that
# pair only; the hub's reboot leaves each peer serving its filesystem and
# both rejoin; canaries on every volume of every node stay intact.

HUB_NODES=(fiori torchio ponte)
# Each node's resources (minor:name) and OCFS2 mountpoints.
declare -A HUB_RES=([fiori]="0:ft 1:fp" [torchio]="0:ft" [ponte]="1:fp")
declare -A HUB_FS=([fiori]="/vol/ocfs2-ft /vol/ocfs2-fp" [torchio]="/vol/ocfs2-ft" [ponte]="/vol/ocfs2-fp")

# hub_build: the hub site for the image's release, built into
# $DIST/out-hub; OUT, DEBS and SITE_PROFILE name it (before work_new:
# the served repository is OUT's).
hub_build() {
    local prof=$DIST/hub-$SUITE.toml
    sed "s/^suite = \".*\"$/suite = \"$SUITE\"/" "$VMDIR/hub.toml" >"$prof"
    grep -qx "suite = \"$SUITE\"" "$prof" || die "no suite line in $VMDIR/hub.toml"
    "$STORPKG_BIN" build "$prof" --out "$DIST/out-hub" >"$DIST/build-hub.log" 2>&1 ||
        { cat "$DIST/build-hub.log" >&2; die "storpkg build of the hub site failed"; }
    # shellcheck disable=SC2034 # scenarios.sh and vm.sh read them
    SITE_PROFILE=$prof OUT=$DIST/out-hub DEBS=$DIST/out-hub/debs
    log "hub site built: $(cd "$DEBS" && echo *.deb)"
}

# hub_ok NODE: NODE runs its own resources and only those, each Connected
# Primary/Primary UpToDate/UpToDate; its filesystems mounted by their two
# nodes; its unreplicated volume mounted; its shares exported.
hub_ok() {
    local n=$1 want_res="" want_fs="" mr
    for mr in ${HUB_RES[$n]}; do want_res="$want_res ${mr#*:}"; done
    want_fs=${HUB_FS[$n]}
    on "$n" "set -e
        got=\$(drbdadm sh-resources | tr ' ' '\n' | sort | xargs)
        want=\$(echo $want_res | tr ' ' '\n' | sort | xargs)
        [ \"\$got\" = \"\$want\" ] || { echo \"drbdadm sh-resources: '\$got', want '\$want'\"; exit 1; }
        [ \$(grep -Ec '^ *[0-9]+: cs:' /proc/drbd) = $(echo "$want_res" | wc -w) ] ||
            { echo 'other devices in /proc/drbd'; exit 1; }
        for mr in ${HUB_RES[$n]}; do
            m=\${mr%%:*}
            grep -Eq \"^ *\$m: cs:Connected ro:Primary/Primary ds:UpToDate/UpToDate\" /proc/drbd ||
                { echo \"drbd\$m: \$(grep \"^ *\$m:\" /proc/drbd)\"; exit 1; }
        done
        for mp in $want_fs; do
            [ \"\$(findmnt -n -o FSTYPE --mountpoint \$mp)\" = ocfs2 ] || { echo \"\$mp not ocfs2\"; exit 1; }
        done
        [ \$(findmnt -n -t ocfs2 -o TARGET | wc -l) = $(echo "$want_fs" | wc -w) ] || { echo 'other OCFS2 mounts'; exit 1; }
        [ \"\$(findmnt -n -o FSTYPE --mountpoint /vol/local)\" = ext4 ] || { echo '/vol/local not ext4'; exit 1; }
        for mp in $want_fs; do
            case \$mp in */ocfs2-ft) sh=home ;; *) sh=mail ;; esac
            exportfs | grep -q \"^\$mp/\$sh\" || { echo \"\$mp/\$sh not exported\"; exit 1; }
        done
        case ' $want_fs ' in *' /vol/ocfs2-fp '*) ;; *) ! exportfs | grep -q /vol/ocfs2-fp || { echo 'exports a share it has not'; exit 1; } ;; esac
        case ' $want_fs ' in *' /vol/ocfs2-ft '*) ;; *) ! exportfs | grep -q /vol/ocfs2-ft || { echo 'exports a share it has not'; exit 1; } ;; esac
    " >&2 || { show "$n"; diag "$n"; die "$n: not running exactly its own resources, mounted and exported"; }
    on "$n" "$SITE-storage status" >"$WORK/$n.status" 2>&1 ||
        { cat "$WORK/$n.status" >&2; die "$n: '$SITE-storage status' reports a problem"; }
}

# hub_wait NODE SECONDS: until NODE's own resources are dual-primary and
# its filesystems mounted.
hub_wait() {
    wait_dual_primary "$1" "$2" "$(echo "${HUB_RES[$1]}" | wc -w)" "$(echo "${HUB_FS[$1]}" | wc -w)"
}

# hub_cluster: the real tools' view of the cluster: o2cb registered the
# three nodes on each; each filesystem's slot map holds its two nodes.
hub_cluster() {
    local n nodes
    for n in "${HUB_NODES[@]}"; do
        nodes=$(on "$n" "ls /sys/kernel/config/cluster/vmt/node | sort | xargs")
        [ "$nodes" = "fiori ponte torchio" ] || die "$n: o2cb's nodes are '$nodes', not 'fiori ponte torchio'"
    done
    local out ft fp
    out=$(on fiori "mounted.ocfs2 -f")
    printf '%s\n' "$out" | sed 's/^/    [fiori mounted.ocfs2] /' >&2
    ft=$(printf '%s\n' "$out" | grep -E '^/dev/drbd0 ' | grep -oE '\<(fiori|torchio|ponte)\>' | sort | xargs)
    fp=$(printf '%s\n' "$out" | grep -E '^/dev/drbd1 ' | grep -oE '\<(fiori|torchio|ponte)\>' | sort | xargs)
    [ "$ft" = "fiori torchio" ] || die "fiori: the filesystem on ft is mounted by '$ft', not 'fiori torchio'"
    [ "$fp" = "fiori ponte" ] || die "fiori: the filesystem on fp is mounted by '$fp', not 'fiori ponte'"
    log "hub: o2cb knows fiori, ponte and torchio on each; ft's filesystem is mounted by fiori and torchio, fp's by fiori and ponte"
}

# hub_json: the hub's status --json: both resources, each with its own
# peer, every row ok.
hub_json() {
    on fiori "$SITE-storage status --json" >"$WORK/fiori.status.json" ||
        { cat "$WORK/fiori.status.json" >&2; die "fiori: status --json reports a problem"; }
    python3 - "$WORK/fiori.status.json" <<'PY' || die "fiori: status --json of the hub is not what runs"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["ok"] is True, "not ok"
assert sorted(s["peers"]) == ["ponte", "torchio"], s["peers"]
drbd = {r["resource"]: r for r in s["rows"] if r["layer"] == "drbd" and "cs" in r}
ends = {r["resource"]: r for r in s["rows"] if r["layer"] == "drbd" and "addresses" in r}
assert ends["ft"]["addresses"] == "10.11.12.6:7790 10.11.12.7:7790" and ends["fp"]["addresses"] == "10.11.12.6:7791 10.11.12.8:7791", ends
assert sorted(drbd) == ["fp", "ft"], sorted(drbd)
for res, peer, minor in (("ft", "torchio", 0), ("fp", "ponte", 1)):
    r = drbd[res]
    assert r["peer"] == peer and r["minor"] == minor, r
    assert (r["cs"], r["role"], r["peer_role"], r["disk"], r["peer_disk"]) == \
        ("Connected", "Primary", "Primary", "UpToDate", "UpToDate"), r
    assert r["ok"] is True and r["suspended"] is False, r
fs = {r["name"]: r for r in s["rows"] if r["layer"] == "ocfs2"}
assert fs["/vol/ocfs2-ft"]["resource"] == "ft" and fs["/vol/ocfs2-fp"]["resource"] == "fp", fs
assert all(fs[m]["mounted"] and fs[m]["ok"] for m in ("/vol/ocfs2-ft", "/vol/ocfs2-fp")), fs
PY
    log "hub: fiori's status --json lists ft with torchio and fp with ponte, all ok"
}

declare -A HUB_CANARY
# hub_canaries_write: a canary on every volume of every node.
hub_canaries_write() {
    local n mp
    for n in "${HUB_NODES[@]}"; do
        for mp in /vol/local ${HUB_FS[$n]}; do
            HUB_CANARY[$n$mp]=$n-$RANDOM$RANDOM
            on "$n" "echo ${HUB_CANARY[$n$mp]} >$mp/canary-$n && sync"
        done
    done
}

# hub_canaries_check WHEN [NODE...]: every canary is intact on every node
# that mounts its volume (of the NODEs named: default all).
hub_canaries_check() {
    local when=$1 key n mp seen
    shift
    local among=" ${*:-${HUB_NODES[*]}} "
    for key in "${!HUB_CANARY[@]}"; do
        n=${key%%/*}
        mp=/${key#*/}
        for seen in "${HUB_NODES[@]}"; do
            case "$among" in *" $seen "*) ;; *) continue ;; esac
            if [ "$mp" = /vol/local ]; then
                [ "$seen" = "$n" ] || continue
            else
                case " ${HUB_FS[$seen]} " in *" $mp "*) ;; *) continue ;; esac
            fi
            on "$seen" "cat $mp/canary-$n 2>/dev/null" | grep -qx "${HUB_CANARY[$key]}" ||
                die "canary $mp/canary-$n lost on $seen after $when"
        done
    done
    log "canaries: all ${#HUB_CANARY[@]} intact on${among%% } after $when"
}

# hub_cross: a file written on one node of each filesystem is read on the
# other.
hub_cross() {
    read_across fiori torchio /vol/ocfs2-ft/from-fiori
    read_across ponte fiori /vol/ocfs2-fp/from-ponte
    log "OCFS2: fiori's file read on torchio (ft), ponte's read on fiori (fp)"
}

# fp_frozen: fp frozen on fiori and on ponte, and nothing else frozen.
fp_frozen() {
    [ "$(frozen_count fiori)" = 1 ] && [ "$(frozen_count ponte)" = 1 ]
}

# hub_link_failure: ponte's replication link fails while the LAN stays
# up. fp freezes on fiori and ponte (each fence-peer finds its peer up on
# the LAN); ft, fiori's other pair, goes on: a write on it lands at once
# and torchio reads it. Back within o2cb's window, fp reconnects without a
# split brain and the frozen write reaches ponte.
hub_link_failure() {
    local tok=$RANDOM$RANDOM t0=$SECONDS since
    since=$(on fiori "date '+%Y-%m-%d %H:%M:%S'")
    link_back() { on ponte "ip link set dev eth1 up" || true; }
    on ponte "ip link set dev eth1 down"
    within 30 fp_frozen ||
        { link_back; show fiori; show ponte; die "ponte's link failed but fp did not freeze on fiori and ponte (only) within 30 s"; }
    on fiori "grep -Eq '^ *1: cs:[A-Za-z]+ ro:Primary/[A-Za-z]+ ds:UpToDate/[A-Za-z]+ . s' /proc/drbd" ||
        { link_back; show fiori; die "fiori: the frozen resource is not fp"; }
    log "hub link failure: fp frozen on fiori and ponte after $((SECONDS - t0)) s"
    # ft goes on, on fiori and torchio.
    on fiori "timeout 20 sh -c 'echo $tok >/vol/ocfs2-ft/during-fp-freeze && sync /vol/ocfs2-ft/during-fp-freeze'" ||
        { link_back; show fiori; die "fiori: a write on ft did not complete while fp was frozen"; }
    on torchio "cat /vol/ocfs2-ft/during-fp-freeze" | grep -qx "$tok" ||
        { link_back; die "torchio does not read fiori's write on ft made while fp was frozen"; }
    # A write on fp waits for DRBD.
    on fiori "nohup sh -c 'echo $tok >/vol/ocfs2-fp/during-freeze && sync /vol/ocfs2-fp/during-freeze && : >/run/during-freeze.done' </dev/null >/dev/null 2>&1 &"
    sleep 3
    on fiori "[ ! -e /run/during-freeze.done ]" || { link_back; die "fiori: a write on fp completed while fp's I/O was frozen"; }
    link_back
    log "hub link failure: ft wrote and read across while fp was frozen; a write on fp waits; link up after $((SECONDS - t0)) s"
    hub_wait fiori 90
    hub_wait ponte 30
    within 30 on fiori "[ -e /run/during-freeze.done ]" || die "fiori: the write made on fp during the freeze never completed"
    on ponte "cat /vol/ocfs2-fp/during-freeze" | grep -qx "$tok" || die "ponte does not read the write made during fp's freeze"
    local n
    for n in "${HUB_NODES[@]}"; do
        on "$n" "journalctl -k --since '$since' --no-pager | grep -qi 'split-brain'" && die "$n: DRBD saw a split brain after the link came back"
    done
    log "TIMING hub link failure of one pair → frozen there only → back → dual-primary, the frozen write on both: $((SECONDS - t0)) s"
}

# hub_reboot: the hub reboots; meanwhile each peer keeps serving its
# filesystem (a write lands and is read back); the hub rejoins both.
hub_reboot() {
    local t0=$SECONDS tok=$RANDOM$RANDOM
    vm_reboot fiori
    on torchio "timeout 60 sh -c 'echo $tok >/vol/ocfs2-ft/while-hub-down && sync /vol/ocfs2-ft/while-hub-down'" ||
        { show torchio; diag torchio; die "torchio: a write on ft did not complete while fiori rebooted"; }
    on ponte "timeout 60 sh -c 'echo $tok >/vol/ocfs2-fp/while-hub-down && sync /vol/ocfs2-fp/while-hub-down'" ||
        { show ponte; diag ponte; die "ponte: a write on fp did not complete while fiori rebooted"; }
    log "hub reboot: torchio wrote on ft and ponte on fp while fiori was down"
    vm_wait fiori
    hub_wait fiori 240
    hub_wait torchio 30
    hub_wait ponte 30
    on fiori "cat /vol/ocfs2-ft/while-hub-down /vol/ocfs2-fp/while-hub-down" | grep -cx "$tok" | grep -qx 2 ||
        die "fiori does not read what its peers wrote while it rebooted"
    local n
    for n in "${HUB_NODES[@]}"; do hub_ok "$n"; done
    assert_no_failed_units fiori
    log "TIMING hub reboot → both pairs dual-primary again, the peers' writes on the hub: $((SECONDS - t0)) s"
}

# hub: fiori and torchio from the suite's snapshot, ponte booted cold
# (the snapshot holds two storage VMs); the three node packages installed
# at once from the served repository, as three late_commands would.
scenario_hub() {
    log "=== scenario hub: fiori pairs with torchio (ft) and ponte (fp): three nodes, each its own resources"
    hub_build
    work_new
    trap work_done EXIT
    lan_switch_start
    rep_switch_start
    local t0=$SECONDS n
    vm_boot fiori
    vm_boot torchio
    vm_disks ponte
    vm_start ponte
    for n in "${HUB_NODES[@]}"; do vm_wait "$n"; done
    prepare ponte
    local t_booted=$SECONDS pids=()
    for n in "${HUB_NODES[@]}"; do
        install_node "$n" &
        pids+=($!)
    done
    for n in "${pids[@]}"; do wait "$n" || die "an install of the hub site failed"; done
    for n in "${HUB_NODES[@]}"; do hub_wait "$n" 120; done
    log "TIMING (hub) boot → each node's resources dual-primary, OCFS2 mounted: $((SECONDS - t0)) s (boot $((t_booted - t0)) s, install + converge $((SECONDS - t_booted)) s)"
    for n in "${HUB_NODES[@]}"; do show "$n"; hub_ok "$n"; done
    hub_cluster
    hub_json
    hub_cross
    hub_canaries_write
    noop_converge fiori
    hub_canaries_check "a no-op converge on the hub"
    hub_link_failure
    hub_canaries_check "a replication failure of one pair"
    hub_reboot
    hub_canaries_check "a reboot of the hub"
    work_done
    trap - EXIT
    site_base
}
