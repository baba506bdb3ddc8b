"""Development: the portal on *.localhost:8000, mail kept in .data/mail for reading."""

from oodaloo.settings.base import *  # noqa: F403

DEBUG = True
