"""Following a sign-up link provisions the business and adds its owner in one transaction, on
committed data (`transaction=True`): a failure after the schema is made leaves no business and
the link works again; two tabs following one link make one business; two sign-ups confirming
the same address, or asking with the same new email, at once get the flow's own answers, never
a 500. Concurrent requests run on two threads, each with its own connection."""

import re
import threading
from contextlib import contextmanager

import pytest
from django.core import mail
from django.db import OperationalError, connection
from django.db.models.signals import pre_save
from django.test import Client
from django_tenants.utils import schema_exists

from apps.accounts.models import Membership, User
from apps.tenancy.models import Business
from apps.tenancy.services import schema_name_for
from apps.tenancy.spares import PREFIX, _like, _spares, spares_refill
from tests.factories import make_member
from tests.utils import at_once, client_for

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "a-long-password-1"


@pytest.fixture(autouse=True)
def no_background_refill(settings):
    settings.TENANT_SPARE_SCHEMAS = 0  # no worker here: a test makes the spares it wants


@pytest.fixture
def made():
    """Slugs a test may provision for real: their schemas (and any spare) go afterwards."""
    slugs = []
    yield slugs
    connection.set_schema_to_public()
    for business in Business.objects.filter(slug__in=slugs):
        business.delete(force_drop=True)
    with connection.cursor() as cur:
        for name in [schema_name_for(s) for s in slugs] + _spares(_like(PREFIX)):
            cur.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')


@pytest.fixture
def meet_before_insert():
    """`meet(model, which)`: two requests about to insert a `model` row that `which` picks wait
    (at most 3 s) for each other there — both past every check made before the insert. A
    request that waits on a lock the other holds never arrives: the other goes on alone."""
    connected = []

    def meet(model, which):
        barrier = threading.Barrier(2, timeout=3)

        def wait(sender, instance, **kwargs):
            if instance._state.adding and which(instance):
                try:
                    barrier.wait()
                except threading.BrokenBarrierError:
                    pass

        pre_save.connect(wait, sender=model, weak=False)
        connected.append((wait, model))

    yield meet
    for wait, model in connected:
        pre_save.disconnect(wait, sender=model)


@contextmanager
def database_refuses_memberships():
    """The database fails every new membership row (as a full disk would), after the business
    is provisioned: a real database error, in the sign-up's own transaction."""
    with connection.cursor() as cur:
        cur.execute("CREATE FUNCTION public.test_disk_full() RETURNS trigger LANGUAGE plpgsql "
                    "AS $$ BEGIN RAISE EXCEPTION 'disk full' USING ERRCODE = 'disk_full'; END $$")
        cur.execute("CREATE TRIGGER test_disk_full BEFORE INSERT ON public.accounts_membership "
                    "FOR EACH ROW EXECUTE FUNCTION public.test_disk_full()")
    try:
        yield
    finally:
        connection.set_schema_to_public()
        with connection.cursor() as cur:
            cur.execute("DROP TRIGGER test_disk_full ON public.accounts_membership")
            cur.execute("DROP FUNCTION public.test_disk_full()")


def _signed_up(email: str, slug: str) -> str:
    """Sign up `email` for `slug`; the path of the link mailed to it."""
    answer = client_for(None).post("/signup/", {
        "business_name": slug.title(), "slug": slug, "timezone": "America/Chicago",
        "email": email, "password": PASSWORD})
    assert answer.status_code == 200, answer.content[:300]
    body = next(m.body for m in reversed(mail.outbox) if m.to == [email])
    return re.search(r"https?://[^/\s]+(/signup/verify/[^/\s]+/)", body).group(1)


def _post(path: str, data: dict):
    return Client(HTTP_HOST="localhost", raise_request_exception=False).post(path, data)


@pytest.mark.parametrize("spare", [True, False], ids=["spare-renamed", "template-cloned"])
def test_a_failure_after_provisioning_leaves_no_business_and_the_link_works_again(spare, made):
    made.append("after-co")
    link = _signed_up("founder@after.test", "after-co")
    if spare:
        spares_refill(1)
    spares = _spares(_like(PREFIX))
    client = client_for(None)
    with database_refuses_memberships(), pytest.raises(OperationalError, match="disk full"):
        client.post(link, {"slug": "after-co"})
    connection.set_schema_to_public()
    assert not Business.objects.filter(slug="after-co").exists()
    assert not schema_exists("after_co")
    assert _spares(_like(PREFIX)) == spares  # the spare is still a spare
    assert User.objects.get(email="founder@after.test").email_verified_at is None

    again = client.post(link, {"slug": "after-co"})
    assert again.status_code == 302, again.content[:500]
    business = Business.objects.get(slug="after-co")
    owner = Membership.objects.get(business=business)
    assert owner.user.email == "founder@after.test" and owner.role == "owner"


def test_another_business_that_fails_leaves_none(made):
    made.append("second-co")
    owner = make_member(Business.objects.get(slug="alpha"), "owner")
    client = client_for(None, owner)
    form = {"business_name": "Second", "slug": "second-co", "timezone": "America/Chicago"}
    with database_refuses_memberships(), pytest.raises(OperationalError):
        client.post("/businesses/new/", form)
    connection.set_schema_to_public()
    assert not Business.objects.filter(slug="second-co").exists()
    assert not schema_exists("second_co")
    assert client.post("/businesses/new/", form).status_code == 302
    assert Membership.objects.get(business__slug="second-co").user == owner


