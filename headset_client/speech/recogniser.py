"""pocketsphinx behind one small class: a grammar in, words and a confidence out."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from pocketsphinx import Decoder

from headset_client.exceptions import HeadsetError

log = logging.getLogger(__name__)
_FILLERS = {"<s>", "</s>", "<sil>", "[NOISE]", "<unk>"}


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
        self._decoder = Decoder(lm=None, loglevel="FATAL", cmn="batch")
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
        words = tuple(s.word.split("(")[0] for s in segments)  # "hundred(2)": a variant
        confidence = min((s.prob for s in segments), default=0.0)
        log.info("heard %r (confidence %.2f)", " ".join(words), confidence)
        return Hypothesis(words, min(confidence, 1.0))
