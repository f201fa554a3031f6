"""All models, split by area and re-exported here."""

from app.models.api import ApiClient, ApiRateWindow, api_client_unit
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
from app.models.course import ContentWarning, Course, Lesson, Track
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
    ReviewTime,
)
from app.models.user import LoginFailure, Position, Role, Unit, UnitKind, User, UserSession

__all__ = [
    "ApiClient",
    "ApiRateWindow",
    "api_client_unit",
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
    "ReviewTime",
    "Base",
    "ContentWarning",
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
    "UserSession",
    "db",
    "local_year",
    "utcnow",
]
