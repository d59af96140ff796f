import json
import logging


def handler(event, context):
    """An FC 3.0 HTTP-trigger handler: the event is the request as JSON; the answer is mapped back."""
    request = json.loads(event)
    http = request["requestContext"]["http"]
    logging.getLogger().info("%s %s", http["method"], http["path"])
    return {
        "statusCode": 200,
        "headers": {"Content-Type": "application/json", "X-Demo": "http-echo"},
        "body": json.dumps({"event": request, "requestId": context.request_id}),
        "isBase64Encoded": False,
    }
