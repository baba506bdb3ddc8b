#!/usr/bin/env python
"""Django's command-line utility for Oodaloo."""

import os
import sys


def main() -> None:
    # Production unless told otherwise: it refuses to start without its environment, so a
    # forgotten setting can never run a server with DEBUG and development secrets.
    # `make` targets name oodaloo.settings.dev; pytest names oodaloo.settings.test.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oodaloo.settings.production")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
