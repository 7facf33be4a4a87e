"""The browser front end: graduates claim diplomas and manage share links; verifiers open links
or upload a diploma (JSON, PDF, QR image, pasted JSON, link) and read the verification page.

Every page works without JavaScript. Share-link pages and uploads answer JSON to clients that
ask for it (``Accept: application/json``), with the same report as the API.

One module per audience: ``graduate`` (claim, ``/me``), ``links`` (verifiers with a share
link), ``upload`` (verifiers with a file), ``recognition`` (statements, ``/compare``); what
they share (forms, CSRF, limits, error pages) is in ``shared``.
"""

from __future__ import annotations

from fastapi import APIRouter

from diploma_exchange.web.pages import graduate, links, recognition, upload

router = APIRouter(include_in_schema=False)
for _module in (graduate, links, recognition, upload):
    router.include_router(_module.router)

__all__ = ["router"]
