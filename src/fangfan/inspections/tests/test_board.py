"""The authority's hazard board (issue 9): counts and rates per unit below, the
subtree's totals and trend, links that list what was counted, scoping, and a constant
number of queries whatever the number of units."""
from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fangfan.core import services
from fangfan.core.models import Role
from fangfan.inspections import board
from fangfan.inspections.models import Hazard

D = dt.date
TODAY = D(2026, 11, 15)


def _h(unit, status, found_on, deadline=None, closed_on=None, escalated_on=None) -> Hazard:
    return Hazard.objects.create(unit=unit, unit_path=unit.path, title="h", status=status,
                                 found_on=found_on, deadline=deadline, closed_on=closed_on,
                                 escalated_on=escalated_on)


@pytest.fixture
def hazards(tree):
    a, b, district = tree["a"], tree["b"], tree["district"]
    # School A: 3 open (1 overdue and escalated), 3 closed (1 on time, 1 late, 1 without
    # a deadline).
    _h(a, "assigned", D(2026, 11, 1), TODAY - dt.timedelta(days=5),
       escalated_on=TODAY - dt.timedelta(days=1))
    _h(a, "found", D(2026, 11, 10))
    _h(a, "rectified", D(2026, 10, 20), TODAY + dt.timedelta(days=3))
    _h(a, "closed", D(2026, 10, 1), D(2026, 10, 10), closed_on=D(2026, 10, 8))
    _h(a, "closed", D(2026, 10, 1), D(2026, 10, 10), closed_on=D(2026, 10, 20))
    _h(a, "closed", D(2026, 8, 20), closed_on=D(2026, 9, 5))
    # School B: closed on the deadline day (on time); open, due today (not overdue),
    # escalated at once (major); closed on time long ago (outside the trend).
    _h(b, "closed", D(2026, 11, 1), D(2026, 11, 10), closed_on=D(2026, 11, 10))
    _h(b, "assigned", D(2026, 11, 12), TODAY, escalated_on=D(2026, 11, 12))
    _h(b, "closed", D(2026, 1, 10), D(2026, 2, 1), closed_on=D(2026, 1, 20))
    # The district's own: open, overdue (in the totals, in no row).
    _h(district, "found", D(2026, 11, 5), TODAY - dt.timedelta(days=1))
    return tree


def _row(b: board.Board, code: str) -> board.Row:
    return next(r for r in b.page.object_list if r.code == code)


def test_counts_rates_and_ranking(hazards, make_user):
    user = make_user(Role.SUPERVISOR, hazards["district"])
    built = board.build(user, hazards["district"], today=TODAY)
    assert [r.code for r in built.page.object_list] == ["school-a", "school-b"]  # overdue 1st
    a = _row(built, "school-a").counts
    assert (a.total, a.open, a.overdue, a.escalated, a.closed, a.closed_with_deadline,
            a.on_time) == (6, 3, 1, 1, 3, 2, 1)
    assert (a.on_time_rate, a.closure_rate) == (50, 50)
    b = _row(built, "school-b").counts
    assert (b.total, b.open, b.overdue, b.escalated, b.closed, b.on_time) == (3, 1, 0, 1, 2, 2)
    assert (b.on_time_rate, b.closure_rate) == (100, 66)  # floored, never rounded up
    t = built.totals
    assert (t.total, t.open, t.overdue, t.escalated, t.closed, t.on_time) == (10, 5, 2, 2, 5, 3)
    assert (t.on_time_rate, t.closure_rate) == (75, 50)


def test_trend_six_months(hazards, make_user):
    user = make_user(Role.SUPERVISOR, hazards["district"])
    trend = board.build(user, hazards["district"], today=TODAY).trend
    assert [m.start for m in trend] == [D(2026, m, 1) for m in range(6, 12)]
    assert [m.found for m in trend] == [0, 0, 1, 0, 3, 5]
    assert [m.closed for m in trend] == [0, 0, 0, 1, 2, 1]
    assert board.month_starts(D(2027, 2, 28))[0] == D(2026, 9, 1)


def test_nothing_to_judge_is_no_rate(tree, make_user):
    _h(tree["a"], "closed", D(2026, 11, 1), closed_on=D(2026, 11, 2))  # no deadline
    built = board.build(make_user(Role.SUPERVISOR, tree["district"]), tree["district"],
                        today=TODAY)
    assert _row(built, "school-a").counts.on_time_rate is None
    assert _row(built, "school-a").counts.closure_rate == 100
    assert _row(built, "school-b").counts.closure_rate is None  # no hazards at all


def test_the_city_counts_each_district_whole(hazards, make_user):
    built = board.build(make_user(Role.SUPERVISOR, hazards["city"]), hazards["city"],
                        today=TODAY)
    (row,) = built.page.object_list
    assert row.code == "district" and row.counts.total == 10 and row.counts.overdue == 2
    assert row.url == "/hazards/board/district/"  # a unit with units below: its board


def test_each_count_links_to_the_list_of_what_it_counts(hazards, make_user, client):
    """The links use the list's own filters: following one lists exactly the count."""
    user = make_user(Role.SUPERVISOR, hazards["district"])
    built = board.build(user, hazards["district"])  # the real today, as the list's
    client.force_login(user)
    for row in [*built.page.object_list, None]:
        counts, links = (row.counts, row.links) if row else (built.totals, built.totals_links)
        for key, url in links.items():
            resp = client.get(url.replace("/hazards/", "/api/hazards/", 1))
            assert resp.status_code == 200, url
            assert resp.json()["count"] == getattr(counts, key), (key, url)


