"""The API's JSON parser: DRF's, with the nesting cap of invocations.jsontext (a 400 that names
the limit, in the API's JSON error shape, instead of a RecursionError's 500)."""

import codecs

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from invocations import jsontext


class JSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            return jsontext.loads(codecs.getreader(encoding)(stream).read())
        except jsontext.TooDeep as exc:
            raise ParseError(f"{exc}.") from None
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
