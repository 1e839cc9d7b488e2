"""A photo input records the content address of a stored photo, nothing else."""

from __future__ import annotations

import io

from PIL import Image

from tests.api.fixtures import approved_procedure, complete, started_batch
from tests.client import ApiClient


async def _photo_batch(api: ApiClient) -> str:
    await approved_procedure(api, "photo_line.yaml")
    return (await started_batch(api, "photo-line"))["id"]


async def test_a_photo_step_records_an_uploaded_photo(api: ApiClient) -> None:
    batch_id = await _photo_batch(api)
    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), (200, 30, 30)).save(buffer, format="JPEG")
    stored = await api.call(
        "POST", "/media", "olivia", data=buffer.getvalue(), headers={"Content-Type": "image/jpeg"}
    )

    done = await complete(api, batch_id, "photo_labels", values={"labels_photo": stored.body["id"]})
    record = await api.get(f"/batches/{batch_id}", "quinn")

    assert done.status == 200, done.body
    assert record.body["status"] == "completed"
    assert record.body["steps"][0]["values"]["labels_photo"] == stored.body["id"]


async def test_a_photo_value_that_names_no_stored_photo_is_refused(api: ApiClient) -> None:
    batch_id = await _photo_batch(api)

    refused = await complete(api, batch_id, "photo_labels", values={"labels_photo": "IMG_0042.jpg"})
    record = await api.get(f"/batches/{batch_id}", "quinn")

    assert refused.status == 422
    assert refused.body["errors"][0]["field"] == "values.labels_photo"
    assert "upload the photo" in refused.body["detail"]
    assert record.body["steps"][0]["state"] == "active"
