"""A benchmark's advisor: a folder prefix -> a warmed advisor on a throwaway data folder.

The benchmarks that drive the orchestration API (``bench.core``, ``bench.soak``) start the same
way: a fresh temporary folder, an advisor whose data dir is ``data/`` inside it, warmed (model
loaded, knowledge indexed) before anything is timed; the folder is removed afterwards, also
when the run fails.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.service.advisor import Advisor


@contextmanager
def warmed_advisor(prefix: str) -> Iterator[tuple[Advisor, Path]]:
    """Yield a warmed advisor and the temporary folder it lives in (``prefix`` names the
    folder); the folder and everything in it are removed on the way out."""
    from app.service.advisor import Advisor
    from app.settings import Settings

    work = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        advisor = Advisor(Settings(data_dir=work / "data"))
        advisor.warm()
        yield advisor, work
    finally:
        shutil.rmtree(work, ignore_errors=True)
