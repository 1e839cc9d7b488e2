"""list indexes: one per list sort and filter, so every page is an index range scan

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 16:30:00

Lists page with a keyset on (sort key, unique tiebreak) (server/db/paging.py). Each index
below serves one list's order, alone or after an equality filter, so a page reads `limit`
rows from the index whatever the table's size. Existing single-column indexes (batch_id on
audit entries, step records and deviations, the unique batch and lot numbers) stay: other
queries use them.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES: list[tuple[str, str, list[str | sa.TextClause]]] = [
    # the search boxes: batch and lot number prefixes, ignoring case
    ("ix_batches_number_lower", "batches", [sa.text("lower(batch_number)")]),
    ("ix_lots_number_lower", "lots", [sa.text("lower(lot_number)")]),
    # batches, newest first; by status, procedure version, starter; operator via step records
    ("ix_batches_created", "batches", ["created_at", "id"]),
    ("ix_batches_status_created", "batches", ["status", "created_at", "id"]),
    ("ix_batches_version_created", "batches", ["procedure_version_id", "created_at", "id"]),
    ("ix_batches_started_by", "batches", ["started_by"]),
    ("ix_step_records_completed_by", "step_records", ["completed_by", "batch_id"]),
    # deviations, newest first; by status; a batch's unresolved ones
    ("ix_deviations_opened", "deviations", ["opened_at", "number"]),
    ("ix_deviations_status_opened", "deviations", ["status", "opened_at", "number"]),
    ("ix_deviations_batch_status", "deviations", ["batch_id", "status"]),
    # lots, newest received first; by status, material; expiring before
    ("ix_lots_received", "lots", ["received_at", "id"]),
    ("ix_lots_status_received", "lots", ["status", "received_at", "id"]),
    ("ix_lots_material_received", "lots", ["material_id", "received_at", "id"]),
    ("ix_lots_expiry", "lots", ["expiry"]),
    # a batch's trail by seq; the site's by time, alone or by actor or action
    ("ix_audit_entries_batch_seq", "audit_entries", ["batch_id", "seq"]),
    ("ix_audit_entries_at_seq", "audit_entries", ["at", "seq"]),
    ("ix_audit_entries_actor_at", "audit_entries", ["actor_id", "at", "seq"]),
    ("ix_audit_entries_action_at", "audit_entries", ["action", "at", "seq"]),
    # equipment by type; a logbook; a batch's attachments; a subscription's deliveries
    ("ix_equipment_type_code", "equipment", ["type", "code"]),
    ("ix_equipment_log_equipment_at", "equipment_log", ["equipment_id", "at", "id"]),
    ("ix_attachments_batch_created", "attachments", ["batch_id", "created_at", "id"]),
    ("ix_webhook_deliveries_subscription_seq", "webhook_deliveries", ["subscription_id", "id"]),
]


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)


def downgrade() -> None:
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
