#!/usr/bin/env bash
# The Debian packages the tests need beside Python, installed with apt-get only where missing (as root, or with
# sudo): Java 17 or newer for Apache Spark (`wardwatch isac --engine spark`), Chromium and Noto CJK fonts for the
# tests that open every HTML page in a real browser (tests/test_browser.py). `.ci/run` calls it before the tests.
# Not Debian, or no way to install: it says what is missing and leaves it to the tests (under CI=true they fail).
set -euo pipefail

need=()

# Java 17 or newer (Spark 4 refuses older ones): Debian's openjdk-17-jre-headless, or the release's default JRE
# where a newer Debian no longer ships 17.
java_major() { java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n1; }
if ! command -v java >/dev/null 2>&1 || [ "$(java_major)" -lt 17 ] 2>/dev/null; then
  if apt-cache show openjdk-17-jre-headless >/dev/null 2>&1; then
    need+=(openjdk-17-jre-headless)
  else
    need+=(default-jre-headless)
  fi
fi

# Chromium (the browser tests drive /usr/bin/chromium through Playwright; no browser is downloaded) and Japanese
# fonts, so that pages are measured and photographed as a reader sees them.
command -v chromium >/dev/null 2>&1 || need+=(chromium)
# (grep reads to the end, not -q: under pipefail an early exit kills fc-list with SIGPIPE now and then, and the
# fonts would look missing)
fc-list 2>/dev/null | grep -i "noto.*cjk" >/dev/null || need+=(fonts-noto-cjk)

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "setup-debian: not a Debian system; install these yourself: ${need[*]}" >&2
  exit 0
fi
sudo=()
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "setup-debian: need root (or sudo) to install: ${need[*]}" >&2
    exit 0
  fi
  sudo=(sudo)
fi
echo "setup-debian: installing ${need[*]}" >&2
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
