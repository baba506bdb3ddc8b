"""Writing the audit log. Services call `audit_record`; nothing else writes AuditEvent."""

from typing import Any

from django.db import connection

from apps.core.context import client_ip_var, request_id_var
from apps.core.models import AuditEvent


def _current_business_id() -> int | None:
    tenant = getattr(connection, "tenant", None)
    if tenant is None or getattr(tenant, "schema_name", "public") == "public":
        return None
    return tenant.pk


def audit_record(
    *,
    actor: Any,
    action: str,
    business: Any = None,
    obj: Any = None,
    object_type: str = "",
    object_id: str = "",
    before: dict | None = None,
    after: dict | None = None,
) -> AuditEvent:
    """Record one audited change. `actor` may be None for system actions (sync, beat)."""
    if obj is not None:
        object_type = object_type or obj._meta.label
        object_id = object_id or str(obj.pk)
    is_user = actor is not None and getattr(actor, "pk", None) is not None
    return AuditEvent.objects.create(
        actor=actor if is_user else None,
        actor_label=getattr(actor, "email", "") if is_user else (str(actor) if actor else "system"),
        business_id=business.pk if business is not None else _current_business_id(),
        action=action,
        object_type=object_type,
        object_id=object_id,
        before=before,
        after=after,
        ip=client_ip_var.get(),
        request_id=request_id_var.get() if request_id_var.get() != "-" else "",
    )


def audited_update(*, actor: Any, action: str, business: Any, obj: Any, field: str, value: Any,
                   after: dict | None = None) -> None:
    """Set one field of ``obj``, save it and audit the change (before: the old value; after: the
    new one and ``after``). Callers hold the row's lock."""
    before = {field: getattr(obj, field)}
    setattr(obj, field, value)
    obj.save(update_fields=[field])
    audit_record(actor=actor, action=action, business=business, obj=obj, before=before,
                 after={field: value, **(after or {})})
