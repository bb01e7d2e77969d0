"""WSGI entry point: ``gunicorn 'dashboard.wsgi:server'`` (the warehouse from ``IVM_DB``)."""

from dashboard.app import server_from_environment

server = server_from_environment()
