"""Generated REST API: one viewset per record type, same filterset and scoping as the
pages, writes through the service layer. Outside the caller's scope answers 404."""
from __future__ import annotations

import copy
import functools
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.db.models import F, Q
from django.http import Http404, JsonResponse
from django.utils.text import capfirst
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import OpenApiParameter, extend_schema
from knox.models import AuthToken
from rest_framework import exceptions, serializers, viewsets
from rest_framework import permissions as drf_permissions
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.fields import SkipField
from rest_framework.parsers import FormParser
from rest_framework.relations import PKOnlyObject
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from fangfan.core import limits, permissions, prepared, privacy, registry, services, twofactor
from fangfan.core.apifields import (
    StrictBooleanField,
    StrictDecimalField,
    StrictPrimaryKeyRelatedField,
    StrictSlugRelatedField,
)
from fangfan.core.authentication import TokenThrottle, issue_token, revoke_tokens
from fangfan.core.fields import ChoiceListField
from fangfan.core.filters import filterset_class
from fangfan.core.forms import (
    account_choices,
    related_by_pk,
    related_choices,
    unit_by_code,
    unit_choices,
)
from fangfan.core.models import Unit
from fangfan.core.parsers import LimitedJSONParser
from fangfan.core.registry import RecordType

ACTION_OF = {"list": "view", "retrieve": "view", "create": "add", "update": "change",
             "partial_update": "change", "destroy": "delete"}


