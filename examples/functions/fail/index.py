import logging


class DemoFailure(Exception):
    pass


def handler(event, context):
    logging.getLogger().info("about to fail")
    raise DemoFailure("this function always fails")
