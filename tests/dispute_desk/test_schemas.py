"""The YAML files moderators edit are declared as models; their JSON Schemas are published beside them.

An editor with the YAML language server reads the schema named on the file's first line and underlines a
mistake while the moderator types; the loaders report every problem of a broken file in one error.
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from dispute_desk import schemas
from dispute_desk.protection import RulesError, load_rules
from dispute_desk.protection.conditions import AnswerCondition, Condition
from dispute_desk.protection.inputs import ANSWER_FIELDS, DATE_FIELDS
from dispute_desk.settings import PROJECT_DIR
from dispute_desk.texts import PromptsMissing, Scope

RULES = PROJECT_DIR / "knowledge" / "rules" / "protection.yaml"
SCOPE = PROJECT_DIR / "prompts" / "scope.yaml"
FILES = [(RULES, RULES.with_name("protection.schema.json")), (SCOPE, SCOPE.with_name("scope.schema.json"))]


def _validator(schema_path: Path) -> jsonschema.Draft202012Validator:
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def test_committed_schemas_are_the_ones_the_models_generate() -> None:
    """Changing a model without `python -m dispute_desk.schemas` fails here instead of misleading editors."""
    assert schemas.stale() == []
    assert schemas.main(["--check"]) == 0


def test_a_stale_schema_is_found_and_rewritten(tmp_path: Path) -> None:
    for relative in schemas.SCHEMAS:
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / "prompts" / "scope.schema.json").write_text("{}\n", encoding="utf-8")
    assert schemas.stale(tmp_path) == [tmp_path / relative for relative in schemas.SCHEMAS]
    assert schemas.write(tmp_path) == [tmp_path / relative for relative in schemas.SCHEMAS]
    assert schemas.stale(tmp_path) == []


@pytest.mark.parametrize(("yaml_path", "schema_path"), FILES)
def test_shipped_files_validate_against_their_schema_and_point_editors_to_it(
    yaml_path: Path, schema_path: Path
) -> None:
    text = yaml_path.read_text(encoding="utf-8")
    assert text.splitlines()[0] == f"# yaml-language-server: $schema={schema_path.name}"
    assert list(_validator(schema_path).iter_errors(yaml.safe_load(text))) == []


def test_the_schema_catches_what_the_loader_refuses() -> None:
    """An editor underlines the same kinds of mistakes: unknown key, wrong type, bad weekly point, bad value."""
    raw = yaml.safe_load(RULES.read_text(encoding="utf-8"))
    raw["rules"][0]["when"] = {"fundd": "yes"}
    raw["numbers"]["review_days"]["value"] = "fourteen"
    raw["dates"]["week_ends"]["weekly"] = "week_endz"
    raw["rules"][1]["effect"] = "maybe"
    raw["rules"][2]["when"] = []
    found = {e.json_path for e in _validator(RULES.with_name("protection.schema.json")).iter_errors(raw)}
    assert found == {
        "$.rules[0].when",
        "$.numbers.review_days.value",
        "$.dates.week_ends.weekly",
        "$.rules[1].effect",
        "$.rules[2].when",
    }


def test_a_valid_rules_file_round_trips(tmp_path: Path) -> None:
    """Loaded, written back as YAML and loaded again: the same rules (nothing lost or reinterpreted)."""
    book = load_rules(RULES)
    data = book.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    assert list(_validator(RULES.with_name("protection.schema.json")).iter_errors(data)) == []
    copy = tmp_path / "protection.yaml"
    copy.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    again = load_rules(copy)
    assert again == book
    assert len(again.rules) == len(book.rules) >= 30
    funded = again.question("funded")
    assert funded is not None and funded.choices[0] == ("yes", "Yes, it's funded")


def test_conditions_name_every_answer_and_date_of_the_check() -> None:
    """A new answer field in inputs.py must be usable in `when:` (else a rule could never test it)."""
    assert tuple(AnswerCondition.model_fields) == (*ANSWER_FIELDS, *DATE_FIELDS)
    assert tuple(Condition.model_fields)[-3:] == ("passed", "not_passed", "after")


def test_an_empty_or_non_mapping_rules_file_is_one_clear_problem(tmp_path: Path) -> None:
    path = tmp_path / "protection.yaml"
    path.write_text("- just\n- a list\n", encoding="utf-8")
    with pytest.raises(RulesError, match=r"has 1 problem\(s\):\n- the file: Input should be a valid dictionary"):
        load_rules(path)


def test_a_broken_scope_file_lists_every_problem(tmp_path: Path) -> None:
    path = tmp_path / "scope.yaml"
    path.write_text(
        "domain_terms: upwork|escrow\n"
        "rules:\n"
        "  - name: tax\n    reply: decline_legal\n    patterns: ['(unclosed', '\\btax\\b']\n    hrd: true\n"
        "  - name: empty\n    patterns: []\n",
        encoding="utf-8",
    )
    with pytest.raises(PromptsMissing) as caught:
        Scope.from_yaml(path)
    assert str(caught.value) == (
        f"{path} has 4 problem(s):\n"
        "- line 5, rules[0] (tax).patterns[0]: not a valid regular expression (missing ), unterminated "
        "subpattern at position 0)\n"
        "- line 6, rules[0] (tax).hrd: unknown key 'hrd' (allowed: name, reply, patterns, unless, hard, "
        "signal_only)\n"
        "- line 7, rules[1] (empty).reply: Field required\n"
        "- line 8, rules[1] (empty).patterns: Tuple should have at least 1 item after validation, not 0"
    )


def test_the_shipped_scope_declines_as_before() -> None:
    scope = Scope.from_yaml(SCOPE)
    assert scope.decline_reason("What is a good recipe for dinner?") == "decline"
    assert scope.decline_reason("Can you give me the client's phone number so i can call him?") == (
        "decline_personal_data"
    )
    assert scope.decline_reason("My client asked for a refund on a funded milestone") is None
    assert scope.model_dump(mode="json")["rules"][0]["name"] == "personal_data"
