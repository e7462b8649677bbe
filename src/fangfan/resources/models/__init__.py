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
)
from fangfan.resources.models.upkeep import (
    ALARMS,
    RECOVERY_HOURS,
    AlarmTest,
    Fault,
    MaintenanceSchedule,
    UpkeepKind,
)

__all__ = ["ALARMS", "ATTRIBUTES", "PRIVATE_KINDS", "RECOVERY_HOURS", "TECHNICAL", "AlarmTest",
           "Asset", "AssetCategory", "AssetStatus", "EmploymentType", "Fault", "Location",
           "LocationKind", "MaintenanceSchedule", "Person", "UpkeepKind"]