def test_page_shows_counts_and_links(hazards, make_user, client):
    client.force_login(make_user(Role.SUPERVISOR, hazards["district"]))
    resp = client.get("/hazards/board/district/")
    assert resp.status_code == 200
    html = resp.content.decode()
    assert 'data-unit="school-a"' in html and 'data-testid="board-trend"' in html
    assert "within=school-a&amp;overdue=true" in html
    assert "school-a</" not in html  # codes are never shown, only in links


def test_current_unit_from_the_session(hazards, make_user, client):
    client.force_login(make_user(Role.SUPERVISOR, hazards["city"]))
    session = client.session
    session["unit"] = "district"
    session.save()
    resp = client.get("/hazards/board/")
    assert resp.context["unit"].code == "district"


def test_scoping(hazards, make_user, client):
    district = make_user(Role.SUPERVISOR, hazards["district"])
    client.force_login(district)
    assert client.get("/hazards/board/city/").status_code == 404  # above its subtree
    assert client.get("/hazards/board/district/").status_code == 200
    assert "data-testid=\"board-up\"" not in client.get("/hazards/board/district/") \
        .content.decode()  # the city's board is not its to open
    school = make_user(Role.UNIT_ADMIN, hazards["a"])
    client.force_login(school)
    assert client.get("/hazards/board/district/").status_code == 404
    assert client.get("/hazards/board/school-b/").status_code == 404
    resp = client.get("/hazards/board/")  # its own unit only: its figures, no rows
    assert resp.status_code == 200 and resp.context["unit"].code == "school-a"
    built = resp.context["board"]
    assert built.totals.total == 6 and not built.page.object_list
    # Roles on both schools, none on the district: still not the district's board.
    services.grant_role(None, school, hazards["b"], Role.UNIT_ADMIN)
    assert client.get("/hazards/board/district/").status_code == 404


def test_visible_hazards_only(hazards, make_user):
    """Counting only what the user may view, even for a unit asked for directly."""
    school = make_user(Role.UNIT_ADMIN, hazards["a"])
    built = board.build(school, hazards["district"], today=TODAY)
    assert built.totals.total == 6  # school A's alone
    assert _row(built, "school-b").counts.total == 0


def _queries(client, url, **headers) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, **headers).status_code == 200
    return len(ctx.captured_queries)


def test_constant_queries_for_2_or_20_units(hazards, make_user, client,
                                            django_assert_max_num_queries):
    client.force_login(make_user(Role.SUPERVISOR, hazards["city"]))
    two = _queries(client, "/hazards/board/district/")
    home = _queries(client, "/")
    panel = _queries(client, "/hazards/board/district/?home=1", HTTP_HX_REQUEST="true")
    for i in range(18):
        unit = services.create_unit(None, {"parent": hazards["district"], "code": f"s{i}",
                                           "name": f"学校{i}", "kind": "school",
                                           "stage": "primary"})
        _h(unit, "assigned", TODAY, timezone.localdate() - dt.timedelta(days=i % 3))
        _h(unit, "closed", TODAY, TODAY, closed_on=TODAY)
    with django_assert_max_num_queries(two):
        client.get("/hazards/board/district/")
    with django_assert_max_num_queries(home):
        client.get("/")
    # The home page's panel, loaded after it: ten units of twenty, so the totals and
    # the trend are now read apart (one more query), however many units there are.
    with django_assert_max_num_queries(panel + 1):
        resp = client.get("/hazards/board/district/?home=1", HTTP_HX_REQUEST="true")
    assert 'data-testid="hazard-board"' in resp.content.decode()


def test_home_panel_is_the_authoritys(hazards, make_user, client):
    client.force_login(make_user(Role.SUPERVISOR, hazards["district"]))
    html = client.get("/").content.decode()
    assert 'data-testid="hazard-board-panel"' in html
    assert 'hx-get="/hazards/board/district/?home=1"' in html
    assert "Gaps across the units below" in html  # the matrix keeps its heading
    resp = client.get("/hazards/board/district/?home=1", HTTP_HX_REQUEST="true")
    assert resp.context["on_home"] and 'data-unit="school-a"' in resp.content.decode()
    assert 'data-testid="board-trend"' not in resp.content.decode()  # compact
    client.force_login(make_user(Role.UNIT_ADMIN, hazards["a"]))
    assert 'data-testid="hazard-board-panel"' not in client.get("/").content.decode()


def test_menu_has_the_board(tree, make_user, client):
    client.force_login(make_user(Role.SUPERVISOR, tree["district"]))
    assert 'href="/hazards/board/"' in client.get("/").content.decode()


def test_paged_board_has_the_same_figures(hazards, make_user):
    """One unit a page: the page's rows counted apart, the totals and trend over the
    whole subtree all the same."""
    user = make_user(Role.SUPERVISOR, hazards["district"])
    whole = board.build(user, hazards["district"], today=TODAY)
    first = board.build(user, hazards["district"], today=TODAY, size=1)
    second = board.build(user, hazards["district"], {"page": "2"}, today=TODAY, size=1)
    assert [r.code for r in first.page.object_list] == ["school-a"]
    assert [r.code for r in second.page.object_list] == ["school-b"]
    assert _row(second, "school-b").counts == _row(whole, "school-b").counts
    assert first.totals == second.totals == whole.totals
    assert first.trend == whole.trend
