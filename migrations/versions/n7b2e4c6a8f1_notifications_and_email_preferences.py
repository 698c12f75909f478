"""notifications: what each person should hear about (behind the bell of the top bar), and how
each person wants to hear about it by email (immediately, a daily digest, or not at all)

Revision ID: n7b2e4c6a8f1
Revises: b3f1a9c7e2d5
Create Date: 2026-12-07 16:05:00.000000

"""
import sqlalchemy as sa
from alembic import op

import cev_learn.platform.db


# revision identifiers, used by Alembic.
revision = 'n7b2e4c6a8f1'
down_revision = 'b3f1a9c7e2d5'
branch_labels = None
depends_on = None


def upgrade():
    when = cev_learn.platform.db.UTCDateTime(timezone=True)
    op.create_table(
        'notification',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('recipient_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('text', sa.String(length=300), nullable=False),
        sa.Column('link', sa.String(length=500), nullable=False),
        sa.Column('created_at', when, nullable=False),
        sa.Column('read_at', when, nullable=True),
        sa.Column('emailed_at', when, nullable=True),
        sa.ForeignKeyConstraint(['recipient_id'], ['user.id'],
                                name=op.f('fk_notification_recipient_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_notification')))
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.create_index('ix_notification_recipient_id_read_at',
                              ['recipient_id', 'read_at'], unique=False)
        batch_op.create_index('ix_notification_recipient_id_id', ['recipient_id', 'id'],
                              unique=False)
        batch_op.create_index('ix_notification_emailed_at', ['emailed_at'], unique=False)
    op.create_table(
        'notification_settings',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('email', sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'],
                                name=op.f('fk_notification_settings_user_id_user')),
        sa.PrimaryKeyConstraint('user_id', name=op.f('pk_notification_settings')))


def downgrade():
    op.drop_table('notification_settings')
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index('ix_notification_emailed_at')
        batch_op.drop_index('ix_notification_recipient_id_id')
        batch_op.drop_index('ix_notification_recipient_id_read_at')
    op.drop_table('notification')
