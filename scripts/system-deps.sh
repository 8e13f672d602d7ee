#!/usr/bin/env bash
# Debian packages, installed once; nothing is fetched at run time.
#   system-deps.sh       what the checks need: Tesseract (OCR of scans), chromium for the
#                        browser tests and PostgreSQL for the shared-database tests.
#   system-deps.sh run   what the app needs: Tesseract only. Without root it says what to
#                        install and carries on (scans are then refused with that advice).
set -euo pipefail
mode="${1:-test}"

need=()
command -v tesseract >/dev/null && [ -n "$(ls /usr/share/tesseract-ocr/*/tessdata/eng.traineddata 2>/dev/null)" ] \
  || need+=(tesseract-ocr tesseract-ocr-eng)
if [ "$mode" != run ]; then
  [ -x /usr/bin/chromium ] || need+=(chromium)
  compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || need+=(postgresql)
fi
[ ${#need[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then SUDO=sudo; else
    echo "Missing Debian packages: ${need[*]}. Install them as root: apt-get install ${need[*]}" >&2
    [ "$mode" = run ] && exit 0
    exit 1
  fi
else
  SUDO=""
fi
echo "Installing Debian packages: ${need[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
