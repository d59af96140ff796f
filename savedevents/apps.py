from django.apps import AppConfig


class SavedeventsConfig(AppConfig):
    name = "savedevents"
