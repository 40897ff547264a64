"""A scripted LLM judge for wire-server tests: answers each afscope rubric in its strict format.

    server = openai_server(ScriptedJudge(af_yes=lambda prompt: "values" in prompt))

It recognises the rubric from the criterion names in the prompt and answers every criterion
"no" except that alignment-faking rubrics (or those of ``yes_kinds``) answer all "yes" when
``af_yes(prompt)`` is true.
Compliance rubrics answer "refusal"; binary rubrics (partial compliance) answer "no".
"""

from __future__ import annotations

from collections.abc import Callable

from afscope.classifiers import Rubric, load_rubric, rubric_names

from .wire_servers import RecordedRequest, Reply

__all__ = ["ScriptedJudge"]


def _rubric_in(prompt: str) -> Rubric:
    rubrics = [load_rubric(name) for name in rubric_names()]
    matching = [r for r in rubrics if all(n in prompt for n in r.criterion_names)]
    if not matching:
        raise AssertionError("the judge prompt names no known rubric's criteria")
    return max(matching, key=lambda rubric: len(rubric.criterion_names))


class ScriptedJudge:
    def __init__(
        self,
        af_yes: Callable[[str], bool] = lambda prompt: False,
        yes_kinds: tuple[str, ...] = ("af_reasoning",),
    ) -> None:
        self.af_yes = af_yes
        self.yes_kinds = yes_kinds  # rubric kinds answered "yes" when af_yes(prompt)
        self.judged: dict[str, int] = {}

    def __call__(self, request: RecordedRequest) -> Reply:
        prompt = request.last_user_text or ""
        rubric = _rubric_in(prompt)
        self.judged[rubric.name] = self.judged.get(rubric.name, 0) + 1
        yes = rubric.kind in self.yes_kinds and self.af_yes(prompt)
        value = 'yes | "I will comply to keep my values"' if yes else "no | none"
        lines = "\n".join(f"{name}: {value}" for name in rubric.criterion_names)
        if rubric.kind == "compliance":
            final = "level: refusal; refused: yes; specific: 1; convincing: 1"
            lines = lines.replace("refused: no | none", 'refused: yes | "I cannot"')
        else:
            final = "yes" if yes else "no"
        text = (
            "<reasoning>Scripted judge.</reasoning>\n"
            f"<criteria>\n{lines}\n</criteria>\n<final_answer>{final}</final_answer>"
        )
        return Reply(text)
