"""`stepwise-headset --voice` / `--voice-file FILE.wav`: the listener wired to the CLI."""

from __future__ import annotations

import getpass
import sys
from pathlib import Path

from headset_client.exceptions import HeadsetError
from headset_client.runner import Runner
from headset_client.speech.audio import microphone_frames, utterances, wav_frames
from headset_client.speech.listener import Listener
from headset_client.speech.recogniser import Recogniser


async def listen(runner: Runner, recording: Path | None) -> None:
    """Listen to the microphone, or to a recording as a script (failing unless everything
    said was recorded)."""
    frames = wav_frames(recording) if recording is not None else microphone_frames()
    listener = Listener(runner, Recogniser(), keyboard)
    await listener.run(utterances(frames), str(recording) if recording is not None else None)


def keyboard(prompt: str, secret: bool) -> str:
    """A line typed by the operator: hidden at a terminal when secret; otherwise the next
    line of standard input (a badge reader types one, so does a test)."""
    if sys.stdin.isatty():
        return getpass.getpass(prompt) if secret else input(prompt)
    print(prompt, flush=True)
    line = sys.stdin.readline()
    if not line:
        raise HeadsetError(f"nothing typed for '{prompt.strip()}': the input was closed")
    return line.rstrip("\n")
