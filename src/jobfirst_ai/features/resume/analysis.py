"""Turns the engine's analysis into the API's result: seed keys first, structured detail after."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from datetime import date

from jobfirst_ai import __version__
from jobfirst_ai.engine.analyze import EngineAnalysis, analyze_text
from jobfirst_ai.engine.skills import SkillDictionary
from jobfirst_ai.engine.summary import years_of
from jobfirst_ai.engine.types import EducationEntry, ExperienceEntry, Language, SkillMatch
from jobfirst_ai.features.resume.enrich import ModelBackend, enrich_analysis
from jobfirst_ai.features.resume.optimize import optimize_bullets
from jobfirst_ai.features.resume.schemas import AnalysisResult, OptimizeResult

_PRESENT = {"zh": "至今", "en": "present"}
_SEPARATOR = " · "


@dataclass(frozen=True)
class ResumeAnalyzer:
    """Resume analysis and optimisation: the engine always, the model chain when one is configured."""

    dictionary: SkillDictionary
    backend: ModelBackend | None = None

    @property
    def configuration(self) -> str:
        """What besides the input decides the answer: the engine's version and the model, if one is set."""
        if self.backend is None:
            return f"jobfirst-ai {__version__}; builtin"
        provider = self.backend.provider
        thinking = "thinking" if self.backend.thinking else "no thinking"
        return f"jobfirst-ai {__version__}; {provider.name}/{provider.model}; {thinking}"

    def analyze(self, text: str, *, today: date, language: Language | None = None) -> AnalysisResult:
        """Analyse resume text with the built-in engine (CPU-bound: callers run it off the event loop)."""
        started = time.perf_counter()
        analysis = analyze_text(text, self.dictionary, today, language)
        elapsed = (time.perf_counter() - started) * 1000
        return build_result(analysis, timings_ms={"engine": round(elapsed, 2)})

    async def run(self, text: str, *, today: date, language: Language | None, owner: str) -> AnalysisResult:
        """The engine's analysis off the event loop, then the model's grounded additions if configured."""
        result = await asyncio.to_thread(self.analyze, text, today=today, language=language)
        if self.backend is None:
            return result
        return await enrich_analysis(result, text, self.backend, self.dictionary, owner=owner)

    async def optimize(
        self, text: str, *, today: date, language: Language | None, target_job: str | None, owner: str
    ) -> OptimizeResult:
        """Rewrites of the weak bullets (model when configured, checked locally; built-in otherwise)."""
        started = time.perf_counter()
        analysis = await asyncio.to_thread(analyze_text, text, self.dictionary, today, language)
        result = await optimize_bullets(
            analysis,
            text,
            dictionary=self.dictionary,
            backend=self.backend,
            target_job=target_job,
            owner=owner,
        )
        result.timings_ms["total"] = round((time.perf_counter() - started) * 1000, 2)
        return result


def build_result(analysis: EngineAnalysis, *, timings_ms: dict[str, float]) -> AnalysisResult:
    """The API result of an engine analysis."""
    findings = analysis.findings
    language = findings.language
    return AnalysisResult(
        skills=[as_written(skill) for skill in findings.skills],
        experience=[describe_job(entry, language) for entry in findings.experience],
        education=[describe_degree(entry) for entry in findings.education],
        summary=analysis.summary,
        score=analysis.score,
        suggestions=[suggestion.message for suggestion in analysis.suggestions],
        language=language,
        years_of_experience=years_of(findings) or None,
        total_years=findings.total_years,
        stated_years=findings.stated_years,
        skill_details=findings.skills,
        experience_entries=findings.experience,
        education_entries=findings.education,
        sections=findings.sections,
        sub_scores=analysis.sub_scores,
        suggestion_details=analysis.suggestions,
        contact=findings.contact,
        quantified_achievements=len(findings.signals.achievements),
        engine="builtin",
        timings_ms=timings_ms,
    )


def as_written(skill: SkillMatch) -> str:
    """The skill as the resume first writes it ('MS Word', '微服务'), or its canonical name when that is
    what was written, in any case or inside a longer form ('JAVA', 'Java开发' → 'Java'). The canonical
    name and category stay in `skill_details` for matching."""
    if not skill.evidence:
        return skill.name
    written = " ".join(skill.evidence[0].text.split())
    return skill.name if skill.name.casefold() in written.casefold() else written


def describe_job(entry: ExperienceEntry, language: Language) -> str:
    """'Title · Company · 2019-03 – present', or the line it came from when neither was read."""
    if not (entry.title or entry.company):
        return entry.text.strip().splitlines()[0][:160]
    end = _PRESENT[language] if entry.is_current else entry.end
    dates = f"{entry.start or '?'} – {end or '?'}" if entry.start or end else None
    return _SEPARATOR.join(part for part in (entry.title, entry.company, dates) if part)


def describe_degree(entry: EducationEntry) -> str:
    """'Degree · Major · School · 2012 – 2016', or the line it came from."""
    dates = f"{entry.start} – {entry.end}" if entry.start and entry.end else entry.end
    parts = [part for part in (entry.degree, entry.major, entry.school, dates) if part]
    return _SEPARATOR.join(parts) if parts else entry.text.strip().splitlines()[0][:160]
