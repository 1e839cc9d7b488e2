# Sourced by the test command: Debian's Chromium for the browser tests and axe-core (npm) for
# the accessibility checks. Playwright drives /usr/bin/chromium; it downloads no browser.
set -euo pipefail
if [ ! -x /usr/bin/chromium ]; then
  echo "installing chromium (Debian package)" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
if [ ! -f .cache/node/node_modules/axe-core/axe.min.js ]; then
  command -v npm >/dev/null 2>&1 || {
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null
  }
  npm install --silent --no-audit --no-fund --prefix .cache/node axe-core@4 >/dev/null
fi
export STEPWISE_AXE_JS="$PWD/.cache/node/node_modules/axe-core/axe.min.js"
