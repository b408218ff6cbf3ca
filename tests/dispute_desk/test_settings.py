"""Settings in sections, read from the same flat environment names the README documents."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

import pytest
from pydantic import SecretStr, ValidationError

from desk_cli.app import describe_invalid
from dispute_desk.settings import ENV_NAMES, PROJECT_DIR, SECTIONS, Settings, load_settings

ROOT = Path(__file__).resolve().parents[2]

# Values that differ from the defaults and pass validation; the rest are derived from each field's type below.
SPECIAL = {
    "DESK_EMBEDDING_BACKEND": ("onnx", "onnx"),
    "DESK_EMBEDDING_DEVICE": ("cuda", "cuda"),
    "DESK_STORE_MODE": ("server", "server"),
    "DESK_LOG_LEVEL": ("debug", "DEBUG"),
    "DESK_LOG_FORMAT": ("json", "json"),
    "DESK_DISCORD_SHARDS": ("4", "4"),
    "DESK_DISCORD_SHARD_IDS": ("0-1", "0-1"),
    "DESK_CHROMA_PORT": ("8123", 8123),
    "DESK_METRICS_PORT": ("9100", 9100),
    "DESK_HASH_SECRET": ("ab" * 16, "ab" * 16),
}


def _documented() -> set[str]:
    """Every environment name in the first column of the README's settings tables."""
    names: set[str] = set()
    for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("| `"):
            names.update(re.findall(r"`((?:DESK_[A-Z_]+)|DISCORD_TOKEN)`", line.split("|")[1]))
    return names


def _sample(annotation: Any, default: Any, tmp_path: Path, name: str) -> tuple[str, Any]:
    """(environment text, the value it should become)."""
    args = [a for a in get_args(annotation) if a is not type(None)]
    kind = args[0] if get_origin(annotation) is not Literal and args else annotation
    if kind is bool:
        return ("false", False) if default else ("true", True)
    if kind is int:
        return (str((default or 0) + 1), (default or 0) + 1)
    if kind is float:
        value = round((default or 0.0) + 0.01, 4)
        return (str(value), value)
    if kind is Path:
        return (str(tmp_path / name.lower()), tmp_path / name.lower())
    return (f"value-of-{name.lower()}", f"value-of-{name.lower()}")


def test_every_documented_environment_name_is_a_setting() -> None:
    known = {name for where in ENV_NAMES.values() for name in where.names}
    documented = _documented()
    assert len(documented) > 50
    assert documented <= known, f"documented but not read: {sorted(documented - known)}"
    # ... and every setting is documented (under its first, documented name)
    undocumented = {"DESK_STORE_MODE", "DESK_COLLECTION_PREFIX", "DESK_PROGRESS_EDIT_SECONDS", "DESK_PROMPTS_DIR"}
    assert {where.names[0] for where in ENV_NAMES.values()} <= documented | undocumented


def test_each_documented_environment_name_lands_in_its_section(monkeypatch, tmp_path) -> None:
    expected: dict[str, tuple[str | None, str, Any]] = {}
    for where in ENV_NAMES.values():
        model = SECTIONS[where.section] if where.section else Settings
        field = model.model_fields[where.field]
        name = where.names[0]
        text, value = SPECIAL.get(name) or _sample(field.annotation, field.default, tmp_path, name)
        monkeypatch.setenv(name, text)
        expected[name] = (where.section, where.field, value)
    monkeypatch.setenv("DESK_CHROMA_HOST", "chroma.internal")  # server mode needs a host
    expected["DESK_CHROMA_HOST"] = ("store", "chroma_host", "chroma.internal")

    settings = load_settings()

    for name, (section, field, value) in expected.items():
        got = getattr(getattr(settings, section) if section else settings, field)
        if isinstance(got, SecretStr):
            got = got.get_secret_value()
        assert got == value, f"{name}: {got!r} != {value!r}"
    # a few by hand, so the table above cannot hide a mix-up
    assert settings.retrieval.top_k == 6 and settings.llm.model == "value-of-desk_llm_model"
    assert settings.embedding.backend == "onnx" and settings.discord.watch_daily_limit == 51
    assert settings.journal.hash_secret is not None and settings.ingest.max_file_mb == 20.01


def test_discord_token_keeps_its_conventional_name(monkeypatch) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "from-the-usual-name")
    assert load_settings().discord.token.get_secret_value() == "from-the-usual-name"
    monkeypatch.delenv("DISCORD_TOKEN")
    monkeypatch.setenv("DESK_DISCORD_TOKEN", "from-the-prefixed-name")
    assert load_settings().discord.token.get_secret_value() == "from-the-prefixed-name"


def test_the_env_file_fills_sections_and_the_environment_wins(monkeypatch, tmp_path) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("DESK_TOP_K=3\nDESK_CANDIDATES=40\nDESK_LLM_MODEL=from-file\n", encoding="utf-8")
    monkeypatch.setenv("DESK_CANDIDATES", "50")
    settings = load_settings()
    assert (settings.retrieval.top_k, settings.retrieval.candidates, settings.llm.model) == (3, 50, "from-file")
    assert load_settings(top_k=4).retrieval.top_k == 4  # keyword overrides win over both


def test_a_bad_value_is_named_by_its_environment_name(monkeypatch) -> None:
    monkeypatch.setenv("DESK_TOP_K", "lots")
    monkeypatch.setenv("DESK_LLM_TIMEOUT_SECONDS", "0")
    monkeypatch.setenv("DESK_LLM_API_KEY", "sk-never-printed")
    monkeypatch.setenv("DESK_LLM_MAX_TOKENS", "1")
    with pytest.raises(ValidationError) as caught:
        load_settings()
    message = describe_invalid(caught.value)
    assert "DESK_TOP_K=lots" in message and "DESK_LLM_TIMEOUT_SECONDS=0" in message
    assert "DESK_LLM_MAX_TOKENS=1" in message and "sk-never-printed" not in message


def test_data_dir_does_not_depend_on_the_working_directory(monkeypatch, tmp_path) -> None:
    monkeypatch.delenv("DESK_DATA_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    settings = load_settings()
    assert settings.data_dir == PROJECT_DIR / "data"  # was ./data of wherever the command ran
    assert settings.database_path == PROJECT_DIR / "data" / "desk.sqlite3"
    monkeypatch.setenv("DESK_DATA_DIR", "elsewhere/data")
    monkeypatch.setenv("DESK_KNOWLEDGE_DIR", "kb")
    settings = load_settings()
    assert settings.data_dir == PROJECT_DIR / "elsewhere" / "data" and settings.knowledge_dir == PROJECT_DIR / "kb"
    monkeypatch.setenv("DESK_DATA_DIR", str(tmp_path / "abs"))
    assert load_settings().data_dir == tmp_path / "abs"


def test_updated_changes_settings_by_their_flat_names(tmp_path) -> None:
    settings = load_settings(data_dir=tmp_path)
    changes = {"top_k": 2, "llm_provider": "openai", "discord_token": None, "data_dir": tmp_path / "x"}
    changed = settings.updated(changes)
    assert changed.retrieval.top_k == 2 and changed.llm.provider == "openai" and changed.discord.token is None
    assert changed.data_dir == tmp_path / "x"
    assert settings.retrieval.top_k == 5 and settings.data_dir == tmp_path  # the original is untouched
    with pytest.raises(KeyError, match="not a setting"):
        settings.updated({"top_kk": 2})
