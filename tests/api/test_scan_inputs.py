"""Inputs that once crashed `POST /scans`, and GS1 codes of products not known here."""

from __future__ import annotations

import io

from PIL import Image

from tests.client import ApiClient

BOUNDARY = "stepwise-test-boundary"


def _png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), "white").save(out, format="PNG")
    return out.getvalue()


def _multipart(disposition: str, payload: bytes) -> bytes:
    return (
        (
            f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\nContent-Type: image/png\r\n\r\n"
        ).encode()
        + payload
        + f"\r\n--{BOUNDARY}--\r\n".encode()
    )


async def test_images_of_one_or_a_few_pixels_are_read_as_having_no_code(api: ApiClient) -> None:
    for width, height in ((1, 1), (3, 2), (1, 400), (2000, 1)):
        answer = await api.call(
            "POST", "/scans", "olivia", data={"image": io.BytesIO(_png(width, height))}
        )
        assert answer.status == 200, (width, height, answer.body)
        assert answer.body["codes"] == []


async def test_a_malformed_content_disposition_is_a_clear_422(api: ApiClient) -> None:
    for disposition in (
        "form-data; name=",
        "; ; ;",
        'form-data; filename="a.png"',  # no name
        "\u00e9t\u00e9",
        'form-data; name="image\x00"',
    ):
        answer = await api.call(
            "POST",
            "/scans",
            "olivia",
            data=_multipart(disposition, _png(8, 8)),
            headers={"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"},
        )
        assert answer.status == 422, (disposition, answer.status, answer.body)
        assert answer.body["errors"][0]["field"] == "image"


async def test_a_gs1_code_of_an_unknown_product_still_gives_its_data(api: ApiClient) -> None:
    supplier_label = "(01)09506000139999(17)271130(10)NEW-LOT-7(21)C0042"  # GTIN not in the master

    answer = await api.post("/scans", "olivia", {"text": supplier_label})

    assert answer.status == 200, answer.body
    code = answer.body["codes"][0]
    assert code["resolves_to"] is None
    assert code["gs1"] == {
        "gtin": "09506000139999",
        "lot": "NEW-LOT-7",
        "expiry": "2027-11-30",
        "serial": "C0042",
        "elements": {"01": "09506000139999", "17": "271130", "10": "NEW-LOT-7", "21": "C0042"},
    }
    assert code["gtin_known"] is False
    assert "GTIN 09506000139999 is not in the material master" in code["message"]
    assert "lot NEW-LOT-7" in code["message"] and "expiry 2027-11-30" in code["message"]


async def test_a_gs1_code_of_a_known_product_says_its_gtin_is_known(api: ApiClient) -> None:
    known_lot = await api.post("/scans", "olivia", {"text": "(01)09506000130118(10)MCC-2611-01"})
    new_lot = await api.post("/scans", "olivia", {"text": "(01)09506000130118(10)NOT-YET-IN"})
    plain = await api.post("/scans", "olivia", {"text": "stepwise:equipment:EQ-PRESS-01"})

    assert known_lot.body["codes"][0]["gtin_known"] is True
    assert new_lot.body["codes"][0]["gtin_known"] is True
    assert new_lot.body["codes"][0]["gs1"]["lot"] == "NOT-YET-IN"
    assert new_lot.body["codes"][0]["resolves_to"]["kind"] == "material"
    assert plain.body["codes"][0]["gtin_known"] is None
