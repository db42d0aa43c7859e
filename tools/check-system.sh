#!/bin/sh
# Checks what building PyICU needs from the system: a C++ compiler, pkg-config,
# the ICU headers, Python headers and venv. As root with apt-get it installs
# what is missing; otherwise it prints the exact command and fails.
set -u
PYTHON=${PYTHON:-python3}
missing=""

command -v "$PYTHON" >/dev/null 2>&1 || { echo "bnsearch needs Python 3.10+ ($PYTHON not found)"; exit 1; }
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 10))' || {
    echo "bnsearch needs Python 3.10 or newer; $PYTHON is $("$PYTHON" -V 2>&1)"; exit 1; }
command -v pkg-config >/dev/null 2>&1 || missing="$missing pkg-config"
if command -v pkg-config >/dev/null 2>&1 && ! pkg-config --exists icu-i18n icu-uc; then
    missing="$missing libicu-dev"
elif ! command -v pkg-config >/dev/null 2>&1; then
    missing="$missing libicu-dev"
fi
command -v c++ >/dev/null 2>&1 || command -v g++ >/dev/null 2>&1 || missing="$missing g++"
"$PYTHON" -c 'import os, sysconfig; sys_h = os.path.join(sysconfig.get_paths()["include"], "Python.h"); raise SystemExit(not os.path.exists(sys_h))' \
    || missing="$missing python3-dev"
"$PYTHON" -c 'import ensurepip, venv' 2>/dev/null || missing="$missing python3-venv"

[ -z "$missing" ] && exit 0

line="apt-get install -y$missing"
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "bnsearch: installing system packages:$missing"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive $line && exit 0
    echo "bnsearch: could not install them; run: $line"
    exit 1
fi
echo "bnsearch: missing system packages:$missing"
echo "Install them, then run make again:"
echo "    sudo $line"
exit 1
