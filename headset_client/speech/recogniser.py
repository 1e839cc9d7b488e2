"""pocketsphinx behind one small class: a grammar in, words and a confidence out."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
from pocketsphinx import Decoder

from headset_client.exceptions import HeadsetError

log = logging.getLogger(__name__)
_FILLERS = {"<s>", "</s>", "<sil>", "[NOISE]", "[SPEECH]", "<unk>"}
# Decoder settings chosen on a tuning corpus kept apart from the measured one (bench/voice.py
# --tuning): a low word insertion penalty and likelier silence and noise fillers let the
# noise after the last word be heard as noise rather than as a short word ("eight").
_SETTINGS = {"cmn": "batch", "wip": 0.05, "silprob": 0.1, "fillprob": 0.01}
_FRAME = 160  # samples in one recogniser frame (10 ms at 16 kHz)
# A last word needs at least this many frames (0.1 s) clearly above the noise to be a word:
# the plosive-like hiss after a number was otherwise heard as a trailing "eight".
_SOUNDED_FRAMES = 10
_ABOVE_NOISE = 5.0  # how many times the noise floor's loudness counts as sound


class RecogniserError(HeadsetError):
    """The recogniser refused a grammar or could not decode."""


@dataclass(frozen=True)
class Hypothesis:
    """The words heard and how sure the recogniser is: the lowest posterior of any word
    (0 to 1; a word the grammar nearly heard as another one brings it down)."""

    words: tuple[str, ...]
    confidence: float


class Recogniser:
    """One pocketsphinx decoder with the English model shipped in its wheel."""

    def __init__(self) -> None:
        self._decoder = Decoder(lm=None, loglevel="FATAL", **_SETTINGS)
        self._grammar: str | None = None

    def knows(self, word: str) -> bool:
        """Whether the pronouncing dictionary has the word (a grammar can only use those)."""
        return self._decoder.lookup_word(word) is not None

    def use(self, jsgf: str) -> None:
        """What may be heard from now on (unchanged text: nothing to do)."""
        if jsgf == self._grammar:
            return
        try:
            self._decoder.add_jsgf_string("headset", jsgf)
            self._decoder.activate_search("headset")
        except (RuntimeError, ValueError) as exc:
            raise RecogniserError(f"grammar refused: {exc}") from exc
        self._grammar = jsgf

    def hear(self, pcm: bytes) -> Hypothesis:
        """Decode one utterance (16 kHz mono 16-bit PCM)."""
        decoder = self._decoder
        decoder.start_utt()
        decoder.process_raw(pcm, full_utt=True)
        decoder.end_utt()
        if decoder.hyp() is None:
            return Hypothesis((), 0.0)
        segments = [s for s in decoder.seg() if s.word not in _FILLERS]
        if len(segments) > 1 and not _sounded(
            pcm, segments[-1].start_frame, segments[-1].end_frame
        ):
            log.info("dropped %r: noise, not a word", segments[-1].word)
            segments.pop()
        words = tuple(s.word.split("(")[0] for s in segments)  # "hundred(2)": a variant
        confidence = min((s.prob for s in segments), default=0.0)
        log.info("heard %r (confidence %.2f)", " ".join(words), confidence)
        return Hypothesis(words, min(confidence, 1.0))


def _sounded(pcm: bytes, first: int, last: int) -> bool:
    """Whether frames first..last hold enough sound above the utterance's noise floor (its
    quietest tenth) to be a word."""
    samples = np.frombuffer(pcm, dtype="<i2").astype(np.float64)
    count = len(samples) // _FRAME
    if count == 0:
        return True
    loudness = np.sqrt(np.mean(samples[: count * _FRAME].reshape(count, _FRAME) ** 2, axis=1))
    floor = np.percentile(loudness, 10)
    return int(np.sum(loudness[first : last + 1] > _ABOVE_NOISE * floor)) >= _SOUNDED_FRAMES
