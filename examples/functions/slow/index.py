import json
import logging
import time

logger = logging.getLogger()


def handler(event, context):
    seconds = float(json.loads(event or b"{}").get("seconds", 1))
    logger.info("sleeping %s seconds", seconds)
    time.sleep(seconds)
    logger.info("woke up after %s seconds", seconds)
    return json.dumps({"slept": seconds, "requestId": context.request_id})
