"""Resume optimisation: "original → improved" rewrites of weak bullets that add no invented facts.

The engine picks the bullets (weak openers, or no measured result). A model rewrites them when one is
configured; every rewrite is then checked locally (no new numbers, skills, employers or titles, and the
meaning kept) and a rewrite that fails is replaced by the built-in one. The built-in rewrite swaps a weak
opener for a strong verb and asks for the missing result in brackets instead of making one up.
"""

from __future__ import annotations

import time
from typing import Final

from jobfirst_ai.engine.analyze import EngineAnalysis
from jobfirst_ai.engine.signals import find_quantities, read_opener
from jobfirst_ai.engine.skills import SkillDictionary
from jobfirst_ai.engine.suggestions import experience_statements
from jobfirst_ai.engine.types import Language
from jobfirst_ai.errors import ProviderError
from jobfirst_ai.features.resume.enrich import ModelBackend, ask_model, user_tag
from jobfirst_ai.features.resume.grounding import (
    MIN_KEPT_MEANING,
    FactBase,
    invented_numbers,
    kept_meaning,
    numbers_in,
)
from jobfirst_ai.features.resume.prompts import optimize_request
from jobfirst_ai.features.resume.schemas import ModelRewrites, OptimizeResult, Rewrite

MAX_BULLETS: Final = 8
_STRONGER: Final = {
    "负责": "主导",
    "参与": "参与推动",
    "协助": "协助完成",
    "帮助": "协助完成",
    "responsible for": "Led",
    "worked on": "Delivered",
    "helped": "Helped deliver",
    "assisted": "Supported",
    "duties included": "Handled",
}
_ASK_RESULT: Final = {
    "zh": "（补充可量化的成果：提升了多少、节省了多少、服务了多少用户？）",
    "en": " [add the measurable result: by how much, how many users, how much time saved?]",
}
_REASON: Final = {
    "zh": "以有力的动词开头，并写明可衡量的结果（数字请按真实情况填写）。",
    "en": "Opens with a strong verb and asks for the measurable result (fill in your real figures).",
}


def weak_bullets(analysis: EngineAnalysis) -> list[str]:
    """Bullets that open weakly or state no measured result, weak openers first."""
    statements = experience_statements(analysis.findings)
    weak = [line for line in statements if (read_opener(line) or ("", ""))[0] == "weak"]
    unmeasured = [line for line in statements if line not in weak and not find_quantities(line)]
    return (weak + unmeasured)[:MAX_BULLETS]


def builtin_rewrite(bullet: str, language: Language) -> Rewrite:
    """A strong-verb rewrite that asks for the result instead of inventing one."""
    opener = read_opener(bullet)
    improved = bullet
    if opener and opener[0] == "weak" and opener[1] in _STRONGER:
        phrase = opener[1]
        at = bullet.casefold().find(phrase.casefold())
        verb, rest = _STRONGER[phrase], bullet[at + len(phrase) :].lstrip(" ")
        gap = " " if verb[-1].isascii() and rest[:1].isascii() and rest[:1].isalnum() else ""
        improved = bullet[:at] + verb + gap + rest
    if not find_quantities(bullet):
        improved = improved.rstrip("。.；; ") + _ASK_RESULT[language]
    return Rewrite(original=bullet, improved=improved, reason=_REASON[language])


async def optimize_bullets(
    analysis: EngineAnalysis,
    text: str,
    *,
    dictionary: SkillDictionary,
    backend: ModelBackend | None,
    target_job: str | None,
    owner: str,
) -> OptimizeResult:
    """Rewrites of the resume's weak bullets, from the model when it can and the engine otherwise."""
    language = analysis.findings.language
    bullets = weak_bullets(analysis)
    builtin = OptimizeResult(
        rewrites=[builtin_rewrite(bullet, language) for bullet in bullets],
        language=language,
        engine="builtin",
    )
    if backend is None or not bullets:
        return builtin
    started = time.perf_counter()
    request = optimize_request(
        ModelRewrites, bullets, text, language, target_job=target_job, user=user_tag(owner)
    )
    try:
        answer, value = await ask_model(backend, request, ModelRewrites)
    except ProviderError as error:
        return builtin.model_copy(
            update={"degraded": True, "degraded_reason": f"{error.code}: {error.message}"}
        )
    skills = {skill.name for skill in analysis.findings.skills}
    rewrites, notes = _grounded(
        value.rewrites, bullets, FactBase.of(text, skills, dictionary, set()), language
    )
    return OptimizeResult(
        rewrites=rewrites,
        language=language,
        engine=answer.provider,
        model=answer.model,
        usage=answer.usage,
        grounding_notes=notes,
        timings_ms={"model": round((time.perf_counter() - started) * 1000, 2)},
    )


def _grounded(
    proposed: list[Rewrite], bullets: list[str], facts: FactBase, language: Language
) -> tuple[list[Rewrite], list[str]]:
    """One rewrite per bullet: the model's when it passes every check, the built-in one otherwise."""
    by_original = {rewrite.original.strip(): rewrite for rewrite in proposed}
    rewrites: list[Rewrite] = []
    notes: list[str] = []
    for bullet in bullets:
        candidate = by_original.get(bullet.strip())
        problems = _problems(candidate, bullet, facts) if candidate else ["the model did not rewrite it"]
        if problems:
            notes.append(f"used the built-in rewrite for bullet {len(rewrites) + 1}: {'; '.join(problems)}")
            rewrites.append(builtin_rewrite(bullet, language))
        else:
            assert candidate is not None
            rewrites.append(candidate.model_copy(update={"original": bullet}))
    return rewrites, notes


def _problems(rewrite: Rewrite, bullet: str, facts: FactBase) -> list[str]:
    problems = facts.problems(rewrite.improved)
    if invented_numbers(rewrite.improved, numbers_in(bullet)):
        problems.append("numbers the bullet does not state")
    if kept_meaning(bullet, rewrite.improved) < MIN_KEPT_MEANING:
        problems.append("the meaning changed")
    return problems
