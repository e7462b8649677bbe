"""What a group robot's page shows of the messages it was sent (core.notify)."""
from django import template

from fangfan.core.models import Delivery

register = template.Library()
RECENT = 20


@register.simple_tag
def robot_deliveries(channel) -> list[Delivery]:
    """The robot's most recent messages with their status (the page already checked that
    the user may see the robot)."""
    return list(Delivery.objects.filter(channel=channel).order_by("-created_at", "-pk")[:RECENT])
