#!/bin/sh
# Adds DigitDesk to the desktop's application menu for the current user (no root needed):
#   ~/.local/share/applications/digitdesk.desktop   Exec = absolute path of the bundle's executable
#   ~/.local/share/icons/hicolor/<size>/apps/digitdesk.png
# Usage: sh packaging/linux/install-desktop-entry.sh [BUNDLE_DIR]     (default: dist/DigitDesk)
#        sh install-desktop-entry.sh       from inside the bundle's folder, where `make dist` puts a copy
#        sh packaging/linux/install-desktop-entry.sh --uninstall
# Run it again after moving the bundle: the menu entry points at wherever the bundle is now.
set -eu

HERE=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
REPO=$(CDPATH= cd -- "$HERE/../.." && pwd)
DATA_HOME=${XDG_DATA_HOME:-$HOME/.local/share}
APPS=$DATA_HOME/applications
ICONS=$DATA_HOME/icons/hicolor

refresh_menus() {
    # Optional tools; menus also pick the change up by themselves, just later.
    command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q "$APPS" || true
    command -v gtk-update-icon-cache >/dev/null 2>&1 && gtk-update-icon-cache -q -t "$ICONS" || true
}

if [ "${1:-}" = "--uninstall" ]; then
    rm -f "$APPS/digitdesk.desktop" "$ICONS"/*/apps/digitdesk.png
    refresh_menus
    echo "Removed DigitDesk from the application menu."
    exit 0
fi

if [ -x "$HERE/DigitDesk" ]; then   # the copy beside the bundle's executable
    DEFAULT_BUNDLE=$HERE
else
    DEFAULT_BUNDLE=$REPO/dist/DigitDesk
fi
BUNDLE_ARG=${1:-$DEFAULT_BUNDLE}
if [ ! -x "$BUNDLE_ARG/DigitDesk" ]; then
    echo "error: no executable DigitDesk in $BUNDLE_ARG - build it first with: make dist" >&2
    exit 1
fi
BUNDLE=$(CDPATH= cd -- "$BUNDLE_ARG" && pwd)
EXE=$BUNDLE/DigitDesk
# The icons ship inside the bundle (digitdesk.resources); fall back to the source tree.
RES=$BUNDLE/_internal/digitdesk/resources
[ -f "$RES/icon.png" ] || RES=$REPO/resources

mkdir -p "$APPS"
for size in 16 24 32 48 64 128 256; do
    icon=$RES/icon-$size.png
    [ "$size" = 256 ] && icon=$RES/icon.png
    [ -f "$icon" ] || continue
    mkdir -p "$ICONS/${size}x${size}/apps"
    cp "$icon" "$ICONS/${size}x${size}/apps/digitdesk.png"
done

# Desktop entries quote paths with spaces in Exec with double quotes; TryExec takes the bare path.
sed -e "s|^Exec=.*|Exec=\"$EXE\"|" -e "s|^TryExec=.*|TryExec=$EXE|" -e '/^# install-desktop-entry/d' \
    "$HERE/digitdesk.desktop" > "$APPS/digitdesk.desktop.tmp"
chmod 644 "$APPS/digitdesk.desktop.tmp"
mv "$APPS/digitdesk.desktop.tmp" "$APPS/digitdesk.desktop"
refresh_menus

echo "Installed $APPS/digitdesk.desktop"
echo "  runs $EXE"
echo "DigitDesk is now in your application menu (log out and in if it does not show up yet)."
