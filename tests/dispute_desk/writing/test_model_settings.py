"""DESK_LLM_* settings become the chat model LangChain builds (created lazily, bounded, no retries)."""

from __future__ import annotations

from pydantic import SecretStr

from dispute_desk.settings import load_settings
from dispute_desk.writing.model import create_chat_model


def test_llm_settings_are_read_from_the_environment_and_off_by_default(monkeypatch, tmp_path) -> None:
    assert load_settings(data_dir=tmp_path).llm.provider is None
    monkeypatch.setenv("DESK_LLM_PROVIDER", "ollama")
    monkeypatch.setenv("DESK_LLM_MODEL", "llama3.2")
    monkeypatch.setenv("DESK_LLM_BASE_URL", "http://127.0.0.1:11434")
    monkeypatch.setenv("DESK_LLM_TIMEOUT_SECONDS", "7.5")
    monkeypatch.setenv("DESK_LLM_MAX_TOKENS", "300")
    settings = load_settings(data_dir=tmp_path)
    assert (settings.llm.provider, settings.llm.model, settings.llm.timeout_seconds, settings.llm.max_tokens) == (
        "ollama", "llama3.2", 7.5, 300)
    monkeypatch.setenv("DESK_LLM_PROVIDER", " ")
    assert load_settings(data_dir=tmp_path).llm.provider is None  # blank means off


def test_an_openai_compatible_endpoint(settings) -> None:
    model = create_chat_model(settings.updated({
        "llm_provider": "openai", "llm_model": "smollm2", "llm_base_url": "http://127.0.0.1:8099/v1",
        "llm_timeout_seconds": 9.0, "llm_max_tokens": 200}))
    assert type(model).__name__ == "ChatOpenAI"
    assert (model.model_name, model.openai_api_base, model.request_timeout, model.max_retries, model.max_tokens) == (
        "smollm2", "http://127.0.0.1:8099/v1", 9.0, 0, 200)
    assert model.temperature == 0.0


def test_hosted_openai_uses_the_key_and_no_extra_body(settings) -> None:
    model = create_chat_model(settings.updated({
        "llm_provider": "openai", "llm_model": "gpt-4o-mini", "llm_api_key": SecretStr("sk-x")}))
    assert model.openai_api_key.get_secret_value() == "sk-x" and not model.extra_body


def test_ollama(settings) -> None:
    model = create_chat_model(settings.updated({
        "llm_provider": "ollama", "llm_model": "llama3.2", "llm_base_url": "http://127.0.0.1:11434",
        "llm_timeout_seconds": 5.0, "llm_max_tokens": 150}))
    assert type(model).__name__ == "ChatOllama"
    assert (model.model, model.base_url, model.num_predict, model.client_kwargs) == (
        "llama3.2", "http://127.0.0.1:11434", 150, {"timeout": 5.0})
