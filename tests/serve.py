"""`python -m tests.serve serve|demo ...`: the real command line (`python -m server`), on the clock of
the test run that started it (tests/clock.py), so browser and scale-out tests never meet the real today."""

from server.__main__ import main
from tests.clock import server_clock

if __name__ == "__main__":
    main(clock=server_clock())
