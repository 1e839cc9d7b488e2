"""What the audit trail keeps of recordings and attachments comes from the domain, not the API:
these payloads are GMP records and stay as they are whatever the API shapes become."""

from __future__ import annotations

from datetime import UTC, datetime

from server.media_store.models import Attachment, AttachmentEntry, MediaObject
from server.streams.models import Recording

STARTED = datetime(2026, 11, 25, 6, 30, tzinfo=UTC)
STOPPED = datetime(2026, 11, 25, 6, 32, 0, 250000, tzinfo=UTC)
MEDIA_ID = "ab" * 32


def test_a_recording_summary_keeps_its_state_and_file() -> None:
    recording = Recording(
        id="r1",
        stream_id="b1",
        batch_id="b1",
        step_id="weigh",
        status="stored",
        started_at=STARTED,
        stopped_at=STOPPED,
        media_id=MEDIA_ID,
        problem=None,
    )

    assert recording.summary() == {
        "id": "r1",
        "stream_id": "b1",
        "batch_id": "b1",
        "step_id": "weigh",
        "status": "stored",
        "started_at": "2026-11-25T06:30:00Z",
        "stopped_at": "2026-11-25T06:32:00.250000Z",
        "media_id": MEDIA_ID,
        "url": f"/api/v1/media/{MEDIA_ID}",
        "problem": None,
    }


def test_an_attachment_summary_keeps_its_file_and_who_attached_it() -> None:
    media = MediaObject(id=MEDIA_ID, content_type="image/png", size=1234, created_at=STARTED)
    attachment = Attachment(
        id="t1",
        batch_id="b1",
        step_id="clearance",
        media_id=MEDIA_ID,
        kind="snapshot",
        stream_id="b1",
        caption="Label",
        created_at=STARTED,
    )
    entry = AttachmentEntry(attachment, media, "quinn (Quinn QA)")

    assert entry.summary() == {
        "id": "t1",
        "batch_id": "b1",
        "step_id": "clearance",
        "kind": "snapshot",
        "stream_id": "b1",
        "caption": "Label",
        "media": {
            "id": MEDIA_ID,
            "content_type": "image/png",
            "size": 1234,
            "url": f"/api/v1/media/{MEDIA_ID}",
        },
        "created_at": "2026-11-25T06:30:00Z",
        "created_by": "quinn (Quinn QA)",
    }
