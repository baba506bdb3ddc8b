"""The owner's per-business settings (approval limit, digest schedule and recipients, onboarding
progress): one row per business schema.

Below every app that reads them (ap's approvals, the portal, the API, the digest), so that those
stay independent siblings; it imports nothing of ours. Changing them (with their audit) is the
portal's settings services' job (``apps.portal.services``).
"""
