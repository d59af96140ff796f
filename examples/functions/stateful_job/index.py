import json
import logging
import time

logger = logging.getLogger()


def handler(event, context):
    seconds = int(json.loads(event or b"{}").get("seconds", 3))
    for step in range(1, seconds + 1):
        time.sleep(1)
        logger.info("step %d of %d done", step, seconds)
    return json.dumps({"steps": seconds})
