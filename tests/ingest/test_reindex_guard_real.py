"""The reindex guard with the real bundled model: deleting the arbitration knowledge (the policy and the forum
threads that restate it) from the bundled knowledge is refused, and the arbitration questions of the dev split
are named as regressed.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from dispute_desk.embedding import build_embedder
from dispute_desk.settings import PROJECT_DIR, load_settings
from dispute_desk.store import ChunkStore
from ingest.pipeline import SwitchRefused, run_ingest

pytestmark = pytest.mark.slow

ARBITRATION_FACTS = {"F24", "F25", "F26", "F27", "F28", "F29", "F30", "F31", "F32", "F33", "F34", "F35"}
# facts only arbitration knowledge states (F24 and F35 are in the mediation policy too)
ARBITRATION_ONLY = ARBITRATION_FACTS - {"F24", "F35"}


def _arbitration_files(knowledge: Path) -> list[Path]:
    """The arbitration policy and every forum thread that restates one of its facts: with any of them left,
    the guard rightly sees the questions still answered (a thread answered them once the policy was gone).
    """
    found = []
    for path in sorted(knowledge.rglob("*.md")):
        facts = set(re.findall(r"\bF\d{2}\b", path.read_text(encoding="utf-8")))
        if path.name != "README.md" and facts & ARBITRATION_ONLY:
            found.append(path)
    return found


def test_deleting_the_arbitration_knowledge_is_refused_with_the_real_model(tmp_path: Path):
    knowledge = tmp_path / "knowledge"
    shutil.copytree(PROJECT_DIR / "knowledge", knowledge)
    lines = (PROJECT_DIR / "tests" / "eval" / "dev.jsonl").read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines if line.strip()]
    # questions only the arbitration knowledge answers (none of their facts is stated anywhere else)
    picked = [r for r in records if r.get("facts") and set(r["facts"]) <= ARBITRATION_ONLY][:12]
    picked += [r for r in records if not r["answerable"]][:8]
    questions = tmp_path / "subset.jsonl"
    questions.write_text("\n".join(json.dumps(r) for r in picked) + "\n", encoding="utf-8")
    settings = load_settings(data_dir=tmp_path / "data", knowledge_dir=knowledge, reindex_questions=questions)
    embedder = build_embedder(settings)
    assert run_ingest(settings, [knowledge], embedder=embedder).ok
    live = ChunkStore(settings).pointer().collection

    removed = _arbitration_files(knowledge)
    assert knowledge / "policy" / "04-arbitration.md" in removed
    for path in removed:
        path.unlink()
    with pytest.raises(SwitchRefused) as refused:
        run_ingest(settings, [knowledge], embedder=embedder)
    guard = refused.value.summary.guard
    assert guard["drops"]["answer_fact_rate"] > settings.ingest.reindex_max_drop
    regressed = {r["id"] for r in guard["regressed"]}
    assert regressed and regressed <= {r["id"] for r in picked if set(r["facts"]) & ARBITRATION_ONLY}
    assert {s.change for s in refused.value.summary.sections} == {"removed"}
    assert ChunkStore(settings).pointer().collection == live
