"""Plan -> the text every export format shares: the title, the pilot's and patterns' names,
where a citation points, the sources appendix and the audit trail."""

from __future__ import annotations

from app.schemas import Citation, Plan


def pilot_name(plan: Plan) -> str:
    return str(plan.pilot.get("name") or plan.pilot.get("title") or "AI pilot")


def title(plan: Plan) -> str:
    return f"Production readiness plan: {pilot_name(plan)}"


def pattern_name(plan: Plan, pattern: str) -> str:
    return next((p.name for p in plan.assessment.patterns if p.id == pattern), pattern)


def citation_place(citation: Citation) -> str:
    """Where in its source a citation stands: the section and the page, as far as known."""
    page = f"p. {citation.page}" if citation.page else None
    return ", ".join(x for x in (citation.section, page) if x)


def sources(plan: Plan) -> list[str]:
    """Every cited place once, sorted: the sources appendix."""
    seen: dict[str, str] = {}
    for item in plan.items():
        for c in item.citations:
            where = citation_place(c)
            seen.setdefault(f"{c.source}|{where}", f"{c.source} \u2014 {where} [{c.chunk_id}]")
    return sorted(seen.values())


def audit_lines(plan: Plan) -> list[str]:
    """What produced the plan: engine, model, knowledge version, prompts, documents, notices."""
    a = plan.audit
    lines = [
        f"Engine: {a.engine}" + (f" (model {a.model})" if a.model else ""),
        f"Knowledge version: {a.knowledge_version}",
        f"Created: {a.created}",
    ]
    lines += [f"Prompt {name}: {label}" for name, label in sorted(a.prompts.items())]
    lines += [f"Document {name}: sha256 {digest}" for name, digest in sorted(a.documents.items())]
    lines += [f"Notice: {n}" for n in a.notices]
    return lines