class StrictCharField(serializers.CharField):
    """Text only: DRF's CharField also takes a number and stores its digits, which the
    schema (a string) does not promise."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictSlugField(StrictCharField, serializers.SlugField):
    pass


class BoundedDateTimeField(serializers.DateTimeField):
    """Checks the year before DRF converts the time zone, which overflows (a 500) at
    year 1 or 9999."""

    def enforce_timezone(self, value):
        limits.YearRangeValidator()(value)  # raised as a 400 naming the field
        return super().enforce_timezone(value)


class ScopedSerializer(serializers.ModelSerializer):
    """Related fields only accept records the caller may see; units are named by code."""

    record_type: RecordType
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: StrictCharField, models.TextField: StrictCharField,
        models.SlugField: StrictSlugField, models.DateTimeField: BoundedDateTimeField,
        models.BooleanField: StrictBooleanField, models.DecimalField: StrictDecimalField}
    serializer_related_field = StrictPrimaryKeyRelatedField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        # What may be chosen and what keeps its stored value only matter for a write: an
        # answer to a read builds none of it (a tenth of a list request).
        if request is None or request.method in drf_permissions.SAFE_METHODS:
            return
        action = "change" if self.instance is not None else "add"
        for field in self.fields.values():
            if isinstance(field, serializers.RelatedField) and not field.read_only:
                field.get_queryset = _narrowed(field, request.user, action,
                                               self.record_type)
            if isinstance(field, StrictSlugRelatedField) and not field.read_only and \
                    getattr(field.queryset, "model", None) is Unit:
                field.find = functools.partial(unit_by_code, request.user, action,
                                               self.record_type)
            elif isinstance(field, StrictPrimaryKeyRelatedField) and not field.read_only \
                    and _plain_records(field.queryset):
                field.find = functools.partial(related_by_pk, request.user, action,
                                               self.record_type, field.field_name,
                                               field.queryset.model)
        self.guard_personal(request.user)

    def guard_personal(self, user) -> None:
        """A change by someone who may not see the record's personal data in full: the
        mask they were answered, sent back unchanged, keeps the stored value."""
        obj = self.instance
        if not isinstance(obj, models.Model) or privacy.sees_in_full(
                user, privacy.path_of(obj)):
            return
        for name, kind in privacy.fields_of(self.record_type).items():
            field = self.fields.get(name)
            if field is not None and not field.read_only:
                field.run_validation = privacy.keeping(field.run_validation, kind,
                                                       getattr(obj, name))

    def get_fields(self) -> dict[str, serializers.Field]:
        """Fresh fields made from the ones built once per serializer class: DRF inspects
        the model and works out every field's arguments anew for each serializer (a
        quarter of a short list request). Each field is made again from its arguments,
        as DRF copies declared fields, so no request shares a field's state."""
        return {name: _fresh(field) for name, field in type(self)._fields_built().items()}

    def represent(self, instance) -> dict:
        """DRF's representation of a record, the same answer in a third of the time: a
        column the answer shows as stored (text, numbers, dates, choices, a related
        record's number) is read straight from the row, without DRF's lookup of each
        field's source on every row; the rest (a unit's code, files) as DRF does."""
        data = {}
        for name, attname, how in self.plan():
            if attname is not None:
                if how is None or how.__class__ is not str:  # a stored column
                    value = getattr(instance, attname)
                    data[name] = value if how is None or value is None else how(value)
                    continue
                code = instance.__dict__.get(attname, _ABSENT)  # a list's unit code
                if code is not _ABSENT:
                    data[name] = code
                    continue
            field = self.fields[name]
            try:
                attribute = field.get_attribute(instance)
            except SkipField:
                continue
            pk = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
            data[name] = None if pk is None else field.to_representation(attribute)
        return data

    @classmethod
    def plan(cls) -> list[tuple[str, str | None, Any]]:
        """For each readable field, once per serializer class: (name, the row's
        attribute, the conversion or None for the value itself), (name, None, name) for a
        field answered by the serializer's own bound field, or for a unit field (name,
        the list row's annotated code, name). Conversions are those of the fields built
        once (`get_fields`): a stored value's conversion reads nothing of the request, so
        a read builds none of its fields unless one of them needs its request (a file's
        address) or a record read without a list's codes."""
        plan = cls.__dict__.get("_plan")
        if plan is None:
            columns = {f.name: f for f in cls.Meta.model._meta.concrete_fields}
            units = set(unit_keys(cls.record_type))
            built = cls._fields_built()
            plan = [(name, UNIT_CODE + name, name) if _source(name, field) in units
                    else _step(name, field, columns.get(_source(name, field)))
                    for name, field in built.items() if not field.write_only]
            cls._plan = plan
        return plan

    @classmethod
    def reads_columns_only(cls) -> bool:
        """Does the answer read only columns and a list's unit codes (no field that
        needs a record: files, other relations)? Then a list's rows need not be model
        instances (`prepared.Row`). Once per serializer class, as the plan."""
        only = cls.__dict__.get("_reads_columns_only")
        if only is None:
            only = all(how is None or how.__class__ is not str or attname is not None
                       for _name, attname, how in cls.plan())
            cls._reads_columns_only = only
        return only

    @classmethod
    def columns_read(cls) -> list[str]:
        """The columns the answer shows as stored (`plan`), by attribute name: all a
        list whose answer reads only columns selects (dates not shown are not read,
        whose conversion was a tenth of a list request on SQLite)."""
        return [attname for _name, attname, how in cls.plan()
                if attname is not None and (how is None or how.__class__ is not str)]

    @classmethod
    def _fields_built(cls) -> dict[str, serializers.Field]:
        built = cls.__dict__.get("_built_fields")
        if built is None:
            built = serializers.ModelSerializer.get_fields(cls())
            cls._built_fields = built
        return built

    def build_field(self, field_name, info, model_class, nested_depth):
        """DRF's field, always labelled with the model field's name: DRF leaves the label
        out where the name reads as the field's name in the language active at build
        time, and fields are built once for every language (`get_fields`)."""
        field_class, kwargs = super().build_field(field_name, info, model_class,
                                                  nested_depth)
        model_field = info.fields.get(field_name) or getattr(
            info.relations.get(field_name), "model_field", None)
        if getattr(model_field, "verbose_name", None) and "label" not in kwargs:
            kwargs["label"] = capfirst(model_field.verbose_name)
        return field_class, kwargs

    def get_unique_together_validators(self) -> list:
        """None: the write path's `full_clean` checks the same constraints (with the
        record type's own message), so DRF's validator was the same query a second time."""
        return []

    def get_unique_for_date_validators(self) -> list:
        """None, for the same reason: `full_clean` checks `unique_for_date` too. Working
        out that no field has one inspected the model on every write."""
        return []

    def to_representation(self, instance):
        """Personal fields masked (core.privacy), but those the detail endpoint was asked
        to reveal (`?reveal=`), permitted and logged."""
        data = self.represent(instance)
        revealed = self.context.get("reveal", ())
        for name, kind in privacy.fields_of(self.record_type).items():
            if data.get(name) not in (None, "") and name not in revealed:
                data[name] = privacy.mask(kind, data[name])
        return data


    def build_standard_field(self, field_name, model_field):
        """DRF's field for a model field, with the limits of its type (core.limits); a
        list of choices is a list of those choices, not any JSON."""
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        if getattr(model_field, "secret", False):  # core SecretField: written, never read
            kwargs["write_only"] = True
        if isinstance(model_field, ChoiceListField):
            kwargs = {k: v for k, v in kwargs.items() if k not in ("encoder", "decoder")}
            return serializers.ListField, {
                **kwargs, "child": serializers.ChoiceField(choices=model_field.options)}
        model_limits = getattr(model_field.model, "number_limits", None)
        numeric = isinstance(model_field, (models.IntegerField, models.FloatField))
        if numeric and not model_field.choices and not kwargs.get("read_only"):
            low, high = limits.number_range(model_field, model_limits)
            kwargs.update({k: v for k, v in (("min_value", low), ("max_value", high))
                           if v is not None})
        length = limits.text_max_length(model_field)
        if length and not kwargs.get("max_length"):
            kwargs["max_length"] = length
        extra = [v for v in limits.validators_for(model_field, model_limits)
                 if not hasattr(v, "limit_value")]  # lengths and ranges: DRF's own above
        if extra:
            kwargs["validators"] = [*kwargs.get("validators", []), *extra]
        return field_class, kwargs


