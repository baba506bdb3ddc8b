"""New business provisioned (schema ready, owner can sign in): target ≤ 1 s, worst of 10.

The production path: a spare schema (a clone of the template made ahead of time by
`tenancy.spares_refill`, apps/tenancy/spares.py) is renamed to the new business's schema. The
spares are made before the clock starts — in production beat and each claim keep
`TENANT_SPARE_SCHEMAS` ready — and the time one refill clone takes is reported beside it.
Also timed: the same with no spare ready (clone the template during the sign-up, the fallback),
and the reference, building the schema by running every migration (what cloning avoids).
"""

from __future__ import annotations

import time
import uuid

from tests.bench.harness import Result, Spread, median, timed


def _provision_and_sign_in(slug: str, *, clone: bool) -> None:
    from django.conf import settings
    from django.test import Client

    from apps.accounts.services import business_create_with_owner

    settings.TENANT_CREATION_FAKES_MIGRATIONS = clone
    business_create_with_owner(
        slug=slug, name=f"Bench {slug}", owner_email=f"owner@{slug}.test",
        timezone_name="America/New_York", password="bench-password-1",
    )
    client = Client(HTTP_HOST=f"{slug}.localhost")
    credentials = {"email": f"owner@{slug}.test", "password": "bench-password-1"}
    response = client.post("/login/", credentials)
    assert response.status_code == 302, response.status_code
    assert client.get("/").status_code == 200


def _spares_ready() -> int:
    from apps.tenancy.spares import spares_ready

    return len(spares_ready())


def _argon2_seconds() -> float:
    """One hash and one check with the production hasher: the floor under every sign-up."""
    from django.contrib.auth.hashers import check_password, make_password

    started = time.perf_counter()
    encoded = make_password("bench-password-1")
    assert check_password("bench-password-1", encoded)
    return time.perf_counter() - started


def run(quick: bool) -> list[Result]:
    from django.conf import settings

    from apps.tenancy.services import template_schema_ensure
    from apps.tenancy.spares import spares_refill

    n = 3 if quick else 10
    template_schema_ensure()
    spared, cloned, migrated, refills = [], [], [], []
    saved_spares = settings.TENANT_SPARE_SCHEMAS
    settings.TENANT_SPARE_SCHEMAS = 0  # no refill queued by a claim: the bench has no worker
    try:
        for _ in range(n):  # one spare per sign-up, made before the clock starts
            seconds, _ = timed(spares_refill, _spares_ready() + 1)
            refills.append(seconds)
        for _ in range(n):
            seconds, _ = timed(_provision_and_sign_in, f"b{uuid.uuid4().hex[:10]}", clone=True)
            spared.append(seconds)
        left = _spares_ready()
        hashing = median([_argon2_seconds() for _ in range(3)])
        spares_refill(0)  # none left: the next sign-ups clone during the request
        for _ in range(max(2, n // 3)):
            seconds, _ = timed(_provision_and_sign_in, f"c{uuid.uuid4().hex[:10]}", clone=True)
            cloned.append(seconds)
        for _ in range(max(2, n // 3)):
            seconds, _ = timed(_provision_and_sign_in, f"m{uuid.uuid4().hex[:10]}", clone=False)
            migrated.append(seconds)
    finally:
        settings.TENANT_CREATION_FAKES_MIGRATIONS = True
        settings.TENANT_SPARE_SCHEMAS = saved_spares
    spread, reference = Spread.of(spared, 3), Spread.of(migrated, 3)
    fallback = Spread.of(cloned, 3)
    figure = spread.high  # the target is on the worst; median and min are reported with it
    return [
        Result(
            name="Provision a business (spare template clone renamed + owner signs in), worst "
            f"of {len(spared)}",
            figure=figure, low=spread.low, high=spread.high, runs=spread.runs,
            unit="s", target="≤ 1 s (worst)", passed=figure <= 1.0 and left == 0,
            reference="full migrations, median", **reference.reference(),
            ratio=round(figure / reference.median, 2),
            notes=f"median {spread.median:.3f} s over {len(spared)} businesses (min "
                  f"{spread.low:.3f} s, worst {spread.high:.3f} s), each taking one of the "
                  f"spare schemas made before the clock started ({left} left; a refill clone "
                  f"takes {median(refills):.3f} s median in the background worker). Each "
                  f"includes the owner's Argon2 password hash at sign-up and its check at "
                  f"sign-in: {hashing:.3f} s of it (median of 3 hash + check, same run), "
                  f"which the provisioning cannot shorten. No spare ready (the template "
                  f"cloned during the sign-up): median "
                  f"{fallback.median:.3f} s, worst {fallback.high:.3f} s over {len(cloned)}. "
                  f"Reference: {len(migrated)} businesses built by running every migration.",
            extra={"no_spare": cloned, "refill_clone_s": refills, "argon2_s": hashing},
        )
    ]
