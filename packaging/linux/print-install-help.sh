#!/bin/sh
# Printed at the end of `make dist`: where the bundle is and how to run or install it.
set -eu
cd "$(dirname -- "$0")/../.."
case "$(uname -s)" in
    Darwin) APP=dist/DigitDesk.app; EXE=dist/DigitDesk/DigitDesk ;;
    MINGW*|MSYS*|CYGWIN*) APP=dist/DigitDesk; EXE='dist\DigitDesk\DigitDesk.exe' ;;
    *) APP=dist/DigitDesk; EXE=dist/DigitDesk/DigitDesk ;;
esac
SIZE=$(du -sh dist/DigitDesk 2>/dev/null | cut -f1 || echo "?")

cat <<MSG

DigitDesk is built: $APP ($SIZE)
  run it:           $EXE
  check it:         $EXE --selftest     (prints one JSON line; exit status 0 = all samples read)
MSG
case "$(uname -s)" in
    Linux) cat <<'MSG'
  add to the menu:  sh packaging/linux/install-desktop-entry.sh
                    (writes ~/.local/share/applications/digitdesk.desktop and the icon; run it again
                    if you move dist/DigitDesk; remove with: sh packaging/linux/install-desktop-entry.sh --uninstall)
  ship it:          tar -C dist -czf DigitDesk-linux-x86_64.tar.gz DigitDesk
MSG
    ;;
    Darwin) echo "  install:          drag dist/DigitDesk.app into /Applications" ;;
esac
