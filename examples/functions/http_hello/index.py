import json
import logging


def handler(environ, start_response):
    body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
    logging.getLogger().info("%s %s", environ["REQUEST_METHOD"], environ["PATH_INFO"])
    answer = {
        "method": environ["REQUEST_METHOD"],
        "path": environ["PATH_INFO"],
        "query": environ["QUERY_STRING"],
        "body": body.decode("utf-8", "replace"),
        "requestId": environ["fc.context"].request_id,
        "requestUri": environ["fc.request_uri"],
    }
    start_response("200 OK", [("Content-Type", "application/json"), ("X-Demo", "http-hello")])
    return [json.dumps(answer).encode()]
