"""Path converters shared by the console's URLconfs, registered once when first imported."""

from django.urls import register_converter


class ExportFormat:
    """The file formats of the exports (invocations.exports.FORMATS)."""

    regex = "csv|jsonl"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


class FCName:
    """A service or function name as FC takes it (invocations.rules): anything else is a 404,
    never a query."""

    regex = "[A-Za-z_][A-Za-z0-9_-]{0,127}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(ExportFormat, "export_format")
register_converter(FCName, "fc_name")
