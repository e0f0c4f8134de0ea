# shellcheck shell=bash
# shellcheck disable=SC2016 # the single-quoted hooks are expanded by mmdebstrap
# tests/vm/image.sh: the VM image of the end-to-end suite, sourced by
# tests/vm/run. Built from Debian's packages only (mmdebstrap), cached under
# $CACHE/vm-image-KEY/ where KEY hashes everything that goes into it:
#   root.img   raw ext4 root filesystem (the VMs boot qcow2 overlays of it)
#   vmlinuz, initrd.img   the image's own kernel and initramfs (-kernel/-initrd)
#   id_ed25519(.pub)      the suite's ssh key (root login over the management NIC)

# Packages of the image. The "package" install mode needs the node
# package's dependencies as well: the VMs have no route to any mirror.
IMAGE_PACKAGES=(
    linux-image-amd64 initramfs-tools systemd-sysv udev kmod dbus
    iproute2 iputils-ping procps util-linux e2fsprogs psmisc
    openssh-server openssh-client
    lvm2 drbd-utils ocfs2-tools nfs-kernel-server unison logrotate
    ifupdown adduser debconf
    autofs ypbind-mt yp-tools ypserv
)

# Bump when build_image changes what goes into the image.
IMAGE_REV=4

image_key() {
    {
        printf '%s\n' "$IMAGE_REV" "${IMAGE_PACKAGES[@]}" "$MIRROR" "$SUITE"
        guest_net_script
        guest_net_unit
    } | sha256sum | cut -c1-16
}

