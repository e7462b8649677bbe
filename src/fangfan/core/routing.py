"""Routes found by their first path segment instead of by trying each in turn.

Django resolves a path by matching it against each route of a list in order. The API has
four routes per record type (list and detail, each with a format suffix), so a type
registered late was found after some three hundred regular expressions: resolving
`/api/visits/` (the gate's check-in) took 178 µs against 24 µs for `/api/people/`
(docs/benchmarks.md). `HeadResolver` groups its routes by the literal segment each
begins with and tries the path's own group first; a path no group answers is resolved
by Django's scan of every route, so what it answers never changes, only how fast."""
from __future__ import annotations

import re

from django.urls import Resolver404, URLPattern, URLResolver
from django.urls.resolvers import RegexPattern, RoutePattern

# A route that begins with a literal segment: `^people/…`, `^people\.(?P<format>…)`.
_HEAD = re.compile(r"\^?([A-Za-z0-9_-]+)(?:/|\\\.)")


def _head_of_route(route: URLPattern | URLResolver) -> str | None:
    pattern = route.pattern
    if isinstance(pattern, RegexPattern):
        found = _HEAD.match(pattern._regex)
    elif isinstance(pattern, RoutePattern):
        found = _HEAD.match(pattern._route)
    else:
        return None
    return found.group(1) if found else None


def _head_of_path(path: str) -> str:
    return path.split("/", 1)[0].split(".", 1)[0]


class HeadResolver(URLResolver):
    """Django's resolver for `prefix` over `routes`, which tries first the routes that
    begin with the path's first segment, or with no literal segment (a resolver of the
    same prefix over those alone, in their order), then, if none matched, all of them as
    Django does: a route that begins with another literal segment cannot match the path.
    Reversing is Django's."""

    def __init__(self, prefix: str, routes: list) -> None:
        super().__init__(RoutePattern(prefix, is_endpoint=False), routes)
        heads = [_head_of_route(route) for route in routes]
        # A route without a literal first segment may match any path: it stays in every
        # group, in its place, so that a group answers what the whole list would.
        self._groups = {head: URLResolver(self.pattern, [
            route for route, its in zip(routes, heads, strict=True) if its in (head, None)])
            for head in set(heads) - {None}}

    def resolve(self, path):
        path = str(path)
        match = self.pattern.match(path)
        group = self._groups.get(_head_of_path(match[0])) if match else None
        if group is not None:
            try:
                return group.resolve(path)
            except Resolver404:
                pass
        return super().resolve(path)
