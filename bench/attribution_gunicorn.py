"""gunicorn configuration for a benchmark's web with attribution on (bench/attribution.py)."""


def post_worker_init(worker):
    from bench import attribution

    attribution.start("web", attribution.WEB)
