# The benchmarks use the test suite's fixtures (people, settings, simulator).
from tests.conftest import *  # noqa: F403
