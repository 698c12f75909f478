"""Webhooks: learning events going out to CRMs and other systems.

Services write events to the outbox (`platform.outbox`) in their own transaction; admins
register endpoints (`endpoints`, pages in `views`); the worker (`worker`, `cev-learn worker`)
dispatches each event to the endpoints that want it and sends it signed per the Standard
Webhooks specification (`sending`), to addresses the SSRF guard allows (`addresses`),
retrying with backoff for about a day. See docs/webhooks.md."""
