"""Speech recognition on the headset: accuracy, and latency from the end of an utterance to
the command.

Says every command word and a set of numbers with espeak-ng at two speeds, with noise added by
sox (the corpus of tests/headset/test_speech_recognition.py), and recognises each against the
grammar of a step taking every kind of input. Latency is the decoding of a whole utterance
once its end is known, plus the read-back dialogue; the endpointer notices a pause after its
0.3 s window, which comes on top (a fixed, configured delay).

    PYTHONPATH=. .venv/bin/python bench/voice.py            # the measured corpus
    PYTHONPATH=. .venv/bin/python bench/voice.py --tuning   # the corpus settings are tuned on
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from headset_client.speech.dialogue import CONFIDENCE_THRESHOLD, Dialogue
from headset_client.speech.recogniser import Recogniser
from tests.headset.speech_corpus import every_input_grammar, hear_corpus, word_accuracy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.partition("\n")[0])
    parser.add_argument(
        "--tuning",
        action="store_true",
        help="the tuning corpus (other numbers, speeds and noise) instead of the measured one",
    )
    tuning = parser.parse_args().tuning
    recogniser = Recogniser()
    grammar = every_input_grammar(recogniser)
    started = time.process_time()
    with tempfile.TemporaryDirectory() as folder:
        heard = hear_corpus(Path(folder), recogniser, tuning=tuning)
    cpu = time.process_time() - started
    answers = []
    for h in heard:
        begun = time.perf_counter()
        Dialogue().hear(grammar, h.hypothesis)
        answers.append(h.seconds + time.perf_counter() - begun)
    right = [h for h in heard if not h.mistaken]
    wrong = [h for h in heard if h.mistaken]
    corpus = "tuning" if tuning else "measured"
    print(
        f"load average {os.getloadavg()[0]:.1f}; {corpus} corpus, {len(heard)} utterances, ", end=""
    )
    print(f"{cpu:.1f} s CPU")
    print(f"words recognised: {word_accuracy(heard):.1%}")
    print(f"utterances recognised exactly: {len(right) / len(heard):.1%}")
    for speed in sorted({h.speed for h in heard}):
        at = [h for h in heard if h.speed == speed]
        print(f"  at {speed} words/min: {word_accuracy(at):.1%} of words")
    answers.sort()
    p95 = answers[int(0.95 * (len(answers) - 1))]
    print(
        f"end of utterance to command: p50 {statistics.median(answers) * 1000:.0f} ms, "
        f"p95 {p95 * 1000:.0f} ms, max {answers[-1] * 1000:.0f} ms"
    )
    asked_again = [h for h in wrong if h.hypothesis.confidence < CONFIDENCE_THRESHOLD]
    print(
        f"misheard: {len(wrong)}, of which {len(asked_again)} asked again "
        f"(confidence < {CONFIDENCE_THRESHOLD}); the rest are read back for 'cancel'"
    )
    refused = sum(h.hypothesis.confidence < CONFIDENCE_THRESHOLD for h in right)
    print(f"heard right but asked again (confidence below threshold): {refused}")
    for h in right:
        if h.hypothesis.confidence < CONFIDENCE_THRESHOLD:
            print(f"  {h.speed}: {h.said!r} ({h.hypothesis.confidence:.2f})")
    for h in wrong:
        said = " ".join(h.hypothesis.words)
        print(f"  {h.speed}: {h.said!r} -> {said!r} ({h.hypothesis.confidence:.2f})")


if __name__ == "__main__":
    main()
