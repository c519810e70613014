#!/usr/bin/env python3
"""Django's command line for the example site, e.g. its database's tables:

    ./covet exec --python-path /usr/lib/python3/dist-packages --allow-write examples/django_site/data \
        examples/django_site/manage.py migrate
"""
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")
    from django.core.management import execute_from_command_line
    execute_from_command_line(sys.argv)
