"""Production settings: secrets and hosts from the environment, HTTPS only."""
import os

from fangfan.settings import *  # noqa: F403

DEBUG = False
SECRET_KEY = os.environ["FANGFAN_SECRET_KEY"]
ALLOWED_HOSTS = os.environ["FANGFAN_ALLOWED_HOSTS"].split(",")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_SSL_REDIRECT = os.environ.get("FANGFAN_SSL_REDIRECT", "1") == "1"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = int(os.environ.get("FANGFAN_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
