import datetime as dt

import cv2
import numpy as np
import pytest
import zxingcpp

from media import deblur, synthetic
from media.codes import DecodedCode, decode_frame, decode_image, sharpness
from media.exceptions import ImageUnreadable
from media.gs1 import element_string, parse_gs1
from media.symbols import gs1_datamatrix_modules, qr_modules, raster

GS1_TEXT = element_string("09506000134352", "L2405-117", dt.date(2027, 5, 31), "C-000123")


def encoded(image: np.ndarray, extension: str = ".png") -> bytes:
    ok, data = cv2.imencode(extension, image)
    assert ok
    return data.tobytes()


def on_page(*symbols: np.ndarray) -> np.ndarray:
    """White page with the symbols side by side, 20 px apart."""
    height = 40 + max(symbol.shape[0] for symbol in symbols)
    page = np.full((height, 20 + sum(symbol.shape[1] + 20 for symbol in symbols)), 255, np.uint8)
    x = 20
    for symbol in symbols:
        page[20 : 20 + symbol.shape[0], x : x + symbol.shape[1]] = symbol
        x += symbol.shape[1] + 20
    return page


def datamatrix_image() -> np.ndarray:
    return raster(gs1_datamatrix_modules(parse_gs1(GS1_TEXT)), 6)


@pytest.mark.parametrize("data", [b"", b"not an image at all", b"\x89PNG\r\n\x1a\n broken"])
def test_bytes_that_are_not_an_image_are_unreadable(data):
    with pytest.raises(ImageUnreadable):
        decode_image(data)


def test_image_without_a_code_decodes_to_nothing():
    assert decode_image(encoded(synthetic.empty_scene(seed=1))) == []


@pytest.mark.parametrize("extension", [".png", ".jpg", ".webp"])
def test_qr_code_is_decoded_with_its_corners(extension):
    page = on_page(raster(qr_modules("stepwise:container:C-123"), 5))

    (code,) = decode_image(encoded(page, extension))

    assert (code.format, code.text, code.is_gs1) == ("QRCode", "stepwise:container:C-123", False)
    assert len(code.corners) == 4
    assert all(20 <= x <= 20 + 37 * 5 and 20 <= y <= 20 + 37 * 5 for x, y in code.corners)


def test_gs1_datamatrix_keeps_its_group_separators():
    (code,) = decode_image(encoded(on_page(datamatrix_image())))

    assert (code.format, code.is_gs1) == ("DataMatrix", True)
    assert code.text == GS1_TEXT
    assert "\x1d" in code.text
    assert parse_gs1(code.text).serial == "C-000123"


def test_gs1_128_keeps_its_group_separators():
    symbol = zxingcpp.create_barcode(
        "[01]09506000134352[10]L2405-117[21]C-000123", zxingcpp.BarcodeFormat.Code128, gs1=True
    )
    page = on_page(np.asarray(symbol.to_image(scale=3)))

    (code,) = decode_image(encoded(page))

    assert (code.format, code.is_gs1) == ("Code128", True)
    assert code.text == "0109506000134352" + "10L2405-117\x1d" + "21C-000123"


def test_plain_code128_is_decoded():
    symbol = zxingcpp.create_barcode("EQ-BAL-001", zxingcpp.BarcodeFormat.Code128)

    (code,) = decode_image(encoded(on_page(np.asarray(symbol.to_image(scale=3)))))

    assert (code.format, code.text, code.is_gs1) == ("Code128", "EQ-BAL-001", False)


def test_identical_codes_are_reported_once_and_different_ones_each():
    qr = raster(qr_modules("stepwise:container:C-123"), 4)
    page = on_page(qr, qr, datamatrix_image())

    found = decode_image(encoded(page))

    assert sorted(code.text for code in found) == sorted(["stepwise:container:C-123", GS1_TEXT])


def test_frame_in_gray_or_bgr_decodes_alike():
    page = on_page(datamatrix_image())

    gray = decode_frame(page)
    bgr = decode_frame(cv2.cvtColor(page, cv2.COLOR_GRAY2BGR))

    assert [code.text for code in gray] == [code.text for code in bgr] == [GS1_TEXT]


# Frames that a single plain zxing pass misses: the retries on enhanced crops find them.
@pytest.mark.parametrize(
    ("symbology", "module_px", "condition", "seed"),
    [
        ("DataMatrix", 3, "gaussian_blur", 2),
        ("DataMatrix", 3, "motion_blur", 7),
        ("DataMatrix", 2, "rotated", 1),
        ("DataMatrix", 2, "dark", 0),
        ("QRCode", 2, "noisy", 0),
    ],
)
def test_code_in_a_poor_video_frame_is_still_decoded(symbology, module_px, condition, seed):
    text, modules = code_of(symbology)
    frame = synthetic.scene(modules, module_px, condition, seed=seed)

    assert [(code.format, code.text) for code in decode_frame(frame)] == [(symbology, text)]


# Heavy grain and JPEG blocks that neither zxing nor the sharpened crops read: a region where
# zxing located a symbol (2 px per module here), or whose grain is strong (5 px, where zxing
# located nothing), is denoised over similar patches.
@pytest.mark.parametrize(("module_px", "seed"), [(2, 0), (2, 6), (5, 11)])
def test_a_code_in_a_grainy_frame_is_read_once_denoised(module_px, seed):
    frame = synthetic.scene(code_of("DataMatrix")[1], module_px, "noisy", seed=seed)

    assert [code.text for code in decode_frame(frame)] == [GS1_TEXT]
    assert [code.text for code in decode_image(encoded(frame, ".jpg"))] == [GS1_TEXT]


