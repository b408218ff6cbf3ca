"""`bot.py gate train` never trains on the held-out split."""

from __future__ import annotations

import pytest


@pytest.mark.subprocess
def test_gate_train_refuses_the_held_out_test_split(run_bot, tmp_path):
    result = run_bot("gate", "train", "tests/eval/dev.jsonl", "tests/eval/test.jsonl", data_dir=tmp_path)
    assert result.returncode == 1
    assert "refusing to train on test.jsonl" in result.stdout + result.stderr
