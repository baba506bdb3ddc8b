import json


def test_health_reports_every_dependency_without_secrets(db, client):
    response = client.get("/health", HTTP_HOST="localhost")
    body = json.loads(response.content)
    assert response.status_code == 200, body
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "redis", "broker", "migrations"}
    text = response.content.decode()
    assert "postgres://" not in text and "redis://" not in text and "SECRET" not in text


def test_metrics_exposed_for_prometheus(db, client):
    response = client.get("/metrics", HTTP_HOST="localhost")
    assert response.status_code == 200
    assert b"django_http_requests" in response.content


def test_request_id_is_echoed_and_sanitised(db, client):
    ok = client.get("/health", HTTP_HOST="localhost", HTTP_X_REQUEST_ID="abc-123")
    assert ok["X-Request-ID"] == "abc-123"
    bad = client.get("/health", HTTP_HOST="localhost", HTTP_X_REQUEST_ID="<script>")
    assert bad["X-Request-ID"] != "<script>" and len(bad["X-Request-ID"]) == 32


def test_health_answers_on_a_business_host_before_sign_in_and_tenant_work(db, tenant_a, client):
    """Answered by the first middleware: no tenant look-up, session or user query runs."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from apps.tenancy.models import Domain

    host = Domain.objects.filter(tenant=tenant_a).values_list("domain", flat=True).first()
    client.get("/health", HTTP_HOST=host)  # the migration check is remembered for a minute
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/health", HTTP_HOST=host)
    assert response.status_code == 200 and response.json()["status"] == "ok"
    assert [q["sql"] for q in ctx.captured_queries if "search_path" not in q["sql"]] == [
        "SELECT 1"]
