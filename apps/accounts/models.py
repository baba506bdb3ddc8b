"""People: users sign in with email; memberships give each a role in each business."""

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac


class Role(models.TextChoices):
    OWNER = "owner"
    BOOKKEEPER = "bookkeeper"
    VIEWER = "viewer"


ROLE_RANK = {Role.VIEWER: 1, Role.BOOKKEEPER: 2, Role.OWNER: 3}


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra):
        if not email:
            raise ValueError("email is required")
        # People made by staff commands and invitations have proved their address (or staff
        # vouch for it); self-service sign-up passes email_verified_at=None explicitly.
        extra.setdefault("email_verified_at", timezone.now())
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=150, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)
    # Set when the person proved they read this address (sign-up link, invitation, reset).
    email_verified_at = models.DateTimeField(null=True, blank=True)
    # Part of every session's auth hash: bumping it signs the person out everywhere.
    session_epoch = models.PositiveIntegerField(default=0)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    def __str__(self) -> str:
        return self.email

    @property
    def is_email_verified(self) -> bool:
        return self.email_verified_at is not None

    def _get_session_auth_hash(self, secret=None):
        # Django checks this on every request; a changed password or epoch ends the session
        # on every host (sessions are per host, the hash is per person).
        return salted_hmac(
            "oodaloo.accounts.User.session_auth_hash",
            f"{self.password}:{self.session_epoch}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()


class Membership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    business = models.ForeignKey(
        "tenancy.Business", on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=16, choices=Role.choices)
    receives_digest = models.BooleanField(null=True, blank=True)  # None = role default
    # Set when an accounting firm's partner granted this access to one of the firm's people
    # (apps/accounts/firm_access.py); the client's owner sees and can revoke it in team settings.
    firm = models.ForeignKey(
        "accounts.Firm", null=True, blank=True, on_delete=models.CASCADE, related_name="grants"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "business"], name="one_membership_per_business")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.business} · {self.role}"

    def has_role(self, role: str) -> bool:
        return ROLE_RANK[self.role] >= ROLE_RANK[role]


class EmailedInvitation(models.Model):
    """An emailed link that works once and expires. Only the token's hash is stored. Concrete
    models add what accepting it joins and the ``role`` it gives there."""

    email = models.EmailField()
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True


class Invitation(EmailedInvitation):
    """An invitation to a business, with a role in it; its owner may revoke it."""

    business = models.ForeignKey(
        "tenancy.Business", on_delete=models.CASCADE, related_name="invitations"
    )
    role = models.CharField(max_length=16, choices=Role.choices)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.email} → {self.business} ({self.role})"


class FirmRole(models.TextChoices):
    PARTNER = "partner"  # manages the firm's people, clients and grants
    STAFF = "staff"  # sees the clients a partner granted


class Firm(models.Model):
    """An accounting firm (bookkeepers, fractional CFOs) serving several client businesses.
    Its console is on the public host (apps/firm); access to a client is a Membership."""

    slug = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    timezone = models.CharField(max_length=64, default="America/New_York")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class FirmMember(models.Model):
    firm = models.ForeignKey(Firm, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="firm_memberships")
    role = models.CharField(max_length=16, choices=FirmRole.choices)
    receives_digest = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["firm", "user"], name="one_firm_member_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.firm} · {self.role}"


class FirmClient(models.Model):
    """A business the firm serves: its owner invited the firm, or the firm created it and
    invited the owner. Ending it removes every grant of the firm on that business."""

    firm = models.ForeignKey(Firm, on_delete=models.CASCADE, related_name="clients")
    business = models.ForeignKey(
        "tenancy.Business", on_delete=models.CASCADE, related_name="firm_links"
    )
    added_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["firm", "business"], name="one_link_per_firm_client")
        ]

    def __str__(self) -> str:
        return f"{self.firm} → {self.business}"


class FirmInvitation(EmailedInvitation):
    """An emailed link that makes its acceptor a member of the firm (works once, expires)."""

    firm = models.ForeignKey(Firm, on_delete=models.CASCADE, related_name="invitations")
    role = models.CharField(max_length=16, choices=FirmRole.choices)

    def __str__(self) -> str:
        return f"{self.email} → {self.firm} ({self.role})"
