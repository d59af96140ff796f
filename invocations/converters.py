"""Path converters shared by the console's URLconfs, registered once when first imported."""

from django.urls import register_converter


class ExportFormat:
    """The file formats of the exports (invocations.exports.FORMATS)."""

    regex = "csv|jsonl"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(ExportFormat, "export_format")
