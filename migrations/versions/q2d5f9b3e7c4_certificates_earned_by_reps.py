"""certificates: a rep's holding of a certification, its dates, its secret verification code,
and whether it was renewed (superseded) or revoked

Revision ID: q2d5f9b3e7c4
Revises: p1c4e8a2d6b3
Create Date: 2026-12-07 19:05:00.000000

"""
import sqlalchemy as sa
from alembic import op

import cev_learn.platform.db


# revision identifiers, used by Alembic.
revision = 'q2d5f9b3e7c4'
down_revision = 'p1c4e8a2d6b3'
branch_labels = None
depends_on = None


def upgrade():
    when = cev_learn.platform.db.UTCDateTime(timezone=True)
    op.create_table(
        'certificate',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('certification_id', sa.Integer(), nullable=False),
        sa.Column('earned_on', sa.Date(), nullable=False),
        sa.Column('expires_on', sa.Date(), nullable=False),
        sa.Column('code', sa.String(length=43), nullable=False),
        sa.Column('created_at', when, nullable=False),
        sa.Column('renewal_assigned_on', sa.Date(), nullable=True),
        sa.Column('superseded_on', sa.Date(), nullable=True),
        sa.Column('revoked_at', when, nullable=True),
        sa.ForeignKeyConstraint(['certification_id'], ['certification.id'],
                                name=op.f('fk_certificate_certification_id_certification')),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_certificate_user_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_certificate')),
        sa.UniqueConstraint('code', name=op.f('uq_certificate_code')))
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.create_index('ix_certificate_user_id_certification_id',
                              ['user_id', 'certification_id'], unique=False)
        batch_op.create_index('ix_certificate_expires_on', ['expires_on'], unique=False)


def downgrade():
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.drop_index('ix_certificate_expires_on')
        batch_op.drop_index('ix_certificate_user_id_certification_id')
    op.drop_table('certificate')
