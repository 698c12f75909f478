"""The integration API: bearer tokens, JSON under /api/v1, an OpenAPI document."""
