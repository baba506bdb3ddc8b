"""What the admin role may not do in the real admin (signed in with password + TOTP): grant
access (superuser, staff, groups, a group's permissions), change a superuser's account, or edit
memberships (they change through the team services only)."""

from django.contrib.auth.models import Group, Permission

from apps.accounts.models import Membership, User
from tests.factories import UserFactory
from tests.staff.conftest import admin_client, staff_user


def _user_form(user, **extra):
    return {"email": user.email, "full_name": "Renamed", "is_active": "on", **extra}


def test_the_admin_role_cannot_make_anyone_a_superuser_nor_join_a_group(db):
    admin = staff_user("admin@oodaloo.test", "admin")
    other = UserFactory(email="someone@example.test")
    client = admin_client(admin)
    operator = Group.objects.get(name="operator")
    for user in (admin, other):
        response = client.post(f"/admin/accounts/user/{user.pk}/change/", _user_form(
            user, is_superuser="on", is_staff="on", groups=[operator.pk],
            user_permissions=[Permission.objects.get(codename="change_group").pk]))
        assert response.status_code == 302, response.content[:500]
        user.refresh_from_db()
        assert user.full_name == "Renamed"  # the rest of the form still saves
        assert not user.is_superuser and not user.user_permissions.exists()
    assert list(admin.groups.values_list("name", flat=True)) == ["admin"]
    assert not other.is_staff and not other.groups.exists()
    page = client.get(f"/admin/accounts/user/{admin.pk}/change/").content.decode()
    assert 'name="is_superuser"' not in page and 'name="groups"' not in page
    # Adding a person still works, as a person without access.
    added = client.post("/admin/accounts/user/add/", {
        "email": "new@example.test", "password1": "a-long-password-2",
        "password2": "a-long-password-2", "is_superuser": "on", "is_staff": "on"})
    assert added.status_code == 302, added.content[:500]
    new = User.objects.get(email="new@example.test")
    assert not new.is_superuser and not new.is_staff


def test_the_admin_role_cannot_change_a_group_nor_a_superusers_account(db):
    admin = staff_user("admin@oodaloo.test", "admin")
    boss = User.objects.create_superuser("boss@oodaloo.test", "a-long-password-1")
    client = admin_client(admin)
    group = Group.objects.get(name="admin")
    before = set(group.permissions.values_list("pk", flat=True))
    everything = list(Permission.objects.values_list("pk", flat=True))
    answer = client.post(f"/admin/auth/group/{group.pk}/change/",
                         {"name": "admin", "permissions": everything})
    assert answer.status_code == 403
    assert set(group.permissions.values_list("pk", flat=True)) == before
    assert client.post("/admin/auth/group/add/", {"name": "root"}).status_code == 403
    assert client.get(f"/admin/auth/group/{group.pk}/change/").status_code == 200  # read-only

    assert client.post(f"/admin/accounts/user/{boss.pk}/change/",
                       _user_form(boss, email="mine@oodaloo.test")).status_code == 403
    assert client.post(f"/admin/accounts/user/{boss.pk}/password/", {
        "password1": "taken-over-pass-1", "password2": "taken-over-pass-1"}).status_code == 403
    boss.refresh_from_db()
    assert boss.email == "boss@oodaloo.test" and boss.check_password("a-long-password-1")


def test_memberships_on_the_business_page_are_read_only(tenant_a, owner_a):
    admin = staff_user("admin@oodaloo.test", "admin")
    client = admin_client(admin)
    url = f"/admin/tenancy/business/{tenant_a.pk}/change/"
    page = client.get(url)
    assert owner_a.email in page.content.decode()
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k in form.fields}
    domain = tenant_a.domains.get()
    membership = Membership.objects.get(business=tenant_a)
    data.update({
        "domains-TOTAL_FORMS": "1", "domains-INITIAL_FORMS": "1",
        "domains-0-id": domain.pk, "domains-0-tenant": tenant_a.pk,
        "domains-0-domain": domain.domain, "domains-0-is_primary": "on",
        # The owner made a viewer, and the staff member added as an owner.
        "memberships-TOTAL_FORMS": "2", "memberships-INITIAL_FORMS": "1",
        "memberships-0-id": membership.pk, "memberships-0-business": tenant_a.pk,
        "memberships-0-user": owner_a.pk, "memberships-0-role": "viewer",
        "memberships-0-DELETE": "on",
        "memberships-1-business": tenant_a.pk, "memberships-1-user": admin.pk,
        "memberships-1-role": "owner",
    })
    client.post(url, data)
    assert list(Membership.objects.filter(business=tenant_a).values_list("user", "role")) == [
        (owner_a.pk, "owner")]
    assert b'name="memberships-0-role"' not in page.content
    # Nor on the memberships list itself.
    assert client.post(f"/admin/accounts/membership/{membership.pk}/delete/",
                       {"post": "yes"}).status_code == 403
    assert Membership.objects.filter(pk=membership.pk).exists()

