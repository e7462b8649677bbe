"""The API's routes found by their first segment answer what Django's scan of every route
answers (core.routing)."""
from __future__ import annotations

import pytest
from django.urls import Resolver404, URLResolver, path, re_path
from django.urls.resolvers import RoutePattern

from fangfan.core import api, registry
from fangfan.core.routing import HeadResolver

ROUTES = api.build_router().urls


def _paths() -> list[str]:
    found = ["", ".json", "nope/", "nope", "people", "people/x/y/", "people.json/x"]
    for rt in registry.record_types():
        found += [f"{rt.slug}/", f"{rt.slug}.json", f"{rt.slug}/12/", f"{rt.slug}/12.json",
                  f"{rt.slug}/12/extra/", f"{rt.slug}x/"]
    return found


def _answer(resolver: URLResolver, where: str):
    try:
        match = resolver.resolve(where)
    except Resolver404:
        return None
    return (match.func, match.args, match.kwargs, match.url_name, match.route,
            match.app_names, match.namespaces)


@pytest.mark.parametrize("where", _paths())
def test_every_api_path_resolves_as_django_resolves_it(where):
    plain = URLResolver(RoutePattern("api/", is_endpoint=False), ROUTES)
    heads = HeadResolver("api/", ROUTES)
    assert _answer(heads, "api/" + where) == _answer(plain, "api/" + where)


def _view(name):
    def view(request):  # pragma: no cover - resolved, never called
        return name
    return view


def test_a_route_without_a_literal_head_keeps_its_place():
    """A route that may match any path is tried in its place within each group: one
    listed before a route with a literal head answers first, as in Django's scan."""
    first, second = _view("any"), _view("people")
    routes = [re_path(r"^(?P<slug>[a-z]+)/$", first, name="any"),
              path("people/", second, name="people")]
    heads = HeadResolver("api/", routes)
    assert heads.resolve("api/people/").url_name == "any"
    assert heads.resolve("api/other/").url_name == "any"
    routes.reverse()
    heads = HeadResolver("api/", routes)
    assert heads.resolve("api/people/").url_name == "people"
    assert heads.resolve("api/other/").url_name == "any"
