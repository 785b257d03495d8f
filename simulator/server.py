"""Serve the simulator with gunicorn: one worker process, several threads.

All state lives in the memory of that one worker, which is why there is only one.
"""

import os

from gunicorn.app.base import BaseApplication

from simulator import runtime


def announce_address(server):
    """Print where the server listens, once the socket is bound."""
    host, port = server.LISTENERS[0].sock.getsockname()[:2]
    print(f"InsideView simulator listening on http://{host}:{port}", flush=True)


class SimulatorApplication(BaseApplication):
    def __init__(self, simulator_config, options):
        self.simulator_config = simulator_config
        self.options = options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        # Runs in the worker after the fork, so the scheduler thread and the state
        # it moves live in the process that serves the requests.
        os.environ["DJANGO_SETTINGS_MODULE"] = "simulator.settings"
        from django.core.wsgi import get_wsgi_application

        application = get_wsgi_application()
        runtime.start(self.simulator_config)
        return application


def serve(simulator_config, *, host, port, threads, access_log, log_level):
    options = {
        "bind": f"{host}:{port}",
        "workers": 1,
        "worker_class": "gthread",
        "threads": threads,
        "accesslog": "-" if access_log else None,
        "loglevel": log_level,
        "graceful_timeout": 5,
        "proc_name": "insideview-simulator",
        "when_ready": announce_address,
    }
    SimulatorApplication(simulator_config, options).run()
