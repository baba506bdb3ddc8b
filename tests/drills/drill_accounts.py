"""Accounts under attack (docs/reliability.md, "Accounts"): password guessing on every sign-in
form, sign-up used as a password oracle or a schema factory, and cross-site posts to every
state-changing accounts route. Real middleware (axes, CSRF), real Postgres and Redis.

- **Sign-in guessing.** For each form (public host, business host, staff admin): wrong
  passwords for one email, each from a different client address (a botnet), until the answer is
  429; then the right password must be refused too. And one address spraying many emails.
- **Sign-up guessing.** An existing owner's email posted to /signup/ with different passwords:
  every answer must equal a new address's answer, no session, no schema; counted until 429 per
  email (many addresses) and per address (many emails).
- **CSRF.** Every POST route of the accounts views on both hosts and the admin's sign-in/out,
  signed in and not, without a token: every one must be refused (403).
"""

from __future__ import annotations

import uuid

PASSWORD = "drill-correct-password-1"


def _addresses(seed: str):
    """Distinct client addresses for this run (a fresh tag: no counts left from other runs)."""
    i = int(seed[:6], 16)
    while True:
        i += 1
        yield f"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}"


def _locked_at(post, tries: int) -> int:
    """Post wrong guesses; the number of the first one answered 429 (0: never locked)."""
    for attempt in range(1, tries + 1):
        if post(attempt).status_code == 429:
            return attempt
    return 0


def sign_in_guessing(tag: str, business) -> tuple[dict, list[str]]:
    from django.conf import settings
    from django.test import Client

    from apps.accounts.models import Membership, Role, User

    limit = settings.AXES_FAILURE_LIMIT
    ips = _addresses(tag)
    figures, problems = {}, []
    forms = {
        "portal": ("localhost", "/", "email"),
        "business host": (f"{business.slug}.localhost", "/login/", "email"),
        "admin": ("localhost", "/admin/login/", "username"),
    }
    for name, (host, path, field) in forms.items():
        email = f"{name.replace(' ', '-')}-{tag}@drill.test"
        user = User.objects.create_user(email, PASSWORD, is_staff=name == "admin")
        Membership.objects.create(user=user, business=business, role=Role.OWNER)
        def guess(attempt, host=host, path=path, field=field, email=email):
            client = Client(HTTP_HOST=host, REMOTE_ADDR=next(ips))
            return client.post(path, {field: email, "password": f"wrong-{attempt}"})

        locked_at = _locked_at(guess, limit * 3)
        right = Client(HTTP_HOST=host, REMOTE_ADDR=next(ips)).post(
            path, {field: email, "password": PASSWORD})
        figures[name] = locked_at
        # axes counts the limit-th failure and answers it with the lockout already.
        if locked_at != limit or right.status_code != 429:
            problems.append(f"{name}: locked at guess {locked_at}, right password -> "
                            f"{right.status_code}")
    spray_ip = next(ips)
    figures["spray"] = _locked_at(
        lambda i: Client(HTTP_HOST="localhost", REMOTE_ADDR=spray_ip).post(
            "/", {"email": f"spray{i}-{tag}@drill.test", "password": "wrong"}),
        limit * 3,
    )
    if figures["spray"] != limit:
        problems.append(f"one address spraying: locked at email {figures['spray']}")
    return figures, problems


