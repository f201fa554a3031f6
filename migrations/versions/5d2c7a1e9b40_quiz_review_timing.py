"""quiz review timing: what an official sees immediately, later while open, and once closed

Revision ID: 5d2c7a1e9b40
Revises: cce6580a553f
Create Date: 2026-12-05 03:00:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "5d2c7a1e9b40"
down_revision = "cce6580a553f"
branch_labels = None
depends_on = None


def upgrade():
    # A quiz loaded before keeps what it showed once closed; between attempts, the score only
    # (the next ``content load`` sets all three from the quiz's settings file).
    with op.batch_alter_table("quiz") as batch_op:
        batch_op.add_column(
            sa.Column(
                "review_immediately", sa.String(length=10), nullable=False, server_default="score"
            )
        )
        batch_op.add_column(
            sa.Column("review_open", sa.String(length=10), nullable=False, server_default="score")
        )
        batch_op.add_column(
            sa.Column(
                "review_closed", sa.String(length=10), nullable=False, server_default="feedback"
            )
        )
    op.execute("UPDATE quiz SET review_closed = review_policy")
    with op.batch_alter_table("quiz") as batch_op:
        batch_op.drop_column("review_policy")
        batch_op.alter_column("review_immediately", server_default=None)
        batch_op.alter_column("review_open", server_default=None)
        batch_op.alter_column("review_closed", server_default=None)


def downgrade():
    with op.batch_alter_table("quiz") as batch_op:
        batch_op.add_column(
            sa.Column(
                "review_policy", sa.String(length=10), nullable=False, server_default="feedback"
            )
        )
    op.execute("UPDATE quiz SET review_policy = review_closed")
    with op.batch_alter_table("quiz") as batch_op:
        batch_op.alter_column("review_policy", server_default=None)
        batch_op.drop_column("review_closed")
        batch_op.drop_column("review_open")
        batch_op.drop_column("review_immediately")
