"""Core and standards import no domain app (ARCHITECTURE: each domain app declares its own
fact families and its own part of the demo, and registers them when it is ready). Tests
may import domain apps; core/synthetic.py, the benchmarks' data generator, still does."""
from __future__ import annotations

import ast
from pathlib import Path

from django.conf import settings

SRC = Path(__file__).resolve().parents[2]  # src/fangfan
GENERIC = {"core", "standards"}
ALLOWED = {Path("core/synthetic.py")}


def domain_apps() -> set[str]:
    """The project's apps other than core and standards, as INSTALLED_APPS lists them."""
    ours = {a.split(".")[1] for a in settings.INSTALLED_APPS if a.startswith("fangfan.")}
    return ours - GENERIC


def imported_apps(tree: ast.AST) -> set[str]:
    """The fangfan apps a module imports, at any depth (`from fangfan.x …`,
    `import fangfan.x`, `from fangfan import x`)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module] if node.module != "fangfan" else [
                f"fangfan.{a.name}" for a in node.names]
        else:
            continue
        found |= {n.split(".")[1] for n in names if n.startswith("fangfan.")}
    return found


def test_core_and_standards_import_no_domain_app():
    domain = domain_apps()
    assert {"resources", "organisation", "documents"} <= domain
    offenders = []
    for app in sorted(GENERIC):
        for path in sorted((SRC / app).rglob("*.py")):
            rel = path.relative_to(SRC)
            if "tests" in rel.parts or rel in ALLOWED:
                continue
            bad = imported_apps(ast.parse(path.read_text(encoding="utf-8"))) & domain
            offenders += [f"{rel} imports fangfan.{name}" for name in sorted(bad)]
    assert not offenders, "\n".join(offenders)


def test_the_scan_sees_every_form_of_import():
    tree = ast.parse("import fangfan.resources.models\n"
                     "from fangfan.organisation.models import Body\n"
                     "from fangfan import documents, core\n"
                     "def f():\n    from fangfan.resources import facts\n"
                     "from . import work\n")
    assert imported_apps(tree) == {"resources", "organisation", "documents", "core"}


def test_every_on_commit_callback_is_robust():
    """What runs after a commit (queueing a re-evaluation, a delivery) must not turn a
    stored write into a 500 that a client retries into a second write: each
    `transaction.on_commit` is robust (its error logged, core.services._changed)."""
    fragile = []
    for path in SRC.rglob("*.py"):
        if "tests" in path.parts:
            continue
        for call in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(call, ast.Call) and getattr(call.func, "attr", "") == "on_commit" \
                    and not any(k.arg == "robust" and getattr(k.value, "value", False)
                                for k in call.keywords):
                fragile.append(f"{path.relative_to(SRC)}:{call.lineno}")
    assert not fragile, fragile
