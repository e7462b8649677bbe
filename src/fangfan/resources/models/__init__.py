"""People, locations and assets (RES-1 … RES-4), and their upkeep: faults, alarm tests
and maintenance (RES-4b, RES-5); dedicated funding (RES-7), hazardous materials (RES-8)
and school buses (RES-9)."""
from fangfan.resources.models.buses import (
    BusCheckKind,
    BusCheckResult,
    BusDriver,
    BusInspection,
    BusRoute,
    SchoolBus,
)
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
from fangfan.resources.models.funding import BudgetCategory, BudgetLine, SecurityBudget
from fangfan.resources.models.hazmat import (
    HazmatCategory,
    HazmatItem,
    HazmatMovement,
    HazmatStore,
    MeasureUnit,
    MovementKind,
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
           "BackgroundCheck", "BudgetCategory", "BudgetLine", "BusCheckKind", "BusCheckResult",
           "BusDriver", "BusInspection", "BusRoute", "Certificate", "CertificateKind",
           "CheckKind", "CheckResult", "EXPIRY_ALERT_DAYS", "EmploymentType", "Fault",
           "HazmatCategory", "HazmatItem", "HazmatMovement", "HazmatStore", "Location",
           "LocationKind", "MaintenanceSchedule", "MeasureUnit", "MovementKind", "PRIVATE_KINDS",
           "Person", "RECHECK_DAYS", "RECOVERY_HOURS", "SchoolBus", "SecurityBudget", "TECHNICAL",
           "UpkeepKind", "person_of"]
