"""webhooks: the outbox of events, endpoints, deliveries, settings and standings announced

The outbox (events about reps, written with the change that caused them), the endpoints admins
register, one delivery per event and endpoint (the delivery log, leased by workers), the admins'
webhook settings, and the last standing seen for each rep (for rep.at_risk).

Revision ID: c5569a5b7892
Revises: 4e56fcdf6cac
Create Date: 2026-12-06 21:31:50.479539

"""
from alembic import op
import sqlalchemy as sa

import cev_learn.platform.db


# revision identifiers, used by Alembic.
revision = 'c5569a5b7892'
down_revision = '4e56fcdf6cac'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('outbox_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=32), nullable=False),
    sa.Column('type', sa.String(length=40), nullable=False),
    sa.Column('rep_id', sa.Integer(), nullable=False),
    sa.Column('created_at', cev_learn.platform.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('body', sa.Text(), nullable=True),
    sa.Column('dispatched_at', cev_learn.platform.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['rep_id'], ['user.id'], name=op.f('fk_outbox_event_rep_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_event')),
    sa.UniqueConstraint('public_id', name=op.f('uq_outbox_event_public_id'))
    )
    with op.batch_alter_table('outbox_event', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_event_dispatched_at_id', ['dispatched_at', 'id'], unique=False)

    op.create_table('webhook_endpoint',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('url', sa.String(length=2000), nullable=False),
    sa.Column('description', sa.String(length=200), nullable=True),
    sa.Column('secret', sa.String(length=200), nullable=False),
    sa.Column('previous_secret', sa.String(length=200), nullable=True),
    sa.Column('previous_secret_until', cev_learn.platform.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('event_types', sa.JSON(), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('disabled_at', cev_learn.platform.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('disabled_reason', sa.String(length=500), nullable=True),
    sa.Column('created_at', cev_learn.platform.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', cev_learn.platform.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_webhook_endpoint_created_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_endpoint'))
    )
    op.create_table('webhook_rep_standing',
    sa.Column('rep_id', sa.Integer(), nullable=False),
    sa.Column('standing', sa.String(length=16), nullable=False),
    sa.Column('changed_at', cev_learn.platform.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['rep_id'], ['user.id'], name=op.f('fk_webhook_rep_standing_rep_id_user')),
    sa.PrimaryKeyConstraint('rep_id', name=op.f('pk_webhook_rep_standing'))
    )
    op.create_table('webhook_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('allow_private_addresses', sa.Boolean(), nullable=False),
    sa.Column('updated_at', cev_learn.platform.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('standings_checked_at', cev_learn.platform.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user.id'], name=op.f('fk_webhook_settings_updated_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_settings'))
    )
    op.create_table('webhook_delivery',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('endpoint_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('rep_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('pending', 'delivered', 'failed', name='webhook_delivery_status', native_enum=False, length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', cev_learn.platform.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('leased_until', cev_learn.platform.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('lease_token', sa.String(length=32), nullable=True),
    sa.Column('last_attempt_at', cev_learn.platform.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_status_code', sa.Integer(), nullable=True),
    sa.Column('last_error', sa.String(length=500), nullable=True),
    sa.Column('last_response', sa.Text(), nullable=True),
    sa.Column('delivered_at', cev_learn.platform.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', cev_learn.platform.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('requeued_at', cev_learn.platform.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['endpoint_id'], ['webhook_endpoint.id'], name=op.f('fk_webhook_delivery_endpoint_id_webhook_endpoint')),
    sa.ForeignKeyConstraint(['event_id'], ['outbox_event.id'], name=op.f('fk_webhook_delivery_event_id_outbox_event')),
    sa.ForeignKeyConstraint(['rep_id'], ['user.id'], name=op.f('fk_webhook_delivery_rep_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_delivery')),
    sa.UniqueConstraint('endpoint_id', 'event_id', name=op.f('uq_webhook_delivery_endpoint_id'))
    )
    with op.batch_alter_table('webhook_delivery', schema=None) as batch_op:
        batch_op.create_index('ix_webhook_delivery_endpoint_id_rep_id_event_id', ['endpoint_id', 'rep_id', 'event_id'], unique=False)
        batch_op.create_index('ix_webhook_delivery_leased_until', ['leased_until'], unique=False)
        batch_op.create_index('ix_webhook_delivery_status_event_id', ['status', 'event_id'], unique=False)
        batch_op.create_index('ix_webhook_delivery_status_next_attempt_at', ['status', 'next_attempt_at'], unique=False)


def downgrade():
    with op.batch_alter_table('webhook_delivery', schema=None) as batch_op:
        batch_op.drop_index('ix_webhook_delivery_status_next_attempt_at')
        batch_op.drop_index('ix_webhook_delivery_status_event_id')
        batch_op.drop_index('ix_webhook_delivery_leased_until')
        batch_op.drop_index('ix_webhook_delivery_endpoint_id_rep_id_event_id')

    op.drop_table('webhook_delivery')
    op.drop_table('webhook_settings')
    op.drop_table('webhook_rep_standing')
    op.drop_table('webhook_endpoint')
    with op.batch_alter_table('outbox_event', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_event_dispatched_at_id')

    op.drop_table('outbox_event')
