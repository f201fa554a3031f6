"""Command-line tools for operators."""

from __future__ import annotations

from sqlalchemy import func, select

from app.models import Position, Role, User, db


def test_create_admin_reads_password_from_stdin(runner):
    result = runner.invoke(args=["users", "create-admin", "Quantri"], input="mật khẩu rất dài\n")
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.username == "quantri"))
    assert user.role == Role.ADMIN and user.check_password("mật khẩu rất dài")


def test_create_admin_refuses_short_password_and_duplicates(runner):
    assert runner.invoke(args=["users", "create-admin", "a"], input="ngan\n").exit_code != 0
    assert (
        runner.invoke(args=["users", "create-admin", "a"], input="đủ dài rồi nhé\n").exit_code == 0
    )
    again = runner.invoke(args=["users", "create-admin", "a"], input="đủ dài rồi nhé\n")
    assert again.exit_code != 0 and "taken" in again.output
    long = runner.invoke(args=["users", "create-admin", "a" * 81], input="đủ dài rồi nhé\n")
    assert long.exit_code != 0 and "at most 80" in long.output


def test_sync_positions_is_idempotent_and_keeps_history(runner):
    assert runner.invoke(args=["org", "sync-positions"]).exit_code == 0
    first = db.session.scalar(select(func.count(Position.id)))
    assert runner.invoke(args=["org", "sync-positions"]).output.startswith(
        "Positions: 0 created, 0 updated"
    )
    assert db.session.scalar(select(func.count(Position.id))) == first
    legacy = db.session.scalars(select(Position.name).where(Position.is_current.is_(False))).all()
    assert len(legacy) == 6 and any("Tư pháp – hộ tịch" in name for name in legacy)
    centre = db.session.scalar(select(Position).where(Position.code == "CM-MC"))
    assert "Trung tâm Phục vụ hành chính công" in centre.name


def test_demo_seed_twice_is_safe_and_logins_work(app, runner):
    first = runner.invoke(args=["demo", "seed"])
    assert first.exit_code == 0, first.output
    users = db.session.scalar(select(func.count(User.id)))
    second = runner.invoke(args=["demo", "seed"])
    assert second.exit_code == 0
    assert db.session.scalar(select(func.count(User.id))) == users
    assert "hr.phutho" in first.output and "admin" in first.output
    client = app.test_client()
    from app.demo import PASSWORD

    response = client.post("/auth/login", data={"username": "hr.anphu", "password": PASSWORD})
    assert response.status_code == 302
    listing = client.get("/hr/officials").get_data(as_text=True)
    assert "anphu.01" in listing and "binhminh.01" not in listing
