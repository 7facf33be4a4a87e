"""FastAPI dependencies as ``Annotated`` aliases: settings, database session, principals."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import Depends, Path, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from diploma_exchange.config import Settings
from diploma_exchange.errors import Forbidden, InvalidInput, NotAuthenticated
from diploma_exchange.services import institutions
from diploma_exchange.services.institutions import Principal
from diploma_exchange.services.verification import PRIMARY_ENGINE_KEY, RemoteLookups

bearer = HTTPBearer(auto_error=False, description="An API key: `Authorization: Bearer dx_...`")


# Trivial dependencies are ``async``: a sync one costs a thread-pool hop per request.
async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def get_session(request: Request) -> Iterator[Session]:
    """One session per request: committed when the handler returns, rolled back on error."""
    engine: Engine = request.app.state.engine
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def get_read_session(request: Request) -> Iterator[Session]:
    """A session on the read replica when one is configured (else the primary), for routes
    that only read: it is never committed, and anything written would be rolled back."""
    engine: Engine = request.app.state.read_engine
    with Session(engine, expire_on_commit=False) as session:
        # Where the rare write of a read route goes (re-signing a stale status list).
        session.info[PRIMARY_ENGINE_KEY] = request.app.state.engine
        try:
            yield session
        finally:
            # This runs after the response was sent: a rollback on a connection that the
            # database dropped (restart, failover) must not raise into the server, which
            # would close the client's keep-alive connection under its next request.
            with contextlib.suppress(SQLAlchemyError):
                session.rollback()


async def json_body(request: Request) -> Any:
    """The request's JSON body (parsed strictly by ``StrictJsonRoute``), read on the event loop
    so that the handler can be a plain ``def`` running in the thread pool. An empty body is a
    400 problem (``StrictJsonRoute`` parses only bodies that have content)."""
    if not await request.body():
        raise InvalidInput("the body is empty; send a JSON document")
    return await request.json()


async def get_remote(request: Request) -> RemoteLookups:
    remote: RemoteLookups = request.app.state.remote
    return remote


SettingsDep = Annotated[Settings, Depends(get_settings)]
RemoteDep = Annotated[RemoteLookups, Depends(get_remote)]
# ``scope="function"``: commit before the response is sent. With FastAPI's default
# ("request") the commit ran after the client already had its 201, so a failed commit (the
# database restarting, a serialization failure) reported success for data never stored.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
ReadSessionDep = Annotated[Session, Depends(get_read_session)]


def get_principal(
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)],
) -> Principal:
    if credentials is None:
        raise NotAuthenticated("send an API key as `Authorization: Bearer dx_...`")
    return institutions.authenticate(session, credentials.credentials)


def get_admin(principal: Annotated[Principal, Depends(get_principal)]) -> Principal:
    if not principal.is_admin:
        raise Forbidden("this operation needs the NIC administrator's API key")
    return principal


def get_institution_principal(principal: Annotated[Principal, Depends(get_principal)]) -> Principal:
    if principal.institution is None:
        raise Forbidden("this operation needs an institution's API key")
    return principal


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]
AdminPrincipal = Annotated[Principal, Depends(get_admin)]
InstitutionPrincipal = Annotated[Principal, Depends(get_institution_principal)]

# Path parameters with the bounds the server enforces (422 beyond them), so that the OpenAPI
# document states them: a diploma's id is at most 255 characters (its column), a slug what
# services.institutions.SLUG_RE allows, other record ids (UUIDs) at most 64.
CredentialIdPath = Annotated[
    str, Path(min_length=1, max_length=255, description="The diploma's id (urn:uuid:...).")
]
SlugPath = Annotated[
    str,
    Path(
        min_length=1,
        max_length=64,
        pattern=institutions.SLUG_RE.pattern,
        description="The institution's slug.",
    ),
]
RecordIdPath = Annotated[str, Path(min_length=1, max_length=64)]
StatementIdPath = Annotated[
    str, Path(min_length=1, max_length=255, description="The statement's id (urn:uuid:...).")
]
