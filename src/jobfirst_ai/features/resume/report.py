"""A readable terminal report of one analysis, labelled in the resume's language."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table

from jobfirst_ai.features.resume.schemas import AnalysisResult

_LABELS = {
    "zh": {
        "score": "评分",
        "years": "工作年限",
        "skills": "技能",
        "experience": "工作经历",
        "education": "教育经历",
        "suggestions": "改进建议",
        "summary": "总结",
        "none": "（未找到）",
        "unit": "年",
    },
    "en": {
        "score": "Score",
        "years": "Experience",
        "skills": "Skills",
        "experience": "Experience",
        "education": "Education",
        "suggestions": "Suggestions",
        "summary": "Summary",
        "none": "(none found)",
        "unit": "years",
    },
}


def render_report(title: str, result: AnalysisResult) -> RenderableType:
    """A panel with the score, sub-scores, findings and suggestions."""
    labels = _LABELS[result.language]
    years = (
        f"{result.years_of_experience:g} {labels['unit']}" if result.years_of_experience else labels["none"]
    )
    facts = Table.grid(padding=(0, 2))
    facts.add_row(labels["score"], f"[bold]{result.score}[/]/100")
    facts.add_row(labels["years"], years)
    facts.add_row(labels["skills"], ", ".join(result.skills) or labels["none"])
    facts.add_row(labels["experience"], "\n".join(result.experience) or labels["none"])
    facts.add_row(labels["education"], "\n".join(result.education) or labels["none"])
    parts = Table("", "", show_header=False, box=None)
    for part in result.sub_scores:
        parts.add_row(part.name, f"{part.score}/{part.max_score}", "; ".join(part.reasons))
    advice = "\n".join(f"• {line}" for line in result.suggestions) or labels["none"]
    body = Group(
        f"[italic]{result.summary}[/]", "", facts, "", parts, "", f"[bold]{labels['suggestions']}[/]", advice
    )
    return Panel(body, title=title, expand=False)
