"""JWT bearer auth: valid tokens pass, every kind of bad token is 401, users see only their own work."""

from __future__ import annotations

import base64
import json

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi.testclient import TestClient

from tests.conftest import ClientFactory
from tests.support.api import SECRET, bearer, make_token, wait_for_task

BODY = {"content": "李四，数据分析师，3年Python与SQL经验"}


@pytest.fixture
def secured(make_client: ClientFactory) -> TestClient:
    return make_client(jwt_secret=SECRET)


def _unsigned(subject: str) -> str:
    def part(value: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part({'sub': subject, 'exp': 9999999999})}."


@pytest.mark.parametrize(
    ("headers", "code"),
    [
        ({}, "missing_token"),
        (bearer(make_token(expires_in=-60)), "token_expired"),
        (bearer("not.a.token"), "invalid_token"),
        (bearer(_unsigned("user-1")), "invalid_token"),
        (bearer(make_token(secret="another-secret-that-is-long-enough!")), "invalid_token"),
        (bearer(jwt.encode({"sub": "user-1"}, SECRET, algorithm="HS256")), "invalid_token"),
    ],
    ids=["missing", "expired", "malformed", "alg-none", "wrong-signature", "no-exp"],
)
def test_bad_tokens_are_401(secured: TestClient, headers: dict[str, str], code: str) -> None:
    response = secured.post("/api/v1/ai/start-analysis", json=BODY, headers=headers)

    assert response.status_code == 401
    assert response.json()["error"]["code"] == code
    assert response.headers["www-authenticate"] == "Bearer"


def test_a_user_sees_only_their_own_analyses(secured: TestClient) -> None:
    alice, bob = bearer(make_token("alice")), bearer(make_token("bob"))
    task_id = secured.post("/api/v1/ai/start-analysis", json=BODY, headers=alice).json()["task_id"]

    assert wait_for_task(secured, task_id, alice)["status"] == "succeeded"
    response = secured.get(f"/api/v1/ai/analyses/{task_id}", headers=bob)
    assert response.status_code == 404


def test_rs256_tokens_verify_with_the_public_key(make_client: ClientFactory) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public_pem = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    client = make_client(jwt_public_key=public_pem)
    signed = jwt.encode({"sub": "carol", "exp": 9999999999}, key, algorithm="RS256")

    assert client.post("/api/v1/ai/start-analysis", json=BODY, headers=bearer(signed)).status_code == 202
    hs_token = make_token("carol")
    assert client.post("/api/v1/ai/start-analysis", json=BODY, headers=bearer(hs_token)).status_code == 401


def test_numeric_subjects_are_accepted(secured: TestClient) -> None:
    token = jwt.encode({"sub": 42, "exp": 9999999999}, SECRET, algorithm="HS256")

    assert secured.post("/api/v1/ai/start-analysis", json=BODY, headers=bearer(token)).status_code == 202
