"""Two requests at once, each on its own thread and database connection (committed data,
`transaction=True`): a refresh token is spent once, and two updates sent with the same `ETag`
cannot both pass `If-Match`."""

import threading

import pytest
from django.test import Client

from apps.accounts.models import Role
from apps.api import auth
from apps.api import business as business_views
from apps.api import collections as collection_views
from apps.api import reserves as reserve_views
from apps.reserves.models import Reserve
from tests.factories import make_member
from tests.utils import at_once, client_for, committed_businesses, in_tenant

pytestmark = pytest.mark.django_db(transaction=True)

JSON = "application/json"


def test_two_refreshes_with_one_token_give_one_new_pair(tenant_a, owner_a, monkeypatch):
    host = Client(HTTP_HOST="alpha.localhost")
    refresh = host.post("/api/v1/auth/token/", {"email": owner_a.email,
                                                "password": "correct-horse-battery"},
                        content_type=JSON).json()["refresh"]
    # Both requests have read the token (not yet blacklisted) before either spends it.
    barrier = threading.Barrier(2, timeout=10)
    read = auth._refresh_for

    def read_then_meet(raw, business):
        token = read(raw, business)
        barrier.wait()
        return token

    monkeypatch.setattr(auth, "_refresh_for", read_then_meet)

    def post():
        return Client(HTTP_HOST="alpha.localhost").post(
            "/api/v1/auth/refresh/", {"refresh": refresh}, content_type=JSON)

    answers = at_once(post, post)
    assert sorted(a.status_code for a in answers) == [200, 401], [a.content for a in answers]
    loser = next(a for a in answers if a.status_code == 401)
    assert loser.json()["error"]["code"] == "not_authenticated"


def _meet_before(monkeypatch, module, name):
    """The first request to reach the real service `module.name` waits (at most 2 s) for the
    other to get there too: on a check made outside the row's lock both arrive and both
    update. The service itself runs unchanged."""
    barrier = threading.Barrier(2, timeout=2)
    service = getattr(module, name)

    def meet_then_call(**kwargs):
        try:
            barrier.wait()
        except threading.BrokenBarrierError:
            pass  # the other request is waiting for the lock: go on alone
        return service(**kwargs)

    monkeypatch.setattr(module, name, meet_then_call)


@pytest.fixture
def race_co(settings):
    settings.TENANT_SPARE_SCHEMAS = 0
    with committed_businesses("race-co") as (business,):
        yield business


@pytest.mark.parametrize("second", ["patch", "delete"])
def test_two_updates_with_one_etag_one_wins_one_is_412(race_co, monkeypatch, second):
    owner = make_member(race_co, Role.OWNER)
    with in_tenant(race_co):
        reserve = Reserve.objects.create(name="Tax")
    url = f"/api/v1/reserves/{reserve.pk}/"
    etag = client_for(race_co, owner).get(url)["ETag"]
    _meet_before(monkeypatch, reserve_views, "reserve_update")
    clients = [client_for(race_co, owner), client_for(race_co, owner)]

    def patch():
        return clients[0].patch(url, {"name": "Taxes"}, content_type=JSON, HTTP_IF_MATCH=etag)

    def other():
        if second == "delete":
            return clients[1].delete(url, HTTP_IF_MATCH=etag)
        return clients[1].patch(url, {"name": "VAT"}, content_type=JSON, HTTP_IF_MATCH=etag)

    answers = at_once(patch, other)
    codes = sorted(a.status_code for a in answers)
    assert codes in ([200, 412], [204, 412]), [a.content for a in answers]
    refused = next(a for a in answers if a.status_code == 412)
    assert refused.json()["error"]["code"] == "precondition_failed"
    with in_tenant(race_co):
        reserve.refresh_from_db()
    winner = next(a for a in answers if a.status_code != 412)
    if winner.status_code == 204:
        assert not reserve.active and reserve.name == "Tax"
    else:
        assert reserve.active and reserve.name == winner.json()["name"]


def test_two_collections_settings_puts_with_one_etag_one_is_412(race_co, monkeypatch):
    owner = make_member(race_co, Role.OWNER)
    url = "/api/v1/collections/settings/"
    etag = client_for(race_co, owner).get(url)["ETag"]
    _meet_before(monkeypatch, collection_views, "settings_save")
    clients = [client_for(race_co, owner), client_for(race_co, owner)]

    def put(i, link):
        return lambda: clients[i].put(url, {"enabled": True, "pay_link": link},
                                      content_type=JSON, HTTP_IF_MATCH=etag)

    answers = at_once(put(0, "https://pay.example/a"), put(1, "https://pay.example/b"))
    assert sorted(a.status_code for a in answers) == [200, 412], [a.content for a in answers]


def test_two_business_patches_with_one_etag_one_is_412(race_co, monkeypatch):
    """The approval limit is a money control: a stale write must not silently win."""
    owner = make_member(race_co, Role.OWNER)
    url = "/api/v1/business/"
    etag = client_for(race_co, owner).get(url)["ETag"]
    _meet_before(monkeypatch, business_views, "approval_limit_set")
    clients = [client_for(race_co, owner), client_for(race_co, owner)]

    def patch(i, limit):
        return lambda: clients[i].patch(url, {"approval_limit": limit}, content_type=JSON,
                                        HTTP_IF_MATCH=etag, HTTP_IDEMPOTENCY_KEY=f"limit-{i}")

    answers = at_once(patch(0, "100.00"), patch(1, "200.00"))
    assert sorted(a.status_code for a in answers) == [200, 412], [a.content for a in answers]
    winner = next(a for a in answers if a.status_code == 200)
    assert client_for(race_co, owner).get(url).json()["settings"]["approval_limit"] == \
        winner.json()["settings"]["approval_limit"]
