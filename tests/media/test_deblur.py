import cv2
import numpy as np
import pytest

from media.deblur import disc_kernel, line_kernel, restorations, restored, variants
from media.symbols import qr_modules, raster

CODE = raster(np.pad(qr_modules("stepwise:container:C-000123"), 4), 4).astype(np.float32)
CODE = 25 + CODE * (210 / 255)


def blurred(kernel: np.ndarray) -> np.ndarray:
    noise = np.random.default_rng(1).standard_normal(CODE.shape).astype(np.float32) * 2
    return np.clip(cv2.filter2D(CODE, -1, kernel) + noise, 0, 255).astype(np.uint8)


def angle_between(kernel: np.ndarray, degrees: float) -> float:
    """How far, in degrees, the kernel's long axis is from `degrees` (modulo 180)."""
    ys, xs = np.nonzero(kernel > kernel.max() / 4)
    covariance = np.cov(np.stack([xs, ys]).astype(float))
    _, vectors = np.linalg.eigh(covariance)
    axis = np.rad2deg(np.arctan2(vectors[1, -1], vectors[0, -1]))
    return abs((axis - degrees + 90) % 180 - 90)


@pytest.mark.parametrize("angle", [0, 10, 60, 135, 170])
def test_a_shake_is_measured_along_its_direction_and_about_its_length(angle):
    first = restorations(blurred(line_kernel(10, angle)))[0]

    # Near the code's own axes too (0, 10, 170 degrees): they do not pull the direction.
    assert abs((first.angle - angle + 90) % 180 - 90) <= 4
    assert angle_between(first.kernel, angle) <= 5
    # The first guess is a little shorter than the measured shake.
    assert 8.5 <= first.size <= 10.5


def test_defocus_is_tried_as_discs():
    tries = restorations(blurred(disc_kernel(3.5)))

    assert tries
    for restoration in tries:
        kernel = restoration.kernel
        assert kernel.shape[0] == kernel.shape[1]
        assert np.allclose(kernel, kernel.T, atol=1e-6)  # round, not a streak


def test_a_sharp_region_gets_no_restoration():
    assert restorations(CODE.astype(np.uint8)) == []


def test_a_tiny_or_flat_region_gets_no_restoration():
    assert restorations(np.zeros((10, 10), np.uint8)) == []
    assert restorations(np.full((100, 100), 128, np.uint8)) == []


def test_restoring_a_shake_brings_the_region_closer_to_the_sharp_code():
    shaken = blurred(line_kernel(10, 30))

    best = min(
        float(np.abs(restored(shaken, restoration).astype(np.float32) - CODE).mean())
        for restoration in restorations(shaken)
    )

    assert best < 0.7 * float(np.abs(shaken.astype(np.float32) - CODE).mean())


def test_kernels_are_normalised_and_odd_sized():
    for kernel in (line_kernel(7.3, 33), disc_kernel(2.6)):
        assert kernel.shape[0] % 2 == 1
        assert kernel.sum() == pytest.approx(1.0, abs=1e-5)


def test_variants_stay_close_to_a_near_miss():
    near = restorations(blurred(line_kernel(10, 30)))[0]

    tries = variants(near)

    assert tries and any(restoration.binarise for restoration in tries)
    for restoration in tries:
        assert 0.8 * near.size <= restoration.size <= 1.2 * near.size
        assert angle_between(restoration.kernel, near.angle) <= 12  # 8 degrees and a pixel's turn


def test_defocus_variants_are_discs_some_damped_less():
    near = restorations(blurred(disc_kernel(3.5)))[0]

    tries = variants(near)

    assert all(not restoration.is_shake for restoration in tries)
    assert any(restoration.noise < near.noise for restoration in tries)
