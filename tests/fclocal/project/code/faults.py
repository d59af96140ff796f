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
    for _ in range(128):  # up to 2 GB, slowly enough for the 50 ms memory monitor
        blocks.append(b"\x01" * (16 * 1024 * 1024))
        time.sleep(0.05)
    return str(len(blocks))


def crash(event, context):
    print("about to crash")
    os._exit(3)


def fail(event, context):
    raise ValueError("always")


def chatty(event, context):
    for n in range(int(event or b"0")):
        print(f"line {n:05d}")
    return b"said it all"


def rendezvous(event, context):
    """Wait until `n` requests have arrived (one file each in `dir`): proof they were all in flight."""
    data = json.loads(event)
    logging.getLogger().info("start %s", data["marker"])
    open(os.path.join(data["dir"], data["marker"]), "w").close()
    deadline = time.monotonic() + 60
    while (seen := len(os.listdir(data["dir"]))) < data["n"] and time.monotonic() < deadline:
        time.sleep(0.25)
    print(f"printed {data['marker']}")
    logging.getLogger().info("end %s", data["marker"])
    return json.dumps({"marker": data["marker"], "seen": seen})


def whoami(event, context):
    return json.dumps(
        {
            "qualifier": context.service.qualifier,
            "version": context.service.version_id,
            "function": context.function.name,
            "memory": context.function.memory,
            "region": context.region,
            "account": context.account_id,
            "env": {k: v for k, v in os.environ.items() if k.startswith(("FC_", "FCLOCAL_", "DEMO_"))},
        }
    )


def slow_bad_init(context):
    time.sleep(0.5)
    raise RuntimeError("the initializer failed")


def web_fail(environ, start_response):
    raise RuntimeError("the page broke")
