#!/usr/bin/env bash
# Sets voicecoach up on a fresh Debian/Ubuntu machine: the system speech and audio
# libraries (apt), then voicecoach itself (pip). Pass --dev for the test tools too.
set -euo pipefail
cd "$(dirname "$0")"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
# espeak-ng: the coach's voice (pyttsx3 drives it); libportaudio2 + libasound2-plugins:
# sound in and out through sounddevice (ALSA, or PulseAudio/PipeWire through ALSA's plugin)
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends espeak-ng libespeak-ng1 libportaudio2 libasound2-plugins
if [ "${1:-}" = "--dev" ]; then
  # virtual audio devices for the real-device tests; sox for clip tools
  $SUDO apt-get install -y -qq --no-install-recommends pulseaudio pulseaudio-utils sox
  python -m pip install -q -e '.[test]'
else
  python -m pip install -q .
fi
echo "voicecoach is installed: try 'voicecoach list' and 'voicecoach check'"
