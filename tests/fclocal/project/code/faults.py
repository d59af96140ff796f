import json
import logging
import os
import time

inits = 0
calls = 0


def init(context):
    global inits
    inits += 1


def count(event, context):
    global calls
    calls += 1
    return json.dumps({"inits": inits, "calls": calls, "pid": os.getpid()})


def bad_init(context):
    raise RuntimeError("the initializer failed")


def sleepy(event, context):
    data = json.loads(event or b"{}")
    marker = data.get("marker", "")
    logging.getLogger().info("start %s", marker)
    print(f"printed {marker}")
    time.sleep(float(data.get("seconds", 1)))
    logging.getLogger().info("end %s", marker)
    return marker


def hog(event, context):
    logging.getLogger().info("allocating")
    blocks = []
    for _ in range(100):
        blocks.append(b"\x01" * (16 * 1024 * 1024))
        time.sleep(0.02)
    return str(len(blocks))


def crash(event, context):
    print("about to crash")
    os._exit(3)


def fail(event, context):
    raise ValueError("always")
