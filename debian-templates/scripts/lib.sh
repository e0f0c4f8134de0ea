# ---- storpkg shell library (shared by every maintainer script) ----------
PKG={{ lib.package | shell_quote }}
STATE={{ lib.state_dir | shell_quote }}
BLOCK_BEGIN="# BEGIN $PKG (managed by storpkg: edits inside this block are lost)"
BLOCK_END="# END $PKG"
DISABLED_TAG="#$PKG-disabled# "

say() { printf '%s: %s\n' "$PKG" "$*"; }
warn() { printf '%s: WARNING: %s\n' "$PKG" "$*" >&2; }
die() { printf '%s: ERROR: %s\n' "$PKG" "$*" >&2; exit 1; }

# True only on a running system: not in a chroot (the installer's target,
# a build root), not under DPKG_ROOT, and with systemd as the init system.
# Live actions (starting, reloading, sysctl, ifup) happen only then.
is_live() {
    [ -z "${DPKG_ROOT:-}" ] || return 1
    if command -v systemd-detect-virt >/dev/null 2>&1; then
        if systemd-detect-virt --quiet --chroot; then
            return 1
        fi
    elif [ -e /proc/1/root ]; then
        if [ "$(stat -Lc %d:%i /proc/1/root/ 2>/dev/null)" != "$(stat -Lc %d:%i /)" ]; then
            return 1
        fi
    else
        return 1
    fi
    [ -d /run/systemd/system ]
}

# dsh ARGS: deb-systemd-helper, when still installed, quietly.
dsh() {
    if command -v deb-systemd-helper >/dev/null 2>&1; then
        deb-systemd-helper "$@" >/dev/null || true
    fi
}

# Replace FILE atomically with TMP, keeping FILE's mode and owner.
replace_file() {
    if [ -e "$1" ]; then
        if cmp -s "$1" "$2"; then
            rm -f "$2"
            return 0
        fi
        chmod --reference="$1" "$2"
        chown --reference="$1" "$2"
    fi
    mv -f "$2" "$1"
}

