import datetime as dt

import numpy as np
import pytest
import zxingcpp

from media.exceptions import LabelInvalid
from media.gs1 import Gs1Data, element_string, parse_gs1
from media.symbols import QR_MAX_VERSION, gs1_datamatrix_modules, qr_modules, raster


def read(modules: np.ndarray) -> zxingcpp.Barcode:
    (barcode,) = zxingcpp.read_barcodes(raster(modules, 4), text_mode=zxingcpp.TextMode.Plain)
    return barcode


def test_qr_modules_carry_the_text():
    assert read(qr_modules("stepwise:container:C-1 Ä µ")).text == "stepwise:container:C-1 Ä µ"


def test_qr_text_beyond_the_largest_legible_version_is_refused():
    with pytest.raises(LabelInvalid, match=f"more than {QR_MAX_VERSION}"):
        qr_modules("x" * 200)


def test_datamatrix_is_square_and_keeps_parentheses_inside_a_lot():
    text = element_string("09506000134352", lot="L(2)", expiry=dt.date(2027, 5, 31), serial="S1")

    modules = gs1_datamatrix_modules(parse_gs1(text))

    assert modules.shape[0] == modules.shape[1]
    barcode = read(modules)
    assert (barcode.text, barcode.content_type) == (text, zxingcpp.ContentType.GS1)


def test_datamatrix_without_elements_is_refused():
    with pytest.raises(LabelInvalid, match="no GS1 elements"):
        gs1_datamatrix_modules(Gs1Data(gtin=None, lot=None, expiry=None, serial=None))
