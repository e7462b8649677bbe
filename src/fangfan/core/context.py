"""The request id of the current request, for audit entries written deep in services."""
from contextvars import ContextVar

request_id: ContextVar[str] = ContextVar("request_id", default="")
