#!/usr/bin/env bash
# Build dist/neo-usage-tray_<version>_<arch>.deb from the frozen onedir (dist/onedir/neo-tray),
# with Debian's own tools: dpkg-shlibdeps for Depends, dpkg-deb for the archive, lintian to check.
# Called by `packaging/build.sh deb` after the onedir build.
#
# Layout: the app in /usr/lib/neo-usage-tray (lintian treats /opt as an error), /usr/bin/neo-tray
# a relative symlink to it, the .desktop file, the icon in every hicolor size, the AppStream
# metainfo, a man page, the copyright and changelog. No maintainer scripts: dpkg's triggers
# refresh the icon cache and the menu, and nothing is ever written to users' home directories.
set -euo pipefail
cd "$(dirname "$0")/../.."

source packaging/linux/common.sh
PACKAGE=neo-usage-tray
ARCH=$(dpkg --print-architecture)
MULTIARCH=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -print-multiarch 2>/dev/null || echo "$(uname -m)-linux-gnu")
WORK=build/deb
STAGE=$WORK/$PACKAGE
OUT=dist/${PACKAGE}_${VERSION}_${ARCH}.deb

require_onedir
rm -rf "$WORK"
mkdir -p "$STAGE/DEBIAN" "$STAGE/usr/lib/$PACKAGE" "$STAGE/usr/bin"
cp -a "$ONEDIR/." "$STAGE/usr/lib/$PACKAGE/"
ln -s "../lib/$PACKAGE/neo-tray" "$STAGE/usr/bin/neo-tray"

# PyInstaller copied the build machine's system libraries (libX11, libglib, libstdc++, ...) next
# to the app. A package uses the distribution's instead and depends on them: drop each copy that
# is byte for byte the system's file, and let dpkg-shlibdeps name the packages below. What the
# Python wheels brought (Qt, ICU, PySide6, libpython) stays.
dropped=0
for library in "$STAGE/usr/lib/$PACKAGE/_internal/"*.so*; do
  name=$(basename "$library")
  for folder in "/lib/$MULTIARCH" "/usr/lib/$MULTIARCH"; do
    if [ -f "$folder/$name" ] && cmp -s "$library" "$folder/$name"; then
      rm "$library"
      dropped=$((dropped + 1))
      break
    fi
  done
done
echo "deb: $dropped bundled system libraries dropped in favour of Depends"

share=$STAGE/usr/share
install_desktop_files "$share"
install -Dm644 packaging/linux/copyright "$share/doc/$PACKAGE/copyright"
mkdir -p "$share/man/man1"
gzip -9n < packaging/linux/changelog > "$share/doc/$PACKAGE/changelog.gz"
gzip -9n < packaging/linux/neo-tray.1 > "$share/man/man1/neo-tray.1.gz"
install -Dm644 packaging/linux/lintian-overrides "$share/lintian/overrides/$PACKAGE"

# Modes as Debian wants them: folders 755, files 644, programs and nothing else executable.
find "$STAGE" -type d -exec chmod 0755 {} +
find "$STAGE" -type f -exec chmod 0644 {} +
chmod 0755 "$STAGE/usr/lib/$PACKAGE/neo-tray"

# Depends: from the ELF files' needs, resolved by dpkg-shlibdeps to the packages that provide
# them (the libraries inside the package resolve to themselves).
stage_abs=$(realpath "$STAGE")
elves=()
while IFS= read -r -d '' file; do
  if [ "$(head -c 4 "$file" | tail -c 3)" = ELF ]; then elves+=("$file"); fi
done < <(find "$stage_abs/usr/lib/$PACKAGE" -type f -print0)
private=()
while IFS= read -r folder; do private+=("-l$folder"); done < <(
  for elf in "${elves[@]}"; do dirname "$elf"; done | sort -u
)
mkdir -p "$WORK/debian"
printf 'Source: %s\n\nPackage: %s\nArchitecture: any\n' "$PACKAGE" "$PACKAGE" > "$WORK/debian/control"
depends=$(cd "$WORK" && dpkg-shlibdeps -O --ignore-missing-info --warnings=0 \
  "-S$stage_abs" "${private[@]}" "${elves[@]}" | sed -n 's/^shlibs:Depends=//p')
[ -n "$depends" ] || { echo "dpkg-shlibdeps found no dependencies" >&2; exit 1; }

cat > "$STAGE/DEBIAN/control" <<EOF
Package: $PACKAGE
Version: $VERSION
Architecture: $ARCH
Maintainer: The Neo Usage Tray developers <neo-usage-tray@users.noreply.github.com>
Installed-Size: $(du -sk --apparent-size "$STAGE/usr" | cut -f1)
Depends: $depends
Suggests: gnome-keyring
Section: utils
Priority: optional
Homepage: https://github.com/neo-usage-tray/neo-usage-tray
Description: system-tray gauge of ProjectDiscovery Neo credits
 Neo Usage Tray shows how much of your ProjectDiscovery Neo credit is left
 as a gauge in the system tray, counts down to the expiry date, forecasts
 when the credits run out or how many will expire unused, and breaks usage
 down by model, task status, period, team member and own-key usage.
 .
 It sends a native notification before credits run low or expire, keeps
 each account's API token in the system keyring, and prints the figures for
 scripts and status bars (neo-tray --once --json).
EOF

mkdir -p dist
rm -f "$OUT"
dpkg-deb --root-owner-group -Zxz --build "$STAGE" "$OUT" >/dev/null
echo "deb: $OUT ($(du -h "$OUT" | cut -f1)), Depends: $depends"

if command -v lintian >/dev/null 2>&1; then
  # Errors fail the build; the warnings that remain are explained in lintian-overrides.
  lintian --fail-on error --tag-display-limit 0 "$OUT"
  echo "deb: lintian reports no errors"
else
  echo "deb: lintian not installed; not checked" >&2
fi
