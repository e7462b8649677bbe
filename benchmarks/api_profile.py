"""The server's own cost of one API read and one API write, without a network or a load
tool (issue 14): where the stack floor (`stack_floor.py`) says how far Fangfan is from a
bare Django view under load, this says what one request costs in process and, with
--profile, in which functions.

    FANGFAN_DATA_DIR=/tmp/apiprof .venv/bin/python benchmarks/api_profile.py \
        [--requests 200] [--profile read|write] [--top 40] [--sort tottime]

A fresh data directory gets a school with 20 people and its administrator (as the stack
floor's); the requests go through Django's test client with the whole middleware stack
and token authentication: read = the school's people list, write = a new person.
Figures: the mean of `--requests` requests after 10 warm-up ones."""
from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fangfan.settings")
os.environ.setdefault("FANGFAN_ALLOWED_HOSTS", "127.0.0.1")

PASSWORD = "pw-long-enough-1"


def _school() -> str:
    """The school, its administrator and 20 people (once per data directory); a token."""
    from fangfan.core import services
    from fangfan.core.authentication import issue_token
    from fangfan.core.models import Role, User
    from fangfan.resources.models import Person

    user = User.objects.filter(username="admin-a").first()
    if user is None:
        city = services.create_unit(None, {"code": "city", "name": "测试市教育局",
                                           "kind": "education_bureau"})
        school = services.create_unit(None, {
            "parent": city, "code": "school-a", "name": "甲小学", "kind": "school",
            "stage": "primary", "locale": "city", "staff_count": 80, "student_count": 900})
        user = User.objects.create_user("admin-a", password=PASSWORD, language="zh-hans")
        services.grant_role(None, user, school, Role.UNIT_ADMIN)
        for i in range(20):
            services.create_record(user, Person, {"unit": school, "name": f"教职工{i:02d}"})
    return issue_token(user)[1]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--profile", choices=("read", "write"))
    ap.add_argument("--top", type=int, default=40)
    ap.add_argument("--dump", help="also write the profile's stats to this file")
    ap.add_argument("--sort", default="cumulative", choices=("cumulative", "tottime"))
    args = ap.parse_args()

    import logging

    import django

    django.setup()
    logging.disable(logging.INFO)  # the request log line is not what is measured
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", verbosity=0)
    client = Client(HTTP_AUTHORIZATION=f"Token {_school()}", HTTP_HOST="127.0.0.1")
    made = iter(range(10**9))

    def read() -> None:
        assert client.get("/api/people/").status_code == 200

    def write() -> None:
        resp = client.post("/api/people/", {"unit": "school-a", "name": f"新人{next(made)}"},
                           content_type="application/json")
        assert resp.status_code == 201, resp.content

    for name, fn in (("read", read), ("write", write)):
        for _ in range(10):
            fn()
        start, cpu = time.perf_counter(), time.process_time()
        for _ in range(args.requests):
            fn()
        wall = (time.perf_counter() - start) * 1000 / args.requests
        cpu = (time.process_time() - cpu) * 1000 / args.requests
        print(f"{name}: {wall:.2f} ms/request ({cpu:.2f} ms of CPU: steadier on a busy "
              "machine)")
    if args.profile:
        fn = read if args.profile == "read" else write
        profile = cProfile.Profile()
        profile.runcall(lambda: [fn() for _ in range(args.requests)])
        if args.dump:
            profile.dump_stats(args.dump)
        pstats.Stats(profile).sort_stats(args.sort).print_stats(args.top)


if __name__ == "__main__":
    main()
