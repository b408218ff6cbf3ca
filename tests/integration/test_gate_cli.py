"""`bot.py gate train` never trains on the held-out split or the blind validation set."""

from __future__ import annotations

import pytest


@pytest.mark.subprocess
def test_gate_train_refuses_the_held_out_test_split(run_bot, tmp_path):
    result = run_bot("gate", "train", "tests/eval/dev.jsonl", "tests/eval/test.jsonl", data_dir=tmp_path)
    assert result.returncode == 1
    assert "refusing to train on test.jsonl" in result.stdout + result.stderr


@pytest.mark.subprocess
@pytest.mark.parametrize("name", ["blind.jsonl", "blind-2.jsonl"])
def test_gate_train_refuses_the_blind_sets(run_bot, tmp_path, name):
    result = run_bot("gate", "train", "tests/eval/dev.jsonl", f"tests/eval/{name}", data_dir=tmp_path)
    assert result.returncode == 1
    assert f"refusing to train on {name}" in result.stdout + result.stderr


@pytest.mark.subprocess
def test_gate_train_refuses_a_look_alike_cap_outside_zero_to_one(run_bot, tmp_path):
    result = run_bot("gate", "train", "tests/eval/dev.jsonl", "--max-lookalikes", "3", data_dir=tmp_path)
    assert result.returncode == 1
    assert "--max-lookalikes must be between 0 and 1" in result.stdout + result.stderr
