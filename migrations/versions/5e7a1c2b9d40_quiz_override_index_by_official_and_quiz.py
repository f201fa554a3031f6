"""quiz_override: one index on (user_id, quiz_id) for the quiz page's look-up

Revision ID: 5e7a1c2b9d40
Revises: e5b39cd6baa3
Create Date: 2026-12-05 06:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '5e7a1c2b9d40'
down_revision = 'e5b39cd6baa3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('quiz_override', schema=None) as batch_op:
        batch_op.create_index('ix_quiz_override_user_id_quiz_id', ['user_id', 'quiz_id'], unique=False)


def downgrade():
    with op.batch_alter_table('quiz_override', schema=None) as batch_op:
        batch_op.drop_index('ix_quiz_override_user_id_quiz_id')
