"""The generic record views: one class per action serves every registered record type.
URLs pass the record type's slug (core.urls); nothing here knows a concrete model."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from types import FunctionType
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import select_template
from django.utils import formats, timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from fangfan.core import evidence, permissions, privacy, registry, services, tabular
from fangfan.core.downloads import XLSX, attachment
from fangfan.core.fields import ChoiceListField
from fangfan.core.filters import filterset_class
from fangfan.core.forms import add_errors, form_class
from fangfan.core.models import AuditEntry
from fangfan.core.registry import RecordType
from fangfan.core.tables import table_class

PAGE_SIZE = 25


def visible_record(request, slug: str, pk: int, action: str = "view"):
    """A record of type `slug` for a view of its own (a step of its workflow): 404 when
    the user may not see it (no existence leak), 403 when seen but not allowed `action`
    at its unit — as the generic pages answer."""
    rt = registry.get(slug)
    obj = get_object_or_404(rt.model.objects.filter(
        permissions.restrict(request.user, "view", rt)), pk=pk)
    if action != "view" and not permissions.allowed(request.user, action, rt,
                                                    services._path_of(obj)):
        raise PermissionDenied
    return obj


def refusal_text(exc: ValidationError | PermissionDenied) -> str:
    """What a refused step says to the person who tried it."""
    text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
    return text or _("You may not do this.")


def record_step(request, obj, step: Callable[[], Any],
                done: str | Callable[[], str]) -> HttpResponse:
    """A workflow step on a record from its page (approve, acknowledge, finish): run it,
    say that it was done (`done`, or `done()` read after the step) or why it was refused,
    and go back to the record's page — or to the page the button was on when it says so
    (`next`, a path of this site: a guard checking visitors out from the home page stays
    there)."""
    try:
        step()
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, refusal_text(exc))
    else:
        messages.success(request, done() if callable(done) else done)
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()},
                                                require_https=request.is_secure()):
        return redirect(back)
    return redirect(obj.get_absolute_url())


def step_view(slug: str, step: Callable[[Any, Any], Any], done: Any | Callable[[Any], str],
              action: str = "view") -> Callable[..., HttpResponse]:
    """The view of one workflow step of a record of type `slug` (confirm, approve,
    check out): a signed-in POST to /<…>/<pk>/<step>/ runs `step(user, record)` — the
    domain service that checks who may — on a record the user sees, then says `done` (a
    sentence, or `done(record)` read after the step) or why it was refused. `action`: the
    right the step needs at the record's unit before its service is asked (403 without).
    One declaration per step instead of a view each."""
    @login_required
    @require_POST
    def view(request, pk: int) -> HttpResponse:
        obj = visible_record(request, slug, pk, action)
        said = (lambda: done(obj)) if isinstance(done, FunctionType) else str(done)
        return record_step(request, obj, lambda: step(request.user, obj), said)

    return view


class RecordView(LoginRequiredMixin, View):
    """Resolves the record type and answers 404 for anything outside the user's scope."""

    action = "view"
    rt: RecordType

    def dispatch(self, request, *args, **kwargs):
        try:
            self.rt = registry.get(kwargs.pop("record_type"))
        except KeyError as exc:
            raise Http404 from exc
        if self.action == "import" and not self.rt.importable:
            raise Http404  # derived records are exported, never imported
        # Object pages first need the right to see the type; the action itself is
        # checked on the object, after an out-of-scope object has answered 404.
        gate = "view" if "pk" in kwargs else self.action
        if request.user.is_authenticated and not permissions.allowed(request.user, gate, self.rt):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def scoped(self, action: str | None = None) -> QuerySet:
        q = permissions.restrict(self.request.user, action or self.action, self.rt)
        return self.rt.model.objects.filter(q)

    def get_object(self, pk: int):
        """Out of the view scope: 404 (no existence leak); visible but not allowed: 403."""
        return visible_record(self.request, self.rt.slug, pk, self.action)

    def filtered(self, action: str) -> QuerySet:
        params = self.request.GET.copy()
        unit = self.request.session.get("unit")
        if unit and "within" not in params:
            params["within"] = unit
        fs = filterset_class(self.rt)(params, queryset=self.scoped(action), request=self.request)
        self.filterset = fs
        return with_listed_relations(self.rt, fs.qs)

    def template(self, name: str) -> list[str]:
        meta = self.rt.model._meta
        return [f"{meta.app_label}/{meta.model_name}_{name}.html", f"records/{name}.html"]

    def render(self, name: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
        ctx = {"rt": self.rt, **context}
        if "can" not in ctx:
            ctx["can"] = self.capabilities()
        return render(self.request, select_template(self.template(name)).template.name,
                      ctx, status=status)

    def capabilities(self, path: str | None = None) -> dict[str, bool]:
        """The actions the user may take on the type, or at the unit `path`."""
        user = self.request.user
        return {a: permissions.allowed(user, a, self.rt, path)
                and (a != "import" or self.rt.importable) for a in permissions.ACTIONS}


class RecordListView(RecordView):
    def get(self, request):
        table = table_class(self.rt)(self.filtered("view"))
        RequestConfig(request, paginate={"per_page": PAGE_SIZE}).configure(table)
        if services.logs_reads(self.rt):  # the ledger's read log: the rows shown
            services.read(request.user, self.rt,
                          [row.record for row in table.paginated_rows], "list")
        name = "list_table" if request.htmx and request.htmx.target == "record-table" else "list"
        return self.render(name, {"table": table, "filter": self.filterset})


class RecordDetailView(RecordView):
    def get(self, request, pk: int):
        obj = self.get_object(pk)
        services.viewed(request.user, obj)  # e.g. a notice's read receipt
        fields = [(obj._meta.get_field(n).verbose_name, self.shown(obj, n))
                  for n in self.rt.shown_fields()
                  if self.rt.applies(n, lambda choice: getattr(obj, choice))]
        history = AuditEntry.objects.none()
        if permissions.can_read_audit(request.user):
            history = AuditEntry.objects.filter(
                permissions.audit_q(request.user), record_type=self.rt.label, record_id=str(pk)
            )[:50]
        files = evidence.attachments_of(obj)
        # The buttons follow the rights at this record's unit, which the actions check.
        return self.render("detail", {"object": obj, "fields": fields, "history": history,
                                      "files": files, "children": self.children_of(obj),
                                      "can": self.capabilities(services._path_of(obj))})

    def shown(self, obj, name: str) -> Any:
        """A field's value on the page; a personal one masked, with "Show" for those who
        may see it in full (core.privacy)."""
        kind = privacy.fields_of(self.rt).get(name)
        if kind is None:
            return _display(obj, name)
        from fangfan.core.views.privacy import masked_cell

        return masked_cell(self.request, self.rt, obj, name, kind)

    def children_of(self, obj) -> list[dict[str, Any]]:
        """The declared child records the user may see, as small tables."""
        out = []
        for slug, key in self.rt.children:
            child = registry.get(slug)
            user = self.request.user
            rows = child.model.objects.filter(permissions.restrict(user, "view", child),
                                              **{key: obj})
            table = table_class(child)(with_listed_relations(child, rows), orderable=False,
                                       exclude=(key, "unit"))  # both are this record's
            out.append({"rt": child, "table": table, "key": key,
                        "can_add": permissions.allowed(user, "add", child,
                                                       services._path_of(obj))})
        return out


def with_listed_relations(rt: RecordType, rows: QuerySet) -> QuerySet:
    """Rows with the related records their list shows, in the same query."""
    return rows.select_related(*[f for f in rt.list_fields
                                 if rt.model._meta.get_field(f).is_relation])


def _display(obj, name: str) -> Any:
    f = obj._meta.get_field(name)
    if isinstance(f, ChoiceListField):
        return f.display(getattr(obj, name))
    if f.choices:
        return getattr(obj, f"get_{name}_display")()
    value = getattr(obj, name)
    if isinstance(value, dt.datetime):  # in local time, as the lists write it
        return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")
    return value


class RecordFormView(RecordView):
    """Create (no pk) or edit (pk) through the service layer."""

    def form(self, data=None, instance=None, files=None):
        action = "change" if instance is not None else "add"
        return form_class(self.rt)(data=data, files=files, instance=instance).scope(
            self.request.user, action)

    def get(self, request, pk: int | None = None):
        instance = self.get_object(pk) if pk else None
        form = self.form(instance=instance)
        if instance is not None and form.personal_shown:  # the form shows them in full
            privacy.log_reads(request.user, self.rt, [instance], form.personal_shown,
                              privacy.EDIT)
        if instance is None:  # "add" links from a parent record prefill its key
            form.prefill(request.GET)
        if instance is None and "unit" in form.fields:
            field = form.fields["unit"]
            form.initial.setdefault("unit", self.default_unit(field.queryset,
                                                              field.to_field_name or "pk"))
        return self.render("form", {"form": form, "object": instance})

    def default_unit(self, choices: QuerySet, key: str) -> Any:
        """The current unit, or the only unit the user can choose (a school's staff)."""
        code = self.request.session.get("unit")
        if code:
            return choices.filter(code=code).values_list(key, flat=True).first()
        only = list(choices.values_list(key, flat=True)[:2])
        return only[0] if len(only) == 1 else None

    def post(self, request, pk: int | None = None):
        instance = self.get_object(pk) if pk else None
        if request.htmx and request.POST.get("_refresh"):  # a choice changed: fitting fields
            form = self.form(instance=instance).keep_typed(request.POST)
            return render(request, "records/fields.html", {"form": form})
        form = self.form(data=request.POST, instance=self.get_object(pk) if pk else None,
                         files=request.FILES)
        if form.is_valid():
            try:
                if instance is None:
                    obj = self.create(form.cleaned_data)
                else:
                    obj = services.update_record(request.user, instance, form.cleaned_data)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect(obj.get_absolute_url())
        return self.render("form", {"form": form, "object": instance}, status=400)


    @transaction.atomic
    def create(self, data: dict[str, Any]):
        """Create the record and attach the files it came with, all or nothing."""
        files = data.pop("files", None) or []
        obj = services.create_record(self.request.user, self.rt.model, data)
        for upload in files:
            evidence.attach(self.request.user, obj, upload, action="add")
        return obj


class RecordCreateView(RecordFormView):
    action = "add"


class RecordEditView(RecordFormView):
    action = "change"


class RecordDeleteView(RecordView):
    action = "delete"

    def get(self, request, pk: int):
        return self.render("confirm_delete", {"object": self.get_object(pk)})

    def post(self, request, pk: int):
        obj = self.get_object(pk)
        try:
            services.delete_record(request.user, obj)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(obj.get_absolute_url())
        messages.success(request, _("Deleted."))
        return redirect(self.rt.url_name("list"))


class RecordExportView(RecordView):
    action = "export"

    def get(self, request):
        records = self.filtered("export").iterator(chunk_size=2000)
        if services.logs_reads(self.rt):  # logged before a row leaves
            records = list(records)
            services.read(request.user, self.rt, records, "export")
        rows = tabular.export_rows(self.rt, reveal=privacy.export_reveal(request, self.rt),
                                   queryset=records)
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        name = f"{self.rt.slug}-{stamp}"
        if request.GET.get("format") == "csv":
            resp = StreamingHttpResponse(tabular.csv_lines(rows), content_type="text/csv")
            resp["Content-Disposition"] = f'attachment; filename="{name}.csv"'
            return resp
        data = tabular.to_xlsx(rows, self.rt.verbose_name_plural)
        return attachment(data, XLSX, f"{name}.xlsx")




class RecordImportView(RecordView):
    action = "import"

    def get(self, request):
        if "template" in request.GET:
            data = tabular.template_xlsx(request.user, self.rt, request.session.get("unit"))
            return attachment(data, XLSX, f"{self.rt.slug}-template.xlsx")
        return self.render("import", self.page())

    def page(self, **context: Any) -> dict[str, Any]:
        return {"columns": tabular.headers(self.rt), "limits": tabular.import_limits(),
                **context}

    def post(self, request):
        upload = request.FILES.get("file")
        if upload is None:
            errors = [tabular.RowError(0, "", _("Choose a file to import."))]
            return self.render("import", self.page(errors=errors), status=400)
        try:
            count = tabular.import_rows(request.user, self.rt,
                                        tabular.read_table(upload, upload.name))
        except tabular.ImportRefused as refused:
            return self.render("import", self.page(errors=refused.errors,
                                                   filename=upload.name), status=400)
        messages.success(request, _("%(count)d records imported.") % {"count": count})
        return redirect(self.rt.url_name("list"))


class RecordAttachView(RecordDetailView):
    """Attach an evidence file to a record (needs the right to change it). A refused
    file answers 400 with the record's page and the reason; nothing is stored."""

    action = "change"

    def post(self, request, pk: int):
        obj = self.get_object(pk)
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise ValidationError(_("Choose a file to attach."))
            evidence.attach(request.user, obj, upload)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            page = self.get(request, pk)
            page.status_code = 400
            return page
        messages.success(request, _("File attached."))
        return redirect(obj.get_absolute_url())


class AttachmentDownloadView(LoginRequiredMixin, View):
    def get(self, request, pk: int):
        att = evidence.visible_attachment(request.user, pk)
        return FileResponse(evidence.open_blob(att), as_attachment=True, filename=att.filename,
                            content_type=att.content_type)
