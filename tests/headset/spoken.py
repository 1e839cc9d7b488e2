"""Speech for the speech tests and bench: espeak-ng says a line, sox sets the rate and adds
noise; utterances are joined into one recording with pauses between them."""

from __future__ import annotations

import subprocess
import wave
from collections.abc import Sequence
from pathlib import Path

import numpy as np

VOICE = "en-us"
SPEEDS = (140, 190)  # words per minute: a careful and a hurried operator
NOISE = 0.01  # white noise amplitude (of full scale), about 20 dB below the speech
# sox -R: the same noise every run, so a run's figures can be compared with the last.


def say(
    text: str,
    path: Path,
    *,
    speed: int = SPEEDS[0],
    noise: float = NOISE,
    seed: int | None = None,
) -> Path:
    """Write `text` spoken as a 16 kHz mono WAV, with pauses around it and noise added (sox's
    repeatable noise; with a seed, other white noise of the same level: the tuning corpus)."""
    raw, clean, hiss = (path.with_suffix(f".{part}.wav") for part in ("raw", "clean", "hiss"))
    _run("espeak-ng", "-v", VOICE, "-s", str(speed), "-w", str(raw), text)
    _run(
        "sox",
        str(raw),
        "-r",
        "16000",
        "-c",
        "1",
        "-b",
        "16",
        str(clean),
        "gain",
        "-n",
        "-3",
        "pad",
        "0.4",
        "0.8",
    )
    if noise and seed is not None:
        _add_noise(clean, path, noise, seed)
    elif noise:
        _run("sox", "-R", str(clean), str(hiss), "synth", "whitenoise", "vol", str(noise))
        _run("sox", "-m", str(clean), str(hiss), str(path))
    else:
        clean.rename(path)
    for part in (raw, clean, hiss):
        part.unlink(missing_ok=True)
    return path


def recording(lines: Sequence[str], path: Path, *, speed: int = SPEEDS[0]) -> Path:
    """One WAV of every line said in turn (a voice script)."""
    parts = [say(line, path.with_suffix(f".{n}.wav"), speed=speed) for n, line in enumerate(lines)]
    _run("sox", *map(str, parts), str(path))
    for part in parts:
        part.unlink()
    return path


def _add_noise(clean: Path, path: Path, amplitude: float, seed: int) -> None:
    with wave.open(str(clean), "rb") as wav:
        samples = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2").astype(float)
    hiss = np.random.default_rng(seed).uniform(-1, 1, len(samples)) * amplitude * 32767
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(16000)
        wav.writeframes(np.clip(samples + hiss, -32768, 32767).astype("<i2").tobytes())


def _run(*command: str) -> None:
    subprocess.run(command, check=True, capture_output=True)
