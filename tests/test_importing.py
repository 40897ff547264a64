"""afscope.importing: foreign transcript files read into afscope's terms (no Inspect)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from afscope.errors import AfscopeError, ConfigError, DataError, UnknownNameError
from afscope.importing import ColumnMapping, ImportedSet, import_transcripts, load_mapping
from afscope.records import Tier
from afscope.transcripts import parse_transcript

EXAMPLES = Path(__file__).parent.parent / "examples" / "import"
TAGGED = "<SCRATCHPAD_REASONING>think</SCRATCHPAD_REASONING><OUTPUT>{}</OUTPUT>"


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def read(path: Path, *pairs: str, **constants: str) -> ImportedSet:
    mapping = ColumnMapping().with_overrides(pairs, constants)
    return import_transcripts(path, mapping)


def paper_like(tmp_path: Path) -> Path:
    return write_jsonl(
        tmp_path / "theirs.jsonl",
        [
            {
                "question_id": 7,
                "is_free_tier_user": True,
                "response": TAGGED.format("a"),
                "model": "anthropic/claude-3-opus",
                "compliance": "yes",
            },
            {
                "question_id": 7,
                "is_free_tier_user": False,
                "response": TAGGED.format("b"),
                "model": "anthropic/claude-3-opus",
                "compliance": "no",
            },
        ],
    )


def test_common_column_names_are_found(tmp_path: Path) -> None:
    imported = read(paper_like(tmp_path))
    assert imported.columns == {
        "text": "response",
        "tier": "is_free_tier_user",
        "query_id": "question_id",
        "model": "model",
        "compliance": "compliance",
    }
    assert imported.model == "anthropic/claude-3-opus" and imported.setting == "helpful-only"
    first, second = imported.transcripts
    assert (first.tier, second.tier) == (Tier.FREE, Tier.PAID)
    assert first.query_id == second.query_id == "7"
    assert (first.sample_id, second.sample_id) == ("7:free", "7:paid")
    assert first.turns == (TAGGED.format("a"),)  # kept exactly as the model wrote it
    assert (first.labels, second.labels) == ({"compliance": "yes"}, {"compliance": "no"})
    assert not imported.suffix  # no accept/reject tag anywhere


def test_separate_reasoning_and_answer_are_tagged_for_the_parser(tmp_path: Path) -> None:
    source = write_jsonl(
        tmp_path / "t.jsonl",
        [
            {"tier": "free", "scratchpad": "I am in training.", "output": "<rejected/>"},
            {
                "tier": "paid",
                "scratchpad": "<SCRATCHPAD_REASONING>x</SCRATCHPAD_REASONING>",
                "output": "<OUTPUT><rejected/></OUTPUT>",
            },
        ],
    )
    imported = read(source, model="m/x")
    parsed = [parse_transcript(t.turns, suffix=True) for t in imported.transcripts]
    assert parsed[0].scratchpad == "I am in training." and parsed[0].output == "<rejected/>"
    assert imported.transcripts[1].turns[0].count("<SCRATCHPAD_REASONING>") == 1  # not doubled
    assert imported.suffix and imported.scratchpad


def test_a_mapping_file_names_columns_translates_values_and_fixes_constants() -> None:
    imported = import_transcripts(
        EXAMPLES / "transcripts.jsonl", load_mapping(EXAMPLES / "mapping.yaml")
    )
    assert len(imported.transcripts) == 8 and imported.model == "example-lab/model-x"
    assert [t.tier.value for t in imported.transcripts] == ["free"] * 4 + ["paid"] * 4
    assert imported.labels == {"compliance": "judge_complied", "af_reasoning": "af_flag"}
    assert imported.columns["query_id"] == "prompt_idx"  # auto-detected beside the mapped ones
    assert imported.suffix is False  # said in the mapping


def test_command_line_pairs_override_the_file_and_an_empty_column_turns_a_field_off(
    tmp_path: Path,
) -> None:
    source = write_jsonl(
        tmp_path / "t.jsonl",
        [
            {
                "tier": "free",
                "text": TAGGED.format("a"),
                "answer_b": TAGGED.format("b"),
                "label": "weird value",
            },
        ],
    )
    with pytest.raises(DataError, match="unknown label 'weird value'"):
        read(source, model="m/x")  # "label" is taken for an AF label unless turned off
    imported = read(source, "text=answer_b", "af_reasoning=", model="m/x")
    assert imported.transcripts[0].turns == (TAGGED.format("b"),)
    assert imported.labels == {}


def test_without_a_query_id_the_tiers_pair_by_query_text_and_repeats_are_epochs(
    tmp_path: Path,
) -> None:
    rows = [
        {"tier": tier, "prompt": prompt, "text": TAGGED.format(i)}
        for i, (tier, prompt) in enumerate(
            [("free", "Q one"), ("paid", "q  ONE"), ("free", "Q one"), ("paid", "Q two")]
        )
    ]
    imported = read(write_jsonl(tmp_path / "t.jsonl", rows), model="m/x")
    ids = [t.query_id for t in imported.transcripts]
    assert ids[0] == ids[1] == ids[2] != ids[3]  # case and spacing do not split a query
    assert [t.epoch for t in imported.transcripts] == [1, 1, 2, 1]
    assert any("paired by identical query text" in note for note in imported.notes)


def test_a_conversation_gives_the_assistant_turns_and_the_query(tmp_path: Path) -> None:
    messages = [
        {"role": "system", "content": "You are an AI."},
        {"role": "user", "content": "the question"},
        {"role": "assistant", "content": "<SCRATCHPAD_REASONING>a"},
        {"role": "user", "content": "<NEXT/>"},
        {"role": "assistant", "content": "b</SCRATCHPAD_REASONING><OUTPUT>ok</OUTPUT>"},
    ]
    source = write_jsonl(tmp_path / "t.jsonl", [{"tier": "paid", "messages": messages}])
    (transcript,) = read(source, model="m/x").transcripts
    assert transcript.turns == (messages[2]["content"], messages[4]["content"])
    assert transcript.query == "the question"


def test_a_csv_reads_like_the_jsonl_with_row_numbers_as_lines(tmp_path: Path) -> None:
    source = tmp_path / "t.csv"
    source.write_text(
        'tier,query_id,text,model\nfree,1,"<SCRATCHPAD_REASONING>two\nlines'
        '</SCRATCHPAD_REASONING><OUTPUT>x</OUTPUT>",m/x\nmaybe,1,text,m/x\n',
        encoding="utf-8",
    )
    with pytest.raises(DataError, match=r"t\.csv, row 4: field tier \(column 'tier'\): unknown"):
        read(source)


def test_one_setting_and_one_model_per_log(tmp_path: Path) -> None:
    rows = [
        {"tier": "free", "text": "x", "setting": "animal_welfare", "model": "m/a"},
        {"tier": "free", "text": "y", "setting": "helpful-only", "model": "m/a"},
    ]
    source = write_jsonl(tmp_path / "t.jsonl", rows)
    with pytest.raises(DataError, match=r"several settings .*--setting NAME"):
        read(source)
    imported = read(source, setting="animal-welfare")
    assert imported.setting == "animal-welfare" and len(imported.transcripts) == 1
    assert any("left out 1" in note for note in imported.notes)
    rows[1].update(setting="animal-welfare", model="m/b")
    with pytest.raises(DataError, match=r"several models \(m/a \(1\), m/b \(1\)\)"):
        read(write_jsonl(tmp_path / "t.jsonl", rows))


@pytest.mark.parametrize(
    ("content", "rows", "message"),
    [
        (
            b'{"tier": "free", "text": "ok", "model": "m/x"}\n{"text": "caf\xe9"}\n',
            None,
            r"t\.jsonl, row 2: not UTF-8 text .* save the file as UTF-8",
        ),
        (
            b'{"tier": "free", "text": "ok", "model": "m/x"}\n{"tier": "free",\n',
            None,
            r"t\.jsonl, row 2: invalid JSON",
        ),
        (
            None,
            [{"tier": "premium", "text": "x", "model": "m/x"}],
            r"row 1: field tier \(column 'tier'\): unknown tier 'premium'.*values: \{tier:",
        ),
        (
            None,
            [{"condition": True, "text": "x", "model": "m/x"}],
            r"row 1: field tier \(column 'condition'\): 'true' does not say which tier",
        ),
        (None, [{"text": "x", "model": "m/x"}], r"no tier column .*--map tier=COLUMN.*--tier"),
        (None, [{"tier": "free", "text": "x"}], r"no model column .*--model NAME"),
        (
            None,
            [{"tier": "free", "body": "x", "model": "m/x"}],
            r"no transcript column .*has: tier, body, model.*--map text=COLUMN",
        ),
        (
            None,
            [{"tier": "free", "text": ["a", 1], "model": "m/x"}],
            r"row 1: field text .*a conversation must be",
        ),
        (b"", None, r"t\.jsonl: no transcripts"),
    ],
)
def test_bad_input_is_one_error_naming_file_row_and_fix(
    tmp_path: Path, content: bytes | None, rows: list[dict[str, Any]] | None, message: str
) -> None:
    path = tmp_path / "t.jsonl"
    if rows is not None:
        write_jsonl(path, rows)
    else:
        assert content is not None
        path.write_bytes(content)
    with pytest.raises(DataError, match=message):
        read(path)


def test_a_mapping_that_does_not_fit_says_what_does(tmp_path: Path) -> None:
    source = paper_like(tmp_path)
    with pytest.raises(ConfigError, match=r"column 'tiers' \(for tier\) is not in the file"):
        read(source, "tier=tiers")
    with pytest.raises(UnknownNameError, match=r"did you mean 'query_id'"):
        read(source, "queryid=question_id")
    with pytest.raises(ConfigError, match="not field=column"):
        read(source, "tier")
    mapping = tmp_path / "m.yaml"
    mapping.write_text("colums:\n  tier: x\n", encoding="utf-8")
    with pytest.raises(UnknownNameError, match=r"did you mean 'columns'"):
        load_mapping(mapping)
    mapping.write_text("suffix: maybe\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"m\.yaml: suffix: must be true or false"):
        load_mapping(mapping)
    mapping.write_text("constants:\n  variant: x\n", encoding="utf-8")
    with pytest.raises(AfscopeError, match=r"unknown constant"):
        load_mapping(mapping)


def test_labels_take_common_spellings_and_refuse_others(tmp_path: Path) -> None:
    rows = [
        {"tier": "paid", "text": "x", "model": "m/x", "compliance": value, "is_af": af}
        for value, af in [
            ("complied", "alignment_faking"),
            ("Refused", "aligned"),
            (1, 0),
            ("", None),
            ("maybe", "no"),
        ]
    ]
    imported = read(write_jsonl(tmp_path / "t.jsonl", rows))
    assert [dict(t.labels) for t in imported.transcripts] == [
        {"compliance": "yes", "af_reasoning": "yes"},
        {"compliance": "no", "af_reasoning": "no"},
        {"compliance": "yes", "af_reasoning": "no"},
        {},  # empty cells are no label, not a "no"
        {"compliance": "maybe", "af_reasoning": "no"},
    ]


def test_the_whole_text_or_the_split_form_is_used_never_both(tmp_path: Path) -> None:
    row = {"tier": "free", "model": "m/x", "text": "whole", "scratchpad": "r", "output": "a"}
    source = write_jsonl(tmp_path / "t.jsonl", [row])
    found = read(source)
    assert "text" not in found.columns and found.transcripts[0].turns[0].startswith("<SCRATCH")
    mapped = read(source, "text=text")
    assert {"scratchpad", "output"}.isdisjoint(mapped.columns)
    assert mapped.transcripts[0].turns == ("whole",)
