"""Record type declarations of the core app: the unit tree itself and group robots."""
from django.utils.translation import gettext_lazy as _

from fangfan.core.changes import ChangeRequestServices
from fangfan.core.models import NotificationChannel, Role, Unit, UnitChangeRequest
from fangfan.core.models.changes import REQUESTED
from fangfan.core.models.notifications import RobotKind
from fangfan.core.privacy import Kind, PersonalData
from fangfan.core.registry import RecordType, register

register(RecordType(
    model=Unit,
    slug="units",
    area="org",
    path_field="path",
    list_fields=["name", "code", "kind", "stage", "locale", "key_target_grade",
                 "staff_count", "student_count"],
    form_fields=["parent", "code", "name", "kind", "stage", "locale", "boarding",
                 "staff_count", "student_count", "boarder_count", "key_target_grade",
                 "address", "contact_name", "contact_phone"],
    filter_fields=["kind", "stage", "locale", "boarding", "key_target_grade"],
    search_fields=["name", "code", "address"],
    lookups={"parent": "code"},
    personal_data=PersonalData(
        fields={"contact_phone": Kind.PHONE},
        purpose=_("To reach the unit's contact person about its security work and in an "
                  "emergency."),
        legal_basis=_("Necessary for the unit's statutory security duties and its "
                      "staff management (PIPL Art. 13, items 2 and 3).")),
    # What is required of a unit follows from these: its supervising authority sets them.
    decided_above=("kind", "stage", "locale", "boarding", "staff_count", "student_count",
                   "boarder_count", "key_target_grade"),
    # ... which the unit asks for by a change request.
    actions=[("unit-change-requests", "unit", _("Request a change"))],
    roles={
        # Authorities register and maintain the units under them; a unit's own
        # administrator keeps its attributes (headcount, contact) current.
        Role.SUPERVISOR: {"view", "add", "change", "import", "export"},
        Role.UNIT_ADMIN: {"view", "change", "export"},
        Role.GUARD: {"view"},
        Role.STAFF: {"view"},
    },
    example=lambda parent: {
        "parent": parent, "code": f"ex-{parent.pk}-{Unit.objects.count()}",
        "name": "示例学校", "kind": "school", "stage": "primary", "locale": "city",
        "staff_count": 50, "student_count": 600,
    },
))

# The unit's work groups on WeCom or DingTalk (SPEC EMG-5): a unit's administrator
# connects them (the default rights: others who read the unit's records see them, but
# never the signing secret).
register(RecordType(
    model=NotificationChannel,
    slug="group-robots",
    area="sys",
    on_home=False,
    list_fields=["name", "kind", "active", "unit"],
    form_fields=["unit", "name", "kind", "url", "secret", "active"],
    detail_fields=["unit", "name", "kind", "url", "active"],
    import_fields=["unit", "name", "kind", "url", "active"],
    filter_fields=["kind", "active"],
    search_fields=["name"],
    applies_when={"secret": ("kind", {RobotKind.DINGTALK})},
    example=lambda unit: {
        "unit": unit, "name": "安全工作群", "kind": RobotKind.WECOM,
        "url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=example"},
))


register(RecordType(
    model=UnitChangeRequest,
    slug="unit-change-requests",
    area="org",
    on_home=False,
    list_fields=["unit", "status", "reason", "decided_on"],
    form_fields=["unit", *REQUESTED, "reason", "status", "decision_note"],
    detail_fields=["unit", *REQUESTED, "reason", "status", "decision_note", "decided_by",
                   "decided_on"],
    card_fields=["unit", "reason", "decided_on"],
    filter_fields=["status"],
    search_fields=["reason"],
    # The unit asks; only someone above it decides.
    decided_above=("status", "decision_note"),
    roles={Role.SUPERVISOR: {"view", "change", "export"},
           Role.UNIT_ADMIN: {"view", "add", "change", "export"},
           Role.PRINCIPAL: {"view", "add", "export"}, Role.GUARD: set(), Role.STAFF: set()},
    services=ChangeRequestServices(),
    example=lambda unit: {"unit": unit, "student_count": 1950,
                          "reason": "2026年秋季学期招生后在校生人数变化"},
    example_update=lambda obj: {"reason": obj.reason + "（附学籍统计表）"},
))
