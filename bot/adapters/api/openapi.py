"""The OpenAPI 3.1 document of ``/api/v1`` (served at ``/api/v1/openapi.json``), with the
outgoing webhooks described under ``webhooks``. Tests check that every route here exists
and answers with the documented statuses and fields."""

from __future__ import annotations

from typing import Any

from bot.adapters.api.ports import STATUSES

MAX_TEXT = 2000


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(kind: str, **extra: Any) -> dict[str, Any]:
    return {"type": [kind, "null"], **extra}


def _error(description: str) -> dict[str, Any]:
    return {"description": description,
            "content": {"application/json": {"schema": _ref("Error")}}}


def _ok(schema: str, description: str) -> dict[str, Any]:
    return {"description": description,
            "content": {"application/json": {"schema": _ref(schema)}}}


REFERENCE = {"name": "reference", "in": "path", "required": True,
             "description": "The complaint's reference number, e.g. TS20261123000001",
             "schema": {"type": "string", "maxLength": 20}}

_SUMMARY_FIELDS: dict[str, Any] = {
    "reference": {"type": "string", "examples": ["TS20261123000001"]},
    "status": {"type": "string", "enum": list(STATUSES)},
    "category": {"type": "string", "description": "TAXONOMY.md category code (G01…S12, X00)"},
    "nature": {"type": "string", "description": "problem code (quality, price, contract…)"},
    "product": {"type": "string"},
    "amount": _nullable("number"),
    "purchase_date": _nullable("string", format="date"),
    "demands": {"type": "array", "items": {"type": "string"}},
    "deadline": {"type": "string", "format": "date",
                 "description": "the ODR deadline for the enterprise (China time)"},
    "consumer_name": _nullable("string", description="null until the complaint is accepted"),
    "consumer_phone": _nullable("string", description="null until the complaint is accepted"),
}
_DETAIL_FIELDS: dict[str, Any] = {
    "consumer_address": _nullable("string", description="null until the complaint is accepted"),
    "merchant": {"type": "string"},
    "merchant_address": {"type": "string"},
    "channel": {"type": "string", "description": "offline, online, livestream, tv_phone_mail"},
    "facts": {"type": "string"},
    "order_no": _nullable("string"),
    "submitted_at": {"type": "string", "format": "date-time"},
    "accepted_at": _nullable("string", format="date-time"),
    "first_response_at": _nullable("string", format="date-time"),
    "resolved_at": _nullable("string", format="date-time"),
    "proposal": _nullable("string"),
    "outcome": _nullable("string"),
    "rating": _nullable("integer", minimum=1, maximum=5),
    "evidence_count": {"type": "integer", "minimum": 0},
}

SCHEMAS: dict[str, Any] = {
    "Error": {"type": "object", "required": ["error"], "properties": {"error": {
        "type": "object", "required": ["code", "message"], "properties": {
            "code": {"type": "string", "enum": [
                "unauthorized", "not_found", "illegal_state", "validation_error",
                "too_large", "method_not_allowed", "unavailable", "bad_request"]},
            "message": {"type": "string"}}}}},
    "ComplaintSummary": {"type": "object", "required": list(_SUMMARY_FIELDS),
                         "properties": _SUMMARY_FIELDS},
    "Complaint": {"type": "object", "required": [*_SUMMARY_FIELDS, *_DETAIL_FIELDS],
                  "properties": {**_SUMMARY_FIELDS, **_DETAIL_FIELDS}},
    "ThreadMessage": {"type": "object", "required": ["sender", "channel", "kind", "text", "at",
                                                     "has_photo"], "properties": {
        "sender": {"type": "string", "enum": ["consumer", "enterprise", "system"]},
        "channel": {"type": "string"},
        "kind": {"type": "string", "enum": ["message", "proposal", "refusal", "result",
                                            "answer"]},
        "text": {"type": "string"},
        "at": {"type": "string", "format": "date-time"},
        "has_photo": {"type": "boolean"}}},
    "ComplaintWithThread": {"allOf": [_ref("Complaint"), {
        "type": "object", "required": ["thread"],
        "properties": {"thread": {"type": "array", "items": _ref("ThreadMessage")}}}]},
    "ComplaintList": {"type": "object", "required": ["complaints", "limit", "offset"],
                      "properties": {"complaints": {"type": "array", "items": _ref("Complaint")},
                                     "limit": {"type": "integer"},
                                     "offset": {"type": "integer"}}},
    "ComplaintEnvelope": {"type": "object", "required": ["complaint"],
                          "properties": {"complaint": _ref("Complaint")}},
    "ComplaintDetailEnvelope": {"type": "object", "required": ["complaint"],
                                "properties": {"complaint": _ref("ComplaintWithThread")}},
    "Text": {"type": "object", "required": ["text"], "properties": {
        "text": {"type": "string", "minLength": 1, "maxLength": MAX_TEXT}}},
    "WebhookEvent": {"type": "object", "required": ["event", "at", "complaint", "delivery_id"],
                     "properties": {
        "event": {"type": "string", "enum": [
            "complaint_submitted", "consumer_message", "accepted", "staff_message", "proposed",
            "proposal_answered", "refused", "closed", "rated", "withdrawn", "escalated",
            "extended", "overdue"]},
        "at": {"type": "string", "format": "date-time"},
        "delivery_id": {"type": "string", "description": "same as X-ODR-Delivery"},
        "complaint": _ref("ComplaintSummary"),
        "text": {"type": "string", "description": "the message, proposal, reason or result"},
        "accepted": {"type": "boolean", "description": "proposal_answered: the answer"},
        "rating": {"type": "integer", "description": "rated: 1–5 stars"},
        "days": {"type": "integer", "description": "extended: working days added"}}},
}

