# Shared by deb.sh and tar.sh (sourced, from the repository root): what both packages carry
# besides the app, and where the onedir and the version come from.
APP_ID=io.github.neo_usage_tray.NeoUsageTray
VERSION=$(sed -n 's/^__version__ = "\(.*\)"/\1/p' desktop/__init__.py)
ONEDIR=dist/onedir/neo-tray

require_onedir() {
  [ -x "$ONEDIR/neo-tray" ] || { echo "no onedir build at $ONEDIR (run packaging/build.sh onedir)" >&2; exit 1; }
}

# The menu entry, the AppStream metainfo and the icon in every hicolor size, under $1 (a share/).
install_desktop_files() {
  local share=$1 icon size
  install -Dm644 "resources/$APP_ID.desktop" "$share/applications/$APP_ID.desktop"
  install -Dm644 "resources/$APP_ID.metainfo.xml" "$share/metainfo/$APP_ID.metainfo.xml"
  for icon in resources/icons/neo-usage-tray-*.png; do
    size=${icon##*-}
    size=${size%.png}
    install -Dm644 "$icon" "$share/icons/hicolor/${size}x${size}/apps/$APP_ID.png"
  done
}
