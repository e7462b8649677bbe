"""Home-page work of alert levels (issue 11)."""
from __future__ import annotations


def test_issuing_is_a_quick_action_of_authorities_only(tree, make_user, client):
    """A school's administrator may not issue levels (nothing is below the school), so
    its home page does not offer it; the district's administrator's does."""
    from django.urls import reverse

    from fangfan.core.models import Role

    add = reverse("records:alert-levels-add")
    client.force_login(make_user(Role.UNIT_ADMIN, tree["a"]))
    quick = client.get(reverse("home")).content.decode().split(
        'data-testid="quick-actions"')[1].split("</div>")[0]
    assert add not in quick
    client.force_login(make_user(Role.UNIT_ADMIN, tree["district"]))
    quick = client.get(reverse("home")).content.decode().split(
        'data-testid="quick-actions"')[1].split("</div>")[0]
    assert add in quick