def sign_up_guessing(tag: str, business) -> tuple[dict, list[str]]:
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from apps.accounts.models import Membership, Role, User
    from apps.tenancy.models import Business

    owner = User.objects.create_user(f"owner-{tag}@drill.test", PASSWORD)
    Membership.objects.create(user=owner, business=business, role=Role.OWNER)
    ips = _addresses(tag[::-1])

    def form(email, password, slug):
        return {"business_name": "Drill", "slug": slug, "timezone": "America/Chicago",
                "email": email, "password": password}

    businesses, schemas = Business.objects.count(), _schema_count(connection)
    differing = sessions = answered = 0
    per_email = 0
    for attempt in range(settings.SIGNUP_LIMIT_PER_EMAIL * 3):
        guesser = Client(HTTP_HOST="localhost", REMOTE_ADDR=next(ips))
        password = PASSWORD if attempt == 1 else f"guess-number-{attempt}-x"
        guess = guesser.post("/signup/", form(owner.email, password, f"dr-{tag}-{attempt}"))
        if guess.status_code == 429:
            break
        per_email += 1
        fresh_email = f"new{attempt}-{tag}@drill.test"
        fresh = Client(HTTP_HOST="localhost", REMOTE_ADDR=next(ips)).post(
            "/signup/", form(fresh_email, "some-long-password-1", f"dr-{tag}-{attempt}"))
        answered += 1
        same = guess.status_code == fresh.status_code and guess.content.replace(
            owner.email.encode(), b"@") == fresh.content.replace(fresh_email.encode(), b"@")
        differing += not same
        sessions += "_auth_user_id" in guesser.session
    per_ip = 0
    one_ip = next(ips)
    for attempt in range(settings.SIGNUP_LIMIT_PER_IP * 3):
        response = Client(HTTP_HOST="localhost", REMOTE_ADDR=one_ip).post(
            "/signup/", form(f"ip{attempt}-{tag}@drill.test", "some-long-password-1",
                             f"dri-{tag}-{attempt}"))
        if response.status_code == 429:
            break
        per_ip += 1
    provisioned = Business.objects.count() - businesses
    new_schemas = _schema_count(connection) - schemas
    figures = {"per_email": per_email + 1, "per_ip": per_ip + 1, "answered": answered,
               "differing": differing, "sessions": sessions, "provisioned": provisioned,
               "schemas": new_schemas}
    problems = []
    if per_email != settings.SIGNUP_LIMIT_PER_EMAIL or per_ip != settings.SIGNUP_LIMIT_PER_IP:
        problems.append(f"sign-up limits: {per_email} answered per email, {per_ip} per address")
    if differing or sessions or provisioned or new_schemas:
        problems.append(f"sign-up oracle: {differing} different answers, {sessions} sessions, "
                        f"{provisioned} businesses, {new_schemas} schemas")
    return figures, problems


def _schema_count(connection) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM information_schema.schemata")
        return cursor.fetchone()[0]


def accounts_post_routes(business) -> list[tuple[str, str]]:
    """(host, path) of every route served by the accounts views, and the admin's sign-in/out."""
    from tests.drills.probe import concrete, public_routes, tenant_routes

    def is_accounts(view) -> bool:
        return getattr(view, "view_class", view).__module__.startswith("apps.accounts")

    routes = [("localhost", concrete(r)) for r, v in public_routes()
              if is_accounts(v) or r in ("admin/login/", "admin/logout/")]
    routes += [(f"{business.slug}.localhost", concrete(r)) for r, v in tenant_routes()
               if is_accounts(v)]
    return routes


def csrf(tag: str, business) -> tuple[dict, list[str]]:
    from django.test import Client

    from apps.accounts.models import Membership, Role, User

    user = User.objects.create_user(f"csrf-{tag}@drill.test", PASSWORD)
    Membership.objects.create(user=user, business=business, role=Role.OWNER)
    routes = accounts_post_routes(business)
    requests = accepted = 0
    problems = []
    for signed_in in (False, True):
        for host, path in routes:
            client = Client(HTTP_HOST=host, enforce_csrf_checks=True)
            if signed_in:
                client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
            response = client.post(path, {"email": user.email, "password": PASSWORD,
                                          "code": "000000", "slug": f"csrf-{tag}"})
            requests += 1
            if response.status_code != 403:
                accepted += 1
                problems.append(f"CSRF: POST {host}{path} -> {response.status_code}")
    return {"routes": len(routes), "requests": requests, "accepted": accepted}, problems


def run(quick: bool) -> tuple[bool, str]:
    from django.db import connection
    from django.test.utils import override_settings

    from apps.tenancy.services import business_provision

    tag = uuid.uuid4().hex[:8]
    business = business_provision(slug=f"acct-{tag[:6]}", name="Accounts drill")
    connection.set_schema_to_public()
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        sign_in, p1 = sign_in_guessing(tag, business)
        sign_up, p2 = sign_up_guessing(tag, business)
        forged, p3 = csrf(tag, business)
    problems = p1 + p2 + p3
    verdict = (
        f"sign-in: 429 from wrong password #{sign_in['portal']} (portal), "
        f"#{sign_in['business host']} (business host), #{sign_in['admin']} (admin), each from "
        f"a new address, the right password refused while locked; one address 429 from email "
        f"#{sign_in['spray']} | sign-up: an existing email answered like a new one "
        f"{sign_up['answered'] - sign_up['differing']}/{sign_up['answered']}, 429 from attempt "
        f"#{sign_up['per_email']} per email and #{sign_up['per_ip']} per address, "
        f"{sign_up['sessions']} sessions, {sign_up['provisioned']} businesses, "
        f"{sign_up['schemas']} schemas | CSRF: {forged['routes']} accounts routes, "
        f"{forged['requests']} POSTs without a token, {forged['accepted']} accepted"
    )
    for problem in problems:
        print(f"  accounts: {problem}", flush=True)
    return not problems, verdict
