"""Subtree scoping as SQL. A subtree is the range of paths that start with the root's
path; because a path is fixed-width digits, "starts with p" is the half-open range
[p, p+1) in any collation, so both SQLite and PostgreSQL answer it from a plain b-tree
index. Everything that reads records (pages, API, exports, files, audit log) filters
through `subtree_q`; nothing builds lists of ids in Python."""
from collections.abc import Iterable

from django.db.models import Q


def path_upper_bound(path: str) -> str:
    """The smallest path after every path that starts with `path`."""
    return str(int(path) + 1).zfill(len(path))


def minimal_roots(paths: Iterable[str]) -> list[str]:
    """Drop paths already covered by an ancestor in the same set."""
    roots: list[str] = []
    for p in sorted(set(paths)):
        if not any(p.startswith(r) for r in roots):
            roots.append(p)
    return roots


def subtree_q(field: str, paths: Iterable[str]) -> Q:
    """One condition matching every row whose `field` lies in any of the subtrees."""
    q = Q(pk__in=[])  # matches nothing, and Django skips the query entirely
    for root in minimal_roots(paths):
        q |= Q(**{f"{field}__gte": root, f"{field}__lt": path_upper_bound(root)})
    return q


def in_subtree(path: str, roots: Iterable[str]) -> bool:
    return any(path.startswith(r) for r in roots)
