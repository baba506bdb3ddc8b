from datetime import timedelta

import pytest
from django.utils import timezone

from apps.core.models import AuditEvent, JobRun
from apps.core.services.audit import audit_record
from apps.core.services.jobs import job_run_record, job_runs_cleanup


def test_audit_events_are_append_only(db, owner_a, tenant_a):
    event = audit_record(
        actor=owner_a, action="test.thing", business=tenant_a, before={"a": 1}, after={"a": 2}
    )
    assert event.actor_label == owner_a.email
    with pytest.raises(RuntimeError):
        event.save()
    with pytest.raises(RuntimeError):
        event.delete()
    assert AuditEvent.objects.filter(action="test.thing").count() == 1


def test_job_runs_record_failures_and_are_cleaned_after_30_days(db):
    with pytest.raises(ValueError):
        with job_run_record(name="boom"):
            raise ValueError("bad input")
    run = JobRun.objects.get(name="boom")
    assert run.state == "failed" and "bad input" in run.error and run.finished_at
    with job_run_record(name="fine"):
        pass
    JobRun.objects.filter(name="boom").update(started_at=timezone.now() - timedelta(days=31))
    assert job_runs_cleanup() == 1
    assert list(JobRun.objects.values_list("name", flat=True)) == ["fine"]
