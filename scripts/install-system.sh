#!/usr/bin/env bash
# Installs the Debian packages pullcoach's tests need, if they are missing.
set -euo pipefail
PATH="$PATH:/usr/sbin:/sbin"  # ldconfig: off a Debian user's PATH (libportaudio2 read as missing)
need=()
command -v espeak-ng >/dev/null || need+=(espeak-ng)
command -v sox >/dev/null || need+=(sox libsox-fmt-all)
command -v Xvfb >/dev/null || need+=(xvfb)
command -v xdotool >/dev/null || need+=(xdotool)
command -v import >/dev/null || need+=(imagemagick)   # screenshots of the Tk overlay under Xvfb
command -v chromium >/dev/null || need+=(chromium)
ldconfig -p 2>/dev/null | grep -q libportaudio || need+=(libportaudio2)
# a real sound server for the live-capture tests: null sinks read through PortAudio
command -v pulseaudio >/dev/null || need+=(pulseaudio)
command -v paplay >/dev/null || need+=(pulseaudio-utils)
[ -e /usr/lib/x86_64-linux-gnu/alsa-lib/libasound_module_pcm_pulse.so ] || ls /usr/lib/*/alsa-lib/libasound_module_pcm_pulse.so >/dev/null 2>&1 || need+=(libasound2-plugins)
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" -ne 0 ]; then
  echo "Missing Debian packages: ${need[*]} — run: sudo apt-get update && sudo apt-get install ${need[*]}" >&2
  exit 1
fi
apt-get update -q
DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}"
