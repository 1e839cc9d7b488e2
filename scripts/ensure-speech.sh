# Sourced by the test command: Debian's espeak-ng (speech synthesis) and sox (speed, noise,
# mixing) make the spoken test utterances for the headset's speech recognition.
set -euo pipefail
if ! command -v espeak-ng >/dev/null 2>&1 || ! command -v sox >/dev/null 2>&1; then
  echo "installing espeak-ng and sox (Debian packages)" >&2
  apt-get -o DPkg::Lock::Timeout=600 update -qq
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq espeak-ng sox >/dev/null
fi