# block_apply FILE SOURCE top|bottom [disable]
# Put SOURCE between our markers in FILE (at the top or the bottom), written
# atomically. With "disable", lines outside the block naming any name of the
# block (fields 2.. of its entries, as in /etc/hosts) are commented out with
# a tag, so that block_remove can give them back.
block_apply() {
    _file=$1
    _tmp="$1.$PKG-new"
    [ -e "$_file" ] || : >"$_file"
    awk -v begin="$BLOCK_BEGIN" -v end="$BLOCK_END" -v src="$2" -v pos="$3" \
        -v disable="${4:-}" -v tag="$DISABLED_TAG" '
        BEGIN {
            if (disable != "") {
                while ((getline line < src) > 0) {
                    if (line ~ /^[ \t]*(#|$)/) continue
                    n = split(line, f, /[ \t]+/)
                    for (i = 2; i <= n; i++) if (f[i] != "") names[f[i]] = 1
                }
                close(src)
            }
            if (pos == "top") {
                print begin
                while ((getline line < src) > 0) print line
                close(src)
                print end
            }
        }
        $0 == begin { skip = 1; next }
        $0 == end { skip = 0; next }
        skip { next }
        disable != "" && $0 !~ /^[ \t]*(#|$)/ {
            l = $0
            sub(/^[ \t]+/, "", l)
            n = split(l, f, /[ \t]+/)
            hit = 0
            for (i = 2; i <= n; i++) if (f[i] in names) hit = 1
            if (hit) { print tag $0; next }
        }
        { print }
        END {
            if (pos != "top") {
                print begin
                while ((getline line < src) > 0) print line
                close(src)
                print end
            }
        }
    ' "$_file" >"$_tmp"
    replace_file "$_file" "$_tmp"
}

# block_remove FILE: drop our block and give back the lines we disabled.
block_remove() {
    [ -e "$1" ] || return 0
    _tmp="$1.$PKG-new"
    awk -v begin="$BLOCK_BEGIN" -v end="$BLOCK_END" -v tag="$DISABLED_TAG" '
        $0 == begin { skip = 1; next }
        $0 == end { skip = 0; next }
        skip { next }
        index($0, tag) == 1 { print substr($0, length(tag) + 1); next }
        { print }
    ' "$1" >"$_tmp"
    replace_file "$1" "$_tmp"
}

# divert_add FILE DIVERTED: move another package's (or nobody's) FILE aside.
# When the owner is unpacked but not yet configured (apt unpacked it just
# before us), its new conffile waits as FILE.dpkg-new: moved along, so that
# dpkg, which configures through the diversion, installs it as DIVERTED.
divert_add() {
    dpkg-divert --quiet --package "$PKG" --add --rename --divert "$2" "$1"
    if [ -e "$1.dpkg-new" ] && [ ! -e "$2.dpkg-new" ]; then
        mv "$1.dpkg-new" "$2.dpkg-new"
    fi
}

# divert_remove FILE DIVERTED: give FILE back (only a diversion of ours).
divert_remove() {
    if [ "$(dpkg-divert --listpackage "$1")" = "$PKG" ]; then
        dpkg-divert --quiet --package "$PKG" --remove --rename --divert "$2" "$1"
    fi
}

# link_displaced FILE TARGET: FILE becomes a symlink to our TARGET (a file
# shipped next to it) after FILE was diverted away. Anything that replaced
# the link since (a DHCP client rewriting resolv.conf, say) is kept aside.
link_displaced() {
    if [ -L "$1" ] && [ "$(readlink "$1")" = "$2" ]; then
        return 0
    fi
    if [ -e "$1" ] || [ -L "$1" ]; then
        warn "$1 was replaced by something else; keeping it as $1.$PKG-replaced"
        mv -f "$1" "$1.$PKG-replaced"
    fi
    ln -s "$2" "$1"
}

# unlink_displaced FILE TARGET: remove our symlink before giving FILE back.
unlink_displaced() {
    if [ -L "$1" ] && [ "$(readlink "$1")" = "$2" ]; then
        rm -f "$1"
    fi
}

# changed NAME FILE...: true when the files differ from the last call with
# NAME (or on the first call); remembers their checksums.
changed() {
    _name=$1
    shift
    mkdir -p "$STATE/sums"
    _new=$(cat "$@" 2>/dev/null | md5sum)
    if [ -e "$STATE/sums/$_name" ] && [ "$(cat "$STATE/sums/$_name")" = "$_new" ]; then
        return 1
    fi
    printf '%s\n' "$_new" >"$STATE/sums/$_name"
    return 0
}

# pending KEY [MESSAGE]: record (or with no message, clear) a manual step
# that is still missing; `<site>-storage status` lists them.
pending() {
    mkdir -p "$STATE/pending"
    if [ $# -gt 1 ]; then
        printf '%s\n' "$2" >"$STATE/pending/$1"
        warn "$2"
    else
        rm -f "$STATE/pending/$1"
    fi
}
# ---- end of the storpkg shell library ------------------------------------

# Mountpoints and public symlinks of the site are made at configure time
# (the how-to's mkdir and ln -s), not shipped, and recorded so that purge
# removes only what this package made: an empty, unmounted directory, a
# symlink that is still a symlink. Nothing else is ever touched.
make_dir() {
    if [ ! -d "$1" ]; then
        mkdir -p "$1" "$STATE"
        printf '%s\n' "$1" >>"$STATE/made-dirs"
    fi
}

make_link() {
    if [ -L "$1" ]; then
        if [ "$(readlink "$1")" != "$2" ]; then
            warn "$1 points to $(readlink "$1"), not $2: left alone (check it, then 'ln -sfn $2 $1')"
        fi
    elif [ -e "$1" ]; then
        warn "$1 exists and is not a symlink: left alone (move it away, then 'dpkg-reconfigure $PKG' makes the link to $2)"
    else
        mkdir -p "$(dirname "$1")" "$STATE"
        ln -s "$2" "$1"
        printf '%s\n' "$1" >>"$STATE/made-links"
    fi
}

undo_layout() {
    if [ -f "$STATE/made-links" ]; then
        while read -r _l; do
            if [ -L "$_l" ]; then rm -f "$_l"; fi
        done <"$STATE/made-links"
    fi
    if [ -f "$STATE/made-dirs" ]; then
        sort -r "$STATE/made-dirs" | while read -r _d; do
            if [ -d "$_d" ] && ! mountpoint -q "$_d"; then
                rmdir "$_d" 2>/dev/null || warn "$_d is not empty: kept"
            fi
        done
    fi
}

# The site repository may already be listed elsewhere with another
# Signed-By (d-i's apt-setup/localN writes one), and apt refuses two. Such
# lines are commented out with a marker naming this package, and given
# back on purge. Only one-line-style lists are looked at; deb822 files of
# others are left alone.
adopt_source() {
    for _f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -f "$_f" ] || continue
        if grep -Eq "^[[:space:]]*deb(-src)?[[:space:]].*[[:space:]]$1/?[[:space:]]" "$_f"; then
            sed -E "s|^([[:space:]]*deb(-src)?[[:space:]].*[[:space:]]$1/?[[:space:]].*)\$|# $PKG: \\1|" "$_f" >"$_f.$PKG-new"
            replace_file "$_f" "$_f.$PKG-new"
            say "the site repository $1 was also listed in $_f: commented out there, $2 lists it now"
        fi
    done
}

give_back_sources() {
    for _f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -f "$_f" ] || continue
        if grep -q "^# $PKG: " "$_f"; then
            sed "s|^# $PKG: ||" "$_f" >"$_f.$PKG-new"
            replace_file "$_f" "$_f.$PKG-new"
        fi
    done
}
