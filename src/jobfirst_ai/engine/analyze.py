"""The engine's whole analysis of one resume text: findings, score, suggestions and summary."""

from __future__ import annotations

from datetime import date

from jobfirst_ai.engine.contact import find_contact
from jobfirst_ai.engine.dates import stated_years
from jobfirst_ai.engine.education import parse_education
from jobfirst_ai.engine.experience import parse_experience, total_experience_years
from jobfirst_ai.engine.language import detect_language
from jobfirst_ai.engine.scoring import score_resume
from jobfirst_ai.engine.sections import split_sections
from jobfirst_ai.engine.signals import read_signals
from jobfirst_ai.engine.skills import SkillDictionary, find_skills
from jobfirst_ai.engine.suggestions import suggest
from jobfirst_ai.engine.summary import summarize
from jobfirst_ai.engine.types import Findings, Frozen, Language, SubScore, Suggestion


class EngineAnalysis(Frozen):
    """What the built-in engine concludes about one resume."""

    findings: Findings
    score: int
    sub_scores: list[SubScore]
    suggestions: list[Suggestion]
    summary: str


def read_findings(text: str, dictionary: SkillDictionary, today: date) -> Findings:
    """Everything detectable in `text`, with no judgement yet."""
    language = detect_language(text)
    sections = split_sections(text)
    experience = parse_experience(text, sections, today)
    return Findings(
        language=language,
        sections=sections,
        skills=find_skills(text, dictionary, sections),
        experience=experience,
        education=parse_education(text, sections),
        contact=find_contact(text, sections),
        signals=read_signals(text, language),
        total_years=total_experience_years(experience),
        stated_years=stated_years(text),
    )


def analyze_text(
    text: str, dictionary: SkillDictionary, today: date, language: Language | None = None
) -> EngineAnalysis:
    """Analyse `text`; `language` overrides the language of the summary and suggestions (not the score)."""
    findings = read_findings(text, dictionary, today)
    score, sub_scores = score_resume(findings)
    if language is not None and language != findings.language:
        findings = findings.model_copy(update={"language": language})
    suggestions = suggest(findings)
    return EngineAnalysis(
        findings=findings,
        score=score,
        sub_scores=sub_scores,
        suggestions=suggestions,
        summary=summarize(findings, score, suggestions),
    )
