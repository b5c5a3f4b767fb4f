#!/usr/bin/env bash
# Build the frozen app with PyInstaller: `bash packaging/build.sh [onefile|onedir|both|deb|tar]`.
# Uses .venv (made by tests/run.sh) or $PYTHON; artefacts land in dist/<mode>/. `deb` and `tar`
# build the onedir (kept when NEO_TRAY_SKIP_BUILD=1 and it exists), then
# dist/neo-usage-tray_<version>_<arch>.deb (packaging/linux/deb.sh) or the portable
# dist/neo-usage-tray-<version>-linux-<machine>.tar.gz (packaging/linux/tar.sh).
# Prints build time and sizes, and writes them to dist/build-report.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
MODE=${1:-onefile}
PYTHON=${PYTHON:-.venv/bin/python}
if [ ! -x "$PYTHON" ]; then
  python3 -m venv .venv
  PYTHON=.venv/bin/python
fi
"$PYTHON" -m pip install -q -e '.[build]'
# The icons are committed (made by packaging/make_icons.py when it changes): a build paints
# them only when missing, so building never rewrites tracked files with another Qt's pixels.
if [ ! -f resources/icons/neo-usage-tray-512.png ] || [ ! -f resources/neo-usage-tray.ico ]; then
  "$PYTHON" packaging/make_icons.py >/dev/null
elif [ ! -f resources/icons/loading/loading-dark-64@2x.png ]; then
  "$PYTHON" packaging/make_icons.py loading >/dev/null  # the tray's first icon (ui/icon_boot)
fi

build() {
  local mode=$1 started=$SECONDS
  NEO_TRAY_BUILD_MODE=$mode "$PYTHON" -m PyInstaller packaging/neo-tray.spec -y --log-level WARN \
    --distpath "dist/$mode" --workpath "build/pyinstaller-$mode"
  local seconds=$((SECONDS - started)) size
  if [ "$mode" = onefile ]; then
    size=$(du -b "dist/onefile/neo-tray"* | awk '{s+=$1} END {print s}')
  else
    size=$(du -sb dist/onedir/neo-tray | awk '{print $1}')
  fi
  "$PYTHON" -c "import sys; print(f'{sys.argv[1]}: {sys.argv[2]} s, {int(sys.argv[3]) / 1e6:.1f} MB')" \
    "$mode" "$seconds" "$size" | tee -a dist/build-report.txt
}

mkdir -p dist
: > dist/build-report.txt
onedir_for_package() {
  if [ "${NEO_TRAY_SKIP_BUILD:-}" != 1 ] || [ ! -x dist/onedir/neo-tray/neo-tray ]; then
    build onedir
  fi
}

case "$MODE" in
  onefile|onedir) build "$MODE" ;;
  both) build onefile; build onedir ;;
  deb) onedir_for_package; bash packaging/linux/deb.sh ;;
  tar) onedir_for_package; bash packaging/linux/tar.sh ;;
  *) echo "usage: $0 [onefile|onedir|both|deb|tar]" >&2; exit 2 ;;
esac
