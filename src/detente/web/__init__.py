"""The local web app: a FastAPI JSON API and a plain-JavaScript front end (``detente serve``).

Needs the optional web dependencies (fastapi, uvicorn, python-multipart).
"""

from detente.web.app import create_app

__all__ = ["create_app"]
