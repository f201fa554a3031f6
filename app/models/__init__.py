"""All models, split by area and re-exported here."""

from app.models.audit import AuditEntry
from app.models.base import LOCAL_TZ, Base, db, local_date, local_to_utc, local_year, utcnow
from app.models.compliance import (
    Certificate,
    DeadlineExtension,
    Exemption,
    ExternalTraining,
    LeavePeriod,
    Message,
    Standard,
    StandardCourse,
)
from app.models.course import Course, Lesson, Track
from app.models.progress import CourseProgress, LessonCompletion
from app.models.quiz import (
    AttemptQuestion,
    AttemptState,
    GradingMethod,
    OverduePolicy,
    Question,
    Quiz,
    QuizAttempt,
    QuizOverride,
    ReviewPolicy,
)
from app.models.user import HrScope, LoginFailure, Position, Role, Unit, UnitKind, User

__all__ = [
    "AuditEntry",
    "HrScope",
    "LOCAL_TZ",
    "local_date",
    "local_to_utc",
    "Certificate",
    "DeadlineExtension",
    "Exemption",
    "ExternalTraining",
    "LeavePeriod",
    "Message",
    "Standard",
    "StandardCourse",
    "AttemptQuestion",
    "AttemptState",
    "GradingMethod",
    "OverduePolicy",
    "Question",
    "Quiz",
    "QuizAttempt",
    "QuizOverride",
    "ReviewPolicy",
    "Base",
    "Course",
    "CourseProgress",
    "Lesson",
    "LessonCompletion",
    "LoginFailure",
    "Position",
    "Role",
    "Track",
    "Unit",
    "UnitKind",
    "User",
    "db",
    "local_year",
    "utcnow",
]
