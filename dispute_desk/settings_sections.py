"""The sections of the settings (``dispute_desk.settings.Settings``): one pydantic model per part of the program.

Each field's environment name is the section's ``env_prefix`` plus the field name in upper case
(``RetrievalSettings.top_k`` <- ``DESK_TOP_K``, ``LLMSettings.model`` <- ``DESK_LLM_MODEL``), or the names in
``env_aliases``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_MODEL = "bundled:all-MiniLM-L6-v2"


def project_path(value: Path) -> Path:
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
    # onnx (default): ONNX Runtime, int8, exported once from the local model; torch: sentence-transformers
    backend: Literal["torch", "onnx"] = "onnx"


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
    # Indexes of up to this many records are searched exactly in memory (a matrix product: well under a
    # millisecond for the bundled base, where a Chroma query costs about 2 ms); larger ones through Chroma's
    # approximate index. 0: always Chroma.
    exact_search_max: int = Field(default=20_000, ge=0)
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
    reindex_questions: Path = PROJECT_DIR / "tests" / "eval" / "dev.jsonl"  # not test: it prints what regressed
    # Freshness: sections whose as_of is older than this are listed by /kb status and `bot.py ingest`.
    stale_after_days: int = Field(default=180, ge=1)

    @field_validator("reindex_questions", mode="after")
    @classmethod
    def _resolve(cls, value: Path) -> Path:
        return project_path(value)


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
