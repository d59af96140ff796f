import logging
import os

logger = logging.getLogger()


def initializer(context):
    logger.info("initializing instance for %s", context.function.name)


def handler(event, context):
    logger.info("%s: received %d bytes", os.environ.get("GREETING", "hello"), len(event))
    return event
