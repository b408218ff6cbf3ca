"""docker-compose.yml: there is no Docker engine on CI, so its structure is checked instead of run."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from dispute_desk.settings import ENV_NAMES, load_settings

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def _setting_env_names() -> set[str]:
    return {name for where in ENV_NAMES.values() for name in where.names}


def test_services_volumes_and_health_checks(compose: dict) -> None:
    services = compose["services"]
    assert set(services) == {"bot", "chroma"}
    declared = set(compose["volumes"])
    assert declared == {"chroma-data", "desk-data", "desk-uploads"}
    for service in services.values():
        used = {volume.split(":")[0] for volume in service["volumes"]}
        assert used <= declared, "only named volumes: data survives re-creating the containers"
        assert service["healthcheck"]["test"][0] == "CMD"
        assert service["restart"] == "unless-stopped"
    assert services["bot"]["healthcheck"]["test"][1:] == ["python", "bot.py", "health"]
    assert services["bot"]["depends_on"] == {"chroma": {"condition": "service_healthy"}}


def test_the_bot_points_at_the_chroma_service(compose: dict) -> None:
    bot, chroma = compose["services"]["bot"], compose["services"]["chroma"]
    env = bot["environment"]
    assert env["DESK_CHROMA_HOST"] == "chroma"
    port = chroma["command"][chroma["command"].index("--port") + 1]
    assert env["DESK_CHROMA_PORT"] == port
    assert "heartbeat" in " ".join(chroma["healthcheck"]["test"]) and f":{port}/" in chroma["healthcheck"]["test"][-1]


def test_every_environment_name_is_a_real_setting(compose: dict) -> None:
    known = _setting_env_names()
    for service in compose["services"].values():
        for name in service.get("environment", {}):
            assert name in known, f"{name} is not read by dispute_desk/settings.py"


def test_environment_values_are_valid_settings(compose: dict) -> None:
    env = {k: re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", r"\1", str(v))
           for k, v in compose["services"]["bot"]["environment"].items() if k != "DISCORD_TOKEN"}
    settings = load_settings(**{k.removeprefix("DESK_").lower(): v for k, v in env.items()})
    assert settings.store.store_mode == "server" and settings.metrics_port == 9100 and settings.log_format == "json"
