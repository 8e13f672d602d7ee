"""``advisor chat``: one stakeholder's interview in the terminal, question by question.

A workspace and a person (found or created) -> the advisor's questions on standard output,
the coverage per failure pattern on standard error. Every answer is saved as it is given, so
an interrupted interview resumes where it stopped.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape as esc

from app.cli.shared import edge, err, local_advisor, notify, out

if TYPE_CHECKING:
    from app.schemas import Stakeholder
    from app.service.advisor import Advisor


def _person(advisor: Advisor, workspace: str, name: str | None, role: str | None) -> Stakeholder:
    """The stakeholder with this name and role in the workspace; both created if new."""
    found = next((w for w in advisor.workspaces() if w.name == workspace), None)
    space = found or advisor.create_workspace(workspace)
    person_name = name or typer.prompt("Your name")
    person_role = role or typer.prompt("Your role")
    return next(
        (
            s
            for s in advisor.stakeholders(space.id)
            if s.name == person_name and s.role == person_role
        ),
        None,
    ) or advisor.add_stakeholder(space.id, person_name, person_role)


@edge
def chat(
    workspace: Annotated[
        str, typer.Option("--workspace", "-w", help="Pilot workspace name.")
    ] = "default",
    name: Annotated[str | None, typer.Option(help="Your name.")] = None,
    role: Annotated[str | None, typer.Option(help="Your role, e.g. 'Head of data'.")] = None,
) -> None:
    """Run the interview in the terminal; answers are saved as you go."""
    advisor = local_advisor()
    with err.status("Preparing the advisor..."):
        advisor.warm()
    person = _person(advisor, workspace, name, role)
    result = advisor.start_interview(person.id)
    err.print(f"Engine: {advisor.engine.name}. Type 'skip' to pass, 'finish' to stop.\n")
    while True:
        out.print(f"[bold cyan]Advisor:[/bold cyan] {esc(result.question.content)}")
        notify(result.notices)
        if result.finished:
            break
        try:
            reply = typer.prompt("You", prompt_suffix=": ")
        except (EOFError, typer.Abort):
            err.print(
                "\nInterview paused; your answers are saved. Run the command again to resume."
            )
            return
        result = advisor.answer(person.id, reply)
        meter = "  ".join(f"{k}:{f}/{t}" for k, (f, t) in result.slots.items())
        err.print(f"[dim]coverage  {meter}[/dim]")
