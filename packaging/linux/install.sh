#!/bin/sh
# Install Neo Usage Tray for this user, from the unpacked archive (no root, no dpkg needed):
#   the app       ~/.local/lib/neo-usage-tray/
#   the command   ~/.local/bin/neo-tray
#   menu entry    ~/.local/share/applications/, icons ~/.local/share/icons/hicolor/
# Every file it writes is listed in ~/.local/lib/neo-usage-tray/installed-files, which
# uninstall.sh (also copied there) removes again.
set -eu
APP_ID=io.github.neo_usage_tray.NeoUsageTray
here=$(cd "$(dirname "$0")" && pwd)
data=${XDG_DATA_HOME:-$HOME/.local/share}
lib=$HOME/.local/lib/neo-usage-tray
bin=$HOME/.local/bin
manifest=$lib/installed-files

if [ -f "$manifest" ]; then  # an earlier install: take it away first (user data stays)
  sh "$lib/uninstall.sh" --keep-data >/dev/null
fi
created=
for dir in "$lib" "$bin"; do
  while [ ! -d "$dir" ]; do created="$dir
$created"; dir=$(dirname "$dir"); done
done
mkdir -p "$lib" "$bin"
cp -R "$here/app/." "$lib/"
cp "$here/uninstall.sh" "$lib/uninstall.sh"
: > "$manifest"
note() { printf '%s\n' "$1" >> "$manifest"; }
# Folders this install creates are noted too (uninstall.sh removes them again when empty).
make_dir() {
  missing=
  dir=$1
  while [ ! -d "$dir" ]; do missing="$dir
$missing"; dir=$(dirname "$dir"); done
  mkdir -p "$1"
  printf '%s' "$missing" | while IFS= read -r folder; do
    if [ -n "$folder" ]; then note "dir:$folder"; fi
  done
}
printf '%s' "$created" | while IFS= read -r folder; do
  if [ -n "$folder" ] && [ "$folder" != "$lib" ]; then note "dir:$folder"; fi
done

ln -sf "$lib/neo-tray" "$bin/neo-tray"
note "$bin/neo-tray"
make_dir "$data/applications"
# The menu entry starts the app by its full path: ~/.local/bin may not be on the session's PATH.
sed -e "s|^Exec=neo-tray|Exec=$lib/neo-tray|" -e "s|^TryExec=.*||" \
  "$here/share/applications/$APP_ID.desktop" > "$data/applications/$APP_ID.desktop"
note "$data/applications/$APP_ID.desktop"
for icon in "$here"/share/icons/hicolor/*/apps/"$APP_ID".png; do
  size=$(basename "$(dirname "$(dirname "$icon")")")
  make_dir "$data/icons/hicolor/$size/apps"
  cp "$icon" "$data/icons/hicolor/$size/apps/$APP_ID.png"
  note "$data/icons/hicolor/$size/apps/$APP_ID.png"
done
make_dir "$data/metainfo"
cp "$here/share/metainfo/$APP_ID.metainfo.xml" "$data/metainfo/"
note "$data/metainfo/$APP_ID.metainfo.xml"

# No cache files are written (mimeinfo.cache, icon-theme.cache): menus watch these folders, and a
# new icon cache in the user's hicolor would hide icons other apps add later.
echo "Neo Usage Tray is installed: find it in the application menu, or run $bin/neo-tray"
echo "(try it with no token: neo-tray --demo). Remove it with: sh $lib/uninstall.sh"