def _fresh(field: serializers.Field) -> serializers.Field:
    """A new field from the arguments `field` was made with. A list's child field is
    bound to its list, so it is copied; the rest (choices, querysets, validators) is only
    read, or copied by the field itself."""
    kwargs = {key: copy.deepcopy(value) if key == "child" else value
              for key, value in field._kwargs.items()}
    return field.__class__(*field._args, **kwargs)


# DRF conversions that give back what a column of these kinds holds (text as text, a
# flag as the same flag, a whole number as the same number): such a column is answered
# as read, without a call per value (a tenth of a list's representation).
_AS_STORED = {
    serializers.CharField.to_representation: (models.CharField, models.TextField),
    serializers.BooleanField.to_representation: models.BooleanField,
    serializers.IntegerField.to_representation: models.IntegerField,
}


def _source(name: str, field: serializers.Field) -> str:
    """What the field reads, as DRF binds it (the fields built once are not bound)."""
    return field.source or name


def _step(name: str, field: serializers.Field, column: models.Field | None) -> tuple:
    """How `ScopedSerializer.represent` answers one field (see `plan`)."""
    if column is None or _source(name, field) != column.name or isinstance(
            column, models.FileField):
        return name, None, name
    if not column.is_relation:
        stored = type(field).to_representation in _AS_STORED and isinstance(
            column, _AS_STORED[type(field).to_representation])
        return name, column.attname, None if stored else field.to_representation
    plain_key = type(field) is StrictPrimaryKeyRelatedField and field.pk_field is None
    if (column.many_to_one or column.one_to_one) and plain_key:
        return name, column.attname, None  # the related record's number, as DRF answers
    return name, None, name


_ABSENT = object()
# A list's rows carry the code of each unit they name (`RecordViewSet.get_queryset`):
# one column, instead of joining every column of the unit and making a Unit per row.
UNIT_CODE = "_api_unit_code_"


def _a_number(key: Any) -> bool:
    """A record number as a path carries it: ASCII digits within a 64-bit column."""
    return isinstance(key, str) and key.isascii() and key.isdigit() and len(key) < 19


def unit_keys(rt: RecordType) -> list[str]:
    """The fields of the API that name a unit (by its code)."""
    return [name for name in rt.form_fields
            if isinstance(f := rt.model._meta.get_field(name), models.ForeignKey)
            and f.related_model is Unit]


def serializer_class(rt: RecordType) -> type[ScopedSerializer]:
    cached = getattr(rt, "_serializer_class", None)
    if cached is None:
        extra: dict = {}
        for name in unit_keys(rt):
            f = rt.model._meta.get_field(name)
            extra[name] = StrictSlugRelatedField(
                slug_field="code", queryset=Unit.objects.all(), label=capfirst(f.verbose_name),
                allow_null=f.null, required=not f.null)
        meta = type("Meta", (), {"model": rt.model,
                                 "fields": ["id", *rt.form_fields]})
        cached = type(f"{rt.model.__name__}Serializer", (ScopedSerializer,),
                      {"Meta": meta, "record_type": rt, **extra})
        rt._serializer_class = cached
    return cached