_AUTH_ERRORS = {"401": _error("Missing or unknown API key"),
                "404": _error("No such complaint for this enterprise (unknown or another "
                              "enterprise's reference: the same answer)")}


def _action(summary: str, with_text: bool) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "summary": summary, "parameters": [REFERENCE],
        "responses": {"200": _ok("ComplaintEnvelope", "The complaint after the action"),
                      **_AUTH_ERRORS,
                      "409": _error("The complaint's state does not allow this action"),
                      "413": _error(f"The text is longer than {MAX_TEXT} characters or the "
                                    "body larger than 64 KB")}}
    if with_text:
        operation["requestBody"] = {"required": True, "content": {
            "application/json": {"schema": _ref("Text")}}}
        operation["responses"]["422"] = _error("Not JSON, or the text is missing or empty")
    return operation


def _paths() -> dict[str, Any]:
    ref = "/complaints/{reference}"
    return {
        "/complaints": {"get": {
            "summary": "List the enterprise's complaints, nearest deadline first",
            "parameters": [
                {"name": "status", "in": "query", "schema": {"type": "string"},
                 "description": "comma-separated states, e.g. submitted,accepted"},
                {"name": "category", "in": "query", "schema": {"type": "string"}},
                {"name": "q", "in": "query", "schema": {"type": "string", "maxLength": 32},
                 "description": "a reference number or part of the consumer's phone"},
                {"name": "limit", "in": "query",
                 "schema": {"type": "integer", "minimum": 1, "maximum": 200, "default": 50}},
                {"name": "offset", "in": "query",
                 "schema": {"type": "integer", "minimum": 0, "default": 0}}],
            "responses": {"200": _ok("ComplaintList", "The complaints"),
                          "401": _AUTH_ERRORS["401"],
                          "422": _error("A parameter is invalid")}}},
        ref: {"get": {"summary": "One complaint with its negotiation thread",
                      "parameters": [REFERENCE],
                      "responses": {"200": _ok("ComplaintDetailEnvelope", "The complaint"),
                                    **_AUTH_ERRORS}}},
        ref + "/messages": {"post": _action("Send a message to the consumer (answering a "
                                            "submitted complaint accepts it)", True)},
        ref + "/accept": {"post": _action("Accept the complaint (受理)", False)},
        ref + "/propose": {"post": _action("Propose a settlement to the consumer", True)},
        ref + "/refuse": {"post": _action("Refuse, with the reason told to the consumer", True)},
        ref + "/settle": {"post": _action("Record that the agreed settlement was carried out "
                                          "(closes the case)", True)},
    }


WEBHOOK = {"post": {
    "summary": "An event on one of the enterprise's complaints",
    "description": "Signed: X-ODR-Signature = 'sha256=' + hex HMAC-SHA256 of "
                   "'{X-ODR-Timestamp}.{raw body}' with the webhook secret. Answer 2xx to "
                   "acknowledge; 408/429/5xx/timeouts are retried with backoff.",
    "parameters": [{"name": h, "in": "header", "required": True, "schema": {"type": "string"}}
                   for h in ("X-ODR-Timestamp", "X-ODR-Signature", "X-ODR-Delivery",
                             "X-ODR-Event")],
    "requestBody": {"required": True, "content": {
        "application/json": {"schema": _ref("WebhookEvent")}}},
    "responses": {"200": {"description": "Received"}}}}


def document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "odrbot enterprise API", "version": "1.0.0",
                 "description": "The complaints of one ODR enterprise (chosen by the API key) "
                                "and the staff actions on them. See docs/api.md."},
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "paths": _paths(),
        "webhooks": {"complaintEvent": WEBHOOK},
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                           "description": "odrbot enterprises api-key ID"}}},
    }
