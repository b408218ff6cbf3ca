"""Creating the chat model from settings with LangChain's ``init_chat_model`` (any provider it knows).

Nothing here runs at import: ``check_available`` only looks for the packages (at start, so a missing one is a
clear configuration error) and ``create_chat_model`` builds the model when the first answer is written.
"""

from __future__ import annotations

import importlib.util
from typing import TYPE_CHECKING, Any

from dispute_desk.embedding import ModelUnavailable
from dispute_desk.settings import Settings

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

# Provider -> the integration package init_chat_model imports (the common ones; others are tried as named).
PROVIDER_PACKAGES = {
    "openai": "langchain-openai",
    "azure_openai": "langchain-openai",
    "ollama": "langchain-ollama",
    "anthropic": "langchain-anthropic",
    "google_genai": "langchain-google-genai",
    "mistralai": "langchain-mistralai",
    "groq": "langchain-groq",
}
NO_KEY = "not-needed"  # OpenAI-compatible local servers (llama.cpp, vLLM) ignore the key, but the client wants one


class WriterUnavailable(ModelUnavailable):
    """The configured chat model cannot be used (a missing setting or package); the message says how to fix it."""


def _module(package: str) -> str:
    return package.replace("-", "_")


def check_available(settings: Settings) -> None:
    """Raise ``WriterUnavailable`` if ``DESK_LLM_PROVIDER`` is set but the model cannot possibly be created."""
    provider = settings.llm.provider
    if provider is None:
        return
    if not settings.llm.model:
        raise WriterUnavailable(f"DESK_LLM_PROVIDER={provider} needs DESK_LLM_MODEL (the model's name)")
    if importlib.util.find_spec("langchain") is None:
        raise WriterUnavailable("written answers need the langchain package (in requirements.lock): make install")
    package = PROVIDER_PACKAGES.get(provider, f"langchain-{provider.replace('_', '-')}")
    if importlib.util.find_spec(_module(package)) is None:
        pinned = " (the llm extra, pinned in requirements-dev.lock)" if provider in ("openai", "ollama") else ""
        hint = f"pip install {package}{pinned}"
        raise WriterUnavailable(f"DESK_LLM_PROVIDER={provider} needs the {package} package: {hint}")


def model_options(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for ``init_chat_model``: deterministic, bounded, and no retries (the desk falls back
    to the extractive answer instead of waiting for a retry).
    """
    provider = settings.llm.provider or ""
    timeout = settings.llm.timeout_seconds
    key = settings.llm.api_key.get_secret_value() if settings.llm.api_key is not None else None
    options: dict[str, Any] = {"model": settings.llm.model, "model_provider": provider, "temperature": 0.0}
    if settings.llm.base_url:
        options["base_url"] = settings.llm.base_url
    if provider == "ollama":
        options["num_predict"] = settings.llm.max_tokens
        options["client_kwargs"] = {"timeout": timeout}
        return options
    options.update(max_tokens=settings.llm.max_tokens, timeout=timeout, max_retries=0)
    if key:
        options["api_key"] = key
    elif provider == "openai" and settings.llm.base_url:
        options["api_key"] = NO_KEY
    if provider == "openai" and settings.llm.base_url:
        # langchain-openai sends the limit as max_completion_tokens; servers that only read the older
        # max_tokens (llama.cpp's, older vLLM and Ollama) would otherwise write until their context is full.
        options["extra_body"] = {"max_tokens": settings.llm.max_tokens}
    return options


def create_chat_model(settings: Settings) -> BaseChatModel:
    from langchain.chat_models import init_chat_model

    chat_model: BaseChatModel = init_chat_model(**model_options(settings))
    return chat_model
