"""Every model, imported once so that the metadata is complete (Alembic, tests)."""

from server.annotations.models import Annotation, ChatMessage
from server.audit.models import AuditEntry, AuditSeal
from server.auth.models import AuthToken, User
from server.batches.models import (
    Batch,
    BatchHold,
    BatchOperator,
    HoldApproval,
    StepRecord,
    StepValue,
)
from server.db.base import Base
from server.deviations.models import Deviation
from server.equipment.models import Equipment, EquipmentLogEntry
from server.events.models import BatchEventCounter, BatchEventRecord
from server.idempotency.models import IdempotencyRecord
from server.library.models import Procedure, ProcedureVersion
from server.materials.models import Container, Lot, Material, MaterialUse
from server.media_store.models import Attachment, MediaObject
from server.orders.models import ProductionOrder, Reservation
from server.redlines.models import Redline
from server.review.models import ReviewMark
from server.signatures.models import Signature
from server.streams.models import Recording, StreamOwner
from server.webhooks.models import WebhookCursor, WebhookDelivery, WebhookSubscription

__all__ = [
    "Annotation",
    "Attachment",
    "AuditEntry",
    "AuditSeal",
    "AuthToken",
    "Base",
    "Batch",
    "BatchEventCounter",
    "BatchEventRecord",
    "BatchHold",
    "BatchOperator",
    "ChatMessage",
    "Container",
    "Deviation",
    "Equipment",
    "EquipmentLogEntry",
    "HoldApproval",
    "IdempotencyRecord",
    "Lot",
    "Material",
    "MaterialUse",
    "MediaObject",
    "Procedure",
    "ProcedureVersion",
    "ProductionOrder",
    "Recording",
    "Redline",
    "Reservation",
    "ReviewMark",
    "Signature",
    "StepRecord",
    "StepValue",
    "StreamOwner",
    "User",
    "WebhookCursor",
    "WebhookDelivery",
    "WebhookSubscription",
]
