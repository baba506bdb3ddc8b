"""Production settings: complete environment → `check --deploy` clean; a missing variable stops
the boot naming it; development secrets, localhost hosts and a wide CSP fail the deploy check."""

import os
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet
from django.conf import settings

from oodaloo.settings.required import PRODUCTION_VARIABLES

# Fake but well-formed: what an operator would put in the environment.
COMPLETE = {
    "SECRET_KEY": "x" * 20 + "-production-secret-key-with-enough-entropy-0123456789",
    "FIELD_ENCRYPTION_KEY": Fernet.generate_key().decode(),
    "DATABASE_URL": "postgres://oodaloo:pw@db.internal:5432/oodaloo",
    "REDIS_URL": "rediss://:pw@redis.internal:6379/0",
    "PUBLIC_HOST": "oodaloo.app",
    "TENANT_DOMAIN_SUFFIX": "oodaloo.app",
    "MEDIA_ROOT": "/srv/oodaloo/media",
    "DEFAULT_FROM_EMAIL": "Oodaloo <digest@oodaloo.app>",
    "DOCUMENTS_INBOUND_DOMAIN": "inbound.oodaloo.app",
    "EMAIL_PROVIDER": "postmark",
    "POSTMARK_SERVER_TOKEN": "pm-server-token-0123456789",
    "ANYMAIL_WEBHOOK_SECRET": "hook-user:hook-password-0123456789",
    "QBO_ENVIRONMENT": "production",
    "QBO_CLIENT_ID": "ABprodclientid0123456789",
    "QBO_CLIENT_SECRET": "prodclientsecret0123456789",
    "QBO_REDIRECT_URI": "https://oodaloo.app/connect/qbo/callback/",
    "QBO_WEBHOOK_VERIFIER_TOKEN": "prod-verifier-0123456789",
    "PLAID_ENV": "production",
    "PLAID_CLIENT_ID": "plaidclientid0123456789",
    "PLAID_SECRET": "plaidsecret0123456789",
    "PLAID_WEBHOOK_URL": "https://oodaloo.app/webhooks/plaid/",
}


def _manage(extra_env: dict, *args: str) -> subprocess.CompletedProcess:
    """manage.py in a clean environment: only PATH-like basics plus `extra_env`; no
    DJANGO_SETTINGS_MODULE, so manage.py's own default (production) applies."""
    keep = ("PATH", "HOME", "LANG", "PYTHONPATH", "VIRTUAL_ENV")
    env = {k: v for k, v in os.environ.items() if k in keep}
    env.update(extra_env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=settings.BASE_DIR, env=env,
        capture_output=True, text=True, timeout=120,
    )


def _deploy_check(extra_env: dict) -> subprocess.CompletedProcess:
    return _manage(extra_env, "check", "--deploy", "--fail-level", "WARNING")


def test_every_required_variable_is_in_the_complete_example():
    required = {v.name for v in PRODUCTION_VARIABLES if v.required}
    assert required <= set(COMPLETE)


def test_deploy_check_passes_with_a_complete_production_environment():
    result = _deploy_check(COMPLETE)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("missing", ["SECRET_KEY", "PLAID_WEBHOOK_URL", "QBO_REDIRECT_URI"])
def test_production_refuses_to_start_without_a_variable_and_names_it(missing):
    env = {k: v for k, v in COMPLETE.items() if k != missing}
    result = _manage(env, "check")
    assert result.returncode != 0
    assert f"{missing} is not set" in result.stderr
    # Only the missing one is named.
    others = [k for k in COMPLETE if k != missing and f"{k} is not set" in result.stderr]
    assert others == []


def test_every_missing_variable_is_named_at_once():
    result = _manage({}, "check")
    assert result.returncode != 0
    for var in PRODUCTION_VARIABLES:
        if var.required:
            assert f"{var.name} is not set" in result.stderr


def test_the_account_sender_defaults_to_the_mail_domain_and_follows_the_environment():
    show = ("shell", "-c", "from django.conf import settings; print(settings.ACCOUNTS_FROM_EMAIL)")
    derived = _manage(COMPLETE, *show)
    assert derived.returncode == 0, derived.stderr
    assert derived.stdout.strip().splitlines()[-1] == "Oodaloo <accounts@oodaloo.app>"
    chosen = _manage({**COMPLETE, "ACCOUNTS_FROM_EMAIL": "Team <team@oodaloo.app>"}, *show)
    assert chosen.stdout.strip().splitlines()[-1] == "Team <team@oodaloo.app>"


def test_the_chosen_email_provider_needs_its_key():
    env = {k: v for k, v in COMPLETE.items() if k != "POSTMARK_SERVER_TOKEN"}
    result = _manage(env, "check")
    assert result.returncode != 0 and "POSTMARK_SERVER_TOKEN is not set" in result.stderr


@pytest.mark.parametrize(
    ("override", "complaint"),
    [
        ({"PUBLIC_HOST": "localhost"}, "oodaloo.E101"),
        ({"TENANT_DOMAIN_SUFFIX": "localhost"}, "oodaloo.E101"),
        ({"QBO_CLIENT_SECRET": "oodaloo-dev-secret"}, "oodaloo.E104"),
        ({"SECRET_KEY": "dev-insecure-secret-key-change-me-0123456789abcdef"}, "oodaloo.E104"),
    ],
)
def test_deploy_check_fails_on_development_values(override, complaint):
    result = _deploy_check({**COMPLETE, **override})
    assert result.returncode != 0
    assert complaint in result.stderr + result.stdout


def test_deploy_check_fails_on_the_development_csp_and_debug():
    """The development settings (localhost CSP, DEBUG, dev secrets) fail every rule."""
    result = _deploy_check({"DJANGO_SETTINGS_MODULE": "oodaloo.settings.dev",
                            "DATABASE_URL": "postgres://x@db.internal/x"})
    out = result.stderr + result.stdout
    assert result.returncode != 0
    for code in ("oodaloo.E100", "oodaloo.E101", "oodaloo.E102", "oodaloo.E104",
                 "oodaloo.E105", "oodaloo.E106"):
        assert code in out, code


def test_docs_deploy_lists_every_production_variable_with_its_required_flag():
    """docs/deploy.md's table is the operator's checklist: it must say what the code reads."""
    text = (settings.BASE_DIR / "docs" / "deploy.md").read_text()
    rows = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[0].startswith("`") and cells[0].endswith("`"):
            rows[cells[0].strip("`")] = cells[3]
    for var in PRODUCTION_VARIABLES:
        assert var.name in rows, var.name
        assert (rows[var.name] == "yes") == var.required, var.name
