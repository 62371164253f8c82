"""The playground for a class on one process: `streamlit run classroom.py` serves app.py, ready for the class.

The same app as `streamlit run app.py`, with two differences that matter when a whole class opens it at once:
- MNIST and the weights are loaded, and every page has run once in each language, before the server lets
  anyone in (ui/opening.py), not while the first students of the class wait;
- Streamlit's own files (76 to 147 per new browser, the same for everyone) are answered from memory after the
  first time (ui/static_files.py), not read again through Streamlit's whole stack for every student.
It uses Streamlit's App (st.App: an ASGI app with middleware and a start-up hook), which `streamlit run`
starts when a script defines one. Behind nginx (`python -m serve`), nginx sends the files instead.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from starlette.middleware import Middleware
from streamlit.starlette import App

from ui.opening import HeldUntilWarm, open_when_warm
from ui.static_files import StaticFilesFromMemory


@contextlib.asynccontextmanager
async def ready(_app: App) -> AsyncIterator[None]:
    """The data and the weights loaded before the server accepts a connection; then every page run once
    while the requests of the class wait."""
    from ui import data

    await asyncio.to_thread(data.preload)
    warming = asyncio.create_task(open_when_warm())
    yield
    warming.cancel()


middleware = [Middleware(HeldUntilWarm), Middleware(StaticFilesFromMemory)]
app = App("app.py", middleware=middleware, lifespan=ready)
