from django.apps import AppConfig


class InterruptionsConfig(AppConfig):
    name = "apps.interruptions"
    label = "interruptions"
    verbose_name = "Service interruptions"