class RecordPermission(drf_permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        # Object actions are checked on the object, after get_object's 404 for
        # anything outside the caller's scope.
        action = ACTION_OF.get(view.action, "view") if view.action in ("list", "create") \
            else "view"
        return permissions.allowed(request.user, action, view.record_type)

    def has_object_permission(self, request, view, obj) -> bool:
        action = ACTION_OF.get(view.action, "view")
        return permissions.allowed(request.user, action, view.record_type,
                                   services._path_of(obj))


def _plain_records(queryset) -> bool:
    """Every record of a registered type (no `limit_choices_to`): what `related_by_pk`
    narrows as `related_choices` narrows the queryset."""
    model = getattr(queryset, "model", None)
    return (model is not None and model is not Unit and registry.is_registered(model)
            and not queryset.all().query.has_filters())


def _narrowed(field: serializers.RelatedField, user, action: str, rt: RecordType):
    """The field's `get_queryset` (which DRF's related fields read their choices and
    look a value up through) narrowed to what `user` may choose, built on first use:
    a write that leaves the field out (a person's linked account, mostly) does not build
    it (an eighth of a write did, for the account field alone)."""
    built: list = []

    def get_queryset():
        if not built:
            model = field.queryset.model
            if model is Unit:
                built.append(unit_choices(user, action, rt))
            elif model is get_user_model():
                built.append(account_choices(user, action, rt))
            elif registry.is_registered(model):
                built.append(related_choices(user, action, rt, field.field_name,
                                             field.queryset))
            else:
                built.append(field.queryset)
        return built[0].all()

    return get_queryset


class RecordViewSet(viewsets.ModelViewSet):
    record_type: RecordType
    permission_classes = [drf_permissions.IsAuthenticated, RecordPermission]

    def get_queryset(self):
        rt = self.record_type
        q = permissions.restrict(self.request.user, "view", rt)
        # The pages' order (index-backed: a province's page is read, not sorted), with
        # the key last so that pages never overlap; the units the rows name by code in
        # the same query, not one query per row: a list reads only their codes, a
        # single record (which its services and checks may follow to its unit) the unit.
        if self.action == "list":
            return list_of(rt, q)
        records = rt.model.objects.filter(q).order_by(*rt.model._meta.ordering, "pk")
        return records.select_related(*unit_keys(rt))

    def get_object(self):
        """DRF's: the record the path names among those the caller may see (404 else),
        its object permission checked. Where no query parameter asks DRF's filters for
        anything, read by SQL compiled once per scope shape (`prepared.first`) with the
        units it names (`prepared.related`, as `get_queryset`'s select_related): Django
        compiled the detail's query on every check-in at the gate (docs/benchmarks.md)."""
        key = self.kwargs.get(self.lookup_url_kwarg or self.lookup_field)
        if self.request.query_params or not _a_number(key):
            return super().get_object()
        rt = self.record_type
        q = permissions.restrict(self.request.user, "view", rt) & Q(pk=int(key))
        obj = prepared.first(rt.model, q)
        if obj is None:
            raise Http404
        for name in unit_keys(rt):
            prepared.related(obj, name)
        self.check_object_permissions(self.request, obj)
        return obj

    def list(self, request, *args, **kwargs):
        """DRF's list; a plain page (no filter, search or order asked) is read by SQL
        compiled once per scope shape and page (`ScopedRows`)."""
        if self.paginator is None or services.logs_reads(self.record_type) or \
                set(request.query_params) - {self.paginator.page_query_param}:
            return super().list(request, *args, **kwargs)
        q = permissions.restrict(request.user, "view", self.record_type)
        try:
            rows = ScopedRows(self.record_type, q)
        except prepared.Uncacheable:
            return super().list(request, *args, **kwargs)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def paginate_queryset(self, queryset):
        """The page of a list; a type that logs its reads logs the rows it sends."""
        page = super().paginate_queryset(queryset)
        if self.action == "list" and services.logs_reads(self.record_type):
            services.read(self.request.user, self.record_type,
                          list(queryset) if page is None else page, "api")
        return page

    @extend_schema(parameters=[OpenApiParameter(
        "reveal", str, required=False, description=(
            "Personal fields to answer in full, comma-separated, or `all` (only for a user "
            "granted the permission to see personal data in full at the record's unit; "
            "each such read is logged). Without it personal fields are masked."))])
    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        services.viewed(request.user, instance)  # e.g. a notice's read receipt
        serializer = self.get_serializer(instance)
        serializer.context["reveal"] = privacy.api_reveal(request, self.record_type, instance)
        return Response(serializer.data)

    def perform_create(self, serializer) -> None:
        serializer.instance = services.create_record(
            self.request.user, self.record_type.model, serializer.validated_data)

    def perform_update(self, serializer) -> None:
        serializer.instance = services.update_record(
            self.request.user, serializer.instance, serializer.validated_data)

    def perform_destroy(self, instance) -> None:
        services.delete_record(self.request.user, instance)


def list_of(rt: RecordType, q) -> models.QuerySet:
    """The API list of a type for a scope: the pages' order (index-backed: a province's
    page is read, not sorted) with the key last, so that pages never overlap; the units
    the rows name by their code in the same query (one column, not a unit per row)."""
    return rt.model.objects.filter(q).order_by(*rt.model._meta.ordering, "pk").annotate(
        **{UNIT_CODE + key: F(f"{key}__code") for key in unit_keys(rt)})


class ScopedRows:
    """The rows of `list_of(rt, q)` as the paginator slices them, read through SQL
    compiled once per type, scope shape and page (`core.prepared.PreparedShapes`):
    compiling the list's query and making its queryset were a third of a list request
    (docs/benchmarks.md). The rows hold the queryset's columns and unit codes: model
    instances, or plain `prepared.Row`s where the answer reads nothing else
    (`ScopedSerializer.reads_columns_only`); a full page's total is counted by the
    queryset. A scope whose
    values cannot be placeholders raises Uncacheable at once, a query that does not
    compile with them answers from the queryset."""

    ordered = True  # for Django's paginator: the order is list_of's

    def __init__(self, rt: RecordType, q) -> None:
        self.rt, self.q = rt, q
        self.split = prepared.shape_of(q)

    def __getitem__(self, index: slice) -> list:
        start, stop = index.start or 0, index.stop
        try:
            return _shapes(self.rt).objects(
                self.split, start, stop, light=serializer_class(self.rt).reads_columns_only())
        except prepared.Uncacheable:
            return list(list_of(self.rt, self.q)[start:stop])

    def count(self) -> int:
        return list_of(self.rt, self.q).count()


def _shapes(rt: RecordType) -> prepared.PreparedShapes:
    """The compiled list pages of a type; one whose answer reads only columns selects
    those (and the units' codes), not every column of the record."""
    answer = serializer_class(rt)

    def build(q, start: int, stop: int) -> models.QuerySet:
        rows = list_of(rt, q)
        if answer.reads_columns_only():
            rows = rows.only(*answer.columns_read())
        return rows[start:stop]

    return prepared.PreparedShapes.kept_on(rt, "_api_list_shapes", build)


def viewset_class(rt: RecordType) -> type[RecordViewSet]:
    return type(f"{rt.model.__name__}ViewSet", (RecordViewSet,), {
        "record_type": rt,
        "serializer_class": serializer_class(rt),
        "filterset_class": filterset_class(rt),
        "queryset": rt.model.objects.none(),
    })


def build_router() -> DefaultRouter:
    router = DefaultRouter()
    for rt in registry.record_types():
        router.register(rt.slug, viewset_class(rt), basename=rt.slug)
    return router


class Conflict(exceptions.APIException):
    status_code = 409
    default_code = "conflict"


def exception_handler(exc, context):
    """Model validation from the services becomes a 400 naming the fields; a target
    outside the caller's units, or a record that is not there, a 404 that says only
    "not found" (Django's lookup would name the model, in English); a delete refused
    because other records depend on the record, a 409."""
    if isinstance(exc, (services.OutOfScope, Http404)):
        exc = exceptions.NotFound()
    elif isinstance(exc, services.StillReferenced):
        exc = Conflict(exc.messages[0])
    elif isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors":
                                                                        exc.messages}
        exc = exceptions.ValidationError(detail)
    return drf_exception_handler(exc, context)


