"""WSGI entry point (gunicorn fangfan.wsgi)."""
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fangfan.settings")
application = get_wsgi_application()
