"""Settings: the seed's names, database URL resolution, start-up refusals that name the variable."""

from __future__ import annotations

from pathlib import Path

import pytest

from jobfirst_ai.config import load_settings
from jobfirst_ai.errors import ConfigError


def test_the_seed_names_are_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EXTERNAL_AI_PROVIDER", "DeepSeek")
    monkeypatch.setenv("EXTERNAL_AI_API_KEY", "sk-test")
    monkeypatch.setenv("AI_SERVICE_PORT", "9000")
    monkeypatch.setenv("OLLAMA_MODEL", "qwen3:4b")

    settings = load_settings(_env_file=None)

    assert settings.external_ai_provider == "deepseek"
    assert settings.ai_service_port == 9000
    assert settings.ollama_model == "qwen3:4b"
    assert settings.is_model_configured
    assert "sk-test" not in repr(settings)


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("AI_SERVICE_PORT", "eighty"),
        ("AI_SERVICE_PORT", "70000"),
        ("EXTERNAL_AI_PROVIDER", "skynet"),
        ("MAX_UPLOAD_MB", "-1"),
        ("TASK_WORKERS", "0"),
    ],
)
def test_invalid_settings_name_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)

    with pytest.raises(ConfigError, match=variable):
        load_settings(_env_file=None)


def test_database_url_resolution(monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_settings(_env_file=None, data_dir="/srv/x").resolved_database_url() == (
        "sqlite+aiosqlite:////srv/x/jobfirst_ai.db"
    )
    monkeypatch.setenv("POSTGRES_HOST", "db")
    monkeypatch.setenv("POSTGRES_USER", "szjason72")
    monkeypatch.setenv("POSTGRES_PASSWORD", "p@ss")
    assert load_settings(_env_file=None).resolved_database_url() == (
        "postgresql+asyncpg://szjason72:p%40ss@db:5432/jobfirst_vector"
    )
    monkeypatch.setenv("DATABASE_URL", "postgres://u@h/d")
    assert load_settings(_env_file=None).resolved_database_url() == "postgresql+asyncpg://u@h/d"


def test_binding_beyond_loopback_needs_auth_or_consent() -> None:
    open_settings = load_settings(_env_file=None)
    open_settings.check_bind("127.0.0.1")
    with pytest.raises(ConfigError, match="JWT_SECRET"):
        open_settings.check_bind("0.0.0.0")
    load_settings(_env_file=None, jwt_secret="s" * 32).check_bind("0.0.0.0")
    load_settings(_env_file=None, allow_insecure_bind=True).check_bind("0.0.0.0")


def test_empty_values_from_env_example_mean_unset(tmp_path: object, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JWT_SECRET", "")
    monkeypatch.setenv("EXTERNAL_AI_API_KEY", "")

    settings = load_settings(_env_file=None)

    assert not settings.is_auth_enabled
    assert not settings.is_model_configured


@pytest.mark.parametrize("model", ["deepseek-chat", "deepseek-reasoner"])
def test_a_retired_deepseek_model_stops_start_up_naming_the_replacement(
    monkeypatch: pytest.MonkeyPatch, model: str
) -> None:
    monkeypatch.setenv("EXTERNAL_AI_PROVIDER", "deepseek")
    monkeypatch.setenv("EXTERNAL_AI_MODEL", model)

    with pytest.raises(ConfigError, match="deepseek-flash"):
        load_settings(_env_file=None)


def test_a_fallback_chain_names_only_known_providers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AI_FALLBACK_CHAIN", "deepseek,skynet")

    with pytest.raises(ConfigError, match="AI_FALLBACK_CHAIN"):
        load_settings(_env_file=None)


def test_the_chain_leaves_out_providers_without_a_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EXTERNAL_AI_PROVIDER", "deepseek")
    monkeypatch.setenv("AI_FALLBACK_CHAIN", "deepseek,openai,ollama")
    monkeypatch.setenv("EXTERNAL_AI_API_KEY", "sk-primary")

    assert load_settings(_env_file=None).provider_chain() == ["deepseek", "ollama"]


def test_env_example_lists_every_setting() -> None:
    from pathlib import Path

    from jobfirst_ai.config import Settings

    example = Path(__file__).resolve().parent.parent / ".env.example"
    lines = example.read_text(encoding="utf-8").splitlines()
    listed = {line.split("=", 1)[0] for line in lines if "=" in line and not line.startswith("#")}

    assert listed == {name.upper() for name in Settings.model_fields}


def test_a_missing_prices_file_stops_start_up_naming_the_variable(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="AI_PRICES_FILE"):
        load_settings(_env_file=None, ai_prices_file=tmp_path / "no-such-prices.toml")


def test_an_operators_prices_file_is_read_over_the_shipped_one(tmp_path: Path) -> None:
    from jobfirst_ai.llm.pricing import load_price_table

    path = tmp_path / "prices.toml"
    path.write_text(
        (Path(__file__).parent.parent / "src/jobfirst_ai/data/prices.toml").read_text("utf-8"), "utf-8"
    )

    settings = load_settings(_env_file=None, ai_prices_file=path)

    assert settings.ai_prices_file == path
    assert load_price_table(settings.ai_prices_file) == load_price_table()
