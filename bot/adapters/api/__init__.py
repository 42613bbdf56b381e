"""The JSON API for enterprise systems under ``/api/v1`` (issue 6): per-enterprise API
keys, the enterprise's complaints, and the staff actions on them. Storage-backed parts are
wired in ``bot/channels/api.py``; the OpenAPI document is :mod:`bot.adapters.api.openapi`."""
