"""One typed settings object, read from the environment and an optional ``.env`` file, in sections.

``Settings`` holds the paths, logging and metrics, and one section per part of the program: ``embedding``,
``store``, ``retrieval``, ``answering``, ``llm``, ``ingest``, ``journal`` and ``discord``. The environment names
stay flat, as documented in the README: ``DISCORD_TOKEN`` keeps its conventional name, everything else is
``DESK_<NAME>`` (``DESK_TOP_K`` -> ``settings.retrieval.top_k``, ``DESK_LLM_MODEL`` -> ``settings.llm.model``).
``ENV_NAMES`` maps each setting's flat name (``top_k``, ``llm_model``) to its section, field and environment names.

Nothing is read at import time: call ``Settings()`` (or ``load_settings()``) where the program starts. Relative
paths (``DESK_DATA_DIR=data``) are taken from the project folder, never from the current working directory.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal, NamedTuple

from pydantic import Field, field_validator
from pydantic_settings import (
    BaseSettings,
    DotEnvSettingsSource,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from dispute_desk.settings_sections import (
    DEFAULT_MODEL,
    PROJECT_DIR,
    SECTIONS,
    AnsweringSettings,
    DiscordSettings,
    EmbeddingSettings,
    IngestSettings,
    JournalSettings,
    LLMSettings,
    RetrievalSettings,
    Section,
    StoreSettings,
    project_path,
)

__all__ = [
    "DEFAULT_MODEL",
    "ENV_NAMES",
    "PROJECT_DIR",
    "SECTIONS",
    "AnsweringSettings",
    "DiscordSettings",
    "EmbeddingSettings",
    "EnvName",
    "IngestSettings",
    "JournalSettings",
    "LLMSettings",
    "RetrievalSettings",
    "Section",
    "Settings",
    "StoreSettings",
    "env_name",
    "load_settings",
]

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class EnvName(NamedTuple):
    section: str | None  # None: a field of Settings itself
    field: str
    names: tuple[str, ...]  # environment names, the documented one first


def _env_names() -> dict[str, EnvName]:
    """Flat name (the documented environment name without ``DESK_``, lower case) -> where the setting lives."""
    table = {
        name: EnvName(None, name, (f"DESK_{name.upper()}",)) for name in Settings.model_fields if name not in SECTIONS
    }
    for section, model in SECTIONS.items():
        for field in model.model_fields:
            names = model.env_names(field)
            documented = next((n for n in names if n.startswith("DESK_")), names[0])
            table[documented.removeprefix("DESK_").lower()] = EnvName(section, field, names)
    return table


class _SectionsFrom(PydanticBaseSettingsSource):
    """The sections' values from the flat environment names that ``source`` (the environment or .env) holds."""

    def __init__(self, settings_cls: type[BaseSettings], source: EnvSettingsSource) -> None:
        super().__init__(settings_cls)
        self.source = source

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:  # pragma: no cover - unused
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        found = {name.lower(): value for name, value in self.source.env_vars.items() if value is not None}
        data: dict[str, Any] = {}
        for section, model in SECTIONS.items():
            for field in model.model_fields:
                value = next((found[n.lower()] for n in model.env_names(field) if n.lower() in found), None)
                if value is not None:
                    data.setdefault(section, {})[field] = value
        return data


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="DESK_", env_file=".env", env_file_encoding="utf-8", extra="ignore", allow_inf_nan=False
    )

    # Where everything the bot writes lives: index, reports, database.
    data_dir: Path = PROJECT_DIR / "data"
    knowledge_dir: Path = PROJECT_DIR / "knowledge"
    prompts_dir: Path = PROJECT_DIR / "prompts"
    model_cache_dir: Path | None = None  # where the ONNX export is kept; default <data_dir>/models

    log_level: str = "INFO"
    log_format: Literal["text", "json"] = "text"
    metrics_port: int | None = Field(default=None, ge=0, le=65535)  # Prometheus endpoint, off when unset
    metrics_host: str = "127.0.0.1"

    embedding: EmbeddingSettings = Field(default_factory=EmbeddingSettings)
    store: StoreSettings = Field(default_factory=StoreSettings)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    answering: AnsweringSettings = Field(default_factory=AnsweringSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    ingest: IngestSettings = Field(default_factory=IngestSettings)
    journal: JournalSettings = Field(default_factory=JournalSettings)
    discord: DiscordSettings = Field(default_factory=DiscordSettings)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        assert isinstance(env_settings, EnvSettingsSource) and isinstance(dotenv_settings, DotEnvSettingsSource)
        return (
            init_settings,
            env_settings,
            _SectionsFrom(settings_cls, env_settings),
            dotenv_settings,
            _SectionsFrom(settings_cls, dotenv_settings),
            file_secret_settings,
        )

    @field_validator("log_level", mode="after")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in LOG_LEVELS:
            raise ValueError(f"must be one of {', '.join(LOG_LEVELS)}")
        return level

    @field_validator("data_dir", "knowledge_dir", "prompts_dir", "model_cache_dir", mode="after")
    @classmethod
    def _resolve(cls, value: Path | None) -> Path | None:
        return project_path(value) if value is not None else None

    @property
    def gate_path(self) -> Path:
        return self.prompts_dir / "answerability-gate.json"

    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def models_dir(self) -> Path:
        return self.model_cache_dir or self.data_dir / "models"

    @property
    def reports_dir(self) -> Path:
        return self.data_dir / "reports"

    @property
    def database_path(self) -> Path:
        return self.data_dir / "desk.sqlite3"

    @property
    def lock_path(self) -> Path:
        return self.data_dir / "ingest.lock"

    def updated(self, changes: Mapping[str, object]) -> Settings:
        """A copy with some settings changed, named flat as in ``ENV_NAMES`` (``{"top_k": 3, "data_dir": p}``).

        Like ``model_copy(update=...)``, the values are not validated (tests and benchmarks set what they need).
        """
        top, by_section = _grouped(changes)
        for section, values in by_section.items():
            top[section] = getattr(self, section).model_copy(update=values)
        return self.model_copy(update=top)


def _lookup(name: str) -> EnvName:
    try:
        return ENV_NAMES[name]
    except KeyError:
        raise KeyError(f"{name!r} is not a setting (known: {', '.join(sorted(ENV_NAMES))})") from None


def _grouped(flat: Mapping[str, object]) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """Flat setting names (as in ``ENV_NAMES``) sorted into top-level fields and fields per section."""
    top: dict[str, Any] = {}
    by_section: dict[str, dict[str, Any]] = {}
    for name, value in flat.items():
        where = _lookup(name)
        if where.section is None:
            top[where.field] = value
        else:
            by_section.setdefault(where.section, {})[where.field] = value
    return top, by_section


ENV_NAMES: dict[str, EnvName] = _env_names()


def env_name(loc: tuple[int | str, ...]) -> str:
    """The documented environment name of a validation error's location (``("retrieval", "top_k")``)."""
    if len(loc) >= 2 and loc[0] in SECTIONS:
        return SECTIONS[str(loc[0])].env_names(str(loc[1]))[0]
    return f"DESK_{str(loc[0]).upper()}" if loc else "settings"


def load_settings(**overrides: object) -> Settings:
    """Build the settings; keyword overrides, named flat as in ``ENV_NAMES``, win over the environment (used by
    tests and the CLI): ``load_settings(data_dir=path, top_k=3, llm_provider="openai")``.
    """
    top, by_section = _grouped(overrides)
    top.update(by_section)  # each section from a dict of its fields; the environment fills the rest
    return Settings(**top)
