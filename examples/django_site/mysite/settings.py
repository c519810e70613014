"""A small Django 3.2 site (Debian's python3-django), served on every core by, from the repository:

    ./covet run --python-path examples/django_site --python-path /usr/lib/python3/dist-packages mysite.wsgi:application

once its SQLite database has its tables (Django's migrate, once, as before starting gunicorn;
--allow-write lets Python write the database's directory and nothing else):

    ./covet exec --python-path /usr/lib/python3/dist-packages --allow-write examples/django_site/data \
        examples/django_site/manage.py migrate
    ./covet run --python-path examples/django_site --python-path /usr/lib/python3/dist-packages \
        --allow-write examples/django_site/data mysite.wsgi:application

Try it in another terminal:

    curl -s 'localhost:8000/?name=Covet'
    curl -s localhost:8000/items/7/
    curl -s -X POST localhost:8000/echo/ -d 'greeting=hi'
    curl -s -X POST localhost:8000/notes/ -d 'text=buy milk' -d 'author=ann'
    curl -s 'localhost:8000/notes/?author=ann'

The database is examples/django_site/data/db.sqlite3, or $DJANGO_DB (pass it with --env DJANGO_DB).
"""
import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
SECRET_KEY = "an-example-only-key-never-use-it"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "mysite.urls"
INSTALLED_APPS = ["django.contrib.contenttypes", "mysite.notes"]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "DIRS": [BASE_DIR / "templates"]}]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3",
                         "NAME": os.environ.get("DJANGO_DB") or str(BASE_DIR.parent / "data" / "db.sqlite3")}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
