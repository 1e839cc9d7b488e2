"""What the audit trail keeps of annotations and chat comes from the domain, not the API: these
payloads are GMP records and stay as they are whatever the API shapes become."""

from __future__ import annotations

from datetime import UTC, datetime

from server.annotations.models import Annotation, AnnotationEntry, ChatEntry, ChatMessage, Person

DRAWN = datetime(2026, 11, 25, 6, 30, tzinfo=UTC)
CLEARED = datetime(2026, 11, 25, 6, 31, 2, 500000, tzinfo=UTC)


def test_an_annotation_summary_keeps_its_fields_people_and_times() -> None:
    annotation = Annotation(
        id="a1",
        batch_id="b1",
        step_id="weigh",
        stream_id="b1.cam2",
        shape="arrow",
        points=[[0.1, 0.2], [0.3, 0.4]],
        text=None,
        color="#ff3b30",
        frame_timestamp=3.2,
        anchor={"kind": "code"},
        created_at=DRAWN,
        created_by="u1",
        cleared_at=CLEARED,
        cleared_by="u2",
    )
    entry = AnnotationEntry(annotation, Person("quinn", "Quinn QA"), Person("sam", "Sam Sup"))

    assert entry.summary() == {
        "id": "a1",
        "batch_id": "b1",
        "stream_id": "b1.cam2",
        "step_id": "weigh",
        "shape": "arrow",
        "points": [[0.1, 0.2], [0.3, 0.4]],
        "text": None,
        "color": "#ff3b30",
        "frame_timestamp": 3.2,
        "anchor": "code",
        "created_at": "2026-11-25T06:30:00Z",
        "created_by": {"username": "quinn", "full_name": "Quinn QA"},
        "cleared_at": "2026-11-25T06:31:02.500000Z",
        "cleared_by": {"username": "sam", "full_name": "Sam Sup"},
        "acknowledged_at": None,
        "acknowledged_by": None,
    }


def test_a_chat_message_summary_keeps_its_text_and_author() -> None:
    message = ChatMessage(
        id="m1", batch_id="b1", step_id=None, text="Check the label", created_at=DRAWN
    )
    entry = ChatEntry(message, Person("olivia", "Olivia Op"))

    assert entry.summary() == {
        "id": "m1",
        "batch_id": "b1",
        "step_id": None,
        "text": "Check the label",
        "created_at": "2026-11-25T06:30:00Z",
        "created_by": {"username": "olivia", "full_name": "Olivia Op"},
    }
