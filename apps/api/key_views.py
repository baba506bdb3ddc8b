"""Owners manage API keys: list, create (the full key is in the creation response only),
revoke."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.api.base import model_out
from apps.api.conventions import validated
from apps.api.keys import api_key_create, api_key_revoke
from apps.api.models import ApiKey

ApiKeyOut = model_out("ApiKeyOut", ApiKey, [
    "id", "name", "prefix", "scope", "created_by_email", "created_at", "last_used_at",
    "revoked_at"])


class ApiKeyCreatedOut(ApiKeyOut):
    key = serializers.CharField(help_text="The full key. Shown once; store it now.")

    class Meta(ApiKeyOut.Meta):
        fields = [*ApiKeyOut.Meta.fields, "key"]


class ApiKeyIn(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    scope = serializers.ChoiceField(choices=ApiKey.Scope.choices)


class ApiKeyListView(APIView):
    @extend_schema(responses=ApiKeyOut(many=True))
    def get(self, request):
        return Response(ApiKeyOut(ApiKey.objects.all(), many=True).data)

    @extend_schema(request=ApiKeyIn, responses={201: ApiKeyCreatedOut}, examples=[
        OpenApiExample("A read-only key", value={"name": "Spreadsheet", "scope": "read"},
                       request_only=True)])
    def post(self, request):
        data = validated(ApiKeyIn, request)
        key, raw = api_key_create(actor=request.user, business=request.business,
                                  **data)
        key.key = raw
        return Response(ApiKeyCreatedOut(key).data, status=201)


class ApiKeyRevokeView(APIView):
    @extend_schema(request=None, responses={204: None})
    def delete(self, request, pk: int):
        api_key_revoke(actor=request.user, business=request.business, key_id=pk)
        return Response(status=204)
