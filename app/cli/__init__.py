"""The ``advisor`` command line: its commands, in the order ``--help`` lists them, and the
entry point. Every command is a thin edge over ``app.service.advisor.Advisor``; each group of
commands lives in its own module of this package.
"""

from __future__ import annotations

import logging
import sys

import typer

from app.cli import advice, documents, evaluate, interview
from app.cli.users import users

cli = typer.Typer(
    help="Readiness Advisor: get AI pilots into production.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
cli.add_typer(users, name="user")  # groups are listed after the commands
cli.command()(documents.setup)
cli.command("index-knowledge")(documents.index_knowledge)
cli.command()(documents.ingest)
cli.command()(documents.search)
cli.command()(advice.assess)
cli.command()(advice.plan)
cli.command()(interview.chat)
cli.command("eval")(evaluate.evaluate)
cli.command()(documents.demo)


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        cli()
    except KeyboardInterrupt:
        sys.exit(130)
