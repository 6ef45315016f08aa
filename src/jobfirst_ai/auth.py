"""JWT bearer verification compatible with the JobFirst backend: HS256 shared secret or RS256 public key."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from jobfirst_ai.config import Settings
from jobfirst_ai.errors import AuthError

ANONYMOUS = "anonymous"


@dataclass(frozen=True)
class Principal:
    """Who is calling: the token's subject and roles."""

    subject: str
    roles: frozenset[str] = frozenset()

    @property
    def is_admin(self) -> bool:
        """Admins may read global usage."""
        return "admin" in self.roles


class TokenVerifier:
    """Checks bearer tokens; only the configured algorithms are accepted, so `alg: none` never is."""

    def __init__(self, settings: Settings) -> None:
        self._keys: list[tuple[str | bytes, str]] = []
        if settings.jwt_secret is not None:
            self._keys.append((settings.jwt_secret.get_secret_value(), "HS256"))
        if settings.jwt_public_key:
            self._keys.append((_read_public_key(settings.jwt_public_key), "RS256"))
        self._audience = settings.jwt_audience
        self._issuer = settings.jwt_issuer
        required = ["sub", "exp"] if settings.jwt_require_exp else ["sub"]
        self._options: dict[str, object] = {
            "require": required,
            "verify_aud": settings.jwt_audience is not None,
            "verify_sub": False,  # the backend may use numeric user ids; checked in _principal
        }

    @property
    def is_enabled(self) -> bool:
        """False when no secret or key is configured: every caller is the same anonymous user."""
        return bool(self._keys)

    def verify(self, token: str | None) -> Principal:
        """The principal a valid token names; AuthError for a missing, expired or forged one."""
        if not self.is_enabled:
            return Principal(ANONYMOUS, frozenset({"admin"}))
        if not token:
            raise AuthError("缺少登录凭证 / Missing bearer token.", code="missing_token")
        import jwt  # only with auth on: PyJWT loads cryptography, ~9 MB a service without auth never needs

        for key, algorithm in self._keys:
            try:
                claims = jwt.decode(
                    token,
                    key,
                    algorithms=[algorithm],
                    audience=self._audience,
                    issuer=self._issuer,
                    options=self._options,  # type: ignore[arg-type]
                )
            except jwt.ExpiredSignatureError:
                raise AuthError("登录已过期 / The token has expired.", code="token_expired") from None
            except jwt.InvalidTokenError:
                continue
            return _principal(claims)
        raise AuthError("登录凭证无效 / The token is invalid.", code="invalid_token")


def _principal(claims: dict[str, object]) -> Principal:
    subject = claims.get("sub")
    if not isinstance(subject, str | int) or str(subject) == "":
        raise AuthError("登录凭证无效 / The token has no subject.", code="invalid_token")
    roles = claims.get("roles", claims.get("role", []))
    role_set = frozenset([roles] if isinstance(roles, str) else [str(role) for role in roles or []])  # type: ignore[attr-defined]
    return Principal(str(subject), role_set)


def _read_public_key(value: str) -> str:
    if "-----BEGIN" in value:
        return value
    return Path(value).read_text(encoding="utf-8")
