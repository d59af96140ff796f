import json
import logging

logger = logging.getLogger()


def handler(event, context):
    records = json.loads(event)["events"]
    made = []
    for record in records:
        bucket = record["oss"]["bucket"]["name"]
        key = record["oss"]["object"]["key"]
        logger.info("thumbnail for oss://%s/%s", bucket, key)
        made.append({"bucket": bucket, "key": key, "thumbnail": f"thumbnails/{key}"})
    return json.dumps(made)
