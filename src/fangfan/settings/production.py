"""Production settings: secrets and hosts from the environment, HTTPS only."""
import os

from fangfan.settings import *  # noqa: F403
from fangfan.settings import LOGGING

DEBUG = False
SECRET_KEY = os.environ["FANGFAN_SECRET_KEY"]
ALLOWED_HOSTS = os.environ["FANGFAN_ALLOWED_HOSTS"].split(",")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_SSL_REDIRECT = os.environ.get("FANGFAN_SSL_REDIRECT", "1") == "1"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The load balancer's health check and Prometheus reach each app server directly over
# plain HTTP on the private network (docs/deploy.md): not redirected.
SECURE_REDIRECT_EXEMPT = [r"^health/$", r"^metrics$"]
SECURE_HSTS_SECONDS = int(os.environ.get("FANGFAN_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
# One JSON object a log line, for the log collector (FANGFAN_LOG_FORMAT=text to read by eye).
LOGGING["handlers"]["console"]["formatter"] = os.environ.get("FANGFAN_LOG_FORMAT", "json")
