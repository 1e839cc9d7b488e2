"""Every model, imported once so that the metadata is complete (Alembic, tests)."""

from server.audit.models import AuditEntry
from server.auth.models import AuthToken, User
from server.batches.models import Batch, StepRecord, StepValue
from server.db.base import Base
from server.deviations.models import Deviation
from server.equipment.models import Equipment, EquipmentLogEntry
from server.idempotency.models import IdempotencyRecord
from server.library.models import Procedure, ProcedureVersion
from server.materials.models import Container, Lot, Material, MaterialUse
from server.signatures.models import Signature

__all__ = [
    "AuditEntry",
    "AuthToken",
    "Base",
    "Batch",
    "Container",
    "Deviation",
    "Equipment",
    "EquipmentLogEntry",
    "IdempotencyRecord",
    "Lot",
    "Material",
    "MaterialUse",
    "Procedure",
    "ProcedureVersion",
    "Signature",
    "StepRecord",
    "StepValue",
    "User",
]
