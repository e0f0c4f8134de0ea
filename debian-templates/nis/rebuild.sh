# rebuild_nis_maps: on a NIS master of a running system, rebuild the maps
# (make -C /var/yp); elsewhere say why not.
rebuild_nis_maps() {
    _server=
    if [ -r /etc/default/nis ]; then
        _server=$(sed -n 's/^NISSERVER=//p' /etc/default/nis | tr -d '"')
    fi
    if [ "$_server" != master ] || [ ! -e /var/yp/Makefile ]; then
        say "not a NIS master (NISSERVER=$_server in /etc/default/nis): maps not rebuilt here; run 'make -C /var/yp' on the master"
        return 0
    fi
    for _map in $NIS_MAPS; do
        if ! grep -qs "$_map" /var/yp/Makefile; then
            warn "/var/yp/Makefile has no rule for the map $_map: add one (and add it to ALL), then run 'make -C /var/yp'"
        fi
    done
    if is_live; then
        make -s -C /var/yp || warn "'make -C /var/yp' failed: fix the NIS maps, then run it again"
    else
        say "not a running system: run 'make -C /var/yp' after the first boot"
    fi
}
