"""Split the member question set into ``dev.jsonl`` (tune on it) and ``test.jsonl`` (held out, gates CI).

The split is by situation group, never by single question, so that rewordings of one situation cannot leak
from dev into test; within each topic (and each decline or look-alike category) groups alternate between the
two files in a fixed hashed order, so both splits cover every topic. Run it once after adding questions to
``members/*.jsonl``; never move questions between the files by hand to make a gate pass.

    python tests/eval/make_splits.py
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _stratum(item: dict) -> str:
    return str(item.get("category") or item.get("topic") or "")


def split(items: list[dict]) -> tuple[list[dict], list[dict]]:
    groups: dict[str, dict[str, list[dict]]] = defaultdict(lambda: defaultdict(list))
    for item in items:
        group = str(item.get("group") or item["id"])
        groups[_stratum(item)][group].append(item)
    dev: list[dict] = []
    test: list[dict] = []
    turn = 0  # carried across strata, so an odd stratum does not always give its extra group to dev
    for stratum in sorted(groups):
        ordered = sorted(groups[stratum], key=lambda g: hashlib.sha256(f"{stratum}/{g}".encode()).hexdigest())
        for group in ordered:
            (dev if turn % 2 == 0 else test).extend(groups[stratum][group])
            turn += 1
    return sorted(dev, key=lambda x: x["id"]), sorted(test, key=lambda x: x["id"])


def main() -> None:
    items = []
    for path in sorted((HERE / "members").glob("*.jsonl")):
        items += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    dev, test = split(items)
    for name, part in (("dev", dev), ("test", test)):
        with (HERE / f"{name}.jsonl").open("w", encoding="utf-8") as handle:
            for item in part:
                handle.write(json.dumps(item, ensure_ascii=False) + "\n")
        print(f"{name}: {len(part)} questions")


if __name__ == "__main__":
    main()
