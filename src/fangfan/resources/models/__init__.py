"""People, locations and assets (RES-1 … RES-4), and their upkeep: faults, alarm tests
and maintenance (RES-4b, RES-5)."""
from fangfan.resources.models.catalogue import (
    ATTRIBUTES,
    PRIVATE_KINDS,
    TECHNICAL,
    Asset,
    AssetCategory,
    AssetStatus,
    EmploymentType,
    Location,
    LocationKind,
    Person,
    person_of,
)
from fangfan.resources.models.people import (
    EXPIRY_ALERT_DAYS,
    RECHECK_DAYS,
    BackgroundCheck,
    Certificate,
    CertificateKind,
    CheckKind,
    CheckResult,
)
from fangfan.resources.models.upkeep import (
    ALARMS,
    RECOVERY_HOURS,
    AlarmTest,
    Fault,
    MaintenanceSchedule,
    UpkeepKind,
)

__all__ = ["ALARMS", "ATTRIBUTES", "AlarmTest", "Asset", "AssetCategory", "AssetStatus",
           "BackgroundCheck", "Certificate", "CertificateKind", "CheckKind", "CheckResult",
           "EXPIRY_ALERT_DAYS", "EmploymentType", "Fault", "Location", "LocationKind",
           "MaintenanceSchedule", "PRIVATE_KINDS", "Person", "RECHECK_DAYS", "RECOVERY_HOURS",
           "TECHNICAL", "UpkeepKind", "person_of"]
