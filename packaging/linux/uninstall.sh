#!/bin/sh
# Remove what install.sh installed for this user. Your own files (settings, cached figures,
# notification memory, log, saved tokens, the start-at-login entry) are yours: it asks before
# removing them; --purge removes them without asking, --keep-data keeps them.
set -eu
APP_ID=io.github.neo_usage_tray.NeoUsageTray
lib=$HOME/.local/lib/neo-usage-tray
manifest=$lib/installed-files
choice=ask
case "${1:-}" in
  --purge) choice=yes ;;
  --keep-data) choice=no ;;
  "") ;;
  *) echo "usage: uninstall.sh [--purge | --keep-data]" >&2; exit 2 ;;
esac

if [ -f "$manifest" ]; then
  grep -v '^dir:' "$manifest" | while IFS= read -r file; do
    if [ -n "$file" ]; then rm -f "$file"; fi
  done
  # The folders the install created, deepest first, if nothing else was put in them since.
  sed -n 's/^dir://p' "$manifest" | sed '1!G;h;$!d' > "$manifest.dirs"
  folders=$(cat "$manifest.dirs")
  rm -rf "$lib"
  printf '%s\n' "$folders" | while IFS= read -r folder; do
    if [ -n "$folder" ]; then rmdir "$folder" 2>/dev/null || true; fi
  done
fi
rm -rf "$lib"
data=${XDG_DATA_HOME:-$HOME/.local/share}
echo "Neo Usage Tray was removed."

config=${XDG_CONFIG_HOME:-$HOME/.config}
cache=${XDG_CACHE_HOME:-$HOME/.cache}
state=${XDG_STATE_HOME:-$HOME/.local/state}
yours=
for path in "$config/neo-usage-tray" "$cache/neo-usage-tray" "$state/neo-usage-tray" \
  "$data/neo-usage-tray" "$config/autostart/$APP_ID.desktop"; do
  if [ -e "$path" ]; then yours="$yours $path"; fi
done
if [ "$choice" = ask ]; then
  choice=no
  if [ -t 0 ]; then
    printf 'Also remove your settings, cached figures, log, saved tokens and start-at-login entry? [y/N] '
    read -r answer || answer=
    case "$answer" in [yY]*) choice=yes ;; esac
  fi
fi
if [ "$choice" = yes ]; then
  for path in $yours; do rm -rf "$path"; done
  # Tokens in the system keyring (one entry per account, service "neo-usage-tray").
  if command -v secret-tool >/dev/null 2>&1; then
    limit=
    if command -v timeout >/dev/null 2>&1; then limit="timeout 15"; fi
    $limit secret-tool clear service neo-usage-tray 2>/dev/null || true
  else
    echo "Tokens kept in a keyring: remove the entries of service \"neo-usage-tray\" with your keyring's tool."
  fi
  echo "Your settings and saved tokens were removed too."
else
  echo "Your files were kept:${yours:- none} (and any keyring entries of service \"neo-usage-tray\")."
fi
