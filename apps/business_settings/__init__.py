"""The owner's per-business settings (approval limit, digest schedule and recipients, onboarding
progress): one row per business schema, and the services that change them (``services.py``,
audited; shared by the portal's forms and the API).

Below every app that reads them (ap's approvals, the portal, the API, the digest), so that those
stay independent siblings; it imports only the kernel (core, accounts).
"""
