"""Kept for the original route; pages live in one module each (dashboard.py, bills.py, ...)."""

from apps.portal.dashboard import dashboard

__all__ = ["dashboard"]
