#!/usr/bin/env bash
# Build dist/neo-usage-tray-<version>-linux-<machine>.tar.gz: the frozen onedir with install.sh
# and uninstall.sh for the user's home, for distributions without dpkg. Called by
# `packaging/build.sh tar` after the onedir build. The onedir keeps its bundled libraries here:
# there is no package manager to provide them.
set -euo pipefail
cd "$(dirname "$0")/../.."

source packaging/linux/common.sh
NAME=neo-usage-tray-$VERSION-linux-$(uname -m)
WORK=build/tar
ROOT=$WORK/$NAME

require_onedir
rm -rf "$WORK"
mkdir -p "$ROOT/app"
cp -a "$ONEDIR/." "$ROOT/app/"
install_desktop_files "$ROOT/share"
install -m755 packaging/linux/install.sh packaging/linux/uninstall.sh "$ROOT/"
cat > "$ROOT/README.txt" <<TEXT
Neo Usage Tray $VERSION for Linux ($(uname -m))

  sh install.sh      installs it for you alone (no root): ~/.local/lib/neo-usage-tray,
                     ~/.local/bin/neo-tray, and the menu entry and icon under ~/.local/share
  sh ~/.local/lib/neo-usage-tray/uninstall.sh
                     removes it again, and asks before removing your settings and tokens

Try it with no token: ~/.local/bin/neo-tray --demo
TEXT
mkdir -p dist
tar -C "$WORK" --owner=0 --group=0 --numeric-owner -czf "dist/$NAME.tar.gz" "$NAME"
echo "tar: dist/$NAME.tar.gz ($(du -h "dist/$NAME.tar.gz" | cut -f1))"