# The guest's own network set-up: addresses by MAC, before anything that
# needs them (DRBD, o2cb, sshd). The LAN NIC ends in :01, the back-to-back
# link in :02, the management NIC (user-mode, loopback only) in :03.
guest_net_script() {
    cat <<'EOF'
#!/bin/sh
# vmtest-net: addresses of the suite's VMs, from the MACs QEMU gave them.
# 52:54:00:00:N:01 LAN 192.168.1.N/24, :02 replication 10.11.12.N/24,
# :03 management (DHCP-less user-mode net: 10.0.2.15/24).
i=0
while [ $i -lt 100 ]; do
    n=$(ls /sys/class/net | grep -c '^eth')
    [ "$n" -ge 3 ] && break
    sleep 0.1; i=$((i + 1))
done
ip link set lo up
for d in /sys/class/net/eth*; do
    dev=${d##*/}
    mac=$(cat "$d/address")
    node=$(printf '%d' "0x$(echo "$mac" | cut -d: -f5)")
    case "$mac" in
        *:01) ip addr add "192.168.1.$node/24" dev "$dev" 2>/dev/null || true ;;
        *:02) grep -qs "iface $dev" /etc/network/interfaces.d/* ||
                  ip addr add "10.11.12.$node/24" dev "$dev" 2>/dev/null || true ;;
        *:03) ip addr add 10.0.2.15/24 dev "$dev" 2>/dev/null || true ;;
    esac
    ip link set "$dev" up
done
exit 0
EOF
}

guest_net_unit() {
    cat <<'EOF'
[Unit]
Description=storpkg VM suite: addresses of the test links
DefaultDependencies=no
After=systemd-udevd.service local-fs.target
Before=network.target network-online.target ssh.service drbd.service o2cb.service
Wants=network.target

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/usr/local/sbin/vmtest-net

[Install]
WantedBy=multi-user.target network-online.target
EOF
}

build_image() {
    local key dir tmp root
    key=$(image_key)
    dir="$CACHE/vm-image-$key"
    # shellcheck disable=SC2034 # used by vm.sh
    IMAGE_DIR=$dir
    if [ -e "$dir/root.img" ] && [ -e "$dir/vmlinuz" ] && [ -e "$dir/initrd.img" ]; then
        log "image: cached $dir"
        return 0
    fi
    log "image: building $dir from $MIRROR ($SUITE) with mmdebstrap"
    local t0=$SECONDS
    tmp=$(mktemp -d "$CACHE/vm-image-build.XXXXXX")
    root="$tmp/root"
    ssh-keygen -q -t ed25519 -N '' -C storpkg-vm-suite -f "$tmp/id_ed25519"
    guest_net_script >"$tmp/vmtest-net"
    guest_net_unit >"$tmp/vmtest-net.service"
    local include
    include=$(IFS=,; echo "${IMAGE_PACKAGES[*]}")
    # Boot time counts many times per run (under TCG): no e2scrub_reap (a
    # minute of LVM scanning per boot), no debug, tracing, hugepage or
    # binfmt mounts, an initramfs of the few modules that find the root
    # disk and the NICs (MODULES=list) instead of most of them.
    mmdebstrap --quiet --variant=minbase --include="$include" \
        --customize-hook='echo localhost >"$1/etc/hostname"' \
        --customize-hook='rm -f "$1/etc/ssh/ssh_host_"*' \
        --customize-hook="mkdir -p \"\$1/root/.ssh\" && cp $tmp/id_ed25519.pub \"\$1/root/.ssh/authorized_keys\"" \
        --customize-hook="install -m 0755 $tmp/vmtest-net \"\$1/usr/local/sbin/vmtest-net\"" \
        --customize-hook="install -m 0644 $tmp/vmtest-net.service \"\$1/etc/systemd/system/vmtest-net.service\"" \
        --customize-hook='chroot "$1" systemctl enable vmtest-net.service' \
        --customize-hook='chroot "$1" systemctl mask apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer e2scrub_reap.service fstrim.timer man-db.timer lvm2-lvmpolld.socket' \
        --customize-hook='chroot "$1" systemctl mask sys-kernel-debug.mount sys-kernel-tracing.mount dev-hugepages.mount modprobe@drm.service modprobe@efi_pstore.service systemd-pstore.service systemd-binfmt.service proc-sys-fs-binfmt_misc.automount' \
        --customize-hook='printf "MODULES=list\n" >"$1/etc/initramfs-tools/conf.d/storpkg-vm.conf"' \
        --customize-hook='printf "%s\n" virtio_pci virtio_blk virtio_net ext4 crc32c_generic >>"$1/etc/initramfs-tools/modules"' \
        --customize-hook='chroot "$1" update-initramfs -u -k all' \
        --customize-hook='for u in ypbind.service ypserv.service yppasswdd.service ypxfrd.service autofs.service ypxfr_1perday.timer ypxfr_1perhour.timer ypxfr_2perday.timer; do chroot "$1" systemctl disable "$u" 2>/dev/null || true; done' \
        --customize-hook='printf "/dev/vda / ext4 rw,errors=remount-ro 0 1\n" >"$1/etc/fstab"' \
        --customize-hook='printf "127.0.0.1 localhost\n192.168.1.5 client.vmt.test client\n192.168.1.6 fiori.vmt.test fiori\n192.168.1.7 torchio.vmt.test torchio\n" >"$1/etc/hosts"' \
        --customize-hook='sed -i "s/^#\?\s*issue_discards.*/issue_discards = 0/" "$1/etc/lvm/lvm.conf"' \
        --customize-hook='cp "$1"/boot/vmlinuz-* '"$tmp/vmlinuz"' && cp "$1"/boot/initrd.img-* '"$tmp/initrd.img" \
        "$SUITE" "$root" "$MIRROR"
    # ssh host keys: made at first boot would cost time in every run; make
    # them once per image instead (both VMs share them; a test image).
    ssh-keygen -q -A -f "$root" 2>/dev/null || chroot "$root" ssh-keygen -A
    # /etc and /var up to date with /usr: no ldconfig, catalog or
    # update-done run at each boot (ConditionNeedsUpdate).
    touch "$root/etc/.updated" "$root/var/.updated"
    truncate -s 2G "$tmp/root.img"
    mkfs.ext4 -q -F -L vmroot -d "$root" "$tmp/root.img"
    rm -rf "$root"
    rm -rf "$dir"
    mv "$tmp" "$dir"
    log "image: built in $((SECONDS - t0)) s"
}
