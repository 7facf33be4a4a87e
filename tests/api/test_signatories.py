"""Institutions name the officials who sign their diplomas (printed on the PDF): validated,
set by the institution itself or the NIC administrator, public on the institution's profile."""

from __future__ import annotations

from fastapi.testclient import TestClient

from conftest import Tenant

RECTOR = {
    "name": {"kk": "Айбек Сейітов", "ru": "Айбек Сеитов", "en": "Aibek Seitov"},
    "title": {"kk": "Ректор", "ru": "Ректор", "en": "Rector"},
}
DEAN = {"name": {"en": "Dana Omarova"}, "title": {"en": "Dean", "ru": "Декан"}}


def test_a_university_registered_with_signatories(client: TestClient, admin_key: str) -> None:
    response = client.post(
        "/v1/institutions",
        json={"slug": "satbayev", "name": "Satbayev University", "signatories": [RECTOR]},
        headers={"Authorization": f"Bearer {admin_key}"},
    )
    assert response.status_code == 201, response.text
    assert response.json()["institution"]["signatories"] == [RECTOR]
    assert client.get("/v1/institutions/satbayev").json()["signatories"] == [RECTOR]


def test_the_institution_sets_its_own_signatories(client: TestClient, kaznu: Tenant) -> None:
    assert client.get("/v1/institutions/kaznu").json()["signatories"] == []
    response = client.put(
        "/v1/institutions/kaznu/signatories",
        json={"signatories": [RECTOR, DEAN]},
        headers=kaznu.headers,
    )
    assert response.status_code == 200, response.text
    assert response.json()["signatories"] == [RECTOR, DEAN]
    cleared = client.put(
        "/v1/institutions/kaznu/signatories", json={"signatories": []}, headers=kaznu.headers
    )
    assert cleared.json()["signatories"] == []


def test_another_institution_cannot(client: TestClient, kaznu: Tenant, enu: Tenant) -> None:
    response = client.put(
        "/v1/institutions/kaznu/signatories", json={"signatories": [RECTOR]}, headers=enu.headers
    )
    assert response.status_code == 403
    assert client.get("/v1/institutions/kaznu").json()["signatories"] == []
    anonymous = client.put("/v1/institutions/kaznu/signatories", json={"signatories": []})
    assert anonymous.status_code == 401


def test_bad_signatories_are_refused_and_change_nothing(client: TestClient, kaznu: Tenant) -> None:
    for bad in (
        [RECTOR] * 4,
        [{"name": {"en": "Evil\u202eName"}, "title": {"en": "Rector"}}],
        [{"name": {"fr": "Recteur"}, "title": {"en": "Rector"}}],
        [{"name": {"kk": "Ректор"}, "title": {"kk": "Ректор"}}],
        [{"name": {"en": "x" * 121}, "title": {"en": "Rector"}}],
    ):
        response = client.put(
            "/v1/institutions/kaznu/signatories", json={"signatories": bad}, headers=kaznu.headers
        )
        assert response.status_code == 422, bad
        assert response.headers["content-type"].startswith("application/problem+json")
    assert client.get("/v1/institutions/kaznu").json()["signatories"] == []
