"""Engine test fixtures: the real model, loaded once per module that asks for it."""
import pytest


@pytest.fixture(scope="module")
def real_runner():
    from digitdesk.engine.runner import shared_runner
    return shared_runner()
