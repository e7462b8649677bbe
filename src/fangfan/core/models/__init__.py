"""Core models: the unit tree, users and role grants, the audit chain, evidence files."""
from fangfan.core.models.audit import AuditChainHead, AuditEntry
from fangfan.core.models.changes import UnitChangeRequest
from fangfan.core.models.evidence import Attachment
from fangfan.core.models.notifications import (
    Delivery,
    Notification,
    NotificationChannel,
    NotificationPreference,
)
from fangfan.core.models.privacy import PersonalDataGrant, PersonalDataRead, ReadChannel
from fangfan.core.models.records import UnitRecord
from fangfan.core.models.units import (
    PATH_SEGMENT_WIDTH as PATH_WIDTH,
)
from fangfan.core.models.units import KeyTargetGrade, Locale, Stage, Unit, UnitKind
from fangfan.core.models.users import Role, RoleGrant, User

__all__ = [
    "Attachment",
    "Delivery",
    "AuditChainHead",
    "AuditEntry",
    "KeyTargetGrade",
    "Notification",
    "NotificationChannel",
    "NotificationPreference",
    "PATH_WIDTH",
    "PersonalDataGrant",
    "PersonalDataRead",
    "ReadChannel",
    "Locale",
    "Role",
    "RoleGrant",
    "Stage",
    "Unit",
    "UnitKind",
    "UnitChangeRequest",
    "UnitRecord",
    "User",
]