def test_a_firm_client_set_up_that_fails_leaves_no_business(made):
    from apps.accounts.firm_access import firm_client_create, firm_create

    made.append("client-co")
    partner = make_member(Business.objects.get(slug="alpha"), "owner")
    firm = firm_create(actor=partner, slug="ledger", name="Ledger")
    setup = {"actor": partner, "firm": firm, "slug": "client-co", "name": "Client",
             "owner_email": "boss@client.test"}
    with database_refuses_memberships(), pytest.raises(OperationalError):
        firm_client_create(**setup)  # the partner's grant is a membership
    connection.set_schema_to_public()
    assert not Business.objects.filter(slug="client-co").exists()
    assert not schema_exists("client_co")
    assert firm_client_create(**setup).business.slug == "client-co"


def test_two_tabs_following_one_link_at_once_make_one_business(made, meet_before_insert):
    made.extend(["twin-a", "twin-b"])
    link = _signed_up("twin@twin.test", "twin-a")
    meet_before_insert(Business, lambda b: b.slug in ("twin-a", "twin-b"))
    answers = at_once(lambda: _post(link, {"slug": "twin-a"}),
                       lambda: _post(link, {"slug": "twin-b"}))
    codes = sorted(a.status_code for a in answers)
    assert codes[0] == 302 and codes[1] in (400, 410), codes  # 410: read after the winner
    loser = next(a for a in answers if a.status_code != 302)
    assert "already confirmed" in loser.content.decode()
    (business,) = Business.objects.filter(slug__in=["twin-a", "twin-b"])
    assert Membership.objects.get(business=business).user.email == "twin@twin.test"
    other = "twin_b" if business.slug == "twin-a" else "twin_a"
    assert not schema_exists(other)


@pytest.mark.parametrize("spares", [0, 1], ids=["both-clone", "one-spare"])
def test_two_sign_ups_confirming_one_address_at_once_one_wins_one_is_told(
    spares, made, meet_before_insert
):
    made.extend(["same-co", "same-co-two"])
    links = [_signed_up("one@same.test", "same-co"), _signed_up("two@same.test", "same-co")]
    spares_refill(spares)
    meet_before_insert(Business, lambda b: b.slug == "same-co")
    answers = at_once(*[lambda link=link: _post(link, {"slug": "same-co"}) for link in links])
    assert sorted(a.status_code for a in answers) == [302, 400], [a.content[:300]
                                                                 for a in answers]
    lost = next(i for i, a in enumerate(answers) if a.status_code == 400)
    assert "“same-co” is already taken" in answers[lost].content.decode()
    winner = Membership.objects.get(business__slug="same-co").user
    assert winner.email == ("one@same.test", "two@same.test")[1 - lost]
    loser = User.objects.get(email=("one@same.test", "two@same.test")[lost])
    assert loser.email_verified_at is None
    # The loser's link still works, with another address for the business.
    assert _post(links[lost], {"slug": "same-co-two"}).status_code == 302
    assert Membership.objects.get(business__slug="same-co-two").user == loser


def test_two_sign_ups_with_one_new_email_at_once_both_get_the_usual_answer(meet_before_insert):
    meet_before_insert(User, lambda u: u.email == "dup@same.test")
    form = {"business_name": "Dup", "slug": "dup-co", "timezone": "America/Chicago",
            "email": "dup@same.test", "password": PASSWORD}
    answers = at_once(lambda: _post("/signup/", form), lambda: _post("/signup/", form))
    assert [a.status_code for a in answers] == [200, 200], [a.content[:300] for a in answers]
    assert all(b"Check your email" in a.content for a in answers)
    assert User.objects.filter(email="dup@same.test").count() == 1
    # One link; the request that found the account made meanwhile mails the usual notice.
    bodies = sorted(m.body for m in mail.outbox if m.to == ["dup@same.test"])
    assert len(bodies) == 2
    assert sum("/signup/verify/" in b for b in bodies) == 1
    assert sum("tried to create an Oodaloo account" in b for b in bodies) == 1


def test_two_firm_sign_ups_confirming_one_short_name_at_once_one_is_told(meet_before_insert):
    from apps.accounts.models import Firm

    links = []
    for email in ("one@firm.test", "two@firm.test"):
        client_for(None).post("/signup/firm/", {
            "firm_name": "Same CPAs", "slug": "same-cpas", "timezone": "America/Chicago",
            "email": email, "password": PASSWORD})
        body = next(m.body for m in mail.outbox if m.to == [email])
        links.append(re.search(r"https?://[^/\s]+(/signup/firm/verify/[^/\s]+/)", body).group(1))
    meet_before_insert(Firm, lambda f: f.slug == "same-cpas")
    answers = at_once(*[lambda link=link: _post(link, {"slug": "same-cpas"}) for link in links])
    assert sorted(a.status_code for a in answers) == [302, 400], [a.content[:300]
                                                                 for a in answers]
    loser = next(a for a in answers if a.status_code == 400)
    assert "already taken" in loser.content.decode()
    assert Firm.objects.filter(slug="same-cpas").count() == 1
