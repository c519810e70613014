"""A small Django 3.2 site (Debian's python3-django), served on every core by, from the repository:

    ./covet run --python-path examples/django_site --python-path /usr/lib/python3/dist-packages mysite.wsgi:application

Try it in another terminal:

    curl -s 'localhost:8000/?name=Covet'
    curl -s localhost:8000/items/7/
    curl -s -X POST localhost:8000/echo/ -d 'greeting=hi'

No database yet: Covet's sandbox has no sqlite3 so far.
"""
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
SECRET_KEY = "an-example-only-key-never-use-it"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "mysite.urls"
INSTALLED_APPS = ["django.contrib.contenttypes"]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "DIRS": [BASE_DIR / "templates"]}]
DATABASES = {}
USE_TZ = True
