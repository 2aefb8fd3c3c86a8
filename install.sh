#!/usr/bin/env bash
# Sets voicecoach up on a Debian/Ubuntu machine: the system speech and audio libraries
# (apt, only those missing), then voicecoach itself (pip), then the Vosk English model
# when the machine is online.
#
#   ./install.sh             the app: into the active virtual environment if there is one,
#                            else into its own (~/.local/share/voicecoach/venv), with
#                            `voicecoach` linked into ~/.local/bin
#   ./install.sh --dev       the test tools too, editable: into the active virtual
#                            environment, else into the project's .venv (activate it to
#                            run `python -m pytest`); PulseAudio for the device tests
#   ./install.sh --no-model  skip the Vosk model download (Whisper and PocketSphinx
#                            ship theirs)
#   ./install.sh --uninstall remove what a no-venv install made
set -euo pipefail
cd "$(dirname "$0")"
PROJECT=$PWD

DEV=0 MODEL=1 UNINSTALL=0
for arg in "$@"; do
  case "$arg" in
    --dev) DEV=1 ;;
    --no-model) MODEL=0 ;;
    --uninstall) UNINSTALL=1 ;;
    -h | --help) sed -n '2,14p' "$0" | cut -c3-; exit 0 ;;
    *) echo "install.sh: unknown option $arg (try --help)" >&2; exit 2 ;;
  esac
done

DATA_HOME=${XDG_DATA_HOME:-$HOME/.local/share}
APP_VENV=$DATA_HOME/voicecoach/venv
BIN_DIR=$HOME/.local/bin
LINK=$BIN_DIR/voicecoach

say() { printf 'install.sh: %s\n' "$*"; }

if [ "$UNINSTALL" = 1 ]; then
  if [ -L "$LINK" ]; then rm -f "$LINK" && say "removed $LINK"; fi
  if [ -d "$APP_VENV" ]; then rm -rf "$APP_VENV" && say "removed $APP_VENV"; fi
  say "these stay: the system packages (espeak-ng, PortAudio), any Vosk model in ~/.cache/vosk,"
  say "your history ($DATA_HOME/voicecoach/history.db) and config (${XDG_CONFIG_HOME:-$HOME/.config}/voicecoach)"
  exit 0
fi

# -- system packages ----------------------------------------------------------------------
# espeak-ng: the coach's voice (pyttsx3 drives it); libportaudio2 + libasound2-plugins:
# sound in and out through sounddevice (ALSA, or PulseAudio/PipeWire through ALSA's plugin)
PACKAGES=(espeak-ng libespeak-ng1 libportaudio2 libasound2-plugins)
# virtual audio devices for the real-device tests; sox for clip tools
if [ "$DEV" = 1 ]; then PACKAGES+=(pulseaudio pulseaudio-utils sox); fi

# the Python that builds the environment: the active venv's, else the system's python3
# (a stock Debian has no `python`, and its pip refuses to install system-wide: PEP 668)
if [ -n "${VIRTUAL_ENV:-}" ]; then
  PY=$VIRTUAL_ENV/bin/python
else
  PY=$(command -v python3 || command -v python || true)
  if [ -z "$PY" ]; then
    PACKAGES+=(python3 python3-venv)
  elif ! "$PY" -c 'import ensurepip, venv' 2>/dev/null; then
    PACKAGES+=(python3-venv) # Debian splits venv's pip bootstrap out of python3
  fi
fi

MISSING=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || MISSING+=("$p")
done
if [ "${#MISSING[@]}" -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  say "installing system packages: ${MISSING[*]}"
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${MISSING[@]}"
fi
[ -n "$PY" ] || PY=$(command -v python3)
"$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {
  echo "install.sh: voicecoach needs Python 3.11 or newer; $PY is $("$PY" -V 2>&1)" >&2
  exit 1
}

# -- voicecoach ---------------------------------------------------------------------------
RUN=voicecoach # how the last line tells the user to run it
WHAT=(.)
if [ "$DEV" = 1 ]; then WHAT=(-e ".[test]"); fi
if [ -n "${VIRTUAL_ENV:-}" ]; then
  say "installing into the active virtual environment $VIRTUAL_ENV"
  "$PY" -m pip install -q "${WHAT[@]}"
  VC=$VIRTUAL_ENV/bin/voicecoach
  VC_PY=$PY
else
  if [ "$DEV" = 1 ]; then ENV_DIR=$PROJECT/.venv; else ENV_DIR=$APP_VENV; fi
  say "no active virtual environment: installing into $ENV_DIR"
  [ -x "$ENV_DIR/bin/python" ] || "$PY" -m venv "$ENV_DIR"
  "$ENV_DIR/bin/python" -m pip install -q "${WHAT[@]}"
  VC=$ENV_DIR/bin/voicecoach
  VC_PY=$ENV_DIR/bin/python
  mkdir -p "$BIN_DIR"
  ln -sfn "$VC" "$LINK"
  say "linked $LINK -> $VC"
  case ":$PATH:" in
    *":$BIN_DIR:"*) ;;
    *)
      say "$BIN_DIR is not on your PATH: add it (echo 'export PATH=\"\$HOME/.local/bin:\$PATH\"' >> ~/.bashrc) and open a new terminal"
      RUN=$LINK # until then, 'voicecoach' alone is "command not found"
      ;;
  esac
  if [ "$DEV" = 1 ]; then
    say "to run the tests: . .venv/bin/activate && python -m pytest"
    say "to uninstall: rm -rf $ENV_DIR $LINK"
  else
    say "to uninstall: ./install.sh --uninstall (removes $ENV_DIR and $LINK)"
  fi
fi

# -- the Vosk English model (optional: Whisper and PocketSphinx ship their own) ------------
if [ "$MODEL" = 1 ]; then
  say "fetching the Vosk English model (voicecoach model download)"
  if ! "$VC" model download; then
    say "the Vosk English model could not be downloaded (offline?): voicecoach works without it"
  fi
fi
# one line on the model, one on the engine `--engine auto` picks, and why
"$VC_PY" -c 'from voicecoach.ears import install_summary; print(install_summary())' |
  while IFS= read -r line; do say "$line"; done
say "voicecoach is installed: try '$RUN list' and '$RUN check'"
