import dataclasses
import datetime as dt
import re

import cv2
import numpy as np
import pytest

from media.codes import decode_image
from media.exceptions import LabelInvalid
from media.gs1 import Gs1Data, element_string, parse_gs1
from media.labels import LabelContent, render_label_pdf, render_label_png
from media.synthetic import photograph

GS1 = parse_gs1(element_string("09506000134352", "L2405-117", dt.date(2027, 5, 31), "C-000123"))
CONTENT = LabelContent(
    title="Microcrystalline cellulose PH-102",
    lines=(
        ("Material", "Microcrystalline cellulose"),
        ("Lot", "L2405-117"),
        ("Expiry", "2027-05-31"),
        ("Net", "12.500 kg"),
        ("Container", "C-000123"),
    ),
    qr_text="stepwise:container:C-000123",
    gs1=GS1,
)


def decoded(data: bytes) -> dict[str, str]:
    return {code.format: code.text for code in decode_image(data)}


def test_png_label_decodes_back_to_its_qr_text_and_gs1_element_string():
    png = render_label_png(CONTENT)

    codes = decoded(png)

    assert codes == {
        "QRCode": "stepwise:container:C-000123",
        "DataMatrix": "0109506000134352" + "17270531" + "10L2405-117\x1d" + "21C-000123",
    }
    data = parse_gs1(codes["DataMatrix"])
    assert (data.gtin, data.lot, data.expiry, data.serial) == (
        "09506000134352",
        "L2405-117",
        dt.date(2027, 5, 31),
        "C-000123",
    )


def test_png_label_is_100_by_60_mm_at_300_dpi():
    image = cv2.imdecode(np.frombuffer(render_label_png(CONTENT), np.uint8), cv2.IMREAD_UNCHANGED)

    assert image.shape == (709, 1181)


def test_photographed_label_is_scanned_end_to_end():
    photo = photograph(render_label_png(CONTENT), seed=7, blur=1.5, tilt=0.15)

    codes = decoded(photo)

    assert codes["QRCode"] == "stepwise:container:C-000123"
    assert parse_gs1(codes["DataMatrix"]) == GS1


def test_gs1_given_by_hand_is_encoded_in_gs1_order():
    by_hand = Gs1Data(
        gtin="9506000134352", lot="L1", expiry=dt.date(2027, 5, 31), serial="S1", elements={}
    )

    codes = decoded(render_label_png(dataclasses.replace(CONTENT, gs1=by_hand)))

    assert codes["DataMatrix"] == "0109506000134352" + "17270531" + "10L1\x1d" + "21S1"


def test_label_without_gs1_carries_only_the_qr_code():
    codes = decoded(render_label_png(dataclasses.replace(CONTENT, gs1=None)))

    assert codes == {"QRCode": "stepwise:container:C-000123"}


def test_pdf_label_is_one_page_of_100_by_60_mm():
    pdf = render_label_pdf(CONTENT)

    assert pdf.startswith(b"%PDF")
    assert pdf.count(b"/Type /Page\n") == 1
    (box,) = re.findall(rb"/MediaBox \[ 0 0 ([\d.]+) ([\d.]+) \]", pdf)
    assert [round(float(side) * 25.4 / 72, 1) for side in box] == [100.0, 60.0]


def test_pdf_label_is_reproducible():
    assert render_label_pdf(CONTENT) == render_label_pdf(CONTENT)


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"qr_text": ""}, "QR text is empty"),
        ({"qr_text": "x" * 300}, "QR"),
        ({"title": ""}, "title is empty"),
        ({"title": "T" * 120}, "too long"),
        ({"lines": (("Material", "M" * 80),)}, "too long"),
        ({"lines": (("Lot", "L1\nL2"),)}, "line break"),
        ({"lines": (("Lot", "L1"),) * 6}, "at most 5"),
        ({"gs1": dataclasses.replace(GS1, gtin=None)}, "needs a GTIN"),
        ({"gs1": dataclasses.replace(GS1, gtin="09506000134353")}, "check digit"),
        ({"gs1": dataclasses.replace(GS1, lot="L" * 21)}, "GS1 data"),
    ],
)
@pytest.mark.parametrize("render", [render_label_png, render_label_pdf])
def test_content_that_cannot_be_printed_is_refused(render, change, why):
    with pytest.raises(LabelInvalid) as refused:
        render(dataclasses.replace(CONTENT, **change))

    assert why in refused.value.reason


def test_long_value_is_set_smaller_rather_than_refused():
    lines = (("Supplier lot", "SUP-LOT-2024-00017 (Acme Pharma Excipients GmbH)"),)

    png = render_label_png(dataclasses.replace(CONTENT, lines=lines))

    assert decoded(png)["QRCode"] == "stepwise:container:C-000123"
