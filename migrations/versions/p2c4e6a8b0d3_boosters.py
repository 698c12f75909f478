"""boosters: questions of a module's quiz pool that come back to the rep who completed it
(Leitner boxes), each answer to them, and which modules a quiz covers (track.yaml `covers`)

Revision ID: p2c4e6a8b0d3
Revises: p2c8d4e6f1a3
Create Date: 2026-12-07 18:10:00.000000

"""
import sqlalchemy as sa
from alembic import op

import cev_learn.platform.db


# revision identifiers, used by Alembic.
revision = 'p2c4e6a8b0d3'
down_revision = 'p2c8d4e6f1a3'
branch_labels = None
depends_on = None


def upgrade():
    when = cev_learn.platform.db.UTCDateTime(timezone=True)
    with op.batch_alter_table('quiz', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('covers', sa.JSON(), nullable=False,
                                      server_default=sa.text("'[]'")))
    op.create_table(
        'booster',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('module_id', sa.Integer(), nullable=False),
        sa.Column('quiz_id', sa.Integer(), nullable=False),
        sa.Column('question_key', sa.String(length=32), nullable=False),
        sa.Column('box', sa.Integer(), nullable=False),
        sa.Column('due_on', sa.Date(), nullable=False),
        sa.Column('answer_count', sa.Integer(), nullable=False),
        sa.Column('created_at', when, nullable=False),
        sa.Column('retired_at', when, nullable=True),
        sa.Column('notified_on', sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(['module_id'], ['module.id'],
                                name=op.f('fk_booster_module_id_module')),
        sa.ForeignKeyConstraint(['quiz_id'], ['quiz.id'], name=op.f('fk_booster_quiz_id_quiz')),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_booster_user_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_booster')),
        sa.UniqueConstraint('user_id', 'quiz_id', 'question_key',
                            name=op.f('uq_booster_user_id')))
    with op.batch_alter_table('booster', schema=None) as batch_op:
        batch_op.create_index('ix_booster_user_id_due_on', ['user_id', 'due_on'], unique=False)
        batch_op.create_index('ix_booster_due_on', ['due_on'], unique=False)
    op.create_table(
        'booster_answer',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('booster_id', sa.Integer(), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('box', sa.Integer(), nullable=False),
        sa.Column('answered_at', when, nullable=False),
        sa.Column('response', sa.JSON(), nullable=False),
        sa.Column('fraction', sa.Double(), nullable=False),
        sa.Column('correct', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['booster_id'], ['booster.id'],
                                name=op.f('fk_booster_answer_booster_id_booster')),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'],
                                name=op.f('fk_booster_answer_user_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_booster_answer')),
        sa.UniqueConstraint('booster_id', 'seq', name=op.f('uq_booster_answer_booster_id')))
    with op.batch_alter_table('booster_answer', schema=None) as batch_op:
        batch_op.create_index('ix_booster_answer_user_id_answered_at',
                              ['user_id', 'answered_at'], unique=False)


def downgrade():
    with op.batch_alter_table('booster_answer', schema=None) as batch_op:
        batch_op.drop_index('ix_booster_answer_user_id_answered_at')
    op.drop_table('booster_answer')
    with op.batch_alter_table('booster', schema=None) as batch_op:
        batch_op.drop_index('ix_booster_due_on')
        batch_op.drop_index('ix_booster_user_id_due_on')
    op.drop_table('booster')
    # SQLite drops the column in place: copying the table would break attempts' foreign keys.
    with op.batch_alter_table('quiz', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('covers')
