"""Tasks run in the schema they were sent for — in-process and under a real worker on Redis."""

import os
import subprocess
import sys
import time
import uuid

import pytest
from django.conf import settings
from django_tenants.utils import tenant_context

from apps.ap.models import Vendor
from apps.core.models import JobRun
from apps.core.tasks import MissingTenantError, tenant_probe_task
from apps.tenancy.models import Business
from oodaloo.celery import app as celery_app
from tests.factories import VendorFactory
from tests.utils import child_database_url


def test_task_without_a_business_fails_loudly(db):
    with pytest.raises(MissingTenantError):
        tenant_probe_task.apply(args=["ap_vendor"], throw=True)


def test_task_for_a_deleted_business_is_dropped_not_failed(db, caplog):
    """Queued before its business was deleted: there is nothing left to do it for."""
    runs = JobRun.objects.count()
    result = tenant_probe_task.apply(args=["ap_vendor"], throw=True,
                                     headers={"_schema_name": "biz_deleted_since"})
    assert result.get() is None
    assert "'biz_deleted_since' no longer exists" in caplog.text
    assert JobRun.objects.count() == runs


def test_task_applied_in_a_tenant_sees_only_that_tenant(tenant_a, tenant_b):
    with tenant_context(tenant_a):
        VendorFactory(display_name="Only in A")
        result = tenant_probe_task.apply(args=["ap_vendor"], throw=True).get()
    assert result == {"schema": "alpha", "table": "ap_vendor", "rows": 1}
    with tenant_context(tenant_b):
        assert tenant_probe_task.apply(args=["ap_vendor"], throw=True).get()["rows"] == 0


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_real_worker_reads_each_business_rows_only():
    alpha = Business.objects.get(slug="alpha")
    beta = Business.objects.get(slug="beta")
    with tenant_context(alpha):
        VendorFactory.create_batch(3)
    with tenant_context(beta):
        VendorFactory(display_name="B1")
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "oodaloo.settings.test",
        "DATABASE_URL": child_database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "oodaloo",
            "worker",
            "-Q",
            queue,
            "--pool",
            "solo",
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
            "-l",
            "warning",
        ],
        env=env,
        cwd=settings.BASE_DIR,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        ids = {}
        # An explicit connection to the real broker: other tests point the app at memory://.
        with celery_app.connection_for_write(settings.CELERY_BROKER_URL) as broker:
            for business in (alpha, beta):
                with tenant_context(business):
                    ids[business.slug] = tenant_probe_task.apply_async(
                        args=["ap_vendor"], queue=queue, connection=broker
                    ).id
        deadline = time.time() + 60
        runs = {}
        while time.time() < deadline and len(runs) < 2:
            runs = {
                r.task_id: r
                for r in JobRun.objects.filter(task_id__in=ids.values(), state="succeeded")
            }
            time.sleep(0.3)
        assert len(runs) == 2, "worker did not finish both probes"
        assert runs[ids["alpha"]].details == {"schema": "alpha", "table": "ap_vendor", "rows": 3}
        assert runs[ids["beta"]].details == {"schema": "beta", "table": "ap_vendor", "rows": 1}
        assert runs[ids["alpha"]].business_id == alpha.pk
    finally:
        worker.terminate()
        worker.wait(timeout=20)
        for business in (alpha, beta):
            with tenant_context(business):
                Vendor.objects.all().delete()
