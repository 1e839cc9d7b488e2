"""Encoding codes as module matrices (True = dark module, no quiet zone), shared by the label
renderers and the synthetic scenes."""

from __future__ import annotations

import numpy as np
import qrcode
import zxingcpp
from qrcode.exceptions import DataOverflowError

from media.exceptions import LabelInvalid
from media.gs1 import Gs1Data

QR_MAX_VERSION = 6
"""Largest QR version put on a label: 41 modules (49 with the quiet zone) keep about 0.5 mm
each in the label's 24 mm square."""


def qr_modules(text: str, *, max_version: int = QR_MAX_VERSION) -> np.ndarray:
    """QR code (error correction M) of `text`; `LabelInvalid` if empty or too long."""
    if not text:
        raise LabelInvalid("QR text is empty")
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    code.add_data(text)
    try:
        code.make(fit=True)
    except DataOverflowError as exc:
        raise LabelInvalid(f"QR text of {len(text)} characters does not fit a QR code") from exc
    if code.version > max_version:
        raise LabelInvalid(
            f"QR text of {len(text)} characters needs QR version {code.version}, "
            f"more than {max_version} fits legibly on a label"
        )
    return np.array(code.get_matrix(), dtype=bool)


def gs1_datamatrix_modules(data: Gs1Data) -> np.ndarray:
    """Square GS1 DataMatrix (FNC1 first) of the elements of `data`, in their order; build
    `data` with `parse_gs1(element_string(...))` to get the usual order and validation."""
    if not data.elements:
        raise LabelInvalid("no GS1 elements to encode")
    # zint's bracketed form: square brackets cannot occur in GS1 data, parentheses can.
    bracketed = "".join(f"[{ai}]{value}" for ai, value in data.elements.items())
    try:
        symbol = zxingcpp.create_barcode(
            bracketed, zxingcpp.BarcodeFormat.DataMatrix, gs1=True, force_square=True
        )
    except ValueError as exc:
        raise LabelInvalid(f"GS1 data cannot be encoded in a DataMatrix: {exc}") from exc
    return np.asarray(symbol.to_image(scale=1, add_quiet_zones=False)) < 128


def raster(modules: np.ndarray, module_px: int, quiet_zone: int = 4) -> np.ndarray:
    """Grayscale image (black on white) of a module matrix with a quiet zone, in modules."""
    padded = np.pad(modules, quiet_zone, constant_values=False)
    image = np.where(padded, 0, 255).astype(np.uint8)
    return np.kron(image, np.ones((module_px, module_px), dtype=np.uint8))
