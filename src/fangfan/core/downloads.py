"""Generated files as downloads: one content type per kind and one way to name the file,
for every app's documents (.docx) and workbooks (.xlsx)."""
from __future__ import annotations

from django.http import Http404, HttpResponse
from django.utils import translation

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LANGUAGES = ("zh-hans", "en")


def attachment(data: bytes, content_type: str, filename: str) -> HttpResponse:
    """`data` as a file the browser saves under `filename` (ASCII: codes and dates)."""
    resp = HttpResponse(data, content_type=content_type)
    resp["Content-Disposition"] = f'attachment; filename="{filename}"'
    return resp


def document_language(request, default: str | None = None) -> str:
    """The language a document is written in: `?language=zh-hans|en`, else `default`,
    else the reader's own. Any other value is a page that does not exist."""
    asked = request.GET.get("language")
    if asked is not None and asked not in LANGUAGES:
        raise Http404
    if asked:
        return asked
    if default:
        return default
    return "zh-hans" if translation.get_language().startswith("zh") else "en"