@pytest.mark.parametrize("seed", range(3))
def test_empty_live_frames_are_not_denoised(seed, monkeypatch):
    # Denoising costs a few milliseconds a region: only where zxing located a symbol or the
    # grain is strong.
    calls = []
    original = cv2.fastNlMeansDenoising

    def denoising(*args):
        calls.append(args)
        return original(*args)

    monkeypatch.setattr(cv2, "fastNlMeansDenoising", denoising)

    assert decode_frame(synthetic.empty_scene(seed=seed)) == []
    assert calls == []


@pytest.mark.parametrize(
    "frame",
    [np.zeros((10, 10), np.float32), np.zeros((10, 10, 2), np.uint8), np.zeros((0, 0), np.uint8)],
)
def test_frame_that_is_not_an_8_bit_image_is_unreadable(frame):
    with pytest.raises(ImageUnreadable):
        decode_frame(frame)


def test_sharpness_is_higher_for_the_sharper_frame():
    frame = on_page(datamatrix_image())

    assert sharpness(frame) > sharpness(cv2.GaussianBlur(frame, (0, 0), 2.0)) > 0


def test_to_json_lists_the_corners():
    code = DecodedCode("QRCode", "x", False, ((0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)))

    assert code.to_json() == {
        "format": "QRCode",
        "text": "x",
        "is_gs1": False,
        "corners": [[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]],
    }


def test_a_one_pixel_image_holds_no_code() -> None:
    assert decode_image(cv2.imencode(".png", np.zeros((1, 1), np.uint8))[1].tobytes()) == []


def code_of(symbology: str) -> tuple[str, np.ndarray]:
    if symbology == "QRCode":
        return "stepwise:container:C-000123", qr_modules("stepwise:container:C-000123")
    return GS1_TEXT, gs1_datamatrix_modules(parse_gs1(GS1_TEXT))


# Heavy shake (2-3 modules, down to 2 px per module) and defocus that sharpening alone does not
# read: the decoder measures the blur on the code's region and undoes it.
@pytest.mark.parametrize(
    ("symbology", "module_px", "condition", "seed"),
    [
        ("QRCode", 2, "heavy_motion_blur", 5),
        ("QRCode", 3, "heavy_motion_blur", 0),
        ("QRCode", 5, "heavy_motion_blur", 2),
        ("DataMatrix", 2, "heavy_motion_blur", 2),
        ("DataMatrix", 3, "heavy_motion_blur", 1),
        ("DataMatrix", 5, "heavy_motion_blur", 3),
        ("DataMatrix", 5, "defocus", 1),
        ("DataMatrix", 5, "defocus", 7),
    ],
)
def test_code_in_a_shaken_or_defocused_frame_is_decoded(symbology, module_px, condition, seed):
    text, modules = code_of(symbology)
    frame = synthetic.scene(modules, module_px, condition, seed=seed)

    assert [(code.format, code.text) for code in decode_frame(frame)] == [(symbology, text)]
    assert [code.text for code in decode_image(encoded(frame, ".jpg"))] == [text]


def shaken(image: np.ndarray) -> np.ndarray:
    """A grayscale page smeared by a 2.5-module shake at 30 degrees, as a camera delivers it."""
    kernel = np.zeros((15, 15), np.float32)
    cv2.line(kernel, (2, 4), (12, 10), 1.0, 1)
    frame = cv2.filter2D(image.astype(np.float32), -1, kernel / kernel.sum())
    return cv2.imdecode(cv2.imencode(".jpg", np.clip(frame, 0, 255).astype(np.uint8))[1], 0)


def test_a_shaken_pattern_that_is_no_code_decodes_to_nothing():
    rng = np.random.default_rng(3)
    pattern = raster(rng.random((26, 26)) < 0.5, 4)  # module-like noise: no finder, no code

    assert decode_frame(shaken(on_page(pattern))) == []


def test_a_shaken_code_damaged_beyond_its_error_correction_is_not_misread():
    intact = qr_modules("stepwise:container:C-000123")
    damaged = intact.copy()
    damaged[8:22, 8:22] = np.random.default_rng(4).random((14, 14)) < 0.5  # a third of the data

    page = on_page(raster(np.pad(intact, 4), 4))
    assert [code.text for code in decode_frame(shaken(page))] == ["stepwise:container:C-000123"]
    assert decode_frame(shaken(on_page(raster(np.pad(damaged, 4), 4)))) == []


@pytest.mark.parametrize("seed", range(4))
def test_shaken_or_defocused_empty_scenes_decode_to_nothing(seed):
    frame = synthetic.empty_scene(seed=seed)

    assert decode_frame(shaken(cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY))) == []
    assert decode_frame(cv2.blur(frame, (9, 9))) == []


@pytest.mark.parametrize("seed", range(3))
def test_evenly_blurred_empty_live_frames_are_not_deconvolved(seed, monkeypatch):
    # A live stream mostly shows no code: an evenly blurred region where zxing located no symbol
    # is clutter, and undoing its blur would cost every such frame several deconvolutions.
    discs = []
    original = deblur.restored

    def restored(crop, restoration, scale=1.0):
        discs.extend([restoration] if not restoration.is_shake else [])
        return original(crop, restoration, scale)

    monkeypatch.setattr(deblur, "restored", restored)

    assert decode_frame(cv2.blur(synthetic.empty_scene(seed=seed), (9, 9))) == []
    assert discs == []
