from django.apps import AppConfig


class TechjobsConfig(AppConfig):
    name = "techjobs"
    verbose_name = "Tech profile jobs"
