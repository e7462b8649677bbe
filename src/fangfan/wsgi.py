"""WSGI entry point (gunicorn fangfan.wsgi). Token API requests take a shorter
middleware chain (core.fastlane)."""
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fangfan.settings")
application = get_wsgi_application()

from fangfan.core import fastlane  # noqa: E402 — needs the settings configured above

application = fastlane.application(application)
