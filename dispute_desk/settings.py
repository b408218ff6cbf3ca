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
from typing import Any, ClassVar, Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    DotEnvSettingsSource,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_MODEL = "bundled:all-MiniLM-L6-v2"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def _project_path(value: Path) -> Path:
    """``~`` expanded; a relative path taken from the project folder (the same from any working directory)."""
    value = value.expanduser()
    return value if value.is_absolute() else PROJECT_DIR / value


class Section(BaseModel):
    """A group of settings; its environment names are ``env_prefix`` + the field name unless ``env_aliases``."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, validate_default=False)
    env_prefix: ClassVar[str] = "DESK_"
    env_aliases: ClassVar[Mapping[str, tuple[str, ...]]] = {}

    @classmethod
    def env_names(cls, field: str) -> tuple[str, ...]:
        return cls.env_aliases.get(field, (f"{cls.env_prefix}{field.upper()}",))


class EmbeddingSettings(Section):
    """The bundled model by default; any sentence-transformers name or path otherwise."""

    env_prefix: ClassVar[str] = "DESK_EMBEDDING_"
    model: str = DEFAULT_MODEL
    device: str = "cpu"
    batch_size: int = Field(default=64, ge=1)
    backend: Literal["torch", "onnx"] = "torch"  # onnx: ONNX Runtime export cached in the data dir


class StoreSettings(Section):
    """An embedded on-disk Chroma by default; DESK_CHROMA_HOST switches to a Chroma server."""

    store_mode: Literal["embedded", "server"] = "embedded"
    collection_prefix: str = "passages"
    chroma_host: str | None = None
    chroma_port: int = Field(default=8000, ge=1, le=65535)
    chroma_ssl: bool = False
    chroma_auth_header: str = "Authorization"  # sent with DESK_CHROMA_AUTH_TOKEN (as "Bearer <token>" here)
    chroma_auth_token: SecretStr | None = None
    writer_lease_seconds: float = Field(default=60.0, gt=0)  # server mode: a crashed writer blocks this long
    pointer_poll_seconds: float = Field(default=2.0, ge=0.0)  # server mode: how often to look for a new index

    @model_validator(mode="after")
    def _server_mode(self) -> StoreSettings:
        if self.chroma_host:
            self.store_mode = "server"
        elif self.store_mode == "server":
            raise ValueError("DESK_STORE_MODE=server needs DESK_CHROMA_HOST (and DESK_CHROMA_PORT)")
        return self


class RetrievalSettings(Section):
    """Hybrid retrieval: dense and BM25 candidates fused by reciprocal rank, then nudged by authority."""

    top_k: int = Field(default=5, ge=1, le=20)
    candidates: int = Field(default=30, ge=5, le=200)
    dense_weight: float = Field(default=1.0, ge=0.0)
    lexical_weight: float = Field(default=1.0, ge=0.0)
    rrf_k: int = Field(default=10, ge=1)  # small: the top ranks of each list decide (tuned on the dev split)
    max_per_group: int = Field(default=2, ge=1)
    staff_boost: float = Field(default=0.1, ge=0.0)
    policy_boost: float = Field(default=0.0, ge=0.0)  # answers lead with policy text anyway (dev split: 0 is best)
    phrasing_weight: float = Field(default=1.0, ge=0.0)  # weight of the member-phrasing vectors in fusion
    unvetted_penalty: float = Field(default=0.15, ge=0.0, lt=1.0)  # uploads and other files of unknown standing


class AnsweringSettings(Section):
    answerability_gate: bool = True  # use the trained gate (prompts/answerability-gate.json) when it fits
    min_evidence: float = Field(default=0.30, ge=0.0, le=1.0)  # the threshold when no gate is used
    max_answer_chars: int = Field(default=900, ge=200, le=4000)
    max_question_chars: int = Field(default=1000, ge=20)


class LLMSettings(Section):
    """Written answers from a chat model (dispute_desk/writing): off unless DESK_LLM_PROVIDER is set. The
    extractive answer stays the floor: a written answer that fails the citation check is discarded.
    """

    env_prefix: ClassVar[str] = "DESK_LLM_"
    provider: str | None = None  # openai (any OpenAI-compatible endpoint), ollama, or any init_chat_model provider
    model: str | None = None
    base_url: str | None = None
    api_key: SecretStr | None = None  # secret: never logged
    timeout_seconds: float = Field(default=20.0, gt=0.0)
    max_tokens: int = Field(default=400, ge=16)

    @field_validator("provider", "model", "base_url", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value


class IngestSettings(Section):
    max_file_mb: float = Field(default=20.0, gt=0)
    parse_timeout_seconds: float = Field(default=20.0, ge=0)  # per file, in a helper process; 0: no limit
    # Reindex guard: the eval questions are run on the new index before it goes live; a drop in fact-in-answer
    # or decline accuracy larger than reindex_max_drop stops the switch (unless --force). With the hashing
    # embedder the default question file is skipped (its answers mean nothing); a file of your own still runs.
    reindex_guard: bool = True
    reindex_max_drop: float = Field(default=0.02, ge=0.0, le=1.0)
    reindex_questions: Path = PROJECT_DIR / "tests" / "eval" / "test.jsonl"
    # Freshness: sections whose as_of is older than this are listed by /kb status and `bot.py ingest`.
    stale_after_days: int = Field(default=180, ge=1)

    @field_validator("reindex_questions", mode="after")
    @classmethod
    def _resolve(cls, value: Path) -> Path:
        return _project_path(value)


class JournalSettings(Section):
    # Hex secret that salts member-id hashes; unset: journal.salt, created in the data dir on first use.
    hash_secret: SecretStr | None = None


class DiscordSettings(Section):
    """Used by the Discord front end only."""

    env_aliases: ClassVar[Mapping[str, tuple[str, ...]]] = {"token": ("DISCORD_TOKEN", "DESK_DISCORD_TOKEN")}
    token: SecretStr | None = None  # only from the environment, never logged (SecretStr hides it in reprs)
    discord_guild_id: int | None = None
    discord_api_base: str | None = None
    discord_gateway_url: str | None = None
    moderator_role_id: int | None = None
    log_channel_id: int | None = None
    answer_in_thread: bool = True
    answer_dms: bool = False
    question_cooldown_seconds: float = Field(default=10.0, ge=0.0)
    escalation_cooldown_seconds: float = Field(default=600.0, ge=0.0)
    escalation_guild_limit: int = Field(default=5, ge=1)  # moderator pings per server per cooldown window
    progress_edit_seconds: float = Field(default=2.0, ge=0.0)  # /reindex status message edit interval
    # First responder in watched help channels (/desk watch): whose reply silences the bot, and a daily cap.
    helper_role_id: int | None = None
    watch_daily_limit: int = Field(default=50, ge=1)  # first responses per watched channel per UTC day
    # Several processes per bot: "off" (one process, one shard), "auto" (Discord's recommended count) or a
    # number; DESK_DISCORD_SHARD_IDS ("0-3" or "0,2") picks the shards this process runs.
    discord_shards: str = "off"
    discord_shard_ids: str | None = None

    @field_validator("discord_shards", mode="after")
    @classmethod
    def _shards(cls, value: str) -> str:
        value = value.strip().lower()
        if value in ("off", "auto") or (value.isdigit() and int(value) >= 1):
            return value
        raise ValueError("DESK_DISCORD_SHARDS must be off, auto or a shard count (1 or more)")


SECTIONS: dict[str, type[Section]] = {
    "embedding": EmbeddingSettings,
    "store": StoreSettings,
    "retrieval": RetrievalSettings,
    "answering": AnsweringSettings,
    "llm": LLMSettings,
    "ingest": IngestSettings,
    "journal": JournalSettings,
    "discord": DiscordSettings,
}


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

    @field_validator("data_dir", "knowledge_dir", "prompts_dir", mode="after")
    @classmethod
    def _resolve(cls, value: Path) -> Path:
        return _project_path(value)

    @property
    def gate_path(self) -> Path:
        return self.prompts_dir / "answerability-gate.json"

    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"

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
        top: dict[str, Any] = {}
        by_section: dict[str, dict[str, Any]] = {}
        for name, value in changes.items():
            where = _lookup(name)
            if where.section is None:
                top[where.field] = value
            else:
                by_section.setdefault(where.section, {})[where.field] = value
        for section, values in by_section.items():
            top[section] = getattr(self, section).model_copy(update=values)
        return self.model_copy(update=top)


def _lookup(name: str) -> EnvName:
    try:
        return ENV_NAMES[name]
    except KeyError:
        raise KeyError(f"{name!r} is not a setting (known: {', '.join(sorted(ENV_NAMES))})") from None


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
    top: dict[str, Any] = {}
    for name, value in overrides.items():
        where = _lookup(name)
        if where.section is None:
            top[where.field] = value
        else:
            top.setdefault(where.section, {})[where.field] = value
    return Settings(**top)
