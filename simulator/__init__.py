"""A local stand-in for InsideView's Company Installed Tech bulk job API.

Run it with `python -m simulator --help`. It is a Django project of its own, served
by gunicorn, and the techjobs apps never import it.
"""
