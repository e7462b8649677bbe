"""The API against its own OpenAPI schema, by schemathesis (issue 13).

The real server (`fangfan serve`, as deployed) on a fresh database with the demo data,
driven by the schemathesis command line as the demo school's administrator: every
operation of the schema, its coverage phase (boundaries, wrong types, missing and
extra fields, each refusal) and a short fuzzing phase, every check but one. It fails on
any answer the schema does not promise: a 500, an undocumented status or content type,
a body that does not match its schema, data the schema forbids accepted, a missing
required header not refused, a deleted record still served, auth ignored.

The check left out, `positive_data_acceptance`, demands that every request the schema
allows be accepted. A record's references (the school named, the asset of a fault) and
the rules between its fields (a deadline after the discovery) cannot be written in
OpenAPI, so schema-valid requests are rightly refused with 400; the positive paths are
proved instead by the generated API tests that create, change and delete each type.

Once per `make test`: when the suite has a PostgreSQL pass beside the SQLite one
(tools/test.sh), each pass takes half of the operations (`FANGFAN_API_SCHEMA_HALF`:
alternate paths in their sorted order), so that every operation is tried once, on one
of the two databases, and the two passes, which run side by side, end together; a pass
alone (no variable) tries them all.
"""
from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from fangfan.core.tests import servers

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# Fixed, so that a run can be reproduced (`--seed` below); raise the examples locally
# (FANGFAN_SCHEMATHESIS_EXAMPLES) to look further.
SEED = "20261127"
EXAMPLES = os.environ.get("FANGFAN_SCHEMATHESIS_EXAMPLES", "3")
DEMO_PASSWORD = "fangfan-demo"


def schemathesis() -> list[str]:
    command = shutil.which("schemathesis", path=str(Path(sys.executable).parent))
    assert command, "schemathesis is a dev dependency (pyproject.toml)"
    return [command]


@pytest.fixture
def demo_server(tmp_path):
    """`fangfan serve` on the demo data, in a database of its own."""
    url = servers.postgres_url()
    database = servers.fresh_postgres(url) if url else contextlib.nullcontext()
    with database as db_url:
        env = servers.environment(tmp_path / "data", db_url)
        (tmp_path / "data").mkdir()
        servers.fangfan(env, "migrate", "--noinput", "-v0")
        servers.fangfan(env, "demo", timeout=600)
        servers.fangfan(env, "spectacular", "--format", "openapi-json",
                        "--file", str(tmp_path / "schema.json"))
        port = servers.free_port()
        server = servers.serve(env, port, tmp_path / "server.log", workers=2)
        try:
            yield port, tmp_path / "schema.json", server
        finally:
            server.kill()


HALVES = ("postgresql", "sqlite")


def this_half(schema: Path) -> list[str]:
    """Schemathesis's filter for the operations of this pass (see the module's text)."""
    half = os.environ.get("FANGFAN_API_SCHEMA_HALF", "")
    if not half:
        return []
    paths = sorted(json.loads(schema.read_text())["paths"])[HALVES.index(half)::2]
    return ["--include-path-regex", "^(" + "|".join(map(re.escape, paths)) + ")$"]


def test_the_api_keeps_to_its_schema(demo_server, tmp_path):
    port, schema, server = demo_server
    status, body = servers.request(port, "POST", "/api/auth/token/",
                                   {"username": "xinqiao_admin", "password": DEMO_PASSWORD})
    assert status == 200, body
    run = subprocess.run([
        *schemathesis(), "--no-color", "run", str(schema), "--url", f"http://127.0.0.1:{port}",
        "-H", f"Authorization: Token {body['token']}",
        "--checks", "all", "--exclude-checks", "positive_data_acceptance",
        # Its own token would be revoked by DELETE /api/auth/token/ (tested elsewhere).
        "--exclude-path", "/api/auth/token/",
        "--phases", "coverage,fuzzing", "--max-examples", EXAMPLES, "--seed", SEED,
        "--workers", "1", "--max-failures", "50", *this_half(schema),
    ], capture_output=True, text=True, timeout=1800, cwd=tmp_path)  # its .schemathesis/
    assert run.returncode == 0, (_failures(run.stdout) + run.stderr[-3000:]
                                 + "\nserver errors:\n" + server.errors())


def _failures(out: str) -> str:
    """What schemathesis found (each failure with its curl line) and its summary, not the
    thousands of lines before them."""
    start = out.find("FAILURES")
    return out[start:start + 20000] if start >= 0 else out[-20000:]


@pytest.mark.django_db(transaction=False)
def test_the_two_halves_share_out_every_operation(tmp_path, monkeypatch):
    paths = ["/api/people/", "/api/people/{id}/", "/api/units/", "/api/visits/{id}/",
             "/api/a.b/"]
    schema = tmp_path / "schema.json"
    schema.write_text(json.dumps({"paths": dict.fromkeys(paths, {})}))
    taken = {}
    for half in HALVES:
        monkeypatch.setenv("FANGFAN_API_SCHEMA_HALF", half)
        option, pattern = this_half(schema)
        assert option == "--include-path-regex"
        taken[half] = {p for p in paths + ["/api/aXb/", "/api/people/1/"]
                       if re.search(pattern, p)}
    assert taken["postgresql"] | taken["sqlite"] == set(paths)
    assert not taken["postgresql"] & taken["sqlite"]
    monkeypatch.delenv("FANGFAN_API_SCHEMA_HALF")
    assert this_half(schema) == []
