"""production orders: ERP orders and the materials (lots) they reserve

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 16:21:46

Orders the ERP sends (JSON or B2MML), idempotent by order number and content hash; a batch
started from an order is linked by `batch_id` (one batch per order).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import server.db.base

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "production_orders",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("order_number", sa.String(length=64), nullable=False),
        sa.Column("product_id", sa.String(length=36), nullable=False),
        sa.Column("procedure_key", sa.String(length=100), nullable=False),
        sa.Column("procedure_version", sa.Integer(), nullable=True),
        sa.Column("planned_quantity", server.db.base.DecimalText(length=40), nullable=False),
        sa.Column("unit", sa.String(length=8), nullable=False),
        sa.Column("batch_number", sa.String(length=64), nullable=False),
        sa.Column(
            "parameters",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("batch_id", sa.String(length=36), nullable=True),
        sa.Column("created_at", server.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=36), nullable=False),
        sa.Column("started_at", server.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("started_by", sa.String(length=36), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["batches.id"], name=op.f("fk_production_orders_batch_id_batches")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_production_orders_created_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["materials.id"], name=op.f("fk_production_orders_product_id_materials")
        ),
        sa.ForeignKeyConstraint(
            ["started_by"], ["users.id"], name=op.f("fk_production_orders_started_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_production_orders")),
        sa.UniqueConstraint("batch_id", name=op.f("uq_production_orders_batch_id")),
        sa.UniqueConstraint("batch_number", name=op.f("uq_production_orders_batch_number")),
        sa.UniqueConstraint("order_number", name=op.f("uq_production_orders_order_number")),
    )
    op.create_table(
        "order_reservations",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("order_id", sa.String(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("material_id", sa.String(length=36), nullable=False),
        sa.Column("lot_id", sa.String(length=36), nullable=True),
        sa.Column("quantity", server.db.base.DecimalText(length=40), nullable=False),
        sa.Column("unit", sa.String(length=8), nullable=False),
        sa.ForeignKeyConstraint(
            ["lot_id"], ["lots.id"], name=op.f("fk_order_reservations_lot_id_lots")
        ),
        sa.ForeignKeyConstraint(
            ["material_id"],
            ["materials.id"],
            name=op.f("fk_order_reservations_material_id_materials"),
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["production_orders.id"],
            name=op.f("fk_order_reservations_order_id_production_orders"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_reservations")),
    )
    with op.batch_alter_table("order_reservations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_order_reservations_order_id"), ["order_id"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("order_reservations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_order_reservations_order_id"))

    op.drop_table("order_reservations")
    op.drop_table("production_orders")
