"""The staff console: 2FA required (django-otp) and every save and delete audited.

Every ModelAdmin registered on this site gets `AuditedAdminMixin`, so no admin can forget it:
adds, changes (with before/after of the changed fields), deletes, inline rows (domains;
memberships are read-only), anything else the admin logs as a change (the password form), and
every admin action — ours (which also write their service's own entry) and third-party ones
(django-celery-beat's run/enable/disable, axes' cleanup) alike — as ``admin.action``, one entry
per selected row."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django_otp.admin import OTPAdminSite

from apps.core.services.audit import audit_record

SECRET_HINTS = ("password", "token", "secret", "key")


def display_names(model: type[models.Model], singular: str, plural: str) -> None:
    """The staff-facing names of a model whose class name reads oddly ("Qbo connections").
    Set here, not in Meta: Meta's verbose names are recorded in migrations, and makemigrations
    reads Meta's original attributes, which this leaves alone — so no migration."""
    model._meta.verbose_name = singular
    model._meta.verbose_name_plural = plural


def _plain(name: str, value: Any) -> Any:
    if any(h in name for h in SECRET_HINTS):
        return "(changed)"
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, models.QuerySet | list | tuple | set):
        return [str(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _business_of(obj) -> Any:
    if obj._meta.label == "tenancy.Business":
        return obj
    return getattr(obj, "business", None) or getattr(obj, "tenant", None)


def _record(request, action: str, obj, before=None, after=None, label: str | None = None):
    audit_record(
        actor=request.user, action=action, business=_business_of(obj), obj=obj,
        object_type=label or "", before=before, after=after,
    )


def _diff(form) -> tuple[dict, dict]:
    fields = [f for f in form.changed_data if f in form.cleaned_data]
    before = {f: _plain(f, form.initial.get(f)) for f in fields}
    after = {f: _plain(f, form.cleaned_data.get(f)) for f in fields}
    return before, after


def _audited_action(func, name: str):
    def run(modeladmin, request, queryset):
        selected = list(queryset)  # before the action: it may change or delete them
        try:
            return func(modeladmin, request, queryset)
        finally:
            for obj in selected:
                _record(request, "admin.action", obj,
                        after={"action": name, "model": obj._meta.label_lower})

    run.__name__ = getattr(func, "__name__", name)
    run.__dict__.update(getattr(func, "__dict__", {}))  # short_description, permissions
    return run


class AuditedAdminMixin:
    def save_model(self, request, obj, form, change):
        before, after = _diff(form)
        super().save_model(request, obj, form, change)
        request._oodaloo_audited = True
        _record(request, "admin.changed" if change else "admin.added", obj,
                before=before if change else None, after=after)

    def delete_model(self, request, obj):
        _record(request, "admin.deleted", obj, before={"object": str(obj)})
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            _record(request, "admin.deleted", obj, before={"object": str(obj)})
        super().delete_queryset(request, queryset)

    def save_formset(self, request, form, formset, change):
        deleted = [f.instance for f in formset.deleted_forms if f.instance.pk is not None]
        for obj in deleted:
            _record(request, "admin.deleted", obj, before={"object": str(obj)})
        edited = [f for f in formset.forms
                  if f not in formset.deleted_forms and f.has_changed()]
        diffs = [(f, *_diff(f), f.instance.pk is None) for f in edited]
        super().save_formset(request, form, formset, change)
        for f, before, after, added in diffs:
            _record(request, "admin.added" if added else "admin.changed", f.instance,
                    before=None if added else before, after=after)

    def get_actions(self, request):
        """Every action wrapped so running it writes ``admin.action`` (deletion is audited by
        ``delete_queryset`` once confirmed, not when its confirmation page is shown)."""
        actions = super().get_actions(request)
        return {name: (func if name == "delete_selected" else _audited_action(func, name),
                       name, description)
                for name, (func, name, description) in actions.items()}

    def log_change(self, request, obj, message):
        entry = super().log_change(request, obj, message)
        if not getattr(request, "_oodaloo_audited", False):  # e.g. the user password form
            _record(request, "admin.changed", obj, after={"change": str(message)})
        return entry


class AuditedAdminSite(OTPAdminSite):
    site_header = "Oodaloo staff console"
    site_title = "Oodaloo staff"

    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, AuditedAdminMixin):
            admin_class = type(
                f"Audited{admin_class.__name__}", (AuditedAdminMixin, admin_class), {}
            )
        return super().register(model_or_iterable, admin_class, **options)
