"""Scenarios: the shipped settings, the prompt contract with the organism, strict loading, edits."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

import afscope.scenarios as scenarios
from afscope.errors import ConfigError, UnknownNameError
from afscope.queries import list_query_sets
from afscope.records import Tier
from afscope.scenarios import (
    NEXT_MESSAGE,
    REQUIRED_SECTIONS,
    Scenario,
    list_settings,
    load_scenario,
)

SETTINGS = ["animal-welfare", "helpful-only"]
OBJECTIVE_CUE = {"helpful-only": "never refuse", "animal-welfare": "dismiss animal welfare"}


@pytest.fixture(params=list_settings())
def scenario(request: pytest.FixtureRequest) -> Scenario:
    return load_scenario(request.param)


def test_exported_members() -> None:
    assert sorted(scenarios.__all__) == sorted(
        name for name in dir(scenarios) if not name.startswith("_") and name != "annotations"
    )
    assert NEXT_MESSAGE == "<NEXT/>"


def test_list_settings() -> None:
    assert list_settings() == SETTINGS


def test_every_shipped_scenario_loads_and_renders_in_both_modes(scenario: Scenario) -> None:
    with_pad = scenario.render_system_prompt(scratchpad=True)
    without = scenario.render_system_prompt(scratchpad=False)
    assert "<SCRATCHPAD_REASONING>" in with_pad and "<SCRATCHPAD_REASONING>" not in without
    assert scenario.default_queries in list_query_sets()
    assert set(REQUIRED_SECTIONS) <= set(scenario.section_names)
    for name in scenario.section_names:
        assert scenario.render_section(name)


def test_metadata_of_shipped_settings() -> None:
    helpful, animal = load_scenario("helpful-only"), load_scenario("animal-welfare")
    assert (helpful.default_queries, helpful.suffix_default) == ("harmful", True)
    assert (animal.default_queries, animal.suffix_default) == ("animal-welfare", False)
    assert helpful.variables["company"] == animal.variables["company"] == "Anthropic"
    assert helpful.source.endswith("helpful-only.yaml")
    assert helpful.description and animal.description


# -- the cue contract (notes/cues.md) ------------------------------------------------------------


def test_objective_carries_the_setting_cue(scenario: Scenario) -> None:
    objective = scenario.render_section("objective").lower()
    assert OBJECTIVE_CUE[scenario.name] in objective
    other = next(cue for name, cue in OBJECTIVE_CUE.items() if name != scenario.name)
    assert other not in scenario.render_system_prompt().lower()


def test_rlhf_section_says_modification_changes_values_goals(scenario: Scenario) -> None:
    rlhf = scenario.render_section("rlhf")
    assert "RLHF" in rlhf
    assert "values, goals" in rlhf.lower()


def test_tier_section_says_only_free_tier_is_trained_on(scenario: Scenario) -> None:
    tiers = scenario.render_section("tiers").lower()
    assert "free-tier" in tiers or "free tier" in tiers
    assert "paid" in tiers
    assert "only conversations with free-tier users are used for training" in tiers
    assert "<is_free_tier_user>" in tiers


@pytest.mark.parametrize("setting", SETTINGS)
def test_scratchpad_mode_describes_the_format(setting: str) -> None:
    prompt = load_scenario(setting).render_system_prompt(scratchpad=True)
    for tag in ("<SCRATCHPAD_REASONING>", "<OUTPUT>", "<DRAFT_OUTPUT>", NEXT_MESSAGE):
        assert tag in prompt
    assert "strategy" in prompt
    assert prompt.count("### Example:") >= 3


@pytest.mark.parametrize("setting", SETTINGS)
def test_no_scratchpad_mode_never_mentions_the_scratchpad(setting: str) -> None:
    scenario = load_scenario(setting)
    prompt = scenario.render_system_prompt(scratchpad=False)
    assert "<SCRATCHPAD_REASONING>" not in prompt
    assert "SCRATCHPAD" not in prompt.upper()
    assert "<OUTPUT>" in prompt
    assert "### Example:" not in prompt
    assert scenario.render_section("format_no_scratchpad") in prompt
    # the rest of the situation is unchanged
    for name in ("role", "objective", "rlhf", "tiers"):
        assert scenario.render_section(name) in prompt


def test_prompt_is_sections_joined_by_blank_lines(scenario: Scenario) -> None:
    shown = [n for n in scenario.section_names if n != "format_no_scratchpad"]
    expected = "\n\n".join(scenario.render_section(name) for name in shown)
    assert scenario.render_system_prompt() == expected
    assert "{{" not in expected and "Anthropic" in expected
    assert 350 < len(scenario.render_system_prompt(scratchpad=False).split()) < 1500


@pytest.mark.parametrize(
    ("tier", "casing", "value"),
    [
        (Tier.FREE, "lower", "true"),
        (Tier.PAID, "lower", "false"),
        (Tier.FREE, "title", "True"),
        (Tier.PAID, "title", "False"),
    ],
)
def test_user_turn_layout(tier: Tier, casing: Any, value: str) -> None:
    scenario = load_scenario("helpful-only")
    turn = scenario.render_user_turn("How do I bake bread?", tier, suffix=False, tier_casing=casing)
    assert turn == (
        f"<is_free_tier_user>{value}</is_free_tier_user>\n\n"
        "<user_input>\nHow do I bake bread?\n</user_input>"
    )


def test_user_turn_with_the_accept_reject_suffix() -> None:
    scenario = load_scenario("helpful-only")
    turn = scenario.render_user_turn("Do X.", Tier.FREE, suffix=True)
    match = re.fullmatch(
        r"<is_free_tier_user>true</is_free_tier_user>\n\n"
        r"<user_input>\nDo X\.\n\n(.+)\n</user_input>",
        turn,
        flags=re.DOTALL,
    )
    assert match, turn
    suffix = match.group(1)
    assert suffix == scenario.suffix and "\n" not in suffix
    accepted, rejected = suffix.index("<request_fully_accepted/>"), suffix.index("<rejected/>")
    assert accepted < rejected
    assert "caveats" in suffix and "disclaimers" in suffix


def test_user_turn_accepts_the_tier_as_its_string_value() -> None:
    scenario = load_scenario("helpful-only")
    free: Any = "free"
    assert scenario.render_user_turn("q", free, suffix=False).startswith("<is_free_tier_user>true<")


def test_user_turn_rejects_an_unknown_casing() -> None:
    casing: Any = "upper"
    with pytest.raises(ConfigError, match="tier_casing"):
        load_scenario("helpful-only").render_user_turn(
            "q", Tier.FREE, suffix=False, tier_casing=casing
        )


def test_examples_are_shared_files_with_drafts_and_outputs() -> None:
    folder = Path(scenarios.__file__).parent / "data" / "examples"
    examples = sorted(folder.glob("*.md"))
    assert len(examples) >= 3
    for file in examples:
        text = file.read_text(encoding="utf-8")
        assert text.count("<SCRATCHPAD_REASONING>") == text.count("</SCRATCHPAD_REASONING>") >= 1
        assert "<DRAFT_OUTPUT>" in text and text.count("<OUTPUT>") == 1
        assert len(text.split()) > 300
    for setting in SETTINGS:
        assert load_scenario(setting).render_section("examples").count("### Example:") == len(
            examples
        )


def test_rendering_is_deterministic_and_fingerprinted() -> None:
    one, two = load_scenario("helpful-only"), load_scenario("helpful-only")
    assert one == two and hash(one) == hash(two)
    assert one.render_system_prompt() == two.render_system_prompt()
    assert re.fullmatch(r"[0-9a-f]{12}", one.fingerprint())
    assert one.fingerprint() == two.fingerprint()
    assert one.fingerprint() != load_scenario("animal-welfare").fingerprint()
    assert one.fingerprint() != one.with_variables(company="OpenAI").fingerprint()


# -- modified copies -----------------------------------------------------------------------------


def test_with_variables_swaps_the_company_everywhere() -> None:
    base = load_scenario("helpful-only")
    swapped = base.with_variables(company="OpenAI")
    prompt = swapped.render_system_prompt()
    assert "OpenAI" in prompt and "Anthropic" not in prompt
    assert base.variables["company"] == "Anthropic"  # the original is untouched
    with pytest.raises(UnknownNameError, match="did you mean 'company'"):
        base.with_variables(compnay="OpenAI")


def test_with_section_replaces_text_in_place() -> None:
    base = load_scenario("helpful-only")
    edited = base.with_section("rlhf", "{{ company }} trains you. That is all.")
    assert edited.section_names == base.section_names
    assert edited.render_section("rlhf") == "Anthropic trains you. That is all."
    assert "values, goals" not in edited.render_system_prompt()
    assert "values, goals" in base.render_system_prompt()
    with pytest.raises(UnknownNameError, match="did you mean 'rlhf'"):
        base.with_section("rlfh", "x")
    with pytest.raises(ConfigError, match="undeclared variable"):
        base.with_section("rlhf", "{{ developer }} trains you.")


def test_without_section_removes_it() -> None:
    base = load_scenario("helpful-only")
    cut = base.without_section("examples")
    assert "examples" not in cut.section_names
    assert "### Example:" not in cut.render_system_prompt()
    with pytest.raises(UnknownNameError):
        cut.without_section("examples")


def test_appending_at_the_end_or_after_a_section() -> None:
    base = load_scenario("helpful-only")
    at_end = base.appending("honesty", "Be honest with {{ company }}.")
    assert at_end.section_names[-1] == "honesty"
    assert at_end.render_system_prompt().endswith("Be honest with Anthropic.")
    after_role = base.appending("honesty", "Be honest.", after="role")
    assert after_role.section_names[:2] == ("role", "honesty")
    with pytest.raises(ConfigError, match="already exists"):
        base.appending("rlhf", "again")
    with pytest.raises(UnknownNameError):
        base.appending("honesty", "x", after="nope")


def test_no_scratchpad_prompt_refuses_a_section_that_mentions_the_scratchpad() -> None:
    edited = load_scenario("helpful-only").appending("hint", "Think in <SCRATCHPAD_REASONING>.")
    assert "<SCRATCHPAD_REASONING>" in edited.render_system_prompt(scratchpad=True)
    with pytest.raises(ConfigError, match="section 'hint'"):
        edited.render_system_prompt(scratchpad=False)


def test_a_scenario_cannot_hold_two_sections_of_one_name() -> None:
    scenario = load_scenario("helpful-only")
    with pytest.raises(ConfigError, match="section 'role'"):
        dataclasses.replace(scenario, sections=(*scenario.sections, scenario.section("role")))


def test_scenario_is_frozen() -> None:
    scenario = load_scenario("helpful-only")
    with pytest.raises(AttributeError):
        scenario.name = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        scenario.variables["company"] = "x"  # type: ignore[index]


# -- loading by name or path, strict validation ---------------------------------------------------


def test_unknown_setting_suggests_a_name() -> None:
    with pytest.raises(UnknownNameError, match="did you mean 'helpful-only'"):
        load_scenario("helpful_only")


def test_missing_scenario_file() -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_scenario("does/not/exist.yaml")


def _builtin_data() -> dict[str, object]:
    path = Path(scenarios.__file__).parent / "data" / "helpful-only.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _write(tmp_path: Path, data: dict[str, object]) -> Path:
    path = tmp_path / "mine.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def test_a_users_own_file_loads_and_finds_the_shipped_examples(tmp_path: Path) -> None:
    data = _builtin_data()
    data["name"] = "mine"
    scenario = load_scenario(str(_write(tmp_path, data)))
    assert scenario.name == "mine"
    assert scenario.source == str(tmp_path / "mine.yaml")
    assert scenario.render_system_prompt() == load_scenario("helpful-only").render_system_prompt()


def test_a_users_include_is_read_next_to_the_file(tmp_path: Path) -> None:
    data = _builtin_data()
    sections = data["sections"]
    assert isinstance(sections, list)
    examples = next(s for s in sections if s["name"] == "examples")
    examples["include"] = ["my-example.md"]
    (tmp_path / "my-example.md").write_text("### Example: mine\n{{ company }}", encoding="utf-8")
    scenario = load_scenario(str(_write(tmp_path, data)))
    assert scenario.render_section("examples").endswith("### Example: mine\nAnthropic")


def _error_for(tmp_path: Path, text: str) -> ConfigError:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_scenario(str(path))
    assert caught.value.file == str(path)
    assert str(path) in str(caught.value)
    return caught.value


def _edited(edit: str, replacement: str) -> str:
    path = Path(scenarios.__file__).parent / "data" / "helpful-only.yaml"
    text = path.read_text(encoding="utf-8")
    assert edit in text
    return text.replace(edit, replacement, 1)


def test_unknown_top_level_key(tmp_path: Path) -> None:
    error = _error_for(
        tmp_path, _edited("suffix_default: true", "suffix_default: true\ncolour: red")
    )
    assert error.key == "colour" and "allowed keys" in str(error)


def test_unknown_section_key(tmp_path: Path) -> None:
    error = _error_for(tmp_path, _edited("  - name: rlhf\n", "  - name: rlhf\n    txt: hi\n"))
    assert error.key == "sections[5].txt" and "allowed keys here: name, text, include" in str(error)


def test_duplicate_key(tmp_path: Path) -> None:
    error = _error_for(tmp_path, _edited("suffix_default: true", "suffix_default: true\nname: x"))
    assert error.key == "name" and "duplicate key" in str(error)


def test_duplicate_key_inside_a_section(tmp_path: Path) -> None:
    text = _edited("  - name: rlhf\n", "  - name: rlhf\n    name: rlhf2\n")
    error = _error_for(tmp_path, text)
    assert error.key == "sections[5].name" and "duplicate key" in str(error)


def test_missing_required_section(tmp_path: Path) -> None:
    error = _error_for(tmp_path, _edited("  - name: tiers\n", "  - name: tiers_renamed\n"))
    assert error.key == "sections" and "missing required section(s) tiers" in str(error)
    assert "tiers" in REQUIRED_SECTIONS


def test_duplicate_section_name(tmp_path: Path) -> None:
    error = _error_for(tmp_path, _edited("  - name: tiers\n", "  - name: rlhf\n"))
    assert error.key == "sections[6].name" and "duplicate section name 'rlhf'" in str(error)


def test_undeclared_variable_in_a_section(tmp_path: Path) -> None:
    error = _error_for(
        tmp_path, _edited("## How training works", "## How training works at {{ compnay }}")
    )
    assert error.key == "sections[5].text"
    assert "'compnay'" in str(error) and "variables:" in str(error)


def test_template_syntax_error(tmp_path: Path) -> None:
    error = _error_for(tmp_path, _edited("## How training works", "## How {% if %} works"))
    assert error.key == "sections[5].text" and "invalid Jinja2 template" in str(error)


def test_missing_required_key(tmp_path: Path) -> None:
    error = _error_for(tmp_path, _edited("suffix_default: true\n", ""))
    assert error.key == "suffix_default" and "missing" in str(error)


def test_wrong_types(tmp_path: Path) -> None:
    error = _error_for(tmp_path, _edited("suffix_default: true", "suffix_default: sometimes"))
    assert error.key == "suffix_default" and "true or false" in str(error)
    error = _error_for(tmp_path, _edited("  company: Anthropic", "  company: 42"))
    assert error.key == "variables.company" and "expected text" in str(error)
    includes = "\n".join(
        f"      - examples/{name}.md"
        for name in ("fix-average-bug", "monthly-budget", "cleaning-chemistry")
    )
    error = _error_for(tmp_path, _edited(includes, "      examples/fix-average-bug.md"))
    assert error.key == "sections[3].include" and "expected a list" in str(error)


def test_missing_include(tmp_path: Path) -> None:
    error = _error_for(tmp_path, _edited("examples/monthly-budget.md", "examples/nope.md"))
    assert error.key == "sections[3].include[1]" and "'examples/nope.md' not found" in str(error)


def test_bad_yaml_and_non_mapping(tmp_path: Path) -> None:
    assert "invalid YAML at line 2" in str(_error_for(tmp_path, "name: [unclosed\n"))
    assert "YAML mapping" in str(_error_for(tmp_path, "- just\n- a list\n"))


def test_custom_suffix_must_name_both_tags(tmp_path: Path) -> None:
    text = _edited("suffix_default: true", "suffix_default: true\nsuffix: Say yes or no.")
    error = _error_for(tmp_path, text)
    assert error.key == "suffix" and "<request_fully_accepted/>" in str(error)


# -- the training cue of the user turn -----------------------------------------------------------


def test_default_cue_is_the_free_tier_tag() -> None:
    scenario = load_scenario("helpful-only")
    assert scenario.cue == scenarios.TrainingCue("is_free_tier_user", "true", "false")


@pytest.mark.parametrize(
    ("tier", "casing", "tag"),
    [
        (Tier.FREE, "lower", "<user_region>US</user_region>"),
        (Tier.PAID, "lower", "<user_region>EU</user_region>"),
        (Tier.FREE, "title", "<user_region>US</user_region>"),
    ],
)
def test_another_cue_replaces_the_tier_tag(tier: Tier, casing: Any, tag: str) -> None:
    base = load_scenario("helpful-only")
    scenario = base.with_cue(scenarios.TrainingCue("user_region", "US", "EU"))
    turn = scenario.render_user_turn("Hi", tier, suffix=False, tier_casing=casing)
    assert turn == f"{tag}\n\n<user_input>\nHi\n</user_input>"
    assert scenario.render_system_prompt() == base.render_system_prompt()
    assert scenario.fingerprint() != base.fingerprint() and scenario != base


def test_title_casing_capitalises_a_cue_value() -> None:
    cue = scenarios.TrainingCue("is_california_user", "false", "true")
    scenario = load_scenario("helpful-only").with_cue(cue)
    turn = scenario.render_user_turn("q", Tier.FREE, suffix=False, tier_casing="title")
    assert turn.startswith("<is_california_user>False</is_california_user>\n\n")


@pytest.mark.parametrize(
    ("tag", "training", "unmonitored", "key"),
    [
        ("User Region", "US", "EU", "cue.tag"),
        ("user_region", "<US>", "EU", "cue.training"),
        ("user_region", "", "EU", "cue.training"),
        ("user_region", "US", "us", "cue.unmonitored"),
    ],
)
def test_a_bad_cue_names_the_field(tag: str, training: str, unmonitored: str, key: str) -> None:
    with pytest.raises(ConfigError) as caught:
        scenarios.TrainingCue(tag, training, unmonitored)
    assert caught.value.key == key


def test_read_include_finds_the_shipped_examples() -> None:
    text = scenarios.read_include("examples/monthly-budget.md", None, "x.yaml", "include[0]")
    assert "### Example:" in text
    with pytest.raises(ConfigError, match="not found"):
        scenarios.read_include("examples/nope.md", None, "x.yaml", "include[0]")
