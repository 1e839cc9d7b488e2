"""Sound in, utterances out: a WAV recording or the microphone, cut where the speaker pauses.

Both give 16 kHz mono 16-bit PCM, what the recogniser's model was trained on. The microphone
is read with sounddevice (installed with pocketsphinx; it needs the PortAudio library, Debian's
`libportaudio2`).
"""

from __future__ import annotations

import contextlib
import queue
import time
import wave
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from pocketsphinx import Endpointer
from scipy.signal import resample_poly

from headset_client.exceptions import HeadsetError

SAMPLE_RATE = 16000


class AudioUnavailable(HeadsetError):
    """The recording cannot be read or the microphone cannot be opened."""


@dataclass(frozen=True)
class Utterance:
    """What was said between two pauses; `ended` is when the pause was noticed (monotonic)."""

    pcm: bytes
    ended: float


def utterances(frames: Iterator[bytes]) -> Iterator[Utterance]:
    """The utterances in a stream of PCM frames (of `frame_bytes()` each)."""
    endpointer = Endpointer()
    speech: list[bytes] = []
    last = b""
    for frame in frames:
        last = frame
        if len(frame) < endpointer.frame_bytes:
            break
        was_speaking = endpointer.in_speech
        heard = endpointer.process(frame)
        if heard is not None:
            speech.append(heard)
        if was_speaking and not endpointer.in_speech:
            yield Utterance(b"".join(speech), time.monotonic())
            speech = []
    if endpointer.in_speech:
        rest = endpointer.end_stream(last[: endpointer.frame_bytes])
        if rest is not None:
            speech.append(rest)
    if speech:
        yield Utterance(b"".join(speech), time.monotonic())


def frame_bytes() -> int:
    return Endpointer().frame_bytes


def wav_frames(path: Path) -> Iterator[bytes]:
    """A WAV file's sound as 16 kHz mono frames (resampled and mixed down if needed)."""
    try:
        with wave.open(str(path), "rb") as wav:
            rate, channels, width = wav.getframerate(), wav.getnchannels(), wav.getsampwidth()
            raw = wav.readframes(wav.getnframes())
    except (OSError, EOFError, wave.Error) as exc:
        raise AudioUnavailable(f"{path}: not a readable WAV file: {exc}") from exc
    if width != 2:
        raise AudioUnavailable(f"{path}: 16-bit samples needed, not {8 * width}-bit")
    samples = np.frombuffer(raw, dtype="<i2").reshape(-1, channels).mean(axis=1)
    if rate != SAMPLE_RATE:
        samples = resample_poly(samples, SAMPLE_RATE, rate)
    pcm = np.clip(samples, -32768, 32767).astype("<i2").tobytes()
    size = frame_bytes()
    for start in range(0, len(pcm), size):
        yield pcm[start : start + size]


def microphone_frames() -> Iterator[bytes]:
    """The default microphone's sound, frame by frame, until the caller stops asking."""
    try:
        import sounddevice
    except OSError as exc:
        raise AudioUnavailable(f"no microphone: {exc} (install libportaudio2)") from exc
    size = frame_bytes()
    frames: queue.Queue[bytes] = queue.Queue(maxsize=200)

    def captured(data: object, _count: int, _time: object, _status: object) -> None:
        # The recogniser is behind: drop sound rather than let the queue grow without end.
        with contextlib.suppress(queue.Full):
            frames.put_nowait(bytes(data))  # type: ignore[call-overload]

    try:
        stream = sounddevice.RawInputStream(
            samplerate=SAMPLE_RATE,
            channels=1,
            dtype="int16",
            blocksize=size // 2,
            callback=captured,
        )
    except sounddevice.PortAudioError as exc:
        raise AudioUnavailable(f"cannot open the microphone: {exc}") from exc
    with stream:
        while True:
            yield frames.get()
