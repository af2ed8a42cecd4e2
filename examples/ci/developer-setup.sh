#!/bin/sh
# A developer machine's one-time setup, from a repository's own setup script: install shipmeter
# from the Debian package and the commit hook that tags AI-assisted commits (their trailers name
# the agent session, so its usage joins the commit exactly). Safe to run again.
#   SHIPMETER_DEB  where the package is (a path or an https URL; default: the release's)
set -eu
version=${SHIPMETER_VERSION:-0.3.0}
deb=${SHIPMETER_DEB:-https://github.com/<your-org>/shipmeter/releases/download/v$version/shipmeter_${version}_amd64.deb}
if ! command -v shipmeter >/dev/null 2>&1 || [ -n "${SHIPMETER_DEB:-}" ]; then
  case "$deb" in
    http*) curl -fsSL -o /tmp/shipmeter.deb "$deb" && deb=/tmp/shipmeter.deb ;;
  esac
  sudo=; [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$deb" >/dev/null
fi
shipmeter hooks install
shipmeter hooks status
