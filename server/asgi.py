"""The ASGI app for uvicorn (`uvicorn server.asgi:app`), configured from the environment."""

from server.app import create_app

app = create_app()
