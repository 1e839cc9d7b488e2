"""Scanning: decode rate and time per 1280x720 frame, OpenCV and plain zxing-cpp against Stepwise.

Generates QR codes (container ids) and GS1 DataMatrix (GTIN, expiry, lot, serial) at several
module sizes under the conditions of `media.synthetic.CONDITIONS`, deterministically, and runs
every decoder on each frame on one thread, timing its CPU time. A decode counts only when the
expected text is among the results; a frame where a decoder returns any other text counts as a
wrong decode. Empty cluttered frames (what a live stream mostly shows) are timed apart.

    .venv/bin/python bench/scan.py [--seeds 6] [--seed-base 5000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

import cv2
import numpy as np
import zxingcpp

from media import codes, synthetic
from media.gs1 import element_string, parse_gs1
from media.symbols import gs1_datamatrix_modules, qr_modules

SYMBOLOGIES = ("QRCode", "DataMatrix")
MODULE_SIZES = (2, 3, 5)
EMPTY_FRAMES = 30
TARGET_RATE = 0.97
TARGET_HEAVY_RATE = 0.90  # in each of HEAVY_CONDITIONS
HEAVY_CONDITIONS = ("heavy_motion_blur", "defocus")
TARGET_MEDIAN_MS = 10.0

Decoder = Callable[[np.ndarray], list[str]]


def opencv_qr(detector: cv2.QRCodeDetector | cv2.QRCodeDetectorAruco) -> Decoder:
    def decode(frame: np.ndarray) -> list[str]:
        text, _, _ = detector.detectAndDecode(frame)
        return [text] if text else []

    return decode


def zxing_plain(frame: np.ndarray) -> list[str]:
    formats = (zxingcpp.BarcodeFormat.QRCode, zxingcpp.BarcodeFormat.DataMatrix)
    barcodes = zxingcpp.read_barcodes(frame, formats=formats, text_mode=zxingcpp.TextMode.Plain)
    return [barcode.text for barcode in barcodes]


def stepwise(frame: np.ndarray) -> list[str]:
    return [code.text for code in codes.decode_frame(frame)]


# OpenCV's barcode module reads EAN/UPC only and it has no DataMatrix reader: its QR
# detectors are the only OpenCV contenders, and only on QR frames.
DECODERS: dict[str, tuple[Decoder, tuple[str, ...]]] = {
    "OpenCV QRCodeDetector": (opencv_qr(cv2.QRCodeDetector()), ("QRCode",)),
    "OpenCV QRCodeDetectorAruco": (opencv_qr(cv2.QRCodeDetectorAruco()), ("QRCode",)),
    "zxing-cpp read_barcodes": (zxing_plain, SYMBOLOGIES),
    "Stepwise decode_frame": (stepwise, SYMBOLOGIES),
}


@dataclass
class Tally:
    """Frames decoded right, out of frames tried, per group (condition, symbology and size)."""

    decoded: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    tried: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    wrong: int = 0
    ms: list[float] = field(default_factory=list)
    read_ms: list[float] = field(default_factory=list)  # frames it decoded right
    empty_ms: list[float] = field(default_factory=list)

    def add(self, groups: tuple[str, ...], right: bool, wrong: bool, ms: float) -> None:
        for group in groups:
            self.tried[group] += 1
            self.decoded[group] += right
        self.wrong += wrong
        self.ms.append(ms)
        if right:
            self.read_ms.append(ms)

    def rate(self, group: str) -> str:
        if not self.tried[group]:
            return "-"
        return f"{self.decoded[group] / self.tried[group]:.0%}"


def code(symbology: str, number: int) -> tuple[str, np.ndarray]:
    """The expected text and module matrix of the `number`th code of a symbology."""
    if symbology == "QRCode":
        text = f"stepwise:container:C-{number:06d}"
        return text, qr_modules(text)
    expiry = dt.date(2027, 1, 1) + dt.timedelta(days=number % 700)
    text = element_string("09506000134352", f"L{number:05d}", expiry, f"C-{number:06d}")
    return text, gs1_datamatrix_modules(parse_gs1(text))


def timed(decoder: Decoder, frame: np.ndarray) -> tuple[list[str], float]:
    """The decoded texts and the CPU milliseconds this thread spent: the cost on one core,
    unaffected by whatever else the machine runs."""
    start = time.thread_time()
    texts = decoder(frame)
    return texts, (time.thread_time() - start) * 1000


def run(seeds: int, seed_base: int) -> dict[str, Tally]:
    tallies = {name: Tally() for name in DECODERS}
    number = seed_base
    for symbology in SYMBOLOGIES:
        for module_px in MODULE_SIZES:
            for condition in synthetic.CONDITIONS:
                for _ in range(seeds):
                    number += 1
                    text, modules = code(symbology, number)
                    frame = synthetic.scene(modules, module_px, condition, seed=number)
                    groups = (condition, f"{symbology} {module_px} px", "all")
                    for name, (decoder, symbologies) in DECODERS.items():
                        if symbology in symbologies:
                            texts, ms = timed(decoder, frame)
                            right, wrong = text in texts, any(t != text for t in texts)
                            tallies[name].add(groups, right, wrong, ms)
    for seed in range(seed_base, seed_base + EMPTY_FRAMES):
        frame = synthetic.empty_scene(seed=seed)
        for name, (decoder, _) in DECODERS.items():
            texts, ms = timed(decoder, frame)
            tallies[name].wrong += bool(texts)
            tallies[name].empty_ms.append(ms)
    return tallies


def table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def report(tallies: dict[str, Tally], frames: int) -> str:
    names = list(tallies)
    groups = [*synthetic.CONDITIONS]
    groups += [f"{symbology} {size} px" for symbology in SYMBOLOGIES for size in MODULE_SIZES]
    rates = [[group] + [tallies[name].rate(group) for name in names] for group in groups]
    rates.append(
        ["**all**"]
        + [f"**{t.decoded['all']}/{t.tried['all']} = {t.rate('all')}**" for t in tallies.values()]
    )
    times = [
        [
            name,
            str(tally.wrong),
            f"{statistics.median(tally.ms):.1f}",
            f"{np.percentile(tally.ms, 90):.1f}",
            f"{statistics.median(tally.read_ms):.1f}",
            f"{statistics.median(tally.empty_ms):.1f} / {statistics.mean(tally.empty_ms):.1f}",
        ]
        for name, tally in tallies.items()
    ]
    ours = tallies["Stepwise decode_frame"]
    rate, median = ours.decoded["all"] / ours.tried["all"], statistics.median(ours.read_ms)
    heavy = {group: ours.decoded[group] / ours.tried[group] for group in HEAVY_CONDITIONS}
    met = (
        rate >= TARGET_RATE
        and min(heavy.values()) >= TARGET_HEAVY_RATE
        and median <= TARGET_MEDIAN_MS
        and not ours.wrong
    )
    verdict = (
        f"Stepwise: {rate:.1%} decoded (target ≥ {TARGET_RATE:.0%}), "
        + ", ".join(f"{group} {value:.0%}" for group, value in heavy.items())
        + f" (target ≥ {TARGET_HEAVY_RATE:.0%} each), median {median:.1f} ms "
        f"(target ≤ {TARGET_MEDIAN_MS:.0f} ms), {ours.wrong} wrong (target 0): "
        + ("target met" if met else "TARGET MISSED")
    )
    return "\n\n".join(
        [
            f"{frames} frames of 1280x720, one thread; decode rate per condition and per code:",
            table(["condition / code", *names], rates),
            f"Wrong decodes (also over {EMPTY_FRAMES} empty cluttered frames), CPU ms per frame:",
            table(
                [
                    "decoder",
                    "wrong",
                    "median ms",
                    "p90 ms",
                    "median ms, frame read",
                    "median / mean ms, empty frame",
                ],
                times,
            ),
            verdict,
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=6, help="frames per code, size, condition")
    parser.add_argument("--seed-base", type=int, default=5000, help="first frame seed")
    arguments = parser.parse_args()
    cv2.setNumThreads(1)
    frames = len(SYMBOLOGIES) * len(MODULE_SIZES) * len(synthetic.CONDITIONS) * arguments.seeds
    print(report(run(arguments.seeds, arguments.seed_base), frames))


if __name__ == "__main__":
    main()