@csrf_exempt  # it changes nothing; a DELETE must read 404 in JSON, not the CSRF page
def not_found(request, *args, **kwargs) -> JsonResponse:
    """A path under /api/ that names no operation (or a record by something other than
    its number): the API's 404, in JSON like its other answers."""
    return JsonResponse({"detail": str(exceptions.NotFound.default_detail)}, status=404)


class TokenView(ObtainAuthToken):
    """POST user name and password: a new token and when it expires (throttled per
    address, and locked out like the login page). DELETE with a token: that token is
    revoked; with `?all=1` (token or signed-in session) every token of the user is."""

    throttle_classes = [TokenThrottle]
    parser_classes = [LimitedJSONParser, FormParser]

    def get_authenticators(self):
        """The credentials in a POST's body are its authentication; a DELETE must come
        with a token or a session."""
        if getattr(self.request, "method", None) == "POST":
            return []
        return [cls() for cls in api_settings.DEFAULT_AUTHENTICATION_CLASSES]

    def get_permissions(self):
        if getattr(self.request, "method", None) == "POST":
            return []
        return [drf_permissions.IsAuthenticated()]

    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        twofactor.check_token_request(user, request.data)
        instance, token = issue_token(user)
        return Response({"token": token, "expiry": instance.expiry})

    def delete(self, request, *args, **kwargs):
        if request.query_params.get("all") or not isinstance(request.auth, AuthToken):
            revoke_tokens(request.user)
        else:
            request.auth.delete()
        return Response(status=204)
